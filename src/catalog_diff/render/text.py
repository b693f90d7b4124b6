"""Plain text for a terminal: summary first, then one block per package.

Rebuilt specs (same build, new hash) are counted, not listed; the JSON lists them.
Colour is added only when asked (the CLI asks on a terminal). Every line goes through
``paint``, which writes it with :func:`.escape.text` (the text format's policy) before
any colour is added: no field from an input can reach a terminal as a control.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..model.comparison import Comparison, GateStatus, PackageChange, SpecPair
from ..model.snapshot import FACETS
from ..words import count_of, signed
from .common import (
    MISMATCHES_SHOWN,
    ansi,
    describe_source,
    field_text,
    headline,
    meta_check_text,
    mismatch_text,
    package_label,
    rollup_text,
    shown_rollups,
    spec_counts,
    spec_line,
    spec_subject,
    stack_counts_title,
    stack_moves,
    summary_rows,
)
from .escape import text as shown

Paint = Callable[..., str]


def _painter(color: bool) -> Paint:
    colours = {"+": "green", "-": "red", "~": "yellow", "!": "red", "?": "yellow"}

    def paint(text: str, mark: str = "") -> str:
        if not color:
            return ansi(text, None)
        return ansi(text, "bold" if mark == "head" else colours.get(mark))

    return paint


def _pair_line(kind: str, name: str, pair: SpecPair) -> str:
    if kind == "compiler_changed":
        what = f"compiler {pair.old.compiler} -> {pair.new.compiler}"
    else:
        what = f"version {','.join(pair.old.versions)} -> {','.join(pair.new.versions)}"
    return f"~ {what}: {spec_line(name, pair.new)} (was /{pair.old.hash[:7]})"


def _package(change: PackageChange, paint: Paint) -> Iterator[str]:
    yield paint(f"{package_label(change)}  {change.status.value}", "head")
    for facet in FACETS:
        delta = change.facet(facet)
        if not delta:
            continue
        marks = [f"+ {v}" for v in delta.added] + [f"- {v}" for v in delta.removed]
        yield f"  {facet:<10} " + "  ".join(paint(m, m[0]) for m in marks)
    counts = spec_counts(change.specs)
    if counts:
        yield f"  {'specs':<10} {counts}"
    yield from spec_lines(change, paint, "    ")


def spec_lines(change: PackageChange, paint: Paint, indent: str) -> Iterator[str]:
    """One line per spec added, removed or changed (rebuilt specs are only counted)."""
    specs = change.specs
    for spec in specs.added:
        yield indent + paint(f"+ {spec_line(change.name, spec)}", "+")
    for spec in specs.removed:
        yield indent + paint(f"- {spec_line(change.name, spec)}", "-")
    for kind in ("compiler_changed", "version_changed"):
        for pair in getattr(specs, kind):
            yield indent + paint(_pair_line(kind, change.name, pair), "~")
    for stacks in specs.stacks_changed:
        subject = spec_subject(change.name, stacks.spec, stacks.hash)
        yield indent + paint(f"~ stacks {stack_moves(stacks)}: {subject}", "~")
    for fields in specs.fields_changed:
        subject = spec_subject(change.name, fields.spec, fields.hash)
        yield indent + paint(f"~ fields {field_text(fields)}: {subject}", "~")


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
        yield "  " + paint(rollup_text(rollup))
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
            yield f"{label}  {row.old:>6} -> {row.new:<6} ({signed(row.delta)})"
        else:
            yield f"{label}  {signed(row.delta):>6}"
    yield f"  {meta_check_text(counts)}"
    for m in counts.mismatches[:MISMATCHES_SHOWN]:
        yield "  " + paint(f"! {mismatch_text(m)}", "!")
    if len(counts.mismatches) > MISMATCHES_SHOWN:
        yield f"  and {len(counts.mismatches) - MISMATCHES_SHOWN} more (all in the JSON report)"


def render(comparison: Comparison, color: bool = False) -> Iterator[str]:
    paint = _painter(color)
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
    if comparison.problems:
        yield ""
        yield paint("Problems (files that could not be read; not compared)", "head")
        for p in comparison.problems:
            yield "  " + paint(f"! {p.side.value} {p.revision}: {p.path}: {p.message}", "!")
    for change in comparison.packages:
        yield ""
        yield from _package(change, paint)
