"""Bytes of a catalog file -> :class:`~catalog_diff.model.Package`. Pure: no I/O.

The current layout writes each value of the front matter as one line of JSON, so the fast
path splits the lines and hands each value to a JSON parser. Anything that does not fit
that shape goes to PyYAML's safe loader (the C one where libyaml is present). Every value
is then checked for its type, and any failure raises :class:`ParseError` with the reason.
"""

from __future__ import annotations

import operator
import re
import sys
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

import orjson

from .errors import ParseError
from .model import Meta, Package, Spec, make_spec
from .names import UNSAFE, printable

CACHE_DIR = "_cache"
SPECS_FILE = "specs.md"

_SPEC_STRINGS = ("hash", "compiler", "os", "platform", "target")
_SPEC_LISTS = ("versions", "variants", "stacks")
_META_LISTS = ("compilers", "oss", "platforms", "stacks", "targets", "versions")
_JSON_KEYS = frozenset(("title", "meta", "spec_details"))
_intern = sys.intern

#: Resource limits (see SECURITY.md). A catalog file larger than this is a problem ("too
#: large"), never parsed; sources read at most one byte more than this of any file. The
#: largest file of the saved samples is 34 KB.
MAX_FILE_BYTES = 8 << 20
#: Front matter that is not one line of JSON per value goes to PyYAML, which reads about
#: 1 MB a second: above this size such a file is a problem instead.
MAX_YAML_BYTES = 1 << 20


# ---- paths ---------------------------------------------------------------------------


def classify(path: str) -> tuple[str, str] | None:
    """``_cache/<tag>/<package>/specs.md`` -> ``(tag, package)``; anything else -> None."""
    parts = path.split("/")
    if len(parts) == 4 and parts[0] == CACHE_DIR and parts[3] == SPECS_FILE and all(parts):
        return parts[1], parts[2]
    return None


def legacy_layout(path: str) -> str | None:
    """Name the older layout a path belongs to, or None."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == CACHE_DIR:
        if parts[2] == SPECS_FILE:
            return "untagged _cache/<package>/specs.md"
        if parts[2] == "index.md":
            return "untagged _cache/<package>/index.md"
    return None


# ---- normalisation -------------------------------------------------------------------

_compilers: dict[str, str] = {}
_variants: dict[str, str] = {}


def normalise_compiler(raw: str) -> str:
    """``gcc@=11.4.0`` -> ``gcc@11.4.0``; surrounding whitespace dropped."""
    done = _compilers.get(raw)
    if done is None:
        done = _remember(_compilers, raw, _intern(raw.strip().replace("@=", "@", 1)))
    return done


def normalise_variant(raw: str) -> str:
    """``patches:=a,b`` -> ``patches=a,b``; ``k='v'`` -> ``k=v``; whitespace dropped."""
    done = _variants.get(raw)
    if done is None:
        text = raw.strip()
        key, sep, value = text.partition("=")
        if sep:
            key = key.rstrip(":").strip()
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            text = f"{key}={value}"
        done = _remember(_variants, raw, _intern(text))
    return done


def _sorted_strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({_intern(v.strip()) for v in values}))


# ---- the front matter ----------------------------------------------------------------


#: Stands for a value the fast path was asked not to parse.
SKIPPED = object()


def front_matter(
    data: bytes, path: str, with_meta: bool = True, skip_specs: bool = False
) -> dict[str, Any]:
    """Decode a ``specs.md`` and return its front matter as a mapping.

    On the fast path, ``with_meta=False`` leaves the ``meta`` line unparsed (a comparison
    derives everything from ``spec_details``) and ``skip_specs`` leaves ``spec_details``
    unparsed (the caller has its specs already); such values are None / :data:`SKIPPED`.
    """
    too_large(data, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"not UTF-8 (byte {exc.start})") from exc
    text = text.removeprefix("\ufeff")
    # Only \n ends a line: str.splitlines() would also split on U+2028, U+0085, ...,
    # which JSON strings may hold unescaped.
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise ParseError(path, "no front matter (first line is not '---')")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    except StopIteration:
        raise ParseError(path, "front matter has no closing '---'") from None
    body = lines[1:end]
    fast = _fast_front_matter(body, with_meta, skip_specs)
    if fast is not None:
        return fast
    text = "\n".join(body)
    if len(text) > MAX_YAML_BYTES:
        raise ParseError(
            path,
            f"front matter is not one line of JSON per value and larger than "
            f"{MAX_YAML_BYTES >> 20} MiB (the limit for YAML); not read",
        )
    _unique_keys(body, path)
    return _yaml_front_matter(text, path)


def too_large(data: bytes, path: str) -> None:
    """Refuse a file above :data:`MAX_FILE_BYTES` (a source may have read only that much
    of it, plus one byte)."""
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(
            path, f"too large: more than {MAX_FILE_BYTES >> 20} MiB (the limit); not read"
        )


_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)")


def _unique_keys(body: list[str], path: str) -> None:
    """Refuse a top-level key written twice: YAML would keep the last one silently."""
    seen: dict[str, int] = {}
    for number, line in enumerate(body, start=2):
        match = _TOP_KEY.match(line)
        if match is None:
            continue
        key = match.group(1)
        if key in seen:
            raise ParseError(path, f"front matter has {key} twice (lines {seen[key]} and {number})")
        seen[key] = number


def _fast_front_matter(
    body: list[str], with_meta: bool = True, skip_specs: bool = False
) -> dict[str, Any] | None:
    """Parse ``key: value`` lines whose values are JSON (or a bare word). None if unsure."""
    out: dict[str, Any] = {}
    for line in body:
        key, sep, value = line.partition(": ")
        if not sep or key in out or not key.isidentifier():
            return None
        value = value.strip()
        if key == "meta" and not with_meta and value[:1] == "{" and value[-1:] == "}":
            out[key] = None
        elif key == "spec_details" and skip_specs and value[:1] == "[" and value[-1:] == "]":
            out[key] = SKIPPED
        elif key in _JSON_KEYS:
            try:
                out[key] = orjson.loads(value)
            except orjson.JSONDecodeError:
                return None
        elif key == "categories":
            if not (value.startswith("[") and value.endswith("]")):
                return None
            items = [item.strip() for item in value[1:-1].split(",")]
            if any(not item or item[0] in "'\"[{&*!|>%@`" for item in items):
                return None
            out[key] = items
        elif value and value.replace("-", "").replace("_", "").isalnum():
            out[key] = value
        else:
            return None
    return out


def _head_matter(data: bytes, line: bytes, with_meta: bool) -> dict[str, Any] | None:
    """The front matter of a file of the usual shape (see :func:`spec_details_line`,
    which found its ``line``) from the lines above ``spec_details``, which is not decoded
    at all; None whenever :func:`front_matter` could see it otherwise."""
    value = line.strip()
    if value[:1] != b"[" or value[-1:] != b"]":  # not JSON: as front_matter would see it
        return None
    try:
        head = data[4 : data.find(b"\nspec_details: ")].decode("utf-8")
    except UnicodeDecodeError:
        return None
    body = head.split("\n") if head else []
    if any(text.rstrip() == "---" for text in body):  # the front matter ends above
        return None
    matter = _fast_front_matter(body, with_meta)
    if matter is None or "spec_details" in matter:
        return None
    matter["spec_details"] = SKIPPED
    return matter


def _yaml_front_matter(text: str, path: str) -> dict[str, Any]:
    loaded = safe_yaml(text, path, first_line=2, what="front matter")
    if not isinstance(loaded, dict):
        raise ParseError(path, "front matter is not a mapping")
    return loaded


def safe_yaml(text: str, path: str, first_line: int = 1, what: str = "the file") -> object:
    """YAML with the safe loader only, aliases refused. Raises :class:`ParseError`.

    ``first_line`` is the file's line number of the text's first line (for messages).
    """
    import yaml  # only for files off the fast path: the common layout never needs it

    # The C loader where PyYAML has libyaml; never an unsafe loader.
    loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # Catalog files never use anchors; refusing aliases keeps a "billion laughs"
        # structure from being built and carried on inside the model.
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                line = mark.line + first_line if mark is not None else "?"
                raise ParseError(path, f"{what} uses a YAML alias (line {line})")
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None)
        problem = problem or type(exc).__name__
        raise ParseError(path, f"{what} is not valid YAML{where}: {problem}") from exc
    except RecursionError as exc:
        raise ParseError(path, f"{what} is nested too deeply") from exc
    except ValueError as exc:  # a scalar the safe constructor rejects: 2025-13-45, !!int x
        raise ParseError(path, f"{what} has a bad value: {exc}") from exc


# ---- typed values --------------------------------------------------------------------


def _string_list(value: object, what: str, path: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(path, f"{what} must be a list of strings")
    return value


def parse_spec(raw: object, index: int, path: str, clean: bool = False) -> Spec:
    """One element of ``spec_details`` -> :class:`Spec` (normalised, raw kept).

    The hot path of every load: values are looked up in memo tables, so the many specs
    that share a compiler, a variant list or a stack list share one normalised object.
    Anything unexpected drops to :func:`_spec_problem`, which names what is wrong.
    ``clean``: the spec was read by the JSON parser from bytes that are :func:`clean`, so
    its hash holds no control character either (every other value is checked once, when
    first met).
    """
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
        compiler, os, platform, target = raw["compiler"], raw["os"], raw["platform"], raw["target"]
        # A memo miss (or a value of the wrong type) goes to the function that checks it.
        raw_compiler, norm_compiler = _compiler_pairs.get(compiler) or _compiler_pair(compiler)
        raw_variants, norm_variants = _variant_lists.get(variants) or _variant_list(variants)
        return make_spec(
            digest.strip(),
            _string_sets.get(versions) or _string_set(versions),
            norm_compiler,
            _words.get(os) or _word(os),
            _words.get(platform) or _word(platform),
            _words.get(target) or _word(target),
            norm_variants,
            _string_sets.get(stacks) or _string_set(stacks),
            raw_compiler,
            raw_variants,
            _extra(raw) if len(raw) > 8 else (),
        )
    except (_Refused, KeyError, TypeError, AttributeError):
        raise _spec_problem(raw, index, path) from None


class _Refused(Exception):
    """A value of the wrong type met on the fast path of :func:`parse_spec`."""


def _only_strings(values: tuple[object, ...]) -> None:
    for value in values:
        if type(value) is not str or _unsafe(value):
            raise _Refused


_unsafe = UNSAFE.search


def clean(data: bytes) -> bool:
    """Whether JSON ``data`` can hold no string with a character of
    :data:`~catalog_diff.names.UNSAFE`: it is ASCII, without escapes (no backslash), DEL,
    tab or carriage return (a raw control character is no valid JSON). Two fast scans
    instead of one search per value; data that fails is checked value by value."""
    return data.isascii() and not any(c in data for c in (b"\\", b"\x7f", b"\t", b"\r"))


#: Memo tables stay below this many entries each (a long history ingest meets many).
MEMO_LIMIT = 1 << 16
_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(table: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(table) >= MEMO_LIMIT:
        table.clear()
    table[key] = value
    return value


_words: dict[str, str] = {}
_string_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
_variant_lists: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}
_compiler_pairs: dict[str, tuple[str, str]] = {}
_SPEC_KEYS = frozenset(_SPEC_STRINGS + _SPEC_LISTS)


def _word(value: str) -> str:
    done = _words.get(value)
    if done is None:
        if type(value) is not str or _unsafe(value):
            raise _Refused
        done = _remember(_words, value, _intern(value.strip()))
    return done


# The memo tables hold the strings they are keyed by: interned, and one tuple where the
# raw list is already normalised, a catalog's many repeats of each value cost one string.


def _string_set(values: tuple[str, ...]) -> tuple[str, ...]:
    _only_strings(values)
    done = _sorted_strings(values)
    return _remember(_string_sets, done if done == values else _interned(values), done)


def _variant_list(values: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    _only_strings(values)
    raw = _interned(values)
    done = tuple(sorted({normalise_variant(v) for v in raw}))
    return _remember(_variant_lists, raw, (raw, raw if done == raw else done))


def _interned(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(map(_intern, values))


def _compiler_pair(raw: str) -> tuple[str, str]:
    done = _compiler_pairs.get(raw)
    if done is None:
        if type(raw) is not str or _unsafe(raw):
            raise _Refused
        done = _remember(_compiler_pairs, raw, (raw, normalise_compiler(raw)))
    return done


_sizes: dict[object, tuple[tuple[str, object], ...]] = {}


def _extra(raw: dict[str, Any]) -> tuple[tuple[str, object], ...]:
    """Keys the model does not use (``size``, ``tarball``, anything new), kept as read."""
    if len(raw) == 9 and "size" in raw:  # the current layout: one shared tuple per size
        size = raw["size"]
        done = _sizes.get(size) if type(size) is str else None
        if done is None:
            done = (("size", size),)
            if type(size) is str and len(size) < 32:
                _remember(_sizes, size, done)
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
        raw = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    counts = _stack_counts(raw.get("num_specs_by_stack")) if isinstance(raw, dict) else None
    if memo is not None:
        memo.keep(line, counts)
    return counts


def _spec_details(matter: dict[str, Any], path: str) -> list[Any]:
    if "spec_details" not in matter:
        raise ParseError(path, "spec_details is missing")
    details = matter["spec_details"]
    if not isinstance(details, list):
        raise ParseError(path, "spec_details must be a list")
    return details


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
) -> Package:
    """Parse one ``specs.md`` of the current layout. Raises :class:`ParseError`.

    ``with_meta=False`` skips the ``meta`` line (``Package.meta`` is then ``meta``, as
    given). With a ``specs_cache`` (one per load, see :class:`LineMemo`), files of
    package ``name`` whose ``spec_details`` line is byte for byte one met before share
    its parsed specs, which saves time and memory.
    """
    line = spec_details_line(data) if specs_cache is not None else None
    matter = (line is not None and _head_matter(data, line, with_meta)) or front_matter(
        data, path, with_meta, skip_specs=line is not None
    )
    if line is not None and specs_cache is not None and matter.get("spec_details") is SKIPPED:
        known = specs_cache.find(name, line)
        if known is not None:
            specs = known[0]
        else:
            specs = parse_spec_details(line, path)
            specs_cache.keep(line, specs)
    else:
        details = _spec_details(matter, path)
        specs = sort_specs([parse_spec(raw, i, path) for i, raw in enumerate(details)])
    if with_meta:
        meta = parse_meta(matter["meta"], path) if "meta" in matter else None
    return Package(tag=tag, name=name, path=path, specs=specs, meta=meta, oid=oid)


def spec_details_line(data: bytes) -> bytes | None:
    """The raw ``spec_details`` value of a file of the usual shape, else None.

    The usual shape: front matter from the first line, ``spec_details`` as its last line,
    the closing ``---`` right after it. Files identical in that line hold identical
    specs, which lets the history index parse each distinct line once (a frozen tag's
    copy of a package differs from the original only in its ``categories`` line).
    """
    if not data.startswith(b"---\n") or len(data) > MAX_FILE_BYTES:
        return None
    start = data.find(b"\nspec_details: ")
    if start < 0:
        return None
    end = data.find(b"\n", start + 1)
    if end < 0 or data[end : end + 4] != b"\n---" or data[end + 4 : end + 5] not in (b"", b"\n"):
        return None
    return data[start + 15 : end]


def parse_spec_details(line: bytes, path: str) -> tuple[Spec, ...]:
    """Specs from a raw ``spec_details`` value (see :func:`spec_details_line`)."""
    try:
        details = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ParseError(path, f"spec_details is not valid JSON ({exc})") from exc
    details = _spec_details({"spec_details": details}, path)
    fast = clean(line)
    return sort_specs([parse_spec(raw, i, path, fast) for i, raw in enumerate(details)])


def check_spec_details(line: bytes, path: str) -> int:
    """Check a raw ``spec_details`` value the way :func:`parse_spec` would; return the
    number of specs. Cheaper than parsing: nothing is built."""
    try:
        details = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise ParseError(path, f"spec_details is not valid JSON ({exc})") from exc
    details = _spec_details({"spec_details": details}, path)
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


def count_specs(data: bytes, path: str, cache: LineMemo[int] | None = None, name: str = "") -> int:
    """The number of specs of a ``specs.md``, without building them (for tag counts).

    With a ``cache`` (one per load, see :class:`LineMemo`), a ``spec_details`` line that
    package ``name`` had in a tag counted just before is not parsed again.
    """
    line = spec_details_line(data)
    if line is None:
        details = _spec_details(front_matter(data, path, with_meta=False), path)
    else:
        known = cache.find(name, line) if cache is not None else None
        if known is not None:
            return known[0]
        try:
            details = _spec_details({"spec_details": orjson.loads(line)}, path)
        except orjson.JSONDecodeError as exc:
            raise ParseError(path, f"spec_details is not valid JSON ({exc})") from exc
    if not all(type(raw) is dict for raw in details):
        raise ParseError(path, "spec_details must be a list of mappings")
    if line is not None and cache is not None:
        cache.keep(line, len(details))
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
