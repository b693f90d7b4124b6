"""The data that flows between the stages: frozen, typed, free of I/O.

Nothing here imports anything else of the package, and nothing here touches git, the disk
or a third-party library. Sources produce :class:`Snapshot`, :mod:`catalog_diff.compare`
turns two of them into a :class:`Comparison`, and the renderers read that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum


class SourceKind(str, Enum):
    """Where a snapshot was read from."""

    GIT = "git"
    DIRECTORY = "directory"
    SNAPSHOT = "snapshot"


class Side(str, Enum):
    """Which side of a comparison something belongs to."""

    OLD = "old"
    NEW = "new"


class PackageStatus(str, Enum):
    """What happened to a package between the two sides."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


#: Spec fields that describe how a spec was built (everything but hash and stacks).
BUILD_FIELDS: tuple[str, ...] = ("versions", "compiler", "os", "platform", "target", "variants")

#: Package facets derived from the specs, in report order.
FACETS: tuple[str, ...] = ("targets", "stacks", "compilers", "versions", "oss", "platforms")


@dataclass(frozen=True, slots=True)
class Spec:
    """One binary in the cache, in normalised form.

    ``versions``, ``variants`` and ``stacks`` are sorted tuples; ``compiler`` is written
    ``name@version`` and variants ``key=value``. The spellings found in the file are kept in
    ``raw_compiler`` and ``raw_variants``, and keys the model does not use (``size``,
    ``tarball``, anything new) in ``extra``; none of those take part in equality.
    """

    hash: str
    versions: tuple[str, ...]
    compiler: str
    os: str
    platform: str
    target: str
    variants: tuple[str, ...]
    stacks: tuple[str, ...]
    raw_compiler: str = field(default="", compare=False, repr=False)
    raw_variants: tuple[str, ...] = field(default=(), compare=False, repr=False)
    extra: tuple[tuple[str, object], ...] = field(default=(), compare=False, repr=False)

    @property
    def build(self) -> tuple[object, ...]:
        """The build configuration: every field that says how the spec was built."""
        return (self.versions, self.compiler, self.os, self.platform, self.target, self.variants)

    def as_dict(self) -> dict[str, object]:
        """The normalised spec as plain JSON-ready values (the ``SPEC`` of the contract)."""
        return {
            "hash": self.hash,
            "versions": list(self.versions),
            "compiler": self.compiler,
            "os": self.os,
            "platform": self.platform,
            "target": self.target,
            "variants": list(self.variants),
            "stacks": list(self.stacks),
        }


def _spec_maker() -> Callable[
    [
        str,
        tuple[str, ...],
        str,
        str,
        str,
        str,
        tuple[str, ...],
        tuple[str, ...],
        str,
        tuple[str, ...],
        tuple[tuple[str, object], ...],
    ],
    Spec,
]:
    """A constructor of :class:`Spec` taking every field in order, positionally, that
    sets the slots directly. A frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` once per field, which makes it twice as slow, and a whole
    catalog builds hundreds of thousands of specs. Same object, same checks-free
    contract as ``Spec(...)`` with every argument given."""
    new = object.__new__
    (
        hash_,
        versions,
        compiler,
        os,
        platform,
        target,
        variants,
        stacks,
        raw_compiler,
        raw_variants,
        extra,
    ) = (getattr(Spec, name).__set__ for name in Spec.__slots__)

    def make(
        h: str,
        ve: tuple[str, ...],
        c: str,
        o: str,
        p: str,
        t: str,
        va: tuple[str, ...],
        st: tuple[str, ...],
        rc: str,
        rv: tuple[str, ...],
        ex: tuple[tuple[str, object], ...],
    ) -> Spec:
        spec = new(Spec)
        hash_(spec, h)
        versions(spec, ve)
        compiler(spec, c)
        os(spec, o)
        platform(spec, p)
        target(spec, t)
        variants(spec, va)
        stacks(spec, st)
        raw_compiler(spec, rc)
        raw_variants(spec, rv)
        extra(spec, ex)
        return spec

    return make


#: ``make_spec(hash, versions, compiler, os, platform, target, variants, stacks,
#: raw_compiler, raw_variants, extra)``: see :func:`_spec_maker`.
make_spec = _spec_maker()


@dataclass(frozen=True, slots=True)
class Meta:
    """The ``meta`` line of a package file, as written (used for consistency checks).

    ``num_specs_by_stack`` is None when the file does not give it. A comparison's loader
    reads that field only (see :func:`catalog_diff.parse.meta_by_stack`); the other
    fields are then left at their defaults.
    """

    compilers: tuple[str, ...] = ()
    num_specs: int | None = None
    num_specs_by_stack: tuple[tuple[str, int], ...] | None = None
    oss: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    stacks: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Package:
    """One ``_cache/<tag>/<package>/specs.md`` file, parsed; specs sorted by hash.

    ``oid`` is the git blob id of the file where it is known.
    """

    tag: str
    name: str
    path: str
    specs: tuple[Spec, ...]
    meta: Meta | None = field(default=None, compare=False)
    oid: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Problem:
    """A catalog file that could not be read. It is reported, never dropped."""

    path: str
    message: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What a snapshot was read from, as shown in every report."""

    kind: SourceKind
    source: str
    commit: str | None = None
    date: str | None = None
    revision: str | None = None
    repo: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """A catalog at one point: its packages keyed by ``(tag, name)``.

    ``tags`` lists every tag present in the source (after any selection), including tags
    whose packages were not loaded. ``complete`` is false when only the packages that can
    differ from another snapshot were read (files identical on both sides are skipped).
    ``broken`` holds the keys of package files that could not be read (see ``problems``).
    ``tag_sizes`` gives ``(packages, specs)`` for tags that were only counted, not loaded
    (a tag present on one side of a comparison is reported by its size).
    """

    info: SourceInfo
    packages: Mapping[tuple[str, str], Package]
    tags: frozenset[str]
    problems: tuple[Problem, ...] = ()
    broken: frozenset[tuple[str, str]] = frozenset()
    complete: bool = True
    tag_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)


# ---- the comparison ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpecPair:
    """An old spec and the new spec it became."""

    old: Spec
    new: Spec


@dataclass(frozen=True, slots=True)
class StacksChange:
    """A spec (same hash on both sides) whose stacks differ."""

    hash: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a hash-matched spec, before and after."""

    name: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class FieldsChange:
    """A spec (same hash on both sides) whose build fields differ."""

    hash: str
    fields: tuple[FieldChange, ...]


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

    @property
    def has_differences(self) -> bool:
        return bool(self.packages or self.tags_added or self.tags_removed)


# ---- history and audit ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommitRef:
    """A commit as reports show it: full SHA, ISO 8601 date with offset, subject."""

    commit: str
    date: str
    subject: str = ""


@dataclass(frozen=True, slots=True)
class LogEntry:
    """What one commit changed in the catalog (a comparison with its first parent).

    ``layout_change`` is ``(old layout, new layout)`` at a commit where the catalog's
    layout changed; stacks, which the older layouts lack, are then left out of the
    comparison so that the change is reported once, not as every package re-added.
    """

    commit: CommitRef
    layout: str
    comparison: Comparison
    layout_change: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """A commit at which a package changed: its change record, or why it is unknown."""

    commit: CommitRef
    change: PackageChange | None
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class PackageHistory:
    """A package's timeline in one tag (or all tags when ``tag`` is None), oldest first."""

    package: str
    tag: str | None
    events: tuple[HistoryEvent, ...]


@dataclass(frozen=True, slots=True)
class Interval:
    """Consecutive commits where something was present: ``first`` to ``last`` included."""

    first: CommitRef
    last: CommitRef


@dataclass(frozen=True, slots=True)
class Presence:
    """When a target, stack, compiler, version or hash was present for a package."""

    package: str
    tag: str
    query: tuple[str, str]
    intervals: tuple[Interval, ...]
    present_at_end: bool
    problems: tuple[ProblemRecord, ...] = ()

    @property
    def first_seen(self) -> CommitRef | None:
        return self.intervals[0].first if self.intervals else None

    @property
    def last_seen(self) -> CommitRef | None:
        return self.intervals[-1].last if self.intervals else None


@dataclass(frozen=True, slots=True)
class PackageState:
    """A package at one point: its facets, and its specs when asked for."""

    tag: str
    name: str
    spec_count: int
    targets: tuple[str, ...]
    stacks: tuple[str, ...]
    compilers: tuple[str, ...]
    versions: tuple[str, ...]
    specs: tuple[Spec, ...] | None = None


@dataclass(frozen=True, slots=True)
class CatalogState:
    """The catalog at one commit (``show``); packages sorted by tag and name."""

    source: SourceInfo
    packages: tuple[PackageState, ...]
    tags: tuple[str, ...]
    problems: tuple[ProblemRecord, ...] = ()


# ---- roll-ups, stack counts and gates ------------------------------------------------


class RollupKind(str, Enum):
    """What a roll-up groups: one compiler change of paired specs, or one facet value."""

    COMPILER_CHANGED = "compiler_changed"
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
