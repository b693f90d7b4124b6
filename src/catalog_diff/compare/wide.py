"""The catalog-wide kinds of a comparison that did not read everything. Pure: what it
needs beyond the two snapshots comes through the functions it is given.

A comparison reads only the files that differ; a stack, target, operating system or
compiler is gone from a tag only if no file of the whole tag has it. The files not read
are the same on both sides, so only a value that the files read have on one side only
can be gone or new (:func:`candidates`); for a tag with such values,
:func:`classify_whole` asks for the files not read that hold one of them (by their
bytes: a file that does not hold ``"zen4"`` and ``"e4s"`` has no spec for zen4 in stack
e4s) and adds them to both sides. For a stack gone from (or back in) a weekly tag, it asks
the weekly tags around which of their packages still have it (a transient absence).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Protocol

from ..model.changes import Neighbours, TagCensus
from ..model.comparison import Comparison, PackageStatus
from ..model.snapshot import Snapshot
from .census import WEEKLY, census, censuses, judged_tags, weekly_tags
from .kinds import classify, compiler_renames, stack_candidates


class Reader(Protocol):
    """What :func:`classify_whole` reads beyond the two snapshots (for the command line:
    :class:`catalog_diff.sources.around.Around`)."""

    def unread(
        self, tag: str, skip: frozenset[tuple[str, str]], holding: tuple[tuple[str, ...], ...]
    ) -> Snapshot:
        """The new side of one tag (by its name in the comparison), but the packages
        ``skip``, only the files that hold every string of one of the ``holding`` groups."""
        ...

    @property
    def cheap(self) -> bool:
        """Whether reading the files not read costs no more than listing them again (no
        git process): then a tag is read again for values gained too."""
        ...

    def side_tags(self, new_side: bool) -> Iterable[str]:
        """The tags of one side (True: the new side)."""
        ...

    def presence(
        self, new_side: bool, tag: str, names: tuple[str, ...], stacks: frozenset[str]
    ) -> frozenset[str]:
        """Of ``stacks``, those that some spec of the packages ``names`` of ``tag`` of one
        side is in."""
        ...


#: The facets whose loss or gain can be catalog-wide.
WIDE_FACETS = ("stacks", "targets", "oss", "compilers")


def wide_tags(comparison: Comparison) -> frozenset[str]:
    """Tags where a package lost or gained a stack, target, operating system or compiler
    (a package added or removed among them): where a catalog-wide kind may be."""
    return frozenset(
        c.tag
        for c in comparison.packages
        if c.status is not PackageStatus.CHANGED or any(c.facet(f) for f in WIDE_FACETS)
    )


def candidates(old: TagCensus, new: TagCensus) -> set[tuple[str, ...]]:
    """What the files read of a tag have on one side only, each as the strings a file
    must hold to have it: a stack (``(stack,)``), an operating system or a compiler
    (``(value,)``), a target within a stack (``(stack, target)``). Only those can be gone
    from or new in the whole tag: the files not read are the same on both sides."""
    values: set[tuple[str, ...]] = {(s,) for s in old.stacks.keys() ^ new.stacks.keys()}
    values |= {(v,) for v in old.oss - new.oss}
    values |= {(v,) for v in old.compilers - new.compilers}
    for stack in old.stacks.keys() & new.stacks.keys():
        moved = old.stacks[stack].targets ^ new.stacks[stack].targets
        values |= {(stack, target) for target in moved}
    return values


Listed = Mapping[str, tuple[str, ...]] | None


def _may_lose(old: TagCensus, new: TagCensus, values: set[tuple[str, ...]]) -> bool:
    """Whether one of ``values`` is something the files read have on the old side only
    (a stack, an os, a compiler, a target of a stack)."""
    for value in values:
        if len(value) == 2:
            stack, target = value
            had = stack in old.stacks and target in old.stacks[stack].targets
            has = stack in new.stacks and target in new.stacks[stack].targets
            if had and not has:
                return True
        elif (
            value[0] in old.stacks.keys() - new.stacks.keys()
            or value[0] in old.oss
            or value[0] in old.compilers
        ):
            return True
    return False


def classify_whole(
    comparison: Comparison,
    old: Snapshot,
    new: Snapshot,
    reader: Reader,
    listed: Mapping[str, tuple[str, ...]] | Callable[[], Listed] | None = None,
    window: int = 1,
) -> Comparison:
    """The comparison with its changes classified on whole tags (see the module).

    Unless reading is ``cheap`` for the reader (not two revisions of one repository), a
    tag whose files read show only values gained (and compilers only spelt anew) is not
    read again: what it gained is then not judged, and a consecutive diff of two
    revisions reads more only for what may be gone. ``listed`` (the stacks
    ``_data/tags.yaml`` lists per tag) may be a function: it is then asked only when a
    stack is gone from a tag.
    """
    judged = judged_tags(old, new)
    renames = compiler_renames(comparison.packages)
    before, after = censuses(old, judged), censuses(new, judged)
    broken = {tag for tag, _ in old.broken | new.broken}
    compared = old.tags & new.tags
    for tag in sorted(wide_tags(comparison) - judged - broken):
        if tag not in compared:
            continue
        read_old = [p for key, p in old.packages.items() if key[0] == tag]
        read_new = [p for key, p in new.packages.items() if key[0] == tag]
        old_read, new_read = census(read_old), census(read_new)
        respelt = {a for a, b in renames.get(tag, {}) if b in new_read.compilers}
        values = candidates(old_read, new_read) - {(c,) for c in respelt}
        if not values or not (reader.cheap or _may_lose(old_read, new_read, values)):
            continue  # nothing the files read lost can be gone from the whole tag
        skip = frozenset(k for k in old.packages.keys() | new.packages.keys() if k[0] == tag)
        rest = reader.unread(tag, skip, tuple(sorted(values)))
        if rest.broken or rest.problems:
            continue  # not all of the tag could be read: not judged
        others = [p for key, p in rest.packages.items() if key[0] == tag]
        before[tag] = census([*read_old, *others])
        after[tag] = census([*read_new, *others])
    neighbours = _neighbours(comparison, before, after, reader, window)
    gone, _ = stack_candidates(before, after)
    stacks = listed() if callable(listed) and gone else None if callable(listed) else listed
    changes = classify(comparison, before, after, listed=stacks, neighbours=neighbours)
    return replace(comparison, changes=changes)


def _neighbours(
    comparison: Comparison,
    before: Mapping[str, TagCensus],
    after: Mapping[str, TagCensus],
    reader: Reader,
    window: int,
) -> Neighbours | None:
    gone, came = stack_candidates(before, after)
    asks: dict[tuple[bool, str], tuple[set[str], set[str]]] = {}
    for new_side, candidates, censuses_ in ((True, gone, before), (False, came, after)):
        weekly = [(t, s) for t, s in candidates if _weekly(comparison, t)]
        if not weekly:
            continue
        tags = weekly_tags(reader.side_tags(new_side))
        for tag, stack in weekly:
            if new_side:
                around = [t for t in tags if t > tag][:window]
            else:
                around = [t for t in tags if t < (comparison.old_tag or tag)][-window:]
            names = {name for name, _ in censuses_[tag].stacks[stack].builds}
            for other in around:
                stacks, packages = asks.setdefault((new_side, other), (set(), set()))
                stacks.add(stack)
                packages.update(names)
    if not asks:
        return None
    present: dict[str, frozenset[str]] = {}
    for (new_side, tag), (stacks, packages) in sorted(asks.items()):
        found = reader.presence(new_side, tag, tuple(sorted(packages)), frozenset(stacks))
        present[tag] = present.get(tag, frozenset()) | found
    return Neighbours(present, window)


def _weekly(comparison: Comparison, tag: str) -> bool:
    return bool(WEEKLY.fullmatch(tag) and WEEKLY.fullmatch(comparison.old_tag or tag))


__all__ = ["Reader", "candidates", "classify_whole", "wide_tags"]
