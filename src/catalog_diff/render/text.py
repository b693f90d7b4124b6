"""Plain text for a terminal: summary first, then one block per package.

Rebuilt specs (same build, new hash) are counted, not listed; the JSON lists them.
Colour is added only when asked (the CLI asks on a terminal). Every line goes through
``paint``, which writes it with :func:`.escape.text` (the text format's policy) before
any colour is added: no field from an input can reach a terminal as a control.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.comparison import Comparison, GateStatus
from ..words import count_of, signed
from .common import (
    MISMATCHES_SHOWN,
    describe_source,
    headline,
    meta_check_text,
    mismatch_text,
    rollup_text,
    shown_rollups,
    stack_counts_title,
    summary_rows,
)
from .escape import text as shown
from .text_parts import ARROW, Paint, changes_block, package_block, painter, problems_block


def _gates(comparison: Comparison, paint: Paint) -> Iterator[str]:
    if not comparison.gates:
        return
    yield ""
    yield paint("Gates (--fail-on)", "head")
    for gate in comparison.gates:
        mark = "!" if gate.tripped else "?" if gate.status is GateStatus.UNDECIDED else "+"
        yield "  " + paint(f"{gate.status.value:<9} {gate.reason}", mark)


def _rollups(comparison: Comparison, paint: Paint) -> Iterator[str]:
    shown, single = shown_rollups(comparison.rollups)
    if not shown:
        return
    yield ""
    yield paint("Roll-ups (changes shared by several packages)", "head")
    for rollup in shown:
        yield "  " + paint(rollup_text(rollup, str, ARROW))
    if single:
        yield f"  and {count_of(single, 'change')} to a single package (under that package)"


def _stack_counts(comparison: Comparison, paint: Paint) -> Iterator[str]:
    counts = comparison.stack_counts
    if counts is None or not (counts.rows or counts.mismatches):
        return
    yield ""
    yield paint(stack_counts_title(counts), "head")
    tag_width = max((len(shown(r.tag)) for r in counts.rows), default=0)
    stack_width = max((len(shown(r.stack)) for r in counts.rows), default=0)
    for row in counts.rows:
        label = f"  {shown(row.tag):<{tag_width}}  {shown(row.stack):<{stack_width}}"
        if counts.complete:
            yield f"{label}  {row.old:>6} {ARROW} {row.new:<6} ({signed(row.delta)})"
        else:
            yield f"{label}  {signed(row.delta):>6}"
    yield f"  {meta_check_text(counts)}"
    for m in counts.mismatches[:MISMATCHES_SHOWN]:
        yield "  " + paint(f"! {mismatch_text(m)}", "!")
    if len(counts.mismatches) > MISMATCHES_SHOWN:
        yield f"  and {len(counts.mismatches) - MISMATCHES_SHOWN} more (all in the JSON report)"


def render(comparison: Comparison, color: bool = False) -> Iterator[str]:
    paint = painter(color)
    yield paint(f"old: {describe_source(comparison.old, comparison.old_tag)}")
    yield paint(f"new: {describe_source(comparison.new, comparison.new_tag)}")
    yield ""
    yield paint("Summary", "head")
    for label, counts in summary_rows(comparison.summary):
        yield f"  {label:<10} {counts}"
    said = headline(comparison)
    if said:
        yield ""
        yield said
    yield from changes_block(comparison.changes, paint)
    yield from _gates(comparison, paint)
    yield from _rollups(comparison, paint)
    yield from _stack_counts(comparison, paint)
    tag_sections = (
        ("Tags added", comparison.tags_added),
        ("Tags removed", comparison.tags_removed),
    )
    for title, tags in tag_sections:
        if tags:
            yield ""
            yield paint(title, "head")
            for t in tags:
                counts = f"{count_of(t.packages, 'package')}, {count_of(t.specs, 'spec')}"
                yield "  " + paint(f"{t.tag}  {counts}")
    yield from problems_block(
        comparison.problems, paint, "Problems (files that could not be read; not compared)"
    )
    for change in comparison.packages:
        yield ""
        yield from package_block(change, paint)
