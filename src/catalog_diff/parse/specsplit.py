"""Split a raw ``spec_details`` value into its specs as the history index stores them.

Each spec becomes its hash and its *body*: the JSON text, keys sorted, of every other
field. The check is the one :func:`~catalog_diff.parse.specs.check_spec_details` makes,
done once per distinct body instead of once per spec: a daily rebuild changes a spec's
hash alone, so most bodies of a new file were met (and checked) before. Anything this fast
path does not accept is handed to ``check_spec_details``, which names what is wrong.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

import orjson

from ..errors import ParseError
from .bulk import loads as json_loads
from .specs import _unsafe, check_spec_details, clean, spec_details_list

#: One spec as the index stores it: its hash and the JSON text of its other fields.
Split = tuple[str, str]


class _Refused(Exception):
    """Something the fast path does not accept: the full check decides."""


def split_body(record: dict[str, Any]) -> Split:
    """A spec record -> its hash and the JSON text of the rest (keys sorted). The record
    is taken apart: it loses its hash."""
    digest = record.pop("hash")
    return digest, orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def split_spec_details(line: bytes, path: str, known: Container[str]) -> list[Split]:
    """The specs of a raw ``spec_details`` value, in its order, checked; ``known`` holds
    bodies checked before. A :class:`ParseError` as ``check_spec_details`` raises it."""
    try:
        return _split(line, path, known)
    except (_Refused, orjson.JSONEncodeError):
        check_spec_details(line, path)  # names the spec at fault
        return [split_body(record) for record in json_loads(line)]  # pragma: no cover


def _split(line: bytes, path: str, known: Container[str]) -> list[Split]:
    try:
        details = json_loads(line)
    except orjson.JSONDecodeError as exc:
        raise ParseError(path, f"spec_details is not valid JSON ({exc})") from exc
    details = spec_details_list({"spec_details": details}, path)
    fast = clean(line)
    dumps, sort = orjson.dumps, orjson.OPT_SORT_KEYS
    checked: set[str] = set()
    out = []
    for raw in details:
        if type(raw) is not dict:
            raise _Refused
        digest = raw.pop("hash", None)
        if type(digest) is not str or (not fast and _unsafe(digest)):
            raise _Refused
        body = dumps(raw, option=sort).decode("utf-8")
        if body not in known and body not in checked:
            _check_body(raw, fast)
            checked.add(body)
        out.append((digest, body))
    return out


def _check_body(raw: dict[str, Any], fast: bool) -> None:
    """What ``check_spec_details`` checks of a spec but its hash."""
    get, join = raw.get, "".join
    if not (
        type(get("compiler")) is str
        and type(get("os")) is str
        and type(get("platform")) is str
        and type(get("target")) is str
        and type(get("versions")) is list
        and type(get("variants")) is list
        and type(get("stacks")) is list
    ):
        raise _Refused
    try:
        lists = (join(raw["versions"]), join(raw["variants"]), join(raw["stacks"]))
    except TypeError:
        raise _Refused from None
    if not fast:
        values = (raw["compiler"], raw["os"], raw["platform"], raw["target"])
        if _unsafe(join(values + lists)):
            raise _Refused
