"""Stand-ins: the packages a symlink, a submodule or a folder hides at a commit.

A package whose file or folder is not a regular one is recorded as unreadable at that
commit (a content of layout ``unlisted`` stands for it), never as removed; it is gone
when the entry that hid it goes and nothing brings the package back. Applied by
:mod:`catalog_diff.history.ingest` for each commit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..git.log import LoggedCommit
from ..git.repository import GitRepository
from ..layout import (
    CACHE_DIR,
    DIRECTORY,
    IMPLICIT_TAG,
    SYMLINK_OR_SUBMODULE,
    classify,
    file_kind,
    unsafe_name,
)
from .ingeststate import Parsed, State

if TYPE_CHECKING:
    from .ingest import Ingest

#: Modes of a tree entry that is neither a file nor a folder: never followed, never read.
_NOT_FOLDER = ("120000", "160000")

#: The layout of a content standing for a package in a folder that is not read.
UNLISTED = "unlisted"
_NOT_A_FOLDER = f"not a regular folder ({SYMLINK_OR_SUBMODULE})"
_A_FOLDER = f"not a regular file ({DIRECTORY})"


def _unlisted_key(mode: str, oid: str, path: str) -> str:
    """The key of the content standing for the packages a symlink or submodule hides."""
    return f"unlisted:{mode}:{oid}:{path}"


def cover_unlisted(
    ingest: Ingest,
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
            ingest.store.known_keys({gone})
            old = ingest.store.content_ids.get(gone)
            for open_key, (content, _, _) in state.versions.items():
                if content == old and open_key not in touched:
                    touched[open_key] = "gone"
        if ch.new_mode not in _NOT_FOLDER:
            continue
        content = ingest.store.content(
            _unlisted_key(ch.new_mode, ch.new_oid, ch.path),
            UNLISTED,
            ch.path,
            state,
            lambda: Parsed(_NOT_A_FOLDER),
        )
        ingest.unlisted_ids.add(content)
        for hidden in _hidden(ingest, parts, state):
            out[hidden] = content
            touched[hidden] = "unlisted"
    return out


def cover_trees(
    ingest: Ingest,
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
            ingest.store.known_keys({standin})
            current = state.versions.get(key)
            gone = current is not None and current[0] == ingest.store.content_ids.get(standin)
            if gone and key not in touched:
                touched[key] = "gone"
            continue
        out[key] = ingest.store.content(standin, UNLISTED, inner, state, lambda: Parsed(_A_FOLDER))
        ingest.unlisted_ids.add(out[key])
        touched[key] = "unlisted"
    return out


def _hidden(ingest: Ingest, parts: list[str], state: State) -> set[tuple[str, str]]:
    """The packages a symlink or a submodule at ``_cache/...`` (``parts``) hides."""
    if len(parts) == 3:
        current = state.versions.get((IMPLICIT_TAG, parts[1]))
        if current is not None and not current[2] and current[0] not in ingest.unlisted_ids:
            return set()  # in the package folder of an older layout: no package
        return {(parts[1], parts[2])}
    hidden = set()
    for (tag, package), (content, _, tagged) in state.versions.items():
        if len(parts) == 1:
            hidden.add((tag, package))
        elif tag == parts[1] and (tag != IMPLICIT_TAG or tagged or content in ingest.unlisted_ids):
            hidden.add((tag, package))  # (develop's untagged packages lie elsewhere)
        elif (tag, package) == (IMPLICIT_TAG, parts[1]):
            hidden.add((tag, package))  # the package folder of an older layout
    return hidden
