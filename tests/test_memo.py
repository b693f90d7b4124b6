"""memo: the spec parser's memo tables belong to one load; no two loads share them, and
none outlives its load."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from catalog_diff.parse.memo import ParseMemo, one_load
from catalog_diff.parse.package import parse_package
from catalog_diff.sources.directory import DirectorySource
from catalog_diff.sources.listing import Entry, Listing, Unreadable
from catalog_diff.sources.load import load
from gitrepo import sample_tree, write_tree

TAG = "develop-2025-03-30"


def _live(earlier: frozenset[int] = frozenset()) -> list[ParseMemo]:
    """Every memo of this process that is still alive, but those of ``earlier`` (the ids
    of memos that other tests of the process left for the collector)."""
    return [o for o in gc.get_objects() if type(o) is ParseMemo and id(o) not in earlier]


def _earlier() -> frozenset[int]:
    """The memos alive before a test starts, after a collection: a test in the same
    process may have left some in a cycle or frozen out of the collector's sight."""
    gc.collect()
    return frozenset(id(o) for o in _live())


def _sizes(memo: ParseMemo) -> dict[str, int]:
    return {name: len(table) for name, table in memo.tables().items()}


class _Midway:
    """A directory source that calls ``midway`` once, when a few of its files have been
    read (the load that reads it is then under way)."""

    def __init__(self, root: Path, midway: Callable[[], None]) -> None:
        self._inner = DirectorySource(str(root))
        self.info = self._inner.info
        self._midway = midway

    def listing(self) -> Listing:
        return self._inner.listing()

    def read_many(
        self, entries: Iterable[Entry]
    ) -> Iterator[tuple[Entry, bytes | Unreadable | None]]:
        for i, pair in enumerate(self._inner.read_many(entries)):
            if i == 5:
                self._midway()
            yield pair


def _tree(path: Path, tag: str) -> Path:
    write_tree(path, sample_tree(tag, as_tag="develop"))
    return path


def test_two_loads_never_share_tables(tmp_path: Path) -> None:
    first, second = _tree(tmp_path / "a", TAG), _tree(tmp_path / "b", TAG)
    earlier = _earlier()
    outer: list[weakref.ref[ParseMemo]] = []
    inner: list[weakref.ref[ParseMemo]] = []
    before: dict[str, int] = {}
    after: dict[str, int] = {}

    def during_inner() -> None:
        inner.extend(weakref.ref(m) for m in _live(earlier) if m is not outer[0]())

    def during_outer() -> None:
        (memo,) = _live(earlier)  # the load under way has one memo, filled by what it parsed
        outer.append(weakref.ref(memo))
        before.update(_sizes(memo))
        # A second load of the same catalog while the first is under way.
        assert load(_Midway(second, during_inner)).packages
        after.update(_sizes(memo))

    snap = load(_Midway(first, during_outer))
    assert snap.packages
    assert any(before.values()), before  # the first load had filled its tables
    assert len(inner) == 1  # the second load made its own memo...
    assert before == after  # ...and put nothing in the first one's tables
    # Each memo went with its load: nothing of either is left in the process.
    assert outer[0]() is None and inner[0]() is None
    assert _live(earlier) == []


def test_tables_are_emptied_when_the_load_ends(tmp_path: Path) -> None:
    data = sample_tree(TAG, as_tag="develop")
    path, blob = next(iter(sorted(data.items())))
    with one_load() as memo:
        package = parse_package(blob, "develop", path.split("/")[2], path, memo=memo)
        filled = _sizes(memo)
    assert package.specs
    assert filled["words"] and filled["compiler_pairs"], filled
    assert not any(_sizes(memo).values())  # held by no one, and empty all the same
    assert memo.parser is None


def test_specs_of_one_load_share_their_values(tmp_path: Path) -> None:
    earlier = _earlier()
    snap = load(DirectorySource(str(_tree(tmp_path, TAG))))
    specs = [s for p in snap.packages.values() for s in p.specs]
    by_value: dict[str, str] = {}
    for spec in specs:
        first = by_value.setdefault(spec.os, spec.os)
        assert first is spec.os  # one object per value within a load
        compiler = by_value.setdefault(spec.compiler, spec.compiler)
        assert compiler is spec.compiler
    assert _live(earlier) == []
