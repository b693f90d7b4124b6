"""Comparison -> lines of text, Markdown or JSON. Each renderer is a generator of lines
in a fixed, explicit order, so the same comparison always gives the same bytes."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import UsageError
from ..model.comparison import Comparison

Renderer = Callable[[Comparison, bool], Iterator[str]]

#: Output formats by name, as accepted by ``--format``: each is the module of that name
#: here, imported when its format is first asked for (a JSON report loads no Markdown).
FORMATS: tuple[str, ...] = ("text", "markdown", "json", "github", "html")


def __getattr__(name: str) -> Any:
    """``RENDERERS``: each format's ``render(comparison, color)`` by name (made on first
    use, as it imports every renderer)."""
    if name == "RENDERERS":
        return {fmt: importlib.import_module(f"{__name__}.{fmt}").render for fmt in FORMATS}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: :func:`render_chunks` hands the report over in pieces of about this many characters.
CHUNK = 1 << 16


def render(
    comparison: Comparison,
    fmt: str = "text",
    color: bool = False,
    *,
    marker: str | None = None,
    max_chars: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The whole report as one string (ending in a newline).

    ``marker``, ``max_chars`` and ``warn`` are for the ``github`` format: the text of its
    hidden first line, its size limit, and who is told when the summary alone is over
    that limit (see :mod:`catalog_diff.render.github`).
    """
    return "".join(
        render_chunks(comparison, fmt, color, marker=marker, max_chars=max_chars, warn=warn)
    )


def render_chunks(
    comparison: Comparison,
    fmt: str = "text",
    color: bool = False,
    *,
    marker: str | None = None,
    max_chars: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[str]:
    """The report of :func:`render`, in pieces of whole lines of about :data:`CHUNK`
    characters, made as they are asked for: a large report is never held whole."""
    _known("format", fmt, FORMATS)
    if fmt == "github":
        from . import github

        lines = github.render(comparison, color, marker=marker, max_chars=max_chars, warn=warn)
    else:
        module = importlib.import_module(f"{__name__}.{fmt}")
        lines = module.render(comparison, color)
    batch: list[str] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "\n".join(batch) + "\n"
            batch, size = [], 0
    if batch:
        yield "\n".join(batch) + "\n"


#: The reports :func:`render_audit` writes, and its formats.
AUDIT_KINDS: tuple[str, ...] = ("log", "history", "when", "show")
AUDIT_FORMATS: tuple[str, ...] = ("text", "markdown", "json")


def _known(what: str, value: object, choices: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in choices:
        raise UsageError(f"unknown {what} {value!r}; one of: {', '.join(choices)}")


AuditRenderer = Callable[[Any, bool], Iterator[str]]


def audit_renderers() -> dict[tuple[str, str], AuditRenderer]:
    """The renderer of each ``(report, format)`` of :data:`AUDIT_KINDS` and
    :data:`AUDIT_FORMATS` (imported when first asked for: a diff does not load them)."""
    from . import audit_json, audit_markdown, audit_text

    return {
        ("log", "text"): audit_text.render_log,
        ("log", "markdown"): audit_markdown.render_log,
        ("log", "json"): audit_json.render_log,
        ("history", "text"): audit_text.render_history,
        ("history", "markdown"): audit_markdown.render_history,
        ("history", "json"): audit_json.render_history,
        ("when", "text"): audit_text.render_when,
        ("when", "markdown"): audit_markdown.render_when,
        ("when", "json"): audit_json.render_when,
        ("show", "text"): audit_text.render_show,
        ("show", "markdown"): audit_markdown.render_show,
        ("show", "json"): audit_json.render_show,
    }


def render_audit(kind: str, value: Any, fmt: str = "text", color: bool = False) -> str:
    """A report of ``log``, ``history``, ``when`` or ``show`` as one string."""
    _known("report", kind, AUDIT_KINDS)
    _known("format", fmt, AUDIT_FORMATS)
    lines = audit_renderers()[kind, fmt](value, color)
    return "".join(line + "\n" for line in lines)


__all__ = [
    "AUDIT_FORMATS",
    "AUDIT_KINDS",
    "FORMATS",
    "RENDERERS",
    "audit_renderers",
    "render",
    "render_audit",
]
