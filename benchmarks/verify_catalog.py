#!/usr/bin/env python3
"""Check a catalog repository made by generate.py: read every file of the last commit.

Usage: ``python benchmarks/verify_catalog.py OUTDIR [REF]`` (REF defaults to the last
``day-NNN`` tag recorded in ``OUTDIR/.git/bench.json``).  Checks the exact 7-line format
(no trailing newline), that the meta and spec_details lines are canonical
``json.dumps(sort_keys=True)`` text, that meta matches spec_details, that hashes are
sorted 32-char base32, and (for the default REF) the totals recorded in bench.json.
Prints the develop statistics (packages, specs, median specs/package, mean bytes/spec).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from generate import HASH_ALPHABET, git_env, meta_of


def verify(out: Path, info: dict[str, Any], ref: str) -> None:
    """Read every file of ``ref`` back; check format, meta and (at the tip) totals."""
    env = git_env()
    paths = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", ref, "_cache/"],
        cwd=out,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    blobs = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=out,
        env=env,
        check=True,
        input="".join(f"{ref}:{p}\n" for p in paths).encode(),
        capture_output=True,
    ).stdout
    per_tag: dict[str, int] = {}
    pos, counts, nbytes = 0, [], 0
    for path in paths:
        nl = blobs.index(b"\n", pos)
        size = int(blobs[pos:nl].split()[2])
        lines = blobs[nl + 1 : nl + 1 + size].decode().split("\n")
        pos = nl + 2 + size
        _, tag, name, _ = path.split("/")
        per_tag[tag] = per_tag.get(tag, 0) + 1
        assert len(lines) == 7 and lines[0] == lines[6] == "---", path
        assert lines[1:4] == [
            f'title: "{name}"',
            "layout: cache",
            f"categories: [package, {tag}]",
        ], path
        assert lines[4].startswith("meta: ") and lines[5].startswith("spec_details: "), path
        meta, specs = json.loads(lines[4][6:]), json.loads(lines[5][14:])
        assert json.dumps(meta, sort_keys=True) == lines[4][6:], path
        assert json.dumps(specs, sort_keys=True) == lines[5][14:], path
        hashes = [s["hash"] for s in specs]
        assert hashes == sorted(hashes) and all(
            len(h) == 32 and set(h) <= set(HASH_ALPHABET) for h in hashes
        ), path
        assert all("root" in s["stacks"] and 2 <= len(s["stacks"]) <= 4 for s in specs), path
        assert meta == meta_of(specs) and meta["num_specs_by_stack"]["root"] == len(specs)
        if tag == "develop":
            counts.append(len(specs))
            nbytes += sum(len(json.dumps(s, sort_keys=True)) for s in specs)
    if ref == info["commit_refs"][-1]:
        assert per_tag == info["packages_per_tag"], (per_tag, info["packages_per_tag"])
        assert sum(counts) == info["develop_specs"], (sum(counts), info["develop_specs"])
    print(
        f"verify ok: {len(paths)} files in {len(per_tag)} tags at {ref}; develop "
        f"{len(counts)} packages, {sum(counts)} specs, median {statistics.median(counts)} "
        f"specs/pkg, mean {nbytes / sum(counts):.1f} B/spec",
        file=sys.stderr,
    )


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    info = json.loads((out / ".git" / "bench.json").read_text())
    verify(out, info, argv[1] if len(argv) > 1 else info["commit_refs"][-1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
