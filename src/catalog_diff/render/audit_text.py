"""Plain text for the audit commands (``log``, ``history``, ``when``, ``show``).

In the spirit of ``git log --stat``: one block per commit or event, short SHAs of twelve
characters where a full one is not needed, and colour only when asked. Lists come in the
order the caller gives (``log`` newest first, ``history`` oldest first); packages of
``show`` are sorted by tag and name (:func:`.states.packages_by_tag`). Facets, specs and
problems are the shared writers of :mod:`.text_parts`. Every field is written with
:func:`.escape.text` (through ``paint`` or ``shown``), the text format's policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from ..model.comparison import TagCount
from ..model.history import (
    Absence,
    CatalogState,
    CommitRef,
    LogEntry,
    PackageHistory,
    PackageState,
    Presence,
)
from ..words import count_of
from .common import (
    absence_kinds,
    absence_span,
    describe_source,
    event_changes,
    headline,
    package_label,
    short,
    spec_counts,
    spec_line,
    summary_rows,
)
from .escape import text as shown
from .states import STATE_FACETS, packages_by_tag
from .text_parts import (
    ARROW,
    Paint,
    changes_block,
    facet_lines,
    painter,
    problem_line,
    problems_block,
    spec_lines,
)

_PROBLEMS = "Problems (files that could not be read)"


def _join(*parts: str) -> str:
    """Fields separated by two spaces, empty ones left out."""
    return "  ".join(p for p in parts if p)


def _commit_line(ref: CommitRef) -> str:
    return shown(_join(ref.date, short(ref.commit), ref.subject))


# ---- log ------------------------------------------------------------------------------


def _tag_line(mark: str, t: TagCount) -> str:
    return f"{mark} {t.tag} ({count_of(t.packages, 'package')}, {count_of(t.specs, 'spec')})"


def _indented(lines: Iterable[str], indent: str) -> Iterator[str]:
    return (indent + line if line else line for line in lines)


def _log_entry(entry: LogEntry, paint: Paint) -> Iterator[str]:
    comparison = entry.comparison
    yield paint(f"commit {entry.commit.commit}", "head")
    yield shown(f"Date:   {entry.commit.date}")
    yield ""
    yield shown(f"    {entry.commit.subject}")
    yield ""
    if entry.layout_change:
        old, new = entry.layout_change
        yield shown(f"  {'layout':<10} {old} {ARROW} {new}")
    if not comparison.has_differences and not comparison.problems:
        if not entry.layout_change:
            yield "  no change to the catalog"
        return
    tags = [paint(_tag_line("+", t), "+") for t in comparison.tags_added]
    tags += [paint(_tag_line("-", t), "-") for t in comparison.tags_removed]
    for label, counts in summary_rows(comparison.summary):
        yield f"  {label:<10} {counts}"
        if label == "tags":  # each tag added or removed under its count
            yield from (f"  {'':<10} {line}" for line in tags)
    said = headline(comparison)
    if said:
        yield f"  {said}"
    yield from _indented(changes_block(comparison.changes, paint), "  ")
    if comparison.changes:
        yield ""
    width = max((len(shown(package_label(c))) for c in comparison.packages), default=0)
    for change in comparison.packages:
        status, counts = change.status.value, spec_counts(change.specs)
        cells = (f"{shown(package_label(change)):<{width}}", f"{status:<7}" if counts else status)
        yield "  " + _join(cells[0], paint(cells[1], status), counts)
    for p in comparison.problems:
        yield "  " + problem_line(p, paint)


def render_log(entries: Sequence[LogEntry], color: bool = False) -> Iterator[str]:
    """Each commit (in the order given, newest first by convention) and what it changed."""
    paint = painter(color)
    if not entries:
        yield "No commits."
        return
    for i, entry in enumerate(entries):
        if i:
            yield ""
        yield from _log_entry(entry, paint)


# ---- history --------------------------------------------------------------------------


def _absence(absence: Absence, all_tags: bool, paint: Paint) -> Iterator[str]:
    """A transient absence, one line in its place in the timeline."""
    first = absence.first
    when = shown(_join(first.date, short(first.commit)))
    where = shown(absence.tag) if all_tags else ""
    yield ""
    yield _join(when, where, paint(absence_span(absence), "removed"))
    yield "    " + shown(absence_kinds(absence))


def render_history(history: PackageHistory, color: bool = False) -> Iterator[str]:
    """The commits at which a package changed, oldest first, with its facet deltas; its
    transient absences in their places."""
    paint = painter(color)
    where = f"tag {history.tag}" if history.tag is not None else "all tags"
    yield paint(f"History of {history.package} in {where}", "head")
    yield from _window(history.end, history.indexed_from)
    counts = count_of(len(history.events), "event")
    if history.absences:
        counts += ", " + count_of(len(history.absences), "transient absence")
    yield counts
    all_tags = history.tag is None
    for i, event in enumerate([*history.events, None]):
        for absence in (a for a in history.absences if a.position == i):
            yield from _absence(absence, all_tags, paint)
        if event is None:
            break
        ref = event.commit
        yield ""
        change = event.change
        if change is None:
            when = shown(_join(ref.date, short(ref.commit)))
            yield _join(when, paint("unknown", "!"), shown(ref.subject))
            yield "    " + paint(f"! {event.problem or 'the change could not be read'}", "!")
            continue
        status = change.status.value
        yield _join(
            shown(_join(ref.date, short(ref.commit))),
            shown(change.tag) if all_tags else "",
            paint(status, status),
            spec_counts(change.specs),
            shown(ref.subject),
        )
        if event.absence is not None:
            yield "    " + shown(f"back after {absence_span(event.absence)}")
        yield from facet_lines(change, paint, "    ")
        yield from spec_lines(change, paint, "    ")
        yield from _indented(changes_block(event_changes(change, event.changes), paint), "    ")
        if event.problem:
            yield "    " + paint(f"! {event.problem}", "!")


# ---- when -----------------------------------------------------------------------------


def _at_end(present: bool | None) -> str:
    if present is None:
        return "unknown (the file at the end could not be read)"
    return "yes" if present else "no"


def _window(end: CommitRef | None, start: CommitRef | None) -> Iterator[str]:
    """Which commits a report covers: where the index starts, if not at the beginning,
    and the end (the tip of the revision asked)."""
    if start is not None:
        yield f"indexed from {_commit_line(start)} (nothing before it is known)"
    if end is not None:
        yield f"up to {_commit_line(end)}"


def render_when(presence: Presence, color: bool = False) -> Iterator[str]:
    """When a target, stack, compiler, version or hash was present for a package."""
    paint = painter(color)
    kind, value = presence.query
    yield paint(f"{presence.package} ({presence.tag}) {kind} {value}", "head")
    first, last = presence.first_seen, presence.last_seen
    if first is None or last is None:
        yield "  never present"
    else:
        yield f"  {'first seen':<11} {_commit_line(first)}"
        yield f"  {'last seen':<11} {_commit_line(last)}"
    yield f"  present at the end: {_at_end(presence.present_at_end)}"
    yield from ("  " + line for line in _window(presence.end, presence.indexed_from))
    for title, lead, stretches in (
        ("Intervals", "", presence.intervals),
        ("Transient gaps, not the end of a presence", "missing ", presence.gaps),
    ):
        if stretches:
            yield ""
            yield paint(f"{title} ({len(stretches)})", "head")
            for stretch in stretches:
                a, b = stretch.first, stretch.last
                yield shown(f"  {lead}{a.date} {short(a.commit)} .. {b.date} {short(b.commit)}")
    yield from problems_block(presence.problems, paint, _PROBLEMS, side=False)


# ---- show -----------------------------------------------------------------------------


def _show_package(package: PackageState, paint: Paint) -> Iterator[str]:
    yield "  " + paint(f"{package.name}  {count_of(package.spec_count, 'spec')}", "head")
    for facet in STATE_FACETS:
        values: tuple[str, ...] = getattr(package, facet)
        yield shown(f"    {facet:<10} {', '.join(sorted(values))}".rstrip())
    if package.specs is not None:
        yield "    specs"
        for spec in package.specs:
            yield shown(f"      {spec_line(package.name, spec)}")


def render_show(state: CatalogState, color: bool = False) -> Iterator[str]:
    """The catalog at one commit: per tag, each package's spec count and facets."""
    paint = painter(color)
    info = state.source
    yield shown(f"source: {describe_source(info, None)}")
    if info.commit:
        yield shown(f"commit: {info.commit}")
    if info.date:
        yield shown(f"date:   {info.date}")
    by_tag = packages_by_tag(state)
    if not by_tag:
        yield ""
        yield "No tags."
    for tag in by_tag:
        in_tag = by_tag[tag]
        specs = sum(p.spec_count for p in in_tag)
        yield ""
        counts = f"{count_of(len(in_tag), 'package')}, {count_of(specs, 'spec')}"
        yield paint(f"{tag}  ({counts})", "head")
        for package in in_tag:
            yield from _show_package(package, paint)
    yield from problems_block(state.problems, paint, _PROBLEMS, side=False)
