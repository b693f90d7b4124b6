"""One element of ``spec_details`` -> :class:`~catalog_diff.model.snapshot.Spec`. Pure: no I/O.

Every value is checked for its type, and any failure raises :class:`ParseError` with the
reason. Values are normalised, and looked up in memo tables so that the many specs that
share a value share one object. ``spec_details`` comes from the front matter mapping that
:mod:`catalog_diff.parse.frontmatter` reads; :mod:`catalog_diff.parse.package` assembles the
package.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from ..errors import ParseError
from ..layout import UNSAFE
from ..model.snapshot import Spec
from .bulk import loads as json_loads
from .fastspec import make_spec
from .memo import ParseMemo, remember

_SPEC_STRINGS = ("hash", "compiler", "os", "platform", "target")
_SPEC_LISTS = ("versions", "variants", "stacks")
_intern = sys.intern


# ---- normalisation -------------------------------------------------------------------


def normalise_compiler(raw: str) -> str:
    """``gcc@=11.4.0`` -> ``gcc@11.4.0``; surrounding whitespace dropped."""
    return _intern(raw.strip().replace("@=", "@", 1))


def normalise_variant(raw: str) -> str:
    """``patches:=a,b`` -> ``patches=a,b``; ``k='v'`` -> ``k=v``; whitespace dropped."""
    text = raw.strip()
    key, sep, value = text.partition("=")
    if sep:
        key = key.rstrip(":").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        text = f"{key}={value}"
    return _intern(text)


def _sorted_strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({_intern(v.strip()) for v in values}))


# ---- typed values --------------------------------------------------------------------


#: ``parse(raw, index, path, clean)``: one element of ``spec_details`` -> :class:`Spec`.
SpecParser = Callable[[object, int, str, bool], Spec]


def spec_parser(memo: ParseMemo) -> SpecParser:
    """The spec parser that reads and fills the tables of ``memo`` (one per memo).

    ``parse(raw, index, path, clean)`` turns one element of ``spec_details`` into a
    :class:`Spec` (normalised, raw kept). The hot path of every load: values are looked
    up in the memo tables, so the many specs that share a compiler, a variant list or a
    stack list share one normalised object. Anything unexpected drops to
    :func:`_spec_problem`, which names what is wrong. ``clean``: the spec was read by the
    JSON parser from bytes that are :func:`clean`, so its hash holds no control character
    either (every other value is checked once, when first met).
    """
    if memo.parser is not None:
        return memo.parser
    # The tables and their look-ups, bound once: closure variables are the fastest to
    # read (and hold no reference to the memo, which holds this parser).
    pairs_table, lists_table, variants_table = (
        memo.compiler_pairs,
        memo.variant_lists,
        memo.variants,
    )
    sets_table, words_table, sizes_table = memo.string_sets, memo.words, memo.sizes
    compiler_pairs = pairs_table.get
    variant_lists = lists_table.get
    string_sets = sets_table.get
    words = words_table.get

    def parse(raw: object, index: int, path: str, clean: bool) -> Spec:
        try:
            if type(raw) is not dict:
                raise _Refused
            digest = raw["hash"]
            versions = raw["versions"]
            variants = raw["variants"]
            stacks = raw["stacks"]
            if (
                type(digest) is not str
                or type(versions) is not list
                or type(variants) is not list
                or type(stacks) is not list
            ):
                raise _Refused
            if not clean and _unsafe(digest):
                raise _Refused
            versions = tuple(versions)
            variants = tuple(variants)
            stacks = tuple(stacks)
            compiler, os, platform, target = (
                raw["compiler"],
                raw["os"],
                raw["platform"],
                raw["target"],
            )
            # A memo miss (or a value of the wrong type) goes to the function that checks it.
            raw_compiler, norm_compiler = compiler_pairs(compiler) or _compiler_pair(
                pairs_table, compiler
            )
            raw_variants, norm_variants = variant_lists(variants) or _variant_list(
                lists_table, variants_table, variants
            )
            return make_spec(
                digest.strip(),
                string_sets(versions) or _string_set(sets_table, versions),
                norm_compiler,
                words(os) or _word(words_table, os),
                words(platform) or _word(words_table, platform),
                words(target) or _word(words_table, target),
                norm_variants,
                string_sets(stacks) or _string_set(sets_table, stacks),
                raw_compiler,
                raw_variants,
                _extra(sizes_table, raw) if len(raw) > 8 else (),
            )
        except (_Refused, KeyError, TypeError, AttributeError):
            raise _spec_problem(raw, index, path) from None

    memo.parser = parse
    return parse


def parse_specs(
    details: list[Any], path: str, memo: ParseMemo | None = None, clean: bool = False
) -> tuple[Spec, ...]:
    """Every element of a ``spec_details`` list -> specs in their canonical order, with
    the tables of ``memo`` (of its own when None)."""
    parse = spec_parser(memo or ParseMemo())
    return sort_specs([parse(raw, i, path, clean) for i, raw in enumerate(details)])


class _Refused(Exception):
    """A value of the wrong type met on the fast path of the spec parser (:func:`spec_parser`)."""


def _only_strings(values: tuple[object, ...]) -> None:
    for value in values:
        if type(value) is not str:
            raise _Refused
    # One search over them all: UNSAFE matches single characters, so the joined text
    # holds one exactly when a value does.
    if _unsafe("".join(values)):  # type: ignore[arg-type]
        raise _Refused


_unsafe = UNSAFE.search


def clean(data: bytes) -> bool:
    """Whether JSON ``data`` can hold no string with a character of
    :data:`~catalog_diff.layout.UNSAFE`: it is ASCII, without escapes (no backslash), DEL,
    tab or carriage return (a raw control character is no valid JSON). Two fast scans
    instead of one search per value; data that fails is checked value by value."""
    return data.isascii() and not any(c in data for c in (b"\\", b"\x7f", b"\t", b"\r"))


_SPEC_KEYS = frozenset(_SPEC_STRINGS + _SPEC_LISTS)


def _word(table: dict[str, str], value: str) -> str:
    done = table.get(value)
    if done is None:
        if type(value) is not str or _unsafe(value):
            raise _Refused
        done = remember(table, value, _intern(value.strip()))
    return done


# The memo tables hold the strings they are keyed by (see catalog_diff.parse.memo).


def _string_set(
    table: dict[tuple[str, ...], tuple[str, ...]], values: tuple[str, ...]
) -> tuple[str, ...]:
    _only_strings(values)
    done = _sorted_strings(values)
    return remember(table, done if done == values else _interned(values), done)


def _variant_list(
    table: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]],
    variants: dict[str, str],
    values: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    _only_strings(values)
    raw = _interned(values)
    known = variants.get
    done = tuple(sorted({known(v) or remember(variants, v, normalise_variant(v)) for v in raw}))
    return remember(table, raw, (raw, raw if done == raw else done))


def _interned(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(_intern, values))


def _compiler_pair(table: dict[str, tuple[str, str]], raw: str) -> tuple[str, str]:
    done = table.get(raw)
    if done is None:
        if type(raw) is not str or _unsafe(raw):
            raise _Refused
        done = remember(table, raw, (raw, normalise_compiler(raw)))
    return done


def _extra(
    table: dict[object, tuple[tuple[str, object], ...]], raw: dict[str, Any]
) -> tuple[tuple[str, object], ...]:
    """Keys the model does not use (``size``, ``tarball``, anything new), kept as read."""
    if len(raw) == 9 and "size" in raw:  # the current layout: one shared tuple per size
        size = raw["size"]
        done = table.get(size) if type(size) is str else None
        if done is None:
            done = (("size", size),)
            if type(size) is str and len(size) < 32:
                remember(table, size, done)
        return done
    return tuple(sorted((k, v) for k, v in raw.items() if k not in _SPEC_KEYS))


def _spec_problem(raw: object, index: int, path: str) -> ParseError:
    """Say exactly what is wrong with a spec the fast path refused."""
    where = f"spec_details[{index}]"
    if not isinstance(raw, dict):
        return ParseError(path, f"{where} is not a mapping")
    for key in _SPEC_STRINGS:
        if key not in raw:
            return ParseError(path, f"{where}.{key} is missing")
        if not isinstance(raw[key], str):
            return ParseError(path, f"{where}.{key} must be a string")
    for key in _SPEC_LISTS:
        if key not in raw:
            return ParseError(path, f"{where}.{key} is missing")
        value = raw[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return ParseError(path, f"{where}.{key} must be a list of strings")
    for key in _SPEC_STRINGS + _SPEC_LISTS:
        value = raw[key]
        if any(_unsafe(v) for v in (value if isinstance(value, list) else [value])):
            return ParseError(path, f"{where}.{key} holds control characters")
    return ParseError(path, f"{where} is malformed")


def spec_details_list(matter: dict[str, Any], path: str) -> list[Any]:
    """The ``spec_details`` list of a front matter mapping; ParseError if it is not one."""
    if "spec_details" not in matter:
        raise ParseError(path, "spec_details is missing")
    details = matter["spec_details"]
    if not isinstance(details, list):
        raise ParseError(path, "spec_details must be a list")
    return details


def parse_spec_details(line: bytes, path: str, memo: ParseMemo | None = None) -> tuple[Spec, ...]:
    """Specs from a raw ``spec_details`` value (see :func:`spec_details_line`)."""
    try:
        details = json_loads(line)
    except orjson.JSONDecodeError as exc:
        raise ParseError(path, f"spec_details is not valid JSON ({exc})") from exc
    details = spec_details_list({"spec_details": details}, path)
    return parse_specs(details, path, memo, clean(line))


def check_spec_details(line: bytes, path: str) -> int:
    """Check a raw ``spec_details`` value the way :func:`parse_spec` would; return the
    number of specs. Cheaper than parsing: nothing is built."""
    try:
        details = json_loads(line)
    except orjson.JSONDecodeError as exc:
        raise ParseError(path, f"spec_details is not valid JSON ({exc})") from exc
    details = spec_details_list({"spec_details": details}, path)
    join = "".join
    fast = clean(line)
    for index, raw in enumerate(details):
        # Unrolled: this runs for every spec of every new file the history index meets.
        try:
            get = raw.get
            if not (
                type(raw) is dict
                and type(get("hash")) is str
                and type(get("compiler")) is str
                and type(get("os")) is str
                and type(get("platform")) is str
                and type(get("target")) is str
                and type(get("versions")) is list
                and type(get("variants")) is list
                and type(get("stacks")) is list
            ):
                raise _Refused
            # Each join a TypeError unless every item is a string; unless the line is
            # clean, one search for what parse_spec refuses, over every value at once.
            lists = (join(raw["versions"]), join(raw["variants"]), join(raw["stacks"]))
            if not fast:
                values = (raw["hash"], raw["compiler"], raw["os"], raw["platform"], raw["target"])
                if _unsafe(join(values + lists)):
                    raise _Refused
        except (_Refused, TypeError, AttributeError):
            raise _spec_problem(raw, index, path) from None
    return len(details)


def spec_order(spec: Spec) -> tuple[str, tuple[object, ...], tuple[str, ...]]:
    return (spec.hash, spec.build, spec.stacks)


def sort_specs(specs: list[Spec]) -> tuple[Spec, ...]:
    """Specs in their canonical order: by hash, and by content among equal hashes."""
    specs.sort(key=_hash_of)
    for i in range(1, len(specs)):
        if specs[i].hash == specs[i - 1].hash:  # rare: only in a broken file
            specs.sort(key=spec_order)
            break
    return tuple(specs)


_hash_of = operator.attrgetter("hash")
