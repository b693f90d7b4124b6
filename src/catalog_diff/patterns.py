"""Package-name patterns: globs given with ``--package``, matched as a union. Pure."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

#: What a ``package`` argument of the library may be: one glob, several (any of them
#: matches), or None (every package).
Globs = str | Iterable[str] | None


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


def is_exact(pattern: str) -> bool:
    """Whether a glob is a plain name (no ``*``, ``?`` or ``[``)."""
    return not any(c in pattern for c in "*?[")


__all__ = ["Globs", "globs", "is_exact", "matches", "matches_all"]
