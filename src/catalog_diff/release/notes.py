"""Two snapshots of one tag each -> :class:`ReleaseNotes`. Pure.

The notes are what a maintainer publishes for a release: counts first, then packages new
and removed, version upgrades and downgrades (in version order, see
:mod:`catalog_diff.compare.versions`), the targets, stacks, compilers and operating systems gained
and lost (catalog-wide, with the packages concerned), the compilers specs moved between,
and spec counts per stack. Everything here is computed from the whole of both tags, not
only from the packages that changed, so the per-stack counts are totals.

The result is a :class:`~catalog_diff.model.release.ReleaseNotes`, plain data for a template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from ..compare.aliases import NO_ALIASES, CompilerAliases
from ..compare.pairing import compare, cover_unlisted, facet_values
from ..compare.versions import newest, sort_versions, version_key
from ..compare.wide import Reader, classify_whole
from ..model.comparison import SPEC_CHANGE_KINDS, Comparison, PackageChange
from ..model.release import (
    CompilerMove,
    FacetChanges,
    FacetValue,
    Highlights,
    ImpactEntry,
    PackageDelta,
    PackageEntry,
    ProblemEntry,
    ReleaseNotes,
    SideInfo,
    StackRow,
    VersionChange,
    VersionMove,
)
from ..model.snapshot import Facet, Package, Snapshot, SourceInfo

#: The facets whose values are reported as gained and lost (with their nouns).
NOTED_FACETS: tuple[Facet, ...] = (Facet.TARGETS, Facet.STACKS, Facet.COMPILERS, Facet.OSS)


# ---- building the notes --------------------------------------------------------------


def only_tag(snapshot: Snapshot) -> str:
    """The one tag a snapshot for release notes holds (listed or not)."""
    tags = snapshot.tags | snapshot.unlisted_tags
    if len(tags) != 1:
        raise ValueError(f"release notes need one tag per side, not {sorted(tags)}")
    return next(iter(tags))


def retag(snapshot: Snapshot, tag: str) -> Snapshot:
    """The snapshot with its one tag renamed to ``tag`` (to compare two tags)."""
    if snapshot.tags | snapshot.unlisted_tags == {tag}:
        return snapshot
    return replace(
        snapshot,
        packages={(tag, name): package for (_, name), package in snapshot.packages.items()},
        tags=frozenset({tag}) if snapshot.tags else frozenset(),
        broken=frozenset((tag, name) for _, name in snapshot.broken),
        tag_sizes={},
        unlisted_tags=frozenset({tag}) if snapshot.unlisted_tags else frozenset(),
    )


def _by_name(snapshot: Snapshot, broken: frozenset[str]) -> dict[str, Package]:
    return {
        name: package
        for (_, name), package in sorted(snapshot.packages.items())
        if name not in broken
    }


def _sorted(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def _entry(package: Package) -> PackageEntry:
    specs = package.specs
    return PackageEntry(
        name=package.name,
        specs=len(specs),
        versions=tuple(sort_versions(facet_values(specs, Facet.VERSIONS))),
        stacks=_sorted(facet_values(specs, Facet.STACKS)),
        compilers=_sorted(facet_values(specs, Facet.COMPILERS)),
        targets=_sorted(facet_values(specs, Facet.TARGETS)),
        oss=_sorted(facet_values(specs, Facet.OSS)),
    )


def _moves(change: PackageChange | None) -> tuple[VersionMove, ...]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for pair in change.specs.version_changed if change else ():
        counts[(",".join(pair.old.versions), ",".join(pair.new.versions))] += 1
    moves = [VersionMove(o, n, c) for (o, n), c in counts.items()]
    return tuple(sorted(moves, key=lambda m: (version_key(m.old), version_key(m.new))))


def _direction(
    old_newest: str, new_newest: str, moves: tuple[VersionMove, ...], before: set[str]
) -> str:
    if old_newest != new_newest:
        if version_key(new_newest) > version_key(old_newest):
            return "upgrade"
        if new_newest not in before or any(version_key(m.new) < version_key(m.old) for m in moves):
            return "downgrade"
        # Only the newest version's specs went: that version was dropped, nothing went
        # down to an older one (the table of other changes says which were dropped).
        return "other"
    ups = {version_key(m.new) > version_key(m.old) for m in moves}
    return {frozenset({True}): "upgrade", frozenset({False}): "downgrade"}.get(
        frozenset(ups), "other"
    )


def _version_change(
    name: str, old: Package, new: Package, change: PackageChange | None
) -> VersionChange | None:
    before = facet_values(old.specs, Facet.VERSIONS)
    after = facet_values(new.specs, Facet.VERSIONS)
    moves = _moves(change)
    if before == after and not moves:
        return None
    old_newest, new_newest = newest(before) or "", newest(after) or ""
    return VersionChange(
        name=name,
        direction=_direction(old_newest, new_newest, moves, set(before)),
        old_newest=old_newest,
        new_newest=new_newest,
        old_versions=tuple(sort_versions(before)),
        new_versions=tuple(sort_versions(after)),
        added=tuple(sort_versions(after - before)),
        removed=tuple(sort_versions(before - after)),
        moves=moves,
        old_specs=len(old.specs),
        new_specs=len(new.specs),
    )


def _delta(change: PackageChange, old: Package, new: Package) -> PackageDelta:
    counts = {kind: len(getattr(change.specs, kind)) for kind in SPEC_CHANGE_KINDS}
    return PackageDelta(
        name=change.name, old_specs=len(old.specs), new_specs=len(new.specs), **counts
    )


def _census(
    packages: Mapping[str, Package], facet: Facet
) -> tuple[dict[str, set[str]], dict[str, int]]:
    """Per value of a facet: the packages that have it, and the number of specs."""
    holders: dict[str, set[str]] = defaultdict(set)
    specs: dict[str, int] = defaultdict(int)
    for name, package in packages.items():
        for spec in package.specs:
            for value in set(facet.values(spec)):
                holders[value].add(name)
                specs[value] += 1
    return holders, specs


def _facet(facet: Facet, old: Mapping[str, Package], new: Mapping[str, Package]) -> FacetChanges:
    old_holders, old_specs = _census(old, facet)
    new_holders, new_specs = _census(new, facet)
    both = old.keys() & new.keys()
    gained: list[FacetValue] = []
    lost: list[FacetValue] = []
    changed: list[FacetValue] = []
    for value in sorted(old_holders.keys() | new_holders.keys()):
        before, after = old_holders.get(value, set()), new_holders.get(value, set())
        kept = both if before and after else before | after
        gained_by, lost_by = _sorted((after - before) & kept), _sorted((before - after) & kept)
        if not (gained_by or lost_by):
            continue
        entry = FacetValue(
            value=value,
            old_packages=len(before),
            new_packages=len(after),
            old_specs=old_specs.get(value, 0),
            new_specs=new_specs.get(value, 0),
            gained_by=gained_by,
            lost_by=lost_by,
        )
        (gained if not before else lost if not after else changed).append(entry)
    return FacetChanges(facet.key, facet.noun, tuple(gained), tuple(lost), tuple(changed))


def _compiler_moves(comparison: Comparison) -> tuple[CompilerMove, ...]:
    specs: dict[tuple[str, str], int] = defaultdict(int)
    packages: dict[tuple[str, str], set[str]] = defaultdict(set)
    for change in comparison.packages:
        for pair in change.specs.compiler_changed:
            key = (pair.old.compiler, pair.new.compiler)
            specs[key] += 1
            packages[key].add(change.name)
    moves = [CompilerMove(o, n, specs[(o, n)], _sorted(packages[(o, n)])) for o, n in specs]
    return tuple(sorted(moves, key=lambda m: (-m.specs, m.old, m.new)))


def _stacks(old: Mapping[str, Package], new: Mapping[str, Package]) -> tuple[StackRow, ...]:
    old_holders, old_specs = _census(old, Facet.STACKS)
    new_holders, new_specs = _census(new, Facet.STACKS)
    rows = []
    for stack in sorted(old_holders.keys() | new_holders.keys()):
        before, after = old_specs.get(stack, 0), new_specs.get(stack, 0)
        status = "new" if not before else "gone" if not after else "same"
        if status == "same" and (before != after or old_holders[stack] != new_holders[stack]):
            status = "changed"
        rows.append(
            StackRow(
                stack=stack,
                status=status,
                old_specs=before,
                new_specs=after,
                delta=after - before,
                old_packages=len(old_holders.get(stack, ())),
                new_packages=len(new_holders.get(stack, ())),
            )
        )
    return tuple(rows)


def _side(info: SourceInfo, label: str, tag: str, packages: Mapping[str, Package]) -> SideInfo:
    return SideInfo(
        label=label,
        tag=tag,
        source=info.source,
        kind=info.kind.value,
        commit=info.commit,
        date=info.date,
        packages=len(packages),
        specs=sum(len(p.specs) for p in packages.values()),
    )


def build(
    old: Snapshot,
    new: Snapshot,
    *,
    old_label: str | None = None,
    new_label: str | None = None,
    aliases: CompilerAliases = NO_ALIASES,
    reader: Reader | None = None,
    listed: Mapping[str, tuple[str, ...]] | None = None,
) -> ReleaseNotes:
    """The release notes between two whole snapshots of one tag each (``aliases``: the
    compiler aliases, as for :func:`~catalog_diff.compare.pairing.compare`).

    The tags may differ (``v0.23.0`` and ``v0.23.1``): packages are matched by name.
    A package whose file could not be read on either side is left out of every section
    and its file listed under ``problems``. With a ``reader`` (and the stacks ``listed``
    per tag in ``_data/tags.yaml``), the changes are judged as ``diff`` judges them
    (:func:`~catalog_diff.compare.wide.classify_whole`: transient and empty stacks).
    """
    old_tag, new_tag = only_tag(old), only_tag(new)
    old, new = cover_unlisted(retag(old, new_tag), new)
    comparison = compare(
        old,
        new,
        old_tag=old_tag if old_tag != new_tag else None,
        new_tag=new_tag if old_tag != new_tag else None,
        aliases=aliases,
        kinds=reader is None,
    )
    if reader is not None:
        comparison = classify_whole(comparison, old, new, reader, listed)
    broken = frozenset(name for _, name in old.broken | new.broken)
    before, after = _by_name(old, broken), _by_name(new, broken)
    both = sorted(before.keys() & after.keys())
    changes = {c.name: c for c in comparison.packages}
    versions = [
        c
        for n in both
        if (c := _version_change(n, before[n], after[n], changes.get(n))) is not None
    ]
    by_direction = {
        d: tuple(c for c in versions if c.direction == d) for d in ("upgrade", "downgrade", "other")
    }
    facets = tuple(_facet(facet, before, after) for facet in NOTED_FACETS)
    summary = comparison.summary
    counts = {f"{f.name}_{k}": len(getattr(f, k)) for f in facets for k in ("gained", "lost")}
    highlights = Highlights(
        packages_old=len(before),
        packages_new=len(after),
        packages_added=len(after.keys() - before.keys()),
        packages_removed=len(before.keys() - after.keys()),
        packages_changed=summary.packages_changed,
        packages_unchanged=len(both) - summary.packages_changed,
        specs_old=sum(len(p.specs) for p in before.values()),
        specs_new=sum(len(p.specs) for p in after.values()),
        specs_added=summary.specs_added,
        specs_removed=summary.specs_removed,
        specs_rebuilt=summary.specs_rebuilt,
        specs_compiler_renamed=summary.specs_compiler_renamed,
        specs_compiler_changed=summary.specs_compiler_changed,
        specs_version_changed=summary.specs_version_changed,
        version_upgrades=len(by_direction["upgrade"]),
        version_downgrades=len(by_direction["downgrade"]),
        version_other=len(by_direction["other"]),
        problems=len(comparison.problems),
        **counts,
    )
    return ReleaseNotes(
        old=_side(old.info, old_label or old_tag, old_tag, before),
        new=_side(new.info, new_label or new_tag, new_tag, after),
        highlights=highlights,
        new_packages=tuple(_entry(after[n]) for n in sorted(after.keys() - before.keys())),
        removed_packages=tuple(_entry(before[n]) for n in sorted(before.keys() - after.keys())),
        changed_packages=tuple(
            _delta(changes[n], before[n], after[n]) for n in both if n in changes
        ),
        upgrades=by_direction["upgrade"],
        downgrades=by_direction["downgrade"],
        other_version_changes=by_direction["other"],
        facets=facets,
        compiler_moves=_compiler_moves(comparison),
        stacks=_stacks(before, after),
        problems=tuple(
            ProblemEntry(p.side.value, p.revision, p.commit, p.path, p.message)
            for p in comparison.problems
        ),
        impacts=tuple(
            ImpactEntry(c.code, c.severity.value, c.tag, c.package, c.subject, c.impact, c.stack)
            for c in comparison.changes
        ),
    )


__all__ = ["build", "retag"]
