"""Writing output: whole or not at all, standard output checked, never over an input.

Reports (``-o`` of every command), snapshot files and release notes go through one writer
(:func:`catalog_diff.process.output.replacing`): a temporary file beside the target, flushed to
disk, renamed over it. These tests make real writes fail half-way (a file size limit, as
``ulimit -f`` sets it), fill standard output (``/dev/full``), close it under the command
(a reader that stops, as ``| head -c 10`` does), and name an input as the output.
"""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.api import snapshot as load_snapshot
from catalog_diff.cli import main
from catalog_diff.process.output import replacing
from catalog_diff.sources import snapshotfile
from gitrepo import GitRepoBuilder, sample_tree, write_tree
from procs import TIMEOUT

OLD, NEW = "develop-2025-03-23", "develop-2025-03-30"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    """Two commits of the real develop samples (a report of some 100 KB between them)."""
    repo = GitRepoBuilder(tmp_path_factory.mktemp("output") / "catalog")
    repo.write(sample_tree(OLD, as_tag="develop"))
    repo.commit("develop 2025-03-23", date="2025-03-23T12:00:00+00:00")
    repo.write(sample_tree(NEW, as_tag="develop"))
    repo.commit("develop 2025-03-30", date="2025-03-30T12:00:00+00:00")
    return repo


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def process(*args: str, **popen: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "catalog_diff", *args], stderr=subprocess.PIPE, **popen
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


# ---- the writer --------------------------------------------------------------------------


def test_a_write_that_fails_half_way_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_bytes(b"before\n")
    with pytest.raises(RuntimeError), replacing(str(target)) as f:
        f.write(b"half of a report")
        raise RuntimeError("stopped half-way")
    assert target.read_bytes() == b"before\n"
    assert leftovers(tmp_path) == []
    with replacing(str(target)) as f:
        f.write(b"after\n")
    assert target.read_bytes() == b"after\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_the_new_file_keeps_the_mode_and_a_link_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_bytes(b"before\n")
    target.chmod(0o640)
    link = tmp_path / "latest.md"
    link.symlink_to(target.name)
    with replacing(str(link)) as f:
        f.write(b"after\n")
    assert link.is_symlink() and target.read_bytes() == b"after\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.md"
    umask = os.umask(0o022)
    try:
        with replacing(str(fresh)) as f:
            f.write(b"new\n")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # as open() would make it


def test_a_device_is_written_in_place() -> None:
    with replacing(os.devnull) as f:
        f.write(b"nothing")
    assert not Path(os.devnull).is_file()


def _file_size_limit(limit: int) -> Callable[[], None]:
    def limit_writes() -> None:  # as `ulimit -f`; Python ignores SIGXFSZ: writes fail
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


@pytest.mark.parametrize(
    "args",
    [
        ["diff", "HEAD~1", "HEAD", "--format", "json", "-o"],
        ["snapshot", "HEAD", "-o"],
        ["release-notes", "HEAD~1", "HEAD", "--tag", "develop", "-o"],
    ],
    ids=["diff", "snapshot", "release-notes"],
)
def test_a_real_write_cut_short_keeps_the_previous_file(
    catalog: GitRepoBuilder, tmp_path: Path, args: list[str]
) -> None:
    """The file system refuses the rest of the file half-way (a size limit): one error
    line, exit 2, the previous file intact and nothing else left behind."""
    target = tmp_path / "out" / "report"
    target.parent.mkdir()
    target.write_bytes(b"before\n")
    proc = process(
        *args, str(target), "--repo", str(catalog.path),
        stdout=subprocess.PIPE, preexec_fn=_file_size_limit(4096),
    )  # fmt: skip
    _, err = proc.communicate(timeout=TIMEOUT)
    lines = err.decode().splitlines()
    assert proc.returncode == 2, lines
    assert len(lines) == 1 and lines[0].startswith(f"catalog-diff: error: {target}: cannot write")
    assert lines[0].endswith("File too large"), lines
    assert target.read_bytes() == b"before\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report"]


# ---- standard output ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["diff", "HEAD~1", "HEAD"], "the report"),
        (["snapshot", "HEAD", "-o", "-"], "the snapshot"),
        (["show", "HEAD"], "the report"),
    ],
    ids=["diff", "snapshot", "show"],
)
def test_a_full_standard_output_is_one_error_line_and_exit_3(
    catalog: GitRepoBuilder, args: list[str], what: str
) -> None:
    with Path("/dev/full").open("wb") as full:
        proc = process(*args, "--repo", str(catalog.path), stdout=full)
        _, err = proc.communicate(timeout=TIMEOUT)
    assert (proc.returncode, err.decode()) == (
        3,
        f"catalog-diff: error: standard output: cannot write {what}: No space left on device\n",
    )


@pytest.mark.parametrize(
    "args",
    [["diff", "HEAD~1", "HEAD", "--format", "json"], ["snapshot", "HEAD", "-o", "-"]],
    ids=["diff", "snapshot"],
)
def test_a_reader_that_goes_away_ends_the_command_quietly(
    catalog: GitRepoBuilder, args: list[str]
) -> None:
    """``| head -c 10``: the reader takes ten bytes and closes the pipe. The command ends
    with no word on stderr and 141, as a shell reports a program SIGPIPE ended (git's
    own exit in ``git log | head``): never 0, which would tell a script that it was all
    written, and never a traceback or "Exception ignored" at exit."""
    proc = process(*args, "--repo", str(catalog.path), stdout=subprocess.PIPE)
    assert proc.stdout is not None
    first = proc.stdout.read(10)
    proc.stdout.close()
    _, err = proc.communicate(timeout=TIMEOUT)
    assert len(first) == 10
    assert (proc.returncode, err) == (141, b"")


def test_the_whole_report_reaches_a_reader_that_reads_it_all(catalog: GitRepoBuilder) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "catalog_diff", "diff", "HEAD~1", "HEAD", "--format", "json",
         "--repo", str(catalog.path)],
        capture_output=True, check=False, timeout=TIMEOUT,
    )  # fmt: skip
    assert done.returncode == 0 and len(done.stdout) > 1 << 16  # more than a pipe holds
    code, out, _ = cli("diff", "HEAD~1", "HEAD", "--format", "json", "--repo", str(catalog.path))
    assert (code, out.encode()) == (0, done.stdout)


# ---- an output that is an input -----------------------------------------------------------


@pytest.fixture
def inputs(catalog: GitRepoBuilder, tmp_path: Path) -> dict[str, Path]:
    """A snapshot file, two catalog folders, a template and an index, side by side."""
    snap = tmp_path / "old.json"
    snapshotfile.write(str(snap), load_snapshot("HEAD~1", repo=str(catalog.path)))
    old, new = tmp_path / "old", tmp_path / "new"
    write_tree(old, sample_tree(OLD, as_tag="develop"))
    write_tree(new, sample_tree(NEW, as_tag="develop"))
    template = tmp_path / "notes.j2"
    template.write_text("{{ notes.old_label }}\n", encoding="utf-8")
    index = tmp_path / "index.sqlite"
    assert cli("index", "-q", "--repo", str(catalog.path), "--index", str(index))[0] == 0
    return {"snap": snap, "old": old, "new": new, "template": template, "index": index}


def test_an_output_that_is_an_input_is_refused(
    catalog: GitRepoBuilder, inputs: dict[str, Path], tmp_path: Path
) -> None:
    repo = ["--repo", str(catalog.path)]
    snap, old, new = inputs["snap"], inputs["old"], inputs["new"]
    link = tmp_path / "link.json"
    link.symlink_to(snap)
    hard = tmp_path / "hard.json"
    hard.hardlink_to(snap)
    inside = new / "_cache" / "develop" / "bc" / "specs.md"
    cases = [
        (["diff", str(snap), "HEAD", *repo, "-o", str(snap)], snap, str(snap)),
        (["diff", str(snap), "HEAD", *repo, "-o", str(link)], snap, str(snap)),
        (["diff", str(hard), "HEAD", *repo, "-o", str(snap)], snap, str(hard)),
        (["diff", str(old), str(new), "-o", str(inside)], inside, str(new)),
        (["snapshot", str(new), "-o", str(new / "_cache" / "snap.json")], None, str(new)),
        (["lint", str(new), "-o", str(new / "_data" / "lint.md")], None, str(new)),
        (["show", str(snap), "-o", str(snap)], snap, str(snap)),
        (["release-notes", "develop", "develop", "--rev", str(snap), "-o", str(snap)], snap,
         str(snap)),
        (["release-notes", str(snap), "HEAD", "--tag", "develop", *repo, "-o", str(snap)],
         snap, str(snap)),
        (["release-notes", "develop", "develop", *repo, "--template",
          str(inputs["template"]), "-o", str(inputs["template"])], inputs["template"],
         str(inputs["template"])),
        (["log", *repo, "--index", str(inputs["index"]), "-o", str(inputs["index"])],
         inputs["index"], str(inputs["index"])),
        (["when", "bc", "--version", "1", *repo, "--index", str(inputs["index"]), "-o",
          f"{inputs['index']}-wal"], None, f"{inputs['index']}-wal"),
    ]  # fmt: skip
    for args, kept, named in cases:
        before = kept.read_bytes() if kept else None
        code, out, err = cli(*args)
        assert code == 2, (args, err)
        assert out == "" and len(err.splitlines()) == 1, (args, err)
        assert err.startswith("catalog-diff: error: -o ") and named in err, (args, err)
        if kept:
            assert kept.read_bytes() == before
    assert not (new / "_cache" / "snap.json").exists() and not (new / "_data").exists()


def test_an_output_beside_the_inputs_is_written(
    catalog: GitRepoBuilder, inputs: dict[str, Path], tmp_path: Path
) -> None:
    """Only the inputs themselves are refused: a file next to them or in a catalog folder
    outside its catalog, or named like a tag of release notes (a tag name is no path),
    is written."""
    for report in (tmp_path / "report.md", inputs["new"] / "report.md"):
        code, _, err = cli("diff", str(inputs["old"]), str(inputs["new"]), "-q", "-o", str(report))
        assert (code, err) == (0, "") and report.read_text(encoding="utf-8").startswith("old: ")
    notes = tmp_path / "develop"
    notes.write_text("old notes\n", encoding="utf-8")
    code, _, err = cli(
        "release-notes", "develop", "develop", "--repo", str(catalog.path), "-q",
        "-o", str(notes),
    )  # fmt: skip
    assert (code, err) == (0, "") and notes.read_text(encoding="utf-8") != "old notes\n"
