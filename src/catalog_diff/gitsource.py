"""Catalog files at a git revision, read from the object store.

The only module that imports GitPython. It never checks out, never writes to the
repository and never changes its config: revisions are resolved with ``rev-parse``
(after ``--end-of-options``, so nothing a user types is taken as an option), trees are
listed with ``ls-tree``, and blobs are read through GitPython's one persistent
``git cat-file --batch`` process.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import git

from .errors import GitError, NotACatalog, NotAGitRepository, RevisionNotFound
from .model import SourceInfo, SourceKind
from .parse import CACHE_DIR
from .source import Entry, Listing, add_path

_BLOB_MODES = frozenset((b"100644", b"100755"))


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
        rows = []
        for record in out.split(b"\0"):
            if not record:
                continue
            head, _, path = record.partition(b"\t")
            mode, _, oid = head.split(b" ", 2)
            rows.append((mode, oid, path.decode("utf-8", "surrogateescape")))
        return rows

    def read_blob(self, oid: str) -> bytes:
        try:
            _, kind, _, data = self._git.get_object_data(oid)
        except (ValueError, git.GitCommandError) as exc:
            raise GitError(oid, self.path, "cannot read the object") from exc
        if isinstance(kind, bytes):
            kind = kind.decode("ascii", "replace")
        if kind != "blob":
            raise GitError(oid, self.path, f"object is a {kind}, not a blob")
        return bytes(data)


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
        if not rows:
            raise NotACatalog(f"{self.info.source} ({self.commit.sha[:12]})")
        for mode, oid, path in rows:
            regular = mode in _BLOB_MODES
            entry = Entry(path=path, oid=oid.decode("ascii")) if regular else None
            add_path(listing, path, entry, self.info.source)
        return listing

    def read(self, entry: Entry) -> bytes:
        assert entry.oid is not None
        return self.repo.read_blob(entry.oid)
