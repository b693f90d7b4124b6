"""From what the user typed to snapshots: pick the source, list it, parse what is needed.

An argument is a revision of the repository given with ``repo``, a directory (a catalog
checkout) or a snapshot file, as :mod:`catalog_diff.sources.arguments` decides. When both sides
know the git blob id of a package file and the ids are equal, the file is neither read
nor parsed: it cannot differ. A package of an older layout (a list file and its
``spec-N.json`` files, see :mod:`catalog_diff.parse.legacy`) is read and assembled whole; its
identity is a digest of its files' blob ids, skipped the same way when equal.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import replace

from ..errors import CatalogDiffError, CatalogDiffWarning, ParseError, TagNotFound, UsageError
from ..layout import FLAT_SPECS_MD, IMPLICIT_TAG, INDEX_MD, classify, legacy_kind, problem_key
from ..model.selection import ALL, Selection, matches_all
from ..model.snapshot import Meta, Package, Problem, Snapshot
from ..parse.memo import one_load
from ..parse.package import (
    LineMemo,
    SpecsCache,
    StackCounts,
    count_specs,
    meta_by_stack,
    parse_package,
)
from ..process.gcpause import gc_paused
from .arguments import Sources, commit_at
from .listing import (
    Entry,
    Listing,
    SavedSelection,
    Source,
    TagListing,
    TreeDiffing,
)
from .untagged import Blobs, UntaggedReads, list_file, unread, untagged_package


def _select(
    listing: Listing,
    tag: str | None,
    rename: str | None,
    groups: tuple[tuple[str, ...], ...] = (),
) -> Listing:
    """Keep the part of a listing a selection asks for, keyed by the (renamed) tag.

    ``groups`` are groups of package globs: a package is kept when it matches a glob of
    every group (a group is ``--package`` given once or more, or a snapshot file's own
    selection).
    """
    out = Listing()
    out.tags = {rename or t for t in listing.tags if tag is None or t == tag}
    for (t, name), entry in listing.entries.items():
        if (tag is None or t == tag) and matches_all(name, groups):
            out.entries[(rename or t, name)] = entry
    out.layout = listing.layout
    for name in listing.unlisted_tags:
        # A folder of _cache/ that could not be listed: a tag folder, or the package
        # folder of an older layout that a tagged file would win over.
        if tag is None or name == tag:
            out.unlisted_tags.add(rename or name)
        develop = (IMPLICIT_TAG, name)
        if (
            tag in (None, IMPLICIT_TAG)
            and develop not in listing.entries
            and matches_all(name, groups)
        ):
            out.broken.add((rename or IMPLICIT_TAG, name))
    for problem in listing.problems:
        key = problem_key(problem.path)
        if key is None or ((tag is None or key[0] == tag) and matches_all(key[1], groups)):
            out.problems.append(problem)
            if key is not None and (key in listing.broken or _lost(listing, problem.path, key)):
                out.broken.add((rename or key[0], key[1]))
    return out


def _held_tags(listing: Listing) -> set[str]:
    """The tags of a selected listing that hold a selected package or problem."""
    held = {t for t, _ in listing.entries}
    held.update(key[0] for p in listing.problems if (key := problem_key(p.path)) is not None)
    return held


def _recorded(source: Source) -> tuple[str | None, tuple[str, ...]]:
    """The selection a snapshot file was saved with (``(None, ())`` for a whole one)."""
    if isinstance(source, SavedSelection):
        return source.selected_tag, source.selected_packages
    return None, ()


def _lost(listing: Listing, path: str, key: tuple[str, str]) -> bool:
    """A problem with the list file of an untagged package that is not listed: the
    package could not be read (how a snapshot file, which keeps only the problem, says
    that such a package is broken)."""
    return legacy_kind(path) in (INDEX_MD, FLAT_SPECS_MD) and key not in listing.entries


#: Where loads report progress, ``(files read, files to read)``: set for a while with
#: :func:`reporting` (the command line shows a bar on a terminal); None, no reports.
_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "catalog_diff_load_progress", default=None
)
#: A report every this many files.
PROGRESS_EVERY = 256


@contextlib.contextmanager
def reporting(callback: Callable[[int, int], None] | None) -> Iterator[None]:
    """Within the block, every load calls ``callback(files read, files to read)`` now and
    then while it reads (each load counts from 0 again)."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def _build(
    source: Source,
    listing: Listing,
    keys: set[tuple[str, str]] | None,
    count_only: frozenset[str] = frozenset(),
    with_meta: bool = False,
) -> Snapshot:
    """Parse the listed packages (only ``keys`` when given) into a snapshot.

    Packages of the tags in ``count_only`` are read and counted, not parsed into specs
    (for an untagged package: the distinct spec files its list file names). With
    ``with_meta``, each file's whole ``meta`` is parsed (and must be valid) into
    ``Package.meta``; otherwise only its per-stack counts are kept.
    """
    packages: dict[tuple[str, str], Package] = {}
    problems = list(listing.problems)
    broken = set(listing.broken)
    sizes = {tag: [0, 0] for tag in count_only}
    wanted = sorted(listing.entries if keys is None else keys)
    keys_of: dict[int, tuple[str, str]] = {}
    to_read = []
    untagged = UntaggedReads()
    reported = {p.path for p in listing.problems}
    for key in wanted:
        entry = listing.entries[key]
        if entry.package is not None and key[0] in count_only:
            sizes[key[0]][0] += 1
            sizes[key[0]][1] += len(entry.package.specs)
        elif entry.package is not None:
            packages[key] = entry.package
        elif entry.files:
            to_read.extend(untagged.files(key, entry, key[0] in count_only))
        else:
            keys_of[id(entry)] = key
            to_read.append(entry)

    def file_untagged(key: tuple[str, str], entry: Entry, blobs: Blobs) -> None:
        try:
            if key[0] in count_only:
                index = list_file(entry.path, blobs.get(entry.path))
                sizes[key[0]][0] += 1
                sizes[key[0]][1] += len({name for _, name in index.entries})
                return
            packages[key], more = untagged_package(entry, blobs)
            # A spec file already reported by the listing (a symlink) is not "missing" too.
            read_problems.extend((key, p) for p in more if p.path not in reported)
        except ParseError as exc:
            read_problems.append((key, Problem(exc.path, exc.reason)))
            broken.add(key)

    def name_first(entry: Entry) -> tuple[str, str]:
        tag, name = keys_of.get(id(entry)) or untagged.owner(entry)
        return name, tag

    # Each package's tags are read in a row, for the memos (see LineMemo); problems are
    # reported in the order of the packages all the same.
    to_read.sort(key=name_first)
    read_problems: list[tuple[tuple[str, str], Problem]] = []
    specs_cache: SpecsCache = LineMemo()
    counts_cache: LineMemo[int] = LineMemo()
    stacks_cache: LineMemo[StackCounts | None] = LineMemo()
    report = _progress.get()
    total, files_read = len(to_read), 0
    with gc_paused(), one_load() as memo:
        for entry, data in source.read_many(to_read):
            files_read += 1
            if report is not None and files_read % PROGRESS_EVERY == 0:
                report(files_read, total)
            found = keys_of.get(id(entry))
            if found is None:
                done = untagged.take(entry, data)
                if done is not None:
                    file_untagged(*done)
                continue
            key = found
            try:
                data = unread(entry.path, data)
                if key[0] in count_only:
                    specs = count_specs(data, entry.path, counts_cache, key[1])
                    sizes[key[0]][0] += 1
                    sizes[key[0]][1] += specs
                    continue
                real = classify(entry.path) or key
                # Only meta's per-stack counts, to cross-check those taken from the specs.
                by_stack = None if with_meta else meta_by_stack(data, stacks_cache, key[1])
                packages[key] = parse_package(
                    data,
                    real[0],
                    real[1],
                    entry.path,
                    entry.oid,
                    with_meta,
                    specs_cache,
                    None if by_stack is None else Meta(num_specs_by_stack=by_stack),
                    memo,
                )
            except ParseError as exc:
                read_problems.append((key, Problem(entry.path, exc.reason)))
                broken.add(key)
        for left in untagged.rest():
            file_untagged(*left)
    read_problems.sort(key=lambda pair: pair[0])
    problems.extend(problem for _, problem in read_problems)
    if report is not None and files_read >= PROGRESS_EVERY:
        report(files_read, total)  # the last count: the bar ends full
    return Snapshot(
        info=source.info,
        packages=dict(sorted(packages.items())),
        tags=frozenset(listing.tags),
        problems=tuple(problems),
        broken=frozenset(broken),
        complete=keys is None and not count_only,
        tag_sizes={tag: (n, m) for tag, (n, m) in sizes.items()},
        unlisted_tags=frozenset(listing.unlisted_tags),
    )


def _check_tag(listing: Listing, tag: str | None, source: Source) -> None:
    if tag is not None and tag not in listing.tags and tag not in listing.unlisted_tags:
        raise TagNotFound(source.info.label, tag)


def load(source: Source, selection: Selection = ALL, *, with_meta: bool = False) -> Snapshot:
    """Read a whole snapshot (restricted to the selection); ``with_meta``: see :func:`_build`.

    With package globs, a tag that holds no selected package is left out. A snapshot file
    saved with a selection keeps it: the result records both.
    """
    if selection.tag and isinstance(source, TagListing):  # a revision lists one tag only
        listing = source.tag_listing(selection.tag)
    else:
        listing = source.listing()
    _check_tag(listing, selection.tag, source)
    saved_tag, saved_packages = _recorded(source)
    if saved_packages and selection.packages and selection.packages != saved_packages:
        # The packages matching both could not be told apart from those matching either
        # once saved again; diff, which saves nothing, applies both.
        raise UsageError(
            f"{source.info.label} is a snapshot of --package "
            f"{' --package '.join(saved_packages)} only; read it without --package, or "
            "select from the whole catalog"
        )
    groups = tuple(g for g in (selection.packages, saved_packages) if g)
    chosen = _select(listing, selection.tag, None, groups)
    if groups:
        chosen.tags &= _held_tags(chosen)
    snap = _build(source, chosen, None, with_meta=with_meta)
    return replace(
        snap,
        selected_tag=selection.tag or saved_tag,
        selected_packages=selection.packages or saved_packages,
    )


def load_pair(
    old: Source, new: Source, selection: Selection = ALL, *, full: bool = False
) -> tuple[Snapshot, Snapshot]:
    """Read two snapshots for a comparison, skipping files identical on both sides.

    Two revisions of one repository are compared through a tree diff: only the files
    that differ are listed at all. Otherwise both sides are listed in full and files
    whose git blob ids are equal on both sides are skipped. With ``full``, nothing is
    skipped: both sides are read whole (every tag parsed) and come back ``complete``,
    so that counts over them are totals.
    """
    diffed = None
    if not full and selection.old_tag is None and isinstance(old, TreeDiffing):
        diffed = old.tree_diff(new, selection.tag)  # two revisions of one repository
    old_tag, new_tag = selection.old_tag, selection.new_tag
    if old_tag and new_tag and isinstance(old, TagListing) and isinstance(new, TagListing):
        diffed = old.tag_listing(old_tag), new.tag_listing(new_tag)  # one tag folder a side
    old_listing, new_listing = diffed or (old.listing(), new.listing())
    if selection.old_tag is not None:
        _check_tag(old_listing, selection.old_tag, old)
        _check_tag(new_listing, selection.new_tag, new)
    elif selection.tag is not None and not any(
        selection.tag in tags
        for listing in (old_listing, new_listing)
        for tags in (listing.tags, listing.unlisted_tags)
    ):
        raise TagNotFound(f"{old.info.label} or {new.info.label}", selection.tag)
    old_tag, new_tag, groups = _recorded_selection(old, new, selection)
    old_sel = _select(old_listing, old_tag, selection.new_tag, groups)
    new_sel = _select(new_listing, new_tag, None, groups)
    if groups:  # a tag on one side only, holding nothing selected, is no difference
        old_held, new_held = _held_tags(old_sel), _held_tags(new_sel)
        old_sel.tags = {t for t in old_sel.tags if t in new_sel.tags or t in old_held}
        new_sel.tags = {t for t in new_sel.tags if t in old_sel.tags or t in new_held}
    if full:
        return _build(old, old_sel, None), _build(new, new_sel, None)
    same = {
        key
        for key, entry in old_sel.entries.items()
        if entry.oid is not None and (other := new_sel.entries.get(key)) and other.oid == entry.oid
    }
    only_old = frozenset(old_sel.tags - new_sel.tags)
    only_new = frozenset(new_sel.tags - old_sel.tags)
    return (
        _build(old, old_sel, set(old_sel.entries) - same, only_old),
        _build(new, new_sel, set(new_sel.entries) - same, only_new),
    )


def _recorded_selection(
    old: Source, new: Source, selection: Selection
) -> tuple[str | None, str | None, tuple[tuple[str, ...], ...]]:
    """The tag of each side and the package globs to compare with, once the selection a
    snapshot file was saved with is applied to the other side too (with a warning): a
    snapshot of some packages or of one tag is compared with the same part of the other
    side, never reported as if everything else had been added or removed."""
    old_tag, new_tag = selection.side_tag(True), selection.side_tag(False)
    groups = [selection.packages] if selection.packages else []
    for this, other in ((old, new), (new, old)):
        tag, packages = _recorded(this)
        other_tag, other_packages = _recorded(other)
        said = []
        if packages and packages != other_packages:
            groups.append(packages)
            said.append("--package " + " --package ".join(packages))
        if tag is not None and selection.old_tag is None and selection.tag is None:
            if other_tag is None:
                said.append(f"--tag {tag}")
                old_tag = new_tag = tag
            elif other_tag == tag:
                old_tag = new_tag = tag
        if said:
            warnings.warn(
                f"{this.info.source} is a snapshot of {' '.join(said)} only; "
                f"{other.info.source} is compared with the same selection",
                CatalogDiffWarning,
                stacklevel=3,
            )
    return old_tag, new_tag, tuple(dict.fromkeys(groups))


__all__ = ["ALL", "CatalogDiffError", "Selection", "Sources", "commit_at", "load", "load_pair"]
