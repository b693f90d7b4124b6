"""Where catalog bytes come from: the Source protocol, its capabilities, the listing types.

A source lists the catalog files it holds (:class:`Listing`) and reads the bytes of one
entry on demand, so that a comparison reads only what can differ. The git source lives in
:mod:`catalog_diff.git.repository` (the only module that imports GitPython); saved snapshots in
:mod:`catalog_diff.sources.snapshotfile`; how a listing is built from paths in
:mod:`catalog_diff.sources.building`.

Three layouts are listed (see ``tests/fixtures/catalog-samples/NOTES.md``): the current
one, one file per package and tag (``_cache/<tag>/<package>/specs.md``), and the two
older, untagged ones, where a package is a folder ``_cache/<package>/`` holding a list
file (``index.md``, later ``specs.md``) and one ``spec-N.json`` per spec. A folder right
below ``_cache/`` that holds a list file is such a package folder, never a tag; its
package is filed under the tag :data:`~catalog_diff.layout.IMPLICIT_TAG` (``develop``).
When a tree holds both layouts and the same ``(develop, package)`` arises from both, the
tagged file wins and the untagged folder is ignored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..model.snapshot import Package, Problem, SourceInfo


@dataclass(frozen=True, slots=True)
class Unreadable:
    """What a source gives instead of the bytes of a file it could not read, and why.
    ``missing``: there was nothing at that path at all."""

    reason: str
    missing: bool = False


@dataclass(frozen=True, slots=True)
class Entry:
    """One package as listed by a source.

    ``oid`` is the git blob id where the source knows it (equal ids mean equal bytes);
    ``package`` is set when the source already holds the parsed package (snapshot files).

    A package of an untagged layout is read from several files: ``path`` is its list
    file, ``files`` holds ``(path, blob id)`` of the list file and of every
    ``spec-N.json`` in its folder, sorted by path, and ``oid`` is a digest of ``files``
    (see :func:`files_identity`), None unless every blob id is known. ``files`` is empty
    for a package of the current layout (one file).
    """

    path: str
    oid: str | None = None
    package: Package | None = None
    files: tuple[tuple[str, str | None], ...] = ()

    @property
    def untagged(self) -> bool:
        """Whether this is a package of an older layout (a list file and spec files)."""
        return bool(self.files)


@dataclass
class Listing:
    """The catalog packages of a source, keyed by ``(tag, package)``.

    ``layout`` is :data:`TAGGED`, :data:`UNTAGGED_INDEX`, :data:`UNTAGGED_SPECS`,
    :data:`MIXED` (the current layout and an older one, or both older ones) or
    :data:`EMPTY`; ``""`` when the source does not say (a snapshot file).

    ``unlisted_tags`` names the folders directly in ``_cache/`` that could not be listed
    (a symbolic link or a submodule in git, or a folder that cannot be read): a tag folder
    or a package folder of an older layout, which cannot be told apart. Every package of
    such a tag, and the untagged package of that name, is unknown on this side: a
    problem, never absent (see :func:`catalog_diff.compare.pairing.cover_unlisted`).
    """

    tags: set[str] = field(default_factory=set)
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: set[tuple[str, str]] = field(default_factory=set)
    layout: str = ""
    unlisted_tags: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One thing below ``_cache/`` as it lies in the tree, for an audit of stray files.

    ``kind`` is ``file``, ``symlink``, ``submodule``, ``other`` (a FIFO, a socket or a
    device file), ``folder`` (an empty folder: only a directory holds those) or
    ``unlistable`` (a folder that could not be listed; ``reason`` says why). ``path`` may
    hold characters that are not safe to print.
    """

    path: str
    kind: str
    reason: str = ""


class Source(Protocol):
    """What the loader needs of a source."""

    info: SourceInfo

    def listing(self) -> Listing: ...

    def read_many(
        self, entries: Iterable[Entry]
    ) -> Iterator[tuple[Entry, bytes | Unreadable | None]]:
        """The bytes of each entry; :class:`Unreadable` (or None, when the source cannot
        say why) for one that could not be read.

        Entries passed here are single files (``files`` empty); the loader splits a
        package of an older layout into its files.
        """
        ...


@runtime_checkable
class TreeDiffing(Protocol):
    """A source that can list only what differs between itself and another source (a
    git revision, through a tree diff of two revisions of one repository)."""

    def tree_diff(self, other: object, tag: str | None) -> tuple[Listing, Listing] | None:
        """Listings of only the packages that differ between this source and ``other``
        (of ``tag`` only, when given), or None when ``other`` cannot be diffed against
        this source that way (then both are listed in full)."""
        ...


@runtime_checkable
class TagListing(Protocol):
    """A source that can list one tag's packages without listing the whole catalog."""

    def tag_listing(self, tag: str) -> Listing: ...


@runtime_checkable
class TreeListing(Protocol):
    """A source that holds a real tree below ``_cache/`` (a revision or a directory): it
    lists every thing in it, and reads any file by path (the consistency audit needs
    both; a snapshot file has neither)."""

    def tree(self) -> list[TreeEntry]: ...

    def read_path(self, path: str) -> bytes | Unreadable | None: ...


@runtime_checkable
class SavedSelection(Protocol):
    """A source saved with a selection (a snapshot file of one tag, or of some packages):
    the loader keeps to it, and refuses a selection outside it."""

    @property
    def selected_tag(self) -> str | None: ...

    @property
    def selected_packages(self) -> tuple[str, ...]: ...


def files_identity(files: Iterable[tuple[str, str | None]]) -> str | None:
    """A digest standing for the blob ids of a package's files: equal digests, equal
    files. None when a blob id is unknown (a directory source)."""
    lines = []
    for path, oid in sorted(files):
        if oid is None:
            return None
        lines.append(f"{path} {oid}\n")
    digest = hashlib.sha1("".join(lines).encode("utf-8", "surrogateescape")).hexdigest()
    return f"legacy:{digest}"
