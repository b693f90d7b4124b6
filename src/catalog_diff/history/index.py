"""The history index: every package's content along first-parent history, in SQLite.

This module opens the index (its schema is documented and migrated in
:mod:`catalog_diff.history.migrations`), holds the lock file that keeps two index runs from
interleaving, and answers the reads the queries of :mod:`catalog_diff.history.timeline` make.
Bringing it up to date is :mod:`catalog_diff.history.ingest`'s work: each distinct package
content parsed once, ``package_spans`` recording from which commit to which commit each
content was the package's, in transactions that leave it consistent when interrupted.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..git.repository import Commit, GitRepository
from ..model.snapshot import Package, Spec
from ..parse.bulk import loads as json_loads
from ..parse.fastspec import make_spec
from ..parse.memo import one_load
from ..parse.specs import sort_specs, spec_parser
from . import indexpath
from .indexfile import check_location, os_fault, sqlite_fault
from .migrations import check, migrate
from .specstore import join_spec


@dataclass(frozen=True, slots=True)
class IndexedCommit:
    seq: int
    sha: str
    date: str
    timestamp: int
    subject: str
    layout: str


@dataclass(frozen=True, slots=True)
class Version:
    """A package's content from ``first_seq`` to ``last_seq`` (None: still at the tip)."""

    tag: str
    package: str
    content_id: int
    first_seq: int
    last_seq: int | None


def default_index_path(repo: GitRepository) -> Path:
    """``<user cache dir>/catalog-diff/<name>-<digest of the git dir>.sqlite``."""
    working = str(repo.working_dir) if repo.working_dir else None
    return indexpath.default_index_path(repo.git_dir, working)


if TYPE_CHECKING:
    from .ingest import UpdateStats


class HistoryIndex:
    """An open history index file."""

    def __init__(self, path: str | Path, *, create_parent: bool = False) -> None:
        """Open (or create) the index at ``path``. Its folder must exist unless
        ``create_parent`` (the default location only): a typo never makes folders."""
        self.path = str(path)
        check_location(Path(self.path), create_parent)
        try:
            # A plain file name: SQLite never reads a path as a URI unless asked to.
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=600)
        except sqlite3.Error as exc:
            raise sqlite_fault(self.path, exc) from exc
        try:
            # Checked before anything is written: a file that is not an index stays untouched.
            check(self.conn, self.path)
            try:
                # Write-ahead logging before the first write: a new index is never in
                # rollback-journal mode, whose journal left by a kill makes the file
                # unreadable to a read-only reader ("attempt to write a readonly database").
                _use_wal(self.conn)
                self.conn.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as exc:
                raise sqlite_fault(self.path, exc) from exc
            migrate(self.conn, self.path)
        except sqlite3.Error as exc:
            self.conn.close()
            raise sqlite_fault(self.path, exc) from exc
        except BaseException:
            self.conn.close()
            raise
        self._contents: dict[int, Package | str] = {}
        self._bodies: dict[int, Spec] = {}  # body id -> a spec of that body, parsed
        self._specs: dict[int, Spec] = {}
        #: (tag, seq) -> the spec list ids of the tag's packages there (None: unread)
        self.alive: dict[tuple[str, int], tuple[int | None, ...]] = {}

    @contextlib.contextmanager
    def faults(self) -> Iterator[None]:
        """Turn an SQLite or file error met while using the index into an
        :class:`IndexFileError` saying what is wrong with the file and what to do."""
        try:
            yield
        except sqlite3.Error as exc:
            raise sqlite_fault(self.path, exc) from exc

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- ingest ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, waiting: Callable[[], None] | None) -> Iterator[None]:
        try:
            lock = Path(self.path + ".lock").open("a+b")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise os_fault(self.path, exc) from exc
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if waiting is not None:
                    waiting()
                fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def update(
        self,
        repo: GitRepository,
        tip: Commit,
        progress: Callable[[int, int], None] | None = None,
        waiting: Callable[[], None] | None = None,
        base: Commit | None = None,
    ) -> UpdateStats:
        """Index every first-parent commit up to ``tip`` not indexed yet (see
        :mod:`catalog_diff.history.ingest`). A new index starts at the first commit, or at
        ``base`` when given. ``waiting`` is called if another run holds the index."""
        from .ingest import Ingest

        with self._locked(waiting), self.faults():
            return Ingest(self).run(repo, tip, progress, base)

    # ---- reading -----------------------------------------------------------------------

    def last_commit(self) -> IndexedCommit | None:
        row = self.conn.execute(
            "SELECT seq, sha, date, timestamp, subject, layout FROM commits "
            "ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return IndexedCommit(*row) if row else None

    def info(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM info WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row is not None else None

    def indexed_from(self) -> IndexedCommit | None:
        """The first indexed commit when the index starts after the first commit of the
        history (``index A..B``); None when it starts at the beginning."""
        if self.info("indexed_from") is None:
            return None
        return self.commit_at_seq(0)

    def tags_until(self, seq: int) -> list[str]:
        """Every tag the index holds at some commit up to ``seq``."""
        rows = self.conn.execute(
            "SELECT DISTINCT tag FROM tag_spans WHERE first_seq <= ? ORDER BY tag", (seq,)
        )
        return [row[0] for row in rows]

    def first_commit_since(self, timestamp: int, last: int) -> IndexedCommit | None:
        """The first commit up to ``last`` dated at or after ``timestamp``."""
        row = self.conn.execute(
            "SELECT seq, sha, date, timestamp, subject, layout FROM commits "
            "WHERE timestamp >= ? AND seq <= ? ORDER BY seq LIMIT 1",
            (timestamp, last),
        ).fetchone()
        return IndexedCommit(*row) if row else None

    def commits_newest_first(self, first: int, last: int) -> Iterator[IndexedCommit]:
        """Commits from ``last`` down to ``first`` (seq), read as they are asked for."""
        seq = last
        while seq >= first:
            rows = self.conn.execute(
                "SELECT seq, sha, date, timestamp, subject, layout FROM commits "
                "WHERE seq <= ? AND seq >= ? ORDER BY seq DESC LIMIT 64",
                (seq, first),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield IndexedCommit(*row)
            seq = rows[-1][0] - 1

    def commits(self, first: int = 0, last: int | None = None) -> list[IndexedCommit]:
        rows = self.conn.execute(
            "SELECT seq, sha, date, timestamp, subject, layout FROM commits "
            "WHERE seq >= ? AND seq <= ? ORDER BY seq",
            (first, last if last is not None else 2**62),
        )
        return [IndexedCommit(*row) for row in rows]

    def commit_by_sha(self, sha: str) -> IndexedCommit | None:
        row = self.conn.execute(
            "SELECT seq, sha, date, timestamp, subject, layout FROM commits WHERE sha = ?", (sha,)
        ).fetchone()
        return IndexedCommit(*row) if row else None

    def package_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT DISTINCT package FROM package_spans")]

    def commit_at_seq(self, seq: int) -> IndexedCommit | None:
        row = self.conn.execute(
            "SELECT seq, sha, date, timestamp, subject, layout FROM commits WHERE seq = ?", (seq,)
        ).fetchone()
        return IndexedCommit(*row) if row else None

    def content_layout(self, content_id: int) -> str:
        row = self.conn.execute("SELECT layout FROM package_contents WHERE id = ?", (content_id,))
        return str(row.fetchone()[0])

    def tag_sizes(self, versions: Sequence[Version]) -> dict[str, tuple[int, int]]:
        """``tag -> (packages, specs)`` over some versions, from the stored counts."""
        sizes: dict[str, list[int]] = {}
        for v in versions:
            row = self.conn.execute(
                "SELECT IFNULL(s.spec_count, 0) FROM package_contents AS c "
                "LEFT JOIN spec_lists AS s ON s.id = c.spec_list_id WHERE c.id = ?",
                (v.content_id,),
            ).fetchone()
            size = sizes.setdefault(v.tag, [0, 0])
            size[0] += 1
            size[1] += int(row[0])
        return {tag: (n, m) for tag, (n, m) in sizes.items()}

    def commit_at(self, timestamp: int, last: int | None = None) -> IndexedCommit | None:
        """The last commit (up to ``last``) whose date is at or before ``timestamp``."""
        row = self.conn.execute(
            "SELECT seq, sha, date, timestamp, subject, layout FROM commits "
            "WHERE timestamp <= ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
            (timestamp, last if last is not None else 2**62),
        ).fetchone()
        return IndexedCommit(*row) if row else None

    def versions(self, package: str, tag: str | None = None) -> list[Version]:
        sql = (
            "SELECT tag, package, content_id, first_seq, last_seq FROM package_spans "
            "WHERE package = ?"
        )
        args: list[object] = [package]
        if tag is not None:
            sql += " AND tag = ?"
            args.append(tag)
        rows = self.conn.execute(sql + " ORDER BY tag, first_seq", args)
        return [Version(*row) for row in rows]

    def changed_at(self, seq: int) -> tuple[list[Version], list[Version]]:
        """Versions that ended just before ``seq`` and versions that began at ``seq``."""
        cols = "tag, package, content_id, first_seq, last_seq"
        ended = self.conn.execute(
            f"SELECT {cols} FROM package_spans WHERE last_seq = ?", (seq - 1,)
        ).fetchall()
        began = self.conn.execute(
            f"SELECT {cols} FROM package_spans WHERE first_seq = ?", (seq,)
        ).fetchall()
        return [Version(*r) for r in ended], [Version(*r) for r in began]

    def tags_at(self, seq: int) -> set[str]:
        rows = self.conn.execute(
            "SELECT tag FROM tag_spans WHERE first_seq <= ? "
            "AND (last_seq IS NULL OR last_seq >= ?)",
            (seq, seq),
        )
        return {row[0] for row in rows}

    def content(self, content_id: int, tag: str, name: str) -> Package | str:
        """The package a content holds, or the reason it could not be read."""
        cached = self._contents.get(content_id)
        if cached is None:
            self.read_contents([content_id])
            cached = self._contents[content_id]
        if isinstance(cached, Package) and (cached.tag, cached.name) != (tag, name):
            return Package(tag=tag, name=name, path=cached.path, specs=cached.specs)
        return cached

    def read_contents(self, content_ids: Sequence[int]) -> None:
        """Read some contents at once (a few queries per 500, not a few per content),
        for :meth:`content` to answer from memory."""
        wanted = sorted({c for c in content_ids if c not in self._contents})
        if len(self._contents) + len(wanted) > 4096:
            self._contents.clear()
            wanted = sorted(set(content_ids))
        rows: list[tuple[int, str, str | None, str | None]] = []
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            rows += self.conn.execute(
                "SELECT c.id, c.path, c.problem, s.spec_ids FROM package_contents AS c "
                "LEFT JOIN spec_lists AS s ON s.id = c.spec_list_id "
                f"WHERE c.id IN ({','.join('?' * len(part))})",
                part,
            ).fetchall()
        lists = {
            content_id: (path, json_loads(spec_ids))
            for content_id, path, problem, spec_ids in rows
            if problem is None and spec_ids is not None
        }
        self._specs_of([(ids, path) for path, ids in lists.values()])
        for content_id, path, problem, _ in rows:
            if content_id in lists:
                specs = sort_specs([self._specs[i] for i in lists[content_id][1]])
                self._contents[content_id] = Package(tag="", name="", path=path, specs=specs)
            else:
                self._contents[content_id] = f"{path}: {problem or 'cannot be read'}"

    def _specs_of(self, spec_lists: list[tuple[list[int], str]]) -> None:
        """Make sure every spec of some spec lists (each with the path of a file that
        holds it, for messages) is in ``self._specs`` (see
        :mod:`catalog_diff.history.specstore` for how they are stored). Each distinct body
        is parsed once per open index; a spec is its body's parsed fields with its own hash
        (checked when it was stored)."""
        done = self._specs
        where: dict[int, str] = {}  # spec id -> the first file asked for that holds it
        for ids, path in spec_lists:
            for i in ids:
                where.setdefault(i, path)
        wanted = sorted(i for i in where if i not in done)
        if len(done) + len(wanted) > 1 << 17:
            done.clear()
            wanted = sorted(where)
        rows: list[tuple[int, str, int]] = []
        for i in range(0, len(wanted), 500):
            part = wanted[i : i + 500]
            sql = f"SELECT id, hash, body_id FROM specs WHERE id IN ({','.join('?' * len(part))})"
            rows += self.conn.execute(sql, part).fetchall()
        bodies = self._bodies
        missing = {body: (digest, i) for i, digest, body in rows if body not in bodies}
        if len(bodies) + len(missing) > 1 << 16:
            bodies.clear()
            missing = {body: (digest, i) for i, digest, body in rows}
        ids = sorted(missing)
        with one_load() as memo:  # memo tables of this read only
            parse = spec_parser(memo)
            for i in range(0, len(ids), 500):
                part = ids[i : i + 500]
                sql = f"SELECT id, body FROM spec_bodies WHERE id IN ({','.join('?' * len(part))})"
                for body_id, text in self.conn.execute(sql, part):
                    digest, spec_id = missing[body_id]
                    record = join_spec(digest, json_loads(text))
                    bodies[body_id] = parse(record, 0, where[spec_id], True)
        for spec_id, digest, body in rows:
            t = bodies[body]
            done[spec_id] = make_spec(
                digest.strip(),
                t.versions,
                t.compiler,
                t.os,
                t.platform,
                t.target,
                t.variants,
                t.stacks,
                t.raw_compiler,
                t.raw_variants,
                t.extra,
            )


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to write-ahead logging. SQLite answers "locked" at once, without waiting,
    while another process creating the same index switches it too: try again."""
    deadline = time.monotonic() + 600
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


__all__ = ["HistoryIndex", "IndexedCommit", "Version", "default_index_path"]
