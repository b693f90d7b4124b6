"""Saved snapshots, read back as a source: a whole catalog, normalised, in one JSON file
(gzip for ``.gz``; written by :mod:`catalog_diff.sources.snapshotsave`).

The file records where the snapshot came from (source, commit, commit date), every tag,
every package with its normalised specs and the git blob id of its file, and every problem
met while reading it, with what it leaves unknown: the packages that could not be read
(``broken``) and the folders of ``_cache/`` that could not be listed (``unlisted_tags``).
A snapshot with problems is saved whole all the same, so that a diff of the file reports
them as the diff of its source would (and ``snapshot`` exits 3). Writing is deterministic:
sorted keys, sorted packages, and a gzip header without a timestamp, so the same snapshot
always gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import ParseError, SnapshotFileError
from ..layout import (
    CACHE_DIR,
    IMPLICIT_TAG,
    MAX_SNAPSHOT_BYTES,
    MAX_SNAPSHOT_SPECS,
    classify,
    printable,
    problem_key,
    unsafe_name,
)
from ..model.snapshot import Package, Problem, SourceInfo, SourceKind
from ..parse.bulk import loads
from ..parse.memo import ParseMemo, one_load
from ..parse.specs import parse_specs
from .listing import Entry, Listing
from .snapshotsave import FORMAT, VERSION, chunks, dumps, write, write_to

__all__ = ["FORMAT", "VERSION", "SnapshotFileSource", "chunks", "dumps", "write", "write_to"]

_GZIP_MAGIC = b"\x1f\x8b"
#: Decompressed in pieces of this size.
_CHUNK = 1 << 20


class SnapshotFileSource:
    """A snapshot file as a source: its packages are already parsed."""

    def __init__(self, path: str) -> None:
        self.path = path
        doc, self._items = _load(path)
        src = doc.get("source")
        if not isinstance(src, dict):
            raise SnapshotFileError(path, "no 'source' object")
        self.info = SourceInfo(
            kind=SourceKind.SNAPSHOT,
            source=path,
            commit=_opt_str(src.get("commit")),
            date=_opt_str(src.get("date")),
            revision=_opt_str(src.get("revision")),
        )
        self._doc = doc
        self.selected_tag, self.selected_packages = _selection(doc, path)
        self._listing: Listing | None = None

    def listing(self) -> Listing:
        if self._listing is None:
            self._listing = self._read_listing()
            self._items = []  # the file's text, or its parsed packages: no longer needed
        return self._listing

    def _read_listing(self) -> Listing:
        doc, path = self._doc, self.path
        listing = Listing()
        tags = doc.get("tags")
        packages = self._items
        problems = doc.get("problems", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise SnapshotFileError(path, "'tags' must be a list of strings")
        if not isinstance(packages, list) or not isinstance(problems, list):
            raise SnapshotFileError(path, "'packages' and 'problems' must be lists")
        listing.tags.update(tags)
        for i, item in enumerate(problems):
            if not isinstance(item, dict) or not all(
                isinstance(item.get(k), str) for k in ("path", "message")
            ):
                raise SnapshotFileError(path, f"problems[{i}] needs 'path' and 'message'")
            listing.problems.append(Problem(printable(item["path"]), printable(item["message"])))
            key = classify(printable(item["path"]))
            if key is not None:  # a package file that could not be read: still broken
                listing.broken.add(key)
        # Each package or folder said unknown must be what a problem is about: a file that
        # cannot hide a package without reporting a problem (and exit 3).
        about = _problem_subjects(listing.problems)
        for tag, name in sorted(_broken(doc.get("broken", []), path)):
            if (tag, name) not in about and (tag != IMPLICIT_TAG or ("", name) not in about):
                raise SnapshotFileError(path, f"broken {tag}/{name} has no problem")
            listing.broken.add((tag, name))
        for tag in _names(doc.get("unlisted_tags", []), "unlisted_tags", path):
            if ("", tag) not in about:
                raise SnapshotFileError(path, f"unlisted tag {tag} has no problem")
            listing.unlisted_tags.add(tag)
        with one_load() as memo:  # the memo tables serve this file only
            for i, item in enumerate(packages):
                if isinstance(item, memoryview):  # one line of the file: parsed only now
                    try:
                        item = loads(item, path)
                    except orjson.JSONDecodeError as exc:
                        raise SnapshotFileError(path, f"not JSON (packages[{i}]: {exc})") from exc
                package = _package(item, i, path, memo)
                key = (package.tag, package.name)
                if key in listing.entries:
                    raise SnapshotFileError(
                        path, f"packages[{i}] repeats {package.tag}/{package.name}"
                    )
                listing.tags.add(package.tag)
                listing.entries[key] = Entry(path=package.path, oid=package.oid, package=package)
        return listing

    def read_many(self, entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None]]:
        """Entries of a snapshot carry their parsed package; there are no bytes to read."""
        for entry in entries:
            yield entry, None


def _read(path: str) -> bytearray:
    """The file's JSON text, decompressed a piece at a time and never past the limit."""
    data = bytearray()
    with Path(path).open("rb") as f:
        gz = f.read(2) == _GZIP_MAGIC
        f.seek(0)
        stream: io.BufferedIOBase = gzip.GzipFile(fileobj=f) if gz else f
        with stream:
            while chunk := stream.read(_CHUNK):
                data += chunk
                if len(data) > MAX_SNAPSHOT_BYTES:
                    limit = _size(MAX_SNAPSHOT_BYTES)
                    what = "once decompressed " if gz else ""
                    raise SnapshotFileError(
                        path, f"larger than {limit} {what}(the limit); not read"
                    )
    return data


def _size(count: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if count >= 1 << shift:
            return f"{count / (1 << shift):.1f}".removesuffix(".0") + f" {unit}"
    return f"{count} bytes"


def _load(path: str) -> tuple[dict[str, Any], list[Any]]:
    """The file's head (everything but its packages) and its packages: as lines of the
    file, each to be parsed alone (a file this module wrote: one package per line), or
    parsed already (any other JSON layout).

    The limits are checked first: the text is decompressed no further than
    :data:`MAX_SNAPSHOT_BYTES`, and its specs are counted before anything is parsed.
    """
    try:
        data = _read(path)
        specs = data.count(b'"hash"')
        if specs > MAX_SNAPSHOT_SPECS:
            raise SnapshotFileError(
                path, f"more than {MAX_SNAPSHOT_SPECS:,} specs (the limit); not read"
            )
        split = _split_lines(data, path)
        items: list[Any] | None
        if split is not None:
            doc, items = split
        else:
            doc = loads(data, path)
            packages = doc.get("packages") if isinstance(doc, dict) else None
            items = packages if isinstance(packages, list) else None
        del data
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:  # BadGzipFile is an OSError
        raise SnapshotFileError(path, f"broken gzip data ({exc})") from exc
    except OSError as exc:
        raise SnapshotFileError(path, exc.strerror or str(exc)) from exc
    except orjson.JSONDecodeError as exc:
        raise SnapshotFileError(path, f"not JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SnapshotFileError(path, f'no "format": "{FORMAT}" marker')
    if doc.get("version") != VERSION:
        raise SnapshotFileError(path, f"unsupported version {doc.get('version')!r}")
    if items is None:
        raise SnapshotFileError(path, "'packages' and 'problems' must be lists")
    return doc, items


_PACKAGES = b',"packages":['


def _split_lines(data: bytearray, path: str) -> tuple[dict[str, Any], list[Any]] | None:
    """The head and the package lines of a file laid out as :func:`chunks` writes it
    (``{head,"packages":[`` then ``\\n{package},`` a line each, the last without its comma,
    then ``\\n]}\\n``), or None for any other layout. A JSON string holds no raw newline, so
    the lines are the file's values as they are; each is parsed when its package is read
    (:meth:`SnapshotFileSource.listing`), so the whole document is never held as objects
    at once."""
    start = data.find(_PACKAGES + b"\n")
    tail = len(data) - len(b"]}\n")
    if start < 0 or not data.endswith(b"]}\n"):
        return None
    try:
        head = loads(bytes(memoryview(data)[:start]) + b"}", path)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(head, dict):
        return None
    pos = start + len(_PACKAGES) + 1
    if pos == tail:  # no packages
        return head, []
    if pos > tail or data[tail - 1] != 0x0A:
        return None
    view = memoryview(data)
    items: list[Any] = []
    while pos < tail:
        newline = data.find(b"\n", pos, tail)
        last = newline == tail - 1
        if bytes(view[newline - (1 if last else 2) : newline]) != (b"}" if last else b"},"):
            return None
        items.append(view[pos : newline if last else newline - 1])
        pos = newline + 1
    return head, items


def _selection(doc: dict[str, Any], path: str) -> tuple[str | None, tuple[str, ...]]:
    """The selection a snapshot was saved with: its tag and package globs."""
    selection = doc.get("selection")
    if selection is None:
        return None, ()
    tag = selection.get("tag") if isinstance(selection, dict) else None
    packages = selection.get("packages", []) if isinstance(selection, dict) else None
    bad_tag = tag is not None and (not isinstance(tag, str) or unsafe_name(tag))
    if (
        bad_tag
        or not isinstance(packages, list)
        or not all(isinstance(p, str) and p and not unsafe_name(p) for p in packages)
    ):
        raise SnapshotFileError(path, "'selection' needs a 'tag' (or null) and 'packages'")
    return tag, tuple(packages)


def _problem_subjects(problems: Iterable[Problem]) -> set[tuple[str, str]]:
    """What problems are about: ``(tag, package)`` of a package file or folder (any
    layout), and ``("", name)`` of a folder ``_cache/<name>`` or of a file in it."""
    out = set()
    for problem in problems:
        key = problem_key(problem.path)
        if key is not None:
            out.add(key)
        parts = problem.path.split("/")
        if len(parts) >= 2 and parts[0] == CACHE_DIR:
            out.add(("", parts[1]))
    return out


def _names(value: object, field: str, path: str) -> list[str]:
    """A list of tag names (``unlisted_tags``), checked."""
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v and not unsafe_name(v) for v in value
    ):
        raise SnapshotFileError(path, f"'{field}' must be a list of names")
    return value


def _broken(value: object, path: str) -> set[tuple[str, str]]:
    """The ``broken`` list: ``{"tag": ..., "name": ...}`` of each unreadable package."""
    if not isinstance(value, list):
        raise SnapshotFileError(path, "'broken' must be a list")
    out = set()
    for i, item in enumerate(value):
        fields = [item.get(k) for k in ("tag", "name")] if isinstance(item, dict) else []
        if len(fields) != 2 or not all(isinstance(v, str) and v for v in fields):
            raise SnapshotFileError(path, f"broken[{i}] needs 'tag' and 'name'")
        if any(unsafe_name(str(v)) for v in fields):
            raise SnapshotFileError(path, f"broken[{i}] has a name with control characters")
        out.add((str(fields[0]), str(fields[1])))
    return out


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _package(item: object, index: int, path: str, memo: ParseMemo) -> Package:
    if not isinstance(item, dict):
        raise SnapshotFileError(path, f"packages[{index}] is not an object")
    fields = [item.get(k) for k in ("tag", "name", "path")]
    if not all(isinstance(v, str) and v for v in fields):
        raise SnapshotFileError(path, f"packages[{index}] needs 'tag', 'name' and 'path'")
    if any(unsafe_name(str(v)) for v in fields):
        raise SnapshotFileError(path, f"packages[{index}] has a name with control characters")
    specs = item.get("specs")
    if not isinstance(specs, list):
        raise SnapshotFileError(path, f"packages[{index}].specs must be a list")
    try:
        parsed = parse_specs(specs, str(fields[2]), memo)
    except ParseError as exc:
        raise SnapshotFileError(path, f"packages[{index}]: {exc.reason}") from exc
    blob = item.get("blob")
    return Package(
        tag=str(fields[0]),
        name=str(fields[1]),
        path=str(fields[2]),
        specs=parsed,
        oid=blob if isinstance(blob, str) else None,
    )
