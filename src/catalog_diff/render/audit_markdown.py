"""GitHub-flavoured Markdown for the audit commands (``log``, ``history``, ``when``, ``show``).

The same content as the text renderers, with headings and tables. Every value taken from
the catalog or its git history goes through one of the two Markdown schemes of
:mod:`.escape`: names, tags, SHAs, subjects and paths as code spans
(:func:`.escape.code`), problem messages and dates as inert text (:func:`.escape.inert`),
so none can break a table or add markup; ``<summary>`` lines, which GitHub reads as HTML,
carry counts only. Packages, problems and facet tables are the shared writers of
:mod:`.markdown_parts` in the style of ``diff --format markdown``
(:data:`~.markdown_parts.MARKDOWN`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..model.changes import order_key
from ..model.history import (
    Absence,
    CatalogState,
    CommitRef,
    Interval,
    LogEntry,
    PackageHistory,
    PackageState,
    Presence,
)
from ..model.snapshot import Spec
from ..words import count_of
from .common import (
    absence_span,
    event_changes,
    headline,
    short,
    spec_counts,
    spec_line,
    summary_rows,
)
from .escape import code, inert
from .markdown_parts import (
    MARKDOWN,
    changes_list,
    codes,
    details,
    facet_table,
    package_section,
    problems_section,
    spec_list,
)
from .states import STATE_FACETS, packages_by_tag


def _sha(commit: str) -> str:
    return code(short(commit))


#: A value in running text: a code span, ``|`` left alone (it is escaped in a table only).
_text = MARKDOWN.name


# ---- log ------------------------------------------------------------------------------


def _log_entry(entry: LogEntry) -> Iterator[str]:
    ref, comparison = entry.commit, entry.comparison
    yield f"### {_sha(ref.commit)} {inert(ref.date)}"
    yield ""
    yield f"- commit: {_text(ref.commit)}"
    yield f"- subject: {_text(ref.subject)}"
    yield f"- layout: {_text(entry.layout)}"
    if entry.layout_change:
        old, new = entry.layout_change
        yield f"- layout changed: {_text(old)} {MARKDOWN.arrow} {_text(new)}"
    yield ""
    if not comparison.has_differences and not comparison.problems:
        yield "No change to the catalog."
        yield ""
        return
    said = headline(comparison)
    if said:
        yield said
        yield ""
    counts = dict(summary_rows(comparison.summary))
    yield f"Packages: {counts['packages']}. Specs: {counts['specs']}."
    yield ""
    tags = [("added", t) for t in comparison.tags_added]
    tags += [("removed", t) for t in comparison.tags_removed]
    if tags:
        yield "| tag | | packages | specs |"
        yield "|---|---|---:|---:|"
        for word, t in tags:
            yield f"| {code(t.tag)} | {word} | {t.packages} | {t.specs} |"
        yield ""
    yield from changes_list(comparison.changes, MARKDOWN, "####")
    yield from problems_section(comparison.problems, MARKDOWN, "####")
    if not comparison.packages:
        return
    yield "| package | status | specs |"
    yield "|---|---|---|"
    for change in comparison.packages:
        label = code(change.tag + "/" + change.name)
        yield f"| {label} | {change.status.value} | {spec_counts(change.specs)} |"
    yield ""
    body = [
        line for change in comparison.packages for line in package_section(change, MARKDOWN, "####")
    ]
    yield from details(f"Details: {count_of(len(comparison.packages), 'package')}", body)


def render_log(entries: Sequence[LogEntry], color: bool = False) -> Iterator[str]:
    """Each commit (in the order given, newest first by convention) and what it changed."""
    yield "## Catalog log"
    yield ""
    if not entries:
        yield "No commits."
        yield ""
    for entry in entries:
        yield from _log_entry(entry)


# ---- history --------------------------------------------------------------------------


def _absence_row(absence: Absence) -> str:
    first, count = absence.first, count_of(absence.commits, "commit")
    cells = [code(absence.tag), "missing", f"to {_sha(absence.last.commit)} ({count})"]
    return (
        f"| {inert(first.date)} | {_sha(first.commit)} | {' | '.join(cells)} "
        f"| {code(first.subject)} |"
    )


def _absence_section(absence: Absence) -> Iterator[str]:
    first = absence.first
    yield f"### {inert(first.date)} {_sha(first.commit)} missing"
    yield ""
    for c in sorted(absence.changes, key=order_key):
        yield f"{inert(absence_span(absence))}: {code(c.code)} \N{EM DASH} {inert(c.impact)}"
    yield ""


def render_history(history: PackageHistory, color: bool = False) -> Iterator[str]:
    """The commits at which a package changed, oldest first, with its facet deltas; its
    transient absences in their places."""
    where = f"in {_text(history.tag)}" if history.tag is not None else "in all tags"
    yield f"## History of {_text(history.package)} {where}"
    yield ""
    yield from _window(history.end, history.indexed_from)
    if not history.events and not history.absences:
        yield "No events."
        yield ""
        return
    placed = [
        [a for a in history.absences if a.position == i] for i in range(len(history.events) + 1)
    ]
    yield "| date | commit | tag | status | specs | subject |"
    yield "|---|---|---|---|---|---|"
    for i, event in enumerate([*history.events, None]):
        yield from (_absence_row(a) for a in placed[i])
        if event is None:
            break
        ref, change = event.commit, event.change
        if change is None:
            cells = ["", "unknown", inert(event.problem or "the change could not be read")]
        else:
            cells = [code(change.tag), change.status.value, spec_counts(change.specs)]
        yield (
            f"| {inert(ref.date)} | {_sha(ref.commit)} | {' | '.join(cells)} "
            f"| {code(ref.subject)} |"
        )
    yield ""
    for i, event in enumerate([*history.events, None]):
        for absence in placed[i]:
            yield from _absence_section(absence)
        if event is None:
            break
        ref, change = event.commit, event.change
        if change is None and not event.problem:
            continue
        status = change.status.value if change is not None else "unknown"
        yield f"### {inert(ref.date)} {_sha(ref.commit)} {status}"
        yield ""
        if event.absence is not None:
            yield f"Back after {inert(absence_span(event.absence))}."
            yield ""
        yield from changes_list(event_changes(change, event.changes), MARKDOWN, "####")
        if change is not None:
            yield from facet_table(change, MARKDOWN)
            items = spec_list(change, MARKDOWN)
            if items:
                yield from items
                yield ""
        if event.problem:
            yield f"Problem: {inert(event.problem)}"
            yield ""


# ---- when -----------------------------------------------------------------------------


def _window(end: CommitRef | None, start: CommitRef | None) -> Iterator[str]:
    """Which commits a report covers (see the text renderer)."""
    if start is not None:
        yield f"Indexed from {_sha(start.commit)} ({start.date}); nothing before it is known."
        yield ""
    if end is not None:
        yield f"Up to {_sha(end.commit)} ({end.date})."
        yield ""


def _ref_row(label: str, ref: CommitRef) -> str:
    return f"| {label} | {inert(ref.date)} | {_sha(ref.commit)} | {code(ref.subject)} |"


def render_when(presence: Presence, color: bool = False) -> Iterator[str]:
    """When a target, stack, compiler, version or hash was present for a package."""
    kind, value = presence.query
    yield f"## {_text(presence.package)} in {_text(presence.tag)}: {kind} {_text(value)}"
    yield ""
    first, last = presence.first_seen, presence.last_seen
    if first is None or last is None:
        yield "Never present."
    else:
        yield "| | date | commit | subject |"
        yield "|---|---|---|---|"
        yield _ref_row("first seen", first)
        yield _ref_row("last seen", last)
    yield ""
    at_end = presence.present_at_end
    shown = (
        "unknown (the file at the end could not be read)"
        if at_end is None
        else ("yes" if at_end else "no")
    )
    yield f"Present at the end: {shown}."
    yield ""
    yield from _window(presence.end, presence.indexed_from)
    yield from _intervals(
        "Intervals", "first date | first commit | last date | last commit", presence.intervals
    )
    yield from _intervals(
        "Transient gaps (not the end of a presence)",
        "first missing | commit | last missing | commit",
        presence.gaps,
    )
    yield from problems_section(presence.problems, MARKDOWN, side=False)


def _intervals(title: str, columns: str, intervals: Sequence[Interval]) -> Iterator[str]:
    """A table of stretches of commits (first and last, each a date and a commit)."""
    if not intervals:
        return
    yield f"### {title}"
    yield ""
    yield f"| {columns} |"
    yield "|---|---|---|---|"
    for i in intervals:
        a, b = i.first, i.last
        yield f"| {inert(a.date)} | {_sha(a.commit)} | {inert(b.date)} | {_sha(b.commit)} |"
    yield ""


# ---- show -----------------------------------------------------------------------------


def _spec_list(package: PackageState, specs: Sequence[Spec]) -> Iterator[str]:
    yield f"#### Specs of {_text(package.tag + '/' + package.name)}"
    yield ""
    for spec in specs:
        yield f"- {_text(spec_line(package.name, spec))}"
    yield ""


def render_show(state: CatalogState, color: bool = False) -> Iterator[str]:
    """The catalog at one commit: per tag, a table of packages with their facets."""
    info = state.source
    yield f"## Catalog at {_sha(info.commit) if info.commit else _text(info.source)}"
    yield ""
    yield "| | |"
    yield "|---|---|"
    yield f"| source | {code(info.label)} |"
    if info.commit:
        yield f"| commit | {code(info.commit)} |"
    if info.date:
        yield f"| date | {inert(info.date)} |"
    yield ""
    by_tag = packages_by_tag(state)
    for tag in by_tag:
        packages = by_tag[tag]
        specs = sum(p.spec_count for p in packages)
        yield f"### {_text(tag)}"
        yield ""
        yield f"{count_of(len(packages), 'package')}, {count_of(specs, 'spec')}."
        yield ""
        if not packages:
            continue
        yield "| package | specs | " + " | ".join(STATE_FACETS) + " |"
        yield "|---|---:|" + "---|" * len(STATE_FACETS)
        for p in packages:
            cells = [codes(sorted(getattr(p, facet)), MARKDOWN) for facet in STATE_FACETS]
            yield f"| {code(p.name)} | {p.spec_count} | " + " | ".join(cells) + " |"
        yield ""
        for p in packages:
            if p.specs is not None:
                yield from _spec_list(p, p.specs)
    yield from problems_section(state.problems, MARKDOWN, side=False)
