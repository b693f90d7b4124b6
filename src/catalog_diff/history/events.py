"""A package's history from the index: every commit at which it changed, and its
transient absences.

Each event's change record comes from :func:`catalog_diff.compare.pairing.compare_packages`,
as in ``diff``. A package gone at one commit and back within the transient window is not
removed and added again: it is one :class:`~catalog_diff.model.history.Absence` (the
commits it was missing, with ``package-transient``), and, when it came back different,
the event of its return is what changed across the absence (its ``absence`` set). An
event with no change record is always a change that could not be read.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from ..model.history import Absence, HistoryEvent, PackageHistory
from ..model.snapshot import Package
from .absences import back_soon, facet_transients, package_transient, with_wide_kinds
from .index import HistoryIndex, IndexedCommit, Version
from .timeline import ref, without_stacks
from .transient import DAILY_WINDOW

if TYPE_CHECKING:
    from ..compare.aliases import CompilerAliases

#: An item of the timeline: its commit seq, its tag, and the event or absence.
Item = tuple[int, str, HistoryEvent | Absence]


def history(
    index: HistoryIndex,
    package: str,
    tag: str | None = None,
    since: int | None = None,
    until: int | None = None,
    end: IndexedCommit | None = None,
    limit: int | None = None,
    after: int | None = None,
    window: int = DAILY_WINDOW,
    aliases: CompilerAliases | None = None,
) -> PackageHistory:
    """Every commit at which ``package`` changed (in ``tag``, or in every tag), oldest first.
    An absence of the package back within ``window`` commits is transient: an
    :class:`~catalog_diff.model.history.Absence`, and the package's return, when it came
    back different, an event of what changed across it (not an addition); a stack,
    target or compiler of it gone and back within the window is transient too
    (:mod:`.transient`). ``aliases``: the compiler aliases (none: the raw view).

    ``since``/``until`` are Unix times bounding the commit dates; ``end`` the last commit
    looked at (default: the last indexed), ``after`` the seq of the commit before the
    first one looked at; ``limit`` keeps the most recent events and absences only.
    In an index started at a later commit, the package being there at its first commit
    is not an event: nothing says when it came.
    """
    from ..compare.aliases import NO_ALIASES
    from ..compare.kinds import compiler_renames, renamed_changes
    from ..compare.pairing import compare_packages

    aliases = NO_ALIASES if aliases is None else aliases
    end = end if end is not None else index.last_commit()
    last_seq = end.seq if end is not None else -1
    start = index.indexed_from()
    items: list[Item] = []
    sides_of: dict[int, tuple[Package | None, Package | None]] = {}  # by id of an event
    by_tag: dict[str, list[Version]] = {}
    found = index.versions(package, tag)
    index.read_contents([v.content_id for v in found])
    for v in found:
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

    def shown(seq: int, added: bool) -> IndexedCommit | None:
        """The commit ``seq``, if an event there is shown."""
        if seq > last_seq or (start is not None and seq == 0 and added):
            return None
        if after is not None and seq <= after:
            return None
        commit = commit_at(seq)
        early = since is not None and commit.timestamp < since
        return None if early or (until is not None and commit.timestamp > until) else commit

    def record(
        seq: int,
        tag_name: str,
        old: Version | None,
        new: Version | None,
        absence: Absence | None = None,
    ) -> None:
        commit = shown(seq, old is None)
        if commit is None:
            return
        layouts = {index.content_layout(v.content_id) for v in (old, new) if v is not None}
        strip = len(layouts) > 1
        sides: list[Package | None] = []
        for v in (old, new):
            content = index.content(v.content_id, tag_name, package) if v is not None else None
            if isinstance(content, str):
                event = HistoryEvent(commit=ref(commit), change=None, problem=content)
                items.append((seq, tag_name, event))
                return
            sides.append(without_stacks(content) if strip and content else content)
        change = compare_packages(tag_name, package, sides[0], sides[1], aliases=aliases)
        if change is not None:
            kinds = facet_transients(index, by_tag[tag_name], change, seq, window, last_seq)
            moves = compiler_renames([change]).get(tag_name, {})
            kinds = (*renamed_changes(tag_name, moves, package), *kinds)
            if absence is not None:
                kinds = (*absence.changes, *kinds)
            event = HistoryEvent(commit=ref(commit), change=change, changes=kinds, absence=absence)
            items.append((seq, tag_name, event))
            if not strip:
                sides_of[id(event)] = (sides[0], sides[1])

    def missing(seq: int, tag_name: str, back: int) -> Absence:
        """The package gone at ``seq`` and back at ``back``, within the window (listed
        when ``seq`` is shown)."""
        kind = package_transient(index, tag_name, package, seq, back)
        first, last = ref(commit_at(seq)), ref(commit_at(back - 1))
        absence = Absence(tag_name, first, last, back - seq, (kind,))
        if shown(seq, False) is not None:
            items.append((seq, tag_name, absence))
        return absence

    for tag_name, versions in sorted(by_tag.items()):
        starts = {v.first_seq for v in versions}
        previous: Version | None = None
        good: Version | None = None  # the last readable version of an unbroken run
        gap: Absence | None = None  # the absence just before ``v``
        for i, v in enumerate(versions):
            joined = previous is not None and previous.last_seq == v.first_seq - 1
            if not joined and not back_soon(previous, v, window, last_seq):
                good = None
                record(v.first_seq, tag_name, None, v)
            else:
                assert previous is not None
                before = previous
                if good is not None and broken(previous, tag_name) and not broken(v, tag_name):
                    before = good  # readable again: what changed across the broken stretch
                record(v.first_seq, tag_name, before, v, None if joined else gap)
            gap = None
            if not broken(v, tag_name):
                good = v
            if v.last_seq is not None and v.last_seq + 1 not in starts:
                later = versions[i + 1] if i + 1 < len(versions) else None
                if later is not None and back_soon(v, later, window, last_seq):
                    gap = missing(v.last_seq + 1, tag_name, later.first_seq)
                else:
                    record(v.last_seq + 1, tag_name, v, None)  # removed
            previous = v
    items.sort(key=lambda item: (item[0], item[1], isinstance(item[2], HistoryEvent)))
    if limit is not None:
        items = items[-limit:] if limit > 0 else []
    events = [(seq, t, e) for seq, t, e in items if isinstance(e, HistoryEvent)]
    kept = with_wide_kinds(index, events, sides_of, window)  # of the events shown only
    absences: list[Absence] = []
    for i, (_, _, item) in enumerate(items):
        if isinstance(item, Absence):  # placed after the events before it
            absences.append(dataclasses.replace(item, position=i - len(absences)))
    return PackageHistory(
        package=package,
        tag=tag,
        events=tuple(kept),
        end=ref(end) if end is not None else None,
        indexed_from=ref(start) if start is not None else None,
        absences=tuple(absences),
    )


__all__ = ["history"]
