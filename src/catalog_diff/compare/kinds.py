"""A comparison -> the kinds of change it holds (:mod:`catalog_diff.model.changes`). Pure.

Two levels. Catalog-wide kinds are judged per tag on the whole of both sides (a
:class:`~catalog_diff.model.changes.TagCensus` per tag and side, see :func:`census`): a
stack removed, emptied (still listed in ``_data/tags.yaml``), renamed (all its builds
under a new stack name), transient (back in a neighbouring weekly tag), added; targets
dropped from and added to each stack; operating systems and compilers the tag no longer
has. Package kinds come from each package's changes: a package added or removed, specs
added, removed and rebuilt, version moves in Spack's order (:mod:`.versions`), compiler
renames, and holes (specs missing from the top-level mirror, ``root``) new and fixed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from ..model.changes import Change, Neighbours, StackFacts, TagCensus, make, order_key
from ..model.comparison import Comparison, PackageChange, PackageStatus, SpecPair
from ..model.snapshot import Spec
from ..words import count_of
from .aliases import NO_COMPILER
from .census import ROOT, WEEKLY, weekly_tags
from .versions import newest, version_key

#: How many specs a spec-added or spec-removed subject names before "and N more".
SPECS_NAMED = 3


def classify(
    comparison: Comparison,
    old: Mapping[str, TagCensus],
    new: Mapping[str, TagCensus],
    *,
    listed: Mapping[str, tuple[str, ...]] | None = None,
    neighbours: Neighbours | None = None,
) -> tuple[Change, ...]:
    """Every change of ``comparison``, most severe first.

    ``old`` and ``new`` give each compared tag whole (keyed by the new side's tag name);
    a tag missing from either is not judged catalog-wide. ``listed`` holds the stacks
    ``_data/tags.yaml`` lists per tag; ``neighbours`` what the weekly tags around hold.
    """
    renames = compiler_renames(comparison.packages)
    out: list[Change] = []
    for tag in sorted(old.keys() & new.keys()):
        old_tag = comparison.old_tag or tag
        out.extend(
            _tag_changes(
                tag,
                old_tag,
                old[tag],
                new[tag],
                (listed or {}).get(tag, ()),
                neighbours,
                renames.get(tag, {}),
            )
        )
    for tag, moves in sorted(renames.items()):
        out.extend(renamed_changes(tag, moves))
    for change in comparison.packages:
        out.extend(package_changes(change))
    return tuple(sorted(out, key=order_key))


# ---- catalog-wide ----------------------------------------------------------------------


def _tag_changes(
    tag: str,
    old_tag: str,
    before: TagCensus,
    after: TagCensus,
    listed: tuple[str, ...],
    neighbours: Neighbours | None,
    renames: Mapping[tuple[str, str], int],
) -> Iterable[Change]:
    gone = sorted(s for s in before.stacks if s not in after.stacks)
    came = sorted(s for s in after.stacks if s not in before.stacks)
    renamed = _renamed_stacks(gone, came, before.stacks, after.stacks)
    for stack in gone:
        facts = before.stacks[stack]
        specs = count_of(facts.specs, "spec")
        if stack in renamed:
            other = renamed[stack]
            yield make(
                "stack-renamed",
                tag,
                f"{stack} -> {other}",
                stack=stack,
                old=stack,
                new=other,
                specs=specs,
            )
            continue
        around = _around(neighbours, stack, old_tag, tag, after_side=True)
        if around:
            yield make("stack-transient", tag, stack, stack=stack, around=around)
            continue
        code = "stack-empty" if stack in listed else "stack-removed"
        yield make(code, tag, stack, stack=stack, specs=specs)
        for target in sorted(facts.targets):
            yield make("target-dropped", tag, target, stack=stack, value=target)
    for stack in came:
        if stack in renamed.values():
            continue
        around = _around(neighbours, stack, old_tag, tag, after_side=False)
        if around:
            yield make("stack-transient", tag, stack, stack=stack, around=around)
            continue
        facts = after.stacks[stack]
        yield make("stack-added", tag, stack, stack=stack, specs=count_of(facts.specs, "spec"))
        for target in sorted(facts.targets):
            yield make("target-added", tag, target, stack=stack, value=target)
    for stack in sorted(before.stacks.keys() & after.stacks.keys()):
        old_targets, new_targets = before.stacks[stack].targets, after.stacks[stack].targets
        for target in sorted(old_targets - new_targets):
            yield make("target-dropped", tag, target, stack=stack, value=target)
        for target in sorted(new_targets - old_targets):
            yield make("target-added", tag, target, stack=stack, value=target)
    for os in sorted(before.oss - after.oss):
        yield make("os-dropped", tag, os, value=os)
    spelled = {old for old, new in renames if new in after.compilers}
    for compiler in sorted(before.compilers - after.compilers - spelled):
        yield make("compiler-dropped", tag, compiler, value=compiler)


def _renamed_stacks(
    gone: Sequence[str],
    came: Sequence[str],
    before: Mapping[str, StackFacts],
    after: Mapping[str, StackFacts],
) -> dict[str, str]:
    """Stacks gone whose every build is in one stack that came (the first by name)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for stack in gone:
        builds = before[stack].builds
        if not builds:
            continue
        for other in came:
            if other not in taken and builds <= after[other].builds:
                out[stack] = other
                taken.add(other)
                break
    return out


def _around(
    neighbours: Neighbours | None, stack: str, old_tag: str, new_tag: str, *, after_side: bool
) -> str:
    """For a stack gone from ``new_tag`` (``after_side``): the weekly tags after it, within
    the window, that have it again; for a stack back in ``new_tag``: those before
    ``old_tag`` that had it. Empty when it is no transient absence."""
    if neighbours is None or not (WEEKLY.fullmatch(old_tag) and WEEKLY.fullmatch(new_tag)):
        return ""
    tags = weekly_tags(neighbours.present)
    if after_side:
        window = [t for t in tags if t > new_tag][: neighbours.window]
        anchor = old_tag
    else:
        window = [t for t in tags if t < old_tag][-neighbours.window :]
        anchor = new_tag
    found = [t for t in window if stack in neighbours.present[t]]
    if not found:
        return ""
    return " and ".join(sorted({anchor, found[0] if after_side else found[-1]}))


def stack_candidates(
    old: Mapping[str, TagCensus], new: Mapping[str, TagCensus]
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """``(tag, stack)`` gone from and new in each tag: what a transient absence could
    explain (the caller looks for them in the neighbouring weekly tags)."""
    gone, came = set(), set()
    for tag in old.keys() & new.keys():
        gone |= {(tag, s) for s in old[tag].stacks if s not in new[tag].stacks}
        came |= {(tag, s) for s in new[tag].stacks if s not in old[tag].stacks}
    return gone, came


# ---- per package -------------------------------------------------------------------------


def compiler_renames(changes: Iterable[PackageChange]) -> dict[str, dict[tuple[str, str], int]]:
    """Per tag, each compiler rename recorded on the pairs, with its number of specs."""
    out: dict[str, dict[tuple[str, str], int]] = defaultdict(lambda: defaultdict(int))
    for change in changes:
        for pair in _pairs(change):
            renamed = _renamed(pair)
            if renamed is not None:
                out[change.tag][renamed] += 1
    return {tag: dict(moves) for tag, moves in out.items()}


def renamed_changes(
    tag: str, moves: Mapping[tuple[str, str], int], package: str | None = None
) -> Iterable[Change]:
    """``compiler-renamed`` for each ``(old, new)`` spelling of ``moves`` (with its number
    of specs) in ``tag``: catalog-wide, or of one ``package``'s specs."""
    for (before, after), specs in sorted(moves.items()):
        shown = "none (built without a compiler)" if after == NO_COMPILER else after
        yield make(
            "compiler-renamed",
            tag,
            f"{before} -> {after}",
            package,
            old=before,
            new=shown,
            specs=count_of(specs, "spec"),
        )


def _renamed(pair: SpecPair) -> tuple[str, str] | None:
    """The ``(old, new)`` compiler spellings of a pair that records a compiler rename
    (``SpecPair.compiler_renamed``), else None."""
    if not pair.compiler_renamed:
        return None
    return (pair.old.compiler, pair.new.compiler)


def _pairs(change: PackageChange) -> list[SpecPair]:
    specs = change.specs
    return [*specs.rebuilt, *specs.compiler_changed, *specs.version_changed]


def short_spec(name: str, spec: Spec) -> str:
    """``zfp@1.0.1 %cce@15.0.1 arch=linux-rhel8-zen4``."""
    return (
        f"{name}@{','.join(spec.versions)} %{spec.compiler} "
        f"arch={spec.platform}-{spec.os}-{spec.target}"
    )


def _named(name: str, specs: Sequence[Spec]) -> str:
    shown = sorted({short_spec(name, s) for s in specs})
    more = len(shown) - SPECS_NAMED
    return "; ".join(shown[:SPECS_NAMED]) + (f"; and {more} more" if more > 0 else "")


def package_changes(change: PackageChange) -> Iterable[Change]:
    """The package kinds of one package's changes."""
    tag, name, specs = change.tag, change.name, change.specs
    if change.status is PackageStatus.ADDED:
        yield make("package-added", tag, name, name, specs=count_of(len(specs.added), "spec"))
    elif change.status is PackageStatus.REMOVED:
        yield make("package-removed", tag, name, name, specs=count_of(len(specs.removed), "spec"))
    else:
        for code, listed in (("spec-added", specs.added), ("spec-removed", specs.removed)):
            if listed:
                stacks = {s for spec in listed for s in spec.stacks} - {ROOT}
                yield make(
                    code,
                    tag,
                    _named(name, listed),
                    name,
                    specs=count_of(len(listed), "spec"),
                    stacks=", ".join(sorted(stacks)) or ROOT,
                )
        if specs.rebuilt:
            n = count_of(len(specs.rebuilt), "spec")
            yield make("spec-rebuilt", tag, n, name, specs=n)
    yield from _version_moves(change)
    yield from _holes(change)


def _version_moves(change: PackageChange) -> Iterable[Change]:
    moves: dict[tuple[str, str], int] = defaultdict(int)
    for pair in change.specs.version_changed:
        moves[(",".join(pair.old.versions), ",".join(pair.new.versions))] += 1
    for (before, after), n in sorted(moves.items()):
        old_top = newest(before.split(",")) or before
        new_top = newest(after.split(",")) or after
        old_key, new_key = version_key(old_top)[:3], version_key(new_top)[:3]
        if new_key > old_key:
            code = "version-upgraded"
        elif new_key < old_key:
            code = "version-downgraded"
        else:
            code = "version-changed"
        yield make(
            code,
            change.tag,
            f"{before} -> {after}",
            change.name,
            old=before,
            new=after,
            specs=count_of(n, "spec"),
        )


def is_hole(spec: Spec) -> bool:
    """A spec built in a stack mirror but not in the top-level mirror (``root``)."""
    return ROOT not in spec.stacks and bool(spec.stacks)


def _holes(change: PackageChange) -> Iterable[Change]:
    """Holes new on the new side (a spec added, or one that left ``root``), and holes of
    the old side fixed (the spec, or the build that replaced it, is in ``root`` now)."""
    specs = change.specs
    made = [s for s in specs.added if is_hole(s)]
    fixed: list[tuple[Spec, Spec]] = []
    for pair in _pairs(change):
        if is_hole(pair.new) and not is_hole(pair.old):
            made.append(pair.new)
        elif is_hole(pair.old) and not is_hole(pair.new):
            fixed.append((pair.old, pair.new))
    for moved in specs.stacks_changed:
        if moved.spec is None:
            continue
        if ROOT in moved.removed and is_hole(moved.spec):
            made.append(moved.spec)
        elif ROOT in moved.added and set(moved.spec.stacks) - set(moved.added):
            fixed.append((moved.spec, moved.spec))
    for spec in sorted(made, key=lambda s: s.hash):
        subject = (
            f"{short_spec(change.name, spec)} /{spec.hash[:7]} is in "
            f"{', '.join(spec.stacks)} but not in root"
        )
        yield make("hole", change.tag, subject, change.name)
    for before, after in sorted(fixed, key=lambda p: p[1].hash):
        subject = f"{short_spec(change.name, after)} /{after.hash[:7]} is in root again"
        if before.hash != after.hash:
            subject += f" (was /{before.hash[:7]})"
        yield make("hole-fixed", change.tag, subject, change.name)
