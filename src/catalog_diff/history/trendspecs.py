"""What ``catalog-diff trends`` reads of the index: spec ids, not packages.

A package content is read as its list of spec ids (``spec_lists.spec_ids``), and each
distinct spec as its hash and the fields the trends count (build, stacks, target, OS,
compiler), parsed once per distinct body (``spec_bodies``) with the parser every other
reader of the index uses. No package is rebuilt and no spec is parsed twice, so the
walk of :mod:`catalog_diff.history.trends` costs what changed between commits, not what
the catalog holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..parse.bulk import loads as json_loads
from ..parse.memo import one_load
from ..parse.specs import spec_parser
from .index import HistoryIndex
from .specstore import join_spec

#: Rows asked for in one query (below SQLite's limit on bound parameters).
BATCH = 500

#: How many contents, specs and bodies are kept (bounded: memory follows the catalog,
#: not its history; what is dropped is read again when it is met again).
CONTENTS = 1 << 16
SPECS = 1 << 18
BODIES = 1 << 17


@dataclass(frozen=True, slots=True)
class SpecInfo:
    """What the trends need of one stored spec (``specs.id``)."""

    id: int
    hash: str
    build: tuple[object, ...]
    stacks: tuple[str, ...]
    facets: tuple[tuple[str, str], ...]  # (kind, value) for each span kind but stack
    pairs: tuple[tuple[str, str], ...]  # (hash, stack) for each of its stacks
    keys: tuple[tuple[str, str], ...]  # (kind, value) for each span kind, stacks first

    @property
    def order(self) -> tuple[str, tuple[object, ...], tuple[str, ...]]:
        """The canonical order of specs (:func:`catalog_diff.parse.specs.spec_order`)."""
        return (self.hash, self.build, self.stacks)


#: A content: its specs in canonical order, or why it could not be read (``path: why``).
Content = tuple[SpecInfo, ...] | str


class SpecTable:
    """Package contents as spec lists, read from an open index and kept."""

    def __init__(self, index: HistoryIndex) -> None:
        self.conn = index.conn
        self.contents: dict[int, Content] = {}
        self.specs: dict[int, SpecInfo] = {}
        #: per ``spec_bodies.id``: build, stacks, facets and span keys of its specs
        self.bodies: dict[int, tuple[Any, ...]] = {}

    def load(self, content_ids: Iterable[int]) -> None:
        """Read the contents not read yet, and the specs they hold, in a few queries."""
        needed = set(content_ids)
        wanted = sorted(c for c in needed if c not in self.contents)
        if not wanted:
            return
        if len(self.contents) + len(wanted) > CONTENTS:
            self.contents.clear()
            wanted = sorted(needed)
        lists: list[tuple[int, str, list[int]]] = []
        for part in _batches(wanted):
            rows = self.conn.execute(
                "SELECT c.id, c.path, c.problem, s.spec_ids FROM package_contents AS c "
                "LEFT JOIN spec_lists AS s ON s.id = c.spec_list_id "
                f"WHERE c.id IN ({','.join('?' * len(part))})",
                part,
            )
            for content_id, path, problem, spec_ids in rows:
                if problem is not None or spec_ids is None:
                    self.contents[content_id] = f"{path}: {problem or 'cannot be read'}"
                else:
                    lists.append((content_id, path, json_loads(spec_ids)))
        if len(self.specs) > SPECS:
            self.specs.clear()
        first_path: dict[int, str] = {}
        for _, path, ids in lists:
            for i in ids:
                if i not in self.specs:
                    first_path.setdefault(i, path)
        self._read_specs(first_path)
        specs = self.specs
        for content_id, _, ids in lists:
            found = [specs[i] for i in ids]
            hashes = {s.hash for s in found}
            if len(hashes) == len(found):
                found.sort(key=_hash_of)
            else:  # rare: only in a broken file
                found.sort(key=_order_of)
            self.contents[content_id] = tuple(found)

    def _read_specs(self, first_path: dict[int, str]) -> None:
        """Each new spec from its row and its body, each distinct body parsed once."""
        if len(self.bodies) > BODIES:
            self.bodies.clear()
        rows: list[tuple[int, str, int]] = []
        for part in _batches(sorted(first_path)):
            rows += self.conn.execute(
                f"SELECT id, hash, body_id FROM specs WHERE id IN ({','.join('?' * len(part))})",
                part,
            ).fetchall()
        bodies = self.bodies
        where: dict[int, tuple[str, str]] = {}  # body -> a hash and a path that use it
        for spec_id, digest, body_id in rows:
            if body_id not in bodies:
                where.setdefault(body_id, (digest, first_path[spec_id]))
        with one_load() as memo:
            parse = spec_parser(memo)
            for part in _batches(sorted(where)):
                sql = f"SELECT id, body FROM spec_bodies WHERE id IN ({','.join('?' * len(part))})"
                for body_id, text in self.conn.execute(sql, part):
                    digest, path = where[body_id]
                    t = parse(join_spec(digest, json_loads(text)), 0, path, True)
                    facets = (("target", t.target), ("os", t.os), ("compiler", t.compiler))
                    bodies[body_id] = (
                        (t.versions, t.compiler, t.os, t.platform, t.target, t.variants),
                        t.stacks,
                        facets,
                        tuple(("stack", stack) for stack in t.stacks) + facets,
                    )
        specs = self.specs
        for spec_id, digest, body_id in rows:
            build, stacks, facets, keys = bodies[body_id]
            digest = digest.strip()
            specs[spec_id] = SpecInfo(
                spec_id, digest, build, stacks, facets, tuple((digest, s) for s in stacks), keys
            )


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), BATCH):
        yield ids[i : i + BATCH]


def _hash_of(spec: SpecInfo) -> str:
    return spec.hash


def _order_of(spec: SpecInfo) -> tuple[str, tuple[object, ...], tuple[str, ...]]:
    return spec.order
