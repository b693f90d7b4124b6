"""GitHub-flavoured Markdown: a summary table, then one section per package.

Good as a release-notes draft or a file to read; ``--format github`` (in
:mod:`.github`) is the variant made for comments. Every value from an input is written
with one of the two Markdown schemes of :mod:`.escape`, as the style
:data:`~.markdown_parts.MARKDOWN` says: names, versions, paths and specs as code spans
(:func:`.escape.code`, with ``|`` escaped inside tables), sentences such as a problem's
message or a gate's reason, and dates, as inert text (:func:`.escape.inert`). Rebuilt
specs are counted, not listed; per-spec lines sit in ``<details>``. The parts are the
shared writers of :mod:`.markdown_parts`; this module puts them in order.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.comparison import Comparison
from .markdown_parts import (
    MARKDOWN,
    changes_section,
    gates_section,
    package_section,
    problems_section,
    rollups_section,
    stack_counts_section,
    summary_tables,
    tags_sections,
)


def render(comparison: Comparison, color: bool = False) -> Iterator[str]:
    yield "## Catalog diff"
    yield ""
    yield from summary_tables(comparison, MARKDOWN)
    yield from changes_section(comparison, MARKDOWN)
    yield from gates_section(comparison, MARKDOWN)
    yield from rollups_section(comparison, MARKDOWN)
    yield from stack_counts_section(comparison, MARKDOWN)
    yield from problems_section(comparison.problems, MARKDOWN)
    yield from tags_sections(comparison, MARKDOWN)
    if not comparison.has_differences:
        yield "No differences."
        yield ""
    for change in comparison.packages:
        yield from package_section(change, MARKDOWN)
