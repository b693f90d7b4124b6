"""Changes shared across packages, and specs per stack. Pure.

:func:`rollups` groups the package changes of a comparison: every compiler change of
paired specs (``gcc@12.4.0 -> intel-oneapi-compilers@2024.1.0``), every compiler rename
(``oneapi@2024.2.1 -> intel-oneapi-compilers@2024.2.1`` with aliases), and every stack,
target, operating system, compiler or platform that packages gained or lost. Largest
first (packages concerned, then specs), ties broken by kind and subject, so the order
never depends on the input's.

:func:`stack_counts` counts the specs of every stack on both sides, from the specs of
the packages read, and checks each package file's own ``meta.num_specs_by_stack``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from operator import attrgetter

from ..model.comparison import (
    MetaMismatch,
    PackageChange,
    Rollup,
    RollupKind,
    Side,
    SpecPair,
    StackCount,
    StackCounts,
)
from ..model.snapshot import Facet, Snapshot, Spec

Key = tuple[str, str]

#: Facet roll-ups: kind, and the facet it is taken from.
FACET_KINDS: tuple[tuple[RollupKind, Facet], ...] = (
    (RollupKind.TARGET, Facet.TARGETS),
    (RollupKind.OS, Facet.OSS),
    (RollupKind.COMPILER, Facet.COMPILERS),
    (RollupKind.PLATFORM, Facet.PLATFORMS),
)

#: Tie-break between roll-ups of equal size.
KIND_ORDER: tuple[RollupKind, ...] = (
    RollupKind.COMPILER_CHANGED,
    RollupKind.COMPILER_RENAMED,
    RollupKind.STACK,
    RollupKind.TARGET,
    RollupKind.OS,
    RollupKind.COMPILER,
    RollupKind.PLATFORM,
)


class _Group:
    """What accumulates for one roll-up before it is frozen."""

    __slots__ = ("gained", "lost", "packages", "specs_gained", "specs_lost")

    def __init__(self) -> None:
        self.packages: set[Key] = set()
        self.gained: set[Key] = set()
        self.lost: set[Key] = set()
        self.specs_gained = 0
        self.specs_lost = 0


def _pairs(change: PackageChange) -> list[SpecPair]:
    specs = change.specs
    return [*specs.rebuilt, *specs.compiler_changed, *specs.version_changed]


def _new_only(change: PackageChange) -> list[Spec]:
    return [*change.specs.added, *(p.new for p in _pairs(change))]


def _old_only(change: PackageChange) -> list[Spec]:
    return [*change.specs.removed, *(p.old for p in _pairs(change))]


def _field_moves(change: PackageChange, field: str) -> tuple[Counter[str], Counter[str]]:
    """Values of ``field`` that hash-matched specs took on and gave up."""
    took: Counter[str] = Counter()
    gave: Counter[str] = Counter()
    for fields in change.specs.fields_changed:
        for f in fields.fields:
            if f.name == field:
                took[str(f.new)] += 1
                gave[str(f.old)] += 1
    return took, gave


def _facet_groups(change: PackageChange, groups: dict[tuple[RollupKind, str], _Group]) -> None:
    key = (change.tag, change.name)
    news: list[Spec] | None = None
    olds: list[Spec] | None = None
    facets = dict(change.facets)
    for kind, facet in FACET_KINDS:
        delta = facets.get(facet.key)
        field = facet.field
        if not delta:
            continue
        took, gave = _field_moves(change, field)
        if delta.added:
            news = _new_only(change) if news is None else news
            came = Counter(getattr(s, field) for s in news) + took
            for value in delta.added:
                group = groups[(kind, value)]
                group.packages.add(key)
                group.gained.add(key)
                group.specs_gained += came[value]
        if delta.removed:
            olds = _old_only(change) if olds is None else olds
            went = Counter(getattr(s, field) for s in olds) + gave
            for value in delta.removed:
                group = groups[(kind, value)]
                group.packages.add(key)
                group.lost.add(key)
                group.specs_lost += went[value]


def stack_moves(change: PackageChange) -> tuple[Counter[str], Counter[str]]:
    """Per stack, the specs of a package that joined it and that left it.

    An added spec joins its stacks and a removed one leaves them; a paired spec (rebuilt,
    compiler or version changed) or a hash-matched one moves only between the stacks
    that differ on its two sides.
    """
    joined: Counter[str] = Counter()
    left: Counter[str] = Counter()
    specs = change.specs
    for spec in specs.added:
        joined.update(spec.stacks)
    for spec in specs.removed:
        left.update(spec.stacks)
    for pair in _pairs(change):
        if pair.old.stacks != pair.new.stacks:
            before, after = set(pair.old.stacks), set(pair.new.stacks)
            joined.update(after - before)
            left.update(before - after)
    for moved in specs.stacks_changed:
        joined.update(moved.added)
        left.update(moved.removed)
    return joined, left


def _stack_groups(change: PackageChange, groups: dict[tuple[RollupKind, str], _Group]) -> None:
    key = (change.tag, change.name)
    joined, left = stack_moves(change)
    delta = change.facet(Facet.STACKS.key)
    for stack in set(joined) | set(left) | set(delta.added) | set(delta.removed):
        group = groups[(RollupKind.STACK, stack)]
        group.packages.add(key)
        group.specs_gained += joined[stack]
        group.specs_lost += left[stack]
        if stack in delta.added:
            group.gained.add(key)
        if stack in delta.removed:
            group.lost.add(key)


def rollups(changes: Iterable[PackageChange]) -> tuple[Rollup, ...]:
    """The changes the packages share, largest first."""
    groups: dict[tuple[RollupKind, str], _Group] = defaultdict(_Group)
    compilers: dict[tuple[RollupKind, str, str], _Group] = defaultdict(_Group)
    for change in changes:
        renamed = (p for p in change.specs.rebuilt if p.compiler_renamed)
        for kind, pairs in (
            (RollupKind.COMPILER_CHANGED, change.specs.compiler_changed),
            (RollupKind.COMPILER_RENAMED, renamed),
        ):
            for pair in pairs:
                group = compilers[(kind, pair.old.compiler, pair.new.compiler)]
                group.packages.add((change.tag, change.name))
                group.specs_gained += 1
        _stack_groups(change, groups)
        _facet_groups(change, groups)
    out = [
        Rollup(
            kind=kind,
            subject=f"{old} -> {new}",
            packages=tuple(sorted(group.packages)),
            specs_gained=group.specs_gained,
            old=old,
            new=new,
        )
        for (kind, old, new), group in compilers.items()
    ]
    out.extend(
        Rollup(
            kind=kind,
            subject=subject,
            packages=tuple(sorted(group.packages)),
            gained=tuple(sorted(group.gained)),
            lost=tuple(sorted(group.lost)),
            specs_gained=group.specs_gained,
            specs_lost=group.specs_lost,
        )
        for (kind, subject), group in groups.items()
    )
    out.sort(key=lambda r: (-len(r.packages), -r.specs, KIND_ORDER.index(r.kind), r.subject))
    return tuple(out)


# ---- specs per stack ------------------------------------------------------------------


def _count(
    snapshot: Snapshot,
    side: Side,
    tags: frozenset[str],
    skip: frozenset[Key],
    totals: dict[Key, list[int]],
    mismatches: list[MetaMismatch],
) -> tuple[int, int]:
    """Add one side's specs per (tag, stack) to ``totals``; (packages counted, checked)."""
    index = 0 if side is Side.OLD else 1
    memo: dict[int, Counter[str]] = {}  # packages that share their specs share the count
    counted = checked = 0
    for key, package in snapshot.packages.items():
        if key[0] not in tags or key in skip:
            continue
        counted += 1
        counts = memo.get(id(package.specs))
        if counts is None:
            counts = memo[id(package.specs)] = _per_stack(package.specs)
        for stack, n in counts.items():
            totals.setdefault((key[0], stack), [0, 0])[index] += n
        given = package.meta.num_specs_by_stack if package.meta is not None else None
        if given is None:
            continue
        checked += 1
        said: Mapping[str, int] = dict(given)
        for stack in sorted(said.keys() | counts.keys()):
            if said.get(stack, 0) != counts.get(stack, 0):
                mismatches.append(
                    MetaMismatch(
                        side=side,
                        tag=package.tag,
                        name=package.name,
                        path=package.path,
                        stack=stack,
                        meta=said.get(stack, 0),
                        specs=counts.get(stack, 0),
                    )
                )
    return counted, checked


def _per_stack(specs: Iterable[Spec]) -> Counter[str]:
    """How many of ``specs`` are in each stack. Specs share their stack lists (the
    parser's memo tables): each distinct list is counted, then spread over its stacks."""
    lists: Counter[tuple[str, ...]] = Counter(map(_stacks_of, specs))
    counts: Counter[str] = Counter()
    for stacks, n in lists.items():
        for stack in stacks:
            counts[stack] += n
    return counts


_stacks_of = attrgetter("stacks")


def stack_counts(old: Snapshot, new: Snapshot) -> StackCounts:
    """Specs per stack and tag on both sides, over the packages a comparison compares
    (the tags both sides have; files that could not be read are left out on both sides).

    Totals when both snapshots were read whole and nothing was left out; otherwise the
    counts cover the packages read, and only their change holds for the whole catalog:
    then only stacks whose count changed are listed.
    """
    tags = frozenset(old.tags & new.tags)
    skip = frozenset(old.broken | new.broken)
    totals: dict[Key, list[int]] = {}
    mismatches: list[MetaMismatch] = []
    counted = checked = 0
    for side, snapshot in ((Side.OLD, old), (Side.NEW, new)):
        n, m = _count(snapshot, side, tags, skip, totals, mismatches)
        counted, checked = counted + n, checked + m
    complete = old.complete and new.complete and not any(k[0] in tags for k in skip)
    rows = tuple(
        StackCount(tag, stack, before, after)
        for (tag, stack), (before, after) in sorted(totals.items())
        if complete or before != after
    )
    return StackCounts(
        complete=complete,
        rows=rows,
        packages_counted=counted,
        meta_checked=checked,
        mismatches=tuple(
            sorted(mismatches, key=lambda m: (m.tag, m.name, m.side.value, m.path, m.stack))
        ),
    )
