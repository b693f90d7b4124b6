"""Ingest: bring a history index up to a commit, one batch of commits at a time.

One ``git log --first-parent --raw`` stream gives, per commit, only the paths that
changed. Each new package file is read once through a ``cat-file`` stream that runs
while the previous batch is written; its ``spec_details`` line is digested and checked
only when the digest is new, and stored as written (frozen tags share the spec sets of
the files they copy). Every batch is one transaction: an interruption loses at most the
batch under way, and the next run continues from the last commit stored. What a changed
path is, what is open at the commit being applied and the rows a batch will write live in
:mod:`catalog_diff.history.ingeststate`.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DataError
from ..git.log import LoggedCommit
from ..git.repository import Commit, GitRepository
from ..layout import (
    BLOB_MODES,
    IMPLICIT_TAG,
    TAGGED,
    TAGGED_SPECS_MD,
    UNSAFE_PATH,
    UNTAGGED_INDEX,
    UNTAGGED_SPECS,
    classify,
    file_kind,
    layout_of,
    package_key,
    printable,
    unsafe_name,
)
from ..process.gcpause import gc_paused
from .ingeststate import Parsed, State, assemble_legacy, held, named_blobs
from .migrations import SPANS_BY_TAG, IndexFileError
from .specstore import SpecStore
from .standins import UNLISTED, cover_trees, cover_unlisted

if TYPE_CHECKING:
    from .index import HistoryIndex

#: How many changed files one batch (one transaction) holds at most.
CHUNK_BLOBS = 4000

#: SQLite's page cache while indexing, in KiB.
CACHE_KIB = 64 * 1024

#: Stands for the mode of a package file whose path is not safe to store or print.
_UNSAFE_MODE = "unsafe"

Progress = Callable[[int, int], None]


class OffTheIndexedLine(DataError):
    """A revision that is not on the first-parent line the index holds: the branch was
    reset or rewritten, or the revision is on another branch."""

    def __init__(
        self, index: str, sha: str, label: str | None = None, start: str | None = None
    ) -> None:
        import shlex

        self.index, self.sha, self.start = index, sha, start
        self.label = label or sha[:12]
        named = f"{label} ({sha[:12]})" if label else sha[:12]
        again = "" if label in (None, "HEAD") else f" {shlex.quote(label or '')}"
        if start is not None:  # an ancestor of where a ranged index starts
            super().__init__(
                f"{named}: before the start of the index {index} (indexed from "
                f"{start[:12]}); run 'catalog-diff index --rebuild{again}' to index "
                "the whole history, or give another --index FILE"
            )
            return
        super().__init__(
            f"{named}: the index {index} holds another history (rewritten, or another branch); "
            f"run 'catalog-diff index --rebuild{again}' to index its history instead, "
            "or give another --index FILE"
        )


@dataclass(frozen=True, slots=True)
class UpdateStats:
    commits: int
    contents_parsed: int
    seconds: float


class Ingest:
    """One run of ingest into an open :class:`~catalog_diff.history.index.HistoryIndex`."""

    def __init__(self, index: HistoryIndex) -> None:
        self.index = index
        self.conn = index.conn
        self.path = index.path
        self.store = SpecStore(index.conn, whole=index.last_commit() is None)
        # The contents that stand for a package under a folder that is not read (see
        # standins.py), by id.
        self.unlisted_ids: set[int] = {
            int(row[0])
            for row in index.conn.execute(
                "SELECT id FROM package_contents WHERE layout = ?", (UNLISTED,)
            )
        }
        self._indexed_from: str | None = None

    def run(
        self,
        repo: GitRepository,
        tip: Commit,
        progress: Progress | None = None,
        base: Commit | None = None,
    ) -> UpdateStats:
        """Index every first-parent commit up to ``tip`` not indexed yet (the caller holds
        the index's lock). A new index starts at the first commit, or at ``base``. The
        parser's memo tables serve the whole run (:mod:`catalog_diff.parse.memo`).
        SQLite's page cache is widened for the run: the index of spec hashes takes its
        inserts in random order."""
        self.conn.execute(f"PRAGMA cache_size = {-CACHE_KIB}")
        with gc_paused():
            return self._run(repo, tip, progress, base)

    def _run(
        self,
        repo: GitRepository,
        tip: Commit,
        progress: Progress | None,
        base: Commit | None,
    ) -> UpdateStats:
        start = time.perf_counter()
        self._check_repository(repo)
        last = self.index.last_commit()
        if last is not None and last.sha == tip.sha:
            return UpdateStats(0, 0, time.perf_counter() - start)
        since = last.sha if last is not None else None
        self.conn.execute(SPANS_BY_TAG)  # an index made before this index existed gains it
        total = repo.count_first_parent(tip.sha, since)
        seq = last.seq + 1 if last is not None else 0
        state = State.load(self.conn)
        done = parsed = 0
        ready: tuple[list[LoggedCommit], dict[str, Parsed], set[int]] | None = None
        commits: Iterator[LoggedCommit] = repo.first_parent_log(tip.sha, since)
        if last is None and base is not None:
            # Its first commit is where the index starts, not a commit adding
            # everything: recorded with the first batch.
            self._indexed_from = base.sha
            since = base.sha
            total = 1 + repo.count_first_parent(tip.sha, since)
            commits = itertools.chain(
                [repo.as_additions(base)], repo.first_parent_log(tip.sha, since)
            )
            since = None
        for chunk in _chunks(commits, since, tip, self.path):
            paths = self._new_blobs(chunk)
            # git reads this chunk's blobs while the previous chunk is written.
            with repo.read_blobs(sorted(paths, key=paths.__getitem__), len(paths) + 1) as stream:
                if ready is not None:
                    self._commit(repo, *ready, seq + done, state)
                    done += len(ready[0])
                    if progress:
                        progress(done, total)
                fresh = {
                    oid: self.store.read(held(repo, data, oid, paths[oid]), paths[oid])
                    for oid, data in named_blobs(stream, paths)
                }
            # The contents these files replace: their specs are most of the new ones.
            replaced = {
                state.versions[key][0]
                for path in paths.values()
                if (key := classify(path)) is not None and key in state.versions
            }
            ready = (chunk, fresh, replaced)
            parsed += len(fresh)
        if ready is not None:
            self._commit(repo, *ready, seq + done, state)
            done += len(ready[0])
            if progress:
                progress(done, total)
        elif last is not None and self.index.commit_by_sha(tip.sha) is None:
            # Nothing after the indexed tip leads to ``tip``, and ``tip`` is not indexed:
            # the branch was reset or rewritten.
            first = self.index.info("indexed_from")
            if first is not None and repo.is_ancestor(tip.sha, first):
                raise OffTheIndexedLine(self.path, tip.sha, start=first)
            raise OffTheIndexedLine(self.path, tip.sha)
        return UpdateStats(done, parsed, time.perf_counter() - start)

    def _check_repository(self, repo: GitRepository) -> None:
        here = str(Path(repo.git_dir).resolve())
        row = self.conn.execute("SELECT value FROM info WHERE key = 'repository'").fetchone()
        if row is None:
            self.conn.execute("INSERT INTO info VALUES ('repository', ?)", (here,))
        elif row[0] != here:
            raise IndexFileError(self.path, f"it indexes another repository ({row[0]})")

    def _new_blobs(self, chunk: Sequence[LoggedCommit]) -> dict[str, str]:
        """Blob id -> path of the package files of some commits not indexed yet."""
        paths: dict[str, str] = {}
        for commit in chunk:
            for ch in commit.changes:
                if (
                    ch.new_mode in BLOB_MODES
                    and file_kind(ch.path) == TAGGED_SPECS_MD
                    and not unsafe_name(ch.path)
                ):
                    paths.setdefault(ch.new_oid, ch.path)
        known = self.store.known_keys(set(paths))
        return {oid: path for oid, path in paths.items() if oid not in known}

    def _commit(
        self,
        repo: GitRepository,
        chunk: Sequence[LoggedCommit],
        parsed: dict[str, Parsed],
        replaced: set[int],
        first_seq: int,
        state: State,
    ) -> None:
        """Record some commits and the contents they brought, in one transaction
        (``replaced``: the contents the new files follow, a hint for the look-ups)."""
        self.store.prepare(parsed, replaced)  # what an earlier run or batch stored
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for offset, commit in enumerate(chunk):
                self._apply(repo, commit, first_seq + offset, state, parsed)
            state.flush(conn)
            conn.execute("INSERT OR REPLACE INTO info VALUES ('tip', ?)", (chunk[-1].sha,))
            if self._indexed_from is not None:
                conn.execute(
                    "INSERT OR REPLACE INTO info VALUES ('indexed_from', ?)", (self._indexed_from,)
                )
            conn.execute("COMMIT")
            self._indexed_from = None
        except BaseException:
            # An interruption may land after COMMIT: nothing is left to roll back then.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self.store.forget()
            # The collector is paused for the run (a batch makes hundreds of thousands
            # of objects, none of them cyclic); what cycles a batch left go here.
            gc.collect()

    def _apply(
        self,
        repo: GitRepository,
        commit: LoggedCommit,
        seq: int,
        state: State,
        parsed: dict[str, Parsed],
    ) -> None:
        # Per package: the new tagged file, "gone" (its tagged file was deleted), or
        # "untagged" (a file of an older layout changed).
        touched: dict[tuple[str, str], tuple[str, str] | str] = {}
        for ch in commit.changes:
            # A path holding control characters or bytes that are not UTF-8 is filed
            # under its printable form as a problem (a file of an older layout: left out).
            unsafe = unsafe_name(ch.path)
            shown = printable(ch.path) if unsafe else ch.path
            kind = file_kind(shown)
            key = package_key(shown)
            if kind is None or key is None or (unsafe and kind != TAGGED_SPECS_MD):
                continue
            if ch.old_mode != "000000":
                state.counts[kind] = state.counts.get(kind, 1) - 1
            if ch.new_mode != "000000":
                state.counts[kind] = state.counts.get(kind, 0) + 1
            if kind == TAGGED_SPECS_MD:  # the current layout lives in versions/contents alone
                mode = _UNSAFE_MODE if unsafe else ch.new_mode
                touched[key] = (ch.new_oid, mode) if ch.new_mode != "000000" else "gone"
                continue
            if ch.old_mode != "000000":
                state.close_file(ch.path, seq)
            if ch.new_mode != "000000":
                state.open_file(ch.path, ch.new_oid, ch.new_mode, kind, seq)
            touched.setdefault(key, "untagged")
        standins = cover_unlisted(self, commit, state, touched)
        standins.update(cover_trees(self, repo, commit, state, touched))
        for (tag, package), current in sorted(touched.items()):
            content: int | None
            if (tag, package) in standins:
                state.set_version(tag, package, standins[(tag, package)], seq, tagged=False)
                continue
            if isinstance(current, tuple):
                content = self._tagged_content(repo, tag, package, current, state, parsed)
            elif current == "untagged" and state.is_tagged(tag, package):
                continue  # a tagged file stands for the package: it wins
            elif tag != IMPLICIT_TAG:
                content = None
            else:
                state.flush(self.conn)  # what follows reads old_layout_files
                content = self._untagged_content(repo, package, state)
            state.set_version(tag, package, content, seq, tagged=isinstance(current, tuple))
        state.settle_tags(seq)
        self.conn.execute(
            "INSERT INTO commits VALUES (?, ?, ?, ?, ?, ?)",
            (
                seq,
                commit.sha,
                commit.date,
                commit.timestamp,
                commit.subject,
                layout_of(state.counts),
            ),
        )

    def _tagged_content(
        self,
        repo: GitRepository,
        tag: str,
        package: str,
        current: tuple[str, str],
        state: State,
        parsed: dict[str, Parsed],
    ) -> int:
        oid, mode = current
        path = f"_cache/{tag}/{package}/specs.md"
        if mode == _UNSAFE_MODE:
            return self.store.content(
                f"unsafe:{oid}:{path}", TAGGED, path, state, lambda: Parsed(UNSAFE_PATH)
            )
        if mode not in BLOB_MODES:
            reason = "not a regular file (symlink or submodule)"
            return self.store.content(
                f"nonregular:{oid}", TAGGED, path, state, lambda: Parsed(reason)
            )

        def read() -> Parsed:
            found = parsed.get(oid)
            if found is not None:
                return found
            with repo.read_blobs([oid]) as stream:
                data = next(named_blobs(stream, {oid: path}))[1]
                return self.store.read(held(repo, data, oid, path), path)

        return self.store.content(oid, TAGGED, path, state, read, fresh=oid in parsed)

    def _untagged_content(self, repo: GitRepository, package: str, state: State) -> int | None:
        """The content id of a package of an older layout as its files stand now."""
        conn = self.conn
        folder = f"_cache/{package}"
        rows = conn.execute(
            "SELECT path, oid, mode FROM old_layout_files "
            "WHERE last_seq IS NULL AND path >= ? AND path < ?",
            (folder + "/", folder + "0"),
        ).fetchall()
        rows = [r for r in rows if r[0].count("/") == 2]
        heads = sorted(r for r in rows if r[0].endswith(("/index.md", "/specs.md")))
        if not heads:
            return None
        listing = "\n".join(f"{p} {o} {m}" for p, o, m in sorted(rows))
        key = "legacy:" + hashlib.sha1(listing.encode("utf-8", "surrogateescape")).hexdigest()

        def read() -> Parsed:
            problem, specs = assemble_legacy(repo, folder, rows, heads[0])
            return Parsed(problem, self.store.pend(specs))

        layout = UNTAGGED_INDEX if heads[0][0].endswith("/index.md") else UNTAGGED_SPECS
        return self.store.content(key, layout, heads[0][0], state, read)


def _chunks(
    commits: Iterator[LoggedCommit], since: str | None, tip: Commit, index: str
) -> Iterator[list[LoggedCommit]]:
    """Group commits into batches of about :data:`CHUNK_BLOBS` changed files."""
    chunk: list[LoggedCommit] = []
    size = 0
    first = True
    for commit in commits:
        if first and since is not None and commit.parents[:1] != (since,):
            raise OffTheIndexedLine(index, tip.sha)
        first = False
        chunk.append(commit)
        size += len(commit.changes)
        if size >= CHUNK_BLOBS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk
