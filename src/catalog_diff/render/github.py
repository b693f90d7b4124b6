"""``--format github``: one pull-request or commit comment, within GitHub's size limit.

The comment opens with a hidden marker line (``<!-- catalog-diff -->``) by which a
workflow finds the comment it posted before and updates it. Then come the summary
tables, the gates, problems, roll-ups, specs per stack and tags (the head, each list
bounded), and one folded ``<details>`` block per package. The whole comment stays within
``max_chars`` (65,536 by default, GitHub's limit): package blocks are dropped whole from
the end, and a visible note says how many. A single list item longer than
:data:`VALUE_MAX_CHARS` (a huge name) is cut, with a visible marker. The summary is never
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
from ..words import count_of
from .common import headline
from .escape import html_code, inert
from .markdown_parts import (
    Bounds,
    MarkdownStyle,
    changes_section,
    gates_section,
    package_section,
    problems_section,
    rollups_section,
    stack_counts_section,
    summary_tables,
    tags_sections,
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
#: Changes listed per kind (the head is never cut: each kind stays short).
CHANGES_SHOWN = 3

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


#: What the comment quotes, and how much of each list it shows.
GITHUB = MarkdownStyle(
    cell=_code,
    name=_code,
    prose=_prose,
    arrow=ARROW,
    bounds=Bounds(
        problems=PROBLEMS_SHOWN,
        rollups=ROLLUPS_SHOWN,
        stack_rows=STACK_ROWS_SHOWN,
        tags=TAGS_SHOWN,
        spec_items=SPEC_ITEMS_SHOWN,
        changes=CHANGES_SHOWN,
    ),
    fold=True,
)


def head(comparison: Comparison, marker: str | None = None) -> list[str]:
    """Everything before the package blocks."""
    lines = [marker_line(marker), "## Catalog diff", ""]
    lines.extend(summary_tables(comparison, GITHUB))
    said = headline(comparison)
    if said:
        lines += [said, ""]
    lines.extend(changes_section(comparison, GITHUB))
    lines.extend(gates_section(comparison, GITHUB))
    lines.extend(problems_section(comparison.problems, GITHUB))
    lines.extend(rollups_section(comparison, GITHUB))
    lines.extend(stack_counts_section(comparison, GITHUB))
    lines.extend(tags_sections(comparison, GITHUB))
    if comparison.packages:
        lines += [f"### Packages: {len(comparison.packages)}", ""]
    return lines


# ---- one folded block per package ----------------------------------------------------


def package_block(change: PackageChange) -> list[str]:
    """One package, folded: its name, status and counts in the summary line."""
    return list(package_section(change, GITHUB))


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
