"""Two snapshots -> :class:`~catalog_diff.model.comparison.Comparison`. Pure.

Per ``(tag, package)``: specs with the same hash on both sides are matched first (their
stacks or fields may have changed). The old-only and new-only specs left are then paired
as a multiset matching in tiers, each tier taking every pair it can before the next one
starts: ``rebuilt`` (same build configuration, new hash; with compiler aliases, also a
build whose compiler was only renamed), ``compiler_changed``
(everything but the compiler equal), ``version_changed`` (everything but the versions
equal). Within a tier, specs with the same stacks are paired first, and ties are broken
by hash, so the result does not depend on the order of the files and swapping the sides
swaps every pair. What is left is ``added`` / ``removed``.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import replace

from ..model.comparison import (
    SPEC_CHANGE_KINDS,
    Comparison,
    FieldsChange,
    PackageChange,
    PackageStatus,
    ProblemRecord,
    SetDelta,
    Side,
    SpecChanges,
    SpecPair,
    StacksChange,
    Summary,
    TagCount,
)
from ..model.snapshot import Facet, Package, Snapshot, Spec
from .aliases import NO_ALIASES, CompilerAliases
from .aliases import NO_COMPILER as NONE
from .census import censuses, judged_tags
from .fielddiff import FieldDescriber
from .kinds import classify
from .rollup import rollups, stack_counts

KeyFn = Callable[[Spec], Hashable]


def _without_compiler(s: Spec) -> Hashable:
    return (s.versions, s.os, s.platform, s.target, s.variants)


def _without_versions(s: Spec) -> Hashable:
    return (s.compiler, s.os, s.platform, s.target, s.variants)


def _build(s: Spec) -> Hashable:
    return s.build


#: The pairing tiers, in the order they are applied.
TIERS: tuple[tuple[str, KeyFn], ...] = (
    ("rebuilt", _build),
    ("compiler_changed", _without_compiler),
    ("version_changed", _without_versions),
)


def _by_hash(spec: Spec) -> tuple[str, Hashable, tuple[str, ...]]:
    return (spec.hash, spec.build, spec.stacks)


def _hash_order(specs: Sequence[Spec]) -> Sequence[Spec]:
    """``specs`` by :func:`_by_hash`; as they come when each hash is there once, in order."""
    hashes = [spec.hash for spec in specs]
    ordered = hashes == sorted(hashes) and len(set(hashes)) == len(hashes)
    return specs if ordered else sorted(specs, key=_by_hash)


def _pair_tier(
    olds: list[Spec], news: list[Spec], key: KeyFn
) -> tuple[list[SpecPair], list[Spec], list[Spec]]:
    """Pair as many old/new specs with equal ``key`` as possible (same stacks first)."""
    pairs: list[SpecPair] = []
    for refine in (True, False):
        if not olds or not news:  # nothing left to pair (most tiers of most packages)
            break
        # Candidates are taken from the front of each queue, in the order of ``news``; a
        # deque does that in constant time (a list's pop(0) made a crowded key quadratic).
        by_key: dict[Hashable, deque[Spec]] = defaultdict(deque)
        for spec in news:
            by_key[(key(spec), spec.stacks) if refine else key(spec)].append(spec)
        left: list[Spec] = []
        for spec in olds:
            candidates = by_key.get((key(spec), spec.stacks) if refine else key(spec))
            if candidates:
                pairs.append(SpecPair(spec, candidates.popleft()))
            else:
                left.append(spec)
        olds = left
        taken = {id(p.new) for p in pairs}
        news = [s for s in news if id(s) not in taken]
    return pairs, olds, news


def _pair_renamed(
    olds: list[Spec], news: list[Spec], aliases: CompilerAliases
) -> tuple[list[SpecPair], list[Spec], list[Spec]]:
    """Pair the specs whose builds differ only in a compiler alias: a compiler renamed
    (same version, by its canonical spelling), then one that became ``none``."""

    def canonical(s: Spec) -> Hashable:
        return (_without_compiler(s), aliases.canonical(s.compiler))

    pairs, olds, news = _pair_tier(olds, news, canonical)
    for dropped_old in (True, False):
        eligible = aliases.drops_compiler
        left = [s for s in olds if (eligible(s.compiler) if dropped_old else s.compiler == NONE)]
        right = [s for s in news if (s.compiler == NONE if dropped_old else eligible(s.compiler))]
        found, _, _ = _pair_tier(left, right, _without_compiler)
        taken = {id(s) for p in found for s in (p.old, p.new)}
        olds = [s for s in olds if id(s) not in taken]
        news = [s for s in news if id(s) not in taken]
        pairs.extend(found)
    return [SpecPair(p.old, p.new, compiler_renamed=True) for p in pairs], olds, news


def compare_specs(
    old: Sequence[Spec],
    new: Sequence[Spec],
    describer: FieldDescriber | None = None,
    aliases: CompilerAliases = NO_ALIASES,
) -> SpecChanges:
    """Account for every spec of both sides of one package exactly once.

    ``describer`` tells how a hash-matched pair's build fields changed; pass the one of
    the comparison this package belongs to (a new one serves this call alone). With
    ``aliases``, a pair whose compiler was only renamed is rebuilt (``compiler_renamed``),
    paired after the exact rebuilds and before the compiler changes.
    """
    old_rest, new_rest, _ = _unshared(old, new)
    return _compare_specs(old_rest, new_rest, describer, aliases)


def _unshared(
    old: Sequence[Spec], new: Sequence[Spec]
) -> tuple[Sequence[Spec], Sequence[Spec], list[Spec]]:
    """Both sides without the specs they share unchanged, and those specs.

    A spec equal on both sides whose hash each side holds once is matched with itself and
    records nothing, so it is left out before the sorting and pairing; a hash held twice
    on one side keeps every spec of that hash in (which is matched with which depends on
    all of them). On a typical day about half the specs of a changed file are unchanged.
    """
    old_by_hash = {spec.hash: spec for spec in old}
    new_by_hash = {spec.hash: spec for spec in new}
    shared = {h for h, spec in new_by_hash.items() if old_by_hash.get(h) == spec}
    if not shared:
        return old, new, []
    if len(old_by_hash) != len(old) or len(new_by_hash) != len(new):
        counts = Counter(spec.hash for spec in old)
        counts.update(spec.hash for spec in new)
        shared = {h for h in shared if counts[h] == 2}
    return (
        [spec for spec in old if spec.hash not in shared],
        [spec for spec in new if spec.hash not in shared],
        [new_by_hash[h] for h in shared],
    )


def _compare_specs(
    old: Sequence[Spec],
    new: Sequence[Spec],
    describer: FieldDescriber | None,
    aliases: CompilerAliases,
) -> SpecChanges:
    if describer is None:
        describer = FieldDescriber()
    old_by_hash: dict[str, deque[Spec]] = defaultdict(deque)
    for spec in _hash_order(old):
        old_by_hash[spec.hash].append(spec)
    stacks_changed: list[StacksChange] = []
    fields_changed: list[FieldsChange] = []
    new_only: list[Spec] = []
    for spec in _hash_order(new):
        same = old_by_hash.get(spec.hash)
        if not same:
            new_only.append(spec)
            continue
        before = same.popleft()
        if before == spec:
            continue
        if before.stacks != spec.stacks:
            added = tuple(sorted(set(spec.stacks) - set(before.stacks)))
            removed = tuple(sorted(set(before.stacks) - set(spec.stacks)))
            stacks_changed.append(StacksChange(spec.hash, added, removed, spec))
        if before.build != spec.build:
            fields_changed.append(FieldsChange(spec.hash, describer.describe(before, spec), spec))
    old_only = [spec for specs in old_by_hash.values() for spec in specs]  # in _by_hash order

    tiers: dict[str, tuple[SpecPair, ...]] = {}
    for name, key in TIERS:
        pairs, old_only, new_only = _pair_tier(old_only, new_only, key)
        if name == "rebuilt" and aliases:
            renamed, old_only, new_only = _pair_renamed(old_only, new_only, aliases)
            pairs.extend(renamed)
        tiers[name] = tuple(sorted(pairs, key=lambda p: (p.new.hash, p.old.hash)))
    return SpecChanges(
        added=tuple(new_only),
        removed=tuple(old_only),
        stacks_changed=tuple(stacks_changed),
        fields_changed=tuple(fields_changed),
        **tiers,
    )


def facet_values(specs: Iterable[Spec], facet: Facet | str) -> set[str]:
    """The values one facet (a :class:`Facet` or its key) takes over some specs."""
    if type(facet) is not Facet:
        facet = Facet.of(facet)
    get = facet.get
    if facet.many:
        return {value for values in map(get, specs) for value in values}
    return set(map(get, specs))


#: The facets in report order, iterated per package pair (faster than the enum).
_FACET_ORDER: tuple[Facet, ...] = tuple(Facet)


def _facets(
    old: Sequence[Spec], new: Sequence[Spec], shared: Sequence[Spec] = ()
) -> tuple[tuple[str, SetDelta], ...]:
    """The facet changes between ``old`` + ``shared`` and ``new`` + ``shared``: the values
    only one side's own specs take, less those the shared specs take too (asked for only
    when there are such values)."""
    out = []
    for facet in _FACET_ORDER:
        before, after = facet_values(old, facet), facet_values(new, facet)
        added, removed = after - before, before - after
        if (added or removed) and shared:
            common = facet_values(shared, facet)
            added, removed = added - common, removed - common
        out.append((facet.key, SetDelta(tuple(sorted(added)), tuple(sorted(removed)))))
    return tuple(out)


def compare_packages(
    tag: str,
    name: str,
    old: Package | None,
    new: Package | None,
    describer: FieldDescriber | None = None,
    aliases: CompilerAliases = NO_ALIASES,
) -> PackageChange | None:
    """Compare one package; None when nothing changed (``describer``, ``aliases``: as in
    :func:`compare_specs`)."""
    old_specs = old.specs if old else ()
    new_specs = new.specs if new else ()
    if old is not None and new is not None and old_specs == new_specs:
        return None
    old_rest, new_rest, shared = _unshared(old_specs, new_specs)
    specs = _compare_specs(old_rest, new_rest, describer, aliases)
    facets = _facets(old_rest, new_rest, shared)
    if old is None:
        status = PackageStatus.ADDED
    elif new is None:
        status = PackageStatus.REMOVED
    elif specs or any(delta for _, delta in facets):
        status = PackageStatus.CHANGED
    else:
        return None
    return PackageChange(
        tag=tag,
        name=name,
        status=status,
        specs=specs,
        facets=facets,
        old_path=old.path if old else None,
        new_path=new.path if new else None,
    )


def _tag_counts(snapshot: Snapshot, tags: Iterable[str]) -> tuple[TagCount, ...]:
    out = []
    for tag in sorted(tags):
        if tag in snapshot.tag_sizes:
            out.append(TagCount(tag, *snapshot.tag_sizes[tag]))
            continue
        packages = [p for (t, _), p in snapshot.packages.items() if t == tag]
        out.append(TagCount(tag, len(packages), sum(len(p.specs) for p in packages)))
    return tuple(out)


def cover_unlisted(old: Snapshot, new: Snapshot) -> tuple[Snapshot, Snapshot]:
    """Both snapshots, each with what the other side has in its unlisted tag folders
    (see :attr:`Snapshot.unlisted_tags`) marked unknown: such a tag is on both sides
    (neither added nor removed) and each of its packages is broken (neither added,
    removed nor unchanged; the problem names the folder)."""
    return _cover(old, new), _cover(new, old)


def _cover(snapshot: Snapshot, other: Snapshot) -> Snapshot:
    hidden = snapshot.unlisted_tags
    if not hidden:
        return snapshot
    keys = {k for k in other.packages.keys() | other.broken if k[0] in hidden}
    return replace(
        snapshot,
        tags=snapshot.tags | (other.tags & hidden),
        broken=snapshot.broken | keys,
    )


def compare(
    old: Snapshot,
    new: Snapshot,
    *,
    old_tag: str | None = None,
    new_tag: str | None = None,
    aliases: CompilerAliases = NO_ALIASES,
    kinds: bool = True,
) -> Comparison:
    """Compare two snapshots, tag by tag and package by package.

    Tags present on one side only are counted, not expanded. A package whose file could
    not be read on either side is left to the problems list: it is neither "removed" nor
    "unchanged". When the snapshots were
    loaded with ``old_tag``/``new_tag``, their packages are already keyed by the new tag;
    the names are only recorded in the result. The changes shared across packages
    (:func:`~catalog_diff.compare.rollup.rollups`) and the specs per stack
    (:func:`~catalog_diff.compare.rollup.stack_counts`) come with it. ``aliases``: the
    compiler aliases (:mod:`catalog_diff.compare.aliases`; none: the raw view). The
    changes are classified (:func:`~catalog_diff.compare.kinds.classify`; unless ``kinds``
    is false): catalog-wide kinds for the tags read whole on both sides
    (:func:`~catalog_diff.compare.wide.classify_whole` judges the others).
    """
    old, new = cover_unlisted(old, new)
    common = old.tags & new.tags
    problems = tuple(
        ProblemRecord(side, snap.info.source, p.path, p.message, snap.info.commit)
        for side, snap in ((Side.OLD, old), (Side.NEW, new))
        for p in sorted(snap.problems, key=lambda p: (p.path, p.message))
    )
    broken = old.broken | new.broken
    keys = sorted(
        k for k in old.packages.keys() | new.packages.keys() if k[0] in common and k not in broken
    )
    changes = []
    describer = FieldDescriber()
    for tag, name in keys:
        before, after = old.packages.get((tag, name)), new.packages.get((tag, name))
        change = compare_packages(tag, name, before, after, describer, aliases)
        if change is not None:
            changes.append(change)
    comparison = Comparison(
        old=old.info,
        new=new.info,
        summary=summarise(changes, len(new.tags - old.tags), len(old.tags - new.tags), problems),
        tags_added=_tag_counts(new, new.tags - old.tags),
        tags_removed=_tag_counts(old, old.tags - new.tags),
        problems=problems,
        packages=tuple(changes),
        old_tag=old_tag,
        new_tag=new_tag,
        rollups=rollups(changes),
        stack_counts=stack_counts(old, new),
    )
    if not kinds:
        return comparison
    judged = judged_tags(old, new)
    changes_ = classify(comparison, censuses(old, judged), censuses(new, judged))
    return replace(comparison, changes=changes_)


def summarise(
    changes: Sequence[PackageChange],
    tags_added: int,
    tags_removed: int,
    problems: Sequence[ProblemRecord],
) -> Summary:
    """Counts over a list of package changes."""
    status: dict[PackageStatus, int] = defaultdict(int)
    for change in changes:
        status[change.status] += 1
    specs = {kind: sum(len(getattr(c.specs, kind)) for c in changes) for kind in SPEC_CHANGE_KINDS}
    return Summary(
        packages_added=status[PackageStatus.ADDED],
        packages_removed=status[PackageStatus.REMOVED],
        packages_changed=status[PackageStatus.CHANGED],
        specs_added=specs["added"],
        specs_removed=specs["removed"],
        specs_rebuilt=specs["rebuilt"],
        specs_compiler_renamed=sum(p.compiler_renamed for c in changes for p in c.specs.rebuilt),
        specs_compiler_changed=specs["compiler_changed"],
        specs_version_changed=specs["version_changed"],
        specs_stacks_changed=specs["stacks_changed"],
        specs_fields_changed=specs["fields_changed"],
        tags_added=tags_added,
        tags_removed=tags_removed,
        problems=len(problems),
    )
