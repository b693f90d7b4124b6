"""The memo tables of the spec parser, and how long they live: one load.

Specs repeat the same few values: a compiler, an OS, a target, a variant or stack list is
met thousands of times in a catalog. The spec parser (:func:`catalog_diff.parse.specs.
spec_parser`) looks each raw value up in the tables of a :class:`ParseMemo`, so that its
normal form is computed once and every spec that shares the value shares one object. The
tables hold the strings they are keyed by, interned (:func:`sys.intern`), and one tuple
where a raw list is already in normal form.

Why (benchmarks/README.md, tuning log): memo tables for compiler, variant and stack lists
were part of the step that took a whole-snapshot load (all tags) from 8.2 s and 844 MB to
3.9 s and 485 MB; keying them by interned strings took a develop load from 12.9 MiB to
9.1 MiB of Python objects held; looking them up inline in the parser, with
:func:`~catalog_diff.parse.fastspec.make_spec`, took a whole snapshot from 1.95 s to
1.72 s.

A :class:`ParseMemo` is made for one load (:func:`one_load`, entered by every load,
snapshot-file read and index read) and passed down to the parser; nothing is kept at
module level. Two loads, in one thread or in two, never share tables, and a library
user's process keeps nothing of a catalog it has finished loading: the tables are emptied
when the load ends. Within a load they stay below :data:`MEMO_LIMIT` entries each. They
are caches of pure functions: a miss only recomputes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

#: Memo tables stay below this many entries each (a long history ingest meets many).
MEMO_LIMIT = 1 << 16

_K = TypeVar("_K")
_V = TypeVar("_V")


class ParseMemo:
    """The memo tables of one load, and the spec parser bound to them."""

    __slots__ = (
        "__weakref__",
        "compiler_pairs",
        "parser",
        "sizes",
        "string_sets",
        "variant_lists",
        "variants",
        "words",
    )

    def __init__(self) -> None:
        #: Raw variant -> normal form.
        self.variants: dict[str, str] = {}
        #: Raw OS, platform or target -> the interned, stripped string.
        self.words: dict[str, str] = {}
        #: Raw versions or stacks list -> sorted, deduplicated tuple.
        self.string_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
        #: Raw variant list -> (raw interned, normal form).
        self.variant_lists: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        #: Raw compiler -> (raw, normal form).
        self.compiler_pairs: dict[str, tuple[str, str]] = {}
        #: A spec's ``size`` -> its one-key ``extra`` tuple.
        self.sizes: dict[object, tuple[tuple[str, object], ...]] = {}
        #: The spec parser that reads these tables, made on first use
        #: (:func:`catalog_diff.parse.specs.spec_parser`).
        self.parser: Callable[..., Any] | None = None

    def tables(self) -> dict[str, dict[Any, Any]]:
        """Each table by name."""
        return {
            "variants": self.variants,
            "words": self.words,
            "string_sets": self.string_sets,
            "variant_lists": self.variant_lists,
            "compiler_pairs": self.compiler_pairs,
            "sizes": self.sizes,
        }

    def clear(self) -> None:
        """Empty every table, and let go of the parser."""
        for table in self.tables().values():
            table.clear()
        self.parser = None


def remember(table: dict[_K, _V], key: _K, value: _V) -> _V:
    """``table[key] = value`` (the table emptied first when full); ``value``."""
    if len(table) >= MEMO_LIMIT:
        table.clear()
    table[key] = value
    return value


@contextlib.contextmanager
def one_load() -> Iterator[ParseMemo]:
    """Fresh memo tables for the block; emptied when it ends."""
    memo = ParseMemo()
    try:
        yield memo
    finally:
        memo.clear()
