"""Where catalog bytes come from: the common listing type and the directory source.

A source lists the catalog files it holds (:class:`Listing`) and reads the bytes of one
entry on demand, so that a comparison reads only what can differ. The git source lives in
:mod:`catalog_diff.gitsource` (the only module that imports GitPython); saved snapshots in
:mod:`catalog_diff.snapshotfile`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .errors import NotACatalog, UnsupportedLayout
from .model import Package, Problem, SourceInfo, SourceKind
from .parse import CACHE_DIR, classify, legacy_layout


@dataclass(frozen=True, slots=True)
class Entry:
    """One catalog file as listed by a source.

    ``oid`` is the git blob id where the source knows it (equal ids mean equal bytes);
    ``package`` is set when the source already holds the parsed package (snapshot files).
    """

    path: str
    oid: str | None = None
    package: Package | None = None


@dataclass
class Listing:
    """The catalog files of a source, keyed by ``(tag, package)``."""

    tags: set[str] = field(default_factory=set)
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    broken: set[tuple[str, str]] = field(default_factory=set)


class Source(Protocol):
    """What the loader needs of a source."""

    info: SourceInfo

    def listing(self) -> Listing: ...

    def read_many(self, entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None]]:
        """The bytes of each entry; None for one that could not be read."""
        ...


def add_path(listing: Listing, path: str, entry: Entry | None, origin: str) -> None:
    """File one path of a tree walk into a listing.

    ``entry`` is None for something that is not a regular file (a symlink, a submodule);
    such a path is a problem when it stands where a package file should be.
    """
    layout = legacy_layout(path)
    if layout is not None:
        raise UnsupportedLayout(origin, path, layout)
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == CACHE_DIR:
        listing.tags.add(parts[1])
    key = classify(path)
    if key is None:
        return
    if entry is None:
        listing.problems.append(Problem(path, "not a regular file (symlink or submodule)"))
        listing.broken.add(key)
        return
    listing.entries[key] = entry


class DirectorySource:
    """A folder holding a catalog checkout (a ``_cache/`` folder inside)."""

    def __init__(self, root: str, label: str | None = None) -> None:
        self.root = Path(root)
        self.info = SourceInfo(kind=SourceKind.DIRECTORY, source=label or root)

    def listing(self) -> Listing:
        cache = self.root / CACHE_DIR
        if not cache.is_dir():
            raise NotACatalog(self.info.source)
        listing = Listing()
        for tag_dir in sorted(os.scandir(cache), key=lambda e: e.name):
            if tag_dir.is_dir(follow_symlinks=False):
                listing.tags.add(tag_dir.name)
        for dirpath, dirnames, filenames in os.walk(cache):
            dirnames.sort()
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in sorted(filenames):
                full = Path(dirpath, name)
                regular = full.is_file() and not full.is_symlink()
                entry = Entry(path=f"{rel}/{name}") if regular else None
                add_path(listing, f"{rel}/{name}", entry, self.info.source)
        return listing

    def read_many(self, entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None]]:
        for entry in entries:
            try:
                yield entry, (self.root / entry.path).read_bytes()
            except OSError:
                yield entry, None
