"""Catalog files at a git revision, read from the object store.

The only module that imports GitPython. It never checks out, never writes to the
repository and never changes its config: revisions are resolved with ``rev-parse``
(after ``--end-of-options``, so nothing a user types is taken as an option), trees are
listed with ``ls-tree``, and blobs are read through a ``git cat-file --batch`` process
started here and read by :class:`~catalog_diff.blobstream.BlobStream`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import git

from .blobstream import BlobStream
from .errors import GitError, NotAGitRepository, RevisionNotFound
from .parse import CACHE_DIR

_BLOB_MODES = frozenset(("100644", "100755"))


@dataclass(frozen=True, slots=True)
class Commit:
    """A resolved revision."""

    sha: str
    date: str
    subject: str


@dataclass(frozen=True, slots=True)
class Change:
    """One path a commit changed (modes ``000000`` on the side where it is absent)."""

    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str
    path: str


@dataclass(frozen=True, slots=True)
class LoggedCommit:
    """A commit of first-parent history with the catalog paths it changed."""

    sha: str
    parents: tuple[str, ...]
    date: str
    timestamp: int
    subject: str
    changes: tuple[Change, ...]


_LOG_FORMAT = "--format=%x01%H%x00%P%x00%cI%x00%ct%x00%s"


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
        # Paths handed to git (after "--") are taken literally, never as glob patterns.
        self._git.update_environment(GIT_LITERAL_PATHSPECS="1")
        self.git_dir = str(self._repo.common_dir)
        self.working_dir = self._repo.working_tree_dir

    def close(self) -> None:
        self._git.clear_cache()
        self._repo.close()

    def __enter__(self) -> GitRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, revision: str) -> Commit:
        """Resolve any revision expression git accepts to a commit (``rev:X`` is X: the
        explicit form of :mod:`catalog_diff.arguments`, accepted wherever one is)."""
        revision = revision[4:] if revision.startswith("rev:") else revision
        if not revision or revision.startswith("-"):
            raise RevisionNotFound(revision, self.path, "not a revision (it begins with '-')")
        try:
            sha = self._git.rev_parse(
                "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
            ).strip()
        except git.GitCommandError as exc:
            raise RevisionNotFound(revision, self.path, self._why_unknown()) from exc
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

    def reflog_warning(self, revision: str) -> str | None:
        """git's warning about a reflog date older than the reflog (``main@{2025-03-01}``
        on a fresh clone: "log for 'main' only goes back to ..."), or None."""
        try:
            _, _, err = self._git.rev_parse(
                "--verify", "--end-of-options", f"{revision}^{{commit}}", with_extended_output=True
            )
        except git.GitCommandError:
            return None
        lines = [line for line in str(err).splitlines() if "only goes back to" in line]
        return lines[0].removeprefix("warning: ").strip() if lines else None

    def _why_unknown(self) -> str:
        """Why a revision may be unknown, beyond a typing error: no commits at all, or a
        shallow clone whose older history is missing."""
        if not self._repo.head.is_valid():
            return "unknown revision (the repository has no commits)"
        if Path(self.git_dir, "shallow").is_file():
            return (
                "unknown revision (a shallow clone: older commits are missing; "
                "'git fetch --unshallow' fetches them)"
            )
        return "unknown revision"

    def ls_tree(self, commit: str, prefix: str) -> list[tuple[bytes, bytes, str]]:
        """``(mode, oid, path)`` of every file below ``prefix`` at ``commit``."""
        try:
            out = self._git.ls_tree(
                "-r", "-z", "--full-tree", commit, "--", prefix, stdout_as_string=False
            )
        except git.GitCommandError as exc:
            raise GitError(commit, self.path, _first_line(exc)) from exc
        return _rows(out)

    def read_blobs(self, oids: list[str], ahead: int = 256) -> BlobStream:
        """Stream many blobs through one ``git cat-file --batch`` process, started now.

        Yields ``(oid, data)`` in the order asked; ``data`` is None for an object that is
        missing or not a blob. Up to ``ahead`` blobs are read before they are asked for.
        """
        if not oids:
            return BlobStream(None, [], ahead, self.path, lambda: None)
        try:
            proc = self._git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        except git.GitCommandError as exc:
            raise GitError("cat-file", self.path, _first_line(exc)) from exc

        def finish() -> None:
            try:
                proc.wait()
            except git.GitCommandError as exc:
                raise GitError("cat-file", self.path, _first_line(exc)) from exc

        return BlobStream(proc.proc, oids, ahead, self.path, finish)

    def top_level(self, commit: str, folder: str) -> list[tuple[bytes, bytes, str]]:
        """The entries directly inside ``folder`` at ``commit`` (no recursion)."""
        try:
            out = self._git.ls_tree(
                "-z", "--full-tree", commit, "--", f"{folder}/", stdout_as_string=False
            )
        except git.GitCommandError as exc:
            raise GitError(commit, self.path, _first_line(exc)) from exc
        return _rows(out)

    def subtrees(self, commit: str, folders: list[str]) -> list[tuple[str, str]]:
        """``(oid, path)`` of the folders directly inside each of ``folders`` at ``commit``."""
        try:
            out = self._git.ls_tree(
                "-d",
                "-z",
                "--full-tree",
                commit,
                "--",
                *(f"{folder}/" for folder in folders),
                stdout_as_string=False,
            )
        except git.GitCommandError as exc:
            raise GitError(commit, self.path, _first_line(exc)) from exc
        return [(oid.decode("ascii"), path) for mode, oid, path in _rows(out) if mode == b"040000"]

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

    def commit_at(self, timestamp: int, tip: str) -> str | None:
        """The last commit of ``tip``'s first-parent history dated at or before ``timestamp``."""
        try:
            out = self._git.rev_list("--first-parent", "-1", f"--before=@{timestamp}", tip, "--")
        except git.GitCommandError as exc:
            raise GitError(tip, self.path, _first_line(exc)) from exc
        return out.strip() or None

    def as_additions(self, commit: Commit) -> LoggedCommit:
        """A commit seen as adding its whole catalog (the first commit of a ranged index)."""
        changes = tuple(
            Change("000000", mode.decode("ascii"), "0" * 40, oid.decode("ascii"), path)
            for mode, oid, path in self.ls_tree(commit.sha, CACHE_DIR)
        )
        stamp = int(self._repo.commit(commit.sha).committed_date)
        return LoggedCommit(commit.sha, (), commit.date, stamp, commit.subject, changes)

    def count_first_parent(self, tip: str, since: str | None) -> int:
        spec = f"{since}..{tip}" if since else tip
        try:
            return int(self._git.rev_list("--first-parent", "--count", spec, "--").strip())
        except (git.GitCommandError, ValueError) as exc:
            raise GitError(spec, self.path, "cannot count commits") from exc

    def first_parent_log(self, tip: str, since: str | None) -> Iterator[LoggedCommit]:
        """Commits after ``since`` up to ``tip`` along first parents, oldest first, each
        with the changes to ``_cache/`` against its first parent (the root: against
        nothing). ``tip`` and ``since`` must be resolved SHAs."""
        spec = f"{since}..{tip}" if since else tip
        proc = self._git.log(
            "--first-parent",
            "--reverse",
            "--raw",
            "-z",
            "--no-renames",
            "--no-abbrev",
            "--root",
            "--diff-merges=first-parent",
            "--full-history",
            "--sparse",
            "--no-ext-diff",
            "--no-color",
            _LOG_FORMAT,
            spec,
            "--",
            CACHE_DIR,
            as_process=True,
        )
        stdout = proc.proc.stdout
        pending = b""
        finished = False
        try:
            while True:
                block = stdout.read(1 << 20)
                pending += block
                parts = pending.split(b"\x01")
                pending = parts.pop() if block else b""
                for part in parts + ([pending] if not block and pending else []):
                    if part:
                        yield _logged(part)
                if not block:
                    break
            finished = True
        finally:
            stdout.close()
            try:
                proc.wait()
            except git.GitCommandError as exc:
                # Stopped early (Ctrl-C, or the reader left): git's broken pipe is our
                # doing and must not hide what stopped us.
                if finished:
                    raise GitError(spec, self.path, _first_line(exc)) from exc

    def blobs_exist(self, specs: list[str]) -> list[bool]:
        """Whether each ``<tree-ish>:<path>`` names a blob, asked of one ``git cat-file
        --batch-check`` process (one round trip per question costs more with thousands of
        package folders of an older layout). A spec holding a newline cannot be asked: no."""
        asked = [spec for spec in specs if "\n" not in spec]
        if not asked:
            return [False] * len(specs)
        try:
            proc = self._git.cat_file("--batch-check", as_process=True, istream=subprocess.PIPE)
            out, _ = proc.proc.communicate("".join(f"{spec}\n" for spec in asked).encode())
            proc.wait()
        except (OSError, git.GitCommandError) as exc:
            raise GitError("cat-file", self.path, str(exc).strip() or "git failed") from exc
        answers = iter(out.split(b"\n"))
        found = []
        for spec in specs:
            if "\n" in spec:
                found.append(False)
                continue
            parts = next(answers, b"").split(b" ")
            found.append(len(parts) == 3 and parts[1] == b"blob" and parts[2].isdigit())
        return found


def _logged(record: bytes) -> LoggedCommit:
    fields = record.split(b"\0")
    sha, parents, date, stamp, subject = (f.decode("utf-8", "replace") for f in fields[:5])
    changes = []
    rest = fields[5:]
    i = 0
    while i < len(rest) - 1:
        head = rest[i].strip()
        if head.startswith(b":"):
            old_mode, new_mode, old_oid, new_oid, _ = head[1:].decode("ascii").split(" ")
            path = rest[i + 1].decode("utf-8", "surrogateescape")
            changes.append(Change(old_mode, new_mode, old_oid, new_oid, path))
            i += 2
        else:
            i += 1
    return LoggedCommit(
        sha=sha,
        parents=tuple(parents.split()),
        date=date,
        timestamp=int(stamp),
        subject=subject,
        changes=tuple(changes),
    )


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
