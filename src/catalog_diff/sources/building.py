"""How a source builds its :class:`~catalog_diff.sources.listing.Listing` from the paths
it holds: each path filed as a package file of the current layout, a package folder of an
older one, or a problem (a symlink, a submodule, a folder where a file should be, a path
holding control characters), one path at a time (:class:`ListingBuilder`).
"""

from __future__ import annotations

from collections.abc import Mapping

from ..layout import (
    CACHE_DIR,
    DIRECTORY,
    IMPLICIT_TAG,
    LIST_FILES,
    SPEC_JSON,
    SYMLINK_OR_SUBMODULE,
    UNSAFE_PATH,
    classify,
    layout_name,
    legacy_kind,
    package_key,
    printable,
    unsafe_name,
)
from ..model.snapshot import Problem
from .listing import Entry, Listing, files_identity


def refuse_unsafe(listing: Listing, path: str) -> bool:
    """File a path holding control characters or bytes that are not UTF-8 (see
    :mod:`catalog_diff.layout`) as a problem when it stands for a package file; True
    when the path is such a path (and must not be filed otherwise)."""
    if not unsafe_name(path):
        return False
    shown = printable(path)
    key = package_key(shown)
    if key is not None:
        listing.problems.append(Problem(shown, UNSAFE_PATH))
        listing.broken.add(key)
        parts = path.split("/")
        if not unsafe_name(parts[1]) and classify(shown) is not None:
            listing.tags.add(parts[1])
    return True


def add_path(
    listing: Listing,
    path: str,
    entry: Entry | None,
    why: str = SYMLINK_OR_SUBMODULE,
    message: str | None = None,
) -> None:
    """File one path of the current layout (or any path deeper than a package folder of
    the older ones) into a listing.

    ``entry`` is None for something that is not read: not a regular file (``why`` says
    what it is) or, with ``message``, something that could not be listed or read. Such a
    path is a problem when it stands where a package file or folder should be, and its
    package is then neither added nor removed.
    """
    if refuse_unsafe(listing, path):
        return
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == CACHE_DIR:
        listing.tags.add(parts[1])
    if len(parts) > 4 and parts[0] == CACHE_DIR and classify("/".join(parts[:4])) is not None:
        # A tree below a package file's path: the package file is a folder.
        inner = "/".join(parts[:4])
        if classify(inner) not in listing.broken:
            add_path(listing, inner, None, DIRECTORY)
        return
    if entry is None and parts[0] == CACHE_DIR and len(parts) in (2, 3) and all(parts):
        # Where a tag folder or a package folder should be: a problem, and its package
        # (or every package of the tag) neither added nor removed.
        listing.problems.append(Problem(path, message or f"not a regular folder ({why})"))
        if len(parts) == 3:
            listing.broken.add((parts[1], parts[2]))
        else:
            listing.unlisted_tags.add(parts[1])
        return
    key = classify(path)
    if key is None:
        return
    if entry is None:
        listing.problems.append(Problem(path, message or f"not a regular file ({why})"))
        listing.broken.add(key)
        return
    listing.entries[key] = entry


def add_untagged(
    listing: Listing,
    folder: str,
    files: Mapping[str, Entry | None],
    whys: Mapping[str, tuple[str, str | None]] | None = None,
) -> str | None:
    """File the package folder ``_cache/<folder>/`` of an older layout into a listing.

    ``files`` maps the names of the files directly in the folder to their entries (None
    for something that is not read; ``whys`` gives, by path, what it is or the message
    to report, as for :func:`add_path`). Returns the list file read (``index.md`` or
    ``specs.md``), or None when the folder holds neither (it is then no package). The
    package is left out when the listing already holds ``(develop, folder)`` from the
    current layout, which wins. Spec files that are not read are problems.
    """
    chosen = next((name for name in LIST_FILES if name in files), None)
    if chosen is None:
        return None
    key = (IMPLICIT_TAG, folder)
    if key in listing.entries or key in listing.broken:
        return chosen
    base = f"{CACHE_DIR}/{folder}"
    path = f"{base}/{chosen}"

    def problem(file_path: str) -> Problem:
        why, message = (whys or {}).get(file_path, (SYMLINK_OR_SUBMODULE, None))
        return Problem(file_path, message or f"not a regular file ({why})")

    for other in LIST_FILES:
        if other != chosen and other in files:
            listing.problems.append(
                Problem(f"{base}/{other}", f"ignored: the folder also has {chosen}, which is read")
            )
    head = files[chosen]
    if head is None:
        listing.problems.append(problem(path))
        listing.broken.add(key)
        return chosen
    parts: list[tuple[str, str | None]] = [(path, head.oid)]
    for name in sorted(files):
        file_path = f"{base}/{name}"
        if legacy_kind(file_path) != SPEC_JSON:
            continue
        spec = files[name]
        if spec is None:
            listing.problems.append(problem(file_path))
        else:
            parts.append((file_path, spec.oid))
    parts.sort()
    listing.entries[key] = Entry(path=path, oid=files_identity(parts), files=tuple(parts))
    return chosen


class ListingBuilder:
    """Files the paths of a tree walk into a :class:`Listing`.

    Paths of the current layout are filed as they come. Files directly in a folder
    ``_cache/<x>/`` are held until :meth:`finish`, which tells whether ``x`` is a package
    folder of an older layout (it holds a list file) or a tag folder.
    """

    def __init__(self) -> None:
        self.listing = Listing()
        self._tagged = False
        self._folders: dict[str, dict[str, Entry | None]] = {}
        self._tag_folders: set[str] = set()
        self._whys: dict[str, tuple[str, str | None]] = {}
        self._dirs: dict[str, set[str]] = {}

    def add(
        self,
        path: str,
        entry: Entry | None,
        why: str = SYMLINK_OR_SUBMODULE,
        message: str | None = None,
    ) -> None:
        """File one path (``entry`` None for something not read: see :func:`add_path`)."""
        if refuse_unsafe(self.listing, path):
            return
        parts = path.split("/")
        if len(parts) >= 4 and parts[0] == CACHE_DIR and legacy_kind("/".join(parts[:3])):
            self.add_directory("/".join(parts[:3]))  # a tree where a list file could be
        if len(parts) > 4 and parts[0] == CACHE_DIR:
            inner = "/".join(parts[:4])
            key = classify(inner)
            if key is not None and key not in self.listing.broken:
                self.add(inner, None, DIRECTORY)  # a tree where a package file should be
            return
        if entry is None:
            self._whys[path] = (why, message)
        if len(parts) == 3 and parts[0] == CACHE_DIR and parts[1] and parts[2]:
            self._folders.setdefault(parts[1], {})[parts[2]] = entry
            return
        add_path(self.listing, path, entry, why, message)
        if len(parts) == 4 and classify(path) is not None:
            self._tagged = True
            self._tag_folders.add(parts[1])

    def add_folder(self, name: str) -> None:
        """A folder directly in ``_cache/`` (a directory walk sees empty ones too)."""
        if not unsafe_name(name):
            self._folders.setdefault(name, {})

    def add_directory(self, path: str) -> None:
        """A folder below ``_cache/``, as a directory walk sees it: a tag or package
        folder, or a folder where a package file, list file or spec file should be."""
        if unsafe_name(path):
            return
        parts = path.split("/")
        if len(parts) == 2:
            self.add_folder(parts[1])
        elif len(parts) == 3 and legacy_kind(path) is not None:
            self._dirs.setdefault(parts[1], set()).add(parts[2])
        elif len(parts) == 4 and classify(path) is not None:
            self.add(path, None, DIRECTORY)

    def add_unreadable(self, path: str, message: str) -> None:
        """Something below ``_cache/`` that could not be listed or read (``message``)."""
        if len(path.split("/")) == 2:
            add_path(self.listing, path, None, message=message)
        else:
            self.add(path, None, message=message)

    def finish(self) -> Listing:
        """The listing, with the untagged package folders filed last (tagged files win).

        A folder holding package files of the current layout (``<folder>/<pkg>/specs.md``)
        is a tag folder, even when a list file lies in it too (that file is then no
        package file of any layout, and is left out).
        """
        listing = self.listing
        kinds = set()
        untagged = set()
        for name in sorted(self._folders.keys() | self._dirs.keys()):
            files = self._folders.get(name, {})
            if name not in self._tag_folders:
                for item in self._dirs.get(name, ()):
                    files.setdefault(item, None)
                    self._whys.setdefault(f"{CACHE_DIR}/{name}/{item}", (DIRECTORY, None))
            chosen = (
                None
                if name in self._tag_folders
                else add_untagged(listing, name, files, self._whys)
            )
            if chosen is None:  # a tag folder: what is not read in it is a problem
                listing.tags.add(name)
                for item in sorted(n for n, entry in files.items() if entry is None):
                    path = f"{CACHE_DIR}/{name}/{item}"
                    why, message = self._whys.get(path, (SYMLINK_OR_SUBMODULE, None))
                    if why == DIRECTORY and message is None:
                        continue  # a folder in a tag folder: a package folder
                    add_path(listing, path, None, why, message)
            else:
                kinds.add(chosen)
                untagged.add(name)
        listing.tags -= untagged
        if untagged:
            listing.tags.add(IMPLICIT_TAG)
        listing.layout = layout_name(self._tagged, "index.md" in kinds, "specs.md" in kinds)
        return listing
