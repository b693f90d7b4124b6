"""Which argument is which: a revision, a directory, a snapshot file or a date.

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
Pure but for looking at the file system: the repository is asked through a callable.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .names import printable

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
    path = Path(text).expanduser() if text.startswith("~/") else Path(text)
    if not (path.exists() or path.is_symlink()):
        return Argument(REV, text)
    if path_like(text):
        return Argument(PATH, str(path) if text.startswith("~/") else text)
    commit = revision(text)
    if commit is None:
        return Argument(PATH, text)
    raise AmbiguousArgument(text, repo, commit, path.is_dir())


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


__all__ = [
    "AT",
    "DIR",
    "PATH",
    "PREFIXES",
    "REV",
    "SNAPSHOT",
    "AmbiguousArgument",
    "Argument",
    "classify",
    "explicit",
    "path_like",
    "sides",
]
