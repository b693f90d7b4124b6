"""Progress of long loads on a terminal: lint, snapshot, show and diff --totals draw a bar
with a count and a rate on stderr when it is a terminal (a real pseudo-terminal here),
erase it at the end, and print nothing more when stderr is not a terminal or with
--quiet."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from gitrepo import sample_tree, write_tree

CLI = Path(sys.executable).parent / "catalog-diff"
TAGS = ("develop-a", "develop-b", "develop-c", "develop-d", "develop-e")


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two catalogs of 5 tags of 68 and 72 files (more than one report's worth)."""
    base = tmp_path_factory.mktemp("progress")
    old, new = base / "old", base / "new"
    for tag in TAGS:
        write_tree(old, sample_tree("develop-2025-03-23", as_tag=tag))
        write_tree(new, sample_tree("develop-2025-03-30", as_tag=tag))
    return old, new


def _on_terminal(*args: str) -> tuple[int, bytes, bytes]:
    """Run with stderr on a pseudo-terminal (stdout to a file); exit code, stdout, stderr."""
    leader, follower = pty.openpty()
    with tempfile.TemporaryFile() as stdout:
        try:
            done = subprocess.Popen(
                [str(CLI), *args], stdout=stdout, stderr=follower, stdin=subprocess.DEVNULL
            )
            os.close(follower)
            follower = -1
            err = b""
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                if not select.select([leader], [], [], 1.0)[0]:
                    continue
                try:
                    chunk = os.read(leader, 1 << 16)
                except OSError:  # the terminal's other end is closed: the process is done
                    break
                if not chunk:
                    break
                err += chunk
            code = done.wait(timeout=max(deadline - time.monotonic(), 1))
        finally:
            os.close(leader)
            if follower >= 0:
                os.close(follower)
        stdout.seek(0)
        return code, stdout.read(), err


BAR = re.compile(rb"\r\[[#-]{30}\] read (\d+)/(\d+) files \(\d+\.\d files/s\)")


@pytest.mark.parametrize(
    "command",
    [
        ("lint", "{new}"),
        ("snapshot", "{new}", "-o", "{tmp}/s.json"),
        ("show", "{new}"),
        ("diff", "{old}", "{new}", "--totals"),
    ],
)
def test_a_bar_on_a_terminal_and_nothing_elsewhere(
    command: tuple[str, ...], catalogs: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = catalogs
    args = [a.format(old=old, new=new, tmp=tmp_path) for a in command]
    code, out, err = _on_terminal(*args)
    bars = BAR.findall(err)
    assert bars, err
    assert all(int(done) <= int(total) for done, total in bars)
    assert bars[-1][0] == bars[-1][1]  # ends full
    assert b"\r\x1b[K" in err  # and is erased
    assert b"Traceback" not in err
    # The report is the same, and stdout holds no bar.
    piped = subprocess.run([str(CLI), *args], capture_output=True, timeout=300, check=False)
    assert (piped.returncode, piped.stdout) == (code, out)
    assert b"files/s" not in piped.stderr and b"\r" not in piped.stderr
    # --quiet: no bar on a terminal either.
    quiet = _on_terminal(*args, "--quiet")
    assert b"files/s" not in quiet[2]


COMMITS_BAR = re.compile(
    rb"\r\[[#-]{30}\] (indexed|read) (\d+)/(\d+) commits \(\d+\.\d commits/s\)"
)


def test_index_and_trends_show_a_bar_of_commits(tmp_path: Path) -> None:
    from historytruth import build_history

    repo, shas = build_history(tmp_path / "catalog")
    index = str(tmp_path / "index.sqlite")
    args = ["trends", "--repo", str(repo.path), "--index", index, "-o", str(tmp_path / "t.html")]
    code, _, err = _on_terminal(*args)
    assert code == 0, err
    bars = COMMITS_BAR.findall(err)
    assert {verb for verb, _, _ in bars} == {b"indexed", b"read"}
    walked = [(int(d), int(t)) for verb, d, t in bars if verb == b"read"]
    assert walked[-1] == (len(shas), len(shas))  # the walk ends full
    assert b"\r\x1b[K" in err and b"Traceback" not in err
    quiet = _on_terminal(*args, "--no-update", "--quiet")
    assert quiet[0] == 0 and b"commits/s" not in quiet[2]
    piped = subprocess.run(
        [str(CLI), *args, "--no-update"], capture_output=True, timeout=300, check=False
    )
    assert piped.returncode == 0 and b"commits/s" not in piped.stderr and b"\r" not in piped.stderr
