"""Regenerate the pictures the README shows, in ``docs/``, from the bundled data.

- ``docs/html-report.png``: the top of ``diff --format html`` of the two bundled weekly
  snapshots (``snapshots/``) as the command line makes it by default (the built-in
  compiler aliases on), in headless Chromium at a desktop width;
- ``docs/trends.png`` and ``docs/trends-changes.svg``: the trends page's chart of what
  each day gained, lost and rebuilt, from the history index of the test history built
  from the real samples (``tests/historytruth.py``: twelve commits with pinned dates).

The SVG and the HTML are byte-for-byte reproducible (a test checks the SVG is up to
date); the PNG files are what this machine's Chromium draws. Needs Debian's ``chromium``
(see tests/browser.py, whose DevTools client this uses).

    python scripts/make_screenshots.py [OUTDIR]     # default: docs/
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import browser  # noqa: E402  (tests/browser.py: the DevTools client)
from catalog_diff import api  # noqa: E402
from catalog_diff.compare.aliases import BUILTIN_ALIASES  # noqa: E402
from catalog_diff.render import render  # noqa: E402
from catalog_diff.render.trends import render_html, standalone_svgs  # noqa: E402
from historytruth import build_history  # noqa: E402

#: The bundled snapshots, named as a reader would type them from the repository's top.
OLD, NEW = (f"snapshot:snapshots/develop-2025-03-{d}.json" for d in ("23", "30"))

#: The chart the README shows.
CHART = "changes"


def trends_svg_and_page(work: Path) -> tuple[str, str]:
    """The chosen chart as a standalone SVG, and the whole trends page."""
    repo, _ = build_history(work / "catalog")
    opened, _ = api.open_index(repo=str(repo.path), index=str(work / "index.sqlite"))
    with opened:
        trends = api.trends(opened)
    return standalone_svgs(trends)[f"{CHART}.svg"], render_html(trends)


def main(out: Path) -> None:
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="catalog-diff-docs-") as tmp:
        work = Path(tmp)
        svg, page = trends_svg_and_page(work)
        (out / f"trends-{CHART}.svg").write_text(svg, "utf-8")
        report = work / "report.html"
        os.chdir(ROOT)
        report.write_text(render(api.diff(OLD, NEW, aliases=BUILTIN_ALIASES), "html"), "utf-8")
        (work / "trends.html").write_text(page, "utf-8")
        path, why = browser.find_chromium()
        if path is None:
            sys.exit(f"make_screenshots: {why}")
        chromium = browser.Browser(path)
        try:
            with browser.opened(chromium, report, (1100, 900)) as tab:
                tab.screenshot(out / "html-report.png", max_height=1400)
            with browser.opened(chromium, work / "trends.html", (1100, 900)) as tab:
                tab.screenshot_of(f"#{CHART}", out / "trends.png")
        finally:
            chromium.close()
    for name in ("html-report.png", "trends.png", f"trends-{CHART}.svg"):
        print(out / name)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
