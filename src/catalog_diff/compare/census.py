"""What one tag holds, whole: its stacks (specs, targets, builds), operating systems and
compilers, as :func:`catalog_diff.compare.kinds.classify` reads them. Pure.

Also the two words of the catalog this needs: ``root``, the stack of the top-level
mirror, and the shape of a weekly tag (``develop-YYYY-MM-DD``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from ..model.changes import StackFacts, TagCensus
from ..model.snapshot import Package, Snapshot

#: The stack of the top-level mirror: every spec built is meant to be in it.
ROOT = "root"

#: A weekly tag of the develop branch; its name sorts by date.
WEEKLY = re.compile(r"develop-\d{4}-\d{2}-\d{2}")


def weekly_tags(tags: Iterable[str]) -> list[str]:
    """The weekly tags among ``tags``, oldest first."""
    return sorted(t for t in tags if WEEKLY.fullmatch(t))


def census(packages: Iterable[Package]) -> TagCensus:
    """The census of one tag from all of its packages."""
    specs: dict[str, int] = defaultdict(int)
    targets: dict[str, set[str]] = defaultdict(set)
    builds: dict[str, set[tuple[str, tuple[object, ...]]]] = defaultdict(set)
    oss: set[str] = set()
    compilers: set[str] = set()
    for package in packages:
        for spec in package.specs:
            oss.add(spec.os)
            compilers.add(spec.compiler)
            build = (package.name, spec.build)
            for stack in spec.stacks:
                specs[stack] += 1
                targets[stack].add(spec.target)
                builds[stack].add(build)
    return TagCensus(
        stacks={
            stack: StackFacts(specs[stack], frozenset(targets[stack]), frozenset(builds[stack]))
            for stack in sorted(specs)
        },
        oss=frozenset(oss),
        compilers=frozenset(compilers),
    )


def censuses(snapshot: Snapshot, tags: Iterable[str]) -> dict[str, TagCensus]:
    """The census of each of ``tags`` in a snapshot read whole (packages that could not
    be read are left out: a tag with one is not judged, see :func:`judged_tags`)."""
    by_tag: dict[str, list[Package]] = defaultdict(list)
    wanted = set(tags)
    for (tag, _), package in snapshot.packages.items():
        if tag in wanted:
            by_tag[tag].append(package)
    return {tag: census(by_tag.get(tag, ())) for tag in sorted(wanted)}


def judged_tags(old: Snapshot, new: Snapshot) -> frozenset[str]:
    """The tags whose census holds on both sides: compared on both, read whole (the
    snapshot is complete) and with no file left unread."""
    if not (old.complete and new.complete):
        return frozenset()
    broken = {tag for tag, _ in old.broken | new.broken}
    return frozenset(old.tags & new.tags) - broken


__all__ = [
    "ROOT",
    "WEEKLY",
    "census",
    "censuses",
    "judged_tags",
    "weekly_tags",
]
