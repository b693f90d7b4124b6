"""``--fail-on`` conditions: parsed from words, evaluated against a comparison. Pure.

A condition is ``NAME``, ``NAME:>N`` / ``NAME:>=N`` (a threshold) or ``NAME:PATTERN``
(a glob: on package names for ``removed-*``, on the values lost for ``lost-*``). NAME is
one of :data:`CONDITIONS`, a change kind's code (``stack-removed``: the changes of that
kind, a pattern matching their subject or stack) or a severity (``breaking``,
``warning``: the changes of that severity or worse). It trips when its count is above
the threshold (0 unless given). A comparison with files that
could not be read never passes: a gate that did not trip is then ``undecided``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..errors import UsageError
from ..model.changes import CATALOGUE, SEVERITIES, Change, Severity
from ..model.comparison import (
    Comparison,
    Gate,
    GateResult,
    GateStatus,
    PackageChange,
    PackageStatus,
)
from ..model.snapshot import Facet

#: The facets a ``lost-*`` condition reads: ``lost-<word>`` for each.
_LOST: dict[str, Facet] = {
    f"lost-{facet.word}": facet
    for facet in (Facet.TARGETS, Facet.STACKS, Facet.COMPILERS, Facet.OSS)
}


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


#: Every condition, with what it counts (documented in the README and ``--help``).
CONDITIONS: dict[str, str] = {
    "removed-packages": "packages removed (and the packages of tags removed)",
    "removed-specs": "specs removed, not paired with a new one (and the specs of tags removed)",
    **{name: f"packages that lost {_a(facet.noun)}" for name, facet in _LOST.items()},
}

_THRESHOLD = re.compile(r"(>=?)(\d+)")

#: How many package names a reason lists before "and N more".
NAMES_SHOWN = 5


def parse(values: Iterable[str]) -> tuple[Gate, ...]:
    """Conditions from ``--fail-on`` values (each may hold several, comma-separated).

    Raises :class:`~catalog_diff.errors.UsageError` on a condition it does not know.
    Repeated conditions are kept once, in the order first given.
    """
    gates: list[Gate] = []
    for value in values:
        items = [item.strip() for item in value.split(",")]
        if not any(items):
            raise UsageError("--fail-on: empty condition")
        for item in filter(None, items):
            gate = _parse_one(item)
            if gate not in gates:
                gates.append(gate)
    return tuple(gates)


#: Severities as --fail-on takes them.
_SEVERITY_NAMES = {s.value: s for s in SEVERITIES}


def _parse_one(item: str) -> Gate:
    name, sep, scope = item.partition(":")
    if name not in CONDITIONS and name not in CATALOGUE and name not in _SEVERITY_NAMES:
        raise UsageError(
            f"--fail-on {item!r}: unknown condition {name!r}; one of {', '.join(CONDITIONS)}, "
            f"a change kind ({', '.join(CATALOGUE)}) or a severity "
            f"({', '.join(_SEVERITY_NAMES)})"
        )
    if not sep:
        return Gate(condition=name, name=name)
    if not scope:
        raise UsageError(f"--fail-on {item!r}: nothing after ':' (give >N, >=N or a pattern)")
    found = _THRESHOLD.fullmatch(scope)
    if found:
        number = int(found.group(2))
        threshold = number if found.group(1) == ">" else number - 1
        return Gate(condition=f"{name}:{scope}", name=name, threshold=threshold)
    if scope[0] in "<>=":
        raise UsageError(f"--fail-on {item!r}: a threshold is >N or >=N, N a whole number")
    return Gate(condition=f"{name}:{scope}", name=name, pattern=scope)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _names(changes: Sequence[PackageChange]) -> str:
    labels = [f"{c.tag}/{c.name}" for c in changes[:NAMES_SHOWN]]
    more = len(changes) - NAMES_SHOWN
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")


def _matches(pattern: str | None, value: str) -> bool:
    return pattern is None or fnmatch.fnmatchcase(value, pattern)


def _limit(gate: Gate, tripped: bool) -> str:
    if gate.threshold == 0:
        return ""
    words = "more than" if tripped else "not more than"
    return f" ({words} {gate.threshold})"


def _removed(gate: Gate, comparison: Comparison) -> tuple[int, str]:
    matched = [c for c in comparison.packages if _matches(gate.pattern, c.name)]
    # A tag on the old side only is counted, not expanded: its names are unknown.
    tags = comparison.tags_removed if gate.pattern is None else ()
    if gate.name == "removed-packages":
        gone = [c for c in matched if c.status is PackageStatus.REMOVED]
        count = len(gone) + sum(t.packages for t in tags)
        what = _count(count, "package") + " removed"
        listed = gone
    else:
        count = sum(len(c.specs.removed) for c in matched) + sum(t.specs for t in tags)
        what = _count(count, "spec") + " removed"
        listed = [c for c in matched if c.specs.removed]
    if gate.pattern is not None:
        what += f" from packages matching {gate.pattern}"
    detail = []
    if listed:
        detail.append(_names(listed))
    if tags:
        detail.append("tags removed: " + ", ".join(t.tag for t in tags))
    return count, what + (f": {'; '.join(detail)}" if detail else "")


def _lost(gate: Gate, comparison: Comparison) -> tuple[int, str]:
    facet = _LOST[gate.name]
    word = facet.word
    by_value: dict[str, list[PackageChange]] = {}
    losers = []
    for change in comparison.packages:
        lost = [v for v in change.facet(facet.key).removed if _matches(gate.pattern, v)]
        for value in lost:
            by_value.setdefault(value, []).append(change)
        if lost:
            losers.append(change)
    which = _a(word) + (f" matching {gate.pattern}" if gate.pattern is not None else "")
    who = _count(len(losers), "package")
    if not losers:
        return 0, f"no package lost {which}"
    if len(by_value) == 1:
        ((value, changes),) = by_value.items()
        return len(losers), f"{who} lost {word} {value}: {_names(changes)}"
    parts = [
        f"{value} from {len(changes)} ({_names(changes)})"
        for value, changes in sorted(by_value.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return len(losers), f"{who} lost {which}: " + "; ".join(parts)


def _kinds(gate: Gate, comparison: Comparison) -> tuple[int, str]:
    """The changes of a kind (or of a severity and worse), the pattern on their subject
    or stack."""
    if gate.name in _SEVERITY_NAMES:
        least = _SEVERITY_NAMES[gate.name].rank
        found = [c for c in comparison.changes if c.severity.rank >= least]
        what = f"{gate.name} or worse" if gate.name != Severity.BREAKING.value else gate.name
    else:
        found = [c for c in comparison.changes if c.code == gate.name]
        what = gate.name
    if gate.pattern is not None:
        found = [c for c in found if _subject_matches(gate.pattern, c)]
        what += f" matching {gate.pattern}"
    if not found:
        return 0, f"no change {what}"
    return len(found), f"{_count(len(found), 'change')} {what}: {_changes(found)}"


def _subject_matches(pattern: str, change: Change) -> bool:
    return any(
        value is not None and fnmatch.fnmatchcase(value, pattern)
        for value in (change.subject, change.stack, change.package)
    )


def _changes(found: Sequence[Change]) -> str:
    labels = [change_label(c) for c in found[:NAMES_SHOWN]]
    more = len(found) - NAMES_SHOWN
    return "; ".join(labels) + (f" and {more} more" if more > 0 else "")


def change_label(change: Change) -> str:
    """``target-dropped zen4 in stack e4s-cray-rhel (v0.23.1)``: a change in short."""
    where = change.tag + (f"/{change.package}" if change.package else "")
    stack = f" in stack {change.stack}" if change.stack and change.stack != change.subject else ""
    return f"{change.code} {change.subject}{stack} ({where})"


def evaluate(gates: Sequence[Gate], comparison: Comparison) -> tuple[GateResult, ...]:
    """Each gate's outcome, in the order given."""
    results = []
    for gate in gates:
        if gate.name in _LOST:
            count, said = _lost(gate, comparison)
        elif gate.name not in CONDITIONS:
            count, said = _kinds(gate, comparison)
        else:
            count, said = _removed(gate, comparison)
        tripped = count > gate.threshold
        reason = f"{gate.condition}: {said}{_limit(gate, tripped)}"
        if tripped:
            status = GateStatus.TRIPPED
        elif comparison.problems:
            status = GateStatus.UNDECIDED
            reason += f"; undecided: {_count(len(comparison.problems), 'file')} could not be read"
        else:
            status = GateStatus.PASSED
        results.append(GateResult(gate.condition, status, count, reason))
    return tuple(results)


def apply(comparison: Comparison, gates: Sequence[Gate]) -> Comparison:
    """The comparison with the outcome of ``gates`` attached (for the reports)."""
    return replace(comparison, gates=evaluate(gates, comparison))


__all__ = ["CONDITIONS", "apply", "evaluate", "parse"]
