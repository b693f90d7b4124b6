""":class:`~catalog_diff.model.release.ReleaseNotes` -> Markdown, through a Jinja2 template.

The built-in template is ``catalog_diff/templates/release-notes.md.j2``; a user's template
replaces it. Templates run in Jinja2's immutable sandbox, bounded
(:mod:`~catalog_diff.render.sandbox`: loops, computed values and output have limits), with
``StrictUndefined`` (a misspelt
variable is an error, not an empty string) and receive plain data only: dicts, lists,
strings and integers (:meth:`ReleaseNotes.as_data`), never our objects.

Every value a template prints is inert, by the policy of its format (:mod:`.escape`):

- a Markdown template (any name but ``.html``/``.xml``): the filters ``code``/``codes``
  write code spans, ``escape_md`` inert text; any other value printed (``{{ p.name }}``)
  is written as inert text too (Jinja2's ``finalize``), so a template cannot forget to
  quote a name. ``| safe`` prints a value as it is, for a template that means it (the
  output of a macro, built from filtered values, is printed with ``| safe``);
- an HTML template: Jinja2's autoescaping.

Filters available to every template: ``code`` (inline code), ``codes`` (a list of inline
codes, ``limit=`` to shorten it with "and N more"), ``escape_md`` (inert Markdown text),
``signed`` (``+3``, ``-3``, ``0``), ``plural`` (``3|plural("package")`` gives
``3 packages``) and ``day`` (the date of an ISO timestamp: ``2025-03-30``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from importlib import resources

import jinja2
from markupsafe import Markup

from ..errors import TemplateError
from ..model.release import ReleaseNotes
from ..words import count_of, signed
from .escape import code, inert, json_dumps
from .markdown_parts import MARKDOWN, codes
from .sandbox import BoundedSandbox, bound_filters, render_bounded

#: The name of the built-in template (a resource of the package).
BUILTIN = "release-notes.md.j2"

_HTML_EXTENSIONS = ("html", "htm", "xml", "html.j2", "htm.j2", "xml.j2")


def builtin_template() -> str:
    """The text of the built-in template."""
    return resources.files("catalog_diff").joinpath(f"templates/{BUILTIN}").read_text("utf-8")


def _codes(values: Iterable[str], limit: int | None = None) -> str:
    values = list(values)
    shown = values if limit is None else values[:limit]
    text = codes([str(v) for v in shown], MARKDOWN)
    if len(values) > len(shown):
        text += f" and {len(values) - len(shown)} more"
    return text


def _finalize(value: object) -> object:
    """What a Markdown template prints: inert text, unless a filter already made it so."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return Markup(inert(value))


def _day(value: object) -> str:
    """``2025-03-30`` from ``2025-03-30T06:00:00+00:00`` (anything else as it is)."""
    text = str(value or "")
    return text[:10] if _ISO_DAY.match(text) else text


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(T|$)")


def _environment(name: str, text: str) -> BoundedSandbox:
    html = name.lower().endswith(tuple("." + ext for ext in _HTML_EXTENSIONS))

    def quoted(write: Callable[..., str]) -> Callable[..., str]:
        # In Markdown a filter's output is final (the finalize hook leaves it alone); in
        # HTML it is plain text, which autoescaping then escapes.
        return write if html else lambda *args, **kw: Markup(write(*args, **kw))

    env = BoundedSandbox(
        # The template's name as its file name: error tracebacks then give its lines.
        loader=jinja2.FunctionLoader(lambda wanted: (text, name, lambda: True)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(
            enabled_extensions=_HTML_EXTENSIONS, default_for_string=False, default=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=None if html else _finalize,
    )
    env.filters.update(
        code=quoted(lambda v: code(str(v))),
        codes=quoted(_codes),
        escape_md=quoted(lambda v: inert(str(v))),
        signed=signed,
        plural=count_of,
        day=_day,
    )
    bound_filters(env)
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
        out = render_bounded(compiled, notes.as_data())
    except MemoryError:
        raise  # not the template's fault alone: reported as running out of memory
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
    return json_dumps(notes.as_data()) + "\n"
