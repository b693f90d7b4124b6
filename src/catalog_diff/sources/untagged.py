"""The packages of the two older, untagged layouts, as a load reads them: a list file and
its ``spec-N.json`` files, read file by file in the load's one stream and assembled once
the last one is in (:mod:`catalog_diff.parse.legacy` parses them; it is imported when a
file of those layouts is met, so that a load of the current layout does not pay for it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import ParseError
from ..layout import INDEX_MD, legacy_kind
from ..model.snapshot import Package, Problem
from .listing import Entry, Unreadable

if TYPE_CHECKING:
    from ..parse.legacy import LegacyIndex

#: The bytes of each file of a package, by path (or why a file could not be read).
Blobs = dict[str, bytes | Unreadable | None]


class UntaggedReads:
    """The files of the untagged packages being read, gathered back package by package.

    Every file of every such package goes into the one ``read_many`` call of a load
    (for git: one ``cat-file`` stream for everything), and a package is assembled as
    soon as its last file has come in.
    """

    def __init__(self) -> None:
        self._owner: dict[int, tuple[str, str]] = {}
        self._pending: dict[tuple[str, str], tuple[Entry, int, Blobs]] = {}

    def files(self, key: tuple[str, str], entry: Entry, list_only: bool) -> list[Entry]:
        """The single-file entries to read for ``entry`` (only its list file to count)."""
        parts = [Entry(path=p, oid=o) for p, o in entry.files if not list_only or p == entry.path]
        for part in parts:
            self._owner[id(part)] = key
        self._pending[key] = (entry, len(parts), {})
        return parts

    def owner(self, part: Entry) -> tuple[str, str]:
        """The package a file of :meth:`files` belongs to."""
        return self._owner[id(part)]

    def take(
        self, part: Entry, data: bytes | Unreadable | None
    ) -> tuple[tuple[str, str], Entry, Blobs] | None:
        """Record one file; the package, once all its files are in."""
        key = self._owner.pop(id(part))
        entry, count, got = self._pending[key]
        got[part.path] = data
        if len(got) < count:
            return None
        del self._pending[key]
        return key, entry, got

    def rest(self) -> Iterator[tuple[tuple[str, str], Entry, Blobs]]:
        """Packages whose files did not all come in (a source that skipped some)."""
        for key, (entry, _, got) in sorted(self._pending.items()):
            yield key, entry, got
        self._pending.clear()


def unread(path: str, data: bytes | Unreadable | None) -> bytes:
    """The bytes read, or the :class:`ParseError` that says why there are none."""
    if data is None:
        raise ParseError(path, "cannot be read")
    if isinstance(data, Unreadable):
        raise ParseError(path, data.reason)
    return data


def list_file(path: str, data: bytes | Unreadable | None) -> LegacyIndex:
    from ..parse.legacy import parse_flat_specs_md, parse_index_md

    data = unread(path, data)
    if legacy_kind(path) == INDEX_MD:
        return parse_index_md(data, path)
    return parse_flat_specs_md(data, path)


def untagged_package(
    entry: Entry, blobs: Mapping[str, bytes | Unreadable | None]
) -> tuple[Package, list[Problem]]:
    """Assemble a package of an older layout from the bytes of its files.

    Raises :class:`ParseError` when its list file cannot be read or parsed; a spec file
    that is missing, unreadable or broken is a problem, and the package keeps the rest.
    """
    from ..parse.legacy import assemble

    index = list_file(entry.path, blobs.get(entry.path))
    folder = entry.path.rsplit("/", 1)[0]
    problems: list[Problem] = []
    spec_files: dict[str, bytes] = {}
    for path, data in sorted(blobs.items()):
        if path == entry.path:
            continue
        if data is None or isinstance(data, Unreadable):
            problems.append(Problem(path, "cannot be read" if data is None else data.reason))
        else:
            spec_files[path.rsplit("/", 1)[1]] = data
    package, more = assemble(index, spec_files, folder)
    # Keyed by its folder, whatever its title says (a differing title is a problem).
    package = replace(package, name=folder.rsplit("/", 1)[1], oid=entry.oid)
    return package, problems + more
