"""Bytes of a catalog file -> :class:`~catalog_diff.model.snapshot.Package`. Pure: no I/O.

Assembles a package from the two stages before it, "bytes -> front matter mapping ->
specs -> package": :mod:`catalog_diff.parse.frontmatter` (bytes -> the front matter mapping,
fast path or YAML) and :mod:`catalog_diff.parse.specs` (each element of ``spec_details`` ->
a :class:`~catalog_diff.model.snapshot.Spec`). This module adds the paths, ``meta``, and the
per-load memos (:class:`LineMemo`). Any failure raises :class:`ParseError` with the reason.
"""

from __future__ import annotations

import contextlib
from typing import Generic, TypeVar

import orjson

from ..errors import ParseError
from ..layout import (
    printable,
)
from ..model.snapshot import Meta, Package, Spec
from .bulk import loads as json_loads
from .frontmatter import (
    SKIPPED,
    front_matter,
    head_matter,
    spec_details_line,
)
from .memo import ParseMemo
from .specs import (
    parse_spec_details,
    parse_specs,
    spec_details_list,
)

_META_LISTS = ("compilers", "oss", "platforms", "stacks", "targets", "versions")


# ---- typed values --------------------------------------------------------------------


def _string_list(value: object, what: str, path: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(path, f"{what} must be a list of strings")
    return value


def parse_meta(raw: object, path: str) -> Meta:
    if not isinstance(raw, dict):
        raise ParseError(path, "meta must be a mapping")
    lists = {}
    for key in _META_LISTS:
        lists[key] = tuple(_string_list(raw.get(key, []), f"meta.{key}", path))
    num_specs = raw.get("num_specs")
    if num_specs is not None and (not isinstance(num_specs, int) or isinstance(num_specs, bool)):
        raise ParseError(path, "meta.num_specs must be an integer")
    by_stack = raw.get("num_specs_by_stack")
    counts = _stack_counts(by_stack) if by_stack is not None else None
    if by_stack is not None and counts is None:
        raise ParseError(path, "meta.num_specs_by_stack must map stacks to integers")
    return Meta(num_specs=num_specs, num_specs_by_stack=counts, **lists)


def _stack_counts(value: object) -> tuple[tuple[str, int], ...] | None:
    """``{stack: count}`` as sorted pairs; None if it is not such a mapping."""
    if not isinstance(value, dict) or not all(
        type(v) is int
        for v in value.values()  # not a bool: type(True) is bool
    ):
        return None
    # Keys are printed (a mismatch names its stack): no control character gets through.
    return tuple(sorted((printable(str(k)), v) for k, v in value.items()))


def meta_by_stack(
    data: bytes, memo: LineMemo[StackCounts | None] | None = None, name: str = ""
) -> StackCounts | None:
    """``meta.num_specs_by_stack`` of a file of the usual shape (one line of JSON),
    without parsing the rest of ``meta``; None when it cannot be found that way.

    Cheap enough to run on every file a comparison reads, to cross-check the per-stack
    counts taken from ``spec_details``. With a ``memo`` (see :class:`LineMemo`), a
    ``meta`` line the package ``name`` had in a tag read just before is not parsed again.
    """
    if not data.startswith(b"---\n"):
        return None
    start = data.find(b"\nmeta: {")
    if start < 0:
        return None
    end = data.find(b"\n", start + 1)
    line = data[start + 7 : end if end >= 0 else len(data)]
    if memo is not None:
        known = memo.find(name, line)
        if known is not None:
            return known[0]
    try:
        raw = json_loads(line)
    except orjson.JSONDecodeError:
        return None
    counts = _stack_counts(raw.get("num_specs_by_stack")) if isinstance(raw, dict) else None
    if memo is not None:
        memo.keep(line, counts)
    return counts


StackCounts = tuple[tuple[str, int], ...]
_T = TypeVar("_T")


class LineMemo(Generic[_T]):
    """What was made of each line met in the files of one package, for the next file of
    the same package: its copy in another tag.

    A frozen tag's copy of a package differs from the original only in its
    ``categories`` line, so a whole catalog holds far fewer distinct ``spec_details``
    lines than files. A load reads the files of one package name together, every tag in
    a row; holding just that package's few lines finds all the sharing there is
    (different packages never share a spec list) with a byte comparison, without
    hashing every line or holding on to the lines of the whole catalog.
    """

    __slots__ = ("_name", "_seen")

    def __init__(self) -> None:
        self._name: str | None = None
        self._seen: list[tuple[bytes, _T]] = []

    def find(self, name: str, line: bytes) -> tuple[_T] | None:
        """``(value,)`` kept for this very ``line`` of package ``name``; None if new."""
        if name != self._name:
            self._name, self._seen = name, []
            return None
        for known, value in self._seen:
            if known == line:
                return (value,)
        return None

    def keep(self, line: bytes, value: _T) -> None:
        self._seen.append((line, value))


SpecsCache = LineMemo[tuple[Spec, ...]]


def parse_package(
    data: bytes,
    tag: str,
    name: str,
    path: str,
    oid: str | None = None,
    with_meta: bool = True,
    specs_cache: SpecsCache | None = None,
    meta: Meta | None = None,
    memo: ParseMemo | None = None,
) -> Package:
    """Parse one ``specs.md`` of the current layout. Raises :class:`ParseError`.

    ``with_meta=False`` skips the ``meta`` line (``Package.meta`` is then ``meta``, as
    given). With a ``specs_cache`` (one per load, see :class:`LineMemo`), files of
    package ``name`` whose ``spec_details`` line is byte for byte one met before share
    its parsed specs, which saves time and memory. ``memo``: the load's memo tables (of
    this file only when None, see :mod:`catalog_diff.parse.memo`).
    """
    line = spec_details_line(data) if specs_cache is not None else None
    matter = (line is not None and head_matter(data, line, with_meta)) or front_matter(
        data, path, with_meta, skip_specs=line is not None
    )
    specs = None
    if line is not None and specs_cache is not None and matter.get("spec_details") is SKIPPED:
        known = specs_cache.find(name, line)
        if known is not None:
            specs = known[0]
        else:
            try:
                specs = parse_spec_details(line, path, memo)
                specs_cache.keep(line, specs)
            except ParseError:
                # Read again as front_matter reads a file (not JSON after all: YAML), for
                # the verdict and the reason a parse without the memo gives.
                matter = front_matter(data, path, with_meta)
    if specs is None:
        specs = parse_specs(spec_details_list(matter, path), path, memo)
    if with_meta:
        meta = parse_meta(matter["meta"], path) if "meta" in matter else None
    return Package(tag=tag, name=name, path=path, specs=specs, meta=meta, oid=oid)


def count_specs(data: bytes, path: str, cache: LineMemo[int] | None = None, name: str = "") -> int:
    """The number of specs of a ``specs.md``, without building them (for tag counts).

    With a ``cache`` (one per load, see :class:`LineMemo`), a ``spec_details`` line that
    package ``name`` had in a tag counted just before is not parsed again.
    """
    line = spec_details_line(data)
    details = None
    if line is not None:
        known = cache.find(name, line) if cache is not None else None
        if known is not None:
            return known[0]
        with contextlib.suppress(orjson.JSONDecodeError):  # then read as front_matter does
            details = spec_details_list({"spec_details": json_loads(line)}, path)
    if details is None:
        line = None
        details = spec_details_list(front_matter(data, path, with_meta=False), path)
    if not all(type(raw) is dict for raw in details):
        raise ParseError(path, "spec_details must be a list of mappings")
    if line is not None and cache is not None:
        cache.keep(line, len(details))
    return len(details)
