"""What the kinds of a comparison need to read beyond the files that differ: the stacks
``_data/tags.yaml`` lists, a tag whole, and the weekly tags around a tag (see
:mod:`catalog_diff.compare.wide`, which is given these as functions)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator

import orjson

from ..errors import CatalogDiffWarning, ParseError
from ..model.selection import Selection
from ..model.snapshot import Snapshot
from ..parse.tagsyaml import TAGS_YAML, parse_tags_stacks
from .listing import (
    Entry,
    Listing,
    Source,
    TagListing,
    TreeDiffing,
    TreeListing,
    Unreadable,
)
from .load import _build, _check_tag, _select, load


def tags_stacks(source: Source) -> dict[str, tuple[str, ...]] | None:
    """The stacks ``_data/tags.yaml`` of ``source`` lists per tag; None when the source
    has none (a snapshot file, a catalog without it). One that cannot be read is said in
    a warning: stack-empty is then not told from stack-removed."""
    if not isinstance(source, TreeListing):
        return None
    data = source.read_path(TAGS_YAML)
    if data is None or (not isinstance(data, bytes) and data.missing):
        return None
    try:
        if isinstance(data, bytes):
            return dict(parse_tags_stacks(data))
        reason = data.reason
    except ParseError as exc:
        reason = exc.reason
    warnings.warn(
        f"{source.info.label}: {TAGS_YAML}: {reason}; the stacks it lists are not known",
        CatalogDiffWarning,
        stacklevel=2,
    )
    return None


def load_holding(
    source: Source,
    tag: str,
    skip: frozenset[tuple[str, str]],
    holding: tuple[tuple[str, ...], ...],
    packages: tuple[str, ...] = (),
) -> Snapshot:
    """The packages of ``tag`` matching the ``packages`` globs (all without), but those
    in ``skip``, whose file holds all the strings of one of the ``holding`` groups, each
    written as a JSON string (``"zen4"``): what a comparison's kinds read of the files the
    comparison did not (see :mod:`catalog_diff.compare.wide`). The bytes of each file
    are looked at, and only those that hold one are parsed; a file that cannot be read,
    or of an older layout, is kept (and read as the loader reads it)."""
    listing = source.tag_listing(tag) if isinstance(source, TagListing) else source.listing()
    _check_tag(listing, tag, source)
    chosen = _select(listing, tag, None, (packages,) if packages else ())
    keys = {key for key in chosen.entries if key not in skip}
    plain = {id(chosen.entries[k]): k for k in keys if _plain(chosen.entries[k])}
    groups = [[orjson.dumps(value) for value in group] for group in holding]
    left_out = set()
    kept: dict[int, bytes | Unreadable | None] = {}
    for entry, data in source.read_many([chosen.entries[k] for k in sorted(plain.values())]):
        if isinstance(data, bytes) and not any(all(t in data for t in g) for g in groups):
            left_out.add(plain[id(entry)])
        else:
            kept[id(entry)] = data
    return _build(_Read(source, kept), chosen, keys - left_out)


class _Read:
    """A source whose files of some entries (by ``id``) were read already: the load
    that follows is given those bytes, not a second read (a second git process)."""

    def __init__(self, source: Source, read: dict[int, bytes | Unreadable | None]) -> None:
        self.info = source.info
        self._source, self._read = source, read

    def listing(self) -> Listing:
        return self._source.listing()

    def read_many(
        self, entries: Iterable[Entry]
    ) -> Iterator[tuple[Entry, bytes | Unreadable | None]]:
        rest = []
        for entry in entries:
            if id(entry) in self._read:
                yield entry, self._read[id(entry)]
            else:
                rest.append(entry)
        if rest:
            yield from self._source.read_many(rest)


def _plain(entry: Entry) -> bool:
    """A package file of the current layout, not read yet."""
    return entry.package is None and not entry.files


def literal(name: str) -> str:
    """A package name as a glob that matches it alone."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


class Around:
    """The two sources of a comparison, read again for its kinds."""

    def __init__(self, old: Source, new: Source, selection: Selection) -> None:
        self.old, self.new, self.selection = old, new, selection

    def unread(
        self, tag: str, skip: frozenset[tuple[str, str]], holding: tuple[tuple[str, ...], ...]
    ) -> Snapshot:
        """The selected packages of ``tag`` on the new side, but ``skip``, whose files
        hold all the strings of one of the ``holding`` groups."""
        return load_holding(self.new, tag, skip, holding, self.selection.packages)

    @property
    def cheap(self) -> bool:
        """Reading again is cheap unless the new side is a revision (a git process)."""
        return not isinstance(self.new, TreeDiffing)

    def side_tags(self, new_side: bool) -> Iterable[str]:
        return (self.new if new_side else self.old).listing().tags

    def presence(
        self, new_side: bool, tag: str, names: tuple[str, ...], stacks: frozenset[str]
    ) -> frozenset[str]:
        """Which of ``stacks`` some spec of the packages ``names`` of ``tag`` is in."""
        chosen = Selection(tag=tag, package=tuple(literal(n) for n in names))
        packages = load(self.new if new_side else self.old, chosen).packages.values()
        return frozenset(
            s for p in packages for spec in p.specs for s in spec.stacks if s in stacks
        )


__all__ = ["Around", "literal", "load_holding", "tags_stacks"]
