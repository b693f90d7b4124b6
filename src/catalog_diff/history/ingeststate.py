"""Ingest's state: the catalog as the history index holds it at the commit being applied.

What :mod:`catalog_diff.history.ingest` applies, commit by commit, without the run around it:
which changed paths are package files (their kind and package) and the layout their
counts make; :class:`State`, what is open at the commit with the rows a batch still has
to write; :class:`Parsed`, a package file as read; and an untagged package assembled
from its files open at the commit. The batches, their transactions and the ids of what
the index already stores stay in :mod:`catalog_diff.history.ingest`.

"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import GitError, ParseError
from ..git.repository import GitRepository, MissingObject
from ..layout import BLOB_MODES, TAGGED, TAGGED_SPECS_MD, UNTAGGED_INDEX, UNTAGGED_SPECS
from ..model.snapshot import Problem, Spec
from ..parse import legacy


class State:
    """What is open at the commit being applied, with the writes still to be made.

    Holds one revision's worth of rows (the open files and versions), never history.
    Writes are batched; rows are closed by their key and first commit, so a row opened
    and closed within one batch is handled whatever the order.
    """

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.files: dict[str, int] = {}
        self.versions = OpenSpans(None)
        self.new_files: list[tuple[str, str, str, str, int]] = []
        self.closed_files: list[tuple[int, str, int]] = []
        self.new_versions: list[tuple[str, str, int, int]] = []
        self.closed_versions: list[tuple[int, str, str, int]] = []
        self.new_contents: list[tuple[int, str, str, str, str | None, int | None]] = []
        self.new_spec_lists: list[tuple[int, str, int, str]] = []
        self.new_specs: list[tuple[int, str, int]] = []
        self.new_bodies: list[tuple[int, int, str]] = []
        self.next_content = self.next_spec_list = self.next_spec = self.next_body = 1
        # Packages per tag now, the first commit of each tag's open span, the tags whose
        # count changed in the commit being applied, and the tag spans to write.
        self.tag_counts: dict[str, int] = {}
        self.open_tags: dict[str, int] = {}
        self._tags_touched: set[str] = set()
        self.new_tags: list[tuple[str, int]] = []
        self.closed_tags: list[tuple[int, str, int]] = []

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> State:
        state = cls()
        rows = conn.execute(
            "SELECT path, kind, first_seq FROM old_layout_files WHERE last_seq IS NULL"
        )
        for path, kind, first in rows:
            state.files[path] = first
            state.counts[kind] = state.counts.get(kind, 0) + 1
        # The open package spans are counted here and read as they are asked for
        # (OpenSpans): a new day touches a few thousand of them, not every package of
        # every tag.
        rows = conn.execute(
            "SELECT s.tag, c.layout = ?, COUNT(*) "
            "FROM package_spans AS s JOIN package_contents AS c ON c.id = s.content_id "
            "WHERE s.last_seq IS NULL GROUP BY s.tag, c.layout = ?",
            (TAGGED, TAGGED),
        )
        for tag, tagged, count in rows:
            state.tag_counts[tag] = state.tag_counts.get(tag, 0) + count
            if tagged:
                state.counts[TAGGED_SPECS_MD] = state.counts.get(TAGGED_SPECS_MD, 0) + count
        state.versions = OpenSpans(conn if state.tag_counts else None)
        rows = conn.execute("SELECT tag, first_seq FROM tag_spans WHERE last_seq IS NULL")
        state.open_tags = {tag: first for tag, first in rows}

        def next_id(table: str) -> int:
            return int(conn.execute(f"SELECT IFNULL(MAX(id), 0) + 1 FROM {table}").fetchone()[0])

        state.next_content = next_id("package_contents")
        state.next_spec_list = next_id("spec_lists")
        state.next_spec = next_id("specs")
        state.next_body = next_id("spec_bodies")
        return state

    def add_content(
        self, key: str, layout: str, path: str, problem: str | None, spec_list: int | None
    ) -> int:
        content, self.next_content = self.next_content, self.next_content + 1
        self.new_contents.append((content, key, layout, path, problem, spec_list))
        return content

    def add_spec_list(self, digest: str, count: int, spec_ids: list[int]) -> int:
        found, self.next_spec_list = self.next_spec_list, self.next_spec_list + 1
        ids = "[" + ",".join(map(str, spec_ids)) + "]"
        self.new_spec_lists.append((found, digest, count, ids))
        return found

    def add_spec(self, digest: str, body: int) -> int:
        found, self.next_spec = self.next_spec, self.next_spec + 1
        self.new_specs.append((found, digest, body))
        return found

    def add_body(self, digest: int, body: str) -> int:
        found, self.next_body = self.next_body, self.next_body + 1
        self.new_bodies.append((found, digest, body))
        return found

    def open_file(self, path: str, oid: str, mode: str, kind: str, seq: int) -> None:
        self.files[path] = seq
        self.new_files.append((path, oid, mode, kind, seq))

    def close_file(self, path: str, seq: int) -> None:
        first = self.files.pop(path, None)
        if first is not None:
            self.closed_files.append((seq - 1, path, first))

    def is_tagged(self, tag: str, package: str) -> bool:
        current = self.versions.get((tag, package))
        return current is not None and current[2]

    def set_version(
        self, tag: str, package: str, content: int | None, seq: int, tagged: bool
    ) -> None:
        current = self.versions.get((tag, package))
        if current is not None and current[0] == content:
            return
        if current is not None:
            self.closed_versions.append((seq - 1, tag, package, current[1]))
            del self.versions[(tag, package)]
            self.tag_counts[tag] -= 1
            self._tags_touched.add(tag)
        if content is not None:
            self.versions[(tag, package)] = (content, seq, tagged)
            self.new_versions.append((tag, package, content, seq))
            self.tag_counts[tag] = self.tag_counts.get(tag, 0) + 1
            self._tags_touched.add(tag)

    def settle_tags(self, seq: int) -> None:
        """After a commit is applied: open the span of a tag that holds packages again,
        close that of a tag left empty."""
        for tag in sorted(self._tags_touched):
            count = self.tag_counts.get(tag, 0)
            if count > 0 and tag not in self.open_tags:
                self.open_tags[tag] = seq
                self.new_tags.append((tag, seq))
            elif count == 0 and tag in self.open_tags:
                self.closed_tags.append((seq - 1, tag, self.open_tags.pop(tag)))
            if count == 0:
                self.tag_counts.pop(tag, None)
        self._tags_touched.clear()

    def flush(self, conn: sqlite3.Connection) -> None:
        conn.executemany("INSERT INTO spec_bodies VALUES (?, ?, ?)", self.new_bodies)
        conn.executemany("INSERT INTO specs VALUES (?, ?, ?)", self.new_specs)
        conn.executemany("INSERT INTO spec_lists VALUES (?, ?, ?, ?)", self.new_spec_lists)
        conn.executemany(
            "INSERT INTO package_contents VALUES (?, ?, ?, ?, ?, ?)", self.new_contents
        )
        self.new_bodies, self.new_specs, self.new_spec_lists, self.new_contents = [], [], [], []
        conn.executemany(
            "INSERT INTO old_layout_files (path, oid, mode, kind, first_seq) "
            "VALUES (?, ?, ?, ?, ?)",
            self.new_files,
        )
        conn.executemany(
            "UPDATE old_layout_files SET last_seq = ? WHERE path = ? AND first_seq = ?",
            self.closed_files,
        )
        conn.executemany(
            "INSERT INTO package_spans (tag, package, content_id, first_seq) VALUES (?, ?, ?, ?)",
            self.new_versions,
        )
        conn.executemany(
            "UPDATE package_spans SET last_seq = ? WHERE tag = ? AND package = ? AND first_seq = ?",
            self.closed_versions,
        )
        conn.executemany("INSERT INTO tag_spans (tag, first_seq) VALUES (?, ?)", self.new_tags)
        conn.executemany(
            "UPDATE tag_spans SET last_seq = ? WHERE tag = ? AND first_seq = ?", self.closed_tags
        )
        self.new_files, self.closed_files = [], []
        self.new_versions, self.closed_versions = [], []
        self.new_tags, self.closed_tags = [], []


#: An open package span: its content id, its first commit, and whether a tagged file
#: holds it.
Open = tuple[int, int, bool]

#: How many spans OpenSpans asks for one at a time before it reads them all at once.
ONE_BY_ONE = 20_000


class OpenSpans:
    """The open package spans, ``(tag, package) -> (content, first_seq, tagged)``, as
    the index holds them and as the commits applied since changed them.

    A span not changed yet is read from the index when it is first asked for (the index
    already holds what the batches flushed, and what they did not is here); ``items``
    reads every open span once. Without a connection (a new index) nothing is read.
    """

    def __init__(self, conn: sqlite3.Connection | None) -> None:
        self._conn = conn
        self._rows: dict[tuple[str, str], Open] = {}
        self._gone: set[tuple[str, str]] = set()  # known not open
        self._asked = 0

    def get(self, key: tuple[str, str]) -> Open | None:
        found = self._rows.get(key)
        if found is not None or self._conn is None or key in self._gone:
            return found
        self._asked += 1
        if self._asked > ONE_BY_ONE:
            self._read_all()
            return self._rows.get(key)
        row = self._conn.execute(
            f"{_OPEN_SPANS} AND s.package = ? AND s.tag = ?", (key[1], key[0])
        ).fetchone()
        if row is None:
            self._gone.add(key)
            return None
        self._rows[key] = found = (row[2], row[3], row[4] == TAGGED)
        return found

    def __contains__(self, key: tuple[str, str]) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key: tuple[str, str]) -> Open:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __setitem__(self, key: tuple[str, str], value: Open) -> None:
        self._rows[key] = value
        self._gone.discard(key)

    def __delitem__(self, key: tuple[str, str]) -> None:
        del self._rows[key]
        self._gone.add(key)

    def items(self) -> Iterator[tuple[tuple[str, str], Open]]:
        self._read_all()
        return iter(list(self._rows.items()))

    def _read_all(self) -> None:
        if self._conn is None:
            return
        for tag, package, content, first, layout in self._conn.execute(_OPEN_SPANS):
            key = (tag, package)
            if key not in self._rows and key not in self._gone:
                self._rows[key] = (content, first, layout == TAGGED)
        self._conn = None  # every open span is here now
        self._gone.clear()


_OPEN_SPANS = (
    "SELECT s.tag, s.package, s.content_id, s.first_seq, c.layout "
    "FROM package_spans AS s JOIN package_contents AS c ON c.id = s.content_id "
    "WHERE s.last_seq IS NULL"
)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A package file, read: why it failed, or the digest of its spec set."""

    problem: str | None
    digest: str | None = None


def assemble_legacy(
    repo: GitRepository,
    folder: str,
    rows: list[tuple[str, str, str]],
    head: tuple[str, str, str],
) -> tuple[str | None, tuple[Spec, ...]]:
    """Parse an untagged package from its index/specs file and its spec-N.json files."""
    head_path, head_oid, head_mode = head
    if head_mode not in BLOB_MODES:
        return "not a regular file (symlink or submodule)", ()
    oids = {path: oid for path, oid, mode in rows if mode in BLOB_MODES}
    with repo.read_blobs(sorted(set(oids.values()))) as stream:
        blobs = dict(stream)
    lacking = sorted(path for path, oid in oids.items() if oid in blobs and blobs[oid] is None)
    if lacking:  # an error, not a problem kept in the index for good
        why = repo.why_unreadable(oids[lacking[0]])
        raise GitError(lacking[0], repo.path, f"cannot read it: {why}")
    layout = UNTAGGED_INDEX if head_path.endswith("/index.md") else UNTAGGED_SPECS
    text = blobs.get(head_oid)
    if text is None:
        return "cannot be read", ()
    try:
        if layout == UNTAGGED_INDEX:
            index = legacy.parse_index_md(text, head_path)
        else:
            index = legacy.parse_flat_specs_md(text, head_path)
    except ParseError as exc:
        return exc.reason, ()
    files = {
        path.rsplit("/", 1)[1]: data
        for path, oid in oids.items()
        if (data := blobs.get(oid)) is not None and path != head_path
    }
    package, problems = legacy.assemble(index, files, folder)
    # A spec file that is a symlink or a submodule is not read: say so, not "missing".
    special = {path for path, _, mode in rows if mode not in BLOB_MODES}
    problems = [
        Problem(p.path, "not a regular file (symlink or submodule)") if p.path in special else p
        for p in problems
    ]
    problem = "; ".join(f"{p.path}: {p.message}" for p in problems) or None
    return problem, package.specs


def named_blobs(
    stream: Iterator[tuple[str, bytes | None]], paths: dict[str, str]
) -> Iterator[tuple[str, bytes | None]]:
    """The blobs of ``stream``; a blob git cannot read is an error naming its path."""
    try:
        yield from stream
    except MissingObject as exc:
        path = paths.get(exc.oid, "?")
        raise GitError(path, exc.repo, f"cannot read it: {exc.reason}") from exc


def held(repo: GitRepository, data: bytes | None, oid: str, path: str) -> bytes:
    """The bytes of a blob. One git cannot give is an error, not a problem kept in the
    index for good: a damaged repository, or a partial clone that lacks it."""
    if data is None:
        raise GitError(path, repo.path, f"cannot read it: {repo.why_unreadable(oid)}")
    return data
