"""The JSON report: the contract other programs read (schema in ``schemas/diff.schema.json``).

``schema_version`` changes only when a field is removed or changes meaning; new fields may
be added at any time. Keys are sorted and lists come in the comparison's order. Values
are the input's own; :func:`.escape.json_dumps` writes the characters that could act on a
terminal as ``\\u`` escapes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from importlib import resources
from typing import Any

from ..model.changes import Change, Explanation
from ..model.comparison import (
    Comparison,
    FieldChange,
    PackageChange,
    ProblemRecord,
    Rollup,
    SpecPair,
    StackCounts,
    TagCount,
)
from ..model.snapshot import FACETS, SourceInfo
from .common import rollup_text
from .escape import json_dumps

SCHEMA_VERSION = 1


def schema() -> str:
    """The JSON Schema of the report, as shipped in the package."""
    return resources.files("catalog_diff").joinpath("schemas/diff.schema.json").read_text("utf-8")


def source_entry(info: SourceInfo) -> dict[str, Any]:
    """Where a report's data came from (also used by the audit and lint JSON); ``at``,
    the date asked for, only for a commit picked with ``--at DATE``."""
    entry = {
        "kind": info.kind.value,
        "source": info.source,
        "revision": info.revision,
        "commit": info.commit,
        "date": info.date,
    }
    if info.at is not None:
        entry["at"] = info.at
    return entry


def _source(info: SourceInfo, tag: str | None) -> dict[str, Any]:
    return {**source_entry(info), "tag": tag}


def _pair(pair: SpecPair) -> dict[str, Any]:
    entry = {"old": pair.old.as_dict(), "new": pair.new.as_dict()}
    if pair.compiler_renamed:
        entry["compiler_renamed"] = {"old": pair.old.compiler, "new": pair.new.compiler}
    return entry


def _tag_count(count: TagCount) -> dict[str, Any]:
    return {"tag": count.tag, "packages": count.packages, "specs": count.specs}


def problem_entry(p: ProblemRecord) -> dict[str, Any]:
    """One problem of a report (also used by the audit commands' JSON)."""
    return {
        "side": p.side.value,
        "revision": p.revision,
        "commit": p.commit,
        "path": p.path,
        "message": p.message,
    }


def _field(change: FieldChange) -> dict[str, Any]:
    return {
        "old": change.old,
        "new": change.new,
        "added": list(change.added),
        "removed": list(change.removed),
    }


def package_entry(change: PackageChange) -> dict[str, Any]:
    """One package entry of the report (also used by later commands' JSON)."""
    specs = change.specs
    entry: dict[str, Any] = {
        "tag": change.tag,
        "name": change.name,
        "status": change.status.value,
        "old_path": change.old_path,
        "new_path": change.new_path,
        "specs": {
            "added": [s.as_dict() for s in specs.added],
            "removed": [s.as_dict() for s in specs.removed],
            "rebuilt": [_pair(p) for p in specs.rebuilt],
            "compiler_changed": [_pair(p) for p in specs.compiler_changed],
            "version_changed": [_pair(p) for p in specs.version_changed],
            "stacks_changed": [
                {"hash": c.hash, "added": list(c.added), "removed": list(c.removed)}
                for c in specs.stacks_changed
            ],
            "fields_changed": [
                {"hash": c.hash, "fields": {f.name: _field(f) for f in c.fields}}
                for c in specs.fields_changed
            ],
        },
    }
    for facet in FACETS:
        delta = change.facet(facet)
        entry[facet] = {"added": list(delta.added), "removed": list(delta.removed)}
    return entry


def to_dict(comparison: Comparison) -> dict[str, Any]:
    """The report as plain data."""
    summary = comparison.summary
    return {
        "schema_version": SCHEMA_VERSION,
        "old": _source(comparison.old, comparison.old_tag),
        "new": _source(comparison.new, comparison.new_tag),
        "summary": dataclasses.asdict(summary),
        "tags": {
            "added": [_tag_count(t) for t in comparison.tags_added],
            "removed": [_tag_count(t) for t in comparison.tags_removed],
        },
        "problems": [problem_entry(p) for p in comparison.problems],
        "packages": [package_entry(c) for c in comparison.packages],
        "rollups": [_rollup(r) for r in comparison.rollups],
        "stack_counts": _stack_counts(comparison.stack_counts),
        "gates": [
            {
                "condition": g.condition,
                "tripped": g.tripped,
                "status": g.status.value,
                "count": g.count,
                "reason": g.reason,
            }
            for g in comparison.gates
        ],
        "changes": [change_entry(c) for c in comparison.changes],
    }


def change_entry(change: Change) -> dict[str, Any]:
    """One classified change (also used by the release notes' JSON)."""
    return {
        "code": change.code,
        "severity": change.severity.value,
        "tag": change.tag,
        "package": change.package,
        "subject": change.subject,
        "impact": change.impact,
        "stack": change.stack,
        **({"explanation": _explanation(change.explanation)} if change.explanation else {}),
    }


def _explanation(e: Explanation) -> dict[str, Any]:
    back = {"commit": e.back, "date": e.back_date} if e.back is not None else None
    return {
        "went": {"commit": e.went, "date": e.went_date},
        "back": back,
        "window": e.window,
        "transient": e.transient,
    }


def _members(keys: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"tag": tag, "name": name} for tag, name in keys]


def _rollup(rollup: Rollup) -> dict[str, Any]:
    return {
        "kind": rollup.kind.value,
        "subject": rollup.subject,
        "old": rollup.old,
        "new": rollup.new,
        "packages": len(rollup.packages),
        "specs": rollup.specs,
        "packages_gained": len(rollup.gained),
        "packages_lost": len(rollup.lost),
        "specs_gained": rollup.specs_gained,
        "specs_lost": rollup.specs_lost,
        "members": _members(rollup.packages),
        "gained": _members(rollup.gained),
        "lost": _members(rollup.lost),
        "text": rollup_text(rollup),
    }


def _stack_counts(counts: StackCounts | None) -> dict[str, Any]:
    if counts is None:
        counts = StackCounts(complete=False, rows=())
    complete = counts.complete
    return {
        "complete": complete,
        "stacks": [
            {
                "tag": row.tag,
                "stack": row.stack,
                "old": row.old if complete else None,
                "new": row.new if complete else None,
                "delta": row.delta,
            }
            for row in counts.rows
        ],
        "packages_counted": counts.packages_counted,
        "meta_checked": counts.meta_checked,
        "meta_mismatches": [
            {
                "side": m.side.value,
                "tag": m.tag,
                "name": m.name,
                "path": m.path,
                "stack": m.stack,
                "meta": m.meta,
                "specs": m.specs,
            }
            for m in counts.mismatches
        ],
    }


#: Where the root's ``packages`` list is, in the report written with no package: the only
#: key at the root's indentation that is followed by ``[`` (a string holds no newline).
_PACKAGES = '\n  "packages": []'
#: A package entry is written as the one entry of a root's ``packages`` list, so that it
#: comes indented to its place; what surrounds it there is cut off.
_HEAD, _TAIL = '{\n  "packages": [\n', "\n  ]\n}"


def render(comparison: Comparison, color: bool = False) -> Iterator[str]:
    """The report, one package at a time: the same bytes as :func:`json_dumps` of
    :func:`to_dict`, without the whole report ever held as data (each package's entry is
    written, indented to its place in the list, and dropped)."""
    if not comparison.packages:
        yield json_dumps(to_dict(comparison))
        return
    whole = json_dumps({**to_dict(dataclasses.replace(comparison, packages=())), "packages": []})
    at = whole.index(_PACKAGES)
    yield whole[:at] + _PACKAGES[:-1]
    last = len(comparison.packages) - 1
    head, tail = len(_HEAD), -len(_TAIL)
    for i, change in enumerate(comparison.packages):
        entry = json_dumps({"packages": [package_entry(change)]})[head:tail]
        yield f"{entry}," if i < last else entry
    yield "  ]" + whole[at + len(_PACKAGES) :]
