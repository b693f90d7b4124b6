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
