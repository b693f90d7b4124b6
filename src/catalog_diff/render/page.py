"""The frame every HTML page of catalog-diff shares: one self-contained file.

The style sheet is inline, the pictures are inline SVG, and the page holds no script:
its Content-Security-Policy allows no script, no request and no frame, so a page opened
from a file, an artifact or an air-gapped share behaves the same everywhere. It follows
the reader's light or dark setting (``prefers-color-scheme``) and prints on white with
every folded section open. Everything from an input is written through
:func:`.escape.html` by the callers; this module writes only its own text.

The colours of series are the Okabe-Ito palette, which readers with the common forms of
colour blindness can tell apart; a chart never relies on colour alone (each series is
named in its legend and in the table under it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .escape import html

#: Okabe & Ito's eight colours, black last (used for the eighth series on).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

#: What the page allows itself: inline style only (and no request of any kind).
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'"
)

STYLE = """
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #ffffff; --muted: #5b5b5b;
  --line: #d0d0d0; --soft: #f3f4f6; --gain: #0072B2; --loss: #D55E00; --gain-bg: #dcecf7;
  --loss-bg: #f9e0d0; --link: #0b5cad; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8e8; --bg: #16181c; --muted: #a8a8a8; --line: #3a3d44; --soft: #22252b;
    --gain: #56B4E9; --loss: #E69F00; --gain-bg: #173247; --loss-bg: #4a2a10; --link: #8cc4ff; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1, h2, h3, p, li, summary, figcaption { overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0.2rem 0 0.6rem; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
a { color: var(--link); }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 0.9em; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
th code, td code { white-space: nowrap; overflow-wrap: normal; }
table { border-collapse: collapse; margin: 0.3rem 0 0.8rem; }
th, td { border: 1px solid var(--line); padding: 0.2rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: var(--soft); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.lede { font-size: 1.05rem; }
.cards { display: flex; flex-wrap: wrap; gap: 0.6rem; margin: 0.6rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.4rem 0.8rem;
  min-width: 8rem; background: var(--soft); }
.card .big { font-size: 1.5rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.gain { color: var(--gain); } .loss { color: var(--loss); }
td.gain { background: var(--gain-bg); } td.loss { background: var(--loss-bg); }
td.mixed { background: linear-gradient(135deg, var(--gain-bg) 50%, var(--loss-bg) 50%); }
.sev { display: inline-block; min-width: 5rem; font-weight: 600; }
.sev-breaking, .sev-warning { color: var(--loss); }
details { border: 1px solid var(--line); border-radius: 6px; margin: 0.4rem 0;
  padding: 0.2rem 0.6rem; }
details > summary { cursor: pointer; overflow-wrap: anywhere; }
details[open] > summary { margin-bottom: 0.4rem; }
details.package > .body { scroll-margin-top: 2.5rem; }
ul.severity { list-style: none; padding-left: 0; }
ul.severity ul { padding-left: 1.2rem; margin: 0.2rem 0; }
ul.severity ul li { overflow-wrap: anywhere; }
ul.specs { padding-left: 1.2rem; margin: 0.2rem 0; }
ul.specs li { overflow-wrap: anywhere; }
ul.index { columns: 16rem; padding-left: 1.2rem; }
figure { margin: 0.8rem 0 1.4rem; }
figure .chart-box { overflow-x: auto; max-width: 100%; }
figure svg { width: 100%; height: auto; min-width: 560px; display: block; }
figcaption { font-weight: 600; margin-bottom: 0.3rem; }
svg text { fill: var(--fg); font: 12px system-ui, "DejaVu Sans", sans-serif; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .axis { stroke: var(--muted); stroke-width: 1; }
footer { margin-top: 2rem; font-size: 0.85rem; color: var(--muted); }
@media (max-width: 600px) { main { padding: 0.6rem; } h1 { font-size: 1.25rem; }
  .card { min-width: 6.5rem; } }
@media print {
  :root { --fg: #000; --bg: #fff; --soft: #f3f3f3; --line: #999; --link: #000; }
  main { max-width: none; padding: 0; }
  nav, .noprint { display: none; }
  details { break-inside: avoid; }
  details::details-content { content-visibility: visible; display: block; }
  a { text-decoration: none; }
  figure { break-inside: avoid; }
}
"""


#: The last line of every page (``what``: where its data came from, or nothing).
FOOTER = (
    "<footer>Made by catalog-diff{what}. This page is self-contained: no script, "
    "no request.</footer>"
)


def page(title: str, body: Iterable[str], generator: str = "catalog-diff") -> Iterator[str]:
    """A whole HTML document: ``title`` (plain text, escaped here) and ``body`` (lines of
    HTML already made inert by the caller)."""
    yield "<!DOCTYPE html>"
    yield '<html lang="en">'
    yield "<head>"
    yield '<meta charset="utf-8">'
    yield f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    yield '<meta name="viewport" content="width=device-width, initial-scale=1">'
    yield '<meta name="color-scheme" content="light dark">'
    yield f'<meta name="generator" content="{html(generator)}">'
    yield f"<title>{html(title)}</title>"
    yield "<style>" + STYLE.strip("\n")
    yield "</style>"
    yield "</head>"
    yield "<body>"
    yield "<main>"
    yield from body
    yield "</main>"
    yield "</body>"
    yield "</html>"


def table(
    head: Iterable[tuple[str, bool]],
    rows: Iterable[Iterable[tuple[str, str]]],
    caption: str | None = None,
) -> Iterator[str]:
    """A table in a sideways-scrolling box: ``head`` as (inert text, numeric) pairs,
    each row as (inert HTML, class) cells."""
    yield '<div class="scroll"><table>'
    if caption is not None:
        yield f"<caption>{caption}</caption>"
    yield (
        "<thead><tr>"
        + "".join(f'<th class="n">{h}</th>' if numeric else f"<th>{h}</th>" for h, numeric in head)
        + "</tr></thead>"
    )
    yield "<tbody>"
    for row in rows:
        cells = "".join(f'<td class="{cls}">{v}</td>' if cls else f"<td>{v}</td>" for v, cls in row)
        yield f"<tr>{cells}</tr>"
    yield "</tbody></table></div>"
