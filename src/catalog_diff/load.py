"""From what the user typed to snapshots: pick the source, list it, parse what is needed.

An argument naming an existing path is a directory (a catalog checkout) or a snapshot
file; anything else is a revision of the repository given with ``repo``. When both sides
know the git blob id of a package file and the ids are equal, the file is neither read
nor parsed: it cannot differ.
"""

from __future__ import annotations

import contextlib
import fnmatch
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .errors import CatalogDiffError, GitError, ParseError, TagNotFound, UsageError
from .model import Package, Problem, Snapshot
from .parse import classify, parse_package
from .source import DirectorySource, Entry, Listing, Source


@dataclass(frozen=True)
class Selection:
    """Which part of the catalog to compare.

    ``tag`` limits both sides to one tag; ``old_tag``/``new_tag`` compare tag X of the old
    side with tag Y of the new side; ``package`` is a glob on package names.
    """

    tag: str | None = None
    old_tag: str | None = None
    new_tag: str | None = None
    package: str | None = None

    def __post_init__(self) -> None:
        if (self.old_tag is None) != (self.new_tag is None):
            raise UsageError("--old-tag and --new-tag go together")
        if self.tag is not None and self.old_tag is not None:
            raise UsageError("--tag cannot be combined with --old-tag/--new-tag")

    def side_tag(self, old: bool) -> str | None:
        return (self.old_tag if old else self.new_tag) or self.tag


ALL = Selection()


class Sources(contextlib.AbstractContextManager["Sources"]):
    """Opens sources from command-line arguments; one git repository shared by both sides."""

    def __init__(self, repo: str = ".") -> None:
        self.repo_path = repo
        self._repo: object | None = None

    def open(self, argument: str) -> Source:
        path = Path(argument)
        if argument and not argument.startswith("-") and path.exists():
            if path.is_dir():
                return DirectorySource(argument)
            from .snapshotfile import SnapshotFileSource

            return SnapshotFileSource(argument)
        from .gitsource import GitRepository, GitRevisionSource

        if self._repo is None:
            self._repo = GitRepository(self.repo_path)
        assert isinstance(self._repo, GitRepository)
        return GitRevisionSource(self._repo, argument)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._repo is not None:
            self._repo.close()  # type: ignore[attr-defined]
            self._repo = None


def _select(listing: Listing, tag: str | None, rename: str | None, glob: str | None) -> Listing:
    """Keep the part of a listing a selection asks for, keyed by the (renamed) tag."""
    out = Listing()
    out.tags = {rename or t for t in listing.tags if tag is None or t == tag}
    for (t, name), entry in listing.entries.items():
        if (tag is None or t == tag) and (glob is None or fnmatch.fnmatchcase(name, glob)):
            out.entries[(rename or t, name)] = entry
    for problem in listing.problems:
        key = classify(problem.path)
        if key is None or (
            (tag is None or key[0] == tag) and (glob is None or fnmatch.fnmatchcase(key[1], glob))
        ):
            out.problems.append(problem)
            if key is not None and key in listing.broken:
                out.broken.add((rename or key[0], key[1]))
    return out


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Bulk parsing allocates many small objects that are never cyclic: skip the GC."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(source: Source, listing: Listing, keys: set[tuple[str, str]] | None) -> Snapshot:
    """Parse the listed packages (only ``keys`` when given) into a snapshot."""
    packages: dict[tuple[str, str], Package] = {}
    problems = list(listing.problems)
    broken = set(listing.broken)
    with _gc_paused():
        for key in sorted(listing.entries if keys is None else keys):
            entry = listing.entries[key]
            try:
                packages[key] = _package(source, entry, key)
            except ParseError as exc:
                problems.append(Problem(entry.path, exc.reason))
                broken.add(key)
    return Snapshot(
        info=source.info,
        packages=packages,
        tags=frozenset(listing.tags),
        problems=tuple(problems),
        broken=frozenset(broken),
        complete=keys is None,
    )


def _package(source: Source, entry: Entry, key: tuple[str, str]) -> Package:
    if entry.package is not None:
        return entry.package
    real = classify(entry.path) or key
    try:
        data = source.read(entry)
    except OSError as exc:
        raise ParseError(entry.path, f"cannot read: {exc.strerror or exc}") from exc
    except GitError as exc:
        raise ParseError(entry.path, f"git object {entry.oid}: {exc.reason}") from exc
    return parse_package(data, real[0], real[1], entry.path, entry.oid)


def _check_tag(listing: Listing, tag: str | None, source: Source) -> None:
    if tag is not None and tag not in listing.tags:
        raise TagNotFound(source.info.source, tag)


def load(source: Source, selection: Selection = ALL) -> Snapshot:
    """Read a whole snapshot (restricted to the selection)."""
    listing = source.listing()
    _check_tag(listing, selection.tag, source)
    return _build(source, _select(listing, selection.tag, None, selection.package), None)


def load_pair(old: Source, new: Source, selection: Selection = ALL) -> tuple[Snapshot, Snapshot]:
    """Read two snapshots for a comparison, skipping files identical on both sides."""
    old_listing, new_listing = old.listing(), new.listing()
    if selection.old_tag is not None:
        _check_tag(old_listing, selection.old_tag, old)
        _check_tag(new_listing, selection.new_tag, new)
    elif selection.tag is not None and not (
        selection.tag in old_listing.tags or selection.tag in new_listing.tags
    ):
        raise TagNotFound(f"{old.info.source} or {new.info.source}", selection.tag)
    old_sel = _select(old_listing, selection.side_tag(True), selection.new_tag, selection.package)
    new_sel = _select(new_listing, selection.side_tag(False), None, selection.package)
    same = {
        key
        for key, entry in old_sel.entries.items()
        if entry.oid is not None and (other := new_sel.entries.get(key)) and other.oid == entry.oid
    }
    return (
        _build(old, old_sel, set(old_sel.entries) - same),
        _build(new, new_sel, set(new_sel.entries) - same),
    )


__all__ = ["ALL", "CatalogDiffError", "Selection", "Sources", "load", "load_pair"]
