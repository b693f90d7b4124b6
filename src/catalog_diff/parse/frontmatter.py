"""Bytes of a ``specs.md`` -> its front matter mapping. Pure: no I/O.

The current layout writes each value of the front matter as one line of JSON, so the fast
path splits the lines and hands each value to a JSON parser. Anything that does not fit
that shape goes to PyYAML's safe loader (the C one where libyaml is present). Any failure
raises :class:`ParseError` with the reason. :mod:`catalog_diff.parse.specs` then checks and
builds the specs, and :mod:`catalog_diff.parse.package` assembles the package.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ..errors import ParseError
from ..layout import MAX_FILE_BYTES, MAX_YAML_BYTES
from .bulk import loads as json_loads

_JSON_KEYS = frozenset(("title", "meta", "spec_details"))

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
                out[key] = json_loads(value)
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


def head_matter(data: bytes, line: bytes, with_meta: bool) -> dict[str, Any] | None:
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
    loader: type = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
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
        mark, problem = None, None
        if isinstance(exc, yaml.MarkedYAMLError):  # the scanner, parser or constructor
            mark, problem = exc.problem_mark, exc.problem
        elif isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
            problem = exc.reason
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        problem = problem or type(exc).__name__
        raise ParseError(path, f"{what} is not valid YAML{where}: {problem}") from exc
    except RecursionError as exc:
        raise ParseError(path, f"{what} is nested too deeply") from exc
    except ValueError as exc:  # a scalar the safe constructor rejects: 2025-13-45, !!int x
        raise ParseError(path, f"{what} has a bad value: {exc}") from exc


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
