"""The catalog at one revision of a git repository, as a source for the loader.

Lists the catalog's files (in full with ``ls-tree``, or only those that differ from
another revision with a tree diff), including the older, untagged layouts, and reads
them through :class:`~catalog_diff.git.repository.GitRepository`'s blob streams. It talks to
git only through that class.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import GitError, NotACatalog, UnreadableCatalog
from ..git.blobs import MissingObject
from ..git.diagnosis import ABSENT
from ..git.repository import GitRepository
from ..layout import (
    BLOB_MODES,
    CACHE_DIR,
    DIRECTORY,
    IMPLICIT_TAG,
    LIST_FILES,
    NOT_READ,
    SPECS_FILE,
    SYMLINK_OR_SUBMODULE,
    TREE_MODE,
    classify,
    layout_name,
    legacy_kind,
    unsafe_name,
)
from ..model.snapshot import Problem, SourceInfo, SourceKind
from .building import ListingBuilder, add_path, add_untagged
from .listing import Entry, Listing, TreeEntry, Unreadable

#: Above this many untagged package folders to list at one revision, one recursive
#: ``ls-tree`` of ``_cache/`` costs less than one ``ls-tree`` per folder.
_FOLDERS_ONE_BY_ONE = 16


@dataclass(frozen=True, slots=True)
class _Top:
    """What lies directly in ``_cache/`` at a revision: the tags (``develop`` included
    when there are untagged packages), the package folders of an older layout, and the
    layout."""

    tags: frozenset[str]
    untagged: frozenset[str]
    layout: str
    develop_tree: str | None  # the tree id of the tag folder develop, if there is one
    unlisted: tuple[tuple[str, str], ...] = ()  # (mode, path) of symlinks and submodules


class GitRevisionSource:
    """The catalog at one resolved revision of a :class:`GitRepository`."""

    def __init__(self, repo: GitRepository, revision: str) -> None:
        self.repo = repo
        self.commit = repo.resolve(revision)
        self.info = SourceInfo(
            kind=SourceKind.GIT,
            source=revision,
            commit=self.commit.sha,
            date=self.commit.date,
            revision=revision,
            repo=str(Path(repo.path)),
        )
        self._top_seen: _Top | None = None

    def _where(self) -> str:
        return f"{self.info.source} ({self.commit.sha[:12]})"

    def _check_cache(self, rows: list[tuple[bytes, bytes, str]]) -> None:
        """Refuse a revision whose ``_cache`` is missing, or is no folder (a symlink, a
        submodule: never followed, and nothing of the catalog can be read)."""
        for mode, _, path in rows:
            if path == CACHE_DIR:
                why = NOT_READ.get(mode, "not a folder")
                raise UnreadableCatalog(self._where(), CACHE_DIR, why)
        if not rows:
            raise NotACatalog(self._where())

    def listing(self) -> Listing:
        rows = self.repo.ls_tree(self.commit.sha, CACHE_DIR)
        self._check_cache(rows)
        builder = ListingBuilder()
        for mode, oid, path in rows:
            builder.add(path, _entry(mode.decode("ascii"), oid.decode("ascii"), path))
        return self._held(builder.finish())

    def tag_listing(self, tag: str) -> Listing:
        """The listing of one tag only: ``ls-tree`` of its folder, not of the catalog."""
        top = self._top()
        unlisted = [path for _, path in top.unlisted if path.split("/")[1] == tag]
        if unlisted:
            listing = Listing()
            for path in unlisted:
                add_path(listing, path, None)
            return listing
        if tag not in top.tags:
            return Listing(tags=set(top.tags))  # the caller reports the tag not found
        if tag == IMPLICIT_TAG and top.untagged:
            return self.listing()  # develop gathers the packages of an older layout too
        builder = ListingBuilder()
        for mode, oid, path in self.repo.ls_tree(self.commit.sha, f"{CACHE_DIR}/{tag}"):
            builder.add(path, _entry(mode.decode("ascii"), oid.decode("ascii"), path))
        return self._held(builder.finish())

    def _held(self, listing: Listing) -> Listing:
        """``listing`` without the packages whose files a partial clone does not hold:
        each such file is a problem (never fetched), its package neither added nor
        removed."""
        if not self.repo.partial():
            return listing
        files = {
            key: list(entry.files) if entry.untagged else [(entry.path, entry.oid)]
            for key, entry in listing.entries.items()
        }
        absent = self.repo.absent(
            sorted({oid for pairs in files.values() for _, oid in pairs if oid})
        )
        if not absent:
            return listing
        for key, pairs in sorted(files.items()):
            lacking = [(path, oid) for path, oid in pairs if oid in absent]
            if lacking:
                del listing.entries[key]
                listing.broken.add(key)
                listing.problems.extend(
                    Problem(path, ABSENT.format(oid=oid)) for path, oid in lacking
                )
        return listing

    def tree(self) -> list[TreeEntry]:
        """Every entry below ``_cache/`` at this revision, sorted by path."""
        rows = self.repo.ls_tree(self.commit.sha, CACHE_DIR)
        self._check_cache(rows)
        kinds = {b"120000": "symlink", b"160000": "submodule"}
        return sorted(
            (TreeEntry(path, kinds.get(mode, "file")) for mode, _, path in rows),
            key=lambda e: e.path,
        )

    def read_path(self, path: str) -> bytes | Unreadable | None:
        """The bytes of the regular file at ``path`` at this revision; None when there is
        nothing there, :class:`Unreadable` when it is no regular file."""
        rows = self.repo.ls_tree(self.commit.sha, path)
        if not rows:
            return None
        if rows[0][2] != path:  # a tree: ls-tree -r lists what lies below it
            return Unreadable(f"not a regular file ({DIRECTORY})")
        if rows[0][0].decode("ascii") not in BLOB_MODES:
            return Unreadable(f"not a regular file ({SYMLINK_OR_SUBMODULE})")
        try:
            with self.repo.read_blobs([rows[0][1].decode("ascii")]) as stream:
                oid, data = next(stream)
        except MissingObject as exc:
            raise GitError(
                f"{self.info.revision}: {path}", self.repo.path, f"cannot read it: {exc.reason}"
            ) from exc
        if data is None:  # a partial clone lacks it, or the repository is damaged
            return Unreadable(self.repo.why_unreadable(oid))
        return data

    def tags(self) -> set[str]:
        """The tag folders of the catalog, and ``develop`` when it holds packages of an
        older layout (folders ``_cache/<package>/`` with an ``index.md`` or ``specs.md``)."""
        return set(self._top().tags)

    def _top(self) -> _Top:
        if self._top_seen is not None:
            return self._top_seen
        sha = self.commit.sha
        rows = self.repo.top_level(sha, CACHE_DIR)
        if not rows:  # no folder _cache: nothing, or something that is no folder (cheap)
            self._check_cache(self.repo.ls_tree(sha, CACHE_DIR))
        self._check_cache(rows)  # "_cache/" names a submodule _cache itself
        # A folder whose name holds control characters is neither a tag nor a package:
        # the paths below it are problems (see catalog_diff.layout).
        folders = [
            (oid.decode("ascii"), path)
            for mode, oid, path in rows
            if mode == b"040000" and not unsafe_name(path)
        ]
        # Asked of each folder's own tree: a lookup from the commit would scan ``_cache/``.
        asked = [f"{oid}:{f}" for oid, _ in folders for f in LIST_FILES]
        found = self.repo.blobs_exist(asked)
        with_lists = [
            path
            for i, (_, path) in enumerate(folders)
            if any(found[i * len(LIST_FILES) : (i + 1) * len(LIST_FILES)])
        ]
        tag_folders = self._tag_folders(with_lists)
        tags, untagged, kinds = set(), set(), set()
        for i, (_, folder) in enumerate(folders):
            name = folder.rsplit("/", 1)[-1]
            lists = [f for j, f in enumerate(LIST_FILES) if found[i * len(LIST_FILES) + j]]
            if lists and folder not in tag_folders:
                untagged.add(name)
                kinds.add(lists[0])
            else:
                tags.add(name)
        layout = layout_name(bool(tags), "index.md" in kinds, "specs.md" in kinds)
        develop = f"{CACHE_DIR}/{IMPLICIT_TAG}"
        develop_tree = next((oid for oid, path in folders if path == develop), None)
        if IMPLICIT_TAG not in tags:
            develop_tree = None
        if untagged:
            tags.add(IMPLICIT_TAG)
        unlisted = tuple(
            (mode.decode("ascii"), path)
            for mode, _, path in rows
            if mode in NOT_READ and not unsafe_name(path)
        )
        self._top_seen = _Top(frozenset(tags), frozenset(untagged), layout, develop_tree, unlisted)
        return self._top_seen

    def _tag_folders(self, folders: list[str]) -> set[str]:
        """Those of ``folders`` (``_cache/<x>``, each holding a list file) that also hold
        package files of the current layout: tag folders, whose list file is no package
        (as :meth:`~catalog_diff.sources.listing.ListingBuilder.finish` decides)."""
        if not folders:
            return set()
        subtrees = self.repo.subtrees(self.commit.sha, folders)
        found = self.repo.blobs_exist([f"{oid}:{SPECS_FILE}" for oid, _ in subtrees])
        pairs = zip(subtrees, found, strict=True)
        return {path.rsplit("/", 1)[0] for (_, path), there in pairs if there}

    def tree_diff(self, other: object, tag: str | None) -> tuple[Listing, Listing] | None:
        """:meth:`changes` when ``other`` is a revision of the same repository, else None
        (see :class:`~catalog_diff.sources.listing.TreeDiffing`)."""
        if not isinstance(other, GitRevisionSource) or other.repo is not self.repo:
            return None
        return self.changes(other, tag)

    def changes(self, other: GitRevisionSource, tag: str | None) -> tuple[Listing, Listing]:
        """Listings of only the packages that differ between this revision and ``other``.

        A package of an older layout that differs in any of its files (its list file or
        one ``spec-N.json``) is listed whole on both sides, every file of its folder, so
        that it is read in full.
        """
        mine, theirs = self._top(), other._top()
        old = Listing(tags=set(mine.tags), layout=mine.layout)
        new = Listing(tags=set(theirs.tags), layout=theirs.layout)
        untagged = mine.untagged | theirs.untagged
        if untagged and tag in (None, IMPLICIT_TAG):
            self._untagged_changes(other, tag, (old, new), (mine, theirs))
            return self._held(old), other._held(new)
        prefix = CACHE_DIR if tag is None else f"{CACHE_DIR}/{tag}"
        for old_mode, new_mode, old_oid, new_oid, path in self.repo.diff_tree(
            self.commit.sha, other.commit.sha, prefix
        ):
            if old_mode != "000000":
                add_path(old, path, _entry(old_mode, old_oid, path))
            if new_mode != "000000":
                add_path(new, path, _entry(new_mode, new_oid, path))
        return self._held(old), other._held(new)

    def _untagged_changes(
        self,
        other: GitRevisionSource,
        tag: str | None,
        listings: tuple[Listing, Listing],
        tops: tuple[_Top, _Top],
    ) -> None:
        """:meth:`changes` when either side holds packages of an older layout.

        Each ``develop`` package touched by the tree diff (its tagged file, or a file of
        its untagged folder) is resolved on each side: its tagged file where there is one
        (it wins), else its untagged folder, read whole.
        """
        untagged = tops[0].untagged | tops[1].untagged
        tagged_rows: dict[str, tuple[str, str, str, str]] = {}
        touched: set[str] = set()
        for old_mode, new_mode, old_oid, new_oid, path in self.repo.diff_tree(
            self.commit.sha, other.commit.sha, CACHE_DIR
        ):
            parts = path.split("/")
            if len(parts) == 2:  # a symlink or a submodule directly in _cache/
                for side, mode, oid in ((0, old_mode, old_oid), (1, new_mode, new_oid)):
                    if mode != "000000":
                        add_path(listings[side], path, _entry(mode, oid, path))
                continue
            if len(parts) < 3:
                continue
            if parts[1] in untagged:
                if len(parts) == 3 and legacy_kind(path) is not None:
                    touched.add(parts[1])
                continue
            if tag is not None and parts[1] != tag:
                continue
            if parts[1] == IMPLICIT_TAG and len(parts) == 4 and parts[2] in untagged:
                if classify(path) is not None:
                    tagged_rows[path] = (old_mode, new_mode, old_oid, new_oid)
                    touched.add(parts[2])
                continue
            if old_mode != "000000":
                add_path(listings[0], path, _entry(old_mode, old_oid, path))
            if new_mode != "000000":
                add_path(listings[1], path, _entry(new_mode, new_oid, path))
        # A tagged file that did not change is the same on both sides, and wins on both.
        unchanged = sorted(name for name in touched if _develop_path(name) not in tagged_rows)
        develop = tops[0].develop_tree
        if develop is not None and unchanged:
            asked = [f"{develop}:{name}/{SPECS_FILE}" for name in unchanged]
            found = self.repo.blobs_exist(asked)
            touched -= {name for name, there in zip(unchanged, found, strict=True) if there}
        wanted: tuple[list[str], list[str]] = ([], [])
        for name in sorted(touched):
            path = _develop_path(name)
            row = tagged_rows.get(path)
            for side in (0, 1):
                mode, oid = (row[side], row[side + 2]) if row else ("000000", "")
                if mode != "000000":
                    add_path(listings[side], path, _entry(mode, oid, path))
                elif name in tops[side].untagged:
                    wanted[side].append(name)
        for side, source in ((0, self), (1, other)):
            for name, files in source._folders(wanted[side]).items():
                add_untagged(listings[side], name, files)

    def _folders(self, names: list[str]) -> dict[str, dict[str, Entry | None]]:
        """The files directly in each package folder ``_cache/<name>/`` (by file name)."""
        out: dict[str, dict[str, Entry | None]] = {name: {} for name in names}
        if not names:
            return out
        sha = self.commit.sha
        if len(names) <= _FOLDERS_ONE_BY_ONE:
            rows = [r for name in names for r in self.repo.top_level(sha, f"{CACHE_DIR}/{name}")]
        else:
            rows = self.repo.ls_tree(sha, CACHE_DIR)
        for mode, oid, path in rows:
            parts = path.split("/")
            if len(parts) < 3 or parts[1] not in out:
                continue
            if len(parts) > 3 or mode == TREE_MODE:
                # A folder where a list file or a spec file could be: not read, a problem.
                if legacy_kind("/".join(parts[:3])) is not None:
                    out[parts[1]][parts[2]] = None
                continue
            out[parts[1]][parts[2]] = _entry(mode.decode("ascii"), oid.decode("ascii"), path)
        return out

    def read_many(self, entries: Iterable[Entry]) -> Iterator[tuple[Entry, bytes | None]]:
        by_oid: dict[str, list[Entry]] = {}
        for entry in entries:
            by_oid.setdefault(entry.oid or "", []).append(entry)
        try:
            with self.repo.read_blobs([oid for oid in by_oid if oid]) as stream:
                for oid, data in stream:
                    if data is None:  # the trees name it: the repository is damaged
                        raise MissingObject(oid, self.repo.path, self.repo.why_unreadable(oid))
                    for entry in by_oid[oid]:
                        yield entry, data
        except MissingObject as exc:
            path = by_oid[exc.oid][0].path if exc.oid in by_oid else "?"
            raise GitError(
                f"{self.info.revision}: {path}", self.repo.path, f"cannot read it: {exc.reason}"
            ) from exc


def _develop_path(name: str) -> str:
    return f"{CACHE_DIR}/{IMPLICIT_TAG}/{name}/{SPECS_FILE}"


def _entry(mode: str, oid: str, path: str) -> Entry | None:
    """A listing entry for a regular file; None for a symlink or a submodule."""
    return Entry(path=path, oid=oid) if mode in BLOB_MODES else None
