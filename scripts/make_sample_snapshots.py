"""Rebuild the bundled snapshots in ``snapshots/`` from the real samples.

The two weekly develop snapshots of the samples (tests/fixtures/catalog-samples) are
committed, one after the other, as ``_cache/develop/`` of a throwaway git repository with a
pinned author and dates, and each commit is saved with ``catalog-diff snapshot``. The
result is byte-for-byte reproducible; a test checks that the files in ``snapshots/`` are
what this script writes.

    python scripts/make_sample_snapshots.py [OUTDIR]     # default: snapshots/
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "fixtures" / "catalog-samples" / "cache"
WEEKS = (
    ("develop-2025-03-23", "2025-03-23T06:00:00+00:00"),
    ("develop-2025-03-30", "2025-03-30T06:00:00+00:00"),
)


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "catalog bot",
        "GIT_AUTHOR_EMAIL": "bot@example.invalid",
        "GIT_COMMITTER_NAME": "catalog bot",
        "GIT_COMMITTER_EMAIL": "bot@example.invalid",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def build(outdir: Path) -> list[Path]:
    from catalog_diff.api import snapshot
    from catalog_diff.sources.snapshotfile import write

    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp, "catalog")
        repo.mkdir()
        _git(repo, "init", "-q", "-b", "main")
        for tag, date in WEEKS:
            shutil.rmtree(repo / "_cache", ignore_errors=True)
            shutil.copytree(SAMPLES / tag, repo / "_cache" / "develop")
            _git(repo, "add", "-A", "_cache")
            _git(repo, "commit", "-q", "-m", f"Update develop ({tag})", date=date)
            _git(repo, "tag", tag)
            target = outdir / f"{tag}.json"
            write(str(target), snapshot(tag, repo=str(repo)))
            written.append(target)
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "snapshots"
    for path in build(out):
        print(path)
