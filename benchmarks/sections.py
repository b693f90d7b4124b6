"""Each benchmark runner's own block of a results file, between its two markers.

``run.py --out`` and ``index_run.py --out`` both write into ``benchmarks/RESULTS.md``:
each replaces only the lines between ``<!-- BEGIN <name> -->`` and ``<!-- END <name> -->``
and keeps every other line (the other runner's block, the notes written by hand around
them). A file without the block gets it at its end. The file is written whole or not at
all (a temporary file beside it, then renamed over it). Standard library only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def markers(name: str) -> tuple[str, str]:
    return f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with the block of ``name`` holding ``body`` (added at the end if absent)."""
    begin, end = markers(name)
    block = f"{begin}\n{body.rstrip()}\n{end}\n"
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.rstrip("\n") == begin]
    ends = [i for i, line in enumerate(lines) if line.rstrip("\n") == end]
    if len(starts) > 1 or len(ends) > 1 or len(starts) != len(ends):
        raise ValueError(f"the block {name!r} is marked {len(starts)} and {len(ends)} times")
    if not starts:
        sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        return text + sep + block
    first, last = starts[0], ends[0]
    if last < first:
        raise ValueError(f"the block {name!r} ends before it begins")
    return "".join(lines[:first]) + block + "".join(lines[last + 1 :])


def write_section(path: Path, name: str, body: str) -> None:
    """Write ``body`` as the block of ``name`` in the file at ``path`` (see above)."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = replace_section(old, name, body)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(new)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
