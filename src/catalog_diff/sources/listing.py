"""Where catalog bytes come from: the common listing type and the directory source.

A source lists the catalog files it holds (:class:`Listing`) and reads the bytes of one
entry on demand, so that a comparison reads only what can differ. The git source lives in
:mod:`catalog_diff.git.repository` (the only module that imports GitPython); saved snapshots in
:mod:`catalog_diff.sources.snapshotfile`.

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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..layout import (
    CACHE_DIR,
    DIRECTORY,
    IMPLICIT_TAG,
    LIST_FILES,
    SPEC_JSON,
    SYMLINK_OR_SUBMODULE,
    UNSAFE_PATH,
    classify,
    layout_name,
    legacy_kind,
    package_key,
    printable,
    unsafe_name,
)
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


def refuse_unsafe(listing: Listing, path: str) -> bool:
    """File a path holding control characters or bytes that are not UTF-8 (see
    :mod:`catalog_diff.layout`) as a problem when it stands for a package file; True
    when the path is such a path (and must not be filed otherwise)."""
    if not unsafe_name(path):
        return False
    shown = printable(path)
    key = package_key(shown)
    if key is not None:
        listing.problems.append(Problem(shown, UNSAFE_PATH))
        listing.broken.add(key)
        parts = path.split("/")
        if not unsafe_name(parts[1]) and classify(shown) is not None:
            listing.tags.add(parts[1])
    return True


def add_path(
    listing: Listing,
    path: str,
    entry: Entry | None,
    why: str = SYMLINK_OR_SUBMODULE,
    message: str | None = None,
) -> None:
    """File one path of the current layout (or any path deeper than a package folder of
    the older ones) into a listing.

    ``entry`` is None for something that is not read: not a regular file (``why`` says
    what it is) or, with ``message``, something that could not be listed or read. Such a
    path is a problem when it stands where a package file or folder should be, and its
    package is then neither added nor removed.
    """
    if refuse_unsafe(listing, path):
        return
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == CACHE_DIR:
        listing.tags.add(parts[1])
    if len(parts) > 4 and parts[0] == CACHE_DIR and classify("/".join(parts[:4])) is not None:
        # A tree below a package file's path: the package file is a folder.
        inner = "/".join(parts[:4])
        if classify(inner) not in listing.broken:
            add_path(listing, inner, None, DIRECTORY)
        return
    if entry is None and parts[0] == CACHE_DIR and len(parts) in (2, 3) and all(parts):
        # Where a tag folder or a package folder should be: a problem, and its package
        # (or every package of the tag) neither added nor removed.
        listing.problems.append(Problem(path, message or f"not a regular folder ({why})"))
        if len(parts) == 3:
            listing.broken.add((parts[1], parts[2]))
        else:
            listing.unlisted_tags.add(parts[1])
        return
    key = classify(path)
    if key is None:
        return
    if entry is None:
        listing.problems.append(Problem(path, message or f"not a regular file ({why})"))
        listing.broken.add(key)
        return
    listing.entries[key] = entry


def add_untagged(
    listing: Listing,
    folder: str,
    files: Mapping[str, Entry | None],
    whys: Mapping[str, tuple[str, str | None]] | None = None,
) -> str | None:
    """File the package folder ``_cache/<folder>/`` of an older layout into a listing.

    ``files`` maps the names of the files directly in the folder to their entries (None
    for something that is not read; ``whys`` gives, by path, what it is or the message
    to report, as for :func:`add_path`). Returns the list file read (``index.md`` or
    ``specs.md``), or None when the folder holds neither (it is then no package). The
    package is left out when the listing already holds ``(develop, folder)`` from the
    current layout, which wins. Spec files that are not read are problems.
    """
    chosen = next((name for name in LIST_FILES if name in files), None)
    if chosen is None:
        return None
    key = (IMPLICIT_TAG, folder)
    if key in listing.entries or key in listing.broken:
        return chosen
    base = f"{CACHE_DIR}/{folder}"
    path = f"{base}/{chosen}"

    def problem(file_path: str) -> Problem:
        why, message = (whys or {}).get(file_path, (SYMLINK_OR_SUBMODULE, None))
        return Problem(file_path, message or f"not a regular file ({why})")

    for other in LIST_FILES:
        if other != chosen and other in files:
            listing.problems.append(
                Problem(f"{base}/{other}", f"ignored: the folder also has {chosen}, which is read")
            )
    head = files[chosen]
    if head is None:
        listing.problems.append(problem(path))
        listing.broken.add(key)
        return chosen
    parts: list[tuple[str, str | None]] = [(path, head.oid)]
    for name in sorted(files):
        file_path = f"{base}/{name}"
        if legacy_kind(file_path) != SPEC_JSON:
            continue
        spec = files[name]
        if spec is None:
            listing.problems.append(problem(file_path))
        else:
            parts.append((file_path, spec.oid))
    parts.sort()
    listing.entries[key] = Entry(path=path, oid=files_identity(parts), files=tuple(parts))
    return chosen


class ListingBuilder:
    """Files the paths of a tree walk into a :class:`Listing`.

    Paths of the current layout are filed as they come. Files directly in a folder
    ``_cache/<x>/`` are held until :meth:`finish`, which tells whether ``x`` is a package
    folder of an older layout (it holds a list file) or a tag folder.
    """

    def __init__(self) -> None:
        self.listing = Listing()
        self._tagged = False
        self._folders: dict[str, dict[str, Entry | None]] = {}
        self._tag_folders: set[str] = set()
        self._whys: dict[str, tuple[str, str | None]] = {}
        self._dirs: dict[str, set[str]] = {}

    def add(
        self,
        path: str,
        entry: Entry | None,
        why: str = SYMLINK_OR_SUBMODULE,
        message: str | None = None,
    ) -> None:
        """File one path (``entry`` None for something not read: see :func:`add_path`)."""
        if refuse_unsafe(self.listing, path):
            return
        parts = path.split("/")
        if len(parts) >= 4 and parts[0] == CACHE_DIR and legacy_kind("/".join(parts[:3])):
            self.add_directory("/".join(parts[:3]))  # a tree where a list file could be
        if len(parts) > 4 and parts[0] == CACHE_DIR:
            inner = "/".join(parts[:4])
            key = classify(inner)
            if key is not None and key not in self.listing.broken:
                self.add(inner, None, DIRECTORY)  # a tree where a package file should be
            return
        if entry is None:
            self._whys[path] = (why, message)
        if len(parts) == 3 and parts[0] == CACHE_DIR and parts[1] and parts[2]:
            self._folders.setdefault(parts[1], {})[parts[2]] = entry
            return
        add_path(self.listing, path, entry, why, message)
        if len(parts) == 4 and classify(path) is not None:
            self._tagged = True
            self._tag_folders.add(parts[1])

    def add_folder(self, name: str) -> None:
        """A folder directly in ``_cache/`` (a directory walk sees empty ones too)."""
        if not unsafe_name(name):
            self._folders.setdefault(name, {})

    def add_directory(self, path: str) -> None:
        """A folder below ``_cache/``, as a directory walk sees it: a tag or package
        folder, or a folder where a package file, list file or spec file should be."""
        if unsafe_name(path):
            return
        parts = path.split("/")
        if len(parts) == 2:
            self.add_folder(parts[1])
        elif len(parts) == 3 and legacy_kind(path) is not None:
            self._dirs.setdefault(parts[1], set()).add(parts[2])
        elif len(parts) == 4 and classify(path) is not None:
            self.add(path, None, DIRECTORY)

    def add_unreadable(self, path: str, message: str) -> None:
        """Something below ``_cache/`` that could not be listed or read (``message``)."""
        if len(path.split("/")) == 2:
            add_path(self.listing, path, None, message=message)
        else:
            self.add(path, None, message=message)

    def finish(self) -> Listing:
        """The listing, with the untagged package folders filed last (tagged files win).

        A folder holding package files of the current layout (``<folder>/<pkg>/specs.md``)
        is a tag folder, even when a list file lies in it too (that file is then no
        package file of any layout, and is left out).
        """
        listing = self.listing
        kinds = set()
        untagged = set()
        for name in sorted(self._folders.keys() | self._dirs.keys()):
            files = self._folders.get(name, {})
            if name not in self._tag_folders:
                for item in self._dirs.get(name, ()):
                    files.setdefault(item, None)
                    self._whys.setdefault(f"{CACHE_DIR}/{name}/{item}", (DIRECTORY, None))
            chosen = (
                None
                if name in self._tag_folders
                else add_untagged(listing, name, files, self._whys)
            )
            if chosen is None:  # a tag folder: what is not read in it is a problem
                listing.tags.add(name)
                for item in sorted(n for n, entry in files.items() if entry is None):
                    path = f"{CACHE_DIR}/{name}/{item}"
                    why, message = self._whys.get(path, (SYMLINK_OR_SUBMODULE, None))
                    if why == DIRECTORY and message is None:
                        continue  # a folder in a tag folder: a package folder
                    add_path(listing, path, None, why, message)
            else:
                kinds.add(chosen)
                untagged.add(name)
        listing.tags -= untagged
        if untagged:
            listing.tags.add(IMPLICIT_TAG)
        listing.layout = layout_name(self._tagged, "index.md" in kinds, "specs.md" in kinds)
        return listing
