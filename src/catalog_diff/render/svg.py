"""A small SVG writer for the trends charts: lines over dates, grouped bars, horizontal
bars and a presence timeline. Deterministic: coordinates are rounded to one decimal,
ids come from the chart's name, nothing depends on the clock or on chance.

Every chart is ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (the reader's
summary of it), axes that carry dates (``YYYY-MM-DD``) and whole counts, a legend that
names each series, and each series in a ``<g class="series" data-series="NAME">`` with
one point per value (``data-points`` says how many), so a program or a test can read
the chart back. Colours are the Okabe-Ito palette (:data:`.page.PALETTE`). Text from an
input (series names) goes through :func:`.escape.html`.

A chart made ``standalone`` carries its own style and a background, for a ``.svg``
file; inside the HTML page the page's style sheet colours the text (dark mode too).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .escape import html
from .page import PALETTE

WIDTH = 760
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
LEGEND_ROW = 18

#: Colour of the eighth series and on (black would vanish on a dark page).
LAST_COLOUR = "#7f7f7f"

STANDALONE_STYLE = (
    "text { fill: #1b1b1b; font: 12px system-ui, 'DejaVu Sans', sans-serif; } "
    ".grid { stroke: #d0d0d0; stroke-width: 1; } .axis { stroke: #5b5b5b; stroke-width: 1; } "
    "@media (prefers-color-scheme: dark) { .bg { fill: #16181c; } text { fill: #e8e8e8; } "
    ".grid { stroke: #3a3d44; } }"
)


def colour(i: int) -> str:
    return PALETTE[i] if i < len(PALETTE) - 1 else LAST_COLOUR


def _f(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _day(value: str) -> int:
    return dt.date.fromisoformat(value).toordinal()


def _label(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


def nice_ticks(top: int, count: int = 5) -> list[int]:
    """Whole, round tick values from 0 to at least ``top`` (1, 2 or 5 times a power of 10)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(int(step), 1)
    last = -(-top // step) * step
    return list(range(0, last + 1, step))


def date_ticks(first: int, last: int, count: int = 6) -> list[int]:
    """Day ordinals for the date axis: both ends and evenly spaced days between."""
    if last <= first:
        return [first]
    span = last - first
    steps = min(count - 1, span)
    return sorted({first + round(span * i / steps) for i in range(steps + 1)})


#: The room a date label takes on an axis, in pixels (ten characters and a gap).
LABEL_WIDTH = 84


def _anchor(at: int, last: int) -> str:
    """The last label of an axis ends at its tick (it would run off the chart)."""
    return "end" if at == last and last > 0 else "middle"


def _count(n: int) -> str:
    return f"{n:,}"


@dataclass(frozen=True, slots=True)
class Line:
    name: str
    points: Sequence[tuple[str, int]]


class _Chart:
    """The frame of one chart: open tag, title, desc, optional style, close."""

    def __init__(self, slug: str, title: str, desc: str, height: int, standalone: bool) -> None:
        self.slug, self.title, self.desc = slug, title, desc
        self.height, self.standalone = height, standalone

    def open(self) -> Iterator[str]:
        ids = f"{self.slug}-title {self.slug}-desc"
        ns = ' xmlns="http://www.w3.org/2000/svg"'
        yield (
            f'<svg{ns} role="img" aria-labelledby="{ids}" class="chart" '
            f'data-chart="{self.slug}" viewBox="0 0 {WIDTH} {self.height}" '
            f'width="{WIDTH}" height="{self.height}">'
        )
        yield f'<title id="{self.slug}-title">{html(self.title)}</title>'
        yield f'<desc id="{self.slug}-desc">{html(self.desc)}</desc>'
        if self.standalone:
            yield f"<style>{STANDALONE_STYLE}</style>"
            yield f'<rect class="bg" width="{WIDTH}" height="{self.height}" fill="#ffffff"/>'


def _legend(names: Sequence[str], y: int) -> Iterator[str]:
    """One row per two names below the plot: a swatch and the name."""
    for i, name in enumerate(names):
        x = LEFT + (i % 2) * 330
        row = y + (i // 2) * LEGEND_ROW
        yield (
            f'<rect x="{x}" y="{row - 9}" width="12" height="10" fill="{colour(i)}"/>'
            f'<text x="{x + 18}" y="{row}">{html(name)}</text>'
        )


def _y_axis(ticks: list[int], y_of: Callable[[float], float], plot_right: int) -> Iterator[str]:
    for t in ticks:
        y = y_of(t)
        yield f'<line class="grid" x1="{LEFT}" x2="{plot_right}" y1="{_f(y)}" y2="{_f(y)}"/>'
        yield f'<text x="{LEFT - 6}" y="{_f(y + 4)}" text-anchor="end">{_count(t)}</text>'


def _plot(
    chart: _Chart, ticks: list[int], plot_h: int, right: int
) -> tuple[list[str], Callable[[float], float], int]:
    """A chart of counts up the y axis, begun: its opening, the y axis with its grid and
    the base line; with the value -> y mapping and the base's y, for the marks on it."""

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * value / ticks[-1]

    out = list(chart.open())
    out.extend(_y_axis(ticks, y_of, right))
    base = TOP + plot_h
    out.append(f'<line class="axis" x1="{LEFT}" x2="{right}" y1="{base}" y2="{base}"/>')
    return out, y_of, base


def _runs(
    points: Sequence[tuple[str, int]], coords: list[tuple[float, float]], days: list[int]
) -> list[list[tuple[float, float]]]:
    """The stretches of a line between its gaps: points on consecutive days of the chart
    (``days``: every day any line has a point) are joined, a missing day breaks it. A
    stretch of one point is its dot alone."""
    order = {d: n for n, d in enumerate(days)}
    runs: list[list[tuple[float, float]]] = []
    last = -2
    for (day, _), xy in zip(points, coords, strict=True):
        at = order[_day(day)]
        if at != last + 1:
            runs.append([])
        runs[-1].append(xy)
        last = at
    return [run for run in runs if len(run) > 1]


def line_chart(
    slug: str, title: str, desc: str, lines: Sequence[Line], standalone: bool = False
) -> str:
    """Lines over dates: one per series, a point per ``(day, value)``."""
    plot_h = 240
    legend_rows = -(-len(lines) // 2)
    height = TOP + plot_h + BOTTOM + legend_rows * LEGEND_ROW + 8
    chart = _Chart(slug, title, desc, height, standalone)
    days = sorted({_day(d) for line in lines for d, _ in line.points})
    top = max((v for line in lines for _, v in line.points), default=0)
    ticks = nice_ticks(top)
    first, last = (days[0], days[-1]) if days else (0, 0)
    right = WIDTH - RIGHT

    def x_of(day: int) -> float:
        return LEFT + (right - LEFT) * ((day - first) / (last - first) if last > first else 0.5)

    out, y_of, base = _plot(chart, ticks, plot_h, right)
    for d in date_ticks(first, last) if days else []:
        x = _f(x_of(d))
        out.append(f'<line class="axis" x1="{x}" x2="{x}" y1="{base}" y2="{base + 4}"/>')
        out.append(
            f'<text x="{x}" y="{base + 18}" text-anchor="{_anchor(d, last)}">{_label(d)}</text>'
        )
    for i, line in enumerate(lines):
        coords = [(x_of(_day(d)), y_of(v)) for d, v in line.points]
        out.append(
            f'<g class="series" data-series="{html(line.name)}" data-points="{len(coords)}">'
        )
        for run in _runs(line.points, coords, days):
            path = " ".join(f"{_f(x)},{_f(y)}" for x, y in run)
            out.append(
                f'<polyline fill="none" stroke="{colour(i)}" stroke-width="2" points="{path}"/>'
            )
        for (cx, cy), (when, value) in zip(coords, line.points, strict=True):
            out.append(
                f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="2.5" fill="{colour(i)}">'
                f"<title>{html(line.name)} {when}: {_count(value)}</title></circle>"
            )
        out.append("</g>")
    out.extend(_legend([line.name for line in lines], base + BOTTOM))
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(
    slug: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    standalone: bool = False,
) -> str:
    """Grouped vertical bars: one group per label (a day or a week), a bar per series."""
    plot_h = 220
    height = TOP + plot_h + BOTTOM + -(-len(series) // 2) * LEGEND_ROW + 8
    chart = _Chart(slug, title, desc, height, standalone)
    top = max((v for _, values in series for v in values), default=0)
    ticks = nice_ticks(top)
    right = WIDTH - RIGHT
    group = (right - LEFT) / max(len(labels), 1)
    bar = max(group * 0.8 / max(len(series), 1), 0.5)

    out, y_of, base = _plot(chart, ticks, plot_h, right)
    step = max(1, math.ceil(len(labels) * LABEL_WIDTH / (right - LEFT)))
    for i in range(0, len(labels), step):
        at = _f(LEFT + group * (i + 0.5))
        out.append(f'<text x="{at}" y="{base + 18}" text-anchor="middle">{html(labels[i])}</text>')
    for s, (name, values) in enumerate(series):
        out.append(f'<g class="series" data-series="{html(name)}" data-points="{len(values)}">')
        for i, v in enumerate(values):
            x = LEFT + group * i + group * 0.1 + bar * s
            y = y_of(v)
            out.append(
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(bar)}" height="{_f(base - y)}" '
                f'fill="{colour(s)}"><title>{html(name)} {html(labels[i])}: {_count(v)}</title>'
                "</rect>"
            )
        out.append("</g>")
    out.extend(_legend([name for name, _ in series], base + BOTTOM))
    out.append("</svg>")
    return "\n".join(out)


def hbar_chart(
    slug: str, title: str, desc: str, items: Sequence[tuple[str, int]], standalone: bool = False
) -> str:
    """One horizontal bar per item, its name on the left and its count at its end."""
    row, left = 20, 230
    height = TOP + row * max(len(items), 1) + 36
    chart = _Chart(slug, title, desc, height, standalone)
    top = max((v for _, v in items), default=0)
    ticks = nice_ticks(top, 4)
    right = WIDTH - RIGHT - 40

    def x_of(value: float) -> float:
        return left + (right - left) * value / ticks[-1]

    out = list(chart.open())
    bottom = TOP + row * max(len(items), 1)
    for t in ticks:
        x = _f(x_of(t))
        out.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{TOP}" y2="{bottom}"/>')
        out.append(f'<text x="{x}" y="{bottom + 16}" text-anchor="middle">{_count(t)}</text>')
    out.append(f'<g class="series" data-series="{html(title)}" data-points="{len(items)}">')
    for i, (name, v) in enumerate(items):
        y = TOP + row * i
        out.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{html(name)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{_f(x_of(v) - left)}" height="{row - 6}" '
            f'fill="{colour(0)}"><title>{html(name)}: {_count(v)}</title></rect>'
            f'<text x="{_f(x_of(v) + 4)}" y="{y + 14}">{_count(v)}</text>'
        )
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def timeline(
    slug: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, str, Sequence[tuple[str, str]]]],
    first: str,
    last: str,
    standalone: bool = False,
) -> str:
    """Presence spans: one row per ``(group, name, [(first day, last day), ...])``, a bar
    per interval (a gap between two bars: absent), coloured by group."""
    row, left = 18, 230
    height = TOP + row * max(len(rows), 1) + 40
    chart = _Chart(slug, title, desc, height, standalone)
    start, end = _day(first), _day(last)
    right = WIDTH - RIGHT
    groups = sorted({g for g, _, _ in rows}, key=[g for g, _, _ in rows].index)

    def x_of(day: int, edge: float = 0) -> float:
        span = max(end - start + 1, 1)
        return left + (right - left) * (day - start + edge) / span

    out = list(chart.open())
    bottom = TOP + row * max(len(rows), 1)
    for d in date_ticks(start, end, 5):
        x = _f(x_of(d))
        out.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{TOP}" y2="{bottom}"/>')
        anchor = _anchor(d, end)
        out.append(f'<text x="{x}" y="{bottom + 16}" text-anchor="{anchor}">{_label(d)}</text>')
    for i, (group, name, spans) in enumerate(rows):
        y = TOP + row * i
        fill = colour(groups.index(group))
        out.append(
            f'<g class="series" data-series="{html(group)} {html(name)}" '
            f'data-points="{len(spans)}">'
        )
        out.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{html(name)}</text>')
        for a, b in spans:
            x0, x1 = x_of(_day(a)), x_of(_day(b), 1)
            out.append(
                f'<rect x="{_f(x0)}" y="{y + 3}" width="{_f(max(x1 - x0, 1))}" '
                f'height="{row - 6}" fill="{fill}"><title>{html(group)} {html(name)}: '
                f"{a} to {b}</title></rect>"
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
