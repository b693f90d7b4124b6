"""What the history index answers: frozen, typed, free of I/O.

The records of ``log``, ``history``, ``when`` and ``show``
(:mod:`catalog_diff.history.timeline`, :mod:`catalog_diff.history.index`); a change is a
:class:`~catalog_diff.model.comparison.PackageChange` as in a comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

from .changes import Change
from .comparison import Comparison, PackageChange, ProblemRecord
from .snapshot import SourceInfo, Spec

# ---- history and audit ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommitRef:
    """A commit as reports show it: full SHA, ISO 8601 date with offset, subject."""

    commit: str
    date: str
    subject: str = ""

    def __str__(self) -> str:
        return self.commit


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What one commit changed in the catalog (a comparison with its first parent).

    ``layout_change`` is ``(old layout, new layout)`` at a commit where the catalog's
    layout changed; stacks, which the older layouts lack, are then left out of the
    comparison so that the change is reported once, not as every package re-added.
    """

    commit: CommitRef
    layout: str
    comparison: Comparison
    layout_change: tuple[str, str] | None = None

    @property
    def sha(self) -> str:
        """The commit's full SHA (``entry.commit.commit``)."""
        return self.commit.commit


@dataclass(frozen=True, slots=True)
class Absence:
    """A package missing from ``tag`` for a few commits and back within the transient
    window: not a removal and a re-addition. ``first`` and ``last`` are the first and
    the last commit at which it was missing, ``commits`` how many there are; ``changes``
    its kinds (``package-transient``). ``position`` is its place in the timeline: the
    number of the history's events that come before it."""

    tag: str
    first: CommitRef
    last: CommitRef
    commits: int
    changes: tuple[Change, ...] = ()
    position: int = 0


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """A commit at which a package changed: its change record, or why it is unknown
    (``change`` None, with its ``problem``).

    ``changes`` are kinds judged over the package's history beyond the change record:
    a stack, target or compiler of the package gone and back within the transient
    window (``stack-transient``, ...). ``absence`` is set on the commit where the package
    came back different after a transient :class:`Absence`: ``change`` is then what
    changed across it, and ``changes`` hold ``package-transient``.
    """

    commit: CommitRef
    change: PackageChange | None
    problem: str | None = None
    changes: tuple[Change, ...] = ()
    absence: Absence | None = None

    @property
    def sha(self) -> str:
        """The commit's full SHA (``event.commit.commit``)."""
        return self.commit.commit


@dataclass(frozen=True, slots=True)
class PackageHistory:
    """A package's timeline in one tag (or all tags when ``tag`` is None), oldest first.

    ``end`` is the last commit looked at (the tip of the revision asked);
    ``indexed_from`` the first indexed commit when the index starts after the beginning
    of the history (nothing before it is known; it is not taken as adding the package).
    ``absences`` are the package's transient absences (:class:`Absence`), oldest first.
    """

    package: str
    tag: str | None
    events: tuple[HistoryEvent, ...]
    end: CommitRef | None = None
    indexed_from: CommitRef | None = None
    absences: tuple[Absence, ...] = ()


@dataclass(frozen=True, slots=True)
class Interval:
    """Consecutive commits where something was present: ``first`` to ``last`` included."""

    first: CommitRef
    last: CommitRef


@dataclass(frozen=True, slots=True)
class Presence:
    """When a target, stack, compiler, version or hash was present for a package.

    ``present_at_end`` is None (unknown) when the package's file at ``end`` could not be
    read. ``end`` is the last commit looked at (the tip of the revision asked, or the
    last one up to ``--until``); ``indexed_from`` as for :class:`PackageHistory`.
    ``hint`` says when the value asked for never occurs in the package at all.
    ``gaps`` are the absences within the transient window that do not end a presence
    (the commits from the first missing to the last missing), oldest first.
    """

    package: str
    tag: str
    query: tuple[str, str]
    intervals: tuple[Interval, ...]
    present_at_end: bool | None
    problems: tuple[ProblemRecord, ...] = ()
    end: CommitRef | None = None
    indexed_from: CommitRef | None = None
    hint: str | None = None
    gaps: tuple[Interval, ...] = ()

    @property
    def first_seen(self) -> CommitRef | None:
        return self.intervals[0].first if self.intervals else None

    @property
    def last_seen(self) -> CommitRef | None:
        return self.intervals[-1].last if self.intervals else None


@dataclass(frozen=True, slots=True)
class PackageState:
    """A package at one point: its facets, and its specs when asked for."""

    tag: str
    name: str
    spec_count: int
    targets: tuple[str, ...]
    stacks: tuple[str, ...]
    compilers: tuple[str, ...]
    versions: tuple[str, ...]
    specs: tuple[Spec, ...] | None = None


@dataclass(frozen=True, slots=True)
class CatalogState:
    """The catalog at one commit (``show``); packages sorted by tag and name."""

    source: SourceInfo
    packages: tuple[PackageState, ...]
    tags: tuple[str, ...]
    problems: tuple[ProblemRecord, ...] = ()
