"""GitHub-flavoured Markdown: a summary table, then one section per package.

Good as a release-notes draft or a file to read; ``--format github`` (in
:mod:`.github`) is the variant made for comments. Every value from an input is written
with one of the two Markdown schemes of :mod:`.escape`: names, versions, paths and specs
as code spans (:func:`.escape.code`, with ``|`` escaped inside tables), sentences such
as a problem's message or a gate's reason, and dates, as inert text
(:func:`.escape.inert`). Rebuilt specs are counted, not listed; per-spec lines sit in
``<details>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..model.comparison import Comparison, FieldsChange, PackageChange, StackCounts
from ..model.snapshot import FACETS, SourceInfo, Spec
from ..words import count_of, signed
from .common import (
    MISMATCHES_SHOWN,
    SPEC_KIND_WORDS,
    field_parts,
    is_list_field,
    meta_check_text,
    mismatch_text,
    rollup_text,
    shown_rollups,
    spec_counts,
    spec_line,
    spec_subject,
    stack_counts_title,
    stack_moves,
)
from .escape import code, inert


def _codes(values: tuple[str, ...]) -> str:
    return ", ".join(code(v) for v in values) if values else ""


def _source_rows(
    old: SourceInfo,
    new: SourceInfo,
    old_tag: str | None,
    new_tag: str | None,
    show: Callable[[str], str],
    plain: Callable[[str], str],
) -> Iterator[str]:
    yield "| | old | new |"
    yield "|---|---|---|"
    yield f"| source | {show(old.label)} | {show(new.label)} |"
    commits = [show(info.commit) if info.commit else "" for info in (old, new)]
    yield f"| commit | {commits[0]} | {commits[1]} |"
    yield f"| date | {plain(old.date or '')} | {plain(new.date or '')} |"
    if old_tag or new_tag:
        yield f"| tag | {show(old_tag or '')} | {show(new_tag or '')} |"


def summary_tables(
    comparison: Comparison,
    show: Callable[[str], str] = code,
    plain: Callable[[str], str] = inert,
) -> Iterator[str]:
    """Where each side comes from, and the counts: the part of a report never left out.

    ``show`` writes a value in a table cell (a code span by default), ``plain`` a date
    (inert text)."""
    summary = comparison.summary
    yield from _source_rows(
        comparison.old, comparison.new, comparison.old_tag, comparison.new_tag, show, plain
    )
    yield ""
    yield "| | added | removed | changed |"
    yield "|---|---:|---:|---:|"
    yield (
        f"| packages | {summary.packages_added} | {summary.packages_removed} "
        f"| {summary.packages_changed} |"
    )
    yield f"| tags | {summary.tags_added} | {summary.tags_removed} | |"
    yield ""
    yield "| specs | count |"
    yield "|---|---:|"
    for kind, word in SPEC_KIND_WORDS:
        yield f"| {word} | {getattr(summary, 'specs_' + kind)} |"
    yield ""


ARROW = "→"


def _spec_item(mark: str, name: str, spec: Spec) -> str:
    return f"- {mark} {code(spec_line(name, spec), table=False)}"


def _text(value: str) -> str:
    return code(value, table=False)


def spec_items(change: PackageChange) -> list[str]:
    """One list item per spec added, removed or changed (shared with the audit reports)."""
    specs = change.specs
    items = [_spec_item("added", change.name, s) for s in specs.added]
    items += [_spec_item("removed", change.name, s) for s in specs.removed]
    for pair in specs.compiler_changed:
        items.append(
            f"- compiler {_text(pair.old.compiler)} {ARROW} {_text(pair.new.compiler)}: "
            f"{_text(spec_line(change.name, pair.new))} (was {_text('/' + pair.old.hash[:7])})"
        )
    for pair in specs.version_changed:
        old, new = ",".join(pair.old.versions), ",".join(pair.new.versions)
        items.append(
            f"- version {_text(old)} {ARROW} {_text(new)}: "
            f"{_text(spec_line(change.name, pair.new))} (was {_text('/' + pair.old.hash[:7])})"
        )
    for stacks in specs.stacks_changed:
        subject = spec_subject(change.name, stacks.spec, stacks.hash)
        items.append(f"- stacks {_text(stack_moves(stacks))}: {_text(subject)}")
    for fields in specs.fields_changed:
        subject = spec_subject(change.name, fields.spec, fields.hash)
        items.append(f"- fields {field_items(fields, _text, ARROW)}: {_text(subject)}")
    return items


def field_items(fields: FieldsChange, show: Callable[[str], str], arrow: str) -> str:
    """``os `amzn2` → `ubuntu24.04`; variants `+w=1` `-w=0```, each value through ``show``."""
    out = []
    for name, tokens in field_parts(fields):
        if is_list_field(fields, name):
            out.append(f"{name} " + " ".join(show(t) for t in tokens))
        else:
            out.append(f"{name} {show(tokens[0])} {arrow} {show(tokens[1])}")
    return "; ".join(out)


def package_section(change: PackageChange, level: str = "###") -> Iterator[str]:
    """One package: a heading, its facet table, its specs folded (also in ``log``)."""
    yield f"{level} {_text(change.tag + '/' + change.name)} {change.status.value}"
    yield ""
    rows = [(f, change.facet(f)) for f in FACETS if change.facet(f)]
    if rows:
        yield "| | added | removed |"
        yield "|---|---|---|"
        for facet, delta in rows:
            yield f"| {facet} | {_codes(delta.added)} | {_codes(delta.removed)} |"
        yield ""
    counts = spec_counts(change.specs)
    if not counts:
        return
    items = spec_items(change)
    if not items:
        yield f"Specs: {counts}."
        yield ""
        return
    yield "<details>"
    yield f"<summary>Specs: {counts}</summary>"
    yield ""
    yield from items
    yield ""
    yield "</details>"
    yield ""


def gate_reason(condition: str, reason: str) -> str:
    """A gate's reason without the condition it starts with (the table shows it)."""
    return reason[len(condition) + 2 :] if reason.startswith(condition + ": ") else reason


def gates_section(
    comparison: Comparison,
    cell: Callable[[str], str] = code,
    prose: Callable[[str], str] = inert,
) -> Iterator[str]:
    """The ``--fail-on`` outcomes, one table row each (``cell`` writes the condition,
    ``prose`` the reason)."""
    if not comparison.gates:
        return
    tripped = sum(g.tripped for g in comparison.gates)
    yield f"### Gates: {tripped} of {len(comparison.gates)} tripped"
    yield ""
    yield "| condition | result | reason |"
    yield "|---|---|---|"
    for gate in comparison.gates:
        result = f"**{gate.status.value}**" if gate.tripped else gate.status.value
        reason = prose(gate_reason(gate.condition, gate.reason))
        yield f"| {cell(gate.condition)} | {result} | {reason} |"
    yield ""


def rollups_section(comparison: Comparison) -> Iterator[str]:
    """The changes shared by several packages, largest first."""
    shown, single = shown_rollups(comparison.rollups)
    if not shown:
        return
    yield "### Roll-ups"
    yield ""
    for rollup in shown:
        yield f"- {rollup_text(rollup, _text, ARROW)}"
    if single:
        yield f"- and {count_of(single, 'change')} to a single package (under that package)"
    yield ""


def stack_counts_table(
    counts: StackCounts, cell: Callable[[str], str], shown: int | None = None
) -> Iterator[str]:
    """The specs-per-stack table: old, new and change when complete, else the change only.
    With ``shown``, at most that many rows, then a line saying how many more."""
    if counts.complete:
        yield "| tag | stack | old | new | change |"
        yield "|---|---|---:|---:|---:|"
    else:
        yield "| tag | stack | change |"
        yield "|---|---|---:|"
    for row in counts.rows if shown is None else counts.rows[:shown]:
        numbers = f"{row.old} | {row.new} | " if counts.complete else ""
        yield f"| {cell(row.tag)} | {cell(row.stack)} | {numbers}{signed(row.delta)} |"
    yield ""
    if shown is not None and len(counts.rows) > shown:
        yield f"And {len(counts.rows) - shown} more stacks (in the full report)."
        yield ""


def stack_counts_section(
    comparison: Comparison, cell: Callable[[str], str] = code, shown: int | None = None
) -> Iterator[str]:
    """Specs per stack, and how they agree with each file's meta (``cell`` and ``shown``:
    see :func:`stack_counts_table`)."""
    counts = comparison.stack_counts
    if counts is None or not (counts.rows or counts.mismatches):
        return
    yield f"### {stack_counts_title(counts)}"
    yield ""
    if counts.rows:
        yield from stack_counts_table(counts, cell, shown)
    yield meta_check_text(counts)
    yield ""
    if counts.mismatches:
        for m in counts.mismatches[:MISMATCHES_SHOWN]:
            yield f"- {mismatch_text(m, _text)}"
        if len(counts.mismatches) > MISMATCHES_SHOWN:
            yield f"- and {len(counts.mismatches) - MISMATCHES_SHOWN} more (all in the JSON report)"
        yield ""


def render(comparison: Comparison, color: bool = False) -> Iterator[str]:
    yield "## Catalog diff"
    yield ""
    yield from summary_tables(comparison)
    yield from gates_section(comparison)
    yield from rollups_section(comparison)
    yield from stack_counts_section(comparison)
    if comparison.problems:
        yield f"### Problems: {count_of(len(comparison.problems), 'file')} could not be read"
        yield ""
        for p in comparison.problems:
            yield f"- {p.side.value} {_text(p.revision)}: {_text(p.path)}: {inert(p.message)}"
        yield ""
    for title, tags in (
        ("Tags added", comparison.tags_added),
        ("Tags removed", comparison.tags_removed),
    ):
        if tags:
            yield f"### {title}"
            yield ""
            yield "| tag | packages | specs |"
            yield "|---|---:|---:|"
            for t in tags:
                yield f"| {code(t.tag)} | {t.packages} | {t.specs} |"
            yield ""
    if not comparison.has_differences:
        yield "No differences."
        yield ""
    for change in comparison.packages:
        yield from package_section(change)
