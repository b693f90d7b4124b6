"""Every field from an input made inert: one policy per output format, all of them here.

A field from an input is anything the catalog, a snapshot file, git or the command line
gave: names, tags, versions, variants, stacks, hashes, paths, problem messages, sources,
revisions, commit subjects and dates. Each renderer writes such a field only through the
function of its format below; the property tests of ``tests/test_escape.py`` check every
report against this, with GitHub's own Markdown renderer as the oracle.

**Visible substitutions** (every format read by a person): a character that could act on
a terminal or hide, reorder or break the text is written as a visible escape, as
:func:`catalog_diff.layout.printable` writes it: C0 and C1 controls, DEL and line breaks as
``\\x1b``, ``\\x0a``; bidirectional controls, U+061C, U+2028/U+2029, zero-width and other
format characters as ``\\u202e``, ``\\u200b``, ``\\U000e0041``; a byte that is not UTF-8
as ``\\xff``. Everything else is shown as it is (``\\`` included, so the escapes can be
read back only by a person, not a program: the JSON report is for programs).

- ``text``: :func:`text`, the visible substitutions and nothing else.
- ``json``: :func:`json_dumps`. Values stay exactly what they were (a program reads them
  back unchanged); the characters of the visible substitutions are written as JSON
  ``\\u`` escapes, so the raw file is inert on a terminal too.
- Markdown (``markdown``, ``github``, release notes, the lint and audit reports): two
  schemes, nothing else.

  1. :func:`inert`, *inert Markdown text*: HTML character references, which GitHub
     Flavored Markdown decodes in a paragraph, a heading, a list item, a table cell and
     in raw HTML such as ``<summary>`` alike (where Markdown is not parsed, so a
     backslash escape or a code span would show as typed). Its output is pure ASCII, so
     ``--format github`` is ASCII whatever the input. :func:`html_code` is this scheme
     inside a ``<code>`` element (monospace, and GitHub links no mention, issue or
     commit inside it): the github format writes names with it.
  2. :func:`code`, *code spans*: what the ``markdown`` format and the release notes use
     for names, because the file stays readable as typed (no character references) and
     a code span shows its content literally, so no markup, link or mention can start in
     it. It cannot be used where Markdown is not parsed (inside HTML), and it keeps
     non-ASCII characters, so the github format does not use it.

Neither scheme can produce ``<``, so no HTML element or comment (the sticky comment's
marker) can come from an input.

- HTML and SVG (``diff --format html``, ``release-notes --format html``, ``trends``):
  :func:`html`, the visible substitutions, then ``&``, ``<``, ``>``, ``"`` and ``'`` as
  character references, so a value is inert as an element's content and inside a quoted
  attribute alike (pages quote every attribute with ``"``). A value that names a place
  in the page (an anchor such as ``#develop/gcc``) is written with :func:`html_id` in
  ``id`` and :func:`html_href` in ``href``: the same text, percent-encoded in the link
  so that no value can make it leave the page (no scheme, no other URL). The pages hold
  no script and declare a Content-Security-Policy that allows none, nor any request.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ..layout import INVISIBLE, UNSAFE, printable

# ---- text ----------------------------------------------------------------------------


def text(value: object) -> str:
    """``value`` for a terminal or a text file: the visible substitutions."""
    return printable(str(value))


_STYLES = {"bold": "1", "red": "31", "green": "32", "yellow": "33"}


def styled(value: str, style: str | None) -> str:
    """``value`` (already passed through :func:`text`) in a terminal style, or as is."""
    code_ = _STYLES.get(style or "")
    return f"\x1b[{code_}m{value}\x1b[0m" if code_ else value


# ---- JSON ----------------------------------------------------------------------------

#: The characters of :data:`UNSAFE` and :data:`INVISIBLE` but the line feed: in the encoded
#: document a line feed is the indentation's (one in a string is already ``\n``), and a
#: report has one per line: matching each of them cost more than writing the report.
_JSON_UNSAFE = UNSAFE.pattern.replace("\x00-\x1f", "\x00-\x09\x0b-\x1f", 1)
if UNSAFE.pattern == _JSON_UNSAFE:  # UNSAFE was rewritten: this must follow it
    raise ImportError("render.escape: UNSAFE no longer spans \\x00-\\x1f")
_JSON_HIDDEN = re.compile(f"{_JSON_UNSAFE}|{INVISIBLE.pattern}")
#: The characters of :data:`_JSON_HIDDEN` that are ASCII. In ASCII text, one ``in`` test
#: per character (a memchr each) finds them some fifty times faster than the search of the
#: whole class, which also tries every range beyond ASCII on every character.
_JSON_HIDDEN_ASCII = tuple(chr(c) for c in range(0x80) if c != 0x0A and _JSON_HIDDEN.match(chr(c)))


def _json_escape(match: re.Match[str]) -> str:
    code_ = ord(match.group())
    if code_ < 0x10000:
        return f"\\u{code_:04x}"
    code_ -= 0x10000  # a UTF-16 surrogate pair, as JSON writes a character beyond the BMP
    return f"\\u{0xD800 + (code_ >> 10):04x}\\u{0xDC00 + (code_ & 0x3FF):04x}"


def json_dumps(data: Any) -> str:
    """``data`` as indented JSON with sorted keys, every hidden character as an escape.

    Outside its strings a JSON document is ASCII (and its line breaks are the
    indentation's: one in a string is already ``\\n``), so every such character found in
    the encoded text is inside a string, where ``\\uXXXX`` stands for the same character.
    """
    out = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode("utf-8")
    if out.isascii() and not any(c in out for c in _JSON_HIDDEN_ASCII):
        return out
    return _JSON_HIDDEN.sub(_json_escape, out) if _JSON_HIDDEN.search(out) else out


# ---- Markdown: inert text ------------------------------------------------------------

#: Zero-width space, as a reference: invisible, but it breaks a mention or an autolink.
#: (A zero-width space of the input itself is shown as ``\\u200b``, never kept.)
ZWSP = "&#8203;"

#: Quotes are kept: no value is ever written inside an HTML attribute, and neither
#: Markdown text nor an element's content gives them a meaning.
_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PUNCTUATION = "\\`*_[]|~$"
#: Characters kept as they are (everything else goes through :func:`_one`).
_UNSAFE = re.compile(r"[^A-Za-z0-9 .,=+%/^;?(){}!'\"-]")
_WWW = re.compile(r"(?i)(?<![A-Za-z0-9])(www)(\.)")
#: What would start a block if the value began a line: a bullet, a setext underline, an
#: ordered list item (``1.``, ``1)``). Written as references there.
_LINE_START = re.compile(r"[-+](?: |$)|[-= ]+$")
_ORDERED = re.compile(r"(\d{1,9})[.)](?: |$)")


def _word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _one(match: re.Match[str]) -> str:
    ch = match.group()
    value, at = match.string, match.start()
    if ch in _NAMED:
        return _NAMED[ch]
    if ch == "_" and _word(value[at - 1 : at]) and _word(value[at + 1 : at + 2]):
        return ch  # intraword: never emphasis in GFM
    if ch == "~" and at > 0 and value[at - 1] == " ":
        return ch  # after a space a tilde cannot close a strikethrough (Spack's ~variant)
    if ch == "[" or (ch == "]" and value[at + 1 : at + 2] not in ("(", "[", "")):
        return ch  # a link needs "](" or "][" (or a definition, never written)
    if ch in _PUNCTUATION:
        return f"&#{ord(ch)};"
    if ch == "@":
        return "@" + ZWSP  # no @-mention, no e-mail autolink
    if ch == "#":
        return "&#35;" + ZWSP  # no heading, no issue reference
    if ch == ":":
        return ":" + ZWSP if value.startswith("//", at + 1) else ch  # no URL autolink
    return f"&#{ord(ch)};"  # any other character: its number (ASCII out)


def inert(value: object) -> str:
    """``value`` as inert Markdown text (scheme 1): see the module's docstring.

    GitHub shows the result as :func:`text` shows ``value`` (the zero-width spaces it
    adds after ``@``, ``#`` and ``:`` of ``://``, and within ``www.``, show nothing).
    The result is pure ASCII and holds no ``<``, no line break and no raw Markdown
    punctuation that could open a construct, inline or, should a template put it at the
    start of a line, block (a heading, a list item, a quote, a fence, a setext underline,
    an indented code block).
    """
    shown = printable(str(value))
    if _UNSAFE.search(shown) or "www" in shown.lower():
        shown = _WWW.sub(r"\1" + ZWSP + r"\2", _UNSAFE.sub(_one, shown))
    if _LINE_START.match(shown) and shown[0] != " ":  # no list item or setext underline
        shown = f"&#{ord(shown[0])};{shown[1:]}"
    elif _ORDERED.match(shown):
        digits = _ORDERED.match(shown).group(1)  # type: ignore[union-attr]
        shown = f"{digits}&#{ord(shown[len(digits)])};{shown[len(digits) + 1 :]}"
    core = shown.strip(" ")
    if core != shown:  # spaces at an end, as references: a heading or a cell strips spaces
        lead = len(shown) - len(shown.lstrip(" "))
        trail = len(shown) - len(shown.rstrip(" ")) if core else 0
        shown = "&#32;" * lead + core + "&#32;" * trail
    return shown


#: The former name of :func:`inert`.
escape = inert


def html_code(value: object) -> str:
    """``value`` as inert text in a ``<code>`` element (scheme 1: monospace, and GitHub
    links no mention, issue or commit inside it)."""
    return f"<code>{inert(value)}</code>"


# ---- HTML and SVG -------------------------------------------------------------------

_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_HTML_SPECIAL = re.compile("[&<>\"']")


def html(value: object) -> str:
    """``value`` as inert HTML (or SVG) text, fit for content and quoted attributes."""
    shown = printable(str(value))
    return _HTML_SPECIAL.sub(lambda m: _HTML[m.group()], shown)


#: Characters a fragment keeps as they are in a link (RFC 3986 fragment characters, less
#: ``%``, ``&`` and the quotes: everything else percent-encoded as UTF-8).
_FRAGMENT_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/@:+=,;!()*"
)


def html_id(value: object) -> str:
    """``value`` as the ``id`` of an element (inert, as :func:`html`)."""
    return html(value)


def html_href(value: object) -> str:
    """``#value``: a link to the element whose ``id`` is :func:`html_id` of ``value``."""
    shown = printable(str(value))
    out = []
    for ch in shown:
        if ch in _FRAGMENT_SAFE:
            out.append(ch)
        else:
            out.extend(f"%{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass"))
    return "#" + "".join(out)


# ---- Markdown: code spans ------------------------------------------------------------


def code(value: object, *, table: bool = True) -> str:
    """``value`` as a code span (scheme 2), shown as :func:`text` shows it.

    The fence is one backtick longer than the longest run inside, padded with a space
    when the content starts or ends with a backtick or a space (CommonMark strips one
    space from each end when both are there, unless the content is all spaces). An
    empty value is written as nothing. In a table cell (``table``, the default: the safe
    choice) ``|`` is written ``\\|``, which the table parser turns back into ``|`` before
    the code span is read; elsewhere it is left alone, as a backslash in a code span
    would show.
    """
    shown = printable(str(value))
    if table:
        shown = shown.replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    if not shown:
        return ""
    ends = shown[0] + shown[-1]
    pad = " " if shown.strip(" ") and ("`" in ends or " " in ends) else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


__all__ = [
    "ZWSP",
    "code",
    "escape",
    "html",
    "html_code",
    "html_href",
    "html_id",
    "inert",
    "json_dumps",
    "styled",
    "text",
]
