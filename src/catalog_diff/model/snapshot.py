"""The data that flows between the stages: frozen, typed, free of I/O.

Nothing here imports anything else of the package, and nothing here touches git, the disk
or a third-party library. Sources produce a :class:`Snapshot` of :class:`Package` and
:class:`Spec`; :mod:`catalog_diff.compare.pairing` turns two of them into a
:class:`~catalog_diff.model.comparison.Comparison` (:mod:`catalog_diff.model.comparison`),
and the history index answers with the records of :mod:`catalog_diff.model.history`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from operator import attrgetter
from typing import Any


class SourceKind(str, Enum):
    """Where a snapshot was read from."""

    GIT = "git"
    DIRECTORY = "directory"
    SNAPSHOT = "snapshot"


#: Spec fields that describe how a spec was built (everything but hash and stacks).
BUILD_FIELDS: tuple[str, ...] = ("versions", "compiler", "os", "platform", "target", "variants")


class Facet(Enum):
    """A package facet: the values one spec field takes over a package's specs.

    The one table of the facets, in report order. Each member carries:

    - ``key``: the facet's name in reports, in JSON, in ``meta`` and in
      :attr:`~catalog_diff.model.comparison.PackageChange.facets` (``"targets"``);
      ``Facet.of("targets")`` is :attr:`TARGETS`;
    - ``field``: the :class:`Spec` attribute the values come from (``"target"``);
    - ``many``: whether that attribute holds a tuple of values (stacks, versions);
    - ``noun``: one value in words (``"operating system"``);
    - ``word``: one value in a ``--fail-on lost-*`` condition (``"os"``);
    - ``meta_field``: the :class:`Spec` attribute ``meta``'s list is the union of (the
      compilers as written, ``raw_compiler``).
    """

    TARGETS = ("targets", "target", False, "target", "target", "target")
    STACKS = ("stacks", "stacks", True, "stack", "stack", "stacks")
    COMPILERS = ("compilers", "compiler", False, "compiler", "compiler", "raw_compiler")
    VERSIONS = ("versions", "versions", True, "version", "version", "versions")
    OSS = ("oss", "os", False, "operating system", "os", "os")
    PLATFORMS = ("platforms", "platform", False, "platform", "platform", "platform")

    key: str
    field: str
    many: bool
    noun: str
    word: str
    meta_field: str
    #: Reads ``field`` of a spec (an :func:`operator.attrgetter`, made once).
    get: Callable[[Spec], Any]

    def __new__(
        cls, key: str, field: str, many: bool, noun: str, word: str, meta_field: str
    ) -> Facet:
        member = object.__new__(cls)
        member._value_ = key
        member.key, member.field, member.many = key, field, many
        member.noun, member.word, member.meta_field = noun, word, meta_field
        member.get = attrgetter(field)
        return member

    @classmethod
    def of(cls, key: Facet | str) -> Facet:
        """The facet of a key (``"targets"``); ValueError for a key no facet has."""
        if isinstance(key, Facet):
            return key
        for facet in cls:
            if facet.key == key:
                return facet
        raise ValueError(f"unknown facet {key!r}")

    def values(self, spec: Spec) -> tuple[str, ...]:
        """The values this facet takes in one spec."""
        value: tuple[str, ...] | str = self.get(spec)
        return value if isinstance(value, tuple) else (value,)


#: The facets' keys, in report order (``"targets"``, ``"stacks"``, ...).
FACETS: tuple[str, ...] = tuple(facet.key for facet in Facet)


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


@dataclass(frozen=True, slots=True)
class Meta:
    """The ``meta`` line of a package file, as written (used for consistency checks).

    ``num_specs_by_stack`` is None when the file does not give it. A comparison's loader
    reads that field only (see :func:`catalog_diff.parse.package.meta_by_stack`); the other
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
    #: The date asked for (``--at DATE``) when the commit was picked by its date.
    at: str | None = None

    @property
    def label(self) -> str:
        """How a report names the source: as typed, or ``--at DATE`` for a date."""
        return f"--at {self.at}" if self.at else self.source


@dataclass(frozen=True)
class Snapshot:
    """A catalog at one point: its packages keyed by ``(tag, name)``.

    ``tags`` lists every tag present in the source (after any selection), including tags
    whose packages were not loaded. ``complete`` is false when only the packages that can
    differ from another snapshot were read (files identical on both sides are skipped).
    ``broken`` holds the keys of package files that could not be read (see ``problems``).
    ``tag_sizes`` gives ``(packages, specs)`` for tags that were only counted, not loaded
    (a tag present on one side of a comparison is reported by its size).
    ``selected_tag``/``selected_packages`` record the selection a snapshot was read with
    (``--tag``, ``--package`` globs), so that a saved partial catalog says it is partial.
    ``unlisted_tags`` names the folders of ``_cache/`` that could not be listed (a tag
    folder, or a package folder of an older layout): what the other side of a comparison
    has there is unknown on this one, a problem, never removed or added.
    """

    info: SourceInfo
    packages: Mapping[tuple[str, str], Package]
    tags: frozenset[str]
    problems: tuple[Problem, ...] = ()
    broken: frozenset[tuple[str, str]] = frozenset()
    complete: bool = True
    tag_sizes: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    selected_tag: str | None = None
    selected_packages: tuple[str, ...] = ()
    unlisted_tags: frozenset[str] = frozenset()
