"""SIGINT and SIGTERM at any point of any command: real processes, interrupted at random.

A generated catalog (``benchmarks/generate.py OUT --packages 300 --commits 20``) is read
by six commands: ``diff -o``, ``snapshot -o``, ``index``, ``log`` (which brings its
index up to date first), ``lint -o`` and ``release-notes -o``. Each runs once without
interruption, for reference. Then each trial starts one of them as a real process
(``python -m catalog_diff``), waits until it handles its signals itself (before that,
the signal would land in Python's own start-up), sleeps a random time (seeded by the
trial's number) within the command's length, and sends SIGINT or SIGTERM. Each trial
has a hard timeout: a process that does not end fails the test instead of hanging it.

After every trial: the exit code is the command's own (it had finished) or 130/143;
stderr is the command's own or exactly the one line ``catalog-diff: interrupted`` or
``terminated`` (never a traceback, never "Exception ignored"); the output file holds
either the complete report or what it held before, and no temporary file is left; no
process the trial started (git included) is still alive; an interrupted index passes
SQLite's integrity check, and the interrupted runs resume, in the end, to the very same
index and log as the reference.

The suite runs two trials per command (one per signal); a longer series (``-s`` shows
the tally, with the time from signal to exit):
``CATALOG_DIFF_INTERRUPT_TRIALS=300 .venv/bin/python -m pytest tests/test_interrupts.py -s``
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from historytruth import commit_count, dump, integrity
from procs import (
    TIMEOUT,
    marked_env,
    survivors,
    wait_until_handling_signals,
    waiting_in_sleep,
)

ROOT = Path(__file__).resolve().parent.parent
TRIALS = int(os.environ.get("CATALOG_DIFF_INTERRUPT_TRIALS") or 12)
GENERATE = ("--packages", "300", "--commits", "20")
SIGNALS = (signal.SIGINT, signal.SIGTERM)
TOLD = {signal.SIGINT: "catalog-diff: interrupted\n", signal.SIGTERM: "catalog-diff: terminated\n"}
#: Written into an output file before a trial: an interrupted command must leave it so.
BEFORE = b"the report of an earlier run\n"


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]  # {repo}; {dir}: the command's own folder
    output: str | None = None  # the file it writes with -o (else: stdout)
    index: str | None = None  # the index it builds

    def argv(self, repo: Path, folder: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "catalog_diff",
            *(a.replace("{repo}", str(repo)).replace("{dir}", str(folder)) for a in self.args),
        ]


COMMANDS = (
    Command("diff", ("diff", "--repo", "{repo}", "HEAD~20", "HEAD", "-q", "-o", "{dir}/report.txt"),
            output="report.txt"),
    Command("snapshot", ("snapshot", "--repo", "{repo}", "HEAD", "-q", "-o", "{dir}/snap.json.gz"),
            output="snap.json.gz"),
    Command("index", ("index", "--repo", "{repo}", "--index", "{dir}/index.sqlite", "-q"),
            index="index.sqlite"),
    Command("log", ("log", "--repo", "{repo}", "--index", "{dir}/index.sqlite", "-q"),
            index="index.sqlite"),
    Command("lint", ("lint", "--repo", "{repo}", "HEAD", "-q", "-o", "{dir}/lint.txt"),
            output="lint.txt"),
    Command("release-notes", ("release-notes", "--repo", "{repo}", "v0.23.0", "v0.23.1", "-q",
                              "-o", "{dir}/notes.md"), output="notes.md"),
)  # fmt: skip


@dataclass
class Outcome:
    code: int
    stdout: bytes
    stderr: str
    seconds: float  # from the moment it handled signals to its end
    written: bytes | None
    index: dict[str, object] | None


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("interrupts") / "repo"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(repo), *GENERATE],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return repo


@pytest.fixture(scope="module")
def references(catalog: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Each command run once to its end."""
    found = {}
    for command in COMMANDS:
        folder = tmp_path_factory.mktemp(f"reference-{command.name}")
        proc = subprocess.Popen(
            command.argv(catalog, folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_until_handling_signals(proc)
        start = time.monotonic()
        out, err = proc.communicate(timeout=TIMEOUT)
        found[command.name] = _outcome(command, folder, proc, out, err, start)
        assert found[command.name].code in (0, 1), (command.name, err)
    return found


def test_interrupted_at_random_points_every_command_ends_cleanly(
    catalog: Path, references: dict[str, Outcome], tmp_path: Path
) -> None:
    tally: Counter[str] = Counter()
    slowest = 0.0
    for trial in range(TRIALS):
        rng = random.Random(trial)
        command = COMMANDS[trial % len(COMMANDS)]
        sig = SIGNALS[trial // len(COMMANDS) % len(SIGNALS)]
        reference = references[command.name]
        folder = tmp_path / command.name  # kept across trials: an index resumes
        folder.mkdir(exist_ok=True)
        if command.output:
            (folder / command.output).write_bytes(BEFORE)
        # Each command's first trial is signalled as soon as it handles signals.
        delay = 0.0 if trial < len(COMMANDS) else rng.uniform(0, reference.seconds * 1.1)
        token = f"{trial}-{command.name}-{sig.name}"
        proc = subprocess.Popen(
            command.argv(catalog, folder),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=marked_env(token),
        )
        try:
            wait_until_handling_signals(proc)
            time.sleep(delay)
            sent = time.monotonic()
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:  # hung: fail, and leave nothing running
                proc.kill()
                proc.communicate(timeout=TIMEOUT)
        outcome = _outcome(command, folder, proc, out, err, sent)
        where = (trial, command.name, sig.name, round(delay, 3), outcome.code, outcome.stderr)
        assert "Traceback" not in outcome.stderr and "Exception" not in outcome.stderr, where
        assert survivors(token) == [], where
        assert sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial")) == []
        if outcome.code == 128 + sig:
            tally[f"{command.name} {sig.name}"] += 1
            slowest = max(slowest, outcome.seconds)
            assert outcome.stderr == TOLD[sig], where
            if command.output:  # left as it was, or (signalled once it was written) whole
                assert outcome.written in (BEFORE, reference.written), where
            if command.index and (folder / command.index).exists():
                assert integrity(folder / command.index) == "ok", where
        else:
            tally[f"{command.name} finished"] += 1
            assert (outcome.code, outcome.stderr) == (reference.code, reference.stderr), where
            assert outcome.written == reference.written, where
            assert outcome.stdout == reference.stdout, where
            if command.index:
                assert outcome.index == reference.index, where
                for file in folder.iterdir():  # the next trial builds it anew
                    file.unlink()
        if trial < len(COMMANDS):
            assert outcome.code == 128 + sig, where  # interrupted while it starts
    # Every index that was interrupted resumes to the reference, and so does its log.
    for command in COMMANDS:
        folder = tmp_path / command.name
        if not command.index or not folder.exists():
            continue
        done = subprocess.run(
            command.argv(catalog, folder), capture_output=True, check=False, timeout=TIMEOUT
        )
        outcome = Outcome(
            done.returncode, done.stdout, done.stderr.decode(), 0, None,
            dump(folder / command.index),
        )  # fmt: skip
        reference = references[command.name]
        assert (outcome.code, outcome.stdout, outcome.index) == (
            reference.code,
            reference.stdout,
            reference.index,
        ), command.name
    shown = ", ".join(f"{k}: {n}" for k, n in sorted(tally.items()))
    print(f"\ninterrupts: {TRIALS} trials ({shown}); slowest exit after a signal {slowest:.2f}s")


def _outcome(
    command: Command,
    folder: Path,
    proc: subprocess.Popen[bytes],
    out: bytes,
    err: bytes,
    start: float,
) -> Outcome:
    seconds = time.monotonic() - start
    written = (folder / command.output).read_bytes() if command.output else None
    index = None
    if command.index and proc.returncode in (0, 1):
        index = dump(folder / command.index)
    return Outcome(proc.returncode, out, err.decode("utf-8"), seconds, written, index)


# ---- a signal while SQLite waits ---------------------------------------------------------


@pytest.mark.parametrize("sig", SIGNALS, ids=lambda s: s.name)
def test_a_signal_while_sqlite_waits_for_a_lock_ends_the_command(
    catalog: Path, references: dict[str, Outcome], tmp_path: Path, sig: signal.Signals
) -> None:
    """Another program holds the index's write lock: ``index`` waits inside SQLite (up to
    ten minutes), where no Python code runs and so no signal handler either. The signal
    still ends it, with its exit code and its one line (the watchdog's doing); the index
    is as it was, and resumes."""
    path = tmp_path / "index.sqlite"
    command = ["index", "--repo", str(catalog), "--index", str(path), "-q"]
    first = subprocess.run(
        [sys.executable, "-m", "catalog_diff", *command[:1], "HEAD~10", *command[1:]],
        capture_output=True,
        check=False,
        timeout=TIMEOUT,
    )
    assert first.returncode == 0, first.stderr
    held = sqlite3.connect(path, isolation_level=None)
    try:
        held.execute("BEGIN IMMEDIATE")
        token = f"locked-{sig.name}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "catalog_diff", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=marked_env(token),
        )
        try:
            deadline = time.monotonic() + TIMEOUT
            while not waiting_in_sleep(proc.pid):
                assert proc.poll() is None, proc.communicate(timeout=TIMEOUT)
                assert time.monotonic() < deadline, "never waited for the lock"
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=TIMEOUT)
    finally:
        held.execute("ROLLBACK")
        held.close()
    assert (proc.returncode, out, err.decode()) == (128 + sig, b"", TOLD[sig])
    assert survivors(token) == []
    assert integrity(path) == "ok" and commit_count(path) == 11
    done = subprocess.run(
        [sys.executable, "-m", "catalog_diff", *command],
        capture_output=True,
        check=False,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert dump(path) == references["index"].index


# ---- the cat-file stream -----------------------------------------------------------------

#: A stream whose reader fails at git's first answer (a name git answers in a form the
#: reader does not know) while git, behind it, still has thousands of blobs to answer:
#: git's output pipe fills, git stops reading its input, and the thread writing that
#: input waits. Closing the stream must stop git rather than wait for that thread.
READER_FAILS = """
import sys
from catalog_diff.errors import GitError
from catalog_diff.git.repository import GitRepository
repo, oid = sys.argv[1], sys.argv[2]
with GitRepository(repo) as git_repo:
    stream = git_repo.read_blobs(["not an object id"] + [oid] * 20000)
    try:
        next(stream)
    except GitError as exc:
        print(exc.reason)
    stream.close()
"""


def test_a_stream_whose_reader_fails_early_closes_without_waiting_for_git(
    catalog: Path,
) -> None:
    listing = subprocess.run(
        ["git", "-C", str(catalog), "ls-tree", "-r", "-l", "HEAD", "--", "_cache/develop"],
        capture_output=True,
        text=True,
        check=True,
        timeout=TIMEOUT,
    ).stdout.splitlines()
    size, oid = max((int(line.split()[3]), line.split()[2]) for line in listing)
    assert size * 20000 > 1 << 20  # more than git's widened output pipe holds
    token = "reader-fails"
    done = subprocess.run(
        [sys.executable, "-c", READER_FAILS, str(catalog), oid],
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
        env=marked_env(token),
    )
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "unexpected output from cat-file\n",
        "",
    )
    assert survivors(token) == []


# A finalizer that fails: an object an interruption left half made (GitPython's config
# parser cut off in its __init__ fails so in __del__), or a plain bug in a finalizer.
_FAILING_FINALIZER = """
import os, signal, sys, time
from catalog_diff.process import interrupts

class HalfMade:
    def __del__(self):
        raise AttributeError("'HalfMade' object has no attribute '_lock'")

interrupts.install()
if sys.argv[1] == "interrupted":
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    except interrupts.Interrupted as exc:
        half = HalfMade()
        del half
        sys.exit(interrupts.tell(exc))
half = HalfMade()
del half
"""


@pytest.mark.parametrize(
    "case, code, told",
    [
        ("interrupted", 130, "catalog-diff: interrupted\n"),
        (
            "not-interrupted",
            0,
            "catalog-diff: warning: ignored in HalfMade.__del__: "
            "AttributeError: 'HalfMade' object has no attribute '_lock'\n",
        ),
    ],
)
def test_a_failing_finalizer_never_prints_a_traceback(case: str, code: int, told: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _FAILING_FINALIZER, case],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert (done.returncode, done.stderr) == (code, told)
