"""Test helpers for real ``catalog-diff`` processes: readiness, signals, what outlives them.

Linux only (they read ``/proc``), as the tests that use them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

#: A test fails, rather than hangs, when a process it waits for takes longer than this.
TIMEOUT = 300

#: The environment variable that marks every process a trial starts (children inherit it).
MARKER = "CATALOG_DIFF_TEST_PROCESS"

_SIGTERM_BIT = 1 << (signal.SIGTERM - 1)


def handles_signals(pid: int) -> bool:
    """Whether the process catches SIGTERM, i.e. catalog-diff has installed its handlers
    (Python itself catches only SIGINT). False for a process that is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text("ascii")
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) & _SIGTERM_BIT)
    return False


def wait_until_handling_signals(proc: subprocess.Popen[bytes], timeout: float = TIMEOUT) -> None:
    """Wait until ``proc`` handles its signals itself, or has ended. A signal sent before
    lands in Python's own start-up, before any code of catalog-diff runs."""
    deadline = time.monotonic() + timeout
    while not handles_signals(proc.pid) and proc.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError("the process never installed its signal handlers")
        time.sleep(0.001)


def _scoped(token: str) -> str:
    """``token`` made unique to this test run: another suite running at the same time on
    the machine marks its processes with the same tokens, and they are not ours."""
    return f"{os.getpid()}:{token}"


def marked_env(token: str) -> dict[str, str]:
    """The environment with :data:`MARKER` set to ``token``, scoped to this test run."""
    return {**os.environ, MARKER: _scoped(token)}


def survivors(token: str) -> list[str]:
    """The command lines of live processes (zombies aside) started with ``token``."""
    needle = f"{MARKER}={_scoped(token)}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text("utf-8", "replace").rpartition(")")[2].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if state not in ("Z", "X"):
            found.append(f"{entry.name} {state} {cmdline}")
    return found


def waiting_in_sleep(pid: int, polls: int = 10, interval: float = 0.02) -> bool:
    """Whether the process's main thread has been sleeping in the kernel (``nanosleep``:
    SQLite's busy handler waiting for a lock) at each of ``polls`` looks in a row."""
    for _ in range(polls):
        try:
            wchan = Path(f"/proc/{pid}/wchan").read_text("ascii", "replace")
        except OSError:
            return False
        if "nanosleep" not in wchan:
            return False
        time.sleep(interval)
    return True
