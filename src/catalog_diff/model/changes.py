"""The catalogue of change kinds: what a change means for a user of the binaries.

Each :class:`ChangeKind` has a stable ``code`` (``stack-removed``), a :class:`Severity`
and an impact template: one line written for someone who installs from the cache, with
``{names}`` filled from the change's values (:meth:`ChangeKind.impact`).
:mod:`catalog_diff.compare.kinds` turns a comparison into :class:`Change` records; the
README lists the whole catalogue as a table (``tests/test_changes.py`` keeps the two in
sync). Frozen data only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    """How much a change matters to a user of the binaries, least first."""

    INFO = "info"
    NOTICE = "notice"
    WARNING = "warning"
    BREAKING = "breaking"

    @property
    def rank(self) -> int:
        return SEVERITIES.index(self)


#: The severities, least first (``--fail-on warning`` trips on warning and breaking).
SEVERITIES: tuple[Severity, ...] = tuple(Severity)


@dataclass(frozen=True, slots=True)
class ChangeKind:
    """One kind of change: its code, severity, what it is, and its impact template.

    ``template`` is a :meth:`str.format` string over the values a change of this kind
    carries (see :data:`CATALOGUE` for the names each one uses).
    """

    code: str
    severity: Severity
    meaning: str
    template: str

    def impact(self, values: Mapping[str, object]) -> str:
        """The one-line impact of a change of this kind."""
        return self.template.format_map(dict(values))


def _kind(code: str, severity: Severity, meaning: str, template: str) -> ChangeKind:
    return ChangeKind(code, severity, meaning, template)


_B, _W, _N, _I = Severity.BREAKING, Severity.WARNING, Severity.NOTICE, Severity.INFO

#: Every kind, by code, in the order the reports list kinds of equal severity.
CATALOGUE: dict[str, ChangeKind] = {
    k.code: k
    for k in (
        _kind(
            "stack-removed",
            _B,
            "every spec of a stack is gone from a tag",
            "stack {stack} removed ({specs}): its users get no binaries "
            "from this stack and will build from source",
        ),
        _kind(
            "stack-empty",
            _W,
            "a stack that _data/tags.yaml lists for the tag has no specs left in it",
            "stack {stack} is listed for the tag but has no specs ({specs} before): its "
            "pipeline produced nothing; its users build from source until it is back",
        ),
        _kind(
            "target-dropped",
            _W,
            "a stack no longer has any spec for a target",
            "target {value} dropped from stack {stack}: users on {value} get no binaries "
            "from this stack and will build from source",
        ),
        _kind(
            "os-dropped",
            _W,
            "no spec of the tag is built for an operating system any more",
            "operating system {value} dropped: users on {value} get no "
            "binaries from this tag and will build from source",
        ),
        _kind(
            "compiler-dropped",
            _W,
            "no spec of the tag is built with a compiler any more",
            "compiler {value} dropped: users who build with {value} find "
            "no binaries built with it and will build from source",
        ),
        _kind(
            "package-removed",
            _W,
            "a package has no spec left in the tag",
            "package {package} removed ({specs}): it will be built from source",
        ),
        _kind(
            "version-downgraded",
            _W,
            "paired specs went to an older version (Spack's version order)",
            "{package} went down from {old} to {new} ({specs}): users "
            "pinned to {old} build from source, others get the older version",
        ),
        _kind(
            "hole",
            _W,
            "a spec built in a stack mirror but missing from the top-level mirror (root)",
            "{package}: {subject}; users of the top-level mirror build it "
            "from source, users of the stack's own mirror still get it",
        ),
        _kind(
            "stack-renamed",
            _N,
            "all of a stack's specs now appear under another stack name",
            "stack {old} is now {new} ({specs}): the binaries are still there; "
            "users point their mirror or environment at {new}",
        ),
        _kind(
            "stack-transient",
            _N,
            "a stack missing from one weekly tag but present before and after it",
            "stack {stack} is missing from this tag but present in {around}: a failed "
            "pipeline rather than a removal; its users use a neighbouring tag meanwhile",
        ),
        _kind(
            "package-transient",
            _N,
            "a package missing for a few commits and back within the transient window",
            "package {package} is missing here but present in {around}: a failed "
            "pipeline rather than a removal; its users use a neighbouring tag meanwhile",
        ),
        _kind(
            "target-transient",
            _N,
            "a target missing for a few commits and back within the transient window",
            "target {value} is missing here but present in {around}: a failed build "
            "rather than a drop; users on {value} use a neighbouring tag meanwhile",
        ),
        _kind(
            "os-transient",
            _N,
            "an operating system missing for a few commits and back within the transient window",
            "operating system {value} is missing here but present in {around}: a failed "
            "build rather than a drop; users on {value} use a neighbouring tag meanwhile",
        ),
        _kind(
            "compiler-transient",
            _N,
            "a compiler missing for a few commits and back within the transient window",
            "compiler {value} is missing here but present in {around}: a failed build "
            "rather than a drop; users of {value} use a neighbouring tag meanwhile",
        ),
        _kind(
            "spec-removed",
            _N,
            "specs removed from a package, not replaced by a new build",
            "{specs} of {package} removed, stacks {stacks} ({subject}): those "
            "configurations will be built from source",
        ),
        _kind(
            "version-changed",
            _N,
            "paired specs changed version without going up or down in Spack's order",
            "{package} changed version from {old} to {new} ({specs}): check "
            "that the version you pin is still there",
        ),
        _kind(
            "version-upgraded",
            _I,
            "paired specs went to a newer version (Spack's version order)",
            "{package} upgraded from {old} to {new} ({specs}): users get the "
            "newer version; those pinned to {old} build from source",
        ),
        _kind(
            "compiler-renamed",
            _I,
            "the same compiler is spelled differently (Spack's compiler renames)",
            "compiler {old} is now spelled {new} ({specs}): the same builds "
            "under the new name; update compiler specs that name {old}",
        ),
        _kind(
            "spec-rebuilt",
            _I,
            "the same build under a new hash",
            "{specs} of {package} rebuilt (same build, new hash): binaries must be fetched again",
        ),
        _kind(
            "hole-fixed",
            _I,
            "a spec that was missing from the top-level mirror (root) is in it now, or gone",
            "{package}: {subject}; the top-level mirror covers it again",
        ),
        _kind(
            "stack-added",
            _I,
            "a stack new in a tag",
            "stack {stack} added ({specs}): new binaries for its users",
        ),
        _kind(
            "target-added",
            _I,
            "a stack has specs for a target it had none for",
            "target {value} added to stack {stack}: users on {value} get binaries from this stack",
        ),
        _kind(
            "package-added",
            _I,
            "a package new in the tag",
            "package {package} added ({specs}): it can be installed from binaries",
        ),
        _kind(
            "spec-added",
            _I,
            "specs added to a package, not replacing an old build",
            "{specs} of {package} added, stacks {stacks} ({subject}): more "
            "configurations install from binaries",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Where a removal happened, read from the history index (``diff --explain``): the
    first commit without it (``went``, with its date), and the first commit that has it
    again within ``window`` commits of going (``back``; None: not back within them). A
    removal back within the window was transient."""

    went: str
    went_date: str
    window: int
    back: str | None = None
    back_date: str | None = None

    @property
    def transient(self) -> bool:
        return self.back is not None


@dataclass(frozen=True, slots=True)
class Change:
    """One change, classified.

    ``package`` is None for a catalog-wide kind (a stack, a target of a stack, an
    operating system, a compiler). ``subject`` names what changed (a stack, a value, a
    version move); ``stack`` is the stack concerned, when there is one. ``impact`` is the
    kind's one line for a user of the binaries. ``explanation`` says, for a removal, where
    in the history it happened (``diff --explain``).
    """

    code: str
    severity: Severity
    tag: str
    package: str | None
    subject: str
    impact: str
    stack: str | None = None
    explanation: Explanation | None = None

    @property
    def kind(self) -> ChangeKind:
        return CATALOGUE[self.code]


def make(
    code: str,
    tag: str,
    subject: str,
    package: str | None = None,
    stack: str | None = None,
    **values: object,
) -> Change:
    """A :class:`Change` of kind ``code``, its impact filled from the fields and
    ``values``."""
    kind = CATALOGUE[code]
    fields = {"tag": tag, "subject": subject, "package": package, "stack": stack, **values}
    return Change(code, kind.severity, tag, package, subject, kind.impact(fields), stack)


def order_key(change: Change) -> tuple[int, int, str, str, str, str]:
    """The report order: most severe first, then the catalogue's order, tag, package,
    subject."""
    codes = list(CATALOGUE)
    return (
        -change.severity.rank,
        codes.index(change.code),
        change.tag,
        change.package or "",
        change.stack or "",
        change.subject,
    )


# ---- what the classifier reads besides the comparison ---------------------------------


@dataclass(frozen=True, slots=True)
class StackFacts:
    """One stack of one tag on one side: its specs, their targets, and their builds
    (``(package, build)``: what a renamed stack keeps)."""

    specs: int
    targets: frozenset[str]
    builds: frozenset[tuple[str, tuple[object, ...]]]


@dataclass(frozen=True, slots=True)
class TagCensus:
    """One tag on one side, whole: its stacks, operating systems and compilers."""

    stacks: Mapping[str, StackFacts]
    oss: frozenset[str]
    compilers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Neighbours:
    """What the weekly tags around a comparison's tags hold, for transient absences.

    ``present`` maps a weekly tag to the stacks found in it (only the stacks asked
    about); ``window`` is how many weekly tags before and after count.
    """

    present: Mapping[str, frozenset[str]]
    window: int = 1
