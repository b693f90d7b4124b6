"""The small reads of a run, asked of one ``git cat-file --batch`` process kept open.

Resolving a revision, reading its commit, listing a folder's tree and asking whether a
path names a blob each took a git process of their own (``rev-parse``, ``log``,
``ls-tree``, ``cat-file --batch-check``): a consecutive diff started thirteen. Here they
are questions to one process, started on the first of them by
:class:`~catalog_diff.git.repository.GitRepository` (through GitPython, with the options
of :mod:`catalog_diff.git.env`), answered in order. :func:`parse_commit` and
:func:`parse_tree` read git's own object formats; anything unusual (an answer other than
a commit or a tree where one is expected, a commit message in another encoding) is left
to the one-process-per-question path, which gives git's own words for an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess

from ..errors import GitError
from .diagnosis import reason
from .gitpython import git

#: What :meth:`ObjectReader.read` answers: the object's id, type and bytes.
Object = tuple[str, str, bytes]


class ObjectReader:
    """Questions to one ``git cat-file --batch`` process, started on the first one."""

    def __init__(self, command: git.Git, path: str) -> None:
        """``command``: GitPython's git of the repository (with its options); ``path``:
        the repository, for messages."""
        self._git = command
        self._path = path
        self._proc: subprocess.Popen[bytes] | None = None
        self._handle: object = None  # GitPython's: git is stopped when it is dropped

    def commit(self, revision: str) -> tuple[str, str, str, int] | None:
        """``(sha, date, subject, timestamp)`` of the commit ``revision`` names (see
        :func:`parse_commit`), or None: unknown, or for git to describe."""
        found = self.read(f"{revision}^{{commit}}")
        read = parse_commit(found[2]) if found is not None and found[1] == "commit" else None
        if found is None or read is None:
            return None
        return found[0], read[0], read[2], read[1]

    def tree(self, commit: str, folder: str) -> list[tuple[bytes, bytes, str]] | None:
        """The entries of ``folder`` at ``commit`` (see :func:`parse_tree`), or None when
        it is no tree that reads whole (ls-tree then says what it is)."""
        found = self.read(f"{commit}:{folder}")
        if found is None or found[1] != "tree" or len(commit) not in (40, 64):
            return None
        try:
            return parse_tree(found[2], folder, len(commit) // 2)
        except ValueError:
            return None

    def is_blob(self, name: str) -> bool:
        found = self.read(name)
        return found is not None and found[1] == "blob"

    def read(self, name: str) -> Object | None:
        """The object ``name`` names (``<rev>^{commit}``, ``<tree-ish>:<path>``, an id),
        or None when git says it is missing or ambiguous, when git gave up on it, or when
        ``name`` cannot be asked (it holds a newline)."""
        if "\n" in name or "\r" in name or "\0" in name:
            return None
        proc = self._proc if self._proc is not None else self._open()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
        except OSError:
            header = b""
        if not header.endswith(b"\n"):
            # git gave up on this question (a path outside the repository is fatal to
            # cat-file): the next question starts a new git, and the caller asks this
            # one the slow way, which says what git objects to.
            self.close()
            return None
        fields = header[:-1].rsplit(b" ", 2)
        if fields[-1] in (b"missing", b"ambiguous") or len(fields) != 3:
            return None
        oid, kind, size = fields
        data = proc.stdout.read(int(size))
        if len(data) != int(size) or proc.stdout.read(1) != b"\n":
            self.close()  # git stopped in the middle of an answer: as above
            return None
        return oid.decode("ascii"), kind.decode("ascii"), data

    def _open(self) -> subprocess.Popen[bytes]:
        try:
            handle = self._git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        except git.GitCommandError as exc:
            raise GitError("cat-file", self._path, reason(exc)) from exc
        self._handle = handle
        proc: subprocess.Popen[bytes] = handle.proc
        self._proc = proc
        return proc

    def close(self) -> None:
        """Stop git (it ends when its input closes)."""
        proc, self._proc, self._handle = self._proc, None, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def parse_commit(data: bytes) -> tuple[str, int, str] | None:
    """A commit object -> (committer date as ``git log --format=%cI`` gives it, its Unix
    time, the message's first non-blank line); None when the commit is unusual enough
    that git should say it (a message in another encoding, no committer line)."""
    head, _, message = data.partition(b"\n\n")
    committer = b""
    for line in head.split(b"\n"):
        if line.startswith(b"encoding ") and line[9:].strip().lower() not in (b"utf-8", b"utf8"):
            return None
        if line.startswith(b"committer "):
            committer = line
    fields = committer.rsplit(b" ", 2)
    if len(fields) != 3:
        return None
    zone = fields[2].decode("ascii", "replace")
    if len(zone) != 5 or zone[0] not in "+-" or not zone[1:].isdigit():
        return None
    try:
        stamp = int(fields[1])
        offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
        offset = -offset if zone[0] == "-" else offset
        date = dt.datetime.fromtimestamp(stamp, dt.timezone(offset)).isoformat()
    except (ValueError, OverflowError, OSError):
        return None
    text = message.decode("utf-8", "replace").strip()
    return date, stamp, text.splitlines()[0] if text else ""


def parse_tree(data: bytes, folder: str, id_bytes: int) -> list[tuple[bytes, bytes, str]]:
    """A tree object -> ``(mode, oid, path)`` of its entries, as ``git ls-tree -z
    --full-tree <commit> -- <folder>/`` lists them (modes of six digits, paths below
    ``folder``). ``id_bytes``: 20 for SHA-1, 32 for SHA-256."""
    rows = []
    at, end = 0, len(data)
    while at < end:
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        oid = data[nul + 1 : nul + 1 + id_bytes]
        if len(oid) != id_bytes:
            raise ValueError("truncated tree")
        name = data[space + 1 : nul].decode("utf-8", "surrogateescape")
        rows.append((data[at:space].rjust(6, b"0"), oid.hex().encode("ascii"), f"{folder}/{name}"))
        at = nul + 1 + id_bytes
    return rows


def promisor_config(repo: git.Repo) -> bool | None:
    """Whether the repository's own configuration sets ``extensions.partialClone`` or any
    ``remote.<name>.promisor`` (as git's ``config --get-regexp`` finds them: whatever the
    value), read by GitPython without running git; None when it cannot be read."""
    try:
        reader = repo.config_reader("repository")
        for section in reader.sections():
            name = section.lower()
            keys = {key.lower() for key in reader.options(section)}
            if name == "extensions" and "partialclone" in keys:
                return True
            if name.startswith("remote ") and "promisor" in keys:
                return True
    except Exception:  # any unreadable file: git is asked instead
        return None
    return False
