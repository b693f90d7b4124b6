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

import hashlib
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from ..errors import DataError, GitError, ParseError
from ..git.log import LoggedCommit
from ..git.repository import Commit, GitRepository, MissingObject
from ..layout import (
    BLOB_MODES,
    CACHE_DIR,
    DIRECTORY,
    IMPLICIT_TAG,
    SYMLINK_OR_SUBMODULE,
    TAGGED,
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
from ..model.snapshot import Spec
from ..parse.frontmatter import spec_details_line
from ..parse.package import parse_package
from ..parse.specs import check_spec_details
from .ingeststate import Parsed, State, assemble_legacy
from .migrations import IndexFileError

if TYPE_CHECKING:
    from .index import HistoryIndex

#: How many changed files one batch (one transaction) holds at most.
CHUNK_BLOBS = 4000

#: Stands for the mode of a package file whose path is not safe to store or print.
_UNSAFE_MODE = "unsafe"

#: Modes of a tree entry that is neither a file nor a folder: never followed, never read.
_NOT_FOLDER = ("120000", "160000")

#: The layout of a content standing for a package in a folder that is not read.
_UNLISTED = "unlisted"
_NOT_A_FOLDER = f"not a regular folder ({SYMLINK_OR_SUBMODULE})"
_A_FOLDER = f"not a regular file ({DIRECTORY})"
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
        self._specsets: dict[str, int] = {}
        self._content_ids: dict[str, int] = {}
        self._pending: dict[str, tuple[str, int]] = {}
        # The contents that stand for a package under a folder that is not read (see
        # _cover_unlisted), by id.
        self._unlisted_ids: set[int] = {
            int(row[0])
            for row in index.conn.execute("SELECT id FROM contents WHERE layout = ?", (_UNLISTED,))
        }
        # While the caches above hold everything this run stored and the index held
        # nothing before it, they answer "is it stored?" alone: no query needed.
        self._caches_whole = index.last_commit() is None
        self._indexed_from: str | None = None

    def run(
        self,
        repo: GitRepository,
        tip: Commit,
        progress: Progress | None = None,
        base: Commit | None = None,
    ) -> UpdateStats:
        """Index every first-parent commit up to ``tip`` not indexed yet (the caller holds
        the index's lock). A new index starts at the first commit, or at ``base``."""
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
        total = repo.count_first_parent(tip.sha, since)
        seq = last.seq + 1 if last is not None else 0
        state = State.load(self.conn)
        done = parsed = 0
        ready: tuple[list[LoggedCommit], dict[str, Parsed]] | None = None
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
                    oid: self._read(_held(repo, data, oid, paths[oid]), paths[oid])
                    for oid, data in _named(stream, paths)
                }
            ready = (chunk, fresh)
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
                    and file_kind(ch.path) == "specs"
                    and not unsafe_name(ch.path)
                ):
                    paths.setdefault(ch.new_oid, ch.path)
        if self._caches_whole:
            known = {oid for oid in paths if oid in self._content_ids}
        else:
            known = self._known_keys(set(paths))
        return {oid: path for oid, path in paths.items() if oid not in known}

    def _commit(
        self,
        repo: GitRepository,
        chunk: Sequence[LoggedCommit],
        parsed: dict[str, Parsed],
        first_seq: int,
        state: State,
    ) -> None:
        """Record some commits and the contents they brought, in one transaction."""
        if not self._caches_whole:
            self._known_keys(set(parsed))  # what a previous batch stored meanwhile
            self._known_specsets(set(self._pending))  # spec sets an earlier run stored
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
            self._pending.clear()
            for table in (self._specsets, self._content_ids):
                if len(table) > 1 << 16:
                    table.clear()
                    self._caches_whole = False

    def _read(self, data: bytes | None, path: str) -> Parsed:
        """A package file of the current layout, digested (and checked if new)."""
        line = spec_details_line(data) if data is not None else None
        if line is None:
            return self._parse(None, data, path)
        digest = "line:" + hashlib.sha1(line).hexdigest()
        # New to this run: checked now; whether an earlier run stored it is asked of the
        # index once per batch, in _commit (one query per 500, not one per file).
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
            if digest in self._specsets or digest in self._pending:
                return Parsed(None, digest)
            try:
                count = check_spec_details(raw, path)
            except ParseError as exc:
                return Parsed(exc.reason)
            # Stored as written; normalised when read back (parse_specs does both).
            self._pending[digest] = (raw.decode("utf-8"), count)
            return Parsed(None, digest)
        key = classify(path) or ("", "")
        try:
            specs = parse_package(raw, key[0], key[1], path, with_meta=False).specs
        except ParseError as exc:
            return Parsed(exc.reason)
        return Parsed(None, self._pend(specs))

    def _pend(self, specs: Sequence[Spec]) -> str:
        """Queue a normalised spec set for storage; return its digest."""
        text = orjson.dumps([spec.as_dict() for spec in specs])
        digest = "specs:" + hashlib.sha1(text).hexdigest()
        if digest not in self._specsets:
            self._pending[digest] = (text.decode("utf-8"), len(specs))
        return digest

    def _known_specsets(self, digests: set[str]) -> None:
        """Look up which spec sets are stored already (ids remembered)."""
        self._look_up("specsets", "digest", digests, self._specsets)

    def _known_keys(self, keys: set[str]) -> set[str]:
        """The keys already stored as contents (ids remembered)."""
        self._look_up("contents", "key", keys, self._content_ids)
        return {k for k in keys if k in self._content_ids}

    def _look_up(self, table: str, column: str, values: set[str], ids: dict[str, int]) -> None:
        """Remember the ids of the rows of ``table`` whose ``column`` is one of ``values``
        (those not remembered yet), asking 500 at a time."""
        items = sorted(v for v in values if v not in ids)
        for i in range(0, len(items), 500):
            part = items[i : i + 500]
            marks = ",".join("?" * len(part))
            sql = f"SELECT {column}, id FROM {table} WHERE {column} IN ({marks})"
            ids.update((value, int(row_id)) for value, row_id in self.conn.execute(sql, part))

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
            if kind is None or key is None or (unsafe and kind != "specs"):
                continue
            if ch.old_mode != "000000":
                state.counts[kind] = state.counts.get(kind, 1) - 1
            if ch.new_mode != "000000":
                state.counts[kind] = state.counts.get(kind, 0) + 1
            if kind == "specs":  # the current layout lives in versions/contents alone
                mode = _UNSAFE_MODE if unsafe else ch.new_mode
                touched[key] = (ch.new_oid, mode) if ch.new_mode != "000000" else "gone"
                continue
            if ch.old_mode != "000000":
                state.close_file(ch.path, seq)
            if ch.new_mode != "000000":
                state.open_file(ch.path, ch.new_oid, ch.new_mode, kind, seq)
            touched.setdefault(key, "untagged")
        standins = self._cover_unlisted(commit, state, touched)
        standins.update(self._cover_trees(repo, commit, state, touched))
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
                state.flush(self.conn)  # what follows reads the files table
                content = self._untagged_content(repo, package, state)
            state.set_version(tag, package, content, seq, tagged=isinstance(current, tuple))
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

    def _cover_unlisted(
        self,
        commit: LoggedCommit,
        state: State,
        touched: dict[tuple[str, str], tuple[str, str] | str],
    ) -> dict[tuple[str, str], int]:
        """The packages a symlink or a submodule hides at this commit, with the content
        that records them unreadable (``touched`` gains them and, where such an entry
        went away, the packages it stood for that nothing brought back: gone).

        A symlink or a submodule at ``_cache`` hides every package; at ``_cache/<x>``,
        the packages of tag ``x`` and the untagged package ``x``; at
        ``_cache/<tag>/<package>``, that package. The files below such a folder are
        deleted in the same commit: the package is unreadable, not removed.
        """
        out: dict[tuple[str, str], int] = {}
        for ch in commit.changes:
            parts = ch.path.split("/")
            if parts[0] != CACHE_DIR or len(parts) > 3 or not all(parts):
                continue
            if unsafe_name(ch.path) or (len(parts) == 3 and file_kind(ch.path) is not None):
                continue
            if ch.old_mode in _NOT_FOLDER:  # the stand-in of the commit before goes away
                gone = _unlisted_key(ch.old_mode, ch.old_oid, ch.path)
                self._known_keys({gone})
                old = self._content_ids.get(gone)
                for open_key, (content, _, _) in state.versions.items():
                    if content == old and open_key not in touched:
                        touched[open_key] = "gone"
            if ch.new_mode not in _NOT_FOLDER:
                continue
            content = self._content(
                _unlisted_key(ch.new_mode, ch.new_oid, ch.path),
                _UNLISTED,
                ch.path,
                state,
                lambda: Parsed(_NOT_A_FOLDER),
            )
            self._unlisted_ids.add(content)
            for hidden in self._hidden(parts, state):
                out[hidden] = content
                touched[hidden] = "unlisted"
        return out

    def _cover_trees(
        self,
        repo: GitRepository,
        commit: LoggedCommit,
        state: State,
        touched: dict[tuple[str, str], tuple[str, str] | str],
    ) -> dict[tuple[str, str], int]:
        """Packages whose ``specs.md`` is a folder at this commit (files changed below
        it): unreadable, not removed; gone when the last file below it goes."""
        trees: dict[str, bool] = {}  # package file path -> a file below it was added
        for ch in commit.changes:
            parts = ch.path.split("/")
            if len(parts) < 5 or parts[0] != CACHE_DIR or unsafe_name(ch.path):
                continue
            inner = "/".join(parts[:4])
            if classify(inner) is not None:
                trees[inner] = trees.get(inner, False) or ch.new_mode != "000000"
        out: dict[tuple[str, str], int] = {}
        for inner, added in sorted(trees.items()):
            key = classify(inner)
            assert key is not None
            standin = f"unlisted:tree:{inner}"
            if not added and not [r for r in repo.ls_tree(commit.sha, inner) if r[2] != inner]:
                self._known_keys({standin})
                current = state.versions.get(key)
                gone = current is not None and current[0] == self._content_ids.get(standin)
                if gone and key not in touched:
                    touched[key] = "gone"
                continue
            out[key] = self._content(standin, _UNLISTED, inner, state, lambda: Parsed(_A_FOLDER))
            self._unlisted_ids.add(out[key])
            touched[key] = "unlisted"
        return out

    def _hidden(self, parts: list[str], state: State) -> set[tuple[str, str]]:
        """The packages a symlink or a submodule at ``_cache/...`` (``parts``) hides."""
        if len(parts) == 3:
            current = state.versions.get((IMPLICIT_TAG, parts[1]))
            if current is not None and not current[2] and current[0] not in self._unlisted_ids:
                return set()  # in the package folder of an older layout: no package
            return {(parts[1], parts[2])}
        hidden = set()
        for (tag, package), (content, _, tagged) in state.versions.items():
            if len(parts) == 1:
                hidden.add((tag, package))
            elif tag == parts[1] and (
                tag != IMPLICIT_TAG or tagged or content in self._unlisted_ids
            ):
                hidden.add((tag, package))  # (develop's untagged packages lie elsewhere)
            elif (tag, package) == (IMPLICIT_TAG, parts[1]):
                hidden.add((tag, package))  # the package folder of an older layout
        return hidden

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
            return self._content(
                f"unsafe:{oid}:{path}", TAGGED, path, state, lambda: Parsed(UNSAFE_PATH)
            )
        if mode not in BLOB_MODES:
            reason = "not a regular file (symlink or submodule)"
            return self._content(f"nonregular:{oid}", TAGGED, path, state, lambda: Parsed(reason))

        def read() -> Parsed:
            found = parsed.get(oid)
            if found is not None:
                return found
            with repo.read_blobs([oid]) as stream:
                data = next(_named(stream, {oid: path}))[1]
                return self._read(_held(repo, data, oid, path), path)

        return self._content(oid, TAGGED, path, state, read, fresh=oid in parsed)

    def _content(
        self,
        key: str,
        layout: str,
        path: str,
        state: State,
        read: Callable[[], Parsed],
        fresh: bool = False,
    ) -> int:
        """The id of a content, stored on first sight (``fresh``: known not to be stored)."""
        found = self._content_ids.get(key)
        if found is None and not fresh:
            self._known_keys({key})
            found = self._content_ids.get(key)
        # A fresh key is one _commit looked up already: not stored.
        if found is None:
            parsed = read()
            specset = self._specset(parsed.digest, state) if parsed.digest is not None else None
            found = state.add_content(key, layout, path, parsed.problem, specset)
            self._content_ids[key] = found
        return found

    def _specset(self, digest: str, state: State) -> int:
        """The id of a spec set, queued for storage on first use."""
        found = self._specsets.get(digest)
        if found is None and digest not in self._pending:
            self._known_specsets({digest})
            found = self._specsets.get(digest)
        if found is None:
            text, count = self._pending.pop(digest)
            found = state.add_specset(digest, count, text)
            self._specsets[digest] = found
        return found

    def _untagged_content(self, repo: GitRepository, package: str, state: State) -> int | None:
        """The content id of a package of an older layout as its files stand now."""
        conn = self.conn
        folder = f"_cache/{package}"
        rows = conn.execute(
            "SELECT path, oid, mode FROM files WHERE last_seq IS NULL AND path >= ? AND path < ?",
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
            return Parsed(problem, self._pend(specs))

        layout = UNTAGGED_INDEX if heads[0][0].endswith("/index.md") else UNTAGGED_SPECS
        return self._content(key, layout, heads[0][0], state, read)


def _unlisted_key(mode: str, oid: str, path: str) -> str:
    """The key of the content standing for the packages a symlink or submodule hides."""
    return f"unlisted:{mode}:{oid}:{path}"


def _named(
    stream: Iterator[tuple[str, bytes | None]], paths: dict[str, str]
) -> Iterator[tuple[str, bytes | None]]:
    """The blobs of ``stream``; a blob git cannot read is an error naming its path."""
    try:
        yield from stream
    except MissingObject as exc:
        path = paths.get(exc.oid, "?")
        raise GitError(path, exc.repo, f"cannot read it: {exc.reason}") from exc


def _held(repo: GitRepository, data: bytes | None, oid: str, path: str) -> bytes:
    """The bytes of a blob. One git cannot give is an error, not a problem kept in the
    index for good: a damaged repository, or a partial clone that lacks it."""
    if data is None:
        raise GitError(path, repo.path, f"cannot read it: {repo.why_unreadable(oid)}")
    return data


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
