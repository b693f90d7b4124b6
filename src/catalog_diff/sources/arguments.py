"""Which argument is which (a revision, a directory, a snapshot file or a date), and the
source it opens.

A command-line argument names one side of a comparison. The explicit forms say what it is:

- ``rev:X``: revision X of the repository (anything git accepts);
- ``dir:PATH``: the catalog checkout in directory PATH;
- ``snapshot:PATH``: the snapshot file PATH (written by ``catalog-diff snapshot``);
- ``at:DATE``: the last commit at or before DATE (what ``--at DATE`` asks for).

Without a prefix, an argument that names no existing path is a revision. One that starts
like a path (``/``, ``./``, ``../``, ``~/``) and names an existing path is that path. Any
other argument naming an existing path is a path only when it is not also a revision of
the repository: when it is both (a file ``HEAD`` or a folder ``main`` in the working
directory, the file ``HEAD`` inside ``.git``), it is refused, as git refuses an
"ambiguous argument", so that nothing lying in a checkout can stand in for a revision.
:func:`classify` decides, looking at the file system and asking the repository through a
callable; :class:`Sources` opens what it decided.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from ..errors import CatalogDiffError, CatalogDiffWarning, RevisionNotFound, UsageError
from ..layout import printable
from .directory import DirectorySource

if TYPE_CHECKING:
    from ..git.repository import GitRepository
    from .listing import Source

REV = "rev"
DIR = "dir"
SNAPSHOT = "snapshot"
AT = "at"
#: An existing path that is not a revision: a directory or a snapshot file, by what it is.
PATH = "path"

PREFIXES = (REV, DIR, SNAPSHOT, AT)

#: How an argument starts when it can only be a path (no revision starts so).
_PATH_STARTS = ("/", "./", "../", "~/")


@dataclass(frozen=True, slots=True)
class Argument:
    """What an argument stands for: ``kind`` (:data:`REV`, :data:`DIR`, :data:`SNAPSHOT`,
    :data:`AT` or :data:`PATH`) and ``value`` (the argument without its prefix)."""

    kind: str
    value: str


class AmbiguousArgument(UsageError):
    """An argument that is both a revision of the repository and an existing path."""

    def __init__(self, argument: str, repo: str, commit: str, is_dir: bool) -> None:
        what = "directory" if is_dir else "file"
        shown = printable(argument)
        super().__init__(
            f"ambiguous argument {shown!r}: both a revision (commit {commit[:12]} in --repo "
            f"{printable(repo)}) and the {what} ./{shown}; write rev:{shown} for the "
            f"revision or ./{shown} for the {what}"
        )
        self.argument = argument


def explicit(text: str) -> Argument | None:
    """The argument ``text`` when it has one of the prefixes ``rev:``, ``dir:``,
    ``snapshot:`` or ``at:``; else None."""
    kind, sep, value = text.partition(":")
    if sep and kind in PREFIXES:
        if not value:
            raise UsageError(f"{printable(text)}: nothing after '{kind}:'")
        return Argument(kind, value)
    return None


def path_like(text: str) -> bool:
    """Whether ``text`` can only be a path: it starts with ``/``, ``./``, ``../`` or
    ``~/``, or is ``.`` or ``..`` (git accepts no revision so written)."""
    return text in (".", "..") or text.startswith(_PATH_STARTS) or text.startswith(os.sep)


def classify(text: str, revision: Callable[[str], str | None], repo: str = ".") -> Argument:
    """What the argument ``text`` stands for (see the module's docstring).

    ``revision`` gives the commit a revision resolves to in the repository ``repo``, or None
    when it resolves to none (or there is no repository); it is asked only about an
    argument that also names an existing path. Raises :class:`AmbiguousArgument` when
    the argument is both.
    """
    found = explicit(text)
    if found is not None:
        return found
    if not text or text.startswith("-"):
        return Argument(REV, text)  # refused by the revision's own check, with its reason
    path = Path(text)
    if text.startswith("~/"):
        with contextlib.suppress(RuntimeError):  # no home folder: the name as written
            path = path.expanduser()
    if not _exists(path):
        return Argument(REV, text)
    if path_like(text):
        return Argument(PATH, str(path) if text.startswith("~/") else text)
    commit = revision(text)
    if commit is None:
        return Argument(PATH, text)
    raise AmbiguousArgument(text, repo, commit, path.is_dir())


def _exists(path: Path) -> bool:
    """Whether anything lies at ``path`` (a dangling symlink too); False for a name no
    file can have (too long, a NUL byte)."""
    try:
        return path.exists() or path.is_symlink()
    except (OSError, ValueError):
        return False


def sides(positional: tuple[str, ...], at: tuple[str, ...]) -> tuple[str, str]:
    """OLD and NEW from the positional arguments and the ``--at`` dates: each date fills
    the next side (as ``at:DATE``), then the arguments; NEW defaults to ``rev:HEAD`` (as
    ``git diff OLD`` compares OLD with HEAD)."""
    if len(at) > 2:
        raise UsageError("--at is given at most twice (for OLD, then for NEW)")
    given = [f"{AT}:{date}" for date in at] + list(positional)
    if len(given) > 2:
        extra = printable(positional[-1]) if positional else ""
        raise UsageError(
            f"one argument too many ({extra!r}): give OLD [NEW], with --at DATE "
            "standing for one of them"
        )
    if not given:
        raise UsageError("give OLD (NEW defaults to HEAD), or --at DATE")
    if len(given) == 1:
        given.append(f"{REV}:HEAD")
    return given[0], given[1]


class Sources(contextlib.AbstractContextManager["Sources"]):
    """Opens sources from command-line arguments; one git repository shared by both sides.

    Which argument is which is decided by :func:`catalog_diff.sources.arguments.classify`: an
    argument that is both a revision and an existing path is refused.
    """

    def __init__(self, repo: str = ".") -> None:
        self.repo_path = repo
        self._repo: GitRepository | None = None

    def git(self) -> GitRepository:
        """The repository, opened on first use."""
        from ..git.repository import GitRepository

        if self._repo is None:
            self._repo = GitRepository(self.repo_path)
        return self._repo

    def _commit_of(self, revision: str) -> str | None:
        """The commit ``revision`` resolves to; None when it is none (no repository, or
        one that cannot be read: then no revision could be read in place of the path)."""
        try:
            return self.git().resolve(revision).sha
        except CatalogDiffError:
            return None

    def open(self, argument: str) -> Source:
        found = classify(argument, self._commit_of, self.repo_path)
        if found.kind == AT:
            return self._at(found.value)
        if found.kind == REV:
            from .revision import GitRevisionSource

            repo = self.git()
            if "@{" in found.value:
                warning = repo.reflog_warning(found.value)
                if warning:
                    warnings.warn(
                        f"{found.value}: {warning}: a reflog date reads this clone's own "
                        "reflog; --at DATE picks the last commit at or before DATE",
                        CatalogDiffWarning,
                        stacklevel=2,
                    )
            return GitRevisionSource(repo, found.value)
        path = Path(found.value)
        if found.kind == DIR or (found.kind == PATH and path.is_dir()):
            if not path.is_dir():
                why = "not a directory" if path.exists() else "no such directory"
                raise UsageError(f"{argument}: {why}")
            return DirectorySource(found.value)
        if not path.exists():
            raise UsageError(f"{argument}: no such file")
        if path.is_dir():
            raise UsageError(f"{argument}: a directory, not a snapshot file")
        from .snapshotfile import SnapshotFileSource

        return SnapshotFileSource(found.value)

    def _at(self, date: str) -> Source:
        """The last commit of HEAD's first-parent history at or before ``date``; its
        report keeps the date asked for."""
        from .revision import GitRevisionSource

        sha = commit_at(self.git(), date)
        source = GitRevisionSource(self.git(), sha)
        source.info = replace(source.info, at=date.strip())
        return source

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._repo is not None:
            self._repo.close()
            self._repo = None


def commit_at(repo: GitRepository, date: str, tip: str = "HEAD") -> str:
    """The last commit of ``tip``'s first-parent history dated at or before ``date``
    (``YYYY-MM-DD``: the end of that day, UTC; or an ISO 8601 time)."""
    from datetime import datetime

    from .dates import parse_date

    moment = parse_date(date)
    found = repo.commit_at(moment, repo.resolve(tip).sha)
    # git reads a number below 100000000 (before 1973-03-03) as no date at all: check.
    if found is not None and datetime.fromisoformat(repo.resolve(found).date).timestamp() > moment:
        found = None
    if found is None:
        raise RevisionNotFound(f"--at {date}", repo.path, "no commit at or before that date")
    return found


__all__ = [
    "AT",
    "DIR",
    "PATH",
    "PREFIXES",
    "REV",
    "SNAPSHOT",
    "AmbiguousArgument",
    "Argument",
    "Sources",
    "classify",
    "commit_at",
    "explicit",
    "path_like",
    "sides",
]
