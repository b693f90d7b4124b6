"""Text from the catalog made inert for GitHub: no markup, links, mentions or raw HTML.

:func:`escape` turns any string into text that GitHub-flavoured Markdown shows as it is,
in a paragraph, a list item, a table cell and inside HTML such as ``<summary>`` (where
Markdown is not parsed, so backslash escapes would be shown). It uses only HTML
character references, which both contexts decode:

- ``& < > " '`` become entities, so no tag (``<script>``) and no comment can open;
- the Markdown punctuation ``\\ ` * _ ] | ~ $ #`` becomes numeric references, so no
  emphasis, code span, link (``[x](y)``), table cell break, strikethrough or math can
  start. Kept as they are, because GFM cannot read them as markup: ``_`` between two
  letters or digits (``x86_64``), ``~`` after a space (Spack's ``~variant``: such a tilde
  can only open a strikethrough, and no tilde that could close one is left), ``[``, and
  ``]`` when neither ``(`` nor ``[`` follows it (nor the end of the text, which some
  other text follows);
- ``@`` is followed by a zero-width space (``@&#8203;``), which stops @-mentions and
  e-mail autolinks (``gcc@11.4.0``); ``#``, ``://`` and ``www.`` are broken up the same
  way, against issue references and URL autolinks;
- line breaks become spaces; control and bidirectional-override characters become
  U+FFFD; any other non-ASCII character a numeric reference.

The result is pure ASCII, so its length in characters is its length in bytes.
"""

from __future__ import annotations

import re

#: Zero-width space, as a reference: invisible, but it breaks a mention or an autolink.
ZWSP = "&#8203;"

_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_PUNCTUATION = "\\`*_[]|~$"
_BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
#: Characters kept as they are (everything else goes through :func:`_one`).
_UNSAFE = re.compile(r"[^A-Za-z0-9 .,=+%/^;?(){}!-]")
_WWW = re.compile(r"(?i)(?<![A-Za-z0-9])(www)(\.)")


def _word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _one(match: re.Match[str]) -> str:
    ch = match.group()
    text, at = match.string, match.start()
    if ch in _NAMED:
        return _NAMED[ch]
    if ch == "_" and _word(text[at - 1 : at]) and _word(text[at + 1 : at + 2]):
        return ch  # intraword: never emphasis in GFM
    if ch == "~" and at > 0 and text[at - 1] == " ":
        return ch  # after a space a tilde cannot close a strikethrough (Spack's ~variant)
    if ch == "[" or (ch == "]" and text[at + 1 : at + 2] not in ("(", "[", "")):
        return ch  # a link needs "](" or "][" (or a definition, never written)
    if ch in _PUNCTUATION:
        return f"&#{ord(ch)};"
    if ch == "@":
        return "@" + ZWSP
    if ch == "#":
        return "&#35;" + ZWSP
    if ch == ":":
        return ":" + ZWSP if text.startswith("//", at + 1) else ch
    if ch in "\r\n\t":
        return " "
    code = ord(ch)
    if code < 32 or 127 <= code < 160 or code in _BIDI:
        return "&#xFFFD;"
    return f"&#{code};"


def escape(text: str) -> str:
    """``text`` as inert GitHub Markdown/HTML text (see the module's docstring)."""
    if not _UNSAFE.search(text) and "www" not in text.lower():
        return text
    return _WWW.sub(r"\1" + ZWSP + r"\2", _UNSAFE.sub(_one, text))


def html_code(text: str) -> str:
    """``text`` escaped, in a ``<code>`` element (monospace; GitHub also skips mentions,
    issue references and emoji inside it)."""
    return f"<code>{escape(text)}</code>"
