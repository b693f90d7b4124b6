"""A folder holding a catalog checkout, as a source: listed and read without following
anything.

The folder the user names is opened as given; everything below it is reached one name at
a time from the folder above, with ``O_NOFOLLOW``: a symbolic link anywhere below it,
``_cache`` included, is never followed, even one put in place while the catalog is read.
Only regular files are opened, and only after ``lstat`` says so; the open itself is
non-blocking and ``fstat`` of the open descriptor confirms it, so a FIFO, a socket or a
device file is never read (nor waited on). A folder that cannot be listed, a file that
disappears, is replaced or changes while it is read: each is a problem naming its path
and the reason, never a package that is absent.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import NotACatalog, UnreadableCatalog
from ..layout import CACHE_DIR, MAX_FILE_BYTES
from ..model.snapshot import SourceInfo, SourceKind
from .building import ListingBuilder
from .listing import Entry, Listing, TreeEntry, Unreadable

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY

#: Folders nested deeper than this below ``_cache/`` are not listed (a problem): a
#: catalog is four levels deep, and the walk holds one descriptor per level.
MAX_DEPTH = 32

#: How many folder descriptors a read keeps open for the files that follow.
_KEPT_FOLDERS = 64


def kind_of(mode: int) -> str:
    """The :class:`~catalog_diff.sources.listing.TreeEntry` kind of a file mode (from ``lstat``)."""
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device"


#: Why something that is not a regular file is not read, by kind.
NOT_READ = {
    "symlink": "symlink or submodule",
    "fifo": "FIFO, not opened",
    "socket": "socket, not opened",
    "device": "device file, not opened",
    "folder": "a folder",
}


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@dataclass(frozen=True, slots=True)
class Found:
    """One thing below ``_cache/``: ``kind`` as :func:`kind_of` says, ``unlistable`` for
    a folder that could not be listed (``reason`` says why); ``ident`` is the device and
    inode of a regular file, to tell it from one put in its place later."""

    path: str
    kind: str
    reason: str = ""
    ident: tuple[int, int] | None = None


class DirectorySource:
    """A folder holding a catalog checkout (a ``_cache/`` folder inside)."""

    def __init__(self, root: str, label: str | None = None) -> None:
        self.root = Path(root)
        self.info = SourceInfo(kind=SourceKind.DIRECTORY, source=label or root)
        self._idents: dict[str, tuple[int, int]] = {}

    # ---- listing -----------------------------------------------------------------------

    def walk(self) -> list[Found]:
        """Everything below ``_cache/``, in path order, without following anything.

        Raises :class:`NotACatalog` when there is no ``_cache`` (or it is a regular
        file), :class:`UnreadableCatalog` when ``_cache`` is something that is not read
        (a symbolic link, a FIFO) or a folder that cannot be listed.
        """
        try:
            root = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise UnreadableCatalog(self.info.source, ".", _reason(exc)) from exc
        try:
            try:
                info = os.stat(CACHE_DIR, dir_fd=root, follow_symlinks=False)
            except FileNotFoundError as exc:
                raise NotACatalog(self.info.source) from exc
            except OSError as exc:
                raise UnreadableCatalog(self.info.source, CACHE_DIR, _reason(exc)) from exc
            kind = kind_of(info.st_mode)
            if kind == "file":
                raise NotACatalog(self.info.source)
            if kind != "folder":
                why = "a symbolic link, not followed" if kind == "symlink" else NOT_READ[kind]
                raise UnreadableCatalog(self.info.source, CACHE_DIR, why)
            try:
                cache = os.open(CACHE_DIR, _DIR_FLAGS, dir_fd=root)
            except OSError as exc:
                raise UnreadableCatalog(self.info.source, CACHE_DIR, _reason(exc)) from exc
        finally:
            os.close(root)
        out: list[Found] = []
        try:
            self._walk(cache, CACHE_DIR, 0, out)
        finally:
            os.close(cache)
        if out and out[0].path == CACHE_DIR and out[0].kind == "unlistable":
            raise UnreadableCatalog(self.info.source, CACHE_DIR, out[0].reason)
        out.sort(key=lambda f: f.path)
        self._idents = {f.path: f.ident for f in out if f.ident is not None}
        return out

    def _walk(self, fd: int, rel: str, depth: int, out: list[Found]) -> None:
        try:
            with os.scandir(fd) as listed:
                names = sorted(e.name for e in listed)
        except OSError as exc:
            out.append(Found(rel, "unlistable", f"cannot be listed: {_reason(exc)}"))
            return
        if not names and rel != CACHE_DIR:
            out.append(Found(rel, "folder"))
        for name in names:
            path = f"{rel}/{name}"
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except OSError as exc:
                why = "disappeared while it was listed" if exc.errno == errno.ENOENT else None
                out.append(Found(path, "unlistable", why or f"cannot be read: {_reason(exc)}"))
                continue
            kind = kind_of(info.st_mode)
            if kind == "file":
                out.append(Found(path, kind, ident=(info.st_dev, info.st_ino)))
            elif kind != "folder":
                out.append(Found(path, kind))
            elif depth >= MAX_DEPTH:
                out.append(Found(path, "unlistable", f"nested too deep (over {MAX_DEPTH} folders)"))
            else:
                self._descend(fd, name, path, depth, info, out)

    def _descend(
        self, fd: int, name: str, path: str, depth: int, seen: os.stat_result, out: list[Found]
    ) -> None:
        try:
            sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
        except OSError as exc:
            why = _open_failure(exc, True, True)
            out.append(Found(path, "unlistable", why.replace("cannot be read", "cannot be listed")))
            return
        try:
            now = os.fstat(sub)
            if (now.st_dev, now.st_ino) != (seen.st_dev, seen.st_ino):
                out.append(Found(path, "unlistable", "replaced while the catalog was read"))
                return
            out.append(Found(path, "folder-open"))
            self._walk(sub, path, depth + 1, out)
        finally:
            os.close(sub)

    def listing(self) -> Listing:
        builder = ListingBuilder()
        for item in self.walk():
            if item.kind == "folder-open":
                builder.add_directory(item.path)
            elif item.kind == "folder":
                continue  # an empty folder: filed as it was opened
            elif item.kind == "unlistable":
                builder.add_unreadable(item.path, item.reason)
            elif item.kind == "file":
                builder.add(item.path, Entry(path=item.path))
            else:
                builder.add(item.path, None, NOT_READ[item.kind])
        return builder.finish()

    def tree(self) -> list[TreeEntry]:
        """Everything below ``_cache/``, sorted by path (symlinks are not followed)."""
        out = []
        for item in self.walk():
            if item.kind == "folder-open":
                continue
            kind = {"fifo": "other", "socket": "other", "device": "other"}.get(item.kind, item.kind)
            out.append(TreeEntry(item.path, kind, item.reason))
        return out

    # ---- reading -----------------------------------------------------------------------

    def read_path(self, path: str) -> bytes | Unreadable | None:
        """The bytes of the regular file at ``path`` (relative); None when there is
        nothing there, :class:`Unreadable` when what is there cannot be read."""
        with _Folders(self.root) as folders:
            got = _read(folders, path, None)
        if isinstance(got, Unreadable) and got.missing:
            return None
        return got

    def read_many(
        self, entries: Iterable[Entry]
    ) -> Iterator[tuple[Entry, bytes | Unreadable | None]]:
        with _Folders(self.root) as folders:
            for entry in entries:
                yield entry, _read(folders, entry.path, self._idents.get(entry.path))


def _open_failure(exc: OSError, folder: bool, listed: bool) -> str:
    """Why opening a file (or the folder it lies in) failed, in words. ``listed``: the
    walk had seen it, so that a missing or different one changed meanwhile."""
    if exc.errno == errno.ENOENT and listed:
        return "disappeared while the catalog was read"
    if exc.errno in (errno.ELOOP, errno.ENOTDIR) and listed:
        return "replaced while the catalog was read (not followed)"
    if exc.errno in (errno.ELOOP, errno.ENOTDIR) and folder:
        return "a folder on its path is not a regular folder (not followed)"
    if exc.errno == errno.ELOOP:
        return "not a regular file (symlink or submodule)"
    return f"cannot be read: {_reason(exc)}"


class _Folders:
    """Descriptors of the folders files are read from, opened one name at a time from
    the root with ``O_NOFOLLOW`` (kept for the files that follow, up to a bound)."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._open: dict[str, int] = {}

    def __enter__(self) -> _Folders:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self._open.values():
            os.close(fd)
        self._open.clear()

    def get(self, folder: str) -> int:
        """The descriptor of ``folder`` (relative; "" for the root). Raises OSError."""
        found = self._open.get(folder)
        if found is not None:
            return found
        if folder == "":
            fd = os.open(self._root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        else:
            parent, _, name = folder.rpartition("/")
            fd = os.open(name, _DIR_FLAGS, dir_fd=self.get(parent))
        if len(self._open) >= _KEPT_FOLDERS:
            for key in [k for k in self._open if k.count("/") >= 1]:
                os.close(self._open.pop(key))
        self._open[folder] = fd
        return fd


def _read(folders: _Folders, path: str, ident: tuple[int, int] | None) -> bytes | Unreadable:
    """The bytes of the regular file at ``path`` (one byte more than the limit at most,
    which tells a file that is too large), or why it cannot be read. ``ident`` is the
    file's device and inode when it was listed (None: not listed, as ``_data/tags.yaml``)."""
    listed = ident is not None
    folder, _, name = path.rpartition("/")
    try:
        dir_fd = folders.get(folder)
    except OSError as exc:
        return Unreadable(_open_failure(exc, True, listed), exc.errno == errno.ENOENT)
    try:
        seen = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError as exc:
        return Unreadable(_open_failure(exc, False, listed), exc.errno == errno.ENOENT)
    kind = kind_of(seen.st_mode)
    if kind != "file":
        if listed:
            return Unreadable(f"replaced while the catalog was read (now: {kind}; not read)")
        return Unreadable(f"not a regular file ({NOT_READ[kind]})")
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as exc:
        return Unreadable(_open_failure(exc, False, listed))
    try:
        before = os.fstat(fd)
        same = (before.st_dev, before.st_ino)
        if not stat.S_ISREG(before.st_mode) or same != (seen.st_dev, seen.st_ino):
            return Unreadable("replaced while the catalog was read")
        if listed and same != ident:
            return Unreadable("replaced while the catalog was read")
        chunks = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        after = os.fstat(fd)
    except OSError as exc:
        return Unreadable(f"cannot be read: {_reason(exc)}")
    finally:
        os.close(fd)
    changed = (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns)
    if changed or (size <= MAX_FILE_BYTES and size != before.st_size):
        return Unreadable("changed while it was read")
    return b"".join(chunks)
