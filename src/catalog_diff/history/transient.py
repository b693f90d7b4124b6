"""Catalog-wide kinds per commit, and absences that are only transient, from the index.

``log`` judges each shown commit on whole tags the way ``diff`` does
(:func:`catalog_diff.compare.wide.classify_whole`), with the index as the reader of what
the commit did not change (:class:`IndexReader`): for a stack, target, operating system or
compiler that the packages changed at the commit have on one side only, it asks whether
an unchanged package of the tag holds it, one such package being enough. A stack gone at
one commit and back within ``window`` commits is then ``stack-transient`` where it
vanished (its targets with it), and its return no change (:func:`settle`).

Every read is bounded by the commit and its window: the unchanged packages of one tag at
one commit, asked only for values on one side, and the spans that begin or end within
``window`` commits of it (the ``package_spans_first`` and ``package_spans_last``
indexes); never the whole span table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import orjson

from ..model.changes import Change, make, order_key
from ..model.comparison import Comparison
from ..model.snapshot import Package, Snapshot, SourceInfo, SourceKind
from ..parse.specs import normalise_compiler
from .index import HistoryIndex

#: The default window: a stack back within this many daily commits was only missing.
DAILY_WINDOW = 7

#: The specs of a package span, each with its body (``b``), as SQL joins.
SPAN_SPECS = (
    "FROM package_spans AS s "
    "JOIN package_contents AS p ON p.id = s.content_id "
    "JOIN spec_lists AS sl ON sl.id = p.spec_list_id "
    "JOIN json_each(sl.spec_ids) AS j "
    "JOIN specs AS sp ON sp.id = j.value "
    "JOIN spec_bodies AS b ON b.id = sp.body_id "
)
IN_STACK = "EXISTS (SELECT 1 FROM json_each(b.body, '$.stacks') WHERE value = ?)"
#: A spec holds a one-string value as a stack, an operating system or a compiler.
_HOLDS_ONE = (
    f"({IN_STACK} OR json_extract(b.body, '$.os') = ? "
    "OR catalog_diff_compiler(json_extract(b.body, '$.compiler')) = ?)"
)
#: A spec holds a (stack, target) value.
_HOLDS_TWO = f"({IN_STACK} AND json_extract(b.body, '$.target') = ?)"


def _compiler(raw: object) -> str | None:
    return normalise_compiler(raw) if isinstance(raw, str) else None


def _needle(value: str) -> str:
    """A text that a stored spec body (JSON, as :mod:`.specstore` writes it) holds when
    one of its fields is ``value``: the value as a JSON string; for a compiler, the name
    before its ``@`` (stored as the catalog spells it: ``gcc@=11.4.0``)."""
    if "@" in value:
        return orjson.dumps(value.partition("@")[0]).decode()[1:-1]
    return orjson.dumps(value).decode()


def alive_lists(index: HistoryIndex, tag: str, seq: int) -> tuple[int | None, ...]:
    """The spec list ids of the packages of ``tag`` at commit ``seq`` (None for a file
    that could not be read), each distinct list once, in id order. Read through the
    ``package_spans_tag`` index when the file has it (the spans still open, then those
    closed after ``seq``), and kept for the command: the packages at an indexed commit
    never change."""
    key = (tag, seq)
    found = index.alive.get(key)
    if found is None:
        rows = index.conn.execute(
            "SELECT DISTINCT p.spec_list_id FROM package_contents AS p WHERE p.id IN ("
            "SELECT content_id FROM package_spans "
            "WHERE tag = ? AND last_seq IS NULL AND first_seq <= ? "
            "UNION ALL SELECT content_id FROM package_spans "
            "WHERE tag = ? AND last_seq >= ? AND first_seq <= ?)",
            (tag, seq, tag, seq, seq),
        )
        ids = {row[0] for row in rows}
        found = index.alive[key] = ((None,) if None in ids else ()) + tuple(
            sorted(i for i in ids if i is not None)
        )
    return found


def held_in(index: HistoryIndex, lists: tuple[int | None, ...], value: tuple[str, ...]) -> bool:
    """Whether a spec of one of ``lists`` (spec list ids) holds ``value``."""
    cond, args = holds(value)
    ids = orjson.dumps([i for i in lists if i is not None]).decode()
    row = index.conn.execute(
        "SELECT 1 FROM spec_lists AS sl JOIN json_each(sl.spec_ids) AS j "
        "JOIN specs AS sp ON sp.id = j.value JOIN spec_bodies AS b ON b.id = sp.body_id "
        f"WHERE sl.id IN (SELECT value FROM json_each(?)) AND {cond} LIMIT 1",
        [ids, *args],
    ).fetchone()
    return row is not None


def holds(value: tuple[str, ...]) -> tuple[str, list[str]]:
    """The SQL condition (and its arguments) of a spec holding ``value``: a stack, an
    operating system or a compiler (one string), or a target of a stack (two). A test of
    the body's text comes first: most bodies are ruled out without reading their JSON."""
    if len(value) == 2:
        return f"instr(b.body, ?) > 0 AND {_HOLDS_TWO}", [_needle(value[1]), *value]
    return f"instr(b.body, ?) > 0 AND {_HOLDS_ONE}", [_needle(value[0]), *[value[0]] * 3]


def prepare(index: HistoryIndex) -> None:
    index.conn.create_function("catalog_diff_compiler", 1, _compiler, deterministic=True)


class IndexReader:
    """What :func:`~catalog_diff.compare.wide.classify_whole` reads beyond the packages
    changed at commit ``seq``: the packages of the tag unchanged across it, from the
    index (a :class:`~catalog_diff.compare.wide.Reader`)."""

    def __init__(self, index: HistoryIndex, seq: int) -> None:
        self.index, self.seq = index, seq
        prepare(index)

    @property
    def cheap(self) -> bool:
        """Values gained are judged too: an unchanged holder is one indexed look-up."""
        return True

    def unread(
        self, tag: str, skip: frozenset[tuple[str, str]], holding: tuple[tuple[str, ...], ...]
    ) -> Snapshot:
        """For each of ``holding``, one package of ``tag`` unchanged at the commit that
        holds it (the rest of the tag is the same on both sides: one holder shows the value
        is neither gone nor new). A tag with an unchanged file that could not be read is
        given as broken: it is not judged."""
        seq, conn = self.seq, self.index.conn
        alive = "s.tag = ? AND s.first_seq <= ? AND (s.last_seq IS NULL OR s.last_seq >= ?)"
        where = [tag, seq - 1, seq]
        unread = conn.execute(
            "SELECT s.package FROM package_spans AS s JOIN package_contents AS p "
            f"ON p.id = s.content_id WHERE {alive} AND p.spec_list_id IS NULL LIMIT 1",
            where,
        ).fetchone()
        info = SourceInfo(kind=SourceKind.GIT, source=str(seq))
        if unread is not None:
            broken = frozenset({(tag, str(unread[0]))})
            return Snapshot(info=info, packages={}, tags=frozenset({tag}), broken=broken)
        found: dict[tuple[str, str], Package] = {}
        for value in holding:
            cond, args = holds(value)
            row = conn.execute(
                f"SELECT s.package, s.content_id {SPAN_SPECS}WHERE {alive} AND {cond} LIMIT 1",
                [*where, *args],
            ).fetchone()
            if row is None or (tag, row[0]) in skip or (tag, row[0]) in found:
                continue
            content = self.index.content(row[1], tag, row[0])
            if isinstance(content, Package):
                found[(tag, row[0])] = content
        return Snapshot(info=info, packages=found, tags=frozenset({tag}), complete=False)

    def side_tags(self, new_side: bool) -> Iterable[str]:
        """No weekly neighbours: the window of commits judges a stack gone and back."""
        return ()

    def presence(
        self, new_side: bool, tag: str, names: tuple[str, ...], stacks: frozenset[str]
    ) -> frozenset[str]:
        return frozenset()


def back_at(index: HistoryIndex, tag: str, value: tuple[str, ...], seq: int, window: int) -> int:
    """The first commit after ``seq``, within ``window`` commits, at which a span of
    ``tag`` holding ``value`` begins (the value, gone at ``seq``, is back); -1 if none."""
    return _edge(index, tag, value, "MIN(s.first_seq)", "s.first_seq", seq + 1, seq + window)


def gone_since(index: HistoryIndex, tag: str, value: tuple[str, ...], seq: int, window: int) -> int:
    """The last commit, within ``window`` commits before ``seq - 1``, at which a span of
    ``tag`` holding ``value`` ended (the value, new at ``seq``, was there); -1 if none."""
    return _edge(index, tag, value, "MAX(s.last_seq)", "s.last_seq", seq - 1 - window, seq - 2)


def _edge(
    index: HistoryIndex, tag: str, value: tuple[str, ...], pick: str, column: str, lo: int, hi: int
) -> int:
    """``pick`` over the spans of ``tag`` holding ``value`` whose ``column`` (where they
    begin or end) is between commits ``lo`` and ``hi``; -1 if none."""
    prepare(index)
    cond, args = holds(value)
    row = index.conn.execute(
        f"SELECT {pick} {SPAN_SPECS}WHERE {column} BETWEEN ? AND ? AND s.tag = ? AND {cond}",
        [lo, hi, tag, *args],
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else -1


def short(index: HistoryIndex, seq: int) -> str:
    commit = index.commit_at_seq(seq)
    return commit.sha[:12] if commit is not None else str(seq)


def around(index: HistoryIndex, gone: int, back: int) -> str:
    """``commits <last there> and <back>`` for an absence from ``gone`` to ``back - 1``."""
    return f"commits {short(index, gone - 1)} and {short(index, back)}"


def settle(
    index: HistoryIndex, seq: int, window: int, changes: Sequence[Change]
) -> tuple[Change, ...]:
    """The changes of commit ``seq`` with what is gone and back within ``window`` commits
    judged transient: a stack removed here and back within the window is
    ``stack-transient`` (its targets dropped with it are not listed); a stack added here
    that was there within the window before is no change (nor are its targets); then
    targets, operating systems and compilers as :func:`settle_values` says."""
    transient: set[tuple[str, str]] = set()
    returned: set[tuple[str, str]] = set()
    out: list[Change] = []
    for change in changes:
        stack = change.stack or change.subject
        if change.code == "stack-removed":
            back = back_at(index, change.tag, (stack,), seq, window)
            if back >= 0:
                transient.add((change.tag, stack))
                where = around(index, seq, back)
                out.append(make("stack-transient", change.tag, stack, stack=stack, around=where))
                continue
        if (
            change.code == "stack-added"
            and gone_since(index, change.tag, (stack,), seq, window) >= 0
        ):
            returned.add((change.tag, stack))
            continue
        out.append(change)
    kept = [
        c
        for c in out
        if not (
            (c.code == "target-dropped" and (c.tag, c.stack or "") in transient)
            or (c.code == "target-added" and (c.tag, c.stack or "") in returned)
        )
    ]
    return settle_values(index, seq, window, kept)


def settle_values(
    index: HistoryIndex, seq: int, window: int, changes: Sequence[Change]
) -> tuple[Change, ...]:
    """The changes of commit ``seq`` with a target of a stack, an operating system or a
    compiler dropped here and back within ``window`` commits ``target-transient``,
    ``os-transient`` or ``compiler-transient``, and a target added here that was there
    within the window before no change; in the report's order."""
    settled: list[Change] = []
    for c in changes:
        code = _TRANSIENT.get(c.code)
        if code is None and c.code != "target-added":
            settled.append(c)
            continue
        value = (c.stack or "", c.subject) if c.code.startswith("target-") else (c.subject,)
        if code is None:  # target-added
            if gone_since(index, c.tag, value, seq, window) < 0:
                settled.append(c)  # else back after an absence within the window
            continue
        back = back_at(index, c.tag, value, seq, window)
        if back >= 0:
            where = around(index, seq, back)
            c = make(code, c.tag, c.subject, stack=c.stack, value=c.subject, around=where)
        settled.append(c)
    return tuple(sorted(settled, key=order_key))


#: The kind a drop takes when what was dropped is back within the window.
_TRANSIENT = {
    "target-dropped": "target-transient",
    "os-dropped": "os-transient",
    "compiler-dropped": "compiler-transient",
}


def facets(packages: Iterable[Package]) -> set[tuple[str, ...]]:
    """The stacks, targets of stacks, operating systems and compilers of some packages:
    what the catalog-wide kinds are judged on."""
    seen: set[tuple[str, str, tuple[str, ...], str]] = set()
    for package in packages:
        seen.update({(s.os, s.compiler, s.stacks, s.target) for s in package.specs})
    out: set[tuple[str, ...]] = set()
    for os, compiler, stacks, target in seen:
        out.add(("os", os))
        out.add(("compiler", compiler))
        for stack in stacks:
            out.add(("stack", stack))
            out.add(("target", stack, target))
    return out


def _facets(snapshot: Snapshot, tag: str) -> set[tuple[str, ...]]:
    return facets(p for (at, _), p in snapshot.packages.items() if at == tag)


def _one_sided(comparison: Comparison, old: Snapshot, new: Snapshot) -> bool:
    """Whether the packages read of some compared tag have a stack, target, operating
    system or compiler on one side only (else no catalog-wide kind can be: the rest of the
    tag is the same on both sides)."""
    from ..compare.wide import wide_tags

    for tag in sorted(wide_tags(comparison) & old.tags & new.tags):
        if _facets(old, tag) != _facets(new, tag):
            return True
    return False


def judge(
    index: HistoryIndex, seq: int, window: int, comparison: Comparison, old: Snapshot, new: Snapshot
) -> Comparison:
    """``comparison`` (of the packages changed at commit ``seq``: ``old`` and ``new``)
    with its changes classified on whole tags, and stacks gone and back within
    ``window`` commits judged transient (:func:`settle`)."""
    from ..compare.kinds import classify
    from ..compare.wide import classify_whole

    if not _one_sided(comparison, old, new):
        return dataclasses.replace(comparison, changes=classify(comparison, {}, {}))
    judged = classify_whole(comparison, old, new, IndexReader(index, seq))
    return dataclasses.replace(judged, changes=settle(index, seq, window, judged.changes))


__all__ = [
    "DAILY_WINDOW",
    "IN_STACK",
    "SPAN_SPECS",
    "IndexReader",
    "around",
    "back_at",
    "facets",
    "gone_since",
    "holds",
    "judge",
    "prepare",
    "settle",
    "settle_values",
]
