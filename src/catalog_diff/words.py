"""Words for numbers, shared by every report and every message of the command line:
``1 package``, ``3 packages``, ``+3``. Imports nothing, so that any layer may use it.

(The release-notes templates know these as the ``plural`` and ``signed`` filters: the
parameter names are part of that interface.)"""

from __future__ import annotations


def count_of(count: int, noun: str, plural: str | None = None) -> str:
    """``1 package``, ``3 packages`` (``plural`` when it is not the noun and an s)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def signed(number: int) -> str:
    """``+3``, ``-3``, ``0``."""
    return f"{number:+d}" if number else "0"
