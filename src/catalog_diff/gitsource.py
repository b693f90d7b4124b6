"""Catalog files at a git revision, read from the object store.

The only module that imports GitPython. It never checks out, never writes to the
repository and never changes its config: revisions are resolved with ``rev-parse``
(after ``--end-of-options``, so nothing a user types is taken as an option), trees are
listed with ``ls-tree``, and blobs are read through GitPython's one persistent
``git cat-file --batch`` process.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import git

from .errors import (
    GitError,
    NotACatalog,
    NotAGitRepository,
    RevisionNotFound,
    UnsupportedLayout,
)
from .model import SourceInfo, SourceKind
from .parse import CACHE_DIR, legacy_layout
from .source import Entry, Listing, add_path

_BLOB_MODES = frozenset(("100644", "100755"))


@dataclass(frozen=True, slots=True)
class Commit:
    """A resolved revision."""

    sha: str
    date: str
    subject: str


class GitRepository:
    """A catalog repository opened read-only."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self._repo = git.Repo(path, search_parent_directories=True)
        except git.NoSuchPathError as exc:
            raise NotAGitRepository(path, "no such directory") from exc
        except git.InvalidGitRepositoryError as exc:
            raise NotAGitRepository(path) from exc
        self._git = self._repo.git

    def close(self) -> None:
        self._git.clear_cache()
        self._repo.close()

    def __enter__(self) -> GitRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, revision: str) -> Commit:
        """Resolve any revision expression git accepts to a commit."""
        if not revision or revision.startswith("-"):
            raise RevisionNotFound(revision, self.path, "not a revision (it begins with '-')")
        try:
            sha = self._git.rev_parse(
                "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
            ).strip()
        except git.GitCommandError as exc:
            raise RevisionNotFound(revision, self.path) from exc
        try:
            commit = self._repo.commit(sha)
            date = commit.committed_datetime.isoformat()
            message = commit.message
        except (ValueError, git.GitCommandError) as exc:
            raise GitError(revision, self.path, f"cannot read commit {sha}") from exc
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        subject = message.strip().splitlines()[0] if message.strip() else ""
        return Commit(sha=sha, date=date, subject=subject)

    def ls_tree(self, commit: str, prefix: str) -> list[tuple[bytes, bytes, str]]:
        """``(mode, oid, path)`` of every file below ``prefix`` at ``commit``."""
        try:
            out = self._git.ls_tree(
                "-r", "-z", "--full-tree", commit, "--", prefix, stdout_as_string=False
            )
        except git.GitCommandError as exc:
            raise GitError(commit, self.path, _first_line(exc)) from exc
        return _rows(out)

    def read_blobs(self, oids: list[str]) -> Iterator[tuple[str, bytes | None]]:
        """Stream many blobs through one ``git cat-file --batch`` process.

        A thread writes the ids while this one reads the answers, so the pipes never fill
        up whatever the number of blobs. Yields ``(oid, data)``; ``data`` is None for an
        object that is missing or not a blob.
        """
        if not oids:
            return
        try:
            proc = self._git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        except git.GitCommandError as exc:
            raise GitError("cat-file", self.path, _first_line(exc)) from exc
        stdin, stdout = proc.proc.stdin, proc.proc.stdout

        def feed() -> None:
            try:
                stdin.write("".join(f"{oid}\n" for oid in oids).encode("ascii"))
                stdin.close()
            except OSError:  # git went away; the reader reports it
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for oid in oids:
                header = stdout.readline().split()
                if len(header) == 3 and header[1] == b"blob":
                    data = stdout.read(int(header[2]))
                    stdout.read(1)
                    yield oid, data
                elif len(header) == 3:
                    stdout.read(int(header[2]) + 1)
                    yield oid, None
                elif len(header) == 2 and header[1] == b"missing":
                    yield oid, None
                else:
                    raise GitError("cat-file", self.path, "unexpected output from git cat-file")
        finally:
            writer.join()
            proc.wait()

    def top_level(self, commit: str, folder: str) -> list[tuple[bytes, bytes, str]]:
        """The entries directly inside ``folder`` at ``commit`` (no recursion)."""
        try:
            out = self._git.ls_tree(
                "-z", "--full-tree", commit, "--", f"{folder}/", stdout_as_string=False
            )
        except git.GitCommandError as exc:
            raise GitError(commit, self.path, _first_line(exc)) from exc
        return _rows(out)

    def has_blob(self, spec: str) -> bool:
        """Whether ``<commit>:<path>`` names a blob (through the persistent batch-check)."""
        try:
            _, kind, _ = self._git.get_object_header(spec)
        except (ValueError, git.GitCommandError):
            return False
        return kind in ("blob", b"blob")

    def diff_tree(self, old: str, new: str, prefix: str) -> list[tuple[str, str, str, str, str]]:
        """``(old_mode, new_mode, old_oid, new_oid, path)`` of every file that differs."""
        try:
            out = self._git.diff_tree(
                "-r",
                "-z",
                "--no-renames",
                "--no-ext-diff",
                old,
                new,
                "--",
                prefix,
                stdout_as_string=False,
            )
        except git.GitCommandError as exc:
            raise GitError(f"{old}..{new}", self.path, _first_line(exc)) from exc
        fields = out.split(b"\0")
        rows = []
        for i in range(0, len(fields) - 1, 2):
            head, path = fields[i], fields[i + 1]
            if not head.startswith(b":"):
                continue
            old_mode, new_mode, old_oid, new_oid, _status = head[1:].decode("ascii").split(" ")
            rows.append(
                (old_mode, new_mode, old_oid, new_oid, path.decode("utf-8", "surrogateescape"))
            )
        return rows


def _rows(out: bytes) -> list[tuple[bytes, bytes, str]]:
    rows = []
    for record in out.split(b"\0"):
        if not record:
            continue
        head, _, path = record.partition(b"\t")
        mode, _, rest = head.partition(b" ")
        oid = rest.split(b" ")[-1]
        rows.append((mode, oid, path.decode("utf-8", "surrogateescape")))
    return rows


def _first_line(exc: git.GitCommandError) -> str:
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0].removeprefix("stderr: ").strip("'") if lines else "git failed"


class GitRevisionSource:
    """The catalog at one resolved revision of a :class:`GitRepository`."""

    def __init__(self, repo: GitRepository, revision: str) -> None:
        self.repo = repo
        self.commit = repo.resolve(revision)
        self.info = SourceInfo(
            kind=SourceKind.GIT,
            source=revision,
            commit=self.commit.sha,
            date=self.commit.date,
            revision=revision,
            repo=str(Path(repo.path)),
        )

    def listing(self) -> Listing:
        listing = Listing()
        rows = self.repo.ls_tree(self.commit.sha, CACHE_DIR)
        if not rows or all(path == CACHE_DIR for _, _, path in rows):
            raise NotACatalog(f"{self.info.source} ({self.commit.sha[:12]})")
        for mode, oid, path in rows:
            add_path(
                listing,
                path,
                _entry(mode.decode("ascii"), oid.decode("ascii"), path),
                self.info.source,
            )
        return listing

    def tags(self) -> set[str]:
        """The tag folders of the catalog, checked for an older layout on the way."""
        rows = self.repo.top_level(self.commit.sha, CACHE_DIR)
        if not rows:
            raise NotACatalog(f"{self.info.source} ({self.commit.sha[:12]})")
        tags = set()
        for mode, _, path in rows:
            if mode != b"040000":
                continue
            tag = path.rsplit("/", 1)[-1]
            for name in ("specs.md", "index.md"):
                path = f"{CACHE_DIR}/{tag}/{name}"
                layout = legacy_layout(path)
                if layout and self.repo.has_blob(f"{self.commit.sha}:{path}"):
                    raise UnsupportedLayout(self.info.source, path, layout)
            tags.add(tag)
        return tags

    def changes(self, other: GitRevisionSource, tag: str | None) -> tuple[Listing, Listing]:
        """Listings of only the files that differ between this revision and ``other``."""
        old, new = Listing(tags=self.tags()), Listing(tags=other.tags())
        prefix = CACHE_DIR if tag is None else f"{CACHE_DIR}/{tag}"
        for old_mode, new_mode, old_oid, new_oid, path in self.repo.diff_tree(
            self.commit.sha, other.commit.sha, prefix
        ):
            if old_mode != "000000":
                add_path(old, path, _entry(old_mode, old_oid, path), self.info.source)
            if new_mode != "000000":
                add_path(new, path, _entry(new_mode, new_oid, path), other.info.source)
        return old, new

    def read(self, entry: Entry) -> bytes:
        for _, data in self.read_many([entry]):
            if isinstance(data, bytes):
                return data
        raise GitError(entry.oid or entry.path, self.repo.path, "cannot read the blob")

    def read_many(self, entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None]]:
        by_oid: dict[str, list[Entry]] = {}
        for entry in entries:
            by_oid.setdefault(entry.oid or "", []).append(entry)
        for oid, data in self.repo.read_blobs([oid for oid in by_oid if oid]):
            for entry in by_oid[oid]:
                yield entry, data


def _entry(mode: str, oid: str, path: str) -> Entry | None:
    """A listing entry for a regular file; None for a symlink or a submodule."""
    return Entry(path=path, oid=oid) if mode in _BLOB_MODES else None
