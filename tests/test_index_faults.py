"""The history index file going wrong, through the real command line: a database of
another program (whatever its user_version), damaged pages, a read-only file or folder,
a full disk, ``--index`` naming a directory or a folder that does not exist, and paths
holding ``#``, ``?`` and ``%``. Each is one error line, exit 3, with what is wrong and
what to do; ``--rebuild`` never deletes a file that is not an index. Commit subjects
holding any byte are indexed.

Read-only: as root (the usual container), ``chattr +i`` makes a file or folder immutable
for root too; otherwise ``chmod``. A full disk: a real tmpfs of 160 KB mounted in a user
and mount namespace (``unshare -rm``), and SQLite's own limit ``max_page_count`` (the
same SQLITE_FULL error, reached through the library).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from catalog_diff.errors import CatalogDiffError
from catalog_diff.history.index import HistoryIndex
from gitrepo import GitRepoBuilder
from historytruth import STEPS, build_history, dump, integrity

COMMANDS = [
    ["index"],
    ["log"],
    ["history", "gcc"],
    ["when", "gcc", "--target", "aarch64"],
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def run_process(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "catalog_diff", *args],
        capture_output=True,
        check=False,
        timeout=300,
        env=env,
    )
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("catalog-diff: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepoBuilder, list[str]]:
    return build_history(tmp_path_factory.mktemp("faults") / "catalog")


@pytest.fixture(scope="module")
def fresh(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A finished index of the catalog, built by the command line (read it, never write)."""
    path = tmp_path_factory.mktemp("fresh") / "index.sqlite"
    assert run("index", "-q", "--repo", str(catalog[0].path), "--index", str(path))[0] == 0
    return path


def where(catalog: tuple[GitRepoBuilder, list[str]], path: Path) -> list[str]:
    return ["--repo", str(catalog[0].path), "--index", str(path)]


# ---- databases of other programs -------------------------------------------------------


def foreign(path: Path, user_version: int, info: bool = False) -> None:
    """A database of another program; with ``info``, one whose ``info`` table even has
    the index's columns (another program's application name in it)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    if info:
        conn.execute("CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.execute("INSERT INTO info VALUES ('application', 'my notes')")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("user_version", "info"),
    [(0, False), (1, False), (1, True), (2, False), (99, True), (-1, False)],
)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_foreign_database_is_refused_whatever_its_user_version(
    catalog: tuple[GitRepoBuilder, list[str]],
    tmp_path: Path,
    user_version: int,
    info: bool,
    command: list[str],
) -> None:
    path = tmp_path / "notes.sqlite"
    foreign(path, user_version, info)
    before = path.read_bytes()
    code, out, err = run(*command, *where(catalog, path))
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert f"{path}: not a catalog-diff index (a database of other tables" in line
    assert "give another --index FILE" in line
    code, out, err = run("index", "--rebuild", *where(catalog, path))
    assert (code, out) == (2, "")
    assert "a database of another program; not deleting it" in one_error_line(err)
    assert path.read_bytes() == before


# ---- damaged pages ---------------------------------------------------------------------


def damage(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` in a real index file with 0xff bytes."""
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    assert not Path(f"{path}-wal").exists()  # everything is in the file itself
    with path.open("r+b") as file:
        file.seek((root[0] - 1) * size)
        file.write(b"\xff" * size)


@pytest.mark.parametrize("table", ["package_spans", "commits", "info"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_damaged_pages_name_the_rebuild_and_the_rebuild_mends_them(
    catalog: tuple[GitRepoBuilder, list[str]],
    fresh: Path,
    tmp_path: Path,
    table: str,
    command: list[str],
) -> None:
    path = tmp_path / "index.sqlite"
    shutil.copyfile(fresh, path)
    damage(path, table)
    before = path.read_bytes()
    options = [] if command == ["index"] else ["--no-update"]
    code, out, err = run(*command, *where(catalog, path), *options)
    if command == ["index"] and table == "package_spans":
        # Up to date: index reads no package rows, so it meets no damage; log does.
        assert (code, out) == (0, "")
        code, out, err = run("log", "-n", "1", *where(catalog, path))
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert str(path) in line
    assert "damaged" in line or "malformed" in line
    assert line.endswith("run 'catalog-diff index --rebuild'")
    assert path.read_bytes() == before
    if command == ["index"]:  # the console script's quick answer agrees
        quick = run_process("index", *where(catalog, path))
        if table == "package_spans":
            assert quick[0] == 0 and "already up to date" in quick[2]
        else:
            assert quick[:2] == (3, "") and one_error_line(quick[2]) == line
    assert run("index", "--rebuild", "-q", *where(catalog, path)) == (0, "", "")
    assert dump(path) == dump(fresh)
    assert integrity(path) == "ok"


def test_not_a_database_is_kept_aside_by_the_rebuild_never_deleted(
    catalog: tuple[GitRepoBuilder, list[str]], fresh: Path, tmp_path: Path
) -> None:
    path = tmp_path / "index.sqlite"
    text = b"my shopping list\n" * 100
    path.write_bytes(text)
    code, out, err = run("log", *where(catalog, path))
    assert (code, out) == (3, "")
    assert "run 'catalog-diff index --rebuild'" in one_error_line(err)
    (tmp_path / "index.sqlite.unrecognised").write_bytes(b"an earlier one")
    code, out, err = run("index", "--rebuild", *where(catalog, path))
    assert (code, out) == (0, "")
    kept = tmp_path / "index.sqlite.unrecognised-1"
    assert f"catalog-diff: warning: {path}: not a catalog-diff index; kept as {kept}" in err
    assert kept.read_bytes() == text
    assert (tmp_path / "index.sqlite.unrecognised").read_bytes() == b"an earlier one"
    assert dump(path) == dump(fresh)


# ---- paths: directories, missing folders, URI characters --------------------------------


@pytest.mark.parametrize("command", [*COMMANDS, ["index", "--rebuild"]], ids=" ".join)
def test_index_naming_a_directory_is_an_error(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path, command: list[str]
) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "keep").write_text("x")
    code, out, err = run(*command, *where(catalog, folder))
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert f"{folder}: is a directory, not an index file; give --index a file name" in line
    assert [p.name for p in folder.iterdir()] == ["keep"]


@pytest.mark.parametrize("command", [*COMMANDS, ["index", "--rebuild"]], ids=" ".join)
def test_a_missing_folder_is_an_error_and_is_not_created(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "no" / "such" / "x.sqlite"
    code, out, err = run(*command, *where(catalog, path))
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert f"its folder {path.parent} does not exist; create it first" in line
    assert not (tmp_path / "no").exists()


def test_the_default_location_is_created(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    code, out, err = run_process("index", "-q", "--repo", str(catalog[0].path), env=env)
    assert (code, out, err) == (0, "", "")
    (made,) = (tmp_path / "cache" / "catalog-diff").glob("catalog-*.sqlite")
    assert integrity(made) == "ok"


@pytest.mark.parametrize("name", ["notes#x.sqlite", "notes?mode=memory.sqlite", "notes%23x.sqlite"])
def test_rebuild_never_deletes_another_file_whatever_its_path_holds(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path, name: str
) -> None:
    # A URI made of the raw path would open "notes" (cut at '#' or '?') or "notes#x"
    # (%23 decoded): none exists, which once read as "no database, delete it".
    path = tmp_path / name
    foreign(path, 0)
    before = path.read_bytes()
    code, out, err = run("index", "--rebuild", *where(catalog, path))
    assert (code, out) == (2, "")
    assert "a database of another program; not deleting it" in one_error_line(err)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


@pytest.mark.parametrize("name", ["idx#1.sqlite", "idx?mode=ro.sqlite", "idx%2e.sqlite"])
def test_an_index_whose_path_holds_uri_characters_works_and_rebuilds(
    catalog: tuple[GitRepoBuilder, list[str]], fresh: Path, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    assert run("index", "-q", *where(catalog, path)) == (0, "", "")
    assert dump(path) == dump(fresh)
    # The console script's quick up-to-date answer opens it read-only through a URI.
    code, out, err = run_process("index", *where(catalog, path))
    assert (code, out) == (0, "")
    assert "already up to date; 12 commits indexed" in err
    assert run("index", "--rebuild", "-q", *where(catalog, path)) == (0, "", "")
    assert dump(path) == dump(fresh)


# ---- read-only files and folders -------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` read-only for real: immutable (``chattr +i``) as root, whom modes do
    not stop; without write permission otherwise."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, timeout=60)
        if done.returncode != 0:
            pytest.skip(f"chattr +i is not supported here: {done.stderr!r}")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True, timeout=60)
        return
    mode = path.stat().st_mode
    path.chmod(mode & ~0o222)
    try:
        yield
    finally:
        path.chmod(mode)


@pytest.fixture
def growing(tmp_path: Path) -> GitRepoBuilder:
    """The first four commits of the history, in a repository of its own (one more can
    be committed)."""
    repo = GitRepoBuilder(tmp_path / "growing")
    for step in STEPS[:4]:
        repo.write(step.write(repo))
        repo.delete(step.delete(repo))
        repo.commit(step.subject, date=step.date)
    return repo


def next_commit(repo: GitRepoBuilder) -> None:
    step = STEPS[4]
    repo.write(step.write(repo))
    repo.delete(step.delete(repo))
    repo.commit(step.subject, date=step.date)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_index_says_so_and_both_up_to_date_answers_agree(
    growing: GitRepoBuilder, tmp_path: Path, what: str
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "index.sqlite"
    args = ["--repo", str(growing.path), "--index", str(path)]
    assert run("index", "-q", *args) == (0, "", "")
    if what == "folder":
        Path(f"{path}.lock").unlink()  # as on a fresh copy: the lock must be created
    before = dump(path)
    with read_only(path if what == "file" else folder):
        # Up to date: the console script's quick answer and the full command agree.
        quick = run_process("index", *args)
        full = run("index", *args)
        if what == "file":  # nothing to write: both answer, the same way
            assert quick[0] == full[0] == 0
            assert "already up to date; 4 commits indexed" in quick[2]
            assert "already up to date; 4 commits indexed" in full[2]
        else:  # the lock cannot be made: both report it
            for code, out, err in (quick, full):
                assert (code, out) == (3, "")
                assert "the index or its folder is read-only" in one_error_line(err)
        # A new commit to index: one line, exit 3, in every command.
        next_commit(growing)
        for command in COMMANDS:
            code, out, err = run(*command, *args)
            assert (code, out) == (3, ""), (command, err)
            line = one_error_line(err)
            assert f"{path}: the index or its folder is read-only" in line
            assert "make both writable, or give another --index FILE" in line
        code, out, err = run_process("index", *args)
        assert (code, out) == (3, "")
        assert "read-only" in one_error_line(err)
    assert dump(path) == before
    assert run("index", "-q", *args) == (0, "", "")  # writable again: it goes on
    assert integrity(path) == "ok"


# ---- a full disk ------------------------------------------------------------------------


def test_a_full_disk_is_reported_on_a_real_small_filesystem(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path
) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    if shutil.which("unshare") is None:
        pytest.skip("no unshare(1) here to mount a small filesystem")
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=160k tmpfs '{mount}'"],
        capture_output=True,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a user namespace here: {probe.stderr!r}")
    index = mount / "index.sqlite"
    script = 'mount -t tmpfs -o size=160k tmpfs "$1" && shift && exec "$@"'
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(
        [
            "unshare", "-rm", "sh", "-c", script, "sh", str(mount),
            sys.executable, "-m", "catalog_diff", "index",
            "--repo", str(catalog[0].path), "--index", str(index),
        ],
        capture_output=True,
        check=False,
        timeout=300,
        env=env,
    )  # fmt: skip
    err = done.stderr.decode("utf-8")
    assert (done.returncode, done.stdout) == (3, b""), err
    lines = [line for line in err.splitlines() if not line.startswith("catalog-diff: indexed")]
    line = one_error_line("\n".join(lines))
    assert f"{index}: the disk is full" in line
    assert "free some space, then run the command again" in line


def test_a_full_disk_through_sqlites_page_limit_loses_nothing(
    catalog: tuple[GitRepoBuilder, list[str]], fresh: Path, tmp_path: Path
) -> None:
    path = tmp_path / "index.sqlite"
    opened = HistoryIndex(path)
    try:
        opened.conn.execute("PRAGMA max_page_count = 40")
        from catalog_diff.git.repository import GitRepository

        with GitRepository(str(catalog[0].path)) as repo:
            with pytest.raises(CatalogDiffError) as caught:
                opened.update(repo, repo.resolve("HEAD"))
            assert caught.value.exit_code == 3
            assert f"{path}: the disk is full" in caught.value.message
            assert "free some space" in caught.value.message
            kept = len(opened.commits())
            assert kept < 12
            opened.conn.execute("PRAGMA max_page_count = 1073741823")
            opened.update(repo, repo.resolve("HEAD"))  # goes on from what was stored
    finally:
        opened.close()
    assert dump(path) == dump(fresh)


# ---- commit subjects with any bytes -----------------------------------------------------


def raw_commit(repo: GitRepoBuilder, message: bytes, date: int) -> str:
    """A commit of the work tree as it is, whose message is ``message`` byte for byte
    (NUL included: written with hash-object --literally, as commit-tree would refuse)."""
    repo.git("add", "-A")
    tree = repo.git("write-tree").strip()
    parent = repo.rev_parse("HEAD")
    who = f"Catalog Test <catalog-test@example.invalid> {date} +0000"
    body = f"tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n\n".encode()
    path = repo.path.parent / "commit.raw"
    path.write_bytes(body + message)
    sha = repo.git("hash-object", "-t", "commit", "-w", "--literally", str(path)).strip()
    repo.git("update-ref", "HEAD", sha)
    return sha


SUBJECTS = [
    (b"one\x01two\n", "one\x01two"),
    (b"before\x00after the NUL\n", "before"),
    (b"bad \xff\xfe utf-8\n", "bad \ufffd\ufffd utf-8"),
    (b":100644 100644 looks like a change\n", ":100644 100644 looks like a change"),
    (b"\x1b[31mred\x07\n", "\x1b[31mred\x07"),
]


def test_commit_subjects_with_any_bytes_are_indexed(tmp_path: Path) -> None:
    plain = GitRepoBuilder(tmp_path / "plain")
    odd = GitRepoBuilder(tmp_path / "odd")
    for repo in (plain, odd):
        step = STEPS[0]
        repo.write(step.write(repo))
        repo.commit(step.subject, date=step.date)
    odd_shas: list[str] = []
    for i, (message, _) in enumerate(SUBJECTS):
        step = STEPS[i + 1]
        for repo in (plain, odd):
            repo.write(step.write(repo))
            repo.delete(step.delete(repo))
        plain.commit(f"subject {i}", date=step.date)
        odd_shas.append(raw_commit(odd, message, 1743580800 + 3600 * i))
    reports = []
    for repo in (plain, odd):
        path = tmp_path / f"{repo.path.name}.sqlite"
        args = ["--repo", str(repo.path), "--index", str(path)]
        assert run("index", "-q", *args) == (0, "", "")
        code, out, err = run("log", *args, "--format", "json")
        assert code in (0, 3), err
        reports.append(json.loads(out)["commits"])
    plain_log, odd_log = reports
    assert len(odd_log) == len(SUBJECTS) + 1
    assert [c["subject"] for c in odd_log[:-1]] == [s for _, s in reversed(SUBJECTS)]
    # Each commit's changes are read as with plain subjects.
    for a, b in zip(plain_log, odd_log, strict=True):
        assert (a["summary"], a["packages"], a["tags"]) == (b["summary"], b["packages"], b["tags"])
    # Stored byte for byte as git's %s gives them (made inert by the renderers).
    conn = sqlite3.connect(tmp_path / "odd.sqlite")
    stored = [row[0] for row in conn.execute("SELECT subject FROM commits ORDER BY seq")]
    conn.close()
    assert stored[1:] == [s for _, s in SUBJECTS]
    # Every report shows them inert.
    for fmt in ("text", "markdown"):
        code, out, _ = run(
            "log", "--repo", str(odd.path), "--index", str(tmp_path / "odd.sqlite"), "--format", fmt
        )
        assert not {"\x1b", "\x01", "\x07", "\x00"} & set(out), fmt
    # An index started at the commit with a NUL stores its subject as git log does.
    partial = tmp_path / "partial.sqlite"
    args = ["--repo", str(odd.path), "--index", str(partial)]
    assert run("index", "-q", f"{odd_shas[1]}..HEAD", *args) == (0, "", "")
    conn = sqlite3.connect(partial)
    stored = [row[0] for row in conn.execute("SELECT subject FROM commits ORDER BY seq")]
    conn.close()
    assert stored == [s for _, s in SUBJECTS[1:]]


def test_the_log_reader_gives_the_same_commits_however_the_stream_is_cut(
    tmp_path: Path,
) -> None:
    from catalog_diff.git.log import LOG_FORMAT, parse_log

    repo = GitRepoBuilder(tmp_path / "odd")
    repo.write(STEPS[0].write(repo))
    repo.commit(STEPS[0].subject, date=STEPS[0].date)
    for i, (message, _) in enumerate(SUBJECTS):
        repo.write(STEPS[i + 1].write(repo))
        repo.delete(STEPS[i + 1].delete(repo))
        raw_commit(repo, message, 1743580800 + 3600 * i)
    repo.git("commit", "-q", "--allow-empty", "-m", "empty")  # a commit without changes
    out = subprocess.run(
        [
            "git",
            "log",
            "-z",
            "--raw",
            "--no-abbrev",
            "--root",
            "--full-history",
            "--sparse",
            LOG_FORMAT,
            "--",
            "_cache",
        ],
        cwd=repo.path,
        env=repo.env(),
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    whole = list(parse_log([out]))
    assert len(whole) == len(SUBJECTS) + 2
    assert [c.subject for c in whole[1:-1]] == [s for _, s in reversed(SUBJECTS)]
    assert whole[0].changes == () and all(c.changes for c in whole[1:])
    for size in (1, 2, 7, 41, 4096):
        blocks = [out[i : i + size] for i in range(0, len(out), size)]
        assert list(parse_log(blocks)) == whole, size


def test_a_new_index_in_a_read_only_folder_says_so(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "index.sqlite"
    with read_only(folder):
        for command in COMMANDS:
            code, out, err = run(*command, *where(catalog, path))
            assert (code, out) == (3, ""), command
            line = one_error_line(err)
            assert f"{path}: the index or its folder is read-only" in line
    assert list(folder.iterdir()) == []
