"""The catalog's tag names, their kinds and their order. Pure.

A tag folder of the catalog (``_cache/<tag>/``) is named in one of these shapes:

- ``develop``: the rolling snapshot of Spack's develop branch;
- ``develop-YYYY-MM-DD``: a weekly snapshot of it, ordered by its date;
- a release, ``v`` and a version: ``v0.23.1``, ``v1.0.0``, and release names such as
  ``v2025.11.0``, ordered by Spack's version order (:mod:`.versions`);
- anything else: a plain name, ordered by its text.

:func:`previous_tag` picks the tag a new one follows: the newest release older than a
release, or the newest weekly snapshot older than a weekly snapshot. ``develop`` and
plain names have none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from enum import Enum

from .versions import VersionKey, version_key

_WEEKLY = re.compile(r"develop-(\d{4}-\d{2}-\d{2})")
_RELEASE = re.compile(r"v([0-9][0-9A-Za-z._-]*)")


class TagKind(str, Enum):
    """The shape of a tag name."""

    DEVELOP = "develop"
    WEEKLY = "weekly"
    RELEASE = "release"
    PLAIN = "plain"


def tag_kind(name: str) -> TagKind:
    """Which of the shapes ``name`` has (a ``develop-`` name with no real date is plain)."""
    if name == "develop":
        return TagKind.DEVELOP
    weekly = _WEEKLY.fullmatch(name)
    if weekly is not None:
        try:
            date.fromisoformat(weekly.group(1))
        except ValueError:
            return TagKind.PLAIN
        return TagKind.WEEKLY
    if _RELEASE.fullmatch(name):
        return TagKind.RELEASE
    return TagKind.PLAIN


def tag_key(name: str) -> tuple[int, str | VersionKey, str]:
    """A sort key: releases oldest first by version, then weekly snapshots by date, then
    ``develop``, then plain names by text; the name itself breaks ties."""
    kind = tag_kind(name)
    if kind is TagKind.RELEASE:
        return (0, version_key(name[1:]), name)
    if kind is TagKind.WEEKLY:
        return (1, name, name)
    if kind is TagKind.DEVELOP:
        return (2, name, name)
    return (3, name, name)


def previous_tag(new: str, tags: Iterable[str]) -> str | None:
    """The tag ``new`` follows among ``tags``: the newest of its kind older than it, for a
    release or a weekly snapshot; None when there is none, or ``new`` is of neither kind."""
    kind = tag_kind(new)
    if kind not in (TagKind.RELEASE, TagKind.WEEKLY):
        return None
    same = [t for t in tags if tag_kind(t) is kind]
    if kind is TagKind.RELEASE:
        mark = version_key(new[1:])
        older = [t for t in same if version_key(t[1:]) < mark]
    else:  # ISO dates: their text is in date order
        older = [t for t in same if t < new]
    return max(older, key=tag_key, default=None)
