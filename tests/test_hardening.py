"""The guards behind SECURITY.md, one by one (the corpus runs them end to end)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import catalog_diff.git.catfile as blobstream
import catalog_diff.sources.snapshotfile as snapshotfile
from catalog_diff import api
from catalog_diff.cli import main
from catalog_diff.errors import ParseError, RevisionNotFound, SnapshotFileError
from catalog_diff.git.repository import GitRepository
from catalog_diff.layout import MAX_FILE_BYTES, printable, unsafe_name
from catalog_diff.parse.package import LineMemo, parse_package
from catalog_diff.sources.load import Sources, load
from gitrepo import GitRepoBuilder, sample_tree, write_tree

WEEK = "develop-2025-03-30"
BC = f"_cache/{WEEK}/bc/specs.md"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "text, shown",
    [
        ("gcc@11.4.0", "gcc@11.4.0"),
        ("pâté <b>|`x`", "pâté <b>|`x`"),
        ("a\nb", "a\\x0ab"),
        ("\x1b[2J", "\\x1b[2J"),
        ("\x9b31m", "\\x9b31m"),
        ("abc\u202etxt", "abc\\u202etxt"),
        (b"b\xffad".decode("utf-8", "surrogateescape"), "b\\xffad"),
        ("\ud800", "\\ud800"),
    ],
)
def test_printable_escapes_what_could_forge_output(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert unsafe_name(text) == (text != shown)
    printable(text).encode("utf-8")  # always valid UTF-8


def test_error_messages_are_one_printable_line() -> None:
    exc = ParseError("_cache/t/a\nb/specs.md", "bad \x1b[31m value")
    assert str(exc) == "_cache/t/a\\x0ab/specs.md: bad \\x1b[31m value"
    assert RevisionNotFound("HEAD\n--x", "repo").message == "HEAD\\x0a--x: unknown revision in repo"


# ---- sizes ---------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_before_parsing() -> None:
    data = b"---\n" + b"x" * MAX_FILE_BYTES + b"\n---"
    with pytest.raises(ParseError, match="too large"):
        parse_package(data, "t", "p", "_cache/t/p/specs.md")


def test_a_directory_source_reads_no_more_than_the_limit(tmp_path: Path) -> None:
    files = sample_tree(WEEK)
    files[BC] = files[BC] + b"\n" + b" " * (MAX_FILE_BYTES + 100)
    write_tree(tmp_path, files)
    with Sources() as sources:
        source = sources.open(str(tmp_path))
        listing = source.listing()
        entry = listing.entries[(WEEK, "bc")]
        ((_, data),) = list(source.read_many([entry]))
        snap = load(source)
    assert data is not None and len(data) == MAX_FILE_BYTES + 1
    assert [(p.path, p.message) for p in snap.problems] == [
        (BC, "too large: more than 8 MiB (the limit); not read")
    ]


def test_big_blobs_stream_whole_and_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blobs above the read-ahead threshold wait for the queue to empty; nothing is lost,
    nothing reordered, and closing a stream whose reader waits returns at once."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    blobs = {f"_cache/t/p{i}/specs.md": bytes([65 + i % 26]) * (70_000 + i) for i in range(40)}
    repo.write(blobs)
    repo.commit("big files")
    monkeypatch.setattr(blobstream, "_LARGE", 1000)
    with GitRepository(str(repo.path)) as git_repo:
        rows = git_repo.ls_tree(repo.rev_parse("HEAD"), "_cache")
        oids = [oid.decode() for _, oid, _ in rows]
        with git_repo.read_blobs(oids, ahead=4) as stream:
            got = dict(stream)
        assert sorted(len(v or b"") for v in got.values()) == sorted(len(v) for v in blobs.values())
        stream = git_repo.read_blobs(oids, ahead=2)
        next(stream)
        stream.close()  # the reader is waiting for room: it must not hang


def test_batched_blobs_come_in_the_order_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small blobs travel in batches, large ones alone: whatever the mix, every blob
    asked for comes back once, in the order asked, missing ones as None."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    blobs = {
        f"_cache/t/p{i:02}/specs.md": bytes([65 + i % 26]) * (3000 if i % 7 == 3 else 10 + i)
        for i in range(60)
    }
    repo.write(blobs)
    repo.commit("mixed sizes")
    monkeypatch.setattr(blobstream, "_LARGE", 1000)
    monkeypatch.setattr(blobstream, "_BATCH_BLOBS", 4)
    monkeypatch.setattr(blobstream, "_BATCH_BYTES", 100)
    with GitRepository(str(repo.path)) as git_repo:
        rows = git_repo.ls_tree(repo.rev_parse("HEAD"), "_cache")
        by_oid = {oid.decode(): blobs[path] for _, oid, path in rows}
        asked = [oid.decode() for _, oid, _ in reversed(rows)]
        asked.insert(5, "0" * 40)
        with git_repo.read_blobs(asked, ahead=8) as stream:
            got = list(stream)
    assert [oid for oid, _ in got] == asked
    assert [data for _, data in got] == [by_oid.get(oid) for oid in asked]


def test_a_blob_over_the_limit_is_read_no_further(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(
        {"_cache/t/big/specs.md": b"-" * (MAX_FILE_BYTES + 5000), "_cache/t/x/specs.md": b"x"}
    )
    repo.commit("big")
    with GitRepository(str(repo.path)) as git_repo:
        rows = git_repo.ls_tree(repo.rev_parse("HEAD"), "_cache")
        with git_repo.read_blobs([oid.decode() for _, oid, _ in rows]) as stream:
            sizes = [len(data or b"") for _, data in stream]
    assert sizes == [MAX_FILE_BYTES + 1, 1]  # the next blob is still read right


def test_a_gzip_bomb_snapshot_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b"{" + b" " * 5_000_000 + b"}"))
    monkeypatch.setattr(snapshotfile, "MAX_SNAPSHOT_BYTES", 1_000_000)
    with pytest.raises(SnapshotFileError, match="larger than"):
        snapshotfile.SnapshotFileSource(str(bomb))


def test_a_snapshot_file_cannot_smuggle_control_characters(tmp_path: Path) -> None:
    write_tree(tmp_path / "tree", sample_tree("v0.22.2"))
    saved = tmp_path / "saved.json"
    assert run("snapshot", str(tmp_path / "tree"), "-o", str(saved), "-q")[0] == 0
    doc = json.loads(saved.read_text())
    doc["problems"] = [{"path": "_cache/v0.22.2/x/specs.md", "message": "fine\n\x1b[2Jforged"}]
    saved.write_text(json.dumps(doc))
    code, out, err = run("diff", str(saved), str(saved))
    assert code == 3
    assert "fine\\x0a\\x1b[2Jforged" in out and "\x1b" not in out + err
    doc["packages"][0]["name"] = "bc\x1b[2J"
    saved.write_text(json.dumps(doc))
    code, out, err = run("diff", str(saved), str(saved))
    assert (code, out) == (3, "")
    assert "packages[0] has a name with control characters" in err


# ---- the tree ------------------------------------------------------------------------------


def test_a_list_file_in_a_tag_folder_hides_no_package(tmp_path: Path) -> None:
    """A stray specs.md directly in a tag folder made the folder read as a package folder
    of an older layout, and every change of the tag went unreported."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.commit("one")
    repo.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.write(sample_tree(WEEK, as_tag="develop"))
    repo.write({"_cache/develop/specs.md": sample_tree(WEEK)[BC]})
    repo.commit("two")
    full = api.diff("HEAD~1", "HEAD", repo=str(repo.path))  # a tree diff
    assert (full.summary.packages_changed, full.summary.problems) == (68, 0)
    write_tree(tmp_path / "tree", sample_tree(WEEK, as_tag="develop"))
    write_tree(tmp_path / "tree", {"_cache/develop/specs.md": b"stray"})
    snap = api.snapshot(str(tmp_path / "tree"))  # a full listing
    assert len(snap.packages) == 72 and snap.tags == frozenset({"develop"}) and not snap.problems


def test_a_symlinked_folder_in_a_directory_is_a_problem(tmp_path: Path) -> None:
    write_tree(tmp_path, sample_tree(WEEK))
    (tmp_path / "_cache" / WEEK / "link").symlink_to(tmp_path / "_cache" / WEEK / "bc")
    snap = api.snapshot(str(tmp_path))
    assert [(p.path, p.message) for p in snap.problems] == [
        (f"_cache/{WEEK}/link", "not a regular folder (symlink or submodule)")
    ]
    assert snap.broken == frozenset({(WEEK, "link")})


def test_unsafe_paths_in_the_history_index(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree(WEEK))
    repo.commit("one")
    repo.write({f"_cache/{WEEK}/ev\x1bil/specs.md": b"x", f"_cache/{WEEK}/b\udcffd/specs.md": b"y"})
    repo.commit("two")
    index = str(tmp_path / "index.sqlite")
    code, _, err = run("index", "--repo", str(repo.path), "--index", index, "-q")
    assert (code, err) == (0, "")
    code, out, _ = run("log", "--repo", str(repo.path), "--index", index, "--format", "json")
    problems = json.loads(out)["commits"][0]["problems"]
    assert sorted(p["path"] for p in problems) == [
        f"_cache/{WEEK}/b\\xffd/specs.md",
        f"_cache/{WEEK}/ev\\x1bil/specs.md",
    ]


# ---- --strict ------------------------------------------------------------------------------


def test_strict_makes_a_problem_fatal_in_every_command(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree(WEEK) | {BC: b"---\nbroken"})
    repo.commit("broken bc")
    line = f"catalog-diff: error: HEAD: {BC}: front matter has no closing '---'\n"
    code, out, err = run("show", "--repo", str(repo.path), "--strict")
    assert (code, out, err) == (3, "", line)
    code, out, err = run("show", "--repo", str(repo.path))
    assert (code, err) == (3, line) and "cmake" in out
    target = tmp_path / "snap.json"
    code, out, err = run(
        "snapshot", "--repo", str(repo.path), "HEAD", "-o", str(target), "--strict"
    )
    assert (code, out, err) == (3, "", line)
    assert not target.exists()
    code, out, err = run("snapshot", "--repo", str(repo.path), "HEAD", "-o", "-", "--strict")
    assert (code, out) == (3, "")


def test_an_interrupted_start_has_no_traceback() -> None:
    """Ctrl-C while the command line is still being imported is told in one line."""
    code = (
        "import sys, catalog_diff.entry as e\n"
        "def stop(*a, **k): raise KeyboardInterrupt\n"
        "e._up_to_date = stop\n"
        "sys.argv = ['catalog-diff', 'index']\n"
        "e.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stderr) == (130, "catalog-diff: interrupted\n")


@pytest.mark.parametrize(
    "spec_details",
    [
        # JSON escapes, on the one-line fast path.
        b'spec_details: [{"compiler": "gcc", "hash": "ab\\u001b[2J", "os": "o", "platform": "p",'
        b' "stacks": [], "target": "t", "variants": [], "versions": ["1"]}]',
        # A YAML block scalar keeps its line breaks: no shortcut may skip the check.
        b"spec_details:\n- compiler: gcc\n  hash: |\n    abc\n    def\n  os: o\n  platform: p\n"
        b"  stacks: []\n  target: t\n  variants: []\n  versions: ['1']",
        # A clean spec_details line that is not the value read (a quoted key holds it).
        b'"spec_details":\n- compiler: gcc\n  hash: "ab\\e[2J"\n  os: o\n  platform: p\n'
        b'  stacks: []\n  target: t\n  variants: []\n  versions: ["1"]\n'
        b"categories: [x,\nspec_details: []]",
    ],
)
def test_a_hash_with_control_characters_is_refused(spec_details: bytes) -> None:
    data = b"---\ntitle: x\n" + spec_details + b"\n---"
    for cache in (None, LineMemo()):
        with pytest.raises(ParseError, match=r"spec_details\[0\]\.hash holds control characters"):
            parse_package(data, "t", "p", "_cache/t/p/specs.md", specs_cache=cache)


def test_a_meta_stack_name_with_a_control_character_is_shown_escaped(tmp_path: Path) -> None:
    """Found by fuzzing: a key of meta.num_specs_by_stack reached the text report's
    cross-check of the per-stack counts as it was."""
    old, new = tmp_path / "old", tmp_path / "new"
    write_tree(old, sample_tree("develop-2025-03-23", as_tag="develop"))
    week = sample_tree(WEEK, as_tag="develop")
    bc = "_cache/develop/bc/specs.md"
    week[bc] = week[bc].replace(b'"root": 2', b'"\\u007froot\\u001b[2J": 2', 1)
    write_tree(new, week)
    code, out, err = run("diff", str(old), str(new))
    assert code == 0
    assert "\x7f" not in out + err and "\x1b" not in out + err
    assert "stack \\x7froot\\x1b[2J: meta says 2, spec_details have 0" in out
