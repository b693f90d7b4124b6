"""The memo tables of the spec parser, and how long they live.

Specs repeat the same few values: a compiler, an OS, a target, a variant or stack list is
met thousands of times in a catalog. :func:`catalog_diff.parse.specs.parse_spec` looks
each raw value up here, so that its normal form is computed once and every spec that
shares the value shares one object. The tables hold the strings they are keyed by,
interned (:func:`sys.intern`), and one tuple where a raw list is already in normal form.

Why (benchmarks/README.md, tuning log): memo tables for compiler, variant and stack lists
were part of the step that took a whole-snapshot load (all tags) from 8.2 s and 844 MB to
3.9 s and 485 MB; keying them by interned strings took a develop load from 12.9 MiB to
9.1 MiB of Python objects held; looking them up inline in ``parse_spec``, with
:func:`~catalog_diff.parse.fastspec.make_spec`, took a whole snapshot from 1.95 s to
1.72 s.

The tables live for one load: :func:`one_load` (entered by every load, snapshot-file
read, index read and ingest) empties them when the outermost such block ends, so a
library user's process keeps nothing of a catalog it has finished loading. Within a
load they stay below :data:`MEMO_LIMIT` entries each. They are caches of pure functions:
a miss only recomputes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, TypeVar

#: Memo tables stay below this many entries each (a long history ingest meets many).
MEMO_LIMIT = 1 << 16

_K = TypeVar("_K")
_V = TypeVar("_V")

#: Raw compiler -> normal form (``gcc@=11.4.0`` -> ``gcc@11.4.0``).
compilers: dict[str, str] = {}
#: Raw variant -> normal form.
variants: dict[str, str] = {}
#: Raw OS, platform or target -> the interned, stripped string.
words: dict[str, str] = {}
#: Raw versions or stacks list -> sorted, deduplicated tuple.
string_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
#: Raw variant list -> (raw interned, normal form).
variant_lists: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
#: Raw compiler -> (raw, normal form).
compiler_pairs: dict[str, tuple[str, str]] = {}
#: A spec's ``size`` -> its one-key ``extra`` tuple.
sizes: dict[object, tuple[tuple[str, object], ...]] = {}

_TABLES: tuple[dict[Any, Any], ...] = (
    compilers,
    variants,
    words,
    string_sets,
    variant_lists,
    compiler_pairs,
    sizes,
)
_depth = 0


def remember(table: dict[_K, _V], key: _K, value: _V) -> _V:
    """``table[key] = value`` (the table emptied first when full); ``value``."""
    if len(table) >= MEMO_LIMIT:
        table.clear()
    table[key] = value
    return value


def clear() -> None:
    """Empty every table."""
    for table in _TABLES:
        table.clear()


@contextlib.contextmanager
def one_load() -> Iterator[None]:
    """The tables serve the block; when the outermost block ends they are emptied."""
    global _depth
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            clear()
