""":class:`~catalog_diff.releasemodel.ReleaseNotes` -> Markdown, through a Jinja2 template.

The built-in template is ``catalog_diff/templates/release-notes.md.j2``; a user's template
replaces it. Templates run in Jinja2's sandbox with ``StrictUndefined`` (a misspelt
variable is an error, not an empty string) and receive plain data only: dicts, lists,
strings and integers (:meth:`ReleaseNotes.as_data`), never our objects. Autoescaping
follows the template's name: on for ``.html``/``.xml`` templates, off for Markdown, where
HTML escaping would garble the text; a Markdown template quotes every catalog value with
the ``code`` filter instead, which keeps it inert (no markup, links or mentions) and safe
inside a table cell.

Filters available to every template: ``code`` (inline code), ``codes`` (a list of inline
codes, ``limit=`` to shorten it with "and N more"), ``escape_md`` (plain text with Markdown's
punctuation escaped), ``signed`` (``+3``, ``-3``, ``0``) and ``plural``
(``3|plural("package")`` gives ``3 packages``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources

import jinja2
import orjson
from jinja2.sandbox import SandboxedEnvironment

from ..errors import TemplateError
from ..releasemodel import ReleaseNotes
from .markdown import code

#: The name of the built-in template (a resource of the package).
BUILTIN = "release-notes.md.j2"

_HTML_EXTENSIONS = ("html", "htm", "xml", "html.j2", "htm.j2", "xml.j2")


def builtin_template() -> str:
    """The text of the built-in template."""
    return resources.files("catalog_diff").joinpath(f"templates/{BUILTIN}").read_text("utf-8")


def _codes(values: Iterable[str], limit: int | None = None) -> str:
    values = list(values)
    shown = values if limit is None else values[:limit]
    text = ", ".join(code(str(v)) for v in shown)
    if len(values) > len(shown):
        text += f" and {len(values) - len(shown)} more"
    return text


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>()#+!|~@&])")


def _escape_md(value: object) -> str:
    """Plain text that Markdown shows as is: punctuation with a meaning is escaped."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)


def _signed(number: int) -> str:
    return f"+{number}" if number > 0 else str(number)


def _plural(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _environment(name: str, text: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        # The template's name as its file name: error tracebacks then give its lines.
        loader=jinja2.FunctionLoader(lambda wanted: (text, name, lambda: True)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=_HTML_EXTENSIONS, default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        code=lambda v: code(str(v)),
        codes=_codes,
        escape_md=_escape_md,
        signed=_signed,
        plural=_plural,
    )
    return env


def render_release_notes(
    notes: ReleaseNotes, template: str | None = None, name: str | None = None
) -> str:
    """The notes through ``template`` (the text of a template; default the built-in one).

    ``name`` names the template in error messages and chooses autoescaping by its
    extension. Raises :class:`~catalog_diff.errors.TemplateError` for a template that does
    not parse or fails while rendering (an unknown variable, a forbidden operation).
    """
    text = builtin_template() if template is None else template
    label = name or BUILTIN
    try:
        compiled = _environment(label, text).get_template(label)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(label, exc.lineno, exc.message or "syntax error") from exc
    try:
        out = compiled.render(notes.as_data())
    except Exception as exc:  # anything the template's own code raises is its error
        reason = (
            str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
        )
        raise TemplateError(label, _template_line(exc, label), reason) from exc
    return out if out.endswith("\n") else out + "\n"


def _template_line(exc: BaseException, name: str) -> int | None:
    """The template line an error was raised at, from Jinja2's rewritten traceback."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


__all__ = ["BUILTIN", "builtin_template", "render_release_notes"]


def render_release_notes_json(notes: ReleaseNotes) -> str:
    """The notes as JSON: the template's input (:meth:`ReleaseNotes.as_data`), with
    sorted keys; see ``catalog-diff schema release-notes``."""
    data = orjson.dumps(notes.as_data(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    return data.decode("utf-8") + "\n"
