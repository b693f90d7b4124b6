"""The release notes as data: frozen dataclasses, built by :mod:`catalog_diff.release.notes`.

Plain values only (strings, integers, tuples of them): :meth:`ReleaseNotes.as_data` turns
the whole into the dicts, lists, strings and integers a template receives. The field
names are the template variables documented in the README ("Release notes").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SideInfo:
    """One side of the notes: what was read, and its size."""

    label: str
    tag: str
    source: str
    kind: str
    commit: str | None
    date: str | None
    packages: int
    specs: int


@dataclass(frozen=True, slots=True)
class Highlights:
    """The counts a reader sees first."""

    packages_old: int
    packages_new: int
    packages_added: int
    packages_removed: int
    packages_changed: int
    packages_unchanged: int
    specs_old: int
    specs_new: int
    specs_added: int
    specs_removed: int
    specs_rebuilt: int
    specs_compiler_changed: int
    specs_version_changed: int
    version_upgrades: int
    version_downgrades: int
    version_other: int
    targets_gained: int
    targets_lost: int
    stacks_gained: int
    stacks_lost: int
    compilers_gained: int
    compilers_lost: int
    oss_gained: int
    oss_lost: int
    problems: int
    #: Of the rebuilt, those whose compiler was only renamed (with compiler aliases).
    specs_compiler_renamed: int = 0


@dataclass(frozen=True, slots=True)
class PackageEntry:
    """A package new in, or removed from, the catalog."""

    name: str
    specs: int
    versions: tuple[str, ...]
    stacks: tuple[str, ...]
    compilers: tuple[str, ...]
    targets: tuple[str, ...]
    oss: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VersionMove:
    """Specs of a package rebuilt at another version, everything else equal."""

    old: str
    new: str
    specs: int


@dataclass(frozen=True, slots=True)
class VersionChange:
    """A package present on both sides whose versions changed.

    ``direction`` is ``upgrade`` when its newest version went up, ``downgrade`` when it
    went down to a version new to the package or specs moved down; when the newest
    version was only dropped (the package keeps versions it already had), ``other``.
    With the same newest version, ``upgrade`` or ``downgrade`` when every spec that moved
    to another version moved that way, else ``other`` (older versions came or went).
    """

    name: str
    direction: str
    old_newest: str
    new_newest: str
    old_versions: tuple[str, ...]
    new_versions: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    moves: tuple[VersionMove, ...]
    old_specs: int
    new_specs: int


@dataclass(frozen=True, slots=True)
class PackageDelta:
    """A package present on both sides whose specs changed, by kind of change."""

    name: str
    old_specs: int
    new_specs: int
    added: int
    removed: int
    rebuilt: int
    compiler_changed: int
    version_changed: int
    stacks_changed: int
    fields_changed: int


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet (a target, a stack, ...) whose set of packages changed.

    For a value new to the catalog ``gained_by`` lists every package that has it, for a
    value gone ``lost_by`` every package that had it; for a value on both sides both list
    only packages present on both sides (new and removed packages have their sections).
    """

    value: str
    old_packages: int
    new_packages: int
    old_specs: int
    new_specs: int
    gained_by: tuple[str, ...]
    lost_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FacetChanges:
    """Values of one facet new to the catalog, gone from it, or spread to other packages."""

    name: str
    noun: str
    gained: tuple[FacetValue, ...]
    lost: tuple[FacetValue, ...]
    changed: tuple[FacetValue, ...]


@dataclass(frozen=True, slots=True)
class CompilerMove:
    """Specs rebuilt with another compiler, everything else equal."""

    old: str
    new: str
    specs: int
    packages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StackRow:
    """Spec and package counts of one stack on both sides."""

    stack: str
    status: str
    old_specs: int
    new_specs: int
    delta: int
    old_packages: int
    new_packages: int


@dataclass(frozen=True, slots=True)
class ProblemEntry:
    """A catalog file that could not be read; its package is left out of the notes."""

    side: str
    source: str
    commit: str | None
    path: str
    message: str


@dataclass(frozen=True, slots=True)
class ImpactEntry:
    """One classified change, for "What this means for users" (see
    :mod:`catalog_diff.model.changes`)."""

    code: str
    severity: str
    tag: str
    package: str | None
    subject: str
    impact: str
    stack: str | None


@dataclass(frozen=True, slots=True)
class ReleaseNotes:
    """Everything the release-notes template receives."""

    old: SideInfo
    new: SideInfo
    highlights: Highlights
    new_packages: tuple[PackageEntry, ...]
    removed_packages: tuple[PackageEntry, ...]
    changed_packages: tuple[PackageDelta, ...]
    upgrades: tuple[VersionChange, ...]
    downgrades: tuple[VersionChange, ...]
    other_version_changes: tuple[VersionChange, ...]
    facets: tuple[FacetChanges, ...]
    compiler_moves: tuple[CompilerMove, ...]
    stacks: tuple[StackRow, ...]
    problems: tuple[ProblemEntry, ...]
    #: The changes classified, most severe first.
    impacts: tuple[ImpactEntry, ...] = ()

    def as_data(self) -> dict[str, Any]:
        """The notes as plain dicts, lists, strings and integers (the template's input)."""
        data = _plain(asdict(self))
        assert isinstance(data, dict)
        return data


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


__all__ = [
    "CompilerMove",
    "FacetChanges",
    "FacetValue",
    "Highlights",
    "ImpactEntry",
    "PackageDelta",
    "PackageEntry",
    "ProblemEntry",
    "ReleaseNotes",
    "SideInfo",
    "StackRow",
    "VersionChange",
    "VersionMove",
]
