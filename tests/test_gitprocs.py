"""How many git processes a diff starts, counted by a ``git`` on PATH that logs each
run and hands over to the real git.

A consecutive diff asks its revisions, commits, folders and "is this a blob" of one
``git cat-file --batch``, lists what changed with one ``diff-tree`` and reads each
side's changed files with one ``cat-file --batch``: four processes, and no ``git
version`` (GitPython's import-time check is made without running git). The report is
the same, byte for byte, as the one a run without the counting ``git`` writes, and the
same from a SHA-256 repository but for the commit ids.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gitrepo import SAMPLES, GitRepoBuilder

PACKAGES = ("bc", "cmake", "python")
DATES = ("2025-03-23T06:00:00+00:00", "2025-03-30T06:00:00+00:00")


def build(path: Path, object_format: str = "sha1") -> GitRepoBuilder:
    """Three packages at develop-2025-03-23, then at develop-2025-03-30."""
    repo = GitRepoBuilder(path, object_format)
    for tag_dir, date in zip(("develop-2025-03-23", "develop-2025-03-30"), DATES, strict=True):
        repo.write(
            {
                f"_cache/develop/{p}/specs.md": (
                    SAMPLES / "cache" / tag_dir / p / "specs.md"
                ).read_bytes()
                for p in PACKAGES
            }
        )
        repo.commit(f"develop {date[:10]}\n\nthe weekly rebuild\n", date=date)
    return repo


def counting_git(folder: Path, log: Path) -> dict[str, str]:
    """An environment whose ``git`` appends its arguments to ``log``, then runs git."""
    real = shutil.which("git")
    assert real is not None
    folder.mkdir()
    shim = folder / "git"
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHON"))}
    env.update(
        PATH=f"{folder}{os.pathsep}{env.get('PATH', '')}",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    code = "import sys; from catalog_diff.entry import main; sys.argv[0] = 'catalog-diff'; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        check=False,
        timeout=180,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.decode("utf-8")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_consecutive_diff_starts_four_git_processes(fmt: str, tmp_path: Path) -> None:
    repo = build(tmp_path / "repo")
    log = tmp_path / "git.log"
    env = counting_git(tmp_path / "bin", log)
    args = ["diff", "HEAD~1", "HEAD", "--repo", str(repo.path), "--format", fmt]
    counted = run(args, env)
    started = log.read_text().splitlines()
    assert len(started) <= 4, started
    assert not [line for line in started if line.split()[-1:] == ["version"]], started
    assert any(" diff-tree " in line for line in started), started
    # The same report as a run with the git on PATH.
    plain = {k: v for k, v in env.items() if k != "PATH"}
    plain["PATH"] = os.environ.get("PATH", "")
    assert counted == run(args, plain)


def test_commit_date_read_from_the_commit_object(tmp_path: Path) -> None:
    """The commit's date, read from the object by the one ``cat-file``, is what ``git
    log --format=%cI`` says, time zone included."""
    repo = GitRepoBuilder(tmp_path / "repo")
    repo.write(
        {
            "_cache/develop/bc/specs.md": (
                SAMPLES / "cache/develop-2025-03-23/bc/specs.md"
            ).read_bytes()
        }
    )
    repo.commit("  \n\n  first line of the message  \nsecond\n", date="2025-03-23T06:00:00-05:30")
    log = tmp_path / "git.log"
    env = counting_git(tmp_path / "bin", log)
    out = run(["show", "HEAD", "--repo", str(repo.path), "--format", "json"], env)
    date = repo.git("log", "-1", "--format=%cI").strip()
    assert date == "2025-03-23T06:00:00-05:30"
    assert f'"{date}"' in out


def test_the_files_a_diff_reads_again_for_its_kinds_are_read_once(tmp_path: Path) -> None:
    """bc loses its neoverse_v2 spec (stack e4s-neoverse-v2): whether the target and the
    stack are gone from the whole tag, the files the diff did not read (cmake and python,
    the same on both sides) tell. Those that hold them are read once, by the one
    ``cat-file --batch`` that looks at their bytes, not a second time to parse them; and
    the tag keeps the target and the stack."""
    repo = build(tmp_path / "repo")
    bc = (SAMPLES / "cache" / "develop-2025-03-30" / "bc" / "specs.md").read_bytes()
    lines = bc.split(b"\n")
    (at,) = [i for i, line in enumerate(lines) if line.startswith(b"spec_details: ")]
    specs = json.loads(lines[at].removeprefix(b"spec_details: "))
    kept = [s for s in specs if s["target"] != "neoverse_v2"]
    assert len(kept) == len(specs) - 1
    lines[at] = b"spec_details: " + json.dumps(kept, sort_keys=True).encode()
    repo.write({"_cache/develop/bc/specs.md": b"\n".join(lines)})
    repo.commit("bc without its neoverse_v2 build", date="2025-03-31T06:00:00+00:00")
    log = tmp_path / "git.log"
    env = counting_git(tmp_path / "bin", log)
    args = ["diff", "HEAD~1", "HEAD", "--repo", str(repo.path), "--format", "json", "-q"]
    report = json.loads(run(args, env))
    started = log.read_text().splitlines()
    batches = [line for line in started if "cat-file" in line and "--batch" in line.split()]
    # revisions and commits, the old side, the new side, and the rest of develop once
    assert len(batches) == 4, started
    assert len(started) == 6, started  # and diff-tree, ls-tree of develop
    (change,) = report["packages"]
    assert change["name"] == "bc"
    assert change["targets"] == {"added": [], "removed": ["neoverse_v2"]}
    codes = {(c["code"], c["subject"]) for c in report["changes"]}
    assert not {code for code, subject in codes if code in ("target-dropped", "stack-removed")}
