"""Sources on the older, untagged layouts: real git repositories built from the real samples.

The oldest layout (``_cache/<pkg>/index.md`` + ``spec-N.json``) and the middle one
(``_cache/<pkg>/specs.md`` + ``spec-N.json``) are read as packages of the tag ``develop``.
The samples keep only some spec files of each package (see the samples' NOTES.md), so
every revision built from them also has listed-but-missing spec files: real problems.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from catalog_diff import api
from catalog_diff.compare.pairing import compare
from catalog_diff.errors import TagNotFound
from catalog_diff.git.repository import GitRepository
from catalog_diff.model.comparison import Comparison, PackageStatus
from catalog_diff.model.snapshot import Snapshot
from catalog_diff.parse.legacy import parse_spec_json
from catalog_diff.sources import revision as gitrevision_module
from catalog_diff.sources import snapshotfile
from catalog_diff.sources.listing import Entry, Listing
from catalog_diff.sources.load import Selection, Sources, load, load_pair
from catalog_diff.sources.revision import GitRevisionSource
from gitrepo import SAMPLES, GitRepoBuilder, write_tree

LEGACY = SAMPLES / "legacy"
PACKAGES = ("libsigsegv", "pkgconf", "zlib")
KEYS = {("develop", name) for name in PACKAGES}
#: The spec files the samples keep, and what they hold.
SAVED = {
    "libsigsegv": ("spec-0.json", "spec-31.json"),
    "pkgconf": ("spec-0.json", "spec-16.json", "spec-25.json"),
    "zlib": ("spec-0.json", "spec-50.json"),
}
TARGETS = {
    "libsigsegv": {"x86_64", "power9le"},
    "pkgconf": {"ppc64le", "haswell", "power9le"},  # haswell and power9le: arch objects
    "zlib": {"x86_64", "power9le"},
}
COMPILERS = {
    "libsigsegv": {"gcc@8.3.1", "xl@16.1"},
    "pkgconf": {"gcc@7.5.0", "apple-clang@12.0.0", "xl@16.1"},
    "zlib": {"gcc@9.3.0", "xl@16.1"},
}
#: Spec files listed by each list file (both layouts list the same ones).
LISTED = {"libsigsegv": 61, "pkgconf": 77, "zlib": 54}
MISSING = sum(LISTED.values()) - sum(len(v) for v in SAVED.values())
ZLIB_50 = "_cache/zlib/spec-50.json"
ZLIB_50_HASH = b"quasq73tmp3kiadcuq7f274ahmaybxdw"
DATES = ("2021-06-01T12:00:00+00:00", "2022-06-01T12:00:00+00:00", "2023-06-01T12:00:00+00:00")


def _tree(folder: Path, pattern: str) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.glob(pattern))}


def spec_tree() -> dict[str, bytes]:
    """The saved ``spec-N.json`` files, at their place in the catalog."""
    return _tree(LEGACY / "index-md", "_cache/*/spec-*.json")


def oldest_tree() -> dict[str, bytes]:
    return {**_tree(LEGACY / "index-md", "_cache/*/index.md"), **spec_tree()}


def middle_tree() -> dict[str, bytes]:
    """The middle layout's list files with the spec files saved from the oldest layout."""
    return {**_tree(LEGACY / "specs-md-flat", "_cache/*/specs.md"), **spec_tree()}


def tagged_file(pkg: str) -> bytes:
    """A current-layout ``specs.md`` holding the saved specs of ``pkg`` (stack ``root``)."""
    details: list[dict[str, object]] = []
    for name in SAVED[pkg]:
        path = LEGACY / "index-md" / "_cache" / pkg / name
        spec = parse_spec_json(path.read_bytes(), name, pkg)
        details.append(
            {**spec.as_dict(), "compiler": spec.raw_compiler, "size": "-", "stacks": ["root"]}
        )
    details.sort(key=lambda d: str(d["hash"]))

    def union(key: str) -> list[str]:
        return sorted({str(d[key]) for d in details})

    meta = {
        "compilers": union("compiler"),
        "num_specs": len(details),
        "num_specs_by_stack": {"root": len(details)},
        "oss": union("os"),
        "platforms": union("platform"),
        "stacks": ["root"],
        "targets": union("target"),
        "versions": sorted({str(d["versions"][0]) for d in details}),  # type: ignore[index]
    }
    lines = [
        "---",
        f'title: "{pkg}"',
        "layout: cache",
        "categories: [package, develop]",
        f"meta: {json.dumps(meta, sort_keys=True)}",
        f"spec_details: {json.dumps(details, sort_keys=True)}",
        "---",
    ]
    return "\n".join(lines).encode()


def current_tree() -> dict[str, bytes]:
    return {f"_cache/develop/{pkg}/specs.md": tagged_file(pkg) for pkg in PACKAGES}


class Eras:
    """Three commits: the oldest layout, the middle one, the current one."""

    def __init__(self, root: Path) -> None:
        self.repo = GitRepoBuilder(root)
        self.repo.write(oldest_tree())
        self.repo.commit("oldest layout", date=DATES[0])
        self.repo.tag("oldest")
        self.repo.delete(_tree(LEGACY / "index-md", "_cache/*/index.md"))
        self.repo.write(middle_tree())
        self.repo.commit("middle layout", date=DATES[1])
        self.repo.tag("middle")
        self.repo.delete(middle_tree())
        self.repo.write(current_tree())
        self.repo.commit("current layout", date=DATES[2])
        self.repo.tag("current")

    @property
    def path(self) -> str:
        return str(self.repo.path)


@pytest.fixture(scope="module")
def eras(tmp_path_factory: pytest.TempPathFactory) -> Eras:
    return Eras(tmp_path_factory.mktemp("eras") / "catalog")


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The paths each revision reads; under ``"streams"`` one item per blob stream, under
    ``"listings"`` one per full listing (the tree diff lists nothing in full)."""
    seen: dict[str, list[str]] = {}
    read_many = GitRevisionSource.read_many
    read_blobs = GitRepository.read_blobs
    listing = GitRevisionSource.listing

    def listed(self: GitRevisionSource) -> Listing:
        seen.setdefault("listings", []).append(self.info.revision or "")
        return listing(self)

    def spy(
        self: GitRevisionSource, entries: Iterable[Entry]
    ) -> Iterator[tuple[Entry, bytes | None]]:
        entries = list(entries)
        seen.setdefault(self.info.revision or "", []).extend(e.path for e in entries)
        return read_many(self, entries)

    def count(self: GitRepository, oids: list[str], ahead: int = 256) -> object:
        seen.setdefault("streams", []).append(str(len(oids)))
        return read_blobs(self, oids, ahead)

    monkeypatch.setattr(GitRevisionSource, "read_many", spy)
    monkeypatch.setattr(GitRevisionSource, "listing", listed)
    monkeypatch.setattr(GitRepository, "read_blobs", count)
    return seen


def facets(snap: Snapshot, pkg: str, field: str) -> set[str]:
    return {getattr(spec, field) for spec in snap.packages[("develop", pkg)].specs}


# ---- each era on its own ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revision", "layout", "list_file"),
    [
        ("oldest", "untagged-index", "_cache/{}/index.md"),
        ("middle", "untagged-specs", "_cache/{}/specs.md"),
        ("current", "tagged", "_cache/develop/{}/specs.md"),
    ],
)
def test_each_layout_loads_as_develop(
    eras: Eras, revision: str, layout: str, list_file: str
) -> None:
    with Sources(eras.path) as sources:
        source = sources.open(revision)
        assert source.listing().layout == layout
        assert source.tags() == {"develop"}  # type: ignore[attr-defined]
        snap = load(source)
    assert snap.tags == {"develop"}
    assert set(snap.packages) == KEYS
    for (tag, name), package in snap.packages.items():
        assert (package.tag, package.name) == (tag, name)
        assert package.path == list_file.format(name)
        assert len(package.specs) == len(SAVED[name])
        assert facets(snap, name, "target") == TARGETS[name]
        assert facets(snap, name, "compiler") == COMPILERS[name]
        assert package.oid is not None
        assert package.oid.startswith("legacy:") == (layout != "tagged")
    assert facets(snap, "pkgconf", "platform") == {"linux", "darwin"}
    assert facets(snap, "zlib", "os") == {"ubuntu20.04", "rhel7"}
    if layout == "tagged":
        assert snap.problems == ()
        return
    assert all(spec.stacks == () for p in snap.packages.values() for spec in p.specs)
    assert snap.broken == frozenset()
    assert len(snap.problems) == MISSING
    by_path = {p.path: p.message for p in snap.problems}
    message = by_path["_cache/zlib/spec-1.json"]
    assert message.startswith("spec file missing (listed in " + list_file.format("zlib"))
    assert "zlib@1.2.11%gcc@7.3.0+optimize+pic+shared arch=linux-ubuntu18.04-ppc64le" in message
    assert "_cache/zlib/spec-50.json" not in by_path
    assert "_cache/pkgconf/spec-76.json" in by_path


def test_the_api_reads_every_era(eras: Eras) -> None:
    snap = api.snapshot("oldest", repo=eras.path)
    assert set(snap.packages) == KEYS
    result = api.diff("oldest", "current", repo=eras.path)
    assert result.summary.packages_added == result.summary.packages_removed == 0


def test_selection_on_an_untagged_revision(eras: Eras) -> None:
    with Sources(eras.path) as sources:
        snap = load(sources.open("middle"), Selection(tag="develop", package="z*"))
        assert set(snap.packages) == {("develop", "zlib")}
        assert len(snap.problems) == LISTED["zlib"] - len(SAVED["zlib"])
        assert all(p.path.startswith("_cache/zlib/") for p in snap.problems)
        with pytest.raises(TagNotFound):
            load(sources.open("middle"), Selection(tag="zlib"))


# ---- across eras ----------------------------------------------------------------------------


def test_oldest_to_middle_changes_no_spec(eras: Eras, reads: dict[str, list[str]]) -> None:
    """Same spec files, another list file: every package is read, none has changed."""
    with Sources(eras.path) as sources:
        old, new = load_pair(sources.open("oldest"), sources.open("middle"))
    assert set(old.packages) == set(new.packages) == KEYS
    for key in KEYS:
        assert old.packages[key].specs == new.packages[key].specs
    result = compare(old, new)
    assert result.packages == ()
    assert not result.has_differences
    assert result.summary.problems == 2 * MISSING
    # Each side read every file of every package, in one blob stream per side.
    for revision, list_name in (("oldest", "index.md"), ("middle", "specs.md")):
        expected = {f"_cache/{n}/{list_name}" for n in PACKAGES} | set(spec_tree())
        assert sorted(reads[revision]) == sorted(expected)
    assert len(reads["streams"]) == 2


def test_the_move_to_tag_folders_compares_like_with_like(eras: Eras) -> None:
    with Sources(eras.path) as sources:
        old, new = load_pair(sources.open("middle"), sources.open("current"))
        full = compare(
            *load_pair(
                sources.open("middle"),
                sources.open("current"),
                Selection(old_tag="develop", new_tag="develop"),
            )
        )
    result = compare(old, new)
    s = result.summary
    assert (s.packages_added, s.packages_removed, s.packages_changed) == (0, 0, 3)
    assert (s.specs_added, s.specs_removed, s.specs_rebuilt) == (0, 0, 0)
    # The same builds, now in the stack root (the old layouts know no stacks).
    assert s.specs_stacks_changed == sum(len(v) for v in SAVED.values())
    zlib = next(c for c in result.packages if c.name == "zlib")
    assert zlib.status is PackageStatus.CHANGED
    assert zlib.old_path == "_cache/zlib/specs.md"
    assert zlib.new_path == "_cache/develop/zlib/specs.md"
    assert dict(zlib.facets)["stacks"].added == ("root",)
    assert dict(zlib.facets)["targets"].added == dict(zlib.facets)["targets"].removed == ()
    assert full.packages == result.packages


def test_directory_source_equals_git_source(eras: Eras, tmp_path: Path) -> None:
    for revision, tree in (("oldest", oldest_tree()), ("middle", middle_tree())):
        folder = tmp_path / revision
        write_tree(folder, tree)
        with Sources(eras.path) as sources:
            from_git = load(sources.open(revision))
            from_dir = load(sources.open(str(folder)))
            listing = sources.open(str(folder)).listing()
        assert listing.layout == f"untagged-{'index' if revision == 'oldest' else 'specs'}"
        assert all(e.oid is None and e.files for e in listing.entries.values())
        assert from_dir.tags == from_git.tags == {"develop"}
        assert from_dir.packages == from_git.packages
        assert from_dir.problems == from_git.problems
        assert all(p.oid is None for p in from_dir.packages.values())
        assert not compare(from_dir, from_git).has_differences
        # A directory against a revision: nothing to skip by blob id, the same answer.
        with Sources(eras.path) as sources:
            mixed = compare(*load_pair(sources.open(str(folder)), sources.open("current")))
            pure = compare(*load_pair(sources.open(revision), sources.open("current")))
        assert mixed.packages == pure.packages


@pytest.mark.parametrize("name", ["oldest.json", "oldest.json.gz"])
def test_snapshot_file_round_trip(eras: Eras, tmp_path: Path, name: str) -> None:
    path = str(tmp_path / name)
    with Sources(eras.path) as sources:
        snap = load(sources.open("oldest"))
        snapshotfile.write(path, snap)
        reloaded = load(sources.open(path))
        assert reloaded.packages == snap.packages
        assert {k: p.oid for k, p in reloaded.packages.items()} == {
            k: p.oid for k, p in snap.packages.items()
        }
        assert sorted(reloaded.problems, key=lambda p: p.path) == sorted(
            snap.problems, key=lambda p: p.path
        )
        # Against the revision it was taken from: identical packages, skipped unread.
        old, new = load_pair(sources.open(path), sources.open("oldest"))
        assert old.packages == new.packages == {}
        from_file = compare(*load_pair(sources.open(path), sources.open("current")))
        from_git = compare(*load_pair(sources.open("oldest"), sources.open("current")))
    assert from_file.packages == from_git.packages


def test_snapshot_and_diff_commands_on_an_untagged_revision(eras: Eras, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from catalog_diff.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    saved = str(tmp_path / "oldest.json.gz")
    code, out, err = run("snapshot", "--repo", eras.path, "oldest", "-o", saved)
    assert code == 3, "the spec files the samples lack are problems"
    assert "saved 3 packages, 7 specs in 1 tag to " in err
    assert f"(and {MISSING - 1} more)" in err
    code, out, err = run("diff", "--repo", eras.path, saved, "oldest", "--format", "json")
    report = json.loads(out)
    assert report["packages"] == []
    code, out, err = run("diff", "--repo", eras.path, saved, "current", "--format", "json")
    report = json.loads(out)
    assert [(p["name"], p["status"]) for p in report["packages"]] == [
        (name, "changed") for name in PACKAGES
    ]
    summary = report["summary"]
    assert (summary["packages_added"], summary["packages_removed"]) == (0, 0)
    assert summary["specs_stacks_changed"] == 7


# ---- the tree diff between two revisions ----------------------------------------------------


class Edits:
    """The oldest layout, then one edit per commit."""

    def __init__(self, root: Path) -> None:
        self.repo = GitRepoBuilder(root)
        tree = oldest_tree()
        self.repo.write(tree)
        self.repo.commit("oldest layout", date=DATES[0])
        self.repo.tag("e0")
        rebuilt = tree[ZLIB_50].replace(ZLIB_50_HASH, b"a" * 32)
        assert rebuilt != tree[ZLIB_50]
        self.repo.write({ZLIB_50: rebuilt})
        self.repo.commit("zlib spec-50 rebuilt")
        self.repo.tag("e1")
        index = tree["_cache/pkgconf/index.md"]
        line = b' - "pkgconf@1.7.4%apple-clang@12.0.0 arch=darwin-catalina-haswell": spec-16.json\n'
        assert line in index
        self.repo.write({"_cache/pkgconf/index.md": index.replace(line, b"")})
        self.repo.commit("pkgconf no longer lists spec-16")
        self.repo.tag("e2")
        self.repo.delete(["_cache/zlib/spec-0.json"])
        self.repo.commit("zlib spec-0 gone")
        self.repo.tag("e3")

    @property
    def path(self) -> str:
        return str(self.repo.path)


@pytest.fixture(scope="module")
def edits(tmp_path_factory: pytest.TempPathFactory) -> Edits:
    return Edits(tmp_path_factory.mktemp("edits") / "catalog")


def tree_diff(path: str, old: str, new: str) -> tuple[Snapshot, Snapshot]:
    with Sources(path) as sources:
        return load_pair(sources.open(old), sources.open(new))


def through_full_listings(path: str, old: str, new: str) -> Comparison:
    """The same comparison with both revisions listed in full (no tree diff)."""
    selection = Selection(old_tag="develop", new_tag="develop")
    with Sources(path) as sources:
        return compare(*load_pair(sources.open(old), sources.open(new), selection))


@pytest.mark.parametrize("one_by_one", [16, 0])
def test_a_changed_spec_file_rereads_its_whole_package(
    edits: Edits, reads: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch, one_by_one: int
) -> None:
    # 0: the folders are found through one recursive ls-tree instead of one per folder.
    monkeypatch.setattr(gitrevision_module, "_FOLDERS_ONE_BY_ONE", one_by_one)
    old, new = tree_diff(edits.path, "e0", "e1")
    assert "listings" not in reads
    assert set(old.packages) == set(new.packages) == {("develop", "zlib")}
    assert not old.complete and not new.complete
    zlib_files = sorted(["_cache/zlib/index.md", "_cache/zlib/spec-0.json", ZLIB_50])
    assert sorted(reads["e0"]) == sorted(reads["e1"]) == zlib_files
    assert len(reads["streams"]) == 2
    assert len(old.packages[("develop", "zlib")].specs) == 2  # spec-0 was read too
    assert len(new.packages[("develop", "zlib")].specs) == 2
    result = compare(old, new)
    assert [(c.name, len(c.specs.rebuilt)) for c in result.packages] == [("zlib", 1)]
    assert result.packages == through_full_listings(edits.path, "e0", "e1").packages
    # Only zlib's own problems: the other packages were not read.
    assert {p.path.split("/")[1] for p in old.problems + new.problems} == {"zlib"}


def test_a_changed_list_file_rereads_its_unchanged_spec_files(
    edits: Edits, reads: dict[str, list[str]]
) -> None:
    old, new = tree_diff(edits.path, "e1", "e2")
    assert set(old.packages) == set(new.packages) == {("develop", "pkgconf")}
    pkgconf = sorted(p for p in oldest_tree() if p.startswith("_cache/pkgconf/"))
    assert sorted(reads["e1"]) == sorted(reads["e2"]) == pkgconf
    assert len(new.packages[("develop", "pkgconf")].specs) == 2  # spec-16 is listed no more
    result = compare(old, new)
    (change,) = result.packages
    assert change.name == "pkgconf"
    assert [s.target for s in change.specs.removed] == ["haswell"]
    assert dict(change.facets)["platforms"].removed == ("darwin",)
    assert result.packages == through_full_listings(edits.path, "e1", "e2").packages


def test_a_deleted_spec_file_is_a_problem_naming_it(edits: Edits) -> None:
    old, new = tree_diff(edits.path, "e2", "e3")
    assert set(new.packages) == {("develop", "zlib")}
    assert "_cache/zlib/spec-0.json" in {p.path for p in new.problems}
    assert "_cache/zlib/spec-0.json" not in {p.path for p in old.problems}
    result = compare(old, new)
    (change,) = result.packages
    assert (change.name, change.status, len(change.specs.removed)) == (
        "zlib",
        PackageStatus.CHANGED,
        1,
    )
    assert result.packages == through_full_listings(edits.path, "e2", "e3").packages


def test_unchanged_untagged_revisions_read_nothing(
    edits: Edits, reads: dict[str, list[str]]
) -> None:
    with Sources(edits.path) as sources:
        old, new = load_pair(sources.open("e3"), sources.open("HEAD"))
    assert old.packages == new.packages == {}
    assert old.tags == new.tags == {"develop"}
    assert reads.get("e3", []) == reads.get("HEAD", []) == []


# ---- both layouts in one tree -------------------------------------------------------------


def mixed_additions() -> dict[str, bytes]:
    """A tagged develop/zlib, and one package of another tag."""
    bc = (SAMPLES / "cache" / "v0.22.2" / "bc" / "specs.md").read_bytes()
    return {"_cache/develop/zlib/specs.md": tagged_file("zlib"), "_cache/v0.22.2/bc/specs.md": bc}


class Mixed:
    """Untagged packages, then a tagged develop/zlib beside the untagged zlib folder."""

    def __init__(self, root: Path) -> None:
        self.repo = GitRepoBuilder(root)
        tree = oldest_tree()
        self.repo.write(tree)
        self.repo.commit("untagged", date=DATES[0])
        self.repo.tag("m0")
        self.repo.write(mixed_additions())
        self.repo.commit("tagged zlib beside the untagged one")
        self.repo.tag("m1")
        self.repo.write({ZLIB_50: tree[ZLIB_50].replace(ZLIB_50_HASH, b"b" * 32)})
        self.repo.commit("the untagged zlib changes")
        self.repo.tag("m2")
        self.repo.delete([p for p in tree if p.startswith("_cache/zlib/")])
        self.repo.commit("the untagged zlib goes")
        self.repo.tag("m3")

    @property
    def path(self) -> str:
        return str(self.repo.path)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Mixed:
    return Mixed(tmp_path_factory.mktemp("mixed") / "catalog")


def test_tagged_file_wins_over_the_untagged_folder(mixed: Mixed, tmp_path: Path) -> None:
    with Sources(mixed.path) as sources:
        source = sources.open("m1")
        assert source.listing().layout == "mixed"
        assert source.tags() == {"develop", "v0.22.2"}  # type: ignore[attr-defined]
        snap = load(source)
    assert snap.tags == {"develop", "v0.22.2"}
    assert set(snap.packages) == KEYS | {("v0.22.2", "bc")}
    zlib = snap.packages[("develop", "zlib")]
    assert zlib.path == "_cache/develop/zlib/specs.md"
    assert all(spec.stacks == ("root",) for spec in zlib.specs)
    assert snap.packages[("develop", "pkgconf")].path == "_cache/pkgconf/index.md"
    # The ignored folder's missing spec files are no problem of this catalog.
    assert not any(p.path.startswith("_cache/zlib/") for p in snap.problems)
    folder = tmp_path / "m1"
    write_tree(folder, {**oldest_tree(), **mixed_additions()})
    with Sources() as sources:
        from_dir = load(sources.open(str(folder)))
    assert from_dir.packages == snap.packages
    assert from_dir.problems == snap.problems
    assert from_dir.tags == snap.tags


@pytest.mark.parametrize(("old", "new"), [("m0", "m1"), ("m1", "m0"), ("m0", "m3"), ("m3", "m0")])
def test_untagged_against_tagged_in_a_mixed_history(
    mixed: Mixed, reads: dict[str, list[str]], old: str, new: str
) -> None:
    before, after = tree_diff(mixed.path, old, new)
    assert "listings" not in reads
    # Only zlib differs in develop (pkgconf and libsigsegv are the same folders).
    assert set(before.packages) == set(after.packages) == {("develop", "zlib")}
    result = compare(before, after)
    assert result.packages == through_full_listings(mixed.path, old, new).packages
    (change,) = result.packages
    assert change.status is PackageStatus.CHANGED
    assert change.specs.stacks_changed and not (change.specs.added or change.specs.removed)
    paths = {change.old_path, change.new_path}
    assert paths == {"_cache/zlib/index.md", "_cache/develop/zlib/specs.md"}


@pytest.mark.parametrize(("old", "new"), [("m1", "m2"), ("m2", "m3"), ("m1", "m3")])
def test_changes_to_an_overruled_folder_are_not_read(
    mixed: Mixed, reads: dict[str, list[str]], old: str, new: str
) -> None:
    with Sources(mixed.path) as sources:
        before, after = load_pair(sources.open(old), sources.open(new))
    assert before.packages == after.packages == {}
    assert before.problems == after.problems == ()
    assert reads.get(old, []) == reads.get(new, []) == []
    assert not compare(before, after).has_differences


# ---- broken files ------------------------------------------------------------------------------


def test_a_broken_list_file_breaks_its_package(
    make_repo: Callable[..., GitRepoBuilder], tmp_path: Path
) -> None:
    repo = make_repo()
    tree = oldest_tree()
    repo.write(tree)
    repo.commit("good", date=DATES[0])
    index = tree["_cache/zlib/index.md"]
    repo.write({"_cache/zlib/index.md": index[: index.rindex(b"---")]})
    repo.symlink("_cache/pkgconf/spec-1.json", "spec-0.json")
    repo.commit("zlib index.md truncated, a symlinked pkgconf spec file", date=DATES[1])
    snapshot = str(tmp_path / "broken.json")
    with Sources(str(repo.path)) as sources:
        broken = load(sources.open("HEAD"))
        old, new = load_pair(sources.open("HEAD~1"), sources.open("HEAD"))
        snapshotfile.write(snapshot, broken)
        reloaded = load(sources.open(snapshot))
        from_file = compare(*load_pair(sources.open("HEAD~1"), sources.open(snapshot)))
    assert ("develop", "zlib") in broken.broken
    assert ("develop", "zlib") not in broken.packages
    by_path = {p.path: p.message for p in broken.problems}
    assert "no closing '---'" in by_path["_cache/zlib/index.md"]
    assert not any(p.startswith("_cache/zlib/spec-") for p in by_path)
    assert by_path["_cache/pkgconf/spec-1.json"] == "not a regular file (symlink or submodule)"
    assert ("develop", "pkgconf") in broken.packages
    result = compare(old, new)
    assert result.summary.packages_removed == 0
    assert [c.name for c in result.packages] == []
    # A snapshot file keeps only the problem; the package is still broken when read back.
    assert ("develop", "zlib") in reloaded.broken
    assert from_file.summary.packages_removed == 0
    assert not from_file.packages


def test_a_folder_with_both_list_files_reads_index_md(tmp_path: Path) -> None:
    tree = {**oldest_tree(), "_cache/zlib/specs.md": middle_tree()["_cache/zlib/specs.md"]}
    write_tree(tmp_path / "both", tree)
    with Sources() as sources:
        snap = load(sources.open(str(tmp_path / "both")))
    assert snap.packages[("develop", "zlib")].path == "_cache/zlib/index.md"
    by_path = {p.path: p.message for p in snap.problems}
    assert by_path["_cache/zlib/specs.md"] == "ignored: the folder also has index.md, which is read"
