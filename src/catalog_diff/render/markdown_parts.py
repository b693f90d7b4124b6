"""The parts of a Markdown report, written once for ``diff --format markdown``, ``--format
github`` and the audit reports (``log``, ``history``, ``when``, ``show``).

Each writer takes a :class:`MarkdownStyle`: how the format quotes a value from an input
in a table cell, in running text and as a sentence (one of the two schemes of
:mod:`.escape`), its arrow, how many items each list shows, and whether a package folds
into ``<details>``. A new Markdown format is a style and a small module that orders the
parts; the words of each part come from :mod:`.common`, shared with the text reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..model.changes import Change
from ..model.comparison import Comparison, PackageChange, ProblemRecord, StackCounts
from ..words import count_of, signed
from .common import (
    CHANGES_SHOWN,
    CHANGES_TITLE,
    MISMATCHES_SHOWN,
    SPEC_KIND_WORDS,
    changes_more,
    explanation_line,
    facet_deltas,
    meta_check_text,
    mismatch_text,
    problem_text,
    rollup_text,
    shown_changes,
    shown_rollups,
    spec_counts,
    spec_items,
    stack_counts_title,
)
from .escape import code, inert

Quote = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Bounds:
    """How many items each list of a report shows before "and N more" (None: all)."""

    problems: int | None = None
    rollups: int | None = None
    stack_rows: int | None = None
    tags: int | None = None
    spec_items: int | None = None
    changes: int | None = None  # of each kind


@dataclass(frozen=True, slots=True)
class MarkdownStyle:
    """How one Markdown format writes what it takes from an input.

    ``cell`` quotes a value in a table cell, ``name`` a value in a heading, a list item
    or a sentence of ours, ``prose`` a sentence from an input (a problem's message, a
    gate's reason) and a date; ``arrow`` shows a move; ``fold`` puts each package in a
    ``<details>`` block named by its ``<summary>`` rather than under a heading.
    """

    cell: Quote
    name: Quote
    prose: Quote
    arrow: str
    bounds: Bounds = Bounds()
    fold: bool = False


def _name(value: str) -> str:
    return code(value, table=False)


#: ``--format markdown`` and the audit reports: names as code spans (``|`` escaped in a
#: table only), sentences and dates as inert text; the changes of each kind bounded.
MARKDOWN = MarkdownStyle(
    cell=code, name=_name, prose=inert, arrow="→", bounds=Bounds(changes=CHANGES_SHOWN)
)


def codes(values: Sequence[str], style: MarkdownStyle) -> str:
    """Values in one table cell, separated by commas."""
    return ", ".join(style.cell(v) for v in values)


def bounded(lines: list[str], shown: int | None, what: str) -> Iterator[str]:
    """The first ``shown`` list items (all with None), then one saying how many more."""
    yield from lines if shown is None else lines[:shown]
    if shown is not None and len(lines) > shown:
        yield f"- and {len(lines) - shown} more {what} (in the full report)"


def details(summary: str, body: Sequence[str]) -> Iterator[str]:
    """A folded block; ``summary`` is read as HTML: it holds only values quoted by a
    scheme that works there (counts, or :func:`.escape.html_code`)."""
    yield "<details>"
    yield f"<summary>{summary}</summary>"
    yield ""
    yield from body
    yield "</details>"
    yield ""


# ---- the head of a diff ---------------------------------------------------------------


def changes_section(
    comparison: Comparison, style: MarkdownStyle, heading: str = "###"
) -> Iterator[str]:
    """The changes classified, most severe first: ``- **breaking** `stack-removed`
    (`v0.23.1`): <impact>``, at most ``style.bounds.changes`` of each kind."""
    yield from changes_list(comparison.changes, style, heading)


def changes_list(
    changes: Sequence[Change], style: MarkdownStyle, heading: str = "###"
) -> Iterator[str]:
    """:func:`changes_section` for a list of changes (a commit's, in ``log`` and
    ``history``), under a heading of level ``heading``."""
    if not changes:
        return
    yield f"{heading} {CHANGES_TITLE}"
    yield ""
    shown = style.bounds.changes
    groups = shown_changes(changes, len(changes) if shown is None else shown)
    for code_, found, hidden in groups:
        for change in found:
            where = f"{style.name(code_)} ({style.name(change.tag)})"
            yield f"- **{change.severity.value}** {where}: {style.prose(change.impact)}"
            if change.explanation is not None:
                yield f"  - {explanation_line(change.explanation, style.name)}"
        if hidden:
            yield f"- {changes_more(code_, hidden)}"
    yield ""


def summary_tables(comparison: Comparison, style: MarkdownStyle) -> Iterator[str]:
    """Where each side comes from, and the counts: the part of a report never left out."""
    show, summary = style.cell, comparison.summary
    old, new = comparison.old, comparison.new
    yield "| | old | new |"
    yield "|---|---|---|"
    yield f"| source | {show(old.label)} | {show(new.label)} |"
    commits = [show(info.commit) if info.commit else "" for info in (old, new)]
    yield f"| commit | {commits[0]} | {commits[1]} |"
    yield f"| date | {style.prose(old.date or '')} | {style.prose(new.date or '')} |"
    if comparison.old_tag or comparison.new_tag:
        yield f"| tag | {show(comparison.old_tag or '')} | {show(comparison.new_tag or '')} |"
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
        if kind == "rebuilt" and summary.specs_compiler_renamed:
            yield f"| of which compiler renamed | {summary.specs_compiler_renamed} |"
    yield ""


def gate_reason(condition: str, reason: str) -> str:
    """A gate's reason without the condition it starts with (the table shows it)."""
    return reason[len(condition) + 2 :] if reason.startswith(condition + ": ") else reason


def gates_section(comparison: Comparison, style: MarkdownStyle) -> Iterator[str]:
    """The ``--fail-on`` outcomes, one table row each."""
    if not comparison.gates:
        return
    tripped = sum(g.tripped for g in comparison.gates)
    yield f"### Gates: {tripped} of {len(comparison.gates)} tripped"
    yield ""
    yield "| condition | result | reason |"
    yield "|---|---|---|"
    for gate in comparison.gates:
        result = f"**{gate.status.value}**" if gate.tripped else gate.status.value
        reason = style.prose(gate_reason(gate.condition, gate.reason))
        yield f"| {style.cell(gate.condition)} | {result} | {reason} |"
    yield ""


def problems_section(
    problems: Sequence[ProblemRecord], style: MarkdownStyle, level: str = "###", side: bool = True
) -> Iterator[str]:
    """The files that could not be read; ``side`` False for a report of one side
    (``show``, ``when``)."""
    if not problems:
        return
    yield f"{level} Problems: {count_of(len(problems), 'file')} could not be read"
    yield ""
    items = [f"- {problem_text(p, style.name, style.prose, side)}" for p in problems]
    yield from bounded(items, style.bounds.problems, "problems")
    yield ""


def rollups_section(comparison: Comparison, style: MarkdownStyle) -> Iterator[str]:
    """The changes shared by several packages, largest first."""
    shown, single = shown_rollups(comparison.rollups)
    if not shown:
        return
    yield "### Roll-ups"
    yield ""
    items = [f"- {rollup_text(r, style.name, style.arrow)}" for r in shown]
    yield from bounded(items, style.bounds.rollups, "roll-ups")
    if single:
        yield f"- and {count_of(single, 'change')} to a single package (under that package)"
    yield ""


def stack_counts_table(counts: StackCounts, cell: Quote, shown: int | None = None) -> Iterator[str]:
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


def stack_counts_section(comparison: Comparison, style: MarkdownStyle) -> Iterator[str]:
    """Specs per stack, and how they agree with each file's meta."""
    counts = comparison.stack_counts
    if counts is None or not (counts.rows or counts.mismatches):
        return
    yield f"### {stack_counts_title(counts)}"
    yield ""
    if counts.rows:
        yield from stack_counts_table(counts, style.cell, style.bounds.stack_rows)
    yield meta_check_text(counts)
    yield ""
    if counts.mismatches:
        for m in counts.mismatches[:MISMATCHES_SHOWN]:
            yield f"- {mismatch_text(m, style.name)}"
        if len(counts.mismatches) > MISMATCHES_SHOWN:
            yield f"- and {len(counts.mismatches) - MISMATCHES_SHOWN} more (all in the JSON report)"
        yield ""


def tags_sections(comparison: Comparison, style: MarkdownStyle) -> Iterator[str]:
    """The tags added and the tags removed, with their packages and specs."""
    shown = style.bounds.tags
    for title, tags in (
        ("Tags added", comparison.tags_added),
        ("Tags removed", comparison.tags_removed),
    ):
        if not tags:
            continue
        yield f"### {title}"
        yield ""
        yield "| tag | packages | specs |"
        yield "|---|---:|---:|"
        for t in tags if shown is None else tags[:shown]:
            yield f"| {style.cell(t.tag)} | {t.packages} | {t.specs} |"
        yield ""
        if shown is not None and len(tags) > shown:
            yield f"And {len(tags) - shown} more tags (in the full report)."
            yield ""


# ---- one package ----------------------------------------------------------------------

#: How a list item names a spec added or removed (a change says what changed).
_SPEC_MARKS = {"+": "added ", "-": "removed ", "~": ""}


def facet_table(change: PackageChange, style: MarkdownStyle) -> Iterator[str]:
    """What each facet of a package gained and lost, one row per facet that changed."""
    rows = facet_deltas(change)
    if not rows:
        return
    yield "| | added | removed |"
    yield "|---|---|---|"
    for facet, delta in rows:
        yield f"| {facet} | {codes(delta.added, style)} | {codes(delta.removed, style)} |"
    yield ""


def spec_list(change: PackageChange, style: MarkdownStyle) -> list[str]:
    """One list item per spec added, removed or changed (rebuilt specs are counted)."""
    return [
        f"- {_SPEC_MARKS[mark]}{words}"
        for mark, words in spec_items(change, style.name, style.arrow)
    ]


def package_section(
    change: PackageChange, style: MarkdownStyle, level: str = "###"
) -> Iterator[str]:
    """One package: its name and status, its facet table, its specs.

    Under a heading of ``level`` with the specs folded, or (``style.fold``) folded whole
    into a ``<details>`` block whose summary names it and counts its specs.
    """
    counts = spec_counts(change.specs)
    title = f"{style.name(change.tag + '/' + change.name)} {change.status.value}"
    items = spec_list(change, style)
    if style.fold:
        body = list(facet_table(change, style))
        if items:
            body += [*bounded(items, style.bounds.spec_items, "specs"), ""]
        if change.specs.rebuilt and not items:
            body += [f"{count_of(len(change.specs.rebuilt), 'spec')} rebuilt (new hashes).", ""]
        yield from details(f"{title}{': ' + counts if counts else ''}", body)
        return
    yield f"{level} {title}"
    yield ""
    yield from facet_table(change, style)
    if not counts:
        return
    if not items:
        yield f"Specs: {counts}."
        yield ""
        return
    yield from details(f"Specs: {counts}", [*items, ""])
