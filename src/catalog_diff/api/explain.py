"""``diff --explain``: the removals of a comparison of two revisions, explained from the
history index (read as it is: never brought up to date, never created)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CatalogDiffError
from ..model.snapshot import SourceInfo, SourceKind

if TYPE_CHECKING:
    from ..model.comparison import Comparison

#: What a note that nothing could be explained ends with.
HOW = "build or update the index with 'catalog-diff index'"


def _side(info: SourceInfo, word: str) -> str | None:
    """Why a side cannot be explained (not a revision), or None."""
    if info.kind is not SourceKind.GIT or not info.commit:
        return f"the {word} side ({info.label}) is not a revision of the repository"
    return None


def explain(
    comparison: Comparison, *, repo: str = ".", index: str | None = None, window: int = 7
) -> tuple[Comparison, str | None]:
    """``comparison`` with each removal explained from the history index of ``repo``
    (``index``: another index file) as :mod:`catalog_diff.history.explain` says, a
    removal back within ``window`` commits being transient; or the comparison as it is
    and one line saying why nothing could be explained."""
    from ..git.repository import GitRepository
    from ..history.explain import current
    from ..history.explain import explain as explain_changes
    from ..history.index import HistoryIndex, default_index_path

    why = _side(comparison.old, "old") or _side(comparison.new, "new")
    if why is None and comparison.old_tag is not None and comparison.old_tag != comparison.new_tag:
        why = "the sides are two different tags, not one tag at two commits"
    if why is not None:
        return comparison, f"--explain: nothing could be explained: {why}"
    try:
        with GitRepository(repo) as git_repo:
            path = Path(index) if index else default_index_path(git_repo)
            here = str(Path(git_repo.git_dir).resolve())
        if not path.is_file():
            return (
                comparison,
                f"--explain: nothing could be explained: no history index at {path}; {HOW}",
            )
        if not current(str(path)):
            return (
                comparison,
                f"--explain: nothing could be explained: {path} is an index "
                f"of another schema; {HOW}",
            )
        with HistoryIndex(path) as opened, opened.faults():
            there = opened.info("repository")
            if there is not None and there != here:
                return (
                    comparison,
                    f"--explain: nothing could be explained: {path} indexes another repository",
                )
            old = opened.commit_by_sha(comparison.old.commit or "")
            new = opened.commit_by_sha(comparison.new.commit or "")
            if old is None or new is None:
                sha = (comparison.old if old is None else comparison.new).commit or ""
                return comparison, (
                    f"--explain: nothing could be explained: the index {path} does not hold "
                    f"commit {sha[:12]}; {HOW}"
                )
            if old.seq >= new.seq:
                return comparison, (
                    "--explain: nothing could be explained: the old side is not before the "
                    "new one in the indexed first-parent history"
                )
            changes = explain_changes(
                opened, comparison.changes, comparison.packages, old, new, window
            )
    except CatalogDiffError as exc:
        return comparison, f"--explain: nothing could be explained: {exc}"
    return dataclasses.replace(comparison, changes=changes), None


__all__ = ["explain"]
