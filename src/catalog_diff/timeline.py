"""Queries over the history index: log, a package's history, and when something was there.

Pure apart from reading the index: each query turns index rows into the model's
:class:`~catalog_diff.historymodel.LogEntry`, :class:`~catalog_diff.historymodel.PackageHistory` and
:class:`~catalog_diff.historymodel.Presence`, reusing :mod:`catalog_diff.compare` for every change
record, so a change reads the same in ``log``, ``history`` and ``diff``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from .changes import ProblemRecord, Side
from .compare import compare, compare_packages
from .history import HistoryIndex, IndexedCommit, Version
from .historymodel import CommitRef, HistoryEvent, Interval, LogEntry, PackageHistory, Presence
from .model import Package, Problem, Snapshot, SourceInfo, SourceKind, Spec
from .patterns import Globs, globs, matches
from .specs import normalise_compiler

#: What ``when`` can look for, and how it finds it in a spec.
QUERIES: dict[str, Callable[[Spec, str], bool]] = {
    "target": lambda spec, value: spec.target == value,
    "stack": lambda spec, value: value in spec.stacks,
    "compiler": lambda spec, value: spec.compiler == normalise_compiler(value),
    "version": lambda spec, value: value in spec.versions,
    "hash": lambda spec, value: spec.hash.startswith(value.lstrip("/")),
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


def _without_stacks(package: Package) -> Package:
    specs = tuple(dataclasses.replace(s, stacks=()) for s in package.specs)
    return dataclasses.replace(package, specs=specs)


def _side(
    index: HistoryIndex, versions: Iterable[Version], strip: bool
) -> tuple[dict[tuple[str, str], Package], list[Problem], set[tuple[str, str]]]:
    packages: dict[tuple[str, str], Package] = {}
    problems: list[Problem] = []
    broken: set[tuple[str, str]] = set()
    seen: set[Problem] = set()
    for v in versions:
        content = index.content(v.content_id, v.tag, v.package)
        if isinstance(content, str):
            path, _, message = content.partition(": ")
            if Problem(path, message) not in seen:  # one folder may hide many packages
                seen.add(Problem(path, message))
                problems.append(Problem(path, message))
            broken.add((v.tag, v.package))
        else:
            packages[(v.tag, v.package)] = _without_stacks(content) if strip else content
    return packages, problems, broken


def _selected(v: Version, tag: str | None, glob: Globs) -> bool:
    return (tag is None or v.tag == tag) and matches(v.package, globs(glob))


def log_entry(
    index: HistoryIndex,
    commit: IndexedCommit,
    before: IndexedCommit | None,
    tag: str | None = None,
    glob: Globs = None,
) -> LogEntry:
    """What ``commit`` changed against the commit before it (``before``)."""
    ended, began = index.changed_at(commit.seq)
    ended = [v for v in ended if _selected(v, tag, glob)]
    began = [v for v in began if _selected(v, tag, glob)]
    layout_change = None
    if before is not None and before.layout != commit.layout:
        layout_change = (before.layout, commit.layout)
    strip = layout_change is not None and "tagged" in layout_change
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
    return LogEntry(
        commit=ref(commit),
        layout=commit.layout,
        comparison=compare(snapshots[0], snapshots[1]),
        layout_change=layout_change,
    )


def log(
    index: HistoryIndex,
    commits: Sequence[IndexedCommit],
    tag: str | None = None,
    glob: Globs = None,
) -> list[LogEntry]:
    """Log entries for some indexed commits, newest first.

    With a tag or a package pattern, commits that changed nothing selected are left out.
    """
    entries = []
    for commit in sorted(commits, key=lambda c: c.seq, reverse=True):
        before = index.commit_at_seq(commit.seq - 1) if commit.seq > 0 else None
        entry = log_entry(index, commit, before, tag, glob)
        filtered = tag is not None or glob is not None
        if filtered and not (entry.comparison.has_differences or entry.comparison.problems):
            continue
        entries.append(entry)
    return entries


def history(
    index: HistoryIndex,
    package: str,
    tag: str | None = None,
    since: int | None = None,
    until: int | None = None,
) -> PackageHistory:
    """Every commit at which ``package`` changed (in ``tag``, or in every tag), oldest first.

    ``since``/``until`` are Unix times bounding the commit dates.
    """
    events: list[tuple[int, str, HistoryEvent]] = []
    by_tag: dict[str, list[Version]] = {}
    for v in index.versions(package, tag):
        by_tag.setdefault(v.tag, []).append(v)
    commits: dict[int, IndexedCommit] = {}

    def commit_at(seq: int) -> IndexedCommit:
        if seq not in commits:
            found = index.commit_at_seq(seq)
            assert found is not None
            commits[seq] = found
        return commits[seq]

    def broken(v: Version, tag_name: str) -> bool:
        return isinstance(index.content(v.content_id, tag_name, package), str)

    def record(seq: int, tag_name: str, old: Version | None, new: Version | None) -> None:
        commit = commit_at(seq)
        if (since is not None and commit.timestamp < since) or (
            until is not None and commit.timestamp > until
        ):
            return
        layouts = {index.content_layout(v.content_id) for v in (old, new) if v is not None}
        strip = len(layouts) > 1
        sides: list[Package | None] = []
        for v in (old, new):
            content = index.content(v.content_id, tag_name, package) if v is not None else None
            if isinstance(content, str):
                event = HistoryEvent(commit=ref(commit), change=None, problem=content)
                events.append((seq, tag_name, event))
                return
            sides.append(_without_stacks(content) if strip and content else content)
        change = compare_packages(tag_name, package, sides[0], sides[1])
        if change is not None:
            events.append((seq, tag_name, HistoryEvent(commit=ref(commit), change=change)))

    for tag_name, versions in sorted(by_tag.items()):
        starts = {v.first_seq for v in versions}
        previous: Version | None = None
        good: Version | None = None  # the last readable version of an unbroken run
        for v in versions:
            if previous is None or previous.last_seq != v.first_seq - 1:
                good = None
                record(v.first_seq, tag_name, None, v)
            else:
                before = previous
                if good is not None and broken(previous, tag_name) and not broken(v, tag_name):
                    before = good  # readable again: what changed across the broken stretch
                record(v.first_seq, tag_name, before, v)
            if not broken(v, tag_name):
                good = v
            if v.last_seq is not None and v.last_seq + 1 not in starts:
                record(v.last_seq + 1, tag_name, v, None)  # removed
            previous = v
    events.sort(key=lambda item: (item[0], item[1]))
    return PackageHistory(package=package, tag=tag, events=tuple(e for _, _, e in events))


def when(index: HistoryIndex, package: str, tag: str, kind: str, value: str) -> Presence:
    """First and last commit where ``kind`` = ``value`` was in ``package``, and every
    interval of presence in between."""
    test = QUERIES[kind]
    tip = index.last_commit()
    spans: list[tuple[int, int]] = []
    problems: list[ProblemRecord] = []
    for v in index.versions(package, tag):
        content = index.content(v.content_id, tag, package)
        last = v.last_seq if v.last_seq is not None else (tip.seq if tip else v.first_seq)
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
            continue
        if not any(test(spec, value) for spec in content.specs):
            continue
        if spans and spans[-1][1] == v.first_seq - 1:
            spans[-1] = (spans[-1][0], last)
        else:
            spans.append((v.first_seq, last))
    intervals = []
    for first, last in spans:
        a, b = index.commit_at_seq(first), index.commit_at_seq(last)
        assert a is not None and b is not None
        intervals.append(Interval(first=ref(a), last=ref(b)))
    # Only a version still open at the tip reaches the tip's seq.
    at_end = bool(spans) and tip is not None and spans[-1][1] == tip.seq
    return Presence(
        package=package,
        tag=tag,
        query=(kind, value),
        intervals=tuple(intervals),
        present_at_end=at_end,
        problems=tuple(problems),
    )
