#!/usr/bin/env python3
"""Peak memory of catalog-diff on a snapshot file of a million specs.

Builds two snapshot files from the real specs of ``snapshots/develop-2025-03-30.json``
(every spec copied with new hashes until there are ``--specs`` of them, spread over
packages and tags the way the catalog spreads them), the second with a tenth of the
specs rebuilt. Then runs the real command line on them, one child at a time, and reports
each child's peak resident memory (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``,
the figure ``/usr/bin/time -v`` calls "Maximum resident set size") and wall time:

- ``show``: load one file and print its totals;
- ``diff --totals``: load both and compare every package;
- ``diff``: the report of what changed (JSON).

Standard library only. Usage::

    python benchmarks/memory.py [--specs 1000000] [--gzip] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "catalog-diff"
SAMPLE = ROOT / "snapshots" / "develop-2025-03-30.json"
#: Specs per package file and tags, about as in the catalog.
SPECS_PER_PACKAGE = 40
TAGS = 25


def build(count: int, rebuilt_share: float) -> dict[str, Any]:
    """A snapshot document of ``count`` specs made from the sample's real ones."""
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    real = [spec for package in sample["packages"] for spec in package["specs"]]
    packages = []
    made = 0
    number = 0
    while made < count:
        tag = f"develop-{number % TAGS:02d}"
        size = min(SPECS_PER_PACKAGE, count - made)
        specs = []
        for i in range(size):
            spec = copy.copy(real[(made + i) % len(real)])
            n = made + i
            rebuilt = (n % int(1 / rebuilt_share)) == 0 if rebuilt_share else False
            spec["hash"] = f"{n:026d}{'r' if rebuilt else 'h'}aaaaa"
            specs.append(spec)
        specs.sort(key=lambda s: s["hash"])
        name = f"pkg{number // TAGS:06d}"
        packages.append(
            {
                "blob": None,
                "name": name,
                "path": f"_cache/{tag}/{name}/specs.md",
                "specs": specs,
                "tag": tag,
            }
        )
        made += size
        number += 1
    packages.sort(key=lambda p: (p["tag"], p["name"]))
    return {
        "format": "catalog-diff snapshot",
        "version": 1,
        "source": {
            "kind": "snapshot",
            "source": "benchmark",
            "revision": None,
            "commit": None,
            "date": None,
        },
        "tags": sorted({p["tag"] for p in packages}),
        "problems": [],
        "packages": packages,
    }


def write(path: Path, doc: dict[str, Any], gz: bool) -> None:
    """As ``catalog-diff snapshot`` writes a file: the head, then a package a line."""
    compact: dict[str, Any] = {"sort_keys": True, "separators": (",", ":")}
    head = {k: v for k, v in doc.items() if k != "packages"}
    lines = [json.dumps(p, **compact) for p in doc["packages"]]
    text = json.dumps(head, **compact)[:-1] + ',"packages":[\n' + ",\n".join(lines) + "\n]}\n"
    data = text.encode("utf-8")
    if gz:
        path.write_bytes(gzip.compress(data, mtime=0))
    else:
        path.write_bytes(data)


def measure(args: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MiB and exit code of one child run."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(CLI), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=1800
    )
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"catalog-diff {' '.join(args)}: exit {done.returncode}: {done.stderr!r}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, peak_kib // 1024, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=int, default=1_000_000)
    parser.add_argument("--gzip", action="store_true", help="write .json.gz files")
    parser.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".json.gz" if args.gzip else ".json"
    old, new = folder / f"old{suffix}", folder / f"new{suffix}"
    write(old, build(args.specs, 0.0), args.gzip)
    write(new, build(args.specs, 0.1), args.gzip)
    print(f"{args.specs:,} specs per file; {old.stat().st_size / 2**20:.0f} MiB on disk")
    print("| command | wall (s) | peak RSS (MiB) |")
    print("| --- | ---: | ---: |")
    runs = [
        ("show", ["show", str(old)]),
        ("diff --totals", ["diff", str(old), str(new), "--totals"]),
        ("diff --format json", ["diff", str(old), str(new), "--format", "json"]),
    ]
    # ru_maxrss of RUSAGE_CHILDREN is the largest of all children so far: the runs go
    # from the smallest to the largest, and each is measured in a fresh process.
    for label, argv in runs:
        elapsed, peak, _ = _fresh(argv)
        print(f"| `{label}` | {elapsed:.1f} | {peak} |", flush=True)
    if not args.keep:
        for path in (old, new):
            path.unlink()
        folder.rmdir()
    return 0


def _fresh(argv: list[str]) -> tuple[float, int, int]:
    """Measure in a child of a child, so that each figure is that run's own peak."""
    folder = str(Path(__file__).parent)
    code = (
        f"import sys, json; sys.path.insert(0, {folder!r}); import memory; "
        f"print(json.dumps(memory.measure({argv!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=1800, check=True
    )
    elapsed, peak, status = json.loads(done.stdout)
    return float(elapsed), int(peak), int(status)


if __name__ == "__main__":
    sys.exit(main())
