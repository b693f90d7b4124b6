"""What cannot be read is a located problem in every source and command, never a package
that is absent (issue 10, item 2).

Directory sources: files that disappear or are replaced between the listing and the read,
links put in place of folders meanwhile, FIFOs never opened, and the depth bound. Folders
that cannot be listed: the packages of an unlisted tag folder are problems on that side,
and the tag is neither added nor removed, through snapshot files and release notes too.
The history index: a symlink or a submodule where ``_cache``, a tag folder or a package
folder should be records its packages unreadable, never removed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff import api
from catalog_diff.cli import main
from catalog_diff.compare.pairing import compare
from catalog_diff.release.notes import build as build_notes
from catalog_diff.sources import snapshotfile
from catalog_diff.sources.directory import MAX_DEPTH, DirectorySource
from catalog_diff.sources.listing import Unreadable
from catalog_diff.sources.load import Sources, _build, load, load_pair
from gitrepo import GitRepoBuilder, sample_tree, write_tree

WEEK = "develop-2025-03-30"
OLD_WEEK = "develop-2025-03-23"
BC = f"_cache/{WEEK}/bc/specs.md"
TAG = "develop-2025-04-06"  # a second tag folder, the one made unreadable


def _catalog(root: Path) -> DirectorySource:
    write_tree(root, sample_tree(WEEK))
    return DirectorySource(str(root))


def _read_after(source: DirectorySource, change: object) -> bytes | Unreadable | None:
    """List the catalog, let ``change`` happen, then read bc as listed."""
    entry = source.listing().entries[(WEEK, "bc")]
    change()  # type: ignore[operator]
    ((_, data),) = list(source.read_many([entry]))
    return data


# ---- directories: what changes between the listing and the read -------------------------


def test_a_file_that_disappears_after_the_listing_is_a_problem_not_a_removal(
    tmp_path: Path,
) -> None:
    source = _catalog(tmp_path)
    listing = source.listing()
    (tmp_path / BC).unlink()
    snap = _build(source, listing, None)
    assert [(p.path, p.message) for p in snap.problems] == [
        (BC, "disappeared while the catalog was read")
    ]
    assert (WEEK, "bc") in snap.broken and (WEEK, "bc") not in snap.packages
    before = load(_catalog(tmp_path / "before"))
    result = compare(before, snap)
    assert [p.name for p in result.packages] == []  # bc is not "removed"
    assert result.summary.packages_removed == 0 and result.summary.problems == 1


def test_a_file_replaced_by_a_symlink_after_the_listing_is_not_followed(tmp_path: Path) -> None:
    source = _catalog(tmp_path)
    secret = tmp_path / "secret.md"
    secret.write_bytes((tmp_path / f"_cache/{WEEK}/cmake/specs.md").read_bytes())

    def swap() -> None:
        (tmp_path / BC).unlink()
        (tmp_path / BC).symlink_to(secret)

    data = _read_after(source, swap)
    assert isinstance(data, Unreadable)
    assert data.reason == "replaced while the catalog was read (now: symlink; not read)"


def test_a_file_replaced_by_another_file_after_the_listing_is_a_problem(tmp_path: Path) -> None:
    source = _catalog(tmp_path)

    def replace() -> None:
        other = tmp_path / "other.md"
        other.write_bytes((tmp_path / BC).read_bytes())
        other.replace(tmp_path / BC)  # same bytes, another file

    data = _read_after(source, replace)
    assert isinstance(data, Unreadable)
    assert data.reason == "replaced while the catalog was read"


def test_a_folder_replaced_by_a_symlink_after_the_listing_is_not_followed(
    tmp_path: Path,
) -> None:
    source = _catalog(tmp_path)
    elsewhere = tmp_path / "elsewhere"

    def swap() -> None:
        (tmp_path / f"_cache/{WEEK}/bc").rename(elsewhere)
        (tmp_path / f"_cache/{WEEK}/bc").symlink_to(elsewhere)

    data = _read_after(source, swap)
    assert isinstance(data, Unreadable)
    assert data.reason == "replaced while the catalog was read (not followed)"


def test_a_file_replaced_by_a_fifo_is_never_opened(tmp_path: Path) -> None:
    """In a child process with a timeout: opening the FIFO to read would wait forever."""
    _catalog(tmp_path)
    script = f"""
import os, sys
from catalog_diff.sources.directory import DirectorySource
source = DirectorySource({str(tmp_path)!r})
entry = source.listing().entries[({WEEK!r}, "bc")]
os.unlink({str(tmp_path / BC)!r})
os.mkfifo({str(tmp_path / BC)!r})
((_, data),) = list(source.read_many([entry]))
print(data.reason)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "replaced while the catalog was read (now: fifo; not read)\n"


def test_folders_nested_too_deep_are_a_finding_not_a_crash(tmp_path: Path) -> None:
    _catalog(tmp_path)
    deep = tmp_path / "_cache" / WEEK / "bc" / "/".join(["d"] * (MAX_DEPTH + 2))
    deep.mkdir(parents=True)
    snap = api.snapshot(str(tmp_path))
    assert not snap.problems and len(snap.packages) == 72  # no package lies that deep
    report = api.lint(str(tmp_path))
    (finding,) = report.unreadable
    assert finding.message == f"nested too deep (over {MAX_DEPTH} folders)"
    assert finding.path is not None and finding.path.startswith(f"_cache/{WEEK}/bc/d/d/")


def test_a_symlinked_tags_yaml_is_unreadable_in_a_directory_and_a_revision(
    tmp_path: Path,
) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree(WEEK) | {"_data/real.yaml": f"- name: {WEEK}\n".encode()})
    repo.symlink("_data/tags.yaml", "real.yaml")
    repo.commit("tags.yaml is a link")
    for source in ("HEAD", str(repo.path)):
        report = api.lint(source, repo=str(repo.path))
        assert [(f.path, f.message) for f in report.unreadable] == [
            ("_data/tags.yaml", "not a regular file (symlink or submodule)")
        ], source
        assert not report.tags_yaml


# ---- a tag folder that cannot be listed ------------------------------------------------


@pytest.fixture
def linked_tag(make_repo: object) -> GitRepoBuilder:
    """HEAD~1: two tag folders; HEAD: the second one is a symlink to a folder elsewhere."""
    repo: GitRepoBuilder = make_repo()  # type: ignore[operator]
    repo.write(sample_tree(OLD_WEEK, as_tag="develop") | sample_tree(OLD_WEEK, as_tag=TAG))
    repo.commit("two tags", date="2025-03-23T06:00:00+00:00")
    repo.write(sample_tree(WEEK, as_tag="develop"))
    moved = sample_tree(OLD_WEEK, as_tag=TAG)
    repo.delete(moved)
    repo.write({path.replace("_cache", "moved", 1): data for path, data in moved.items()})
    shutil.rmtree(repo.path / "_cache" / TAG)
    repo.symlink(f"_cache/{TAG}", f"../moved/{TAG}")
    repo.commit("the second tag folder is a link", date="2025-03-30T06:00:00+00:00")
    return repo


def _empty_dirs(root: Path) -> None:
    for folder in sorted(root.rglob("*"), key=lambda p: -len(p.parts)):
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()


def test_an_unlisted_tag_folder_hides_its_packages_in_every_kind_of_diff(
    linked_tag: GitRepoBuilder, tmp_path: Path
) -> None:
    repo = str(linked_tag.path)
    with Sources(repo) as sources:
        tree_diff = compare(*load_pair(sources.open("HEAD~1"), sources.open("HEAD")))
        full = compare(*load_pair(sources.open("HEAD~1"), sources.open("HEAD"), full=True))
        new = load(sources.open("HEAD"))
    assert new.unlisted_tags == {TAG} and TAG not in new.tags
    saved = tmp_path / "head.json"
    snapshotfile.write(str(saved), new)
    doc = json.loads(saved.read_bytes())
    assert doc["unlisted_tags"] == [TAG]
    assert doc["problems"] == [
        {"path": f"_cache/{TAG}", "message": "not a regular folder (symlink or submodule)"}
    ]
    from_file = api.diff("HEAD~1", str(saved), repo=repo)
    for result in (tree_diff, full, from_file):
        assert [t.tag for t in result.tags_removed] == []
        assert [t.tag for t in result.tags_added] == []
        assert not [p for p in result.packages if p.tag == TAG]  # neither removed nor changed
        assert [(p.side.value, p.path) for p in result.problems] == [("new", f"_cache/{TAG}")]
        assert {p.name for p in result.packages} == {
            p.name for p in tree_diff.packages
        }  # the other tag's changes are all there
        assert result.packages


def test_release_notes_of_an_unlisted_tag_add_and_remove_nothing(
    linked_tag: GitRepoBuilder,
) -> None:
    repo = str(linked_tag.path)
    notes = api.release_notes("HEAD~1", "HEAD", repo=repo, tag=TAG)
    assert notes.highlights.packages_added == notes.highlights.packages_removed == 0
    assert notes.new_packages == () and notes.removed_packages == ()
    assert [(p.side, p.path) for p in notes.problems] == [("new", f"_cache/{TAG}")]
    result = CliRunner().invoke(
        main, ["release-notes", "--repo", repo, "--tag", TAG, "HEAD~1", "HEAD"]
    )
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(f"catalog-diff: error: new HEAD: _cache/{TAG}: ")
    with Sources(repo) as sources:  # the library's own call, on two snapshots
        before = load(sources.open("HEAD~1"), api.Selection(tag=TAG))
        after = load(sources.open("HEAD"), api.Selection(tag=TAG))
    assert build_notes(before, after).highlights.packages_removed == 0


def test_show_and_snapshot_of_an_unlisted_tag_folder(linked_tag: GitRepoBuilder) -> None:
    repo = str(linked_tag.path)
    state = api.show("HEAD", repo=repo, selection=api.Selection(tag=TAG))
    assert state.packages == ()
    assert [(p.path, p.message) for p in state.problems] == [
        (f"_cache/{TAG}", "not a regular folder (symlink or submodule)")
    ]
    result = CliRunner().invoke(main, ["show", "--repo", repo, "--tag", TAG, "HEAD"])
    assert result.exit_code == 3 and f"_cache/{TAG}" in result.stdout


def test_an_unlistable_tag_folder_in_a_directory(tmp_path: Path) -> None:
    """Listed by a process without the capabilities that let root ignore mode 000."""
    for side, tag_dir in (("old", OLD_WEEK), ("new", WEEK)):
        files = sample_tree(tag_dir, as_tag="develop") | sample_tree(tag_dir, as_tag=TAG)
        write_tree(tmp_path / side, files)
    locked = tmp_path / "new" / "_cache" / TAG
    locked.chmod(0)
    try:
        from test_corpus import run

        code, out, err = run(
            ["diff", "--format", "json", str(tmp_path / "old"), str(tmp_path / "new")],
            "unprivileged",
            tmp_path,
        )
    finally:
        locked.chmod(0o755)
    assert code == 3, err
    report = json.loads(out)
    assert [(p["path"], p["message"]) for p in report["problems"]] == [
        (f"_cache/{TAG}", "cannot be listed: Permission denied")
    ]
    assert report["tags"]["removed"] == [] and report["tags"]["added"] == []
    assert {p["tag"] for p in report["packages"]} == {"develop"}


# ---- the history index -------------------------------------------------------------------


def _index(repo: GitRepoBuilder, tmp_path: Path) -> object:
    opened, _ = api.open_index(repo=str(repo.path), index=str(tmp_path / "index.db"))
    return opened


def test_the_index_records_packages_behind_a_link_unreadable_never_removed(
    make_repo: object, tmp_path: Path
) -> None:
    repo: GitRepoBuilder = make_repo()  # type: ignore[operator]
    files = sample_tree(OLD_WEEK, as_tag="develop")
    repo.write(files)
    repo.commit("c1 develop")
    # c2: the tag folder becomes a symlink to a copy elsewhere.
    repo.delete(files)
    _empty_dirs(repo.path / "_cache")
    repo.write({p.replace("_cache/develop", "copy", 1): d for p, d in files.items()})
    repo.symlink("_cache/develop", "../copy")
    repo.commit("c2 tag folder is a link")
    # c3: the folder is back, without bc; cmake's folder is now a submodule.
    (repo.path / "_cache/develop").unlink()
    cmake = "_cache/develop/cmake/specs.md"
    back = {p: d for p, d in files.items() if "/bc/" not in p and p != cmake}
    repo.write(back)
    repo.git("add", "-A")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},_cache/develop/cmake")
    repo.git("commit", "-q", "--no-verify", "-m", "c3 back without bc, cmake a submodule")
    # c4: _cache itself a symlink.
    repo.git("rm", "-rq", "--cached", "_cache")
    repo.git("commit", "-q", "--no-verify", "-m", "c4 no catalog")
    (repo.path / "real").mkdir()
    (repo.path / "_cache").rename(repo.path / "real" / "_cache")
    repo.symlink("_cache", "real/_cache")
    repo.git("add", "_cache")
    repo.git("commit", "-q", "--no-verify", "-m", "c5 _cache is a link")
    index = _index(repo, tmp_path)
    try:
        events = {
            name: [
                (e.commit.subject[:2], e.change.status.value if e.change else None, e.problem)
                for e in api.history(index, name, tag="develop").events  # type: ignore[arg-type]
            ]
            for name in ("bc", "cmake", "aml")
        }
        log = {e.commit.subject[:2]: e.comparison for e in api.log(index)}  # type: ignore[arg-type]
        # What the index holds, per package: (first commit, last commit, readable).
        rows = {
            name: [
                (v.first_seq, v.last_seq, isinstance(index.content(v.content_id, v.tag, name), str))  # type: ignore[attr-defined]
                for v in index.versions(name, "develop")  # type: ignore[attr-defined]
            ]
            for name in ("bc", "cmake", "aml")
        }
    finally:
        index.close()  # type: ignore[attr-defined]
    # c1..c5 are seq 0..4. Behind the link (c2), each package is unreadable; back at c3,
    # bc is gone (removed there), aml readable again, cmake behind its submodule; c4
    # deletes the catalog; c5's _cache link hides nothing (nothing was there).
    assert rows["bc"] == [(0, 0, False), (1, 1, True)]
    assert rows["aml"] == [(0, 0, False), (1, 1, True), (2, 2, False)]
    assert rows["cmake"] == [(0, 0, False), (1, 1, True), (2, 2, True)]
    link = "_cache/develop: not a regular folder (symlink or submodule)"
    for name in ("bc", "cmake", "aml"):
        assert events[name][:2] == [("c1", "added", None), ("c2", None, link)], name
    assert log["c2"].summary.packages_removed == 0 and log["c2"].tags_removed == ()
    assert [p.path for p in log["c2"].problems] == ["_cache/develop"]  # once, not per package
    assert log["c4"].summary.problems == 0
    assert [p.path for p in log["c5"].problems] == []


# ---- the older, untagged layouts -----------------------------------------------------------


def test_an_untagged_package_folder_that_becomes_a_link_is_not_removed(
    make_repo: object, tmp_path: Path
) -> None:
    """``_cache/zlib/`` (an index.md and its spec files) becomes a symlink: in a tree
    diff, a full read, a directory and the history index, zlib is a problem."""
    from test_legacy_sources import oldest_tree

    repo: GitRepoBuilder = make_repo()  # type: ignore[operator]
    tree = oldest_tree()
    repo.write(tree)
    repo.commit("oldest layout")
    zlib = {p: d for p, d in tree.items() if p.startswith("_cache/zlib/")}
    repo.delete(zlib)
    repo.write({p.replace("_cache/zlib", "elsewhere", 1): d for p, d in zlib.items()})
    (repo.path / "_cache/zlib").rmdir()
    repo.symlink("_cache/zlib", "../elsewhere")
    repo.commit("zlib's folder is a link")
    with Sources(str(repo.path)) as sources:
        results = [
            compare(*load_pair(sources.open("HEAD~1"), sources.open(new), full=full))
            for new in ("HEAD", str(repo.path))
            for full in (False, True)
        ]
    for result in results:
        assert result.summary.packages_removed == 0, result.packages
        # (The other problems are the sample's own: spec files it lists and lacks.)
        new_side = [p for p in result.problems if p.side.value == "new"]
        assert [p.path for p in new_side if "zlib" in p.path] == ["_cache/zlib"]
        others = [p for p in result.problems if p.path != "_cache/zlib"]
        assert all(p.message.startswith("spec file missing") for p in others)
        assert not [c for c in result.packages if c.name == "zlib"]
        assert [t.tag for t in result.tags_removed] == []
    index = _index(repo, tmp_path)
    try:
        (last,) = [v for v in index.versions("zlib") if v.last_seq is None]  # type: ignore[attr-defined]
        held = index.content(last.content_id, last.tag, "zlib")  # type: ignore[attr-defined]
    finally:
        index.close()  # type: ignore[attr-defined]
    assert held == "_cache/zlib: not a regular folder (symlink or submodule)"


def test_the_index_records_a_package_file_that_is_a_folder_unreadable(
    make_repo: object, tmp_path: Path
) -> None:
    repo: GitRepoBuilder = make_repo()  # type: ignore[operator]
    files = sample_tree(OLD_WEEK, as_tag="develop")
    bc = "_cache/develop/bc/specs.md"
    repo.write(files)
    repo.commit("c1")
    repo.delete([bc])
    repo.write({f"{bc}/inside.md": files[bc]})
    repo.commit("c2 bc's specs.md is a folder")
    repo.write({f"{bc}/more.md": files[bc]})
    repo.commit("c3 one more file in it")
    repo.git("rm", "-rq", bc)
    repo.commit("c4 the folder is gone")
    index = _index(repo, tmp_path)
    try:
        held = [
            (v.first_seq, v.last_seq, index.content(v.content_id, v.tag, "bc"))  # type: ignore[attr-defined]
            for v in index.versions("bc")  # type: ignore[attr-defined]
        ]
    finally:
        index.close()  # type: ignore[attr-defined]
    assert [(first, last) for first, last, _ in held] == [(0, 0), (1, 2)]
    assert held[1][2] == f"{bc}: not a regular file (a folder)"  # c2, c3; gone at c4
    with Sources(str(repo.path)) as sources:  # the loader says the same of c2
        result = compare(*load_pair(sources.open("HEAD~3"), sources.open("HEAD~2")))
    assert "bc" not in {c.name for c in result.packages}
    assert [(p.path, p.message) for p in result.problems] == [(bc, "not a regular file (a folder)")]


def test_a_snapshot_file_cannot_hide_packages_without_a_problem(
    linked_tag: GitRepoBuilder, tmp_path: Path
) -> None:
    """``unlisted_tags`` and ``broken`` hide what the other side has there: a file that
    names them without the problem behind them is refused, not read as "no change"."""
    repo = str(linked_tag.path)
    with Sources(repo) as sources:
        whole = load(sources.open("HEAD~1"))
    saved = tmp_path / "old.json"
    snapshotfile.write(str(saved), whole)
    doc = json.loads(saved.read_bytes())
    forged = [
        {**doc, "unlisted_tags": ["develop"]},
        {**doc, "broken": [{"tag": "develop", "name": "bc"}]},
    ]
    for i, edited in enumerate(forged):
        path = tmp_path / f"forged-{i}.json"
        path.write_bytes(json.dumps(edited).encode())
        result = CliRunner().invoke(main, ["diff", "--repo", repo, "HEAD~1", str(path)])
        assert result.exit_code == 3 and result.stdout == "", result.output
        assert "has no problem" in result.stderr and result.stderr.count("\n") == 1
