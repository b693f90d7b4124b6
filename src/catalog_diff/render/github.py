"""``--format github``: one pull-request or commit comment, within GitHub's size limit.

The comment opens with a hidden marker line (``<!-- catalog-diff -->``) by which a
workflow finds the comment it posted before and updates it. Then come the summary
tables, the gates, problems, roll-ups, specs per stack and tags (the head, each list
bounded), and one folded ``<details>`` block per package. The whole comment stays within
``max_chars`` (65,536 by default, GitHub's limit): package blocks are dropped whole from
the end, and a visible note says how many. A single list item longer than
:data:`ITEM_MAX_CHARS` (a huge name) is cut, with a visible marker. The summary is never
cut: when it alone is longer than the limit, :func:`render` says so through ``warn``.

Every value from an input goes through :func:`~.escape.inert` (scheme 1 of
:mod:`.escape`, in a ``<code>`` element for names: :func:`~.escape.html_code`), so the
output is ASCII and ``len()`` is its size in characters and in bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from ..errors import UsageError
from ..model.comparison import Comparison, PackageChange
from ..model.snapshot import FACETS, Spec
from ..words import count_of
from .common import (
    MISMATCHES_SHOWN,
    headline,
    mismatch_text,
    rollup_text,
    shown_rollups,
    spec_counts,
    spec_line,
    spec_subject,
    stack_moves,
)
from .escape import html_code, inert
from .markdown import (
    field_items,
    gates_section,
    stack_counts_section,
    summary_tables,
)

#: The marker's text, and the comment limit of GitHub, in characters.
DEFAULT_MARKER = "catalog-diff"
DEFAULT_MAX_CHARS = 65536

#: Bounds on the lists of the head and of one package block.
PROBLEMS_SHOWN = 20
ROLLUPS_SHOWN = 30
STACK_ROWS_SHOWN = 60
TAGS_SHOWN = 30
SPEC_ITEMS_SHOWN = 40

#: The longest a value may be, once escaped; a longer one is cut there and ends with
#: :data:`CUT` and :data:`CUT_NOTE` (a single name of a megabyte would otherwise fill the
#: comment alone).
VALUE_MAX_CHARS = 1000
CUT = "&hellip;"
CUT_NOTE = " (cut)"

ARROW = "&rarr;"

_COMMENT = re.compile(r"<!--(.*)-->", re.S)


def marker_line(text: str | None = None) -> str:
    """The hidden first line: ``<!-- TEXT -->``. TEXT may be given with or without the
    comment's brackets; it cannot hold ``--``, ``<``, ``>`` or a line break, so it can
    neither end the comment early nor differ between two runs that mean the same."""
    inner = DEFAULT_MARKER if text is None else text.strip()
    found = _COMMENT.fullmatch(inner)
    if found:
        inner = found.group(1).strip()
    if not inner or any(bad in inner for bad in ("--", "<", ">", "\n", "\r")) or inner[-1] == "-":
        raise UsageError(
            f"--marker {text!r}: give the comment's text (e.g. 'catalog-diff pr'), "
            "without '--', '<', '>' or line breaks"
        )
    return f"<!-- {inner} -->"


def _size(lines: Iterable[str]) -> int:
    """Characters the lines take in the output (each ends with a newline)."""
    return sum(len(line) + 1 for line in lines)


def _note(dropped: int) -> list[str]:
    return [
        f"**{count_of(dropped, 'more package')} not shown** &mdash; "
        "full report in the job artifact.",
        "",
    ]


def _bounded(lines: list[str], shown: int, what: str) -> Iterator[str]:
    """The first ``shown`` list items, then one saying how many more there are."""
    yield from lines[:shown]
    if len(lines) > shown:
        yield f"- and {len(lines) - shown} more {what} (in the full report)"


# ---- the head: never cut -------------------------------------------------------------


def _code(value: str) -> str:
    """A value as :func:`~.escape.html_code` writes it, cut to :data:`VALUE_MAX_CHARS`."""
    return _cut(html_code(value), "<code>", "</code>")


def _prose(value: str) -> str:
    """A sentence (a reason, a message) as inert text, cut to :data:`VALUE_MAX_CHARS`."""
    return _cut(inert(value), "", "")


def _cut(escaped: str, start: str, end: str) -> str:
    inner = escaped[len(start) : len(escaped) - len(end)]
    if len(inner) <= VALUE_MAX_CHARS:
        return escaped
    inner = inner[:VALUE_MAX_CHARS]
    amp = inner.rfind("&")
    if amp > inner.rfind(";"):  # never half a character reference
        inner = inner[:amp]
    return f"{start}{inner}{CUT}{end}{CUT_NOTE}"


def _gates(comparison: Comparison) -> Iterator[str]:
    return gates_section(comparison, _code, _prose)


def _problems(comparison: Comparison) -> Iterator[str]:
    if not comparison.problems:
        return
    yield f"### Problems: {count_of(len(comparison.problems), 'file')} could not be read"
    yield ""
    items = [
        f"- {p.side.value} {_code(p.revision)}: {_code(p.path)}: {_prose(p.message)}"
        for p in comparison.problems
    ]
    yield from _bounded(items, PROBLEMS_SHOWN, "problems")
    yield ""


def _rollups(comparison: Comparison) -> Iterator[str]:
    shown, single = shown_rollups(comparison.rollups)
    if not shown:
        return
    yield "### Roll-ups"
    yield ""
    items = [f"- {rollup_text(r, _code, ARROW)}" for r in shown]
    yield from _bounded(items, ROLLUPS_SHOWN, "roll-ups")
    if single:
        yield f"- and {count_of(single, 'change')} to a single package (under that package)"
    yield ""


def _stack_counts(comparison: Comparison) -> Iterator[str]:
    yield from stack_counts_section(comparison, _code, STACK_ROWS_SHOWN)
    counts = comparison.stack_counts
    if counts is not None and counts.mismatches:  # each disagreement too, up to a limit
        items = [f"- {mismatch_text(m, _code)}" for m in counts.mismatches]
        yield from _bounded(items, MISMATCHES_SHOWN, "disagreements")
        yield ""


def _tags(comparison: Comparison) -> Iterator[str]:
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
        for t in tags[:TAGS_SHOWN]:
            yield f"| {_code(t.tag)} | {t.packages} | {t.specs} |"
        yield ""
        if len(tags) > TAGS_SHOWN:
            yield f"And {len(tags) - TAGS_SHOWN} more tags (in the full report)."
            yield ""


def head(comparison: Comparison, marker: str | None = None) -> list[str]:
    """Everything before the package blocks."""
    lines = [marker_line(marker), "## Catalog diff", ""]
    lines.extend(summary_tables(comparison, _code, _prose))
    said = headline(comparison)
    if said:
        lines += [said, ""]
    for section in (_gates, _problems, _rollups, _stack_counts, _tags):
        lines.extend(section(comparison))
    if comparison.packages:
        lines += [f"### Packages: {len(comparison.packages)}", ""]
    return lines


# ---- one folded block per package ----------------------------------------------------


def _facet_rows(change: PackageChange) -> Iterator[str]:
    rows = [(f, change.facet(f)) for f in FACETS if change.facet(f)]
    if not rows:
        return
    yield "| | added | removed |"
    yield "|---|---|---|"
    for facet, delta in rows:
        added = ", ".join(_code(v) for v in delta.added)
        removed = ", ".join(_code(v) for v in delta.removed)
        yield f"| {facet} | {added} | {removed} |"
    yield ""


def _spec_items(change: PackageChange) -> list[str]:
    name, specs = change.name, change.specs

    def line(spec: Spec) -> str:
        return _code(spec_line(name, spec))

    def was(spec: Spec) -> str:
        return f"(was {_code('/' + spec.hash[:7])})"

    items = [f"- added {line(s)}" for s in specs.added]
    items += [f"- removed {line(s)}" for s in specs.removed]
    for pair in specs.compiler_changed:
        items.append(
            f"- compiler {_code(pair.old.compiler)} {ARROW} {_code(pair.new.compiler)}: "
            f"{line(pair.new)} {was(pair.old)}"
        )
    for pair in specs.version_changed:
        old, new = ",".join(pair.old.versions), ",".join(pair.new.versions)
        items.append(
            f"- version {_code(old)} {ARROW} {_code(new)}: {line(pair.new)} {was(pair.old)}"
        )
    for stacks in specs.stacks_changed:
        subject = _code(spec_subject(name, stacks.spec, stacks.hash))
        items.append(f"- stacks {_code(stack_moves(stacks))}: {subject}")
    for fields in specs.fields_changed:
        subject = _code(spec_subject(name, fields.spec, fields.hash))
        items.append(f"- fields {field_items(fields, _code, ARROW)}: {subject}")
    return items


def package_block(change: PackageChange) -> list[str]:
    """One package, folded: its name, status and counts in the summary line."""
    counts = spec_counts(change.specs)
    title = f"{_code(change.tag + '/' + change.name)} {change.status.value}"
    lines = ["<details>", f"<summary>{title}{': ' + counts if counts else ''}</summary>", ""]
    lines.extend(_facet_rows(change))
    items = _spec_items(change)
    if items:
        lines.extend(_bounded(items, SPEC_ITEMS_SHOWN, "specs"))
        lines.append("")
    if change.specs.rebuilt and not items:
        lines += [f"{count_of(len(change.specs.rebuilt), 'spec')} rebuilt (new hashes).", ""]
    lines += ["</details>", ""]
    return lines


def fit(
    head_lines: Sequence[str], blocks: Iterable[list[str]], total: int, max_chars: int
) -> Iterator[str]:
    """The head, then as many package blocks as fit in ``max_chars`` (in order), then a
    note naming how many of the ``total`` were left out."""
    yield from head_lines
    used = _size(head_lines)
    reserve = _size(_note(total))
    shown = 0
    for block in blocks:
        size = _size(block)
        last = shown == total - 1
        if used + size + (0 if last else reserve) > max_chars:
            break
        yield from block
        used += size
        shown += 1
    if shown < total:
        yield from _note(total - shown)


def render(
    comparison: Comparison,
    color: bool = False,
    *,
    marker: str | None = None,
    max_chars: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[str]:
    """The comment, line by line (blocks are built only as long as they can still fit).

    ``warn`` is told, in one line, when the head alone (never cut) is over the limit."""
    limit = DEFAULT_MAX_CHARS if max_chars is None else max_chars
    head_lines = head(comparison, marker)
    size = _size(head_lines)
    if size > limit and warn is not None:
        warn(
            f"the summary alone is {size} characters, over --max-chars {limit}: "
            "it is never cut, so the comment is longer than asked"
        )
    blocks = (package_block(change) for change in comparison.packages)
    yield from fit(head_lines, blocks, len(comparison.packages), limit)
