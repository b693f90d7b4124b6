"""The floor: the catalog's path and layout vocabulary, and text made safe to print.

Imports nothing of the package (``lint-imports`` checks it), so that every stage can use
it: the ``_cache`` folder and its file names, which file of which layout a path is
(:func:`classify`, :func:`legacy_kind`, :func:`package_key`), the layouts as one enum
(:class:`Layout`), the size limits of SECURITY.md, and the git modes of what is read.

Text from the catalog or the command line, made safe to print:

Catalog paths, tag and package names and spec values never hold control characters. One
that does is refused where it is read (a problem, see :data:`UNSAFE_PATH`), and every
error message goes through :func:`printable`, so that no input can forge a line of a
report, send a sequence to a terminal, or make invalid UTF-8 reach a JSON encoder.
"""

from __future__ import annotations

import re
from enum import Enum

#: Characters a catalog path never holds and a report must not print as they are: C0 and
#: C1 controls (a newline would forge a report line, ESC starts a terminal sequence),
#: Unicode direction controls (text shown in another order than it is read), and lone
#: surrogates (bytes that are not UTF-8, as ``surrogateescape`` keeps them).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

#: What :func:`printable` also writes as an escape, though a path may hold it: characters
#: that show nothing or change how the text around them is shown. Unicode's format
#: characters (category Cf: zero-width space and joiners, word joiner, byte-order mark,
#: soft hyphen, U+061C and the other direction marks, invisible operators, tag
#: characters), the line and paragraph separators U+2028/U+2029 (line ends to some
#: readers), and the Hangul fillers, which show as blank letters. The ranges are
#: Unicode 15's; tests/test_escape.py checks them against the running Python's tables.
INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff"
    "\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

_SHOWN_ESCAPED = re.compile(f"{UNSAFE.pattern}|{INVISIBLE.pattern}")

#: The problem of a path that holds such characters.
UNSAFE_PATH = "the path holds control characters or bytes that are not UTF-8; not read"


def unsafe_name(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`UNSAFE`."""
    return UNSAFE.search(text) is not None


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` with every character of :data:`UNSAFE` and :data:`INVISIBLE` written as an
    escape (``\\x1b``, ``\\u202e``, ``\\U000e0041``; ``\\xff`` for a byte that is not
    UTF-8): one line, inert on a terminal, nothing hidden, and valid UTF-8."""
    return _SHOWN_ESCAPED.sub(_escape, text) if _SHOWN_ESCAPED.search(text) else text


#: How many characters of a name an error message shows at most.
SHOWN = 200


def shortened(text: str, limit: int = SHOWN) -> str:
    """``text``, or its first ``limit`` characters and a marker saying how long it was
    (so that a revision of 100 KB does not fill a terminal)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[{len(text)} characters]"


# ---- paths and layouts -----------------------------------------------------------------

CACHE_DIR = "_cache"
SPECS_FILE = "specs.md"

#: The tag the untagged layouts are filed under (see :mod:`catalog_diff.sources.listing`).
IMPLICIT_TAG = "develop"

#: The files of an untagged layout, as returned by :func:`legacy_kind` and kept in
#: ``LegacyIndex.kind``.
INDEX_MD = "index-md"
#: The file of the current layout, ``_cache/<tag>/<pkg>/specs.md`` (see :func:`file_kind`).
TAGGED_SPECS_MD = "specs-md"
FLAT_SPECS_MD = "specs-md-flat"
SPEC_JSON = "spec-json"

#: The list file of each untagged layout.
LIST_FILE = {INDEX_MD: "index.md", FLAT_SPECS_MD: "specs.md"}
_KINDS = {name: kind for kind, name in LIST_FILE.items()}
_SPEC_FILE = re.compile(r"spec-[0-9]+\.json")

#: The list files of an untagged package folder, in the order one is preferred to the
#: other when a folder holds both (the history index reads the first in path order too).
LIST_FILES = ("index.md", "specs.md")


class Layout(Enum):
    """The layout of a tree: the current one, the two older untagged ones, several at
    once, or none. The values are the names listings, reports and the history index use."""

    TAGGED = "tagged"
    UNTAGGED_INDEX = "untagged-index"
    UNTAGGED_SPECS = "untagged-specs"
    MIXED = "mixed"
    EMPTY = "empty"


#: The names of :class:`Layout`, as listings and the history index keep them.
TAGGED = Layout.TAGGED.value
UNTAGGED_INDEX = Layout.UNTAGGED_INDEX.value
UNTAGGED_SPECS = Layout.UNTAGGED_SPECS.value
MIXED = Layout.MIXED.value
EMPTY = Layout.EMPTY.value


def classify(path: str) -> tuple[str, str] | None:
    """``_cache/<tag>/<package>/specs.md`` -> ``(tag, package)``; anything else -> None."""
    parts = path.split("/")
    if len(parts) == 4 and parts[0] == CACHE_DIR and parts[3] == SPECS_FILE and all(parts):
        return parts[1], parts[2]
    return None


def legacy_layout(path: str) -> str | None:
    """Name the older layout a path belongs to, or None."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == CACHE_DIR:
        if parts[2] == SPECS_FILE:
            return "untagged _cache/<package>/specs.md"
        if parts[2] == "index.md":
            return "untagged _cache/<package>/index.md"
    return None


def legacy_kind(path: str) -> str | None:
    """Which file of an untagged layout ``path`` is, or None.

    ``_cache/<pkg>/index.md`` -> ``"index-md"``, ``_cache/<pkg>/specs.md`` ->
    ``"specs-md-flat"``, ``_cache/<pkg>/spec-N.json`` -> ``"spec-json"``.
    """
    parts = path.split("/")
    if len(parts) != 3 or parts[0] != CACHE_DIR or not parts[1]:
        return None
    if parts[2] in _KINDS:
        return _KINDS[parts[2]]
    return SPEC_JSON if _SPEC_FILE.fullmatch(parts[2]) else None


def package_key(path: str) -> tuple[str, str] | None:
    """The ``(tag, package)`` a catalog file belongs to, in any layout; else None."""
    key = classify(path)
    if key is not None:
        return key
    if legacy_kind(path) is not None:
        return IMPLICIT_TAG, path.split("/")[1]
    return None


def problem_key(path: str) -> tuple[str, str] | None:
    """The ``(tag, package)`` a problem's path stands for: a catalog file's, or that of a
    folder ``_cache/<tag>/<package>`` that is a symlink or a submodule."""
    key = package_key(path)
    if key is None:
        parts = path.split("/")
        if len(parts) == 3 and parts[0] == CACHE_DIR and all(parts):
            key = (parts[1], parts[2])
    return key


def layout_name(tagged: bool, index: bool, specs: bool) -> str:
    """The layout of a tree holding packages of the current layout (``tagged``), of the
    oldest one (``index``) and of the middle one (``specs``)."""
    present = [
        layout
        for layout, seen in (
            (Layout.TAGGED, tagged),
            (Layout.UNTAGGED_INDEX, index),
            (Layout.UNTAGGED_SPECS, specs),
        )
        if seen
    ]
    if not present:
        return Layout.EMPTY.value
    return present[0].value if len(present) == 1 else Layout.MIXED.value


def file_kind(path: str) -> str | None:
    """What a changed path is to the history index: :data:`TAGGED_SPECS_MD` for a file of
    the current layout, else :func:`legacy_kind`'s answer (None for anything else)."""
    if classify(path) is not None:
        return TAGGED_SPECS_MD
    return legacy_kind(path)


def layout_of(counts: dict[str, int]) -> str:
    """The layout the history index records for a commit, from its counts of each kind
    of list file (see :func:`file_kind`)."""
    return layout_name(
        bool(counts.get(TAGGED_SPECS_MD)),
        bool(counts.get(INDEX_MD)),
        bool(counts.get(FLAT_SPECS_MD)),
    )


# ---- what is not read ----------------------------------------------------------------

#: Why something that is not a regular file or folder is not read, when nothing says more.
SYMLINK_OR_SUBMODULE = "symlink or submodule"

#: What a package file, a list file or a spec file is when it is a folder.
DIRECTORY = "a folder"

#: The git modes of a regular file (read), of a tree, and of what is never followed.
BLOB_MODES = frozenset(("100644", "100755"))
TREE_MODE = b"040000"
NOT_READ = {b"120000": "a symbolic link, not followed", b"160000": "a submodule, not read"}


# ---- size limits (see SECURITY.md) ---------------------------------------------------

#: A catalog file larger than this is a problem ("too large"), never parsed; sources read
#: at most one byte more than this of any file. The largest file of the saved samples is
#: 34 KB.
MAX_FILE_BYTES = 8 << 20
#: Front matter that is not one line of JSON per value goes to PyYAML, which reads about
#: 1 MB a second: above this size such a file is a problem instead.
MAX_YAML_BYTES = 1 << 20
#: A snapshot file larger than this (once decompressed) is refused, so that a small gzip
#: file cannot unpack into all the memory there is. A snapshot of the whole catalog is
#: well below 100 MB. Decompressed a piece at a time, never further than this.
MAX_SNAPSHOT_BYTES = 1 << 30
#: A snapshot file with more specs than this is refused before it is parsed (a million
#: specs take about a gigabyte once loaded; see SECURITY.md). Counted as the ``"hash"``
#: strings of the JSON text, which every spec has: an upper bound, found in one scan.
MAX_SNAPSHOT_SPECS = 4_000_000
