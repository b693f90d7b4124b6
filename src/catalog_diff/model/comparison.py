"""What a comparison finds: frozen, typed, free of I/O.

:mod:`catalog_diff.compare.pairing` turns two :class:`~catalog_diff.model.snapshot.Snapshot` into a
:class:`Comparison` (per package the specs added, removed and changed, with roll-ups,
specs per stack and gates), and the renderers read that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .changes import Change
from .snapshot import SourceInfo, Spec


class Side(str, Enum):
    """Which side of a comparison something belongs to."""

    OLD = "old"
    NEW = "new"


class PackageStatus(str, Enum):
    """What happened to a package between the two sides."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


# ---- the comparison ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpecPair:
    """An old spec and the new spec it became.

    ``compiler_renamed``: a rebuild whose compiler is only spelt anew (a compiler alias,
    :mod:`catalog_diff.compare.aliases`): ``old.compiler`` and ``new.compiler`` differ.
    """

    old: Spec
    new: Spec
    compiler_renamed: bool = False


@dataclass(frozen=True, slots=True)
class StacksChange:
    """A spec (same hash on both sides) whose stacks differ."""

    hash: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    #: The spec on the new side, for the reports to show it whole (not compared).
    spec: Spec | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a hash-matched spec, before and after.

    For a list field (``versions``, ``variants``) ``added`` and ``removed`` hold the
    elements gained and lost, each sorted; a scalar field has neither. They follow from
    ``old`` and ``new``, so they take no part in equality.
    """

    name: str
    old: object
    new: object
    added: tuple[str, ...] = field(default=(), compare=False)
    removed: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class FieldsChange:
    """A spec (same hash on both sides) whose build fields differ."""

    hash: str
    fields: tuple[FieldChange, ...]
    #: The spec on the new side, for the reports to show it whole (not compared).
    spec: Spec | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SetDelta:
    """Values gained and lost by a package facet; both sorted."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True, slots=True)
class SpecChanges:
    """Every old-only and new-only spec of a package, each exactly once."""

    added: tuple[Spec, ...] = ()
    removed: tuple[Spec, ...] = ()
    rebuilt: tuple[SpecPair, ...] = ()
    compiler_changed: tuple[SpecPair, ...] = ()
    version_changed: tuple[SpecPair, ...] = ()
    stacks_changed: tuple[StacksChange, ...] = ()
    fields_changed: tuple[FieldsChange, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in SPEC_CHANGE_KINDS)


#: The lists of :class:`SpecChanges`, in report order.
SPEC_CHANGE_KINDS: tuple[str, ...] = (
    "added",
    "removed",
    "rebuilt",
    "compiler_changed",
    "version_changed",
    "stacks_changed",
    "fields_changed",
)


@dataclass(frozen=True, slots=True)
class PackageChange:
    """What changed in one package; ``tag`` is the new side's tag."""

    tag: str
    name: str
    status: PackageStatus
    specs: SpecChanges
    facets: tuple[tuple[str, SetDelta], ...]
    old_path: str | None = None
    new_path: str | None = None

    def facet(self, name: str) -> SetDelta:
        return dict(self.facets).get(name, SetDelta())


@dataclass(frozen=True, slots=True)
class TagCount:
    """A tag present on one side only, with its size."""

    tag: str
    packages: int
    specs: int


@dataclass(frozen=True, slots=True)
class ProblemRecord:
    """A problem, placed on its side of the comparison."""

    side: Side
    revision: str
    path: str
    message: str
    commit: str | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over the whole comparison."""

    packages_added: int = 0
    packages_removed: int = 0
    packages_changed: int = 0
    specs_added: int = 0
    specs_removed: int = 0
    specs_rebuilt: int = 0
    #: Of the rebuilt, those whose compiler was renamed (a compiler alias).
    specs_compiler_renamed: int = 0
    specs_compiler_changed: int = 0
    specs_version_changed: int = 0
    specs_stacks_changed: int = 0
    specs_fields_changed: int = 0
    tags_added: int = 0
    tags_removed: int = 0
    problems: int = 0


@dataclass(frozen=True, slots=True)
class Comparison:
    """The result of comparing two snapshots; everything a renderer needs."""

    old: SourceInfo
    new: SourceInfo
    summary: Summary
    tags_added: tuple[TagCount, ...]
    tags_removed: tuple[TagCount, ...]
    problems: tuple[ProblemRecord, ...]
    packages: tuple[PackageChange, ...]
    old_tag: str | None = None
    new_tag: str | None = None
    rollups: tuple[Rollup, ...] = ()
    stack_counts: StackCounts | None = None
    gates: tuple[GateResult, ...] = ()
    #: The changes classified (:mod:`catalog_diff.model.changes`), most severe first.
    changes: tuple[Change, ...] = ()

    @property
    def has_differences(self) -> bool:
        return bool(self.packages or self.tags_added or self.tags_removed)


# ---- roll-ups, stack counts and gates ------------------------------------------------


class RollupKind(str, Enum):
    """What a roll-up groups: one compiler change of paired specs, or one facet value."""

    COMPILER_CHANGED = "compiler_changed"
    COMPILER_RENAMED = "compiler_renamed"
    STACK = "stack"
    TARGET = "target"
    OS = "os"
    COMPILER = "compiler"
    PLATFORM = "platform"


@dataclass(frozen=True, slots=True)
class Rollup:
    """One change shared across packages, e.g. every spec whose compiler went from
    ``old`` to ``new``, or every package that gained or lost a target.

    ``packages`` holds the ``(tag, name)`` of every package concerned, sorted;
    ``gained``/``lost`` the packages whose facet gained or lost the value (empty for
    ``compiler_changed``). ``specs_gained``/``specs_lost`` count the specs that came
    with the value or went with it (for a stack: every spec that joined or left it);
    for ``compiler_changed``, ``specs_gained`` is the number of pairs.
    """

    kind: RollupKind
    subject: str
    packages: tuple[tuple[str, str], ...]
    gained: tuple[tuple[str, str], ...] = ()
    lost: tuple[tuple[str, str], ...] = ()
    specs_gained: int = 0
    specs_lost: int = 0
    old: str | None = None
    new: str | None = None

    @property
    def specs(self) -> int:
        return self.specs_gained + self.specs_lost


@dataclass(frozen=True, slots=True)
class StackCount:
    """The specs of one stack in one tag, on each side (a spec counts once per stack)."""

    tag: str
    stack: str
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old


@dataclass(frozen=True, slots=True)
class MetaMismatch:
    """A package file whose ``meta.num_specs_by_stack`` disagrees with its specs."""

    side: Side
    tag: str
    name: str
    path: str
    stack: str
    meta: int
    specs: int


@dataclass(frozen=True, slots=True)
class StackCounts:
    """Specs per stack, old and new, counted from ``spec_details``.

    When ``complete``, both sides were read whole and the counts are totals over every
    package compared. Otherwise only the packages whose files differ were read: the
    counts cover those packages, and only the change (``StackCount.delta``) holds for
    the whole catalog. ``meta_checked`` package files were checked against their
    ``meta.num_specs_by_stack`` (snapshot files and the older layouts carry none);
    ``mismatches`` lists every disagreement.
    """

    complete: bool
    rows: tuple[StackCount, ...]
    packages_counted: int = 0
    meta_checked: int = 0
    mismatches: tuple[MetaMismatch, ...] = ()


class GateStatus(str, Enum):
    """The outcome of one ``--fail-on`` condition."""

    TRIPPED = "tripped"
    PASSED = "passed"
    UNDECIDED = "undecided"  # nothing tripped, but some files could not be read


@dataclass(frozen=True, slots=True)
class Gate:
    """A parsed ``--fail-on`` condition: it trips when its count exceeds ``threshold``.

    ``pattern`` (a glob) limits it to package names (``removed-*``) or to the values
    lost (``lost-*``).
    """

    condition: str
    name: str
    threshold: int = 0
    pattern: str | None = None


@dataclass(frozen=True, slots=True)
class GateResult:
    """A gate evaluated against a comparison, with the reason in words."""

    condition: str
    status: GateStatus
    count: int
    reason: str

    @property
    def tripped(self) -> bool:
        return self.status is GateStatus.TRIPPED
