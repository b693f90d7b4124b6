"""The library's entry points: one call per job, each returning model objects."""

from __future__ import annotations

from .compare import compare
from .load import ALL, Selection, Sources, load, load_pair
from .model import Comparison, Snapshot


def diff(old: str, new: str, *, repo: str = ".", selection: Selection = ALL) -> Comparison:
    """Compare two catalog snapshots.

    ``old`` and ``new`` are each a revision of ``repo`` (anything git accepts), a directory
    holding a catalog checkout, or a snapshot file. Raises
    :class:`~catalog_diff.errors.CatalogDiffError` subclasses on bad input; files that
    cannot be read are not errors but ``Comparison.problems``.
    """
    with Sources(repo) as sources:
        old_source = sources.open(old)
        new_source = sources.open(new)
        before, after = load_pair(old_source, new_source, selection)
    return compare(before, after, old_tag=selection.old_tag, new_tag=selection.new_tag)


def snapshot(source: str, *, repo: str = ".", selection: Selection = ALL) -> Snapshot:
    """Load one whole snapshot (every tag and package, or the selected ones)."""
    with Sources(repo) as sources:
        return load(sources.open(source), selection)
