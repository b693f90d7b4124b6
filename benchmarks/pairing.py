#!/usr/bin/env python3
"""Time ``catalog-diff diff`` on one package whose specs crowd into one pairing key.

Writes two snapshot files per shape into a temporary folder, then runs the real command
line on them (``.venv/bin/catalog-diff diff OLD NEW --format json``) and prints a Markdown
table of the best wall time of a few runs. Standard library only.

Shapes (N specs on each side, one package, one tag):

- ``distinct``: every spec has its own build configuration; every one is rebuilt (a new
  hash), so each pairs with exactly one candidate.
- ``one-build``: every spec has the same build configuration; every one is rebuilt, so all
  N old specs compete for the same N new ones in the ``rebuilt`` tier.
- ``one-hash``: every spec has the same hash on both sides (a catalog where one hash is
  listed many times), with the stacks moved on, so they all match by hash.
- ``one-hash-fields``: the same hash everywhere, and every spec's build configuration
  (a variant) differs between the sides, so every hash-matched pair has field changes.

Usage::

    python benchmarks/pairing.py [--specs 38000] [--runs 3] [--only SHAPE]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "catalog-diff"
SHAPES = ("distinct", "one-build", "one-hash", "one-hash-fields")


def _hash(i: int, side: str) -> str:
    return f"{side}{i:031d}"


def _spec(digest: str, variant: str, stack: str) -> dict[str, object]:
    return {
        "compiler": "gcc@11.4.0",
        "hash": digest,
        "os": "ubuntu22.04",
        "platform": "linux",
        "stacks": [stack],
        "target": "x86_64_v3",
        "variants": ["+shared", variant],
        "versions": ["1.0.0"],
    }


def specs(shape: str, side: str, count: int) -> list[dict[str, object]]:
    """The spec records of one side of one shape."""
    out = []
    for i in range(count):
        if shape == "distinct":
            out.append(_spec(_hash(i, side), f"build={i}", "e4s"))
        elif shape == "one-build":
            out.append(_spec(_hash(i, side), "build=0", "e4s"))
        elif shape == "one-hash":
            out.append(_spec("a" * 32, "build=0", f"stack-{i % 7}-{side}"))
        else:
            out.append(_spec("a" * 32, f"build={i}-{side}", "e4s"))
    return out


def write_snapshot(path: Path, records: list[dict[str, object]], commit: str) -> None:
    doc = {
        "format": "catalog-diff snapshot",
        "version": 1,
        "source": {
            "kind": "snapshot",
            "source": "benchmark",
            "revision": None,
            "commit": commit,
            "date": None,
        },
        "tags": ["develop"],
        "problems": [],
        "packages": [
            {
                "blob": None,
                "name": "crowded",
                "path": "_cache/develop/crowded/specs.md",
                "specs": records,
                "tag": "develop",
            }
        ],
    }
    path.write_text(json.dumps(doc, sort_keys=True), encoding="utf-8")


def time_diff(old: Path, new: Path, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [str(CLI), "diff", str(old), str(new), "--format", "json", "--quiet"],
            capture_output=True,
            timeout=900,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            sys.exit(f"catalog-diff failed ({done.returncode}): {done.stderr.decode()[-500:]}")
        best = min(best, elapsed)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=int, default=38000, help="specs on each side")
    parser.add_argument("--runs", type=int, default=3, help="runs per shape (best is kept)")
    parser.add_argument("--only", choices=SHAPES, help="time one shape only")
    args = parser.parse_args()
    shapes = [args.only] if args.only else list(SHAPES)
    print(f"| shape | specs per side | best of {args.runs} (s) |")
    print("| --- | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="pairing-") as tmp:
        for shape in shapes:
            old, new = Path(tmp, f"{shape}-old.json"), Path(tmp, f"{shape}-new.json")
            write_snapshot(old, specs(shape, "o", args.specs), "1" * 40)
            write_snapshot(new, specs(shape, "n", args.specs), "2" * 40)
            seconds = time_diff(old, new, args.runs)
            print(f"| {shape} | {args.specs:,} | {seconds:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
