"""JSON for the audit commands: the contracts other programs read.

Schemas ship in ``schemas/{log,history,when,show}.schema.json``; like the diff report they
carry ``schema_version`` 1, whose fields keep their meaning (fields may be added). Package
entries, summaries, tags and problems are built exactly as the diff report builds them.
Keys are sorted; lists come in the order the caller gives, except ``show``'s tags and
packages, which are keyed by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib import resources
from typing import Any

from ..compare.kinds import package_changes
from ..model.changes import order_key
from ..model.history import (
    Absence,
    CatalogState,
    CommitRef,
    HistoryEvent,
    LogEntry,
    PackageHistory,
    PackageState,
    Presence,
)
from .escape import json_dumps
from .json import (
    SCHEMA_VERSION,
    change_entry,
    package_entry,
    problem_entry,
    source_entry,
    to_dict,
)
from .states import STATE_FACETS, packages_by_tag

#: The commands with a JSON Schema of their own.
COMMANDS: tuple[str, ...] = ("log", "history", "when", "show")


def schema(command: str) -> str:
    """The JSON Schema of one command's report, as shipped in the package."""
    if command not in COMMANDS:
        raise ValueError(f"no schema for {command!r}")
    path = f"schemas/{command}.schema.json"
    return resources.files("catalog_diff").joinpath(path).read_text("utf-8")


def _dumps(data: dict[str, Any]) -> Iterator[str]:
    yield json_dumps(data)


def _ref(ref: CommitRef) -> dict[str, Any]:
    return {"commit": ref.commit, "date": ref.date, "subject": ref.subject}


# ---- log ------------------------------------------------------------------------------


def _log_commit(entry: LogEntry) -> dict[str, Any]:
    diff = to_dict(entry.comparison)
    change = entry.layout_change
    return {
        **_ref(entry.commit),
        "layout": entry.layout,
        "layout_change": {"old": change[0], "new": change[1]} if change else None,
        "summary": diff["summary"],
        "tags": diff["tags"],
        "problems": diff["problems"],
        "packages": diff["packages"],
        "changes": diff["changes"],
    }


def log_dict(entries: Sequence[LogEntry]) -> dict[str, Any]:
    """``log`` as plain data: one object per commit, in the order given."""
    return {"schema_version": SCHEMA_VERSION, "commits": [_log_commit(e) for e in entries]}


def render_log(entries: Sequence[LogEntry], color: bool = False) -> Iterator[str]:
    yield from _dumps(log_dict(entries))


# ---- history --------------------------------------------------------------------------


def _event(event: HistoryEvent) -> dict[str, Any]:
    change, absence = event.change, event.absence
    found = [*(package_changes(change) if change is not None else ()), *event.changes]
    kinds = sorted(found, key=order_key)
    return {
        **_ref(event.commit),
        "change": package_entry(change) if change is not None else None,
        "problem": event.problem,
        "changes": [change_entry(c) for c in kinds],
        "transient_absence": (
            {"first": _ref(absence.first), "last": _ref(absence.last)} if absence else None
        ),
    }


def _absence(absence: Absence) -> dict[str, Any]:
    return {
        "tag": absence.tag,
        "first": _ref(absence.first),
        "last": _ref(absence.last),
        "commits": absence.commits,
        "changes": [change_entry(c) for c in sorted(absence.changes, key=order_key)],
    }


def history_dict(history: PackageHistory) -> dict[str, Any]:
    """``history`` as plain data: the package's events, oldest first."""
    return {
        "schema_version": SCHEMA_VERSION,
        "package": history.package,
        "tag": history.tag,
        "events": [_event(e) for e in history.events],
        "transient_absences": [_absence(a) for a in history.absences],
        "end": _ref(history.end) if history.end is not None else None,
        "indexed_from": _ref(history.indexed_from) if history.indexed_from else None,
    }


def render_history(history: PackageHistory, color: bool = False) -> Iterator[str]:
    yield from _dumps(history_dict(history))


# ---- when -----------------------------------------------------------------------------


def when_dict(presence: Presence) -> dict[str, Any]:
    """``when`` as plain data: first and last seen, and every interval of presence."""
    kind, value = presence.query
    first, last = presence.first_seen, presence.last_seen
    return {
        "schema_version": SCHEMA_VERSION,
        "package": presence.package,
        "tag": presence.tag,
        "query": {kind: value},
        "first_seen": _ref(first) if first is not None else None,
        "last_seen": _ref(last) if last is not None else None,
        "present_at_end": presence.present_at_end,
        "end": _ref(presence.end) if presence.end is not None else None,
        "indexed_from": _ref(presence.indexed_from) if presence.indexed_from else None,
        "intervals": [{"first": _ref(i.first), "last": _ref(i.last)} for i in presence.intervals],
        "problems": [problem_entry(p) for p in presence.problems],
        "transient_gaps": [{"first": _ref(i.first), "last": _ref(i.last)} for i in presence.gaps],
    }


def render_when(presence: Presence, color: bool = False) -> Iterator[str]:
    yield from _dumps(when_dict(presence))


# ---- show -----------------------------------------------------------------------------


def _package_state(package: PackageState) -> dict[str, Any]:
    entry: dict[str, Any] = {"specs": package.spec_count}
    entry.update((facet, sorted(getattr(package, facet))) for facet in STATE_FACETS)
    if package.specs is not None:
        entry["spec_details"] = [s.as_dict() for s in package.specs]
    return entry


def show_dict(state: CatalogState) -> dict[str, Any]:
    """``show`` as plain data: per tag, per package, its spec count and facets."""
    tags = {
        tag: {"packages": {p.name: _package_state(p) for p in packages}}
        for tag, packages in packages_by_tag(state).items()
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "commit": state.source.commit,
        "date": state.source.date,
        "source": source_entry(state.source),
        "tags": tags,
        "problems": [problem_entry(p) for p in state.problems],
    }


def render_show(state: CatalogState, color: bool = False) -> Iterator[str]:
    yield from _dumps(show_dict(state))
