"""Sources: real git repositories (built from the samples), directories and snapshot files."""

from __future__ import annotations

import gzip
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from catalog_diff.compare.pairing import compare
from catalog_diff.errors import (
    DataError,
    NotACatalog,
    NotAGitRepository,
    RevisionNotFound,
    SnapshotFileError,
    TagNotFound,
)
from catalog_diff.model.comparison import PackageStatus, Side, SpecChanges
from catalog_diff.model.snapshot import Snapshot, SourceKind
from catalog_diff.sources import snapshotfile
from catalog_diff.sources.load import Selection, Sources, load, load_pair
from checks import assert_accounted
from gitrepo import SAMPLES, GitRepoBuilder, sample_tree, write_tree

MakeRepo = Callable[..., GitRepoBuilder]
SHA = re.compile(r"^[0-9a-f]{40}$")
OLD_DATE = "2025-03-23T12:00:00+00:00"
NEW_DATE = "2025-03-30T14:00:00+02:00"
BC = "_cache/develop/bc/specs.md"
GCC = "_cache/develop/gcc/specs.md"


class Weekly:
    """A repository with develop-2025-03-23 then develop-2025-03-30 under ``_cache/develop``."""

    def __init__(self, root: Path) -> None:
        self.repo = GitRepoBuilder(root)
        self.repo.write(sample_tree("develop-2025-03-23", "develop"))
        self.old = self.repo.commit("develop 2025-03-23", date=OLD_DATE)
        self.repo.tag("week-12")
        self.repo.tag("week-12-annotated", message="the week of 2025-03-23")
        self.repo.branch("last-week")
        for path in sample_tree("develop-2025-03-23", "develop"):
            self.repo.delete([path])
        self.repo.write(sample_tree("develop-2025-03-30", "develop"))
        self.new = self.repo.commit("develop 2025-03-30", date=NEW_DATE)

    @property
    def path(self) -> str:
        return str(self.repo.path)


@pytest.fixture(scope="module")
def weekly(tmp_path_factory: pytest.TempPathFactory) -> Weekly:
    return Weekly(tmp_path_factory.mktemp("weekly") / "catalog")


def per_package_accounting(old: Snapshot, new: Snapshot) -> tuple[int, int]:
    """Check every spec of every package is accounted for; return (old, new) spec counts."""
    result = compare(old, new)
    changes = {(c.tag, c.name): c.specs for c in result.packages}
    total_old = total_new = 0
    for key in sorted(old.packages.keys() | new.packages.keys()):
        before = old.packages[key].specs if key in old.packages else ()
        after = new.packages[key].specs if key in new.packages else ()
        assert_accounted(before, after, changes.get(key, SpecChanges()))
        total_old += len(before)
        total_new += len(after)
    return total_old, total_new


def sample_spec_count(tag_dir: str) -> int:
    return sum(len(re.findall(rb'"hash": ', data)) for data in sample_tree(tag_dir).values())


# ---- (a) two commits -------------------------------------------------------------------


def test_two_commits_account_for_every_spec(weekly: Weekly) -> None:
    with Sources(weekly.path) as sources:
        old_source, new_source = sources.open("HEAD~1"), sources.open("HEAD")
        old, new = load_pair(old_source, new_source)
    assert old.info.kind is new.info.kind is SourceKind.GIT
    assert (old.info.commit, new.info.commit) == (weekly.old, weekly.new)
    assert SHA.match(old.info.commit or "")
    assert SHA.match(new.info.commit or "")
    assert (old.info.revision, new.info.revision) == ("HEAD~1", "HEAD")
    assert (old.info.date, new.info.date) == (OLD_DATE, NEW_DATE)
    new_date = datetime.fromisoformat(new.info.date or "")
    assert new_date.utcoffset() == timedelta(hours=2)
    assert new_date == datetime(2025, 3, 30, 12, tzinfo=timezone.utc)
    assert old.tags == new.tags == {"develop"}
    assert old.problems == new.problems == ()
    # No file is identical across the two weeks: everything was read.
    assert len(old.packages) == 68
    assert len(new.packages) == 72
    for key, package in new.packages.items():
        assert key == (package.tag, package.name) == ("develop", package.name)
        assert package.path == f"_cache/develop/{package.name}/specs.md"
        assert SHA.match(package.oid or ""), "git packages carry their blob id"
    total_old, total_new = per_package_accounting(old, new)
    assert total_old == sample_spec_count("develop-2025-03-23")
    assert total_new == sample_spec_count("develop-2025-03-30")
    result = compare(old, new)
    s = result.summary
    assert (s.packages_added, s.packages_removed, s.packages_changed) == (4, 0, 68)
    assert total_old == s.specs_removed + s.specs_rebuilt + s.specs_compiler_changed + (
        s.specs_version_changed
    )
    assert total_new == s.specs_added + s.specs_rebuilt + s.specs_compiler_changed + (
        s.specs_version_changed
    )
    assert (result.old.commit, result.new.commit) == (weekly.old, weekly.new)


def test_blob_ids_are_the_real_git_blob_ids(weekly: Weekly) -> None:
    with Sources(weekly.path) as sources:
        snap = load(sources.open("HEAD"))
    data = sample_tree("develop-2025-03-30", "develop")[BC]
    expected = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    assert snap.packages[("develop", "bc")].oid == expected


# ---- (b) two tags in one commit --------------------------------------------------------


@pytest.fixture(scope="module")
def two_tags(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    repo = GitRepoBuilder(tmp_path_factory.mktemp("two-tags") / "catalog")
    repo.write(sample_tree("develop-2025-03-23"))
    repo.write(sample_tree("develop-2025-03-30"))
    repo.write(sample_tree("v0.23.0"))
    repo.write(sample_tree("v0.23.1"))
    repo.commit("four tags", date=OLD_DATE)
    return repo


def test_two_tags_in_one_commit(two_tags: GitRepoBuilder) -> None:
    selection = Selection(old_tag="develop-2025-03-23", new_tag="develop-2025-03-30")
    with Sources(str(two_tags.path)) as sources:
        old, new = load_pair(sources.open("HEAD"), sources.open("HEAD"), selection)
    assert old.tags == new.tags == {"develop-2025-03-30"}
    assert len(old.packages) == 68
    assert len(new.packages) == 72
    total_old, total_new = per_package_accounting(old, new)
    assert total_old == sample_spec_count("develop-2025-03-23")
    assert total_new == sample_spec_count("develop-2025-03-30")
    result = compare(old, new, old_tag=selection.old_tag, new_tag=selection.new_tag)
    assert {c.name for c in result.packages if c.status is PackageStatus.ADDED} == {
        "compiler-wrapper",
        "embree",
        "qwt",
        "sensei",
    }
    gcc = next(c for c in result.packages if c.name == "gcc")
    assert gcc.old_path == "_cache/develop-2025-03-23/gcc/specs.md"
    assert gcc.new_path == "_cache/develop-2025-03-30/gcc/specs.md"


def test_release_tags_in_one_commit(two_tags: GitRepoBuilder) -> None:
    selection = Selection(old_tag="v0.23.0", new_tag="v0.23.1")
    with Sources(str(two_tags.path)) as sources:
        old, new = load_pair(sources.open("HEAD"), sources.open("HEAD"), selection)
    result = compare(old, new, old_tag="v0.23.0", new_tag="v0.23.1")
    assert [c.name for c in result.packages] == ["gotcha", "libquo", "zfp"]
    assert result.summary.specs_removed == 3


def test_selection_by_tag_and_package(two_tags: GitRepoBuilder) -> None:
    with Sources(str(two_tags.path)) as sources:
        snap = load(sources.open("HEAD"), Selection(tag="v0.23.1", package="c*"))
    assert snap.tags == {"v0.23.1"}
    assert sorted(name for _, name in snap.packages) == [
        "cairo",
        "callpath",
        "care",
        "ccache",
        "cpio",
        "cppcheck",
        "cuda",
        "cudnn",
        "cusz",
    ]


def test_unknown_tag(two_tags: GitRepoBuilder) -> None:
    with Sources(str(two_tags.path)) as sources, pytest.raises(TagNotFound) as info:
        load_pair(
            sources.open("HEAD"),
            sources.open("HEAD"),
            Selection(old_tag="v0.23.0", new_tag="v9.9.9"),
        )
    assert "v9.9.9" in str(info.value)


# ---- (c) revisions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("revision", "which"),
    [
        ("HEAD", "new"),
        ("main", "new"),
        ("HEAD~1", "old"),
        ("HEAD^", "old"),
        ("main~1", "old"),
        ("last-week", "old"),
        ("week-12", "old"),
        ("week-12-annotated", "old"),
        ("refs/tags/week-12", "old"),
        ("FULL", "old"),
        ("SHORT", "old"),
        ("FULL-NEW", "new"),
    ],
)
def test_revisions_of_every_kind(weekly: Weekly, revision: str, which: str) -> None:
    expected = weekly.old if which == "old" else weekly.new
    revision = {"FULL": weekly.old, "SHORT": weekly.old[:9], "FULL-NEW": weekly.new}.get(
        revision, revision
    )
    with Sources(weekly.path) as sources:
        source = sources.open(revision)
        assert source.info.commit == expected
        assert source.info.revision == revision
        assert source.info.date == (OLD_DATE if which == "old" else NEW_DATE)
        snap = load(source, Selection(package="bc"))
    assert list(snap.packages) == [("develop", "bc")]
    tag_dir = "develop-2025-03-23" if which == "old" else "develop-2025-03-30"
    assert len(snap.packages[("develop", "bc")].specs) == sample_tree(tag_dir)[
        f"_cache/{tag_dir}/bc/specs.md"
    ].count(b'"hash": ')


@pytest.mark.parametrize(
    "revision", ["no-such-branch", "HEAD~5", "0" * 40, "deadbeef", "HEAD:" + BC, "HEAD^{tree}"]
)
def test_unknown_or_non_commit_revision(weekly: Weekly, revision: str) -> None:
    with Sources(weekly.path) as sources, pytest.raises(RevisionNotFound) as info:
        sources.open(revision)
    assert revision in str(info.value)
    assert info.value.revision == revision


@pytest.mark.parametrize(
    "template", ["--output={out}", "-n", "--all", "-", "--git-dir={out}", "--end-of-options"]
)
def test_revisions_that_look_like_options_never_reach_git_as_options(
    weekly: Weekly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template: str
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "x"
    revision = template.format(out=out)
    with Sources(weekly.path) as sources, pytest.raises(DataError) as info:
        sources.open(revision)
    assert isinstance(info.value, RevisionNotFound)
    assert "begins with '-'" in str(info.value)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "revision", ["HEAD:../../etc/passwd", "HEAD:/etc/passwd", "HEAD~1:../../../etc/passwd"]
)
def test_path_escape_revision_is_an_error(
    weekly: Weekly, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, revision: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with Sources(weekly.path) as sources, pytest.raises(RevisionNotFound):
        sources.open(revision)


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with Sources(str(plain)) as sources, pytest.raises(NotAGitRepository) as info:
        sources.open("HEAD")
    assert str(plain) in str(info.value)
    with Sources(str(tmp_path / "missing")) as sources, pytest.raises(NotAGitRepository):
        sources.open("HEAD")


def test_commit_without_cache_is_not_a_catalog(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.write({"README.md": b"# not a catalog\n", "_data/tags.yaml": b"- name: develop\n"})
    repo.commit("no _cache")
    repo.write(sample_tree("v0.22.2"))
    repo.commit("now a catalog")
    with Sources(str(repo.path)) as sources:
        with pytest.raises(NotACatalog) as info:
            load(sources.open("HEAD~1"))
        assert "HEAD~1" in str(info.value)
        with pytest.raises(NotACatalog):
            load_pair(sources.open("HEAD~1"), sources.open("HEAD"))
        with pytest.raises(NotACatalog):
            load_pair(sources.open("HEAD"), sources.open("HEAD~1"))


@pytest.mark.parametrize(
    ("layout", "list_file"), [("specs-md-flat", "specs.md"), ("index-md", "index.md")]
)
def test_legacy_layout_is_read(make_repo: MakeRepo, layout: str, list_file: str) -> None:
    """An older layout is read as packages of the tag develop (more in test_legacy_sources)."""
    repo = make_repo()
    legacy = SAMPLES / "legacy" / layout
    repo.write(
        {p.relative_to(legacy).as_posix(): p.read_bytes() for p in legacy.rglob("*") if p.is_file()}
    )
    repo.commit("legacy")
    repo.delete([p.relative_to(legacy).as_posix() for p in legacy.rglob("*") if p.is_file()])
    repo.write(sample_tree("v0.22.2"))
    repo.commit("current layout")
    expected = {("develop", name) for name in ("libsigsegv", "pkgconf", "zlib")}
    with Sources(str(repo.path)) as sources:
        old = load(sources.open("HEAD~1"))
        assert old.tags == {"develop"}
        assert set(old.packages) == expected
        assert {p.path for p in old.packages.values()} == {
            f"_cache/{name}/{list_file}" for _, name in expected
        }
        before, after = load_pair(sources.open("HEAD~1"), sources.open("HEAD"))
    result = compare(before, after)
    # No tag in common: develop is counted as removed (the spec files its list files
    # name: 54 + 61 + 77), v0.22.2 as added.
    assert [(t.tag, t.packages, t.specs) for t in result.tags_removed] == [("develop", 3, 192)]
    assert [t.tag for t in result.tags_added] == ["v0.22.2"]
    # The same tree as a directory is read the same way.
    with Sources() as sources:
        from_dir = load(sources.open(str(legacy)))
    assert from_dir.packages == old.packages
    assert from_dir.problems == old.problems


# ---- (d) identical files are not parsed ------------------------------------------------


@pytest.fixture
def one_change(make_repo: MakeRepo) -> GitRepoBuilder:
    """develop-03-23 under _cache/develop, then a commit that changes bc only.

    A broken file sits unchanged in both commits: since it is identical on both sides it
    is never read, so it shows up nowhere.
    """
    repo = make_repo()
    repo.write(sample_tree("develop-2025-03-23", "develop"))
    repo.write({"_cache/develop/zz-broken/specs.md": b"---\ntitle: broken\n"})
    repo.commit("week 1", date=OLD_DATE)
    repo.write({BC: sample_tree("develop-2025-03-30", "develop")[BC]})
    repo.commit("bc only", date=NEW_DATE)
    return repo


def test_files_identical_on_both_sides_are_not_parsed(one_change: GitRepoBuilder) -> None:
    with Sources(str(one_change.path)) as sources:
        old, new = load_pair(sources.open("HEAD~1"), sources.open("HEAD"))
    assert list(old.packages) == list(new.packages) == [("develop", "bc")]
    assert old.complete is False
    assert new.complete is False
    assert old.problems == new.problems == ()
    assert old.tags == new.tags == {"develop"}
    result = compare(old, new)
    assert [(c.name, c.status) for c in result.packages] == [("bc", PackageStatus.CHANGED)]
    # A whole load does read (and report) everything.
    with Sources(str(one_change.path)) as sources:
        whole = load(sources.open("HEAD"))
    assert whole.complete is True
    assert len(whole.packages) == 68
    assert [p.path for p in whole.problems] == ["_cache/develop/zz-broken/specs.md"]


def test_identical_files_are_skipped_by_blob_id_across_repositories_too(
    one_change: GitRepoBuilder,
) -> None:
    """Sides from different sources fall back to listing both and comparing blob ids."""
    with Sources(str(one_change.path)) as sources:
        snap = load(sources.open("HEAD~1"))
    snapshot_path = one_change.path.parent / "week1.json"
    snapshotfile.write(str(snapshot_path), snap)
    with Sources(str(one_change.path)) as sources:
        old, new = load_pair(sources.open(str(snapshot_path)), sources.open("HEAD"))
    assert list(new.packages) == [("develop", "bc")]
    assert new.complete is False
    result = compare(old, new)
    assert [c.name for c in result.packages] == ["bc"]


# ---- (e) a broken file ------------------------------------------------------------------


def test_broken_file_on_the_new_side(make_repo: MakeRepo) -> None:
    repo = make_repo()
    week1 = sample_tree("develop-2025-03-23", "develop")
    week2 = sample_tree("develop-2025-03-30", "develop")
    repo.write(week1)
    repo.commit("week 1", date=OLD_DATE)
    truncated = week2[BC][: week2[BC].index(b"spec_details")]
    repo.write({BC: truncated, GCC: week2[GCC]})
    repo.commit("bc truncated, gcc updated", date=NEW_DATE)
    with Sources(str(repo.path)) as sources:
        old, new = load_pair(sources.open("HEAD~1"), sources.open("HEAD"))
    (problem,) = new.problems
    assert problem.path == BC
    assert "no closing '---'" in problem.message
    assert ("develop", "bc") in new.broken
    assert ("develop", "bc") not in new.packages
    assert ("develop", "gcc") in new.packages
    assert old.problems == ()
    result = compare(old, new)
    assert [(c.name, c.status) for c in result.packages] == [("gcc", PackageStatus.CHANGED)]
    (record,) = result.problems
    assert record.side is Side.NEW
    assert record.path == BC
    assert (record.revision, record.commit) == ("HEAD", new.info.commit)
    assert "no closing '---'" in record.message
    assert result.summary.problems == 1
    assert result.summary.packages_removed == 0
    # And the same on the other side, swapping the revisions.
    with Sources(str(repo.path)) as sources:
        old2, new2 = load_pair(sources.open("HEAD"), sources.open("HEAD~1"))
    result2 = compare(old2, new2)
    assert [(c.name, c.status) for c in result2.packages] == [("gcc", PackageStatus.CHANGED)]
    assert [r.side for r in result2.problems] == [Side.OLD]
    assert result2.summary.packages_added == 0


# ---- (f) read-only ----------------------------------------------------------------------


def _state(repo: GitRepoBuilder) -> dict[str, object]:
    git_dir = repo.path / ".git"
    files = {
        p.relative_to(git_dir).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(git_dir.rglob("*"))
        if p.is_file()
    }
    return {
        "status": repo.git("--no-optional-locks", "status", "--porcelain", "--ignored"),
        "head": (git_dir / "HEAD").read_bytes(),
        "refs": repo.git(
            "--no-optional-locks", "for-each-ref", "--format=%(refname) %(objectname)"
        ),
        "config": (git_dir / "config").read_bytes(),
        "index_mtime": (git_dir / "index").stat().st_mtime_ns,
        "git_files": files,
        "worktree": sorted(
            p.relative_to(repo.path).as_posix()
            for p in repo.path.rglob("*")
            if ".git" not in p.relative_to(repo.path).parts
        ),
    }


def test_the_repository_is_never_written(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo()
    repo.write(sample_tree("develop-2025-03-23", "develop"))
    repo.commit("week 1", date=OLD_DATE)
    repo.tag("week-1", message="annotated")
    repo.write(sample_tree("develop-2025-03-30", "develop"))
    repo.write({BC: b"---\ntruncated"})
    repo.commit("week 2", date=NEW_DATE)
    repo.symlink("_cache/develop/linked/specs.md", "../bc/specs.md")
    repo.commit("a symlink", date=NEW_DATE)
    # Leave the work tree dirty too: a modified file and an untracked one.
    repo.write({GCC: b"local edit", "_cache/develop/untracked/specs.md": b"new"})
    before = _state(repo)
    assert before["status"]
    with Sources(str(repo.path)) as sources:
        for revision in ("HEAD", "HEAD~1", "HEAD~2", "week-1", "main", repo.rev_parse("HEAD")[:7]):
            load(sources.open(revision))
        load_pair(sources.open("HEAD~2"), sources.open("HEAD"))
        load_pair(
            sources.open("HEAD"),
            sources.open("HEAD"),
            Selection(old_tag="develop", new_tag="develop"),
        )
        for bad in ("nope", "-n", "--output=x", "HEAD:../../etc/passwd"):
            with pytest.raises(DataError):
                sources.open(bad)
        snapshotfile.write(str(tmp_path / "snap.json.gz"), load(sources.open("HEAD")))
        load(sources.open(str(repo.path)))  # the work tree as a directory source
    assert _state(repo) == before


# ---- (g) directory source == git source ----------------------------------------------


def test_directory_source_equals_git_source(weekly: Weekly, tmp_path: Path) -> None:
    with Sources(weekly.path) as sources:
        from_git = load(sources.open("HEAD"))
        from_work_tree = load(sources.open(weekly.path))
    plain = tmp_path / "plain"
    write_tree(plain, sample_tree("develop-2025-03-30", "develop"))
    with Sources() as sources:
        from_dir = load(sources.open(str(plain)))
    assert from_dir.info.kind is SourceKind.DIRECTORY
    for other in (from_dir, from_work_tree):
        assert other.tags == from_git.tags
        assert other.packages == from_git.packages
        assert other.problems == ()
        for key, package in other.packages.items():
            assert package.meta == from_git.packages[key].meta
            assert package.oid is None
        assert not compare(from_git, other).has_differences
        assert not compare(other, from_git).has_differences


def test_directory_source_missing_cache(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with Sources() as sources, pytest.raises(NotACatalog):
        load(sources.open(str(tmp_path / "empty")))


def test_directory_and_git_pair_compare_like_two_commits(weekly: Weekly, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    write_tree(plain, sample_tree("develop-2025-03-23", "develop"))
    with Sources(weekly.path) as sources:
        old, new = load_pair(sources.open(str(plain)), sources.open("HEAD"))
        git_old, git_new = load_pair(sources.open("HEAD~1"), sources.open("HEAD"))
    assert compare(old, new).packages == compare(git_old, git_new).packages


# ---- (h) snapshot files ----------------------------------------------------------------


@pytest.fixture(scope="module")
def head_snapshot(weekly: Weekly) -> Snapshot:
    with Sources(weekly.path) as sources:
        return load(sources.open("HEAD"))


@pytest.mark.parametrize("name", ["snap.json", "snap.json.gz"])
def test_snapshot_file_round_trip(
    head_snapshot: Snapshot, weekly: Weekly, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    snapshotfile.write(str(path), head_snapshot)
    first = path.read_bytes()
    assert first.startswith(b"\x1f\x8b") == name.endswith(".gz")
    snapshotfile.write(str(path), head_snapshot)
    assert path.read_bytes() == first, "the same snapshot always gives the same bytes"
    with Sources(weekly.path) as sources:
        source = sources.open(str(path))
        reloaded = load(source)
        assert source.info.kind is SourceKind.SNAPSHOT
        assert reloaded.info.commit == weekly.new
        assert reloaded.info.date == NEW_DATE
        assert reloaded.info.revision == "HEAD"
        assert reloaded.tags == head_snapshot.tags
        assert reloaded.packages == head_snapshot.packages
        assert {k: p.oid for k, p in reloaded.packages.items()} == {
            k: p.oid for k, p in head_snapshot.packages.items()
        }
        # Compared with a revision, a snapshot file behaves like that revision.
        from_file = compare(*load_pair(sources.open("HEAD~1"), sources.open(str(path))))
        from_git = compare(*load_pair(sources.open("HEAD~1"), sources.open("HEAD")))
        assert from_file.packages == from_git.packages
        assert not compare(*load_pair(sources.open("HEAD"), sources.open(str(path)))).packages


def test_snapshot_files_do_not_depend_on_when_they_are_written(
    head_snapshot: Snapshot, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.json.gz", tmp_path / "b" / "a.json.gz"
    b.parent.mkdir()
    snapshotfile.write(str(a), head_snapshot)
    snapshotfile.write(str(b), head_snapshot)
    assert a.read_bytes() == b.read_bytes()
    assert gzip.decompress(a.read_bytes()) == snapshotfile.dumps(head_snapshot)


def test_a_snapshot_write_that_fails_half_way_leaves_the_file_as_it_was(
    head_snapshot: Snapshot, tmp_path: Path
) -> None:
    """Written beside the file and renamed at the end: a failure (here a spec value JSON
    cannot hold, met in the last package) leaves the previous snapshot, and no stray
    partial file; /dev/null and the like are written in place."""
    path = tmp_path / "snap.json"
    snapshotfile.write(str(path), head_snapshot)
    before = path.read_bytes()
    last = max(head_snapshot.packages)
    package = head_snapshot.packages[last]
    bad_spec = replace(package.specs[0], versions=(object(),))  # type: ignore[arg-type]
    bad = replace(
        head_snapshot,
        packages={**head_snapshot.packages, last: replace(package, specs=(bad_spec,))},
    )
    for target in (path, tmp_path / "new.json.gz"):
        with pytest.raises(TypeError):
            snapshotfile.write(str(target), bad)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.json"]
    snapshotfile.write(os.devnull, head_snapshot)  # not replaced by a regular file
    assert not Path(os.devnull).is_file()


def test_snapshot_round_trip_keeps_broken_packages_broken(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    repo = make_repo()
    tree = sample_tree("v0.22.2")
    good_bc = tree["_cache/v0.22.2/bc/specs.md"]
    tree["_cache/v0.22.2/bc/specs.md"] = good_bc[:100]
    repo.write(tree)
    repo.commit("bc broken")
    repo.write({"_cache/v0.22.2/bc/specs.md": good_bc})
    repo.commit("bc fixed")
    path = tmp_path / "broken.json"
    with Sources(str(repo.path)) as sources:
        broken = load(sources.open("HEAD~1"))
        assert ("v0.22.2", "bc") in broken.broken
        snapshotfile.write(str(path), broken)
        reloaded = load(sources.open(str(path)))
        assert [p.path for p in reloaded.problems] == ["_cache/v0.22.2/bc/specs.md"]
        assert ("v0.22.2", "bc") in reloaded.broken
        result = compare(*load_pair(sources.open(str(path)), sources.open("HEAD")))
    # Not "added": the old side could not be read, which is a problem, not a change.
    assert result.packages == ()
    assert [(r.side, r.path) for r in result.problems] == [(Side.OLD, "_cache/v0.22.2/bc/specs.md")]


def _valid_doc(head_snapshot: Snapshot) -> bytes:
    return snapshotfile.dumps(head_snapshot)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json at all",
        b"[1, 2, 3]",
        b'{"hello": "world"}',
        b'{"format": "something else", "version": 1}',
        b'{"format": "catalog-diff snapshot", "version": 99}',
        b'{"format": "catalog-diff snapshot", "version": 1}',
        b'{"format": "catalog-diff snapshot", "version": 1, "source": {}, "tags": "x",'
        b' "packages": []}',
        b'{"format": "catalog-diff snapshot", "version": 1, "source": {}, "tags": [],'
        b' "packages": {}}',
        b'{"format": "catalog-diff snapshot", "version": 1, "source": {}, "tags": [],'
        b' "packages": [{"tag": "t", "name": "p"}]}',
        b'{"format": "catalog-diff snapshot", "version": 1, "source": {}, "tags": [],'
        b' "packages": [{"tag": "t", "name": "p", "path": "x", "specs": [{"hash": 1}]}]}',
        b'{"format": "catalog-diff snapshot", "version": 1, "source": {}, "tags": [],'
        b' "problems": [{"path": 1}], "packages": []}',
        b"\x1f\x8b",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xffgarbage-garbage-garbage",
        gzip.compress(b"not json", mtime=0),
        gzip.compress(b'{"format": "catalog-diff snapshot", "version": 1}', mtime=0)[:-6],
    ],
)
def test_corrupt_or_foreign_snapshot_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with Sources(str(tmp_path)) as sources, pytest.raises(SnapshotFileError) as info:
        load(sources.open(str(path)))
    assert str(path) in str(info.value)


def test_snapshot_with_a_repeated_package(head_snapshot: Snapshot, tmp_path: Path) -> None:
    lines = snapshotfile.dumps(head_snapshot).split(b"\n")
    package_line = lines[1]
    path = tmp_path / "twice.json"
    path.write_bytes(b"\n".join([lines[0], package_line, *lines[1:]]))
    with Sources() as sources, pytest.raises(SnapshotFileError, match="repeats"):
        load(sources.open(str(path)))


# ---- symlinks --------------------------------------------------------------------------


def test_symlink_at_a_package_path_is_a_problem(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.write(sample_tree("v0.22.2"))
    repo.commit("plain")
    repo.symlink("_cache/v0.22.2/linked/specs.md", "../bc/specs.md")
    repo.symlink("_cache/v0.22.2/outside/specs.md", "/etc/passwd")
    repo.commit("symlinks")
    mode = repo.git("ls-tree", "HEAD", "--", "_cache/v0.22.2/linked/specs.md").split()[0]
    assert mode == "120000"
    with Sources(str(repo.path)) as sources:
        snap = load(sources.open("HEAD"))
        old, new = load_pair(sources.open("HEAD~1"), sources.open("HEAD"))
    for s in (snap, new):
        assert sorted(p.path for p in s.problems) == [
            "_cache/v0.22.2/linked/specs.md",
            "_cache/v0.22.2/outside/specs.md",
        ]
        assert {("v0.22.2", "linked"), ("v0.22.2", "outside")} <= s.broken
    assert len(snap.packages) == 6
    result = compare(old, new)
    assert result.packages == ()
    assert len(result.problems) == 2
    # The work tree holds the same symlinks: a directory source reports them the same way.
    with Sources() as sources:
        from_dir = load(sources.open(str(repo.path)))
    assert sorted(p.path for p in from_dir.problems) == sorted(p.path for p in snap.problems)
    assert from_dir.packages == snap.packages


def test_two_revisions_of_one_repository_are_compared_through_a_tree_diff(
    tmp_path: Path,
) -> None:
    """The fast path is a typed capability: a revision source is :class:`TreeDiffing`, and
    a comparison of two revisions lists only what the tree diff names. The tree of a
    package folder that is the same on both sides is deleted from the repository: the
    tree diff never opens it, while listing the whole catalog would."""
    from catalog_diff.errors import CatalogDiffError
    from catalog_diff.sources.directory import DirectorySource
    from catalog_diff.sources.listing import TagListing, TreeDiffing, TreeListing
    from catalog_diff.sources.revision import GitRevisionSource

    repo = GitRepoBuilder(tmp_path / "catalog")
    same = sample_tree("v0.22.2", "kept")
    repo.write({**same, **sample_tree("develop-2025-03-23", "develop")})
    repo.commit("old", date=OLD_DATE)
    repo.write(sample_tree("develop-2025-03-30", "develop"))
    repo.commit("new", date=NEW_DATE)
    folder = sorted(same)[0].rsplit("/", 1)[0]
    oid = repo.rev_parse(f"HEAD:{folder}")
    (repo.path / ".git" / "objects" / oid[:2] / oid[2:]).unlink()

    with Sources(str(repo.path)) as sources:
        old, new = sources.open("HEAD~1"), sources.open("HEAD")
        assert isinstance(old, GitRevisionSource)
        for capability in (TreeDiffing, TagListing, TreeListing):
            assert isinstance(old, capability)
        assert not isinstance(DirectorySource(str(tmp_path)), TreeDiffing)
        before, after = load_pair(old, new)
        assert not before.problems and not after.problems
        assert before.packages and after.packages
        assert not any(tag == "kept" for tag, _ in {**before.packages, **after.packages})
        with pytest.raises(CatalogDiffError):  # listing it whole reads the deleted tree
            load_pair(old, new, full=True)
