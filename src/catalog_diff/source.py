"""Where catalog bytes come from: the common listing type and the directory source.

A source lists the catalog files it holds (:class:`Listing`) and reads the bytes of one
entry on demand, so that a comparison reads only what can differ. The git source lives in
:mod:`catalog_diff.gitsource` (the only module that imports GitPython); saved snapshots in
:mod:`catalog_diff.snapshotfile`.

Three layouts are listed (see ``tests/fixtures/catalog-samples/NOTES.md``): the current
one, one file per package and tag (``_cache/<tag>/<package>/specs.md``), and the two
older, untagged ones, where a package is a folder ``_cache/<package>/`` holding a list
file (``index.md``, later ``specs.md``) and one ``spec-N.json`` per spec. A folder right
below ``_cache/`` that holds a list file is such a package folder, never a tag; its
package is filed under the tag :data:`~catalog_diff.legacy.IMPLICIT_TAG` (``develop``).
When a tree holds both layouts and the same ``(develop, package)`` arises from both, the
tagged file wins and the untagged folder is ignored.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .errors import NotACatalog
from .legacy import IMPLICIT_TAG, SPEC_JSON, legacy_kind
from .model import Package, Problem, SourceInfo, SourceKind
from .parse import CACHE_DIR, classify

#: Listing layouts (the names the history index uses for a commit's layout too).
TAGGED = "tagged"
UNTAGGED_INDEX = "untagged-index"
UNTAGGED_SPECS = "untagged-specs"
MIXED = "mixed"
EMPTY = "empty"

#: The list files of an untagged package folder, in the order one is preferred to the
#: other when a folder holds both (the history index reads the first in path order too).
LIST_FILES = ("index.md", "specs.md")

_NOT_REGULAR = "not a regular file (symlink or submodule)"


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
    """

    tags: set[str] = field(default_factory=set)
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: set[tuple[str, str]] = field(default_factory=set)
    layout: str = ""


class Source(Protocol):
    """What the loader needs of a source."""

    info: SourceInfo

    def listing(self) -> Listing: ...

    def read_many(self, entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None]]:
        """The bytes of each entry; None for one that could not be read.

        Entries passed here are single files (``files`` empty); the loader splits a
        package of an older layout into its files.
        """
        ...


def package_key(path: str) -> tuple[str, str] | None:
    """The ``(tag, package)`` a catalog file belongs to, in any layout; else None."""
    key = classify(path)
    if key is not None:
        return key
    if legacy_kind(path) is not None:
        return IMPLICIT_TAG, path.split("/")[1]
    return None


def layout_name(tagged: bool, index: bool, specs: bool) -> str:
    """The layout of a tree holding packages of the current layout (``tagged``), of the
    oldest one (``index``) and of the middle one (``specs``)."""
    present = [
        name
        for name, seen in ((TAGGED, tagged), (UNTAGGED_INDEX, index), (UNTAGGED_SPECS, specs))
        if seen
    ]
    if not present:
        return EMPTY
    return present[0] if len(present) == 1 else MIXED


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


def add_path(listing: Listing, path: str, entry: Entry | None) -> None:
    """File one path of the current layout (or any path deeper than a package folder of
    the older ones) into a listing.

    ``entry`` is None for something that is not a regular file (a symlink, a submodule);
    such a path is a problem when it stands where a package file should be.
    """
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == CACHE_DIR:
        listing.tags.add(parts[1])
    key = classify(path)
    if key is None:
        return
    if entry is None:
        listing.problems.append(Problem(path, _NOT_REGULAR))
        listing.broken.add(key)
        return
    listing.entries[key] = entry


def add_untagged(listing: Listing, folder: str, files: Mapping[str, Entry | None]) -> str | None:
    """File the package folder ``_cache/<folder>/`` of an older layout into a listing.

    ``files`` maps the names of the files directly in the folder to their entries (None
    for a symlink or a submodule). Returns the list file read (``index.md`` or
    ``specs.md``), or None when the folder holds neither (it is then no package). The
    package is left out when the listing already holds ``(develop, folder)`` from the
    current layout, which wins. Spec files that are not regular files are problems.
    """
    chosen = next((name for name in LIST_FILES if name in files), None)
    if chosen is None:
        return None
    key = (IMPLICIT_TAG, folder)
    if key in listing.entries or key in listing.broken:
        return chosen
    base = f"{CACHE_DIR}/{folder}"
    path = f"{base}/{chosen}"
    for other in LIST_FILES:
        if other != chosen and other in files:
            listing.problems.append(
                Problem(f"{base}/{other}", f"ignored: the folder also has {chosen}, which is read")
            )
    head = files[chosen]
    if head is None:
        listing.problems.append(Problem(path, _NOT_REGULAR))
        listing.broken.add(key)
        return chosen
    parts: list[tuple[str, str | None]] = [(path, head.oid)]
    for name in sorted(files):
        file_path = f"{base}/{name}"
        if legacy_kind(file_path) != SPEC_JSON:
            continue
        spec = files[name]
        if spec is None:
            listing.problems.append(Problem(file_path, _NOT_REGULAR))
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

    def add(self, path: str, entry: Entry | None) -> None:
        """File one path (``entry`` None for a symlink or a submodule)."""
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == CACHE_DIR and parts[1] and parts[2]:
            self._folders.setdefault(parts[1], {})[parts[2]] = entry
            return
        add_path(self.listing, path, entry)
        if len(parts) == 4 and not self._tagged:
            self._tagged = classify(path) is not None

    def add_folder(self, name: str) -> None:
        """A folder directly in ``_cache/`` (a directory walk sees empty ones too)."""
        self._folders.setdefault(name, {})

    def finish(self) -> Listing:
        """The listing, with the untagged package folders filed last (tagged files win)."""
        listing = self.listing
        kinds = set()
        untagged = set()
        for name in sorted(self._folders):
            chosen = add_untagged(listing, name, self._folders[name])
            if chosen is None:
                listing.tags.add(name)
            else:
                kinds.add(chosen)
                untagged.add(name)
        listing.tags -= untagged
        if untagged:
            listing.tags.add(IMPLICIT_TAG)
        listing.layout = layout_name(self._tagged, "index.md" in kinds, "specs.md" in kinds)
        return listing


class DirectorySource:
    """A folder holding a catalog checkout (a ``_cache/`` folder inside)."""

    def __init__(self, root: str, label: str | None = None) -> None:
        self.root = Path(root)
        self.info = SourceInfo(kind=SourceKind.DIRECTORY, source=label or root)

    def listing(self) -> Listing:
        cache = self.root / CACHE_DIR
        if not cache.is_dir():
            raise NotACatalog(self.info.source)
        builder = ListingBuilder()
        for top in sorted(os.scandir(cache), key=lambda e: e.name):
            if top.is_dir(follow_symlinks=False):
                builder.add_folder(top.name)
        for dirpath, dirnames, filenames in os.walk(cache):
            dirnames.sort()
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in sorted(filenames):
                full = Path(dirpath, name)
                regular = full.is_file() and not full.is_symlink()
                entry = Entry(path=f"{rel}/{name}") if regular else None
                builder.add(f"{rel}/{name}", entry)
        return builder.finish()

    def read_many(self, entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None]]:
        for entry in entries:
            try:
                yield entry, (self.root / entry.path).read_bytes()
            except OSError:
                yield entry, None
