"""Absences of one package, from the history index: ``history`` and ``when``.

A package gone at one commit and back within the transient window is
``package-transient`` there, not removed and added again; a stack, target or compiler of
it gone and back within the window is ``stack-transient``, ``target-transient`` or
``compiler-transient`` where it went (:func:`facet_transients`); ``when`` joins the
spans of a presence across such an absence (:func:`bridge`). :func:`wide_kinds` gives the
catalog-wide kinds a package's change takes part in at one commit (a stack it was the
last to hold, ...), asking the index about that commit and the window around it only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from ..model.changes import Change, make, order_key
from ..model.comparison import PackageChange
from ..model.history import HistoryEvent
from ..model.snapshot import Facet, Package, Spec
from ..words import count_of
from .index import HistoryIndex, Version
from .transient import (
    IN_STACK,
    SPAN_SPECS,
    alive_lists,
    around,
    back_at,
    facets,
    gone_since,
    held_in,
    prepare,
    settle_values,
)

#: The facets of a package whose absence within the window is transient, with its kind.
FACET_KINDS = {
    Facet.STACKS: "stack-transient",
    Facet.TARGETS: "target-transient",
    Facet.OSS: "os-transient",
    Facet.COMPILERS: "compiler-transient",
}


def back_soon(gone: Version | None, back: Version | None, window: int, last: int) -> bool:
    """Whether ``back`` begins within ``window`` commits after ``gone`` ended (and by
    commit ``last``): the package's absence between them is transient."""
    if gone is None or back is None or gone.last_seq is None:
        return False
    return back.first_seq - gone.last_seq - 1 <= window and back.first_seq <= last


def package_transient(index: HistoryIndex, tag: str, package: str, gone: int, back: int) -> Change:
    """A package missing from commit ``gone`` and back at ``back``."""
    return make("package-transient", tag, package, package, around=around(index, gone, back))


def _has(facet: Facet, spec: Spec, value: str) -> bool:
    got = facet.get(spec)
    return value in got if facet.many else bool(got == value)


def facet_transients(
    index: HistoryIndex,
    versions: Sequence[Version],
    change: PackageChange,
    seq: int,
    window: int,
    last: int,
) -> tuple[Change, ...]:
    """The stacks, targets and compilers that ``change`` (at commit ``seq``) took from
    the package and that a later version of it (``versions``, of the change's tag) has
    again within ``window`` commits (and by commit ``last``): each a transient kind."""
    lost = [(f, v) for f in FACET_KINDS for v in change.facet(f.key).removed]
    if not lost:
        return ()
    tag, name = change.tag, change.name
    later = [v for v in versions if seq < v.first_seq <= min(seq + window, last)]
    out: list[Change] = []
    for facet, value in lost:
        for v in later:
            content = index.content(v.content_id, tag, name)
            if isinstance(content, Package) and any(_has(facet, s, value) for s in content.specs):
                where = around(index, seq, v.first_seq)
                stack = value if facet is Facet.STACKS else None
                code = FACET_KINDS[facet]
                out.append(make(code, tag, value, name, stack, value=value, around=where))
                break
    return tuple(sorted(out, key=order_key))


def bridge(
    spans: Sequence[tuple[int, int]], window: int, unknown: Sequence[tuple[int, int]] = ()
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of presence (first, last commit), oldest first, joined across absences of
    at most ``window`` commits, and those absences (first, last commit missing). An
    absence that overlaps an ``unknown`` stretch (a file that could not be read) is not
    bridged: there the value is unknown, not missing."""
    joined: list[tuple[int, int]] = []
    gaps: list[tuple[int, int]] = []
    for first, last in spans:
        if joined:
            gap = (joined[-1][1] + 1, first - 1)
            hidden = any(a <= gap[1] and b >= gap[0] for a, b in unknown)
            if gap[1] >= gap[0] and gap[1] - gap[0] + 1 <= window and not hidden:
                gaps.append(gap)
                joined[-1] = (joined[-1][0], last)
                continue
        joined.append((first, last))
    return joined, gaps


def _values(package: Package | None) -> set[tuple[str, ...]]:
    """A package's stacks, targets of stacks, operating systems and compilers."""
    return facets([package]) if package is not None else set()


_WIDE_CODES = {
    "stack": ("stack-removed", "stack-added"),
    "target": ("target-dropped", "target-added"),
    "os": ("os-dropped", None),
    "compiler": ("compiler-dropped", None),
}


def _anywhere(index: HistoryIndex, tag: str, value: tuple[str, ...], seq: int) -> bool | None:
    """Whether some package of ``tag`` at commit ``seq`` holds ``value`` (a kind and
    its strings); None when a file of the tag there could not be read (unknown)."""
    lists = alive_lists(index, tag, seq)
    if lists[:1] == (None,):
        return None
    return held_in(index, lists, value[1:])


def _stack_specs(index: HistoryIndex, tag: str, stack: str, seq: int, ended: bool) -> str:
    """The specs of ``stack`` in the spans of ``tag`` that ended just before ``seq``
    (``ended``) or began at it: all of the stack's, when it went or came at ``seq``."""
    column = "s.last_seq" if ended else "s.first_seq"
    row = index.conn.execute(
        f"SELECT COUNT(*) {SPAN_SPECS}WHERE {column} = ? AND s.tag = ? AND {IN_STACK}",
        [seq - 1 if ended else seq, tag, stack],
    ).fetchone()
    return count_of(int(row[0]) if row else 0, "spec")


def wide_kinds(
    index: HistoryIndex,
    tag: str,
    old: Package | None,
    new: Package | None,
    seq: int,
    window: int,
    respelt: frozenset[str] = frozenset(),
) -> tuple[Change, ...]:
    """The catalog-wide kinds at commit ``seq`` that one package's change (``old`` to
    ``new``, in ``tag``) takes part in: a stack, target of a stack, operating system or
    compiler it lost that no package of the tag has at ``seq`` (``stack-removed``, or
    ``stack-transient`` when back within ``window`` commits; ``target-dropped``, ...), or
    one it gained that no package had before (``stack-added``, unless it was there
    within the window; ``target-added``). A tag that was not there on both sides, or with
    a file that could not be read, is not judged. A compiler of ``respelt`` (renamed by
    the compiler aliases to one the package has now) is not lost."""
    mine_old, mine_new = _values(old), _values(new)
    lost = mine_old - mine_new - {("compiler", c) for c in respelt}
    gained = mine_new - mine_old
    if not (lost or gained) or not {tag} <= index.tags_at(seq) & index.tags_at(seq - 1):
        return ()
    prepare(index)
    out: list[Change] = []
    for value in sorted(lost):
        kind = value[0]
        if _anywhere(index, tag, value, seq) is not False:
            continue
        if kind == "stack":
            stack = value[1]
            back = back_at(index, tag, (stack,), seq, window)
            if back >= 0:
                out.append(
                    make(
                        "stack-transient", tag, stack, stack=stack, around=around(index, seq, back)
                    )
                )
            else:
                specs = _stack_specs(index, tag, stack, seq, True)
                out.append(make("stack-removed", tag, stack, stack=stack, specs=specs))
        elif kind == "target":
            stack, target = value[1], value[2]
            if _anywhere(index, tag, ("stack", stack), seq) or (
                back_at(index, tag, (stack,), seq, window) < 0
            ):
                out.append(make("target-dropped", tag, target, stack=stack, value=target))
        else:
            out.append(make(_WIDE_CODES[kind][0], tag, value[1], value=value[1]))
    for value in sorted(gained):
        kind, added = value[0], _WIDE_CODES[value[0]][1]
        if added is None or _anywhere(index, tag, value, seq - 1) is not False:
            continue
        if gone_since(index, tag, ("stack", value[1])[1:], seq, window) >= 0 and not (
            _anywhere(index, tag, ("stack", value[1]), seq - 1)
        ):
            continue  # the stack is back within the window: no change, nor its targets
        if kind == "stack":
            specs = _stack_specs(index, tag, value[1], seq, False)
            out.append(make(added, tag, value[1], stack=value[1], specs=specs))
        else:
            out.append(make(added, tag, value[2], stack=value[1], value=value[2]))
    return settle_values(index, seq, window, out)  # stacks are judged above


def with_wide_kinds(
    index: HistoryIndex,
    events: Sequence[tuple[int, str, HistoryEvent]],
    sides: Mapping[int, tuple[Package | None, Package | None]],
    window: int,
) -> list[HistoryEvent]:
    """``events`` (commit seq, tag, event), each with the :func:`wide_kinds` of its
    package change added, where ``sides`` (by the event's id) holds the two sides."""
    from ..compare.kinds import compiler_renames

    out = []
    for seq, tag, event in events:
        found = sides.get(id(event))
        if found is not None:
            renames = compiler_renames([event.change] if event.change is not None else [])
            respelt = frozenset(old for old, _ in renames.get(tag, {}))
            wide = wide_kinds(index, tag, found[0], found[1], seq, window, respelt)
            event = dataclasses.replace(event, changes=(*event.changes, *wide))
        out.append(event)
    return out


__all__ = [
    "FACET_KINDS",
    "back_soon",
    "bridge",
    "facet_transients",
    "package_transient",
    "wide_kinds",
    "with_wide_kinds",
]
