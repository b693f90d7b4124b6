"""How a same-hash spec changed: which build fields, and inside a list field which
elements. Pure.

A spec whose hash is on both sides but whose build fields differ (the catalog says the
same build was made differently) is described field by field. Which fields differ is
found cheaply, in constant time per field: equal values are skipped, and a list field
(``versions``, ``variants``) is compared as a set (order and repetition do not count).
A scalar field is told by its old and new value. For a list field that differs,
deepdiff says which elements were added and which removed: ``DeepDiff`` of the two
values as sets, its ``set_item_added``/``set_item_removed`` turned into sorted tuples of
:class:`~catalog_diff.model.comparison.FieldChange`, so no deepdiff object leaves this
module. deepdiff is imported on the first such field only: a comparison without one
never loads it.

A ``DeepDiff`` call costs 0.3-1 ms, so a :class:`FieldDescriber` serves one comparison:
it remembers each ``(old value, new value)`` it asked about (a catalog-wide respelling
repeats the same few), and it asks deepdiff about at most :data:`DEEPDIFF_CALLS`
distinct changes. Past that the elements are the set differences, which is what deepdiff
answers (``tests/test_fielddiff.py`` checks both ways against deepdiff itself). That
keeps a catalog with tens of thousands of distinct same-hash changes near the time it
takes without deepdiff: 38,000 of them under one hash were 23 s with a ``DeepDiff`` per
pair (``python benchmarks/pairing.py --only one-hash-fields``).
"""

from __future__ import annotations

from typing import Any

from ..model.comparison import FieldChange
from ..model.snapshot import BUILD_FIELDS, Spec

#: At most this many distinct list-field changes are described by a ``DeepDiff`` call in
#: one comparison (0.3-1 ms each); the rest by set differences, the same answer.
DEEPDIFF_CALLS = 256

Elements = tuple[tuple[str, ...], tuple[str, ...]]


class FieldDescriber:
    """Describes the field changes of the hash-matched pairs of one comparison.

    Holds the answers it got from deepdiff while the comparison runs, and nothing after
    it: make one per comparison (not shared between threads).
    """

    __slots__ = ("_budget", "_memo", "deepdiff_calls")

    def __init__(self, deepdiff_calls: int = DEEPDIFF_CALLS) -> None:
        self._memo: dict[tuple[tuple[str, ...], tuple[str, ...]], Elements] = {}
        self._budget = deepdiff_calls
        #: How many changes deepdiff was asked about so far.
        self.deepdiff_calls = 0

    def describe(self, old: Spec, new: Spec) -> tuple[FieldChange, ...]:
        """Each build field whose value differs between ``old`` and ``new``, in
        :data:`~catalog_diff.model.snapshot.BUILD_FIELDS` order; list fields with the
        elements added and removed (sorted), scalar fields with none."""
        out = []
        for name in BUILD_FIELDS:
            before, after = getattr(old, name), getattr(new, name)
            if before == after:
                continue
            if isinstance(before, tuple) and isinstance(after, tuple):
                if set(before) == set(after):
                    continue
                added, removed = self.elements(before, after)
                out.append(FieldChange(name, list(before), list(after), added, removed))
            else:
                out.append(FieldChange(name, before, after))
        return tuple(out)

    def elements(self, before: tuple[str, ...], after: tuple[str, ...]) -> Elements:
        """The elements of ``after`` not in ``before`` and those of ``before`` not in
        ``after``, each sorted; deepdiff's answer, remembered."""
        key = (before, after)
        known = self._memo.get(key)
        if known is None:
            if self.deepdiff_calls < self._budget:
                self.deepdiff_calls += 1
                known = _deepdiff_elements(before, after)
            else:
                known = set_elements(before, after)
            self._memo[key] = known
        return known


def set_elements(before: tuple[str, ...], after: tuple[str, ...]) -> Elements:
    """The set differences: elements added and removed, each sorted."""
    old, new = set(before), set(after)
    return tuple(sorted(new - old)), tuple(sorted(old - new))


def _deepdiff_elements(before: tuple[str, ...], after: tuple[str, ...]) -> Elements:
    from deepdiff import DeepDiff

    report: Any = DeepDiff(frozenset(before), frozenset(after), view="tree")
    added = sorted(str(level.t2) for level in report.get("set_item_added", ()))
    removed = sorted(str(level.t1) for level in report.get("set_item_removed", ()))
    return tuple(added), tuple(removed)
