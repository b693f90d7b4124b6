"""What ``catalog-diff trends`` reads from the history index: series over time.

Frozen and free of I/O; :mod:`catalog_diff.history.trends` computes them and
:mod:`catalog_diff.render.trends` draws them. Days are UTC calendar days
(``YYYY-MM-DD``); a day's value is the catalog after the last commit of that day.

A spec is counted once however many tags carry it: a frozen tag that copies ``develop``
adds no spec to a stack. ``gained``/``lost`` count spec hashes that appeared in, or
vanished from, every tag selected; ``rebuilt`` counts a hash replaced by another one of
the same package with the same build (versions, compiler, OS, platform, target and
variants): those are left out of gained and lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from .comparison import ProblemRecord
from .history import CommitRef, Interval


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart: ``(day, value)`` points, oldest first; no point on a day its
    tag or stack was absent (a gap, not a zero)."""

    name: str
    points: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class ChangeBucket:
    """What one day or ISO week gained, lost and rebuilt; ``period`` is ``2025-04-01`` or
    ``2025-W14``, ``start`` its first day."""

    period: str
    start: str
    gained: int
    lost: int
    rebuilt: int
    commits: int


@dataclass(frozen=True, slots=True)
class Span:
    """When a stack, target, OS or compiler was in the catalog: each interval of
    consecutive commits that carried it; a gap lies between two intervals."""

    kind: str
    value: str
    intervals: tuple[Interval, ...]
    present_at_end: bool

    @property
    def first_seen(self) -> CommitRef:
        return self.intervals[0].first

    @property
    def last_seen(self) -> CommitRef:
        return self.intervals[-1].last


#: The kinds of :class:`Span`, in report order.
SPAN_KINDS: tuple[str, ...] = ("stack", "target", "os", "compiler")


@dataclass(frozen=True, slots=True)
class Trends:
    """Every series of the trends page over the commits ``first`` to ``last``.

    ``tag``, ``stacks``, ``since`` and ``until`` are the selection asked for (None or
    empty: everything); ``bucket`` is ``day`` or ``week``. ``problems`` are the package
    files that could not be read (each once, at the first commit that had it): the
    package's last readable content counts in their place.
    """

    days: tuple[str, ...]
    stack_specs: tuple[Series, ...]
    tag_packages: tuple[Series, ...]
    tag_specs: tuple[Series, ...]
    changes: tuple[ChangeBucket, ...]
    spans: tuple[Span, ...]
    churn: tuple[tuple[str, int], ...]
    bucket: str = "day"
    tag: str | None = None
    stacks: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    first: CommitRef | None = None
    last: CommitRef | None = None
    commits: int = 0
    problems: tuple[ProblemRecord, ...] = ()
