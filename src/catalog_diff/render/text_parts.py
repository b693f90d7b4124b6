"""The parts of a plain-text report, written once for ``diff``, ``log`` and ``history``.

Every line goes through ``paint`` (:func:`painter`), which writes it with
:func:`.escape.text` (the text format's policy) before any colour is added, so no field
from an input can reach a terminal as a control. The words of each part come from
:mod:`.common`, shared with the Markdown reports; this module lays them out as text: a
facet per line with ``+``/``-`` marks, one line per spec, ``!`` before a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from ..model.changes import Change
from ..model.comparison import PackageChange, ProblemRecord
from .common import (
    CHANGES_TITLE,
    ansi,
    change_line,
    changes_more,
    explanation_line,
    facet_deltas,
    package_label,
    problem_text,
    shown_changes,
    spec_counts,
    spec_items,
)

#: ``paint(line, mark="")``: the line made inert, coloured by its mark when colour is on.
Paint = Callable[..., str]

#: The arrow of the text reports.
ARROW = "->"

#: Colour of each mark: ``+``/``-`` for values gained and lost, ``~`` changed, ``!`` a
#: problem, ``?`` undecided, and a package's status (``head``: bold).
_COLOURS = {
    "+": "green",
    "-": "red",
    "~": "yellow",
    "!": "red",
    "?": "yellow",
    "added": "green",
    "removed": "red",
    "changed": "yellow",
    "breaking": "red",
    "warning": "red",
    "notice": "yellow",
}


def painter(color: bool) -> Paint:
    """``paint`` for a report with or without colour."""

    def paint(text: str, mark: str = "") -> str:
        if not color:
            return ansi(text, None)
        return ansi(text, "bold" if mark == "head" else _COLOURS.get(mark))

    return paint


def facet_lines(change: PackageChange, paint: Paint, indent: str) -> Iterator[str]:
    """``targets    + zen5  - zen4``: one line per facet that changed."""
    for facet, delta in facet_deltas(change):
        marks = [f"+ {v}" for v in delta.added] + [f"- {v}" for v in delta.removed]
        yield f"{indent}{facet:<10} " + "  ".join(paint(m, m[0]) for m in marks)


def spec_lines(change: PackageChange, paint: Paint, indent: str) -> Iterator[str]:
    """One line per spec added, removed or changed (rebuilt specs are only counted)."""
    for mark, words in spec_items(change, str, ARROW):
        yield indent + paint(f"{mark} {words}", mark)


def package_block(change: PackageChange, paint: Paint) -> Iterator[str]:
    """One package of a ``diff``: its name and status, facets, spec counts and specs."""
    yield paint(f"{package_label(change)}  {change.status.value}", "head")
    yield from facet_lines(change, paint, "  ")
    counts = spec_counts(change.specs)
    if counts:
        yield f"  {'specs':<10} {counts}"
    yield from spec_lines(change, paint, "    ")


def problem_line(p: ProblemRecord, paint: Paint, side: bool = True) -> str:
    """``! new HEAD: _cache/t/p/specs.md: message``; ``side`` False for a report of one
    side (``show``, ``when``)."""
    return paint(f"! {problem_text(p, side=side)}", "!")


def problems_block(
    problems: Sequence[ProblemRecord], paint: Paint, title: str, side: bool = True
) -> Iterator[str]:
    """The files that could not be read, under ``title`` after a blank line (nothing
    when there are none)."""
    if not problems:
        return
    yield ""
    yield paint(title, "head")
    for p in problems:
        yield "  " + problem_line(p, paint, side)


def changes_block(changes: Sequence[Change], paint: Paint) -> Iterator[str]:
    """The changes classified, most severe first, after a blank line: one line each,
    ``breaking  stack-removed (v0.23.1): <impact>``, at most
    :data:`~.common.CHANGES_SHOWN` of a kind."""
    if not changes:
        return
    yield ""
    yield paint(CHANGES_TITLE, "head")
    for code, found, hidden in shown_changes(changes):
        for change in found:
            yield "  " + paint(change_line(change, str), change.severity.value)
            if change.explanation is not None:
                yield f"  {'':<8}  " + paint(explanation_line(change.explanation))
        if hidden:
            yield f"  {'':<8}  {changes_more(code, hidden)}"
