"""Where specs came and went, stack by target: the coverage grid of the HTML report.

Counted from the comparison's change records alone (pure): an added spec gains one spec
in each (stack, target) it carries, a removed one loses one; a paired spec (rebuilt,
compiler or version changed) moves only where its stacks or target differ on its two
sides; a hash-matched spec moves between the stacks it joined and left, or from its old
target to its new one. A spec in no stack is counted under the stack ``(none)``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model.comparison import Comparison, PackageChange
from ..model.snapshot import Spec

#: The row of specs that belong to no stack.
NO_STACK = "(none)"

Cell = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Grid:
    """Specs gained and lost per (stack, target); ``stacks`` and ``targets`` sorted."""

    stacks: tuple[str, ...]
    targets: tuple[str, ...]
    gained: dict[Cell, int]
    lost: dict[Cell, int]

    def __bool__(self) -> bool:
        return bool(self.gained or self.lost)


def _cells(spec: Spec, target: str | None = None) -> list[Cell]:
    return [(stack, target or spec.target) for stack in (spec.stacks or (NO_STACK,))]


def _moves(change: PackageChange) -> tuple[Counter[Cell], Counter[Cell]]:
    gained: Counter[Cell] = Counter()
    lost: Counter[Cell] = Counter()
    specs = change.specs
    for spec in specs.added:
        gained.update(_cells(spec))
    for spec in specs.removed:
        lost.update(_cells(spec))
    for pair in (*specs.rebuilt, *specs.compiler_changed, *specs.version_changed):
        before, after = set(_cells(pair.old)), set(_cells(pair.new))
        gained.update(after - before)
        lost.update(before - after)
    for moved in specs.stacks_changed:
        if moved.spec is None:
            continue
        gained.update((stack, moved.spec.target) for stack in moved.added)
        lost.update((stack, moved.spec.target) for stack in moved.removed)
    for fields in specs.fields_changed:
        if fields.spec is None:
            continue
        for f in fields.fields:
            if f.name == "target" and f.old != f.new:
                lost.update(_cells(fields.spec, str(f.old)))
                gained.update(_cells(fields.spec, str(f.new)))
    return gained, lost


def grid(comparison: Comparison) -> Grid:
    """The coverage grid of a comparison."""
    gained: Counter[Cell] = Counter()
    lost: Counter[Cell] = Counter()
    for change in comparison.packages:
        took, gave = _moves(change)
        gained.update(took)
        lost.update(gave)
    cells = set(gained) | set(lost)
    return Grid(
        stacks=tuple(sorted({s for s, _ in cells})),
        targets=tuple(sorted({t for _, t in cells})),
        gained=dict(gained),
        lost=dict(lost),
    )
