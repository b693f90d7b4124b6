"""The series of ``catalog-diff trends``, read from the history index in one pass.

Every query of the trends page is here. It reads the commits and their changes through
:class:`~catalog_diff.history.index.HistoryIndex` (``commits``, ``changed_at``), and the
package contents as spec ids through :class:`~catalog_diff.history.trendspecs.SpecTable`
(each distinct spec body parsed once; no package rebuilt), so a change of the index's
schema touches those two, not this module.

One walk over the indexed commits, oldest first, keeps the catalog's state up to date
from each commit's changes (the package versions that ended and began there; of a
package that changed, only the spec ids that differ): per tag its packages and specs,
per spec id how many package files carry it, and, moved only when a spec id comes or
goes (a frozen tag copying develop moves none of them), per hash, per stack and per
facet value how many distinct spec ids are present. The state after the last commit of each
UTC day is sampled; what each commit gained, lost and rebuilt is summed per day or ISO
week; presence spans are followed commit by commit. Definitions: :mod:`catalog_diff.model.trends`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from ..errors import UsageError
from ..model.comparison import ProblemRecord, Side
from ..model.history import Interval
from ..model.trends import SPAN_KINDS, ChangeBucket, Series, Span, Trends
from .index import HistoryIndex, IndexedCommit, Version
from .timeline import ref
from .trendspecs import SpecInfo, SpecTable

Key = tuple[str, str]
_K = TypeVar("_K")

#: A day, and after its last commit: specs per stack, packages per tag, specs per tag.
Sample = tuple[str, dict[str, int], dict[str, int], dict[str, int]]


#: A spec as the walk met it: the package that held it, and the spec.
_Spec = tuple[str, SpecInfo]


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
        self.current: dict[Key, tuple[SpecInfo, ...]] = {}
        self.packages: Counter[str] = Counter()
        self.specs: Counter[str] = Counter()
        self.ids: dict[int, int] = {}  # how many package files carry a spec id (0: none)
        # Below, counts of the distinct spec ids present (not of the files carrying them):
        # a count is above zero exactly when a file count would be.
        self.hashes: dict[str, int] = {}
        self.stack_hashes: dict[tuple[str, str], int] = {}  # per (hash, stack)
        self.stack_specs: dict[str, int] = {}  # distinct hashes per stack: the series
        self.values: dict[tuple[str, str], int] = {}
        self.touched: dict[str, bool] = {}  # hash -> was it present before this commit
        self.seen: dict[str, _Spec] = {}  # hash -> the last spec carrying it counted here

    def _count(self, package: str, spec: SpecInfo, step: int) -> None:
        digest = spec.hash
        if digest not in self.touched:
            self.touched[digest] = digest in self.hashes
        self.seen[digest] = (package, spec)
        ids = self.ids
        now = ids.get(spec.id, 0) + step
        if now:
            ids[spec.id] = now
        else:
            del ids[spec.id]
        if now - step and now:  # the spec id was there and still is: nothing else moves
            return
        _add(self.hashes, digest, step)
        stack_hashes, stack_specs = self.stack_hashes, self.stack_specs
        for pair in spec.pairs:
            before = stack_hashes.get(pair, 0)
            _add(stack_hashes, pair, step)
            if before == 0 or before + step == 0:  # a spec entered or left the stack
                stack_specs[pair[1]] = stack_specs.get(pair[1], 0) + step
        values = self.values
        for key in spec.keys:
            values[key] = values.get(key, 0) + step

    def replace(self, key: Key, specs: tuple[SpecInfo, ...] | None) -> None:
        """The package ``key`` now holds ``specs`` (None: it is gone).

        Only the specs that differ are counted out and in: a spec id held before and
        after changes no count, and no hash it carries is gained or lost at this commit,
        so leaving it alone gives the counts, gains and losses of a full recount.
        """
        old = self.current.pop(key, None)
        tag, package = key
        kept: Counter[int] = Counter()
        if old is not None and specs is not None:
            kept = Counter(s.id for s in old) & Counter(s.id for s in specs)
        if old is not None:
            self.packages[tag] -= 1
            self.specs[tag] -= len(old)
            skip = kept.copy()
            for spec in old:
                if skip[spec.id]:
                    skip[spec.id] -= 1
                else:
                    self._count(package, spec, -1)
        if specs is not None:
            self.current[key] = specs
            self.packages[tag] += 1
            self.specs[tag] += len(specs)
            for spec in specs:
                if kept[spec.id]:
                    kept[spec.id] -= 1
                else:
                    self._count(package, spec, 1)

    def settle(self) -> tuple[list[_Spec], list[_Spec]]:
        """The specs gained and lost since the last call (by hash, over every tag)."""
        now = self.hashes
        gained = [self.seen[h] for h, was in self.touched.items() if not was and h in now]
        lost = [self.seen[h] for h, was in self.touched.items() if was and h not in now]
        self.touched, self.seen = {}, {}
        return gained, lost


def _add(counts: dict[_K, int], key: _K, step: int) -> None:
    """Add ``step`` to a count, dropping it at zero."""
    now = counts.get(key, 0) + step
    if now:
        counts[key] = now
    else:
        del counts[key]


def _rebuilt(gained: list[_Spec], lost: list[_Spec]) -> list[_Spec]:
    """The gained specs that replace a lost one of the same package and build."""
    gone: Counter[tuple[str, tuple[object, ...]]] = Counter((p, s.build) for p, s in lost)
    found = []
    for package, spec in sorted(gained, key=lambda s: s[1].hash):
        key = (package, spec.build)
        if gone[key]:
            gone[key] -= 1
            found.append((package, spec))
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
    table = SpecTable(index)
    problems: dict[tuple[str, str], tuple[ProblemRecord, int, int | None]] = {}
    samples: list[Sample] = []
    buckets: dict[str, list[int]] = {}
    starts: dict[str, str] = {}
    churn: Counter[str] = Counter()
    spans: dict[tuple[str, str], list[list[int]]] = defaultdict(list)
    shown: list[IndexedCommit] = []

    def content(v: Version, commit: IndexedCommit) -> tuple[SpecInfo, ...] | None:
        got = table.contents[v.content_id]
        if isinstance(got, str):
            path, _, message = got.partition(": ")
            record = ProblemRecord(Side.NEW, commit.sha, path, message, commit.sha)
            problems.setdefault((path, message), (record, v.first_seq, v.last_seq))
            return state.current.get((v.tag, v.package))  # the last readable content
        return got

    for n, commit in enumerate(commits):
        ended, began = index.changed_at(commit.seq)
        table.load(v.content_id for v in began if tag is None or v.tag == tag)
        new: dict[Key, tuple[SpecInfo, ...] | None] = {}
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
            for _, spec in rebuilt:
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
