"""Text from the catalog or the command line, made safe to print. Pure; imports nothing.

Catalog paths, tag and package names and spec values never hold control characters. One
that does is refused where it is read (a problem, see :data:`UNSAFE_PATH`), and every
error message goes through :func:`printable`, so that no input can forge a line of a
report, send a sequence to a terminal, or make invalid UTF-8 reach a JSON encoder.
"""

from __future__ import annotations

import re

#: Characters a catalog path never holds and a report must not print as they are: C0 and
#: C1 controls (a newline would forge a report line, ESC starts a terminal sequence),
#: Unicode direction controls (text shown in another order than it is read), and lone
#: surrogates (bytes that are not UTF-8, as ``surrogateescape`` keeps them).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

#: The problem of a path that holds such characters.
UNSAFE_PATH = "the path holds control characters or bytes that are not UTF-8; not read"


def unsafe_name(text: str) -> bool:
    """Whether ``text`` holds a character of :data:`UNSAFE`."""
    return UNSAFE.search(text) is not None


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character of :data:`UNSAFE` written as an escape (``\\x1b``,
    ``\\u202e``; ``\\xff`` for a byte that is not UTF-8): one line, inert on a terminal,
    and valid UTF-8."""
    return UNSAFE.sub(_escape, text) if UNSAFE.search(text) else text


#: How many characters of a name an error message shows at most.
SHOWN = 200


def shortened(text: str, limit: int = SHOWN) -> str:
    """``text``, or its first ``limit`` characters and a marker saying how long it was
    (so that a revision of 100 KB does not fill a terminal)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}...[{len(text)} characters]"
