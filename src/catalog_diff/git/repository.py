"""Catalog files at a git revision, read from the object store.

The repository through GitPython (only the modules of ``git/`` import it); errors are
read by :mod:`.diagnosis`, blobs streamed by :mod:`.blobs`, the first-parent history
walked by :mod:`.firstparent`, and revisions, commits, folders and "is this a blob" asked
of one ``git cat-file --batch`` kept open (:mod:`.objects`; ``rev-parse``, ``log`` and
``ls-tree``, after ``--end-of-options``, say what is wrong when it cannot answer). It
never checks out, writes, fetches or changes the config. Every git process gets the options of
:mod:`catalog_diff.git.env`, so that none runs a program the repository's configuration
names. Objects are named by git's own ids, of whatever length the repository uses
(SHA-1 or SHA-256); GitPython's object database (SHA-1 only) is not used.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import GitError, NotAGitRepository, RevisionNotFound
from ..layout import CACHE_DIR
from . import env as gitenv
from . import firstparent
from .blobs import Blobs, MissingObject
from .catfile import BlobStream
from .diagnosis import (
    ABSENT,
    DAMAGED,
    FSCK,
    diagnosis,
    is_oid,
    reason,
    stderr_text,
)
from .gitpython import git
from .log import Change, LoggedCommit
from .objects import ObjectReader, promisor_config

#: MissingObject (git/blobs.py) stays importable from here, beside the repository.
__all__ = ["Commit", "GitRepository", "MissingObject"]


@dataclass(frozen=True, slots=True)
class Commit:
    """A resolved revision."""

    sha: str
    date: str
    subject: str
    timestamp: int = 0


#: Longest revision handed to git (a ref name is at most a path; Linux refuses a single
#: argument above 128 KiB).
MAX_REVISION = 4096


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
        # git runs in the git directory GitPython found, never in a work tree that the
        # configuration names (core.worktree could point at another repository).
        self._git = git.Git(self._repo.git_dir)
        # For every git process, GitPython's own included: nothing that the repository's
        # configuration names is run, nothing is fetched, paths are literal.
        self._git.set_persistent_git_options(c=list(gitenv.CONFIG_ARGS[1::2]), no_pager=True)
        self._git.update_environment(**gitenv.ENV)
        self.git_dir = str(self._repo.common_dir)
        self.working_dir = self._repo.working_tree_dir
        self._partial: bool | None = None
        # How each resolved commit was asked for, so that a later error names it.
        self._asked: dict[str, str] = {}
        self._objects = ObjectReader(self._git, path)  # the small reads: one git process

    def close(self) -> None:
        self._objects.close()
        self._git.clear_cache()
        self._repo.git.clear_cache()
        self._repo.close()

    def __enter__(self) -> GitRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, revision: str) -> Commit:
        """Resolve any revision expression git accepts to a commit (``rev:X`` is X: the
        explicit form of :mod:`catalog_diff.sources.arguments`, accepted wherever one is)."""
        revision = revision[4:] if revision.startswith("rev:") else revision
        if not revision or revision.startswith("-"):
            raise RevisionNotFound(revision, self.path, "not a revision (it begins with '-')")
        if len(revision) > MAX_REVISION:
            raise RevisionNotFound(
                revision, self.path, f"unknown revision (longer than {MAX_REVISION} characters)"
            )
        if "\0" in revision:
            raise RevisionNotFound(revision, self.path, "not a revision (it holds a NUL byte)")
        found = self._objects.commit(revision)  # else rev-parse and log say what is wrong
        if found is not None:
            self._asked.setdefault(found[0], revision)
            return Commit(*found)
        try:
            sha = self._git.rev_parse(
                "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
            ).strip()
        except git.GitCommandError as exc:
            why = diagnosis(stderr_text(exc)) or self._why_unknown()
            raise RevisionNotFound(revision, self.path, why) from exc
        try:
            out = self._git.log(
                "-1",
                "--no-walk",
                "--no-show-signature",
                "--format=%cI%x00%ct%x00%B",
                sha,
                "--",
                stdout_as_string=False,
            )
            date, stamp, message = out.decode("utf-8", "replace").split("\0", 2)
            timestamp = int(stamp)
        except git.GitCommandError as exc:
            why = f"cannot read commit {sha}: {reason(exc)}"
            raise GitError(revision, self.path, why) from exc
        except ValueError as exc:
            raise GitError(revision, self.path, f"cannot read commit {sha}") from exc
        subject = message.strip().splitlines()[0] if message.strip() else ""
        self._asked.setdefault(sha, revision)
        return Commit(sha=sha, date=date.strip(), subject=subject, timestamp=timestamp)

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

    def _named(self, sha: str) -> str:
        """A resolved commit as the user asked for it, with its short SHA."""
        asked = self._asked.get(sha)
        return f"{asked} ({sha[:12]})" if asked and asked != sha else sha

    def _why_unknown(self) -> str:
        """Why a revision may be unknown, beyond a typing error: no commits at all, or a
        shallow clone whose older history is missing."""
        if not self._has_commits():
            return "unknown revision (the repository has no commits)"
        if Path(self.git_dir, "shallow").is_file():
            return (
                "unknown revision (a shallow clone: older commits are missing; "
                "'git fetch --unshallow' fetches them)"
            )
        return "unknown revision"

    def _has_commits(self) -> bool:
        """Whether HEAD or any ref names something (objects are not read: a damaged
        commit still counts)."""
        try:
            self._git.rev_parse("--verify", "--quiet", "HEAD")
            return True
        except git.GitCommandError:
            pass
        try:
            return bool(self._git.for_each_ref("--count=1", "--format=%(objectname)").strip())
        except git.GitCommandError:
            return True  # cannot tell: do not claim there are none

    def ls_tree(self, commit: str, prefix: str) -> list[tuple[bytes, bytes, str]]:
        """``(mode, oid, path)`` of every file below ``prefix`` at ``commit``."""
        try:
            out = self._git.ls_tree(
                "-r", "-z", "--full-tree", commit, "--", prefix, stdout_as_string=False
            )
        except git.GitCommandError as exc:
            raise GitError(self._named(commit), self.path, reason(exc)) from exc
        return _rows(out)

    def read_blobs(self, oids: list[str], ahead: int = 256) -> Blobs:
        """Stream many blobs through one ``git cat-file --batch`` process, started now.

        Yields ``(oid, data)`` in the order asked; ``data`` is None for an object that is
        missing or not a blob (:meth:`why_unreadable` says why), and for one that a
        partial clone does not hold (see :meth:`absent`: never fetched, never asked of
        git). git failing while it reads (a damaged pack) raises :class:`MissingObject`.
        Up to ``ahead`` blobs are read before they are asked for.
        """
        absent = self.absent(oids)
        asked = [oid for oid in oids if oid not in absent]
        if not asked:
            return Blobs(
                BlobStream(None, [], ahead, self.path, lambda: None), oids, absent, self.path
            )
        try:
            proc = self._git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        except git.GitCommandError as exc:
            raise GitError("cat-file", self.path, reason(exc)) from exc

        def finish() -> None:
            try:
                proc.wait()
            except git.GitCommandError as exc:
                raise GitError("cat-file", self.path, reason(exc)) from exc

        return Blobs(
            BlobStream(proc.proc, asked, ahead, self.path, finish), oids, absent, self.path
        )

    def partial(self) -> bool:
        """Whether this is a partial clone (objects it lacks would be fetched on demand),
        read from the configuration file (git is asked when it cannot be read)."""
        self._partial = promisor_config(self._repo) if self._partial is None else self._partial
        if self._partial is None:
            try:
                out = self._git.config(
                    "--get-regexp", r"^(extensions\.partialclone|remote\..*\.promisor)$"
                )
            except git.GitCommandError:  # no such key
                out = ""
            self._partial = bool(out.strip())
        return self._partial

    def absent(self, oids: list[str]) -> set[str]:
        """Those of ``oids`` that this partial clone does not hold, found without fetching
        (``rev-list --missing=print`` never fetches, even on git before 2.44); always
        empty for a full clone."""
        if not oids or not self.partial():
            return set()
        try:
            proc = self._git.rev_list(
                "--objects",
                "--no-walk",
                "--ignore-missing",
                "--missing=print",
                "--stdin",
                as_process=True,
                istream=subprocess.PIPE,
            )
            out, _ = proc.proc.communicate("".join(f"{oid}\n" for oid in oids).encode("ascii"))
            proc.wait()
        except git.GitCommandError as exc:
            raise GitError("rev-list", self.path, reason(exc)) from exc
        held = {line.split(b" ")[0].decode() for line in out.splitlines() if line[:1] != b"?"}
        return set(oids) - held

    def why_unreadable(self, oid: str) -> str:
        """Why :meth:`read_blobs` had no bytes for a blob that a tree names."""
        if oid in self.absent([oid]):
            return ABSENT.format(oid=oid)
        if len(oid) > 2 and Path(self.git_dir, "objects", oid[:2], oid[2:]).is_file():
            return f"{DAMAGED}: the loose object {oid} is corrupt; {FSCK}"
        return f"{DAMAGED}: the object {oid} is missing; {FSCK}"

    def top_level(self, commit: str, folder: str) -> list[tuple[bytes, bytes, str]]:
        """The entries directly inside ``folder`` at ``commit`` (no recursion)."""
        found = self._objects.tree(commit, folder)
        if found is not None:
            return found
        try:
            out = self._git.ls_tree(
                "-z", "--full-tree", commit, "--", f"{folder}/", stdout_as_string=False
            )
        except git.GitCommandError as exc:
            raise GitError(self._named(commit), self.path, reason(exc)) from exc
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
            raise GitError(self._named(commit), self.path, reason(exc)) from exc
        return [(oid.decode("ascii"), path) for mode, oid, path in _rows(out) if mode == b"040000"]

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
            spec = f"{self._named(old)}..{self._named(new)}"
            raise GitError(spec, self.path, reason(exc)) from exc
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
        return firstparent.commit_at(self._git, self.path, timestamp, tip, self._named(tip))

    def as_additions(self, commit: Commit) -> LoggedCommit:
        """A commit seen as adding its whole catalog (the first commit of a ranged index)."""
        changes = tuple(
            Change("000000", mode.decode("ascii"), "0" * len(oid), oid.decode("ascii"), path)
            for mode, oid, path in self.ls_tree(commit.sha, CACHE_DIR)
        )
        subject = commit.subject.split("\0", 1)[0]  # as git log's %s gives it
        return LoggedCommit(commit.sha, (), commit.date, commit.timestamp, subject, changes)

    def count_first_parent(self, tip: str, since: str | None) -> int:
        """How many commits are after ``since`` up to ``tip`` along first parents."""
        return firstparent.count(self._git, self.path, tip, since)

    def first_parent_log(self, tip: str, since: str | None) -> Iterator[LoggedCommit]:
        """Commits after ``since`` up to ``tip`` along first parents, oldest first, each
        with the changes to ``_cache/`` against its first parent (the root: against
        nothing). ``tip`` and ``since`` must be resolved SHAs."""
        return firstparent.walk(self._git, self.path, self.git_dir, tip, since)

    def is_ancestor(self, older: str, newer: str) -> bool:
        """Whether commit ``older`` is an ancestor of (or is) commit ``newer`` (full SHAs)."""
        return firstparent.is_ancestor(self._git, self.path, older, newer)

    def blobs_exist(self, specs: list[str]) -> list[bool]:
        """Whether each ``<tree-ish>:<path>`` names a blob, asked of the open cat-file
        (in a partial clone, of ``cat-file --batch-check``, reading trees only: a blob the
        clone lacks is a blob all the same, never fetched). A newline in it: no."""
        asked = [spec for spec in specs if "\n" not in spec]
        if not asked:
            return [False] * len(specs)
        if not self.partial():
            answers = iter([self._objects.is_blob(spec) for spec in asked])
        else:
            names = [line if is_oid(line) else "" for line in self._check(asked, "%(objectname)")]
            absent = self.absent([oid for oid in names if oid])
            held = sorted({oid for oid in names if oid and oid not in absent})
            kinds = dict(zip(held, self._check(held, "%(objecttype)"), strict=True))
            answers = iter(bool(oid) and (oid in absent or kinds[oid] == "blob") for oid in names)
        return [False if "\n" in spec else next(answers) for spec in specs]

    def _check(self, asked: list[str], fmt: str) -> list[str]:
        """One line of ``git cat-file --batch-check=FMT`` per question."""
        if not asked:
            return []
        try:
            proc = self._git.cat_file(
                f"--batch-check={fmt}", as_process=True, istream=subprocess.PIPE
            )
            out, _ = proc.proc.communicate("".join(f"{spec}\n" for spec in asked).encode())
            proc.wait()
        except git.GitCommandError as exc:
            raise GitError("cat-file", self.path, reason(exc)) from exc
        except OSError as exc:
            raise GitError("cat-file", self.path, str(exc).strip() or "git failed") from exc
        lines: list[str] = bytes(out).decode("utf-8", "surrogateescape").split("\n")
        if len(lines) < len(asked):
            raise GitError("cat-file", self.path, "cat-file answered fewer questions than asked")
        return lines[: len(asked)]


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
