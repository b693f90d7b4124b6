"""Comparison -> lines of text, Markdown or JSON. Each renderer is a generator of lines
in a fixed, explicit order, so the same comparison always gives the same bytes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..model import Comparison
from . import json, markdown, text

Renderer = Callable[[Comparison, bool], Iterator[str]]

#: Output formats by name, as accepted by ``--format``.
RENDERERS: dict[str, Renderer] = {
    "text": text.render,
    "markdown": markdown.render,
    "json": json.render,
}

FORMATS: tuple[str, ...] = tuple(RENDERERS)


def render(comparison: Comparison, fmt: str = "text", color: bool = False) -> str:
    """The whole report as one string (ending in a newline)."""
    return "".join(line + "\n" for line in RENDERERS[fmt](comparison, color))


__all__ = ["FORMATS", "RENDERERS", "render"]
