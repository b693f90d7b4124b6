"""What the history index stores already, and where each new row goes: package contents,
spec lists, specs and spec bodies, each stored once.

A package file of the current layout is read once (:meth:`SpecStore.read`): its
``spec_details`` line is digested, and only a line not met before is checked and split
into its specs. A spec is stored once as its hash and a *body* (every other field, as a
JSON object with sorted keys, itself stored once: a rebuild changes the hash alone); a
spec list is the JSON array of its spec ids, in the file's order. Reading back
(:mod:`catalog_diff.history.index`) joins the hash and the body into the record the file
held, with the same keys and values.

The ids are remembered in tables of a bounded size; what they forget is asked of the index,
a batch at a time (:meth:`SpecStore.prepare`).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson

from ..errors import ParseError
from ..layout import classify
from ..model.snapshot import Spec
from ..parse.bulk import loads as json_loads
from ..parse.frontmatter import spec_details_line
from ..parse.package import parse_package
from ..parse.specsplit import Split, split_body, split_spec_details
from .ingeststate import Parsed, State

#: How many ids each table of remembered ids holds before it is emptied.
REMEMBERED = 1 << 17

#: One spec as stored: its hash and its body's JSON text.
Stored = Split


def body_digest(body: str) -> int:
    """The look-up key of a body: its CRC-32 (bodies that share one are told apart by
    their text)."""
    return zlib.crc32(body.encode("utf-8"))


def join_spec(digest: str, body: dict[str, Any]) -> dict[str, Any]:
    """The record a stored spec stands for (see :func:`split_spec`)."""
    return {"hash": digest, **body}


class SpecStore:
    """The ids of what an index stores, for one ingest run."""

    def __init__(self, conn: Any, whole: bool) -> None:
        self.conn = conn
        self.content_ids: dict[str, int] = {}
        self._lists: dict[str, int] = {}
        self._specs: dict[tuple[str, int], int] = {}  # (hash, body id) -> spec id
        self._bodies: dict[str, int] = {}
        self._pending: dict[str, list[Stored]] = {}
        self._prepared: set[str] = set()  # pending lists whose specs prepare looked up
        # While the tables above hold everything this run stored and the index held
        # nothing before it, they answer "is it stored?" alone: no query needed.
        self.whole = whole

    # ---- reading package files ---------------------------------------------------------

    def read(self, data: bytes | None, path: str) -> Parsed:
        """A package file of the current layout, digested (and checked if new)."""
        line = spec_details_line(data) if data is not None else None
        if line is None:
            return self._parse(None, data, path)
        digest = "line:" + hashlib.sha1(line).hexdigest()
        if not self.whole and digest not in self._lists and digest not in self._pending:
            # Stored by an earlier run (a tag's copy of a file, the same list again): it
            # was checked then, and is not split again. One probe of the digest index.
            self._look_up("spec_lists", "digest", {digest}, self._lists)
        # New: checked now.
        parsed = self._parse(digest, line, path)
        if parsed.problem is not None:  # read whole, as the loader reads it (maybe YAML)
            return self._parse(None, data, path)
        return parsed

    def _parse(self, digest: str | None, raw: bytes | None, path: str) -> Parsed:
        """Check a package file's specs when its ``spec_details`` line is new.

        ``raw`` is the line when ``digest`` is set, else the whole file (parsed in full).
        """
        if raw is None:
            return Parsed("cannot be read")
        if digest is not None:
            if digest in self._lists or digest in self._pending:
                return Parsed(None, digest)
            try:
                # Stored as written; normalised when read back (parse_specs does both).
                self._pending[digest] = split_spec_details(raw, path, self._bodies)
            except ParseError as exc:
                return Parsed(exc.reason)
            return Parsed(None, digest)
        key = classify(path) or ("", "")
        try:
            specs = parse_package(raw, key[0], key[1], path, with_meta=False).specs
        except ParseError as exc:
            return Parsed(exc.reason)
        return Parsed(None, self.pend(specs))

    def pend(self, specs: Sequence[Spec]) -> str:
        """Queue a normalised spec list for storage; return its digest."""
        records = [spec.as_dict() for spec in specs]
        digest = "specs:" + hashlib.sha1(orjson.dumps(records)).hexdigest()
        if digest not in self._lists:
            self._pending[digest] = [split_body(record) for record in records]
        return digest

    # ---- what the index holds ----------------------------------------------------------

    def prepare(self, keys: Iterable[str], replaced: Iterable[int] = ()) -> None:
        """Before a batch is written: learn which of its contents (``keys``), spec lists,
        specs and bodies an earlier run or batch stored. The specs of the contents the
        batch's files replace (``replaced``) are read by id first: most specs of a new
        file are its predecessor's, and the rest are asked for by hash."""
        if self.whole:
            return
        self.known_keys(set(keys))
        self._look_up("spec_lists", "digest", set(self._pending), self._lists)
        # A list stored already (a tag's copy of a file, the same list again) needs no
        # spec of its own looked up: only the new lists' specs are.
        new = [specs for digest, specs in self._pending.items() if digest not in self._lists]
        if new:
            self._remember_specs_of(sorted(replaced))
            self._resolve({spec for specs in new for spec in specs})
        self._prepared.update(self._pending)

    def _remember_specs_of(self, contents: list[int]) -> None:
        """Remember the ids of the specs and bodies of some stored contents."""
        spec_ids: set[int] = set()
        for i in range(0, len(contents), 500):
            part = contents[i : i + 500]
            sql = (
                "SELECT l.spec_ids FROM package_contents AS c JOIN spec_lists AS l "
                f"ON l.id = c.spec_list_id WHERE c.id IN ({','.join('?' * len(part))})"
            )
            for (text,) in self.conn.execute(sql, part):
                spec_ids.update(json_loads(text))
        wanted = sorted(spec_ids)
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            sql = (
                "SELECT s.hash, s.body_id, s.id, b.body FROM specs AS s JOIN spec_bodies AS b "
                f"ON b.id = s.body_id WHERE s.id IN ({','.join('?' * len(part))})"
            )
            for digest, body_id, spec_id, body in self.conn.execute(sql, part):
                self._specs[(digest, body_id)] = spec_id
                self._bodies[body] = body_id

    def _resolve(self, stored: set[Stored]) -> None:
        """Remember the ids of those specs (and bodies) that the index stores."""
        self._look_up_bodies({body for _, body in stored if body not in self._bodies})
        bodies = self._bodies
        wanted = sorted(
            {h for h, body in stored if body in bodies and (h, bodies[body]) not in self._specs}
        )
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            sql = f"SELECT hash, body_id, id FROM specs WHERE hash IN ({','.join('?' * len(part))})"
            rows = self.conn.execute(sql, part)
            self._specs.update(((h, body), int(row_id)) for h, body, row_id in rows)

    def _look_up_bodies(self, bodies: set[str]) -> None:
        by_digest = {body_digest(body): body for body in bodies}
        digests = sorted(by_digest)
        for i in range(0, len(digests), 500):
            part = digests[i : i + 500]
            sql = f"SELECT body, id FROM spec_bodies WHERE digest IN ({','.join('?' * len(part))})"
            for body, body_id in self.conn.execute(sql, part):
                if body in bodies:
                    self._bodies[body] = int(body_id)

    def known_keys(self, keys: set[str]) -> set[str]:
        """The keys already stored as contents (ids remembered)."""
        if not self.whole:
            self._look_up("package_contents", "key", keys, self.content_ids)
        return {k for k in keys if k in self.content_ids}

    def _look_up(self, table: str, column: str, values: set[str], ids: dict[str, int]) -> None:
        """Remember the ids of the rows of ``table`` whose ``column`` is one of ``values``
        (those not remembered yet), asking 500 at a time."""
        items = sorted(v for v in values if v not in ids)
        for i in range(0, len(items), 500):
            part = items[i : i + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT {column}, id FROM {table} WHERE {column} IN ({marks})"
            ids.update((value, int(row_id)) for value, row_id in self.conn.execute(sql, part))

    def forget(self) -> None:
        """After a batch: drop what is pending, and the remembered ids once too many."""
        self._pending.clear()
        self._prepared.clear()
        for table in (self._lists, self.content_ids, self._specs, self._bodies):
            if len(table) > REMEMBERED:
                table.clear()
                self.whole = False

    # ---- new rows ----------------------------------------------------------------------

    def content(
        self,
        key: str,
        layout: str,
        path: str,
        state: State,
        read: Callable[[], Parsed],
        fresh: bool = False,
    ) -> int:
        """The id of a content, stored on first sight (``fresh``: known not to be stored)."""
        found = self.content_ids.get(key)
        if found is None and not fresh:
            self.known_keys({key})
            found = self.content_ids.get(key)
        if found is None:
            parsed = read()
            spec_list = self._spec_list(parsed.digest, state) if parsed.digest else None
            found = state.add_content(key, layout, path, parsed.problem, spec_list)
            self.content_ids[key] = found
        return found

    def _spec_list(self, digest: str, state: State) -> int:
        """The id of a spec list, stored on first use."""
        found = self._lists.get(digest)
        if found is None and digest not in self._pending:
            if not self.whole:
                self._look_up("spec_lists", "digest", {digest}, self._lists)
            found = self._lists.get(digest)
        if found is None:
            specs = self._pending.pop(digest)
            if not self.whole and digest not in self._prepared:
                self._resolve(set(specs))  # an untagged package, met while applying
            ids = [self._spec(spec, state) for spec in specs]
            found = state.add_spec_list(digest, len(ids), ids)
            self._lists[digest] = found
        return found

    def _spec(self, spec: Stored, state: State) -> int:
        digest, text = spec
        body = self._bodies.get(text)
        if body is None:
            body = state.add_body(body_digest(text), text)
            self._bodies[text] = body
        found = self._specs.get((digest, body))
        if found is None:
            found = state.add_spec(digest, body)
            self._specs[(digest, body)] = found
        return found
