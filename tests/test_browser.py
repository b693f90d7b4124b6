"""The HTML report and the trends page in a real browser: headless Chromium (Debian's
``chromium``), driven over the DevTools protocol (tests/browser.py), each page opened
from a file URL with the network off, at a phone's width and a desktop's.

Asserted: no console error and no request; the summary numbers the page shows equal
the JSON report's; each chart shows the series and points of the JSON series; nothing
is wider than a phone's screen. Screenshots are saved for review in
``$CATALOG_DIFF_SCREENSHOTS`` (default: a folder of the test run's temporary
directory). Without a browser these tests skip, saying why, unless
``CATALOG_DIFF_REQUIRE_BROWSER=1`` (CI sets it), which makes that a failure.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

import browser
from catalog_diff import api
from catalog_diff.layout import printable
from catalog_diff.render import render
from catalog_diff.render.trends import MOST_LINES, render_html
from catalog_diff.render.trends_data import render_json
from historytruth import build_history
from test_escape import hostile_comparison

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = (f"snapshot:{ROOT}/snapshots/develop-2025-03-{d}.json" for d in ("23", "30"))
SIZES = {"phone": browser.PHONE, "desktop": browser.DESKTOP}


@pytest.fixture(scope="session")
def chromium() -> Iterator[browser.Browser]:
    path, why = browser.find_chromium()
    if path is None:
        if browser.REQUIRE:
            pytest.fail(f"CATALOG_DIFF_REQUIRE_BROWSER is set, but {why}")
        pytest.skip(why)
    started = browser.Browser(path)
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("CATALOG_DIFF_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def clean(page: browser.Page) -> None:
    """What every page must be in the browser: quiet, offline, as wide as the screen."""
    assert page.console_errors() == []
    assert page.requests() == []
    assert not page.overflows()
    assert page.evaluate("document.querySelectorAll('script,img,iframe,object,embed').length") == 0


# ---- diff --format html ----------------------------------------------------------------


@pytest.fixture(scope="module")
def diff_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    comparison = api.diff(OLD, NEW)
    path = tmp_path_factory.mktemp("diff") / "report.html"
    path.write_text(render(comparison, "html"), "utf-8")
    return path, json.loads(render(comparison, "json"))


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_diff_report_in_a_browser(
    chromium: browser.Browser, diff_page: tuple[Path, dict[str, Any]], shots: Path, size: str
) -> None:
    path, report = diff_page
    with browser.opened(chromium, path, SIZES[size]) as page:
        clean(page)
        shown = page.evaluate(
            "Object.fromEntries([...document.querySelectorAll('[data-count]')]"
            ".map(e => [e.dataset.count, e.innerText]))"
        )
        summary = report["summary"]
        assert shown and {k: int(v) for k, v in shown.items()} == {k: summary[k] for k in shown}
        assert set(shown) == set(summary)  # every count of the summary is on the page
        kinds = page.evaluate(
            "[...document.querySelectorAll('#changes li[data-kind]')]"
            ".map(e => [e.dataset.kind, e.querySelectorAll('details li').length,"
            " e.querySelector('details').open])"
        )
        changes = report["changes"]
        assert [(k, n) for k, n, _ in kinds] == [
            (k, sum(c["code"] == k for c in changes))
            for k in dict.fromkeys(c["code"] for c in changes)
        ]
        severity = {c["code"]: c["severity"] for c in changes}
        assert [o for k, _, o in kinds] == [
            severity[k] in ("warning", "breaking") for k, _, _ in kinds
        ]
        text = page.text()
        assert text.index("Summary") < text.index("Changes by severity") < text.index("Packages")
        visible = page.evaluate("document.querySelector('#summary').getBoundingClientRect().top")
        assert visible < SIZES[size][1]  # the summary is what one sees first
        shot = page.screenshot(shots / f"diff-{size}.png")
        assert png_size(shot)[0] == SIZES[size][0]


def test_a_package_anchor_opens_its_section(
    chromium: browser.Browser, diff_page: tuple[Path, dict[str, Any]]
) -> None:
    path, _ = diff_page
    with browser.opened(chromium, path, browser.DESKTOP, "develop/gcc") as page:
        clean(page)
        assert page.evaluate("document.querySelector(':target').id") == "develop/gcc"
        assert page.evaluate("document.getElementById('develop/gcc').closest('details').open")
        assert "compiler" in page.evaluate("document.getElementById('develop/gcc').innerText")
        top = page.evaluate("document.getElementById('develop/gcc').getBoundingClientRect().top")
        assert 0 <= top < browser.DESKTOP[1]  # scrolled to it


def test_dark_mode_and_print_change_the_colours(
    chromium: browser.Browser, diff_page: tuple[Path, dict[str, Any]]
) -> None:
    path, _ = diff_page
    with browser.opened(chromium, path, browser.DESKTOP) as page:
        colour = "getComputedStyle(document.body).backgroundColor"
        light = page.evaluate(colour)
        chromium.call(
            "Emulation.setEmulatedMedia",
            page.session,
            features=[{"name": "prefers-color-scheme", "value": "dark"}],
        )
        dark = page.evaluate(colour)
        chromium.call("Emulation.setEmulatedMedia", page.session, media="print")
        printed = page.evaluate(colour)
        assert light == "rgb(255, 255, 255)" and dark != light and printed == light


@settings(max_examples=5, deadline=None, derandomize=True, database=None)
@given(hostile_comparison())
def test_hostile_names_stay_text_in_the_browser(
    chromium: browser.Browser, tmp_path_factory: pytest.TempPathFactory, drawn: Any
) -> None:
    comparison, values = drawn
    path = tmp_path_factory.mktemp("hostile") / "report.html"
    path.write_text(render(comparison, "html"), "utf-8")
    with browser.opened(chromium, path, browser.PHONE) as page:
        assert page.console_errors() == [] and page.requests() == []
        assert (
            page.evaluate("document.querySelectorAll('script,img,iframe,object,embed').length") == 0
        )
        assert page.evaluate(
            "[...document.querySelectorAll('a')].every(a => a.getAttribute('href').startsWith('#'))"
        )
        text = page.evaluate("document.body.textContent")
        for value in values:
            assert printable(value) in text, value


# ---- trends ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trends_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    repo, _ = build_history(tmp_path_factory.mktemp("history") / "catalog")
    index_path = tmp_path_factory.mktemp("index") / "index.sqlite"
    opened, _ = api.open_index(repo=str(repo.path), index=str(index_path))
    with opened:
        trends = api.trends(opened)
    path = index_path.parent / "trends.html"
    path.write_text(render_html(trends), "utf-8")
    return path, json.loads(render_json(trends))


CHARTS_JS = """
[...document.querySelectorAll('svg[data-chart]')].map(svg => {
  const box = svg.getBoundingClientRect();
  return {
    chart: svg.dataset.chart,
    role: svg.getAttribute('role'),
    title: svg.querySelector('title').textContent,
    desc: svg.querySelector('desc').textContent,
    width: box.width,
    boxWidth: svg.parentElement.getBoundingClientRect().width,
    inside: [...svg.querySelectorAll('circle, rect')].every(e => {
      const b = e.getBoundingClientRect();
      return b.left >= box.left - 1 && b.right <= box.right + 1
        && b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
    }),
    series: [...svg.querySelectorAll('g.series')].map(g => ({
      name: g.dataset.series,
      points: Number(g.dataset.points),
      marks: [...g.querySelectorAll(':scope > circle > title, :scope > rect > title')]
        .map(t => t.textContent),
    })),
    table: svg.closest('figure').querySelectorAll('details.data tbody tr').length,
  };
})
"""


def _line_marks(series: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        s["name"]: [f"{s['name']} {p['day']}: {p['value']:,}" for p in s["points"]] for s in series
    }


def _largest(series: list[dict[str, Any]], end: str) -> list[str]:
    def at_end(s: dict[str, Any]) -> int:
        last = s["points"][-1]
        return int(last["value"]) if last["day"] == end else 0

    ranked = sorted(series, key=lambda s: (-at_end(s), s["name"]))
    return sorted(s["name"] for s in ranked[:MOST_LINES])


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_trends_page_in_a_browser(
    chromium: browser.Browser, trends_page: tuple[Path, dict[str, Any]], shots: Path, size: str
) -> None:
    path, data = trends_page
    with browser.opened(chromium, path, SIZES[size]) as page:
        clean(page)
        charts = {c["chart"]: c for c in page.evaluate(CHARTS_JS)}
        page.screenshot(shots / f"trends-{size}.png", max_height=8000)
    assert list(charts) == [
        "stack-specs",
        "tag-packages",
        "tag-specs",
        "changes",
        "presence-stack",
        "presence-target",
        "presence-os",
        "presence-compiler",
        "churn",
    ]
    for chart in charts.values():
        assert chart["role"] == "img" and chart["title"] and chart["desc"]
        assert chart["inside"], chart["chart"]
        assert chart["width"] >= 560 and 0 < chart["boxWidth"] <= SIZES[size][0]
        assert chart["table"] > 0
    for slug, key in (
        ("stack-specs", "stack_specs"),
        ("tag-packages", "tag_packages"),
        ("tag-specs", "tag_specs"),
    ):
        drawn = {s["name"]: s for s in charts[slug]["series"]}
        candidates = [s for s in data[key] if slug != "stack-specs" or s["name"] != "root"]
        assert sorted(drawn) == _largest(candidates, data["days"][-1]), slug
        want = _line_marks(data[key])
        for name, s in drawn.items():
            assert s["points"] == len(want[name]) == len(s["marks"])
            assert s["marks"] == want[name], (slug, name)
        assert charts[slug]["table"] == len(data["days"])
    bars = {s["name"]: s["marks"] for s in charts["changes"]["series"]}
    first, last = data["changes"][0]["period"], data["changes"][-1]["period"]
    for name in ("gained", "lost", "rebuilt"):
        marks = bars[name]
        assert marks[0].startswith(f"{name} {first}:") and marks[-1].startswith(f"{name} {last}:")
        want = {f"{name} {b['period']}: {b[name]:,}" for b in data["changes"]}
        assert want <= set(marks)  # each day with commits, and the quiet days as zeros
        assert all(m in want or m.endswith(": 0") for m in marks)
        assert len(marks) == len(set(marks))
    for kind in ("stack", "target", "os", "compiler"):
        spans = [s for s in data["presence"] if s["kind"] == kind]
        rows = charts[f"presence-{kind}"]["series"]
        assert [r["name"] for r in rows] == [f"{kind} {s['value']}" for s in spans]
        assert [r["points"] for r in rows] == [len(s["intervals"]) for s in spans]
    churn = charts["churn"]["series"][0]
    assert churn["marks"] == [f"{c['stack']}: {c['rebuilt']:,}" for c in data["churn"][:20]]
