"""The history index as a file: where it may be, what it is, and what went wrong with it.

Every fault of the file itself (a directory or a missing folder where the file should
be, a database of another program, damaged pages, a read-only file or folder, a full
disk) becomes one :class:`~catalog_diff.history.migrations.IndexFileError` that names the file,
says what is wrong and what to do. SQLite is only ever given the path as a plain file
name, or as a URI built by :func:`~catalog_diff.history.migrations.read_only_uri`: a
``#``, ``?`` or ``%`` in a path never changes which file is opened.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError
from . import migrations
from .migrations import APPLICATION, IndexFileError, identity

#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"

#: The remedy for an index that cannot be used as it is.
REBUILD = "run 'catalog-diff index --rebuild'"
ELSEWHERE = "give another --index FILE"

# SQLite's primary result codes (the low byte of an extended code).
_READONLY, _CORRUPT, _CANTOPEN, _FULL, _NOTADB, _IOERR = 8, 11, 14, 13, 26, 10
_BUSY, _LOCKED = 5, 6


def read_only_uri(path: str | Path) -> str:
    """An SQLite URI that opens ``path`` read-only, whatever characters it holds."""
    return migrations.read_only_uri(str(path))


def check_location(path: Path, create_parent: bool) -> None:
    """Refuse a path that cannot hold an index file; create its folder only if asked
    (the default location in the user's cache folder), never a folder a typo named."""
    if path.is_dir():
        raise IndexFileError(
            str(path), "is a directory, not an index file", "give --index a file name"
        )
    parent = path.parent
    if create_parent:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_fault(str(path), exc) from exc
        return
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise IndexFileError(
            str(path), f"its folder {parent} {what}", f"create it first, or {ELSEWHERE}"
        )


def sqlite_fault(path: str, exc: sqlite3.Error) -> IndexFileError:
    """What an SQLite error on the index file means, and what to do about it."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    detail = str(exc) or type(exc).__name__
    if code == _CORRUPT:
        return IndexFileError(path, f"the index is damaged ({detail})", REBUILD)
    if code == _NOTADB:
        return IndexFileError(path, f"not a catalog-diff index ({detail})", REBUILD)
    if code == _FULL or (code == _IOERR and _disk_full(path)):
        return IndexFileError(
            path,
            f"the disk is full ({detail}); nothing was lost",
            "free some space, then run the command again",
        )
    if code == _READONLY or (code in (_CANTOPEN, _IOERR) and not _writable(path)):
        return IndexFileError(
            path,
            f"the index or its folder is read-only ({detail})",
            f"make both writable, or {ELSEWHERE}",
        )
    if code in (_BUSY, _LOCKED):
        return IndexFileError(
            path, f"the index is locked by another program ({detail})", "try again later"
        )
    if code == _CANTOPEN:
        return IndexFileError(path, f"cannot be opened ({detail})", ELSEWHERE)
    return IndexFileError(path, f"cannot be used ({detail})", REBUILD)


def os_fault(path: str, exc: OSError) -> IndexFileError:
    """What an operating-system error on the index file (or its lock) means."""
    detail = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return IndexFileError(
            path, f"the disk is full ({detail})", "free some space, then run the command again"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return IndexFileError(
            path,
            f"the index or its folder is read-only ({detail})",
            f"make both writable, or {ELSEWHERE}",
        )
    return IndexFileError(path, f"cannot be used ({detail})", ELSEWHERE)


def _disk_full(path: str) -> bool:
    try:
        usage = os.statvfs(Path(path).absolute().parent)
    except OSError:
        return False
    return usage.f_bavail == 0 or usage.f_favail == 0


def _writable(path: str) -> bool:
    file = Path(path).absolute()
    if not os.access(file.parent, os.W_OK):
        return False
    return not file.exists() or os.access(file, os.W_OK)


# ---- what a file is, before --rebuild replaces it ---------------------------------------


def identify(path: Path) -> str:
    """``"missing"``, ``"empty"``, ``"index"`` (a catalog-diff index, maybe damaged),
    ``"foreign"`` (a database of another program) or ``"unknown"`` (not a database, and
    nothing in it says it was an index)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        raise os_fault(str(path), exc) from exc
    if size == 0:
        return "empty"
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise os_fault(str(path), exc) from exc
    found = None
    if header == SQLITE_HEADER:
        try:
            conn = sqlite3.connect(read_only_uri(path), uri=True)
            try:
                found = identity(conn, tolerant=True)
            finally:
                conn.close()
        except sqlite3.Error:
            pass  # damaged: what is left of it decides
    if found is not None:
        if found.is_index:
            return "index"
        if not found.tables:
            return "empty"
        if found.application is not None or "info" not in found.tables:
            return "foreign"
    if _holds_marker(path) or (found is not None and found.looks_like_index):
        return "index"  # damaged, but an index: its marker or its whole schema is there
    return "foreign" if found is not None and found.tables else "unknown"


def _holds_marker(path: Path) -> bool:
    """Whether the file's bytes hold the index's ``application`` row (it survives most
    damage: the ``info`` table lives in a page of its own near the start)."""
    marker = APPLICATION.encode("utf-8")
    tail = b""
    try:
        with path.open("rb") as file:
            while block := file.read(1 << 20):
                if marker in tail + block:
                    return True
                tail = block[-len(marker) :]
    except OSError:
        return False
    return False


def make_way(path: Path, notice: Callable[[str], None] | None = None) -> None:
    """Make way for a new index at ``path`` (``--rebuild``): delete the file if it is a
    catalog-diff index (even a damaged one) or empty; refuse a database of another
    program; keep any other file aside as ``<name>.unrecognised`` (``notice`` is told)."""
    kind = identify(path)
    if kind == "foreign":
        raise UsageError(
            f"{path}: a database of another program; not deleting it: give another --index FILE"
        )
    sidecars = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    try:
        if kind == "unknown":
            kept = set_aside(path)
            for sidecar in sidecars:
                if sidecar.exists():
                    set_aside(sidecar)
            if notice is not None:
                notice(f"{path}: not a catalog-diff index; kept as {kept}")
            return
        for file in [path, *sidecars]:
            file.unlink(missing_ok=True)
    except OSError as exc:
        raise os_fault(str(path), exc) from exc


def set_aside(path: Path) -> Path:
    """Rename an unrecognised file to a free ``<name>.unrecognised[-N]`` beside it (never
    over another file) and return the new path."""
    for n in range(1000):
        target = path.with_name(path.name + (".unrecognised" if n == 0 else f".unrecognised-{n}"))
        try:
            os.link(path, target)
        except FileExistsError:
            continue
        except OSError as exc:
            raise os_fault(str(path), exc) from exc
        path.unlink()
        return target
    raise IndexFileError(str(path), "too many unrecognised files beside it", ELSEWHERE)


__all__ = [
    "ELSEWHERE",
    "REBUILD",
    "check_location",
    "identify",
    "make_way",
    "os_fault",
    "read_only_uri",
    "set_aside",
    "sqlite_fault",
]
