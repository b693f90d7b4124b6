"""``catalog-diff trends``: the charts of the catalog's history, as one HTML page, as
standalone SVG files, and the series behind them as JSON or CSV.

Charts (:func:`charts`): specs per stack over time; packages and specs per tag; what
each day or week gained, lost and rebuilt; when each stack, target, OS and compiler was
present (a timeline, gaps shown); rebuild churn per stack. A line chart draws at most
:data:`MOST_LINES` series (the largest at the end, or every stack asked for with
``--stack``); the JSON and CSV hold them all. Each chart in the page is followed by its
data as a table (the text fallback). The same index gives the same bytes. The series as
JSON and CSV: :mod:`.trends_data`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..model.trends import SPAN_KINDS, Series, Span, Trends
from ..words import count_of
from .escape import html
from .page import FOOTER, page, table
from .svg import Line, bar_chart, hbar_chart, line_chart, timeline

#: The most series a line chart draws (the Okabe-Ito palette has eight colours).
MOST_LINES = 8

#: Spack's stack of every root spec: as large as the catalog, it would flatten the other
#: lines, so the chart leaves it out unless asked for with --stack (the JSON has it).
ROOT_STACK = "root"

#: The most rows of the churn chart.
MOST_BARS = 20

_KIND_WORDS = {
    "stack": "Stacks",
    "target": "Targets",
    "os": "Operating systems",
    "compiler": "Compilers",
}


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: its file name stem, its title, the SVG, and its data as table rows."""

    slug: str
    title: str
    svg: str
    head: tuple[tuple[str, bool], ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def _largest(series: Sequence[Series], keep: Sequence[str] = ()) -> list[Series]:
    if keep:
        return [s for s in series if s.name in keep]
    end = max((s.points[-1][0] for s in series if s.points), default="")

    def at_end(s: Series) -> int:
        return s.points[-1][1] if s.points and s.points[-1][0] == end else 0

    ranked = sorted(series, key=lambda s: (-at_end(s), s.name))
    return sorted(ranked[:MOST_LINES], key=lambda s: s.name)


def _scope(trends: Trends) -> str:
    parts = []
    if trends.first is not None and trends.last is not None:
        parts.append(
            f"{trends.commits} commits from {trends.first.date[:10]} to {trends.last.date[:10]}"
        )
    if trends.tag:
        parts.append(f"tag {trends.tag}")
    if trends.stacks:
        parts.append("stacks " + ", ".join(trends.stacks))
    return "; ".join(parts) or "no commits"


def _line(
    slug: str,
    title: str,
    what: str,
    series: Sequence[Series],
    trends: Trends,
    standalone: bool,
    keep: Sequence[str] = (),
    left_out: str = "",
) -> Chart:
    drawn = _largest(series, keep)
    note = ""
    if len(drawn) < len(series):
        note = f"The {len(drawn)} largest of {len(series)} (all in the JSON and CSV)."
    note = f"{note} {left_out}".strip()
    end = trends.days[-1] if trends.days else ""
    last = ", ".join(
        f"{s.name} {s.points[-1][1]}" for s in drawn if s.points and s.points[-1][0] == end
    )
    desc = f"{what} per day, {_scope(trends)}. At the end: {last or 'none'}."
    svg = line_chart(slug, title, desc, [Line(s.name, s.points) for s in drawn], standalone)
    head = (("day", False), *((s.name, True) for s in drawn))
    values = [dict(s.points) for s in drawn]
    rows = tuple((day, *(str(v[day]) if day in v else "" for v in values)) for day in trends.days)
    return Chart(slug, title, svg, head, rows, note)


def _changes(trends: Trends, standalone: bool) -> Chart:
    slug, title = "changes", f"Specs gained, lost and rebuilt per {trends.bucket}"
    found = {b.period: b for b in trends.changes}
    labels = _calendar(trends)
    series = [
        (name, [getattr(found[p], name) if p in found else 0 for p in labels])
        for name in ("gained", "lost", "rebuilt")
    ]
    totals = ", ".join(f"{sum(v)} {name}" for name, v in series)
    desc = f"Per {trends.bucket}, {_scope(trends)}: {totals}."
    svg = bar_chart(slug, title, desc, labels, series, standalone)
    head = (
        (trends.bucket, False),
        ("gained", True),
        ("lost", True),
        ("rebuilt", True),
        ("commits", True),
    )
    rows = tuple(
        (b.period, str(b.gained), str(b.lost), str(b.rebuilt), str(b.commits))
        for b in trends.changes
    )
    note = "The first indexed commit is the baseline: what it holds is not counted as gained."
    return Chart(slug, title, svg, head, rows, note)


def _calendar(trends: Trends) -> list[str]:
    """Every day (or ISO week) from the first period with a commit to the last, so that
    the bars stand on a calendar, a quiet day as a gap."""
    if not trends.changes:
        return []
    step = dt.timedelta(days=1 if trends.bucket == "day" else 7)
    day = dt.date.fromisoformat(trends.changes[0].start)
    last = dt.date.fromisoformat(trends.changes[-1].start)
    out = []
    while day <= last:
        if trends.bucket == "day":
            out.append(day.isoformat())
        else:
            year, week, _ = day.isocalendar()
            out.append(f"{year}-W{week:02d}")
        day += step
    return out


def _spans(kind: str, spans: Sequence[Span], trends: Trends, standalone: bool) -> Chart:
    slug, title = f"presence-{kind}", f"{_KIND_WORDS[kind]}: when each was in the catalog"
    rows_svg = []
    rows = []
    for span in spans:
        days = [(i.first.date[:10], i.last.date[:10]) for i in span.intervals]
        rows_svg.append((kind, span.value, days))
        gaps = len(span.intervals) - 1
        rows.append(
            (
                span.value,
                span.first_seen.date[:10],
                span.last_seen.date[:10],
                "yes" if span.present_at_end else "no",
                str(gaps),
            )
        )
    gone = sum(not s.present_at_end for s in spans)
    gapped = sum(len(s.intervals) > 1 for s in spans)
    desc = (
        f"{count_of(len(spans), kind)} seen, {_scope(trends)}; {gone} gone by the end, "
        f"{gapped} with gaps."
    )
    first = trends.first.date[:10] if trends.first else "1970-01-01"
    last = trends.last.date[:10] if trends.last else first
    svg = timeline(slug, title, desc, rows_svg, first, last, standalone)
    head = (
        (kind, False),
        ("first seen", False),
        ("last seen", False),
        ("at the end", False),
        ("gaps", True),
    )
    return Chart(slug, title, svg, head, tuple(rows))


def _churn(trends: Trends, standalone: bool) -> Chart:
    slug, title = "churn", "Rebuild churn per stack"
    items = list(trends.churn[:MOST_BARS])
    note = ""
    if len(trends.churn) > len(items):
        note = f"The {len(items)} stacks with the most rebuilds of {len(trends.churn)}."
    total = sum(v for _, v in trends.churn)
    desc = f"Specs rebuilt (same build, new hash) per stack, {_scope(trends)}: {total} in all."
    svg = hbar_chart(slug, title, desc, items, standalone)
    rows = tuple((name, str(v)) for name, v in items)
    return Chart(slug, title, svg, (("stack", False), ("specs rebuilt", True)), rows, note)


def charts(trends: Trends, standalone: bool = False) -> list[Chart]:
    """Every chart of the page, in page order (``standalone``: each SVG with its own
    style and background, for a file of its own)."""
    out = [
        _line(
            "stack-specs",
            "Specs per stack",
            "Specs in each stack",
            [s for s in trends.stack_specs if trends.stacks or s.name != ROOT_STACK],
            trends,
            standalone,
            trends.stacks,
            "" if trends.stacks else f"The stack {ROOT_STACK} (every root spec) is left out.",
        ),
        _line(
            "tag-packages",
            "Packages per tag",
            "Packages in each tag",
            trends.tag_packages,
            trends,
            standalone,
        ),
        _line(
            "tag-specs", "Specs per tag", "Specs in each tag", trends.tag_specs, trends, standalone
        ),
        _changes(trends, standalone),
    ]
    for kind in SPAN_KINDS:
        spans = [s for s in trends.spans if s.kind == kind]
        if spans:
            out.append(_spans(kind, spans, trends, standalone))
    out.append(_churn(trends, standalone))
    return out


def standalone_svgs(trends: Trends) -> dict[str, str]:
    """``{file name: SVG document}``, one per chart, each with its own style."""
    return {
        f"{chart.slug}.svg": '<?xml version="1.0" encoding="UTF-8"?>\n' + chart.svg + "\n"
        for chart in charts(trends, standalone=True)
    }


def _figure(chart: Chart) -> Iterator[str]:
    yield f'<figure id="{chart.slug}">'
    yield f"<figcaption>{html(chart.title)}</figcaption>"
    yield '<div class="chart-box">'
    yield chart.svg
    yield "</div>"
    if chart.note:
        yield f'<p class="muted">{html(chart.note)}</p>'
    yield '<details class="data"><summary>Data table</summary>'
    yield from table(
        [(html(h), numeric) for h, numeric in chart.head],
        [
            [(html(v), "n" if chart.head[i][1] else "") for i, v in enumerate(row)]
            for row in chart.rows
        ],
    )
    yield "</details>"
    yield "</figure>"


def render_html(trends: Trends) -> str:
    """The trends page, one self-contained HTML file."""
    title = "Catalog trends"
    built = charts(trends)

    def body() -> Iterator[str]:
        yield f"<h1>{html(title)}</h1>"
        yield f'<p class="lede">{html(_scope(trends))}.</p>'
        if trends.last is not None:
            commit, date = html(trends.last.commit[:12]), html(trends.last.date)
            yield f"<p>Up to commit <code>{commit}</code> ({date}).</p>"
        if trends.problems:
            yield '<section id="problems">'
            yield f"<h2>Problems: {count_of(len(trends.problems), 'file')} could not be read</h2>"
            yield (
                '<p class="muted">The last readable content of each such package is '
                "counted instead.</p>"
            )
            yield "<ul>"
            for p in trends.problems:
                where = f"<code>{html((p.commit or '')[:12])}</code>: <code>{html(p.path)}</code>"
                yield f"<li>{where}: {html(p.message)}</li>"
            yield "</ul>"
            yield "</section>"
        yield '<nav><ul class="index">'
        for chart in built:
            yield f'<li><a href="#{chart.slug}">{html(chart.title)}</a></li>'
        yield "</ul></nav>"
        for chart in built:
            yield from _figure(chart)
        yield FOOTER.format(what=" from its history index")

    return "".join(line + "\n" for line in page(title, body()))
