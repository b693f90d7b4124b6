"""What a load selects: tags, and package-name globs given with ``--package`` (matched as a
union). Pure."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import UsageError

#: What a ``package`` argument of the library may be: one glob, several (any of them
#: matches), or None (every package).
Globs = str | Iterable[str] | None


def split_range(revision: str) -> tuple[str | None, str]:
    """A revision range of the history commands: ``A..B`` -> ``(A, B)`` (the commits
    after A up to B), ``REV`` -> ``(None, REV)``. The last ``..`` separates; an empty
    start is None (from the first commit), an empty end is ``HEAD``."""
    first, sep, last = revision.rpartition("..")
    if not sep:
        return None, revision
    return first or None, last or "HEAD"


def globs(value: Globs) -> tuple[str, ...]:
    """``value`` as a tuple of globs (empty: no filter)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def matches(name: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``name`` matches any of ``patterns`` (case-sensitive); True when there are
    none."""
    return not patterns or any(fnmatch.fnmatchcase(name, p) for p in patterns)


def matches_all(name: str, groups: Iterable[tuple[str, ...]]) -> bool:
    """Whether ``name`` matches each group of patterns (see :func:`matches`)."""
    return all(matches(name, group) for group in groups)


__all__ = ["Globs", "globs", "matches", "matches_all"]


@dataclass(frozen=True)
class Selection:
    """Which part of the catalog to compare.

    ``tag`` limits both sides to one tag; ``old_tag``/``new_tag`` compare tag X of the old
    side with tag Y of the new side; ``package`` is a glob on package names, or several
    (a package matching any of them is selected).
    """

    tag: str | None = None
    old_tag: str | None = None
    new_tag: str | None = None
    package: Globs = None

    def __post_init__(self) -> None:
        if (self.old_tag is None) != (self.new_tag is None):
            raise UsageError("--old-tag and --new-tag go together")
        if self.tag is not None and self.old_tag is not None:
            raise UsageError("--tag cannot be combined with --old-tag/--new-tag")
        if self.package is not None and not isinstance(self.package, str):
            object.__setattr__(self, "package", tuple(self.package) or None)

    @property
    def packages(self) -> tuple[str, ...]:
        """The package globs (empty: every package)."""
        return globs(self.package)

    def side_tag(self, old: bool) -> str | None:
        return (self.old_tag if old else self.new_tag) or self.tag


ALL = Selection()
