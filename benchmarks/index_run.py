"""Time the history index side by side with git, on a repository made by generate.py.

Standard library only. Each row is a whole process, run round-robin after one untimed
warm-up round; median, min and max over ``--runs`` rounds. Peak memory is the process's
own ``ru_maxrss`` as ``/usr/bin/time -f %M`` reports it (git's children included).

    python benchmarks/index_run.py --repo /tmp/bench-catalog [--runs 5] [--at REV ...]
        [--code OTHER/src]   # time another checkout's code (e.g. before a change)
        [--index FILE]       # only the queries and the re-run, on an index built already
        [--package P --target T]   # the package and target of history and when
        [--new-day FILE]     # also "one new day": FILE an index built up to REV~1
        [--out FILE]         # also write the tables into FILE, in index_run.py's block

For each ``--at`` revision (default: ``main``), it measures on the first-parent history
up to that revision:

- ``git log -p --first-parent REV -- _cache`` (the reference) and a first index build
  (a fresh index file every round);
- ``python -c pass`` and an up-to-date ``catalog-diff index`` re-run;
- ``log -n 10``, ``history PKG`` and ``when PKG target T`` with ``--no-update``;
- the index file's size against the distinct bytes of the package files it covers
  (every blob of a ``specs.md`` that some indexed commit holds), and the peak memory of
  the build;
- with ``--new-day FILE`` (an index built up to the commit before ``REV``): ``index REV``
  on a fresh copy of FILE each round (the copy is not timed), its peak memory too.

With ``--out FILE`` the tables also go into FILE between the markers of index_run.py's
block, and the rest of FILE is kept (``run.py --out`` writes its own block of the same
file: see sections.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sections import write_section

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def timed(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run; its output thrown away."""
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *argv],
        env=env or ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
        timeout=3600,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise SystemExit(f"{argv}: exit {done.returncode}: {done.stderr.decode()[-500:]}")
    return seconds, int(done.stderr.decode().strip().splitlines()[-1])


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], env=ENV, capture_output=True, text=True, check=True
    ).stdout


def covered_bytes(repo: Path, rev: str) -> tuple[int, int]:
    """Distinct package-file blobs along first-parent history up to ``rev``: count, bytes."""
    out = git(
        repo, "log", "--first-parent", "--raw", "--no-abbrev", "--format=", rev, "--", "_cache"
    )
    oids = set()
    for line in out.splitlines():
        if not line.startswith(":"):
            continue
        meta, _, path = line.partition("\t")
        fields = meta.split()
        if fields[1] != "000000" and path.endswith("/specs.md"):
            oids.add(fields[3])
    sizes = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch-check=%(objectsize)"],
        input="\n".join(sorted(oids)) + "\n",
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return len(oids), sum(int(s) for s in sizes)


def pick_package(repo: Path, rev: str) -> tuple[str, str]:
    """The develop package with the most specs at ``rev``, and one target it has."""
    best = ("", 0, "")
    listing = git(repo, "ls-tree", "-r", "--name-only", rev, "_cache/develop/")
    for path in listing.splitlines()[::25]:
        text = git(repo, "show", f"{rev}:{path}")
        n = text.count('"hash": "')
        if n > best[1]:
            target = text.split('"target": "', 1)[1].split('"', 1)[0]
            best = (path.split("/")[2], n, target)
    return best[0], best[2]


def stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def measure(
    repo: Path,
    rev: str,
    runs: int,
    work: Path,
    code: Path | None,
    built: Path | None = None,
    query: tuple[str, str] | None = None,
    day: Path | None = None,
) -> list[str]:
    """The table for one revision; ``built``: time the queries on that index alone."""
    # The catalog-diff under test: the venv's, or the package found under ``code``.
    cd = str(VENV / "catalog-diff")
    env = ENV
    if code is not None:
        cd = str(VENV / "python")
        env = {**ENV, "PYTHONPATH": str(code)}
    count = int(git(repo, "rev-list", "--first-parent", "--count", rev))
    index = built or work / f"index-{count}.sqlite"
    where = ["--repo", str(repo), "--index", str(index)]
    package, target = query or pick_package(repo, rev)
    tool = [cd] if code is None else [cd, "-m", "catalog_diff"]
    rows: dict[str, list[float]] = {}
    peaks: dict[str, int] = {}

    def fresh_build() -> tuple[float, int]:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{index}{suffix}").unlink(missing_ok=True)
        return timed([*tool, "index", rev, *where, "-q"], env)

    commands = {
        "git log -p --first-parent": lambda: timed(
            ["git", "-C", str(repo), "log", "-p", "--first-parent", rev, "--", "_cache"]
        ),
        "catalog-diff index (first build)": fresh_build,
        "python -c pass": lambda: timed([str(VENV / "python"), "-c", "pass"]),
        "catalog-diff index (up to date)": lambda: timed([*tool, "index", rev, *where, "-q"], env),
        "catalog-diff log -n 10": lambda: timed(
            [*tool, "log", rev, *where, "--no-update", "-n", "10", "-q"], env
        ),
        f"catalog-diff history {package}": lambda: timed(
            [*tool, "history", package, rev, *where, "--no-update", "-q"], env
        ),
        f"catalog-diff when {package} --target {target}": lambda: timed(
            [*tool, "when", package, "--target", target, rev, *where, "--no-update", "-q"], env
        ),
    }
    if built is not None:
        for name in ("git log -p --first-parent", "catalog-diff index (first build)"):
            del commands[name]
    if day is not None:
        copy = work / "new-day.sqlite"

        def new_day() -> tuple[float, int]:
            for suffix in ("-wal", "-shm", ".lock"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(day, copy)  # not timed
            return timed(
                [*tool, "index", rev, "--repo", str(repo), "--index", str(copy), "-q"], env
            )

        commands["catalog-diff index (one new day)"] = new_day
    for round_ in range(runs + 1):
        for name, run in commands.items():
            seconds, peak = run()
            if round_ == 0:
                peaks[name] = peak
            else:
                rows.setdefault(name, []).append(seconds)
    blobs, blob_bytes = covered_bytes(repo, rev)
    size = index.stat().st_size
    out = [
        f"### {count} commits (`{rev}`), {runs} runs",
        "",
        "| command | median | min | max | ratio | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    reference = None
    for name, values in rows.items():
        med, lo, hi = stats(values)
        if name in ("git log -p --first-parent", "python -c pass"):
            reference = med
        ratio = f"{med / reference:.2f}x" if reference else ""
        out.append(
            f"| `{name}` | {med:.3f} s | {lo:.3f} s | {hi:.3f} s | {ratio} | "
            f"{peaks[name] / 1024:.1f} MiB |"
        )
    out += [
        "",
        f"Index file {size / 2**20:.1f} MiB; {blobs:,} distinct package-file blobs of "
        f"{blob_bytes / 2**20:.1f} MiB: {size / blob_bytes:.3f} of the blob bytes.",
        "",
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--at", action="append", help="revision(s) to index up to")
    parser.add_argument("--index", type=Path, help="time the queries on this built index")
    parser.add_argument("--package", help="the package of history and when (and --target)")
    parser.add_argument("--target")
    parser.add_argument(
        "--code", type=Path, help="time the catalog_diff package under this folder (a src/)"
    )
    parser.add_argument("--new-day", type=Path, help="an index built up to the commit before")
    parser.add_argument("--out", type=Path, help="write the tables into this file's block too")
    args = parser.parse_args(argv)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="index-bench-") as tmp:
        for rev in args.at or ["main"]:
            query = (args.package, args.target) if args.package else None
            lines += measure(
                args.repo, rev, args.runs, Path(tmp), args.code, args.index, query, args.new_day
            )
    print("\n".join(lines))
    if args.out is not None:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        head = [
            f"Written by `python benchmarks/index_run.py {' '.join(argv or sys.argv[1:])}` "
            f"on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (load average at the end: "
            f"{load}).",
            "",
        ]
        write_section(args.out, "index_run.py", "\n".join(head + lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
