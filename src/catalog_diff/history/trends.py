"""The series of ``catalog-diff trends``, read from the history index in one pass.

Every query of the trends page is here, and reads the index only through
:class:`~catalog_diff.history.index.HistoryIndex` (``commits``, ``changed_at``,
``content``), so a change of the index's schema touches the index, not this module.

One walk over the indexed commits, oldest first, keeps the catalog's state up to date
from each commit's changes (the package versions that ended and began there): per tag
its packages and specs, per spec hash how many package files carry it, per stack and per
facet value how many of its specs are present. The state after the last commit of each
UTC day is sampled; what each commit gained, lost and rebuilt is summed per day or ISO
week; presence spans are followed commit by commit. Definitions: :mod:`catalog_diff.model.trends`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import UsageError
from ..model.comparison import ProblemRecord, Side
from ..model.history import Interval
from ..model.snapshot import Package
from ..model.trends import SPAN_KINDS, ChangeBucket, Series, Span, Trends
from .index import HistoryIndex, IndexedCommit, Version
from .timeline import ref

Key = tuple[str, str]

#: How many package contents the walk keeps parsed (a frozen tag copies develop's).
CACHED = 4096

#: A day, and after its last commit: specs per stack, packages per tag, specs per tag.
Sample = tuple[str, dict[str, int], dict[str, int], dict[str, int]]


@dataclass(frozen=True, slots=True)
class _Spec:
    """What the trends need of one spec."""

    hash: str
    package: str
    build: tuple[object, ...]
    stacks: tuple[str, ...]
    facets: tuple[tuple[str, str], ...]  # (kind, value) for each span kind but stack


def _specs(package: Package) -> tuple[_Spec, ...]:
    return tuple(
        _Spec(
            hash=s.hash,
            package=package.name,
            build=s.build,
            stacks=s.stacks,
            facets=(("target", s.target), ("os", s.os), ("compiler", s.compiler)),
        )
        for s in package.specs
    )


def day_of(commit: IndexedCommit) -> str:
    """The UTC calendar day of a commit."""
    return dt.datetime.fromtimestamp(commit.timestamp, dt.timezone.utc).date().isoformat()


def week_of(day: str) -> tuple[str, str]:
    """``(2025-W14, 2025-03-31)``: the ISO week of a day and its Monday."""
    date = dt.date.fromisoformat(day)
    year, week, weekday = date.isocalendar()
    return f"{year}-W{week:02d}", (date - dt.timedelta(days=weekday - 1)).isoformat()


class _State:
    """The catalog after the commits walked so far."""

    def __init__(self) -> None:
        self.current: dict[Key, tuple[_Spec, ...]] = {}
        self.packages: Counter[str] = Counter()
        self.specs: Counter[str] = Counter()
        self.hashes: Counter[str] = Counter()
        self.stack_hashes: Counter[tuple[str, str]] = Counter()
        self.stack_specs: Counter[str] = Counter()
        self.values: Counter[tuple[str, str]] = Counter()
        self.touched: dict[str, int] = {}
        self.seen: dict[str, _Spec] = {}

    def _count(self, spec: _Spec, step: int) -> None:
        if spec.hash not in self.touched:
            self.touched[spec.hash] = self.hashes[spec.hash]
        self.seen[spec.hash] = spec
        self.hashes[spec.hash] += step
        for stack in spec.stacks:
            pair = (spec.hash, stack)
            before = self.stack_hashes[pair]
            self.stack_hashes[pair] = before + step
            if before == 0 or before + step == 0:  # a spec entered or left the stack
                self.stack_specs[stack] += step
            self.values[("stack", stack)] += step
        for facet in spec.facets:
            self.values[facet] += step

    def replace(self, key: Key, specs: tuple[_Spec, ...] | None) -> None:
        """The package ``key`` now holds ``specs`` (None: it is gone)."""
        old = self.current.pop(key, None)
        tag = key[0]
        if old is not None:
            self.packages[tag] -= 1
            self.specs[tag] -= len(old)
            for spec in old:
                self._count(spec, -1)
        if specs is not None:
            self.current[key] = specs
            self.packages[tag] += 1
            self.specs[tag] += len(specs)
            for spec in specs:
                self._count(spec, 1)

    def settle(self) -> tuple[list[_Spec], list[_Spec]]:
        """The specs gained and lost since the last call (by hash, over every tag)."""
        gained = [self.seen[h] for h, was in self.touched.items() if not was and self.hashes[h]]
        lost = [self.seen[h] for h, was in self.touched.items() if was and not self.hashes[h]]
        self.touched = {}
        for spec in lost:
            if not self.hashes[spec.hash]:
                self.seen.pop(spec.hash, None)
        return gained, lost


def _rebuilt(gained: list[_Spec], lost: list[_Spec]) -> list[_Spec]:
    """The gained specs that replace a lost one of the same package and build."""
    gone: Counter[tuple[str, tuple[object, ...]]] = Counter((s.package, s.build) for s in lost)
    found = []
    for spec in sorted(gained, key=lambda s: s.hash):
        key = (spec.package, spec.build)
        if gone[key]:
            gone[key] -= 1
            found.append(spec)
    return found


def compute(
    index: HistoryIndex,
    end: IndexedCommit | None = None,
    tag: str | None = None,
    stacks: Iterable[str] = (),
    window: tuple[int | None, int | None] = (None, None),
    bucket: str = "day",
    progress: Callable[[int, int], None] | None = None,
    labels: tuple[str | None, ...] = (None, None),
) -> Trends:
    """The trends over the commits up to ``end`` (default: the last indexed).

    ``tag`` keeps one tag, ``stacks`` some stacks (their series, churn and spans);
    ``window`` (Unix times, both included, None: open) bounds the commits shown, and
    ``labels`` says it as the user wrote it: the state is built from the first commit
    all the same. ``bucket`` is ``day`` or ``week``. The first indexed commit is the
    baseline: it gains nothing.
    """
    if bucket not in ("day", "week"):
        raise UsageError(f"unknown period {bucket!r}; one of: day, week")
    since, until = window
    chosen = tuple(sorted(set(stacks)))
    commits = index.commits(0, end.seq if end is not None else None)
    state = _State()
    cache: dict[int, tuple[_Spec, ...] | str] = {}
    problems: dict[tuple[str, str], tuple[ProblemRecord, int, int | None]] = {}
    samples: list[Sample] = []
    buckets: dict[str, list[int]] = {}
    starts: dict[str, str] = {}
    churn: Counter[str] = Counter()
    spans: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    shown: list[IndexedCommit] = []

    def content(v: Version, commit: IndexedCommit) -> tuple[_Spec, ...] | None:
        if v.content_id not in cache:
            if len(cache) >= CACHED:  # bounded: memory follows the catalog, not its history
                cache.clear()
            found = index.content(v.content_id, v.tag, v.package)
            cache[v.content_id] = found if isinstance(found, str) else _specs(found)
        got = cache[v.content_id]
        if isinstance(got, str):
            path, _, message = got.partition(": ")
            record = ProblemRecord(Side.NEW, commit.sha, path, message, commit.sha)
            problems.setdefault((path, message), (record, v.first_seq, v.last_seq))
            return state.current.get((v.tag, v.package))  # the last readable content
        return got

    for n, commit in enumerate(commits):
        ended, began = index.changed_at(commit.seq)
        new: dict[Key, tuple[_Spec, ...] | None] = {}
        for v in ended:
            if tag is None or v.tag == tag:
                new.setdefault((v.tag, v.package), None)
        for v in began:
            if tag is None or v.tag == tag:
                new[(v.tag, v.package)] = content(v, commit)
        for key in sorted(new):
            state.replace(key, new[key])
        gained, lost = state.settle()
        day = day_of(commit)
        if (since is not None and commit.timestamp < since) or (
            until is not None and commit.timestamp > until
        ):
            if progress is not None:
                progress(n + 1, len(commits))
            continue
        shown.append(commit)
        if n > 0:
            rebuilt = _rebuilt(gained, lost)
            period, start = (day, day) if bucket == "day" else week_of(day)
            starts[period] = start
            counts = buckets.setdefault(period, [0, 0, 0, 0])
            counts[0] += len(gained) - len(rebuilt)
            counts[1] += len(lost) - len(rebuilt)
            counts[2] += len(rebuilt)
            counts[3] += 1
            for spec in rebuilt:
                churn.update(s for s in spec.stacks if not chosen or s in chosen)
        for key, count in state.values.items():
            if count <= 0 or (chosen and key[0] == "stack" and key[1] not in chosen):
                continue
            intervals = spans[key]
            if intervals and intervals[-1][1] == len(shown) - 2:
                intervals[-1][1] = len(shown) - 1
            else:
                intervals.append([len(shown) - 1, len(shown) - 1])
        following = commits[n + 1] if n + 1 < len(commits) else None
        if following is None or day_of(following) != day:
            stack_values = {
                s: c for s, c in state.stack_specs.items() if c and (not chosen or s in chosen)
            }
            samples.append(
                (
                    day,
                    stack_values,
                    {t: c for t, c in state.packages.items() if c},
                    {t: state.specs[t] for t, c in state.packages.items() if c},
                )
            )
        if progress is not None:
            progress(n + 1, len(commits))
    return Trends(
        days=tuple(s[0] for s in samples),
        stack_specs=_series(samples, 1),
        tag_packages=_series(samples, 2),
        tag_specs=_series(samples, 3),
        changes=tuple(
            ChangeBucket(period, starts[period], *counts)
            for period, counts in sorted(buckets.items())
        ),
        spans=_spans(spans, shown),
        churn=tuple(sorted(churn.items(), key=lambda item: (-item[1], item[0]))),
        bucket=bucket,
        tag=tag,
        stacks=chosen,
        since=labels[0],
        until=labels[1],
        first=ref(shown[0]) if shown else None,
        last=ref(shown[-1]) if shown else None,
        commits=len(shown),
        problems=_within(problems.values(), shown),
    )


def _within(
    found: Iterable[tuple[ProblemRecord, int, int | None]], shown: list[IndexedCommit]
) -> tuple[ProblemRecord, ...]:
    """The problems of the files that were there at some commit shown."""
    if not shown:
        return ()
    low, high = shown[0].seq, shown[-1].seq
    return tuple(p for p, a, b in found if a <= high and (b is None or b >= low))


def _series(samples: list[Sample], at: int) -> tuple[Series, ...]:
    """One series per name found in any sample, by name, with a point on each day it was
    there (none where it was absent: a gap, not a zero): ``at`` picks the sample's
    stacks (1), tag packages (2) or tag specs (3)."""
    values: list[tuple[str, dict[str, int]]] = [(s[0], s[at]) for s in samples]  # type: ignore[misc]
    names = sorted({name for _, found in values for name in found})
    return tuple(
        Series(name, tuple((d, found[name]) for d, found in values if name in found))
        for name in names
    )


def _spans(
    found: dict[tuple[str, str], list[list[int]]], shown: list[IndexedCommit]
) -> tuple[Span, ...]:
    order = {kind: i for i, kind in enumerate(SPAN_KINDS)}
    out = []
    for (kind, value), intervals in sorted(
        found.items(), key=lambda item: (order[item[0][0]], item[0][1])
    ):
        out.append(
            Span(
                kind=kind,
                value=value,
                intervals=tuple(Interval(ref(shown[a]), ref(shown[b])) for a, b in intervals),
                present_at_end=intervals[-1][1] == len(shown) - 1,
            )
        )
    return tuple(out)
