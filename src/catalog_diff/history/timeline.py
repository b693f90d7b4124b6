"""Queries over the history index: log, and when something was there (a package's
history is :mod:`.events`).

Pure apart from reading the index: each query turns index rows into the model's
:class:`~catalog_diff.model.history.LogEntry` and
:class:`~catalog_diff.model.history.Presence`, reusing :mod:`catalog_diff.compare.pairing`
for every change record, so a change reads the same in ``log``, ``history`` and ``diff``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..layout import TAGGED
from ..model.comparison import ProblemRecord, Side
from ..model.history import CommitRef, Interval, LogEntry, Presence
from ..model.selection import Globs, globs, matches
from ..model.snapshot import Package, Problem, Snapshot, SourceInfo, SourceKind, Spec
from ..parse.specs import normalise_compiler
from ..process.gcpause import gc_paused
from .absences import bridge
from .index import HistoryIndex, IndexedCommit, Version
from .transient import DAILY_WINDOW, judge

if TYPE_CHECKING:
    from ..compare.aliases import CompilerAliases

#: What ``when`` can look for, and how it finds it in a spec.
QUERIES: dict[str, Callable[[Spec, str], bool]] = {
    "target": lambda spec, value: spec.target == value,
    "stack": lambda spec, value: value in spec.stacks,
    "compiler": lambda spec, value: spec.compiler == normalise_compiler(value),
    "version": lambda spec, value: value in spec.versions,
    "hash": lambda spec, value: spec.hash.startswith(value.lstrip("/")),
    "os": lambda spec, value: spec.os == value,
}


def ref(commit: IndexedCommit) -> CommitRef:
    return CommitRef(commit=commit.sha, date=commit.date, subject=commit.subject)


def _info(commit: IndexedCommit | None) -> SourceInfo:
    if commit is None:
        return SourceInfo(kind=SourceKind.GIT, source="(nothing)")
    return SourceInfo(
        kind=SourceKind.GIT,
        source=commit.sha,
        commit=commit.sha,
        date=commit.date,
        revision=commit.sha,
    )


def without_stacks(package: Package) -> Package:
    specs = tuple(dataclasses.replace(s, stacks=()) for s in package.specs)
    return dataclasses.replace(package, specs=specs)


def _side(
    index: HistoryIndex, versions: Iterable[Version], strip: bool
) -> tuple[dict[tuple[str, str], Package], list[Problem], set[tuple[str, str]]]:
    packages: dict[tuple[str, str], Package] = {}
    problems: list[Problem] = []
    broken: set[tuple[str, str]] = set()
    seen: set[Problem] = set()
    versions = list(versions)
    index.read_contents([v.content_id for v in versions])
    for v in versions:
        content = index.content(v.content_id, v.tag, v.package)
        if isinstance(content, str):
            path, _, message = content.partition(": ")
            if Problem(path, message) not in seen:  # one folder may hide many packages
                seen.add(Problem(path, message))
                problems.append(Problem(path, message))
            broken.add((v.tag, v.package))
        else:
            packages[(v.tag, v.package)] = without_stacks(content) if strip else content
    return packages, problems, broken


def _selected(v: Version, tag: str | None, glob: Globs) -> bool:
    return (tag is None or v.tag == tag) and matches(v.package, globs(glob))


def log_entry(
    index: HistoryIndex,
    commit: IndexedCommit,
    before: IndexedCommit | None,
    tag: str | None = None,
    glob: Globs = None,
    window: int | None = None,
    aliases: CompilerAliases | None = None,
) -> LogEntry:
    """What ``commit`` changed against the commit before it (``before``); with a
    transient ``window``, its catalog-wide kinds too, judged on whole tags, a stack back
    within the window being transient (:mod:`.transient`). ``aliases``: the compiler
    aliases (none: the raw view)."""
    from ..compare.aliases import NO_ALIASES
    from ..compare.pairing import compare  # not needed by ``when``: imported on demand

    ended, began = index.changed_at(commit.seq)
    ended = [v for v in ended if _selected(v, tag, glob)]
    began = [v for v in began if _selected(v, tag, glob)]
    layout_change = None
    if before is not None and before.layout != commit.layout:
        layout_change = (before.layout, commit.layout)
    strip = layout_change is not None and TAGGED in layout_change
    tags_before = index.tags_at(before.seq) if before is not None else set()
    tags_after = index.tags_at(commit.seq)
    if tag is not None:
        tags_before &= {tag}
        tags_after &= {tag}
    if glob is not None:  # a tag added or removed with nothing selected in it: no change
        tags_before -= {t for t in tags_before - tags_after if all(v.tag != t for v in ended)}
        tags_after -= {t for t in tags_after - tags_before if all(v.tag != t for v in began)}
    one_sided = tags_before ^ tags_after
    snapshots = []
    for versions, tags, at in ((ended, tags_before, before), (began, tags_after, commit)):
        counted = [v for v in versions if v.tag in one_sided]
        loaded, problems, broken = _side(
            index, [v for v in versions if v.tag not in one_sided], strip
        )
        sizes = index.tag_sizes(counted)
        snapshots.append(
            Snapshot(
                info=_info(at),
                packages=loaded,
                tags=frozenset(tags),
                problems=tuple(problems),
                broken=frozenset(broken),
                complete=False,
                tag_sizes={t: sizes.get(t, (0, 0)) for t in tags if t in one_sided},
            )
        )
    wide = window is not None and glob is None and before is not None and not strip
    aliases = NO_ALIASES if aliases is None else aliases
    comparison = compare(snapshots[0], snapshots[1], aliases=aliases, kinds=not wide)
    if wide and window is not None:
        comparison = judge(index, commit.seq, window, comparison, snapshots[0], snapshots[1])
    return LogEntry(
        commit=ref(commit),
        layout=commit.layout,
        comparison=comparison,
        layout_change=layout_change,
    )


def log(
    index: HistoryIndex,
    commits: Iterable[IndexedCommit],
    tag: str | None = None,
    glob: Globs = None,
    limit: int | None = None,
    window: int = DAILY_WINDOW,
    aliases: CompilerAliases | None = None,
) -> list[LogEntry]:
    """Log entries for some indexed commits, given newest first; at most ``limit``.
    A stack back within ``window`` commits is transient at the commit where it vanished.
    ``aliases``: the compiler aliases the comparisons pair renamed compilers by (none:
    the raw view).

    Entries are built as they are needed: ``limit`` 1 reads one commit's changes, not the
    history. With a tag or a package pattern, commits that changed nothing selected are
    left out. The first commit of an index started at a later commit is left out too:
    nothing says what it changed.
    """
    partial = index.indexed_from() is not None
    entries: list[LogEntry] = []
    with gc_paused():  # tens of thousands of specs, none of them in a cycle
        for commit in commits:
            if limit is not None and len(entries) >= limit:
                break
            if partial and commit.seq == 0:
                continue
            before = index.commit_at_seq(commit.seq - 1) if commit.seq > 0 else None
            entry = log_entry(index, commit, before, tag, glob, window, aliases)
            filtered = tag is not None or glob is not None
            if filtered and not (entry.comparison.has_differences or entry.comparison.problems):
                continue
            entries.append(entry)
    return entries


def when(
    index: HistoryIndex,
    package: str,
    tag: str,
    kind: str,
    value: str,
    end: IndexedCommit | None = None,
    since: int | None = None,
    until: int | None = None,
    after: int | None = None,
    window: int = DAILY_WINDOW,
) -> Presence:
    """First and last commit where ``kind`` = ``value`` was in ``package``, and every
    interval of presence in between, over the commits up to ``end`` (default: the last
    indexed), after the commit whose seq is ``after``, dated within ``since``..``until``
    (Unix times).

    "Present at the end" is about the last of those commits: None (unknown) when the
    package's file there could not be read. An absence of at most ``window`` commits
    does not end a presence: it is one of ``Presence.gaps``.
    """
    test = QUERIES[kind]
    tip = end if end is not None else index.last_commit()
    start = index.indexed_from()
    hi = tip.seq if tip is not None else -1
    if until is not None and tip is not None:
        last_dated = index.commit_at(until, hi)
        hi = last_dated.seq if last_dated is not None else -1
        tip = last_dated
    lo = after + 1 if after is not None else 0
    if since is not None:
        first_dated = index.first_commit_since(since, hi)
        lo = max(lo, first_dated.seq if first_dated is not None else hi + 1)
    spans: list[tuple[int, int]] = []
    unknown: list[tuple[int, int]] = []  # stretches whose file could not be read
    problems: list[ProblemRecord] = []
    at_end: bool | None = False
    for v in index.versions(package, tag):
        first = max(v.first_seq, lo)
        last = min(v.last_seq if v.last_seq is not None else hi, hi)
        if first > last:
            continue
        content = index.content(v.content_id, tag, package)
        if isinstance(content, str):
            path, _, message = content.partition(": ")
            commit = index.commit_at_seq(v.first_seq)
            problems.append(
                ProblemRecord(
                    Side.NEW,
                    commit.sha if commit else "",
                    path,
                    message,
                    commit.sha if commit else None,
                )
            )
            if last == hi:
                at_end = None  # the file at the end could not be read: unknown
            unknown.append((first, last))
            continue
        if not any(test(spec, value) for spec in content.specs):
            continue
        if last == hi:
            at_end = True
        if spans and spans[-1][1] == first - 1:
            spans[-1] = (spans[-1][0], last)
        else:
            spans.append((first, last))
    spans, gaps = bridge(spans, window, unknown)
    intervals: list[Interval] = []
    bridged: list[Interval] = []
    for found, stretches in ((intervals, spans), (bridged, gaps)):
        for first, last in stretches:
            a, b = index.commit_at_seq(first), index.commit_at_seq(last)
            assert a is not None and b is not None
            found.append(Interval(first=ref(a), last=ref(b)))
    hint = None
    if not spans and not problems and not _occurs(index, package, test, value):
        hint = f"{package} has no {kind} {value!r} in any tag of the index"
    return Presence(
        package=package,
        tag=tag,
        query=(kind, value),
        intervals=tuple(intervals),
        present_at_end=at_end,
        problems=tuple(problems),
        end=ref(tip) if tip is not None else None,
        indexed_from=ref(start) if start is not None else None,
        hint=hint,
        gaps=tuple(bridged),
    )


def _occurs(
    index: HistoryIndex, package: str, test: Callable[[Spec, str], bool], value: str
) -> bool:
    """Whether some readable version of ``package``, in any tag, has the value."""
    for v in index.versions(package):
        content = index.content(v.content_id, v.tag, package)
        if isinstance(content, Package) and any(test(spec, value) for spec in content.specs):
            return True
    return False
