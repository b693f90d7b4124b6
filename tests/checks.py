"""Assertions and helpers shared by several test modules."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from catalog_diff.model.comparison import SPEC_CHANGE_KINDS, SpecChanges
from catalog_diff.model.snapshot import Spec

PAIR_KINDS = ("rebuilt", "compiler_changed", "version_changed")


def hash_matched(old: Sequence[Spec], new: Sequence[Spec]) -> tuple[list[Spec], list[Spec]]:
    """The specs of each side whose hash also appears on the other side (as multisets)."""
    common = Counter(s.hash for s in old) & Counter(s.hash for s in new)
    out: tuple[list[Spec], list[Spec]] = ([], [])
    for side, specs in zip(out, (old, new), strict=True):
        left = Counter(common)
        for s in specs:
            if left[s.hash] > 0:
                left[s.hash] -= 1
                side.append(s)
    return out


def assert_accounted(old: Sequence[Spec], new: Sequence[Spec], changes: SpecChanges) -> None:
    """Every spec of each side appears exactly once: hash-matched, paired, added or removed."""
    matched_old, matched_new = hash_matched(old, new)
    pairs = [p for kind in PAIR_KINDS for p in getattr(changes, kind)]
    assert Counter(old) == Counter(matched_old + [p.old for p in pairs] + list(changes.removed))
    assert Counter(new) == Counter(matched_new + [p.new for p in pairs] + list(changes.added))
    assert len(old) == len(matched_old) + len(pairs) + len(changes.removed)
    assert len(new) == len(matched_new) + len(pairs) + len(changes.added)
    # Detail of hash-matched specs only names hashes present on both sides, each at most
    # as often as it was matched (once, unless a broken file repeats a hash).
    common = Counter(s.hash for s in matched_old)
    for kind in ("stacks_changed", "fields_changed"):
        hashes = Counter(c.hash for c in getattr(changes, kind))
        assert hashes <= common


def kinds(changes: SpecChanges) -> dict[str, int]:
    """``{kind: count}`` of the non-empty lists of a SpecChanges."""
    return {k: len(getattr(changes, k)) for k in SPEC_CHANGE_KINDS if getattr(changes, k)}


def table_columns(text: str) -> list[list[int]]:
    """Per Markdown table, the number of cell separators of each row (raw ``|`` not
    after ``\\``)."""
    tables: list[list[int]] = []
    previous = False
    for line in text.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous:
            tables.append([])
        if is_row:
            tables[-1].append(len(re.findall(r"(?<!\\)\|", line)))
        previous = is_row
    return tables
