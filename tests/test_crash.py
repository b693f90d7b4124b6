"""The history index survives being killed at any point: kill-and-resume trials.

A generated catalog (``benchmarks/generate.py OUT --packages 300 --commits 20``) is
indexed once without interruption. Then each trial starts ``catalog-diff index`` in a real
process and, once the process handles its signals, sends it a signal (SIGKILL, SIGINT or
SIGTERM, in turn) after a random delay, as many times as it takes until a run finishes on
its own; SIGINT and SIGTERM must end it with 130 and 143 and one line, and after every
interruption the index must pass SQLite's integrity check (a read-only reader included:
a kill while the index is created must leave no rollback journal that such a reader
cannot replay); at the end it must be identical, row for row, to the uninterrupted build
(``historytruth.dump``). The indexer runs with small transactions (200 files) so that
kills land between many of them. Every wait on a process has a timeout.

The suite runs a few trials (about ten seconds); a longer series:
``CATALOG_DIFF_CRASH_TRIALS=200 .venv/bin/python -m pytest tests/test_crash.py -s``
(``-s`` shows the tally).
"""

from __future__ import annotations

import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from git import GitCommandError

from catalog_diff.errors import GitError
from catalog_diff.git.repository import GitRepository
from catalog_diff.history.index import HistoryIndex
from historytruth import commit_count, dump, integrity
from procs import TIMEOUT, wait_until_handling_signals

ROOT = Path(__file__).resolve().parent.parent
TRIALS = int(os.environ.get("CATALOG_DIFF_CRASH_TRIALS") or 6)
SIGNALS = (signal.SIGKILL, signal.SIGINT, signal.SIGTERM)
GENERATE = ("--packages", "300", "--commits", "20")

#: ``catalog-diff`` (its console script's entry point) with transactions of 200 files
#: (the default is 4000). Signals are taken in hand first, as the entry point does; a
#: signal while this sets it up is told like the command's own.
INDEXER = """
import sys
from catalog_diff.process import interrupts
try:
    interrupts.install()
    import catalog_diff.history.ingest as ingest
    from catalog_diff.entry import main
    ingest.CHUNK_BLOBS = 200
except interrupts.Interrupted as exc:
    sys.exit(interrupts.tell(exc))
sys.argv[0] = "catalog-diff"
main()
"""
TOLD = {
    signal.SIGKILL: "",
    signal.SIGINT: "catalog-diff: interrupted\n",
    signal.SIGTERM: "catalog-diff: terminated\n",
}


def index_command(repo: Path, path: Path) -> list[str]:
    return [sys.executable, "-c", INDEXER, "index", "-q", "--repo", str(repo), "--index", str(path)]


def run_index(repo: Path, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        index_command(repo, path), capture_output=True, text=True, check=False, timeout=TIMEOUT
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """The catalog, its uninterrupted index, and how long building that took."""
    folder = tmp_path_factory.mktemp("crash")
    repo = folder / "repo"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(repo), *GENERATE],
        check=True,
        capture_output=True,
        timeout=600,
    )
    reference = folder / "reference.sqlite"
    start = time.perf_counter()
    done = run_index(repo, reference)
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert commit_count(reference) == 21
    return repo, reference, took


def test_killed_at_random_points_the_index_resumes_to_the_same_index(
    generated: tuple[Path, Path, float], tmp_path: Path
) -> None:
    repo, reference, took = generated
    expected = dump(reference)
    identical = 0
    outcomes: Counter[str] = Counter()
    for trial in range(TRIALS):
        rng = random.Random(trial)
        sig = SIGNALS[trial % len(SIGNALS)]
        path = tmp_path / f"trial-{trial}.sqlite"
        for _ in range(50):
            proc = subprocess.Popen(
                index_command(repo, path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            try:
                wait_until_handling_signals(proc)
                time.sleep(rng.uniform(0, took * 1.2))
                proc.send_signal(sig)
                _, err = proc.communicate(timeout=TIMEOUT)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate(timeout=TIMEOUT)
            if proc.returncode == 0:
                assert err == b"", err
                outcomes["finished first"] += 1
                break
            # SIGINT and SIGTERM: the transaction under way is rolled back and the command
            # says so in one line; SIGKILL ends the process where it stands.
            code = -signal.SIGKILL if sig == signal.SIGKILL else 128 + sig
            assert (proc.returncode, err.decode()) == (code, TOLD[sig])
            outcomes[f"{signal.Signals(sig).name} at {_stage(path)}"] += 1
            if path.exists() and path.stat().st_size:
                assert integrity(path) == "ok"
        else:
            pytest.fail("the indexer never finished")
        done = run_index(repo, path)
        assert done.returncode == 0, done.stderr
        assert integrity(path) == "ok"
        if dump(path) == expected:
            identical += 1
    tally = ", ".join(f"{k}: {n}" for k, n in sorted(outcomes.items()))
    print(f"\nkill-and-resume: {identical}/{TRIALS} trials identical ({tally})")
    assert identical == TRIALS


def _stage(path: Path) -> str:
    """Where an interruption left the index: no file, no commit yet, or some commits."""
    count = commit_count(path) if path.exists() else None
    if count is None:
        return "start"
    return "no commit" if count == 0 else "some commits" if count < 21 else "all commits"


class _StopAfterCommit:
    """A connection that raises KeyboardInterrupt right after its first COMMIT, inside the
    ingest's transaction block: the moment a Ctrl-C can land after the work is saved."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.armed = True

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        cursor = self._conn.execute(sql, *args)
        if self.armed and sql == "COMMIT":
            self.armed = False
            raise KeyboardInterrupt
        return cursor

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_an_interruption_just_after_a_commit_is_an_interruption(
    generated: tuple[Path, Path, float], tmp_path: Path
) -> None:
    """Found by the trials above: the rollback of a committed transaction failed ("cannot
    rollback - no transaction is active") and turned a Ctrl-C into an internal error."""
    repo, reference, _ = generated
    path = tmp_path / "index.sqlite"
    index = HistoryIndex(path)
    index.conn = _StopAfterCommit(index.conn)  # type: ignore[assignment]
    with GitRepository(str(repo)) as git_repo, pytest.raises(KeyboardInterrupt):
        index.update(git_repo, git_repo.resolve("HEAD"))
    index.close()
    assert integrity(path) == "ok" and (commit_count(path) or 0) > 0
    done = run_index(repo, path)
    assert done.returncode == 0, done.stderr
    assert dump(path) == dump(reference)


class _DyingLog:
    """A `git log` process that dies when its output is closed (as git does of a broken
    pipe) or fails at the end."""

    def __init__(self) -> None:
        fields = [b"a" * 40, b"", b"2025-01-01T00:00:00+00:00", b"0", b"s"]
        record = b"\0".join(fields) + b"\0"  # git log -z: NUL-separated, nothing else
        self.proc = SimpleNamespace(stdout=io.BytesIO(record * 3), kill=lambda: None)

    def wait(self) -> None:
        raise GitCommandError(["git", "log"], -13, b"")


def test_a_log_stream_stopped_early_is_quiet(
    generated: tuple[Path, Path, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the trials above: stopping the `git log` stream early (a Ctrl-C while the
    index is built) made git die of a broken pipe, and that error replaced the
    interruption (exit 4 instead of 130). A failure of a log read to its end is a data
    error, never an internal one."""
    repo, _, _ = generated
    with GitRepository(str(repo)) as git_repo:
        # GitPython's Git has slots: the command is replaced on its class, for this test.
        dying = lambda self, *a, **k: _DyingLog()  # noqa: E731
        monkeypatch.setattr(type(git_repo._git), "log", dying, raising=False)
        stream = git_repo.first_parent_log("HEAD", None)
        next(stream)
        stream.close()  # quiet
        with pytest.raises(GitError):
            list(git_repo.first_parent_log("HEAD", None))
