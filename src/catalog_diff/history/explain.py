"""Removals of a comparison of two indexed commits, explained from the history index.

For each removal-type change of a ``diff`` between two commits of the first-parent
history (a stack, a target of a stack, an operating system or a compiler gone from a tag;
a package gone; a group of specs removed from a package), :func:`explain` finds the
first commit without it after the old side (the commit after the last one that still had
it) and whether it came back within ``window`` commits of going: then it was transient.

The reads are bounded by the two commits and the window: the spans that end between the
old and the new commit and begin within the window after the new one (by the
``package_spans_last`` and ``package_spans_first`` indexes), or one package's spans.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Sequence

from ..model.changes import Change, Explanation
from ..model.comparison import PackageChange
from ..model.snapshot import Package
from .index import HistoryIndex, IndexedCommit
from .indexfile import sqlite_fault
from .migrations import SCHEMA_VERSION, check, read_only_uri
from .transient import IN_STACK, SPAN_SPECS, prepare

#: The removal kinds explained, and how a spec holds what each one lost.
CONDITIONS: dict[str, str] = {
    "stack-removed": IN_STACK,
    "stack-empty": IN_STACK,
    "target-dropped": f"{IN_STACK} AND json_extract(b.body, '$.target') = ?",
    "os-dropped": "json_extract(b.body, '$.os') = ?",
    "compiler-dropped": "catalog_diff_compiler(json_extract(b.body, '$.compiler')) = ?",
}

#: Every kind :func:`explain` explains.
EXPLAINED = frozenset({*CONDITIONS, "package-removed", "spec-removed"})


def _arguments(change: Change) -> list[str]:
    if change.code == "target-dropped":
        return [change.stack or "", change.subject]
    if change.code in ("stack-removed", "stack-empty"):
        return [change.stack or change.subject]
    return [change.subject]


class Explainer:
    """Explains the removals between the indexed commits ``old`` and ``new``."""

    def __init__(
        self, index: HistoryIndex, old: IndexedCommit, new: IndexedCommit, window: int
    ) -> None:
        self.index, self.old, self.new, self.window = index, old, new, window
        prepare(index)

    def _explanation(self, went: int, back: int | None) -> Explanation | None:
        gone = self.index.commit_at_seq(went)
        if gone is None:
            return None
        again = self.index.commit_at_seq(back) if back is not None else None
        return Explanation(
            went=gone.sha,
            went_date=gone.date,
            window=self.window,
            back=again.sha if again is not None else None,
            back_date=again.date if again is not None else None,
        )

    def _wide(self, change: Change) -> Explanation | None:
        """A stack, target, operating system or compiler gone from the tag."""
        cond, args = CONDITIONS[change.code], _arguments(change)
        conn, old, new = self.index.conn, self.old.seq, self.new.seq
        row = conn.execute(
            f"SELECT MAX(s.last_seq) {SPAN_SPECS}"
            f"WHERE s.last_seq BETWEEN ? AND ? AND s.tag = ? AND {cond}",
            [old, new - 1, change.tag, *args],
        ).fetchone()
        if row is None or row[0] is None:
            return None
        went = int(row[0]) + 1
        back = None
        if went + self.window > new:
            found = conn.execute(
                f"SELECT MIN(s.first_seq) {SPAN_SPECS}"
                f"WHERE s.first_seq BETWEEN ? AND ? AND s.tag = ? AND {cond}",
                [new + 1, went + self.window, change.tag, *args],
            ).fetchone()
            back = int(found[0]) if found and found[0] is not None else None
        return self._explanation(went, back)

    def _package(self, change: Change, specs: PackageChange | None) -> Explanation | None:
        """A package gone (``specs`` None), or some of its specs (by build: a spec back
        under a new hash is back)."""
        name = change.package or ""
        builds = {s.build for s in specs.specs.removed} if specs is not None else set()
        old, new = self.old.seq, self.new.seq

        def has(content: Package | str) -> bool:
            if not builds:
                return True
            return isinstance(content, Package) and any(s.build in builds for s in content.specs)

        went = back = None
        for v in self.index.versions(name, change.tag):
            last = v.last_seq if v.last_seq is not None else new
            if v.first_seq < new and last >= old:
                if has(self.index.content(v.content_id, change.tag, name)):
                    went = max(went or 0, min(last, new - 1) + 1)
            elif (
                went is not None
                and back is None
                and new < v.first_seq <= went + self.window
                and has(self.index.content(v.content_id, change.tag, name))
            ):
                back = v.first_seq
        return self._explanation(went, back) if went is not None else None

    def explain(self, change: Change, packages: dict[tuple[str, str], PackageChange]) -> Change:
        """``change`` with its explanation, if it is a removal that the index places."""
        if change.code not in EXPLAINED:
            return change
        if change.code in CONDITIONS:
            found = self._wide(change)
        else:
            specs = packages.get((change.tag, change.package or ""))
            found = self._package(change, specs if change.code == "spec-removed" else None)
        return dataclasses.replace(change, explanation=found) if found else change


def current(path: str) -> bool:
    """Whether ``path`` is an index of this catalog-diff's schema, read through a
    read-only connection: opening it for :func:`explain` then writes nothing (no
    migration). An :class:`~catalog_diff.history.migrations.IndexFileError` for a file
    that is not an index or cannot be read."""
    try:
        probe = sqlite3.connect(read_only_uri(path), uri=True)
    except sqlite3.Error as exc:
        raise sqlite_fault(path, exc) from exc
    try:
        return check(probe, path) == SCHEMA_VERSION
    finally:
        probe.close()


def explain(
    index: HistoryIndex,
    changes: Sequence[Change],
    packages: Sequence[PackageChange],
    old: IndexedCommit,
    new: IndexedCommit,
    window: int,
) -> tuple[Change, ...]:
    """``changes`` (of a comparison of the indexed commits ``old`` and ``new``, whose
    package changes are ``packages``) with each removal explained (see the module)."""
    explainer = Explainer(index, old, new, window)
    by_key = {(p.tag, p.name): p for p in packages}
    return tuple(explainer.explain(c, by_key) for c in changes)


__all__ = ["EXPLAINED", "Explainer", "current", "explain"]
