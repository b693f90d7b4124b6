"""Stacks gone and back, from the history index: removed, added or transient per commit.

A stack is in a tag at a commit when some package span of that tag alive at the commit
holds a spec in the stack (the ``facet_spans`` view). A stack that vanishes at one commit
and is back within ``window`` commits is ``stack-transient`` at the commit where it
vanished, and its return is no addition; one that stays away longer is ``stack-removed``,
and one that was never there (or away longer) is ``stack-added`` where it appears.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model.changes import Change, make
from ..words import count_of
from .index import HistoryIndex

#: The default window: a stack back within this many daily commits was only missing.
DAILY_WINDOW = 7

#: Per (tag, stack): the runs of commits (first seq, last seq; None: still there) it was in.
Runs = dict[tuple[str, str], list[tuple[int, int | None]]]


def stack_runs(index: HistoryIndex, tag: str | None = None) -> Runs:
    """When each stack of each tag (of ``tag`` only, if given) was there, run by run."""
    query = "SELECT tag, value, first_seq, last_seq FROM facet_spans WHERE kind = 'stack'"
    rows: Iterable[tuple[str, str, int, int | None]] = index.conn.execute(
        query + (" AND tag = ?" if tag is not None else ""), (tag,) if tag is not None else ()
    )
    spans: dict[tuple[str, str], list[tuple[int, int | None]]] = {}
    for t, stack, first, last in rows:
        spans.setdefault((t, stack), []).append((first, last))
    runs: Runs = {}
    for key, found in spans.items():
        merged: list[tuple[int, int | None]] = []
        for first, last in sorted(found, key=lambda run: run[0]):
            if merged and (merged[-1][1] is None or merged[-1][1] >= first - 1):
                end = merged[-1][1]
                merged[-1] = (
                    merged[-1][0],
                    None if end is None or last is None else max(end, last),
                )
            else:
                merged.append((first, last))
        runs[key] = merged
    return runs


def _specs(index: HistoryIndex, seq: int, tag: str, stack: str) -> str:
    row = index.conn.execute(
        "SELECT specs FROM stack_specs_per_commit WHERE seq = ? AND tag = ? AND stack = ?",
        (seq, tag, stack),
    ).fetchone()
    return count_of(row[0] if row else 0, "spec")


def _short(index: HistoryIndex, seq: int) -> str:
    commit = index.commit_at_seq(seq)
    return commit.sha[:12] if commit is not None else str(seq)


def stack_changes(
    index: HistoryIndex, runs: Runs, seq: int, window: int, tags: set[str]
) -> list[Change]:
    """The stacks of ``tags`` that vanished or came at commit ``seq``: removed (away more
    than ``window`` commits, or not back yet), transient (back within it), added (new, or
    back after more than ``window`` commits); a return within the window is no change."""
    out: list[Change] = []
    for (tag, stack), spans in sorted(runs.items()):
        if tag not in tags:
            continue
        for i, (first, last) in enumerate(spans):
            if last is not None and last == seq - 1:
                back = spans[i + 1][0] if i + 1 < len(spans) else None
                if back is not None and back - seq <= window:
                    around = f"commits {_short(index, seq - 1)} and {_short(index, back)}"
                    out.append(make("stack-transient", tag, stack, stack=stack, around=around))
                else:
                    specs = _specs(index, seq - 1, tag, stack)
                    out.append(make("stack-removed", tag, stack, stack=stack, specs=specs))
            if first == seq and seq > 0:
                gone = spans[i - 1][1] if i > 0 else None
                if gone is None or seq - gone - 1 > window:
                    specs = _specs(index, seq, tag, stack)
                    out.append(make("stack-added", tag, stack, stack=stack, specs=specs))
    return out
