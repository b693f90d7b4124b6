"""The library's entry points: one call per job, each returning model objects.

:mod:`.catalog` holds the calls on one or two catalogs (diff, snapshot, lint, show,
release notes, the commit at a date), :mod:`.index` those on the history index
(open_index, log, history, when, trends). Heavy modules (GitPython, SQLite) are imported by the
calls that need them, so that a command pays only for what it does.
"""

from __future__ import annotations

from ..model.selection import ALL, Selection
from ..model.snapshot import Snapshot
from ..sources.arguments import Sources
from .catalog import commit_at, diff, lint, release_notes, show, snapshot

TYPE_CHECKING = False  # typing is not imported for this alone
if TYPE_CHECKING:
    from typing import Any

    from .index import Moment, Progress, history, log, open_index, trends, when

#: The calls on the history index, imported on first use: a diff does not load them.
_INDEX = frozenset({"Moment", "Progress", "history", "log", "open_index", "trends", "when"})

__all__ = [
    "ALL",
    "Moment",
    "Progress",
    "Selection",
    "Snapshot",
    "Sources",
    "commit_at",
    "diff",
    "history",
    "lint",
    "log",
    "open_index",
    "release_notes",
    "show",
    "snapshot",
    "trends",
    "when",
]


def __getattr__(name: str) -> Any:
    if name in _INDEX:
        from . import index

        return getattr(index, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
