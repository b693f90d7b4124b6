"""``catalog-diff trends`` on a real history built from the real samples.

Every series is checked against answers read straight from git, commit by commit
(:class:`historytruth.Truth`), not against the index: per tag its packages and specs,
per stack its distinct specs, which spec hashes each day brought and took away, and
when each stack, target, OS and compiler was present.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog_diff import api
from catalog_diff.cli import main
from catalog_diff.history.index import HistoryIndex
from catalog_diff.model.snapshot import Package
from catalog_diff.render import svg
from catalog_diff.render.trends import render_html
from catalog_diff.render.trends_data import csv_cell, render_csv, render_json
from gitrepo import GitRepoBuilder
from historytruth import WEEKLY_TAG, Truth, build_history
from htmlcheck import check_page


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepoBuilder, list[str]]:
    return build_history(tmp_path_factory.mktemp("history") / "catalog")


@pytest.fixture(scope="module")
def truth(catalog: tuple[GitRepoBuilder, list[str]]) -> Truth:
    return Truth.read(catalog[0].path)


@pytest.fixture(scope="module")
def built(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("built") / "index.sqlite"
    opened, _ = api.open_index(repo=str(catalog[0].path), index=str(path))
    opened.close()
    return path


@pytest.fixture
def index(catalog: tuple[GitRepoBuilder, list[str]], built: Path) -> Iterator[HistoryIndex]:
    opened, _ = api.open_index(repo=str(catalog[0].path), index=str(built), update=False)
    with opened:
        yield opened


def day(timestamp: int) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).date().isoformat()


def states(truth: Truth, tag: str | None = None) -> list[dict[tuple[str, str], Package]]:
    """The packages at each commit; a package whose file cannot be read keeps its last
    readable content (what the trends count in its place)."""
    out: list[dict[tuple[str, str], Package]] = []
    for snap in truth.snapshots:
        packages = {k: p for k, p in snap.packages.items() if tag is None or k[0] == tag}
        for key in snap.broken:
            if out and key in out[-1] and (tag is None or key[0] == tag):
                packages[key] = out[-1][key]
        out.append(packages)
    return out


def last_of_each_day(truth: Truth) -> list[int]:
    days = [day(c.timestamp) for c in truth.commits]
    return [i for i in range(len(days)) if i + 1 == len(days) or days[i + 1] != days[i]]


def series(data: dict[str, Any], key: str) -> dict[str, dict[str, int]]:
    return {s["name"]: {p["day"]: p["value"] for p in s["points"]} for s in data[key]}


def test_the_history_has_a_broken_file_a_frozen_tag_and_two_commits_a_day(truth: Truth) -> None:
    assert [bool(snap.problems) for snap in truth.snapshots].count(True) == 1  # gotcha
    assert any(WEEKLY_TAG in snap.tags for snap in truth.snapshots)
    days = [day(c.timestamp) for c in truth.commits]
    assert len(set(days)) < len(days)  # the days' values are those of their last commit


def test_tags_and_stacks_per_day_are_what_git_holds(truth: Truth, index: HistoryIndex) -> None:
    data = json.loads(render_json(api.trends(index)))
    at = states(truth)
    kept = last_of_each_day(truth)
    assert data["days"] == [day(truth.commits[i].timestamp) for i in kept]
    packages, specs, stacks = (
        series(data, k) for k in ("tag_packages", "tag_specs", "stack_specs")
    )
    for i in kept:
        d = day(truth.commits[i].timestamp)
        state = at[i]
        tags = {t for t, _ in state}
        for tag in tags | set(packages):
            want = [p for (t, _), p in state.items() if t == tag]
            # a tag with no package that day has no point: a gap in its line, not a zero
            assert packages[tag].get(d) == (len(want) or None), (d, tag)
            assert specs[tag].get(d) == (sum(len(p.specs) for p in want) if want else None)
        by_stack: dict[str, set[str]] = {}
        for p in state.values():
            for s in p.specs:
                for stack in s.stacks:
                    by_stack.setdefault(stack, set()).add(s.hash)
        for stack in set(by_stack) | set(stacks):
            assert stacks[stack].get(d) == (len(by_stack.get(stack, ())) or None), (d, stack)
    assert WEEKLY_TAG in packages and data["days"][-1] not in packages[WEEKLY_TAG]
    assert min(packages[WEEKLY_TAG]) == "2025-04-05"


def test_each_day_gains_and_loses_the_hashes_git_shows(truth: Truth, index: HistoryIndex) -> None:
    data = json.loads(render_json(api.trends(index)))
    at = states(truth)
    hashes = [{s.hash for p in state.values() for s in p.specs} for state in at]
    want: dict[str, list[int]] = {}
    for i in range(1, len(at)):
        d = day(truth.commits[i].timestamp)
        got = want.setdefault(d, [0, 0, 0])
        got[0] += len(hashes[i] - hashes[i - 1])
        got[1] += len(hashes[i - 1] - hashes[i])
        got[2] += 1
    changes = {b["period"]: b for b in data["changes"]}
    assert set(changes) == set(want)
    for d, (new, gone, commits) in want.items():
        b = changes[d]
        assert (b["gained"] + b["rebuilt"], b["lost"] + b["rebuilt"], b["commits"]) == (
            new,
            gone,
            commits,
        ), d
    # the format-only rewrite, the README and the frozen copy bring and take nothing
    for subject in ("develop: bc and adol-c", "docs: README", f"tag {WEEKLY_TAG}"):
        i = next(n for n, c in enumerate(truth.commits) if c.subject.startswith(subject))
        b = changes[day(truth.commits[i].timestamp)]
        assert (b["gained"], b["lost"], b["rebuilt"]) == (0, 0, 0), subject
    assert sum(b["rebuilt"] for b in data["changes"]) > 0
    assert sum(v["rebuilt"] for v in data["churn"]) >= sum(b["rebuilt"] for b in data["changes"])


def test_rebuilds_and_churn_are_a_recount_of_git(truth: Truth, index: HistoryIndex) -> None:
    """The split of each day's changes into gained, lost and rebuilt, and the churn per
    stack, recounted from the whole catalog at each commit as git holds it: a rebuilt
    spec is a hash that came while one of the same package and build went."""
    data = json.loads(render_json(api.trends(index)))
    at = states(truth)
    specs = [
        {s.hash: (p.name, s.build, s.stacks) for p in state.values() for s in p.specs}
        for state in at
    ]
    want: dict[str, list[int]] = {}
    churn: dict[str, int] = {}
    for i in range(1, len(at)):
        came = {h: specs[i][h] for h in specs[i].keys() - specs[i - 1].keys()}
        went = {h: specs[i - 1][h] for h in specs[i - 1].keys() - specs[i].keys()}
        gone: dict[tuple[str, tuple[object, ...]], int] = {}
        for name, build, _ in went.values():
            gone[(name, build)] = gone.get((name, build), 0) + 1
        rebuilt = 0
        for h in sorted(came):
            name, build, stacks = came[h]
            if gone.get((name, build)):
                gone[(name, build)] -= 1
                rebuilt += 1
                for stack in stacks:
                    churn[stack] = churn.get(stack, 0) + 1
        got = want.setdefault(day(truth.commits[i].timestamp), [0, 0, 0])
        got[0] += len(came) - rebuilt
        got[1] += len(went) - rebuilt
        got[2] += rebuilt
    assert {b["period"]: [b["gained"], b["lost"], b["rebuilt"]] for b in data["changes"]} == want
    assert {v["stack"]: v["rebuilt"] for v in data["churn"]} == churn
    assert sum(churn.values()) > 0


def test_presence_spans_follow_each_commit(truth: Truth, index: HistoryIndex) -> None:
    data = json.loads(render_json(api.trends(index)))
    at = states(truth)
    seq = {c.sha: i for i, c in enumerate(truth.commits)}
    fields = {"stack": None, "target": "target", "os": "os", "compiler": "compiler"}
    for span in data["presence"]:
        kind, value = span["kind"], span["value"]
        covered: set[int] = set()
        for interval in span["intervals"]:
            covered |= set(
                range(seq[interval["first"]["commit"]], seq[interval["last"]["commit"]] + 1)
            )
        present = {
            i
            for i, state in enumerate(at)
            for p in state.values()
            for s in p.specs
            if (value in s.stacks if kind == "stack" else getattr(s, fields[kind]) == value)
        }
        assert covered == present, (kind, value)
        assert span["present_at_end"] == (len(at) - 1 in present)
    kinds = {s["kind"] for s in data["presence"]}
    assert kinds == {"stack", "target", "os", "compiler"}
    assert all(s["present_at_end"] for s in data["presence"])  # develop keeps them all
    # the weekly tag alone: everything in it came with it and went with it
    weekly = json.loads(render_json(api.trends(index, tag=WEEKLY_TAG)))
    assert weekly["presence"]
    for span in weekly["presence"]:
        assert not span["present_at_end"] and len(span["intervals"]) == 1
        assert span["intervals"][0]["first"]["date"].startswith("2025-04-05")
        assert span["intervals"][0]["last"]["date"].startswith("2025-04-11")


def test_tag_stack_and_date_selection(truth: Truth, index: HistoryIndex) -> None:
    data = json.loads(render_json(api.trends(index, tag="v0.23.0")))
    assert [s["name"] for s in data["tag_packages"]] == ["v0.23.0"]
    assert data["selection"]["tag"] == "v0.23.0"
    chosen = json.loads(render_json(api.trends(index, stacks=("e4s", "hep"))))
    assert {s["name"] for s in chosen["stack_specs"]} <= {"e4s", "hep"}
    assert {s["value"] for s in chosen["presence"] if s["kind"] == "stack"} <= {"e4s", "hep"}
    window = json.loads(render_json(api.trends(index, since="2025-04-05", until="2025-04-09")))
    assert window["days"] == ["2025-04-05", "2025-04-06", "2025-04-07", "2025-04-08", "2025-04-09"]
    assert window["first"]["date"].startswith("2025-04-05")
    full = json.loads(render_json(api.trends(index)))
    whole = series(full, "tag_specs")
    part = series(window, "tag_specs")
    for tag, points in part.items():  # the state is built from the start all the same
        for d, v in points.items():
            assert whole[tag][d] == v
    weekly = json.loads(render_json(api.trends(index, bucket="week")))
    assert [b["period"] for b in weekly["changes"]] == ["2025-W14", "2025-W15"]
    assert sum(b["gained"] for b in weekly["changes"]) == sum(b["gained"] for b in full["changes"])


def test_problems_are_located(index: HistoryIndex) -> None:
    data = json.loads(render_json(api.trends(index)))
    assert [p["path"] for p in data["problems"]] == ["_cache/develop/gotcha/specs.md"]
    page = render_html(api.trends(index))
    assert "_cache/develop/gotcha/specs.md" in page and "could not be read" in page
    after = json.loads(render_json(api.trends(index, since="2025-04-10")))
    assert after["problems"] == []  # gotcha was fixed on 2025-04-09
    during = json.loads(render_json(api.trends(index, since="2025-04-08", until="2025-04-08")))
    assert [p["path"] for p in during["problems"]] == ["_cache/develop/gotcha/specs.md"]
    nothing = json.loads(render_json(api.trends(index, since="2030-01-01")))
    assert (nothing["commits"], nothing["days"], nothing["problems"]) == (0, [], [])
    assert "no commits" in render_html(api.trends(index, since="2030-01-01"))


def test_the_page_has_every_chart_accessible(index: HistoryIndex) -> None:
    page = render_html(api.trends(index))
    got = check_page(page)
    charts = re.findall(r'<svg [^>]*data-chart="([\w-]+)"', page)
    assert charts == [
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
    for slug in charts:
        block = page[page.index(f'data-chart="{slug}"') :]
        block = block[: block.index("</svg>")]
        assert (
            'role="img"' in page[page.rindex("<svg", 0, page.index(f'data-chart="{slug}"')) :][:300]
        )
        assert f'<title id="{slug}-title">' in block and f'<desc id="{slug}-desc">' in block
        assert "Data table" in page[page.index(f'data-chart="{slug}"') :][:200000]
    assert "2025-04-01" in got.all_text  # a date axis a person can read


def test_the_same_index_gives_the_same_bytes(
    catalog: tuple[GitRepoBuilder, list[str]], built: Path, tmp_path: Path
) -> None:
    outputs = []
    for run in ("a", "b"):
        folder = tmp_path / run
        args = ["trends", "--repo", str(catalog[0].path), "--index", str(built), "--no-update"]
        files = {}
        for fmt in ("html", "json", "csv"):
            target = folder / f"trends.{fmt}"
            folder.mkdir(exist_ok=True)
            extra = ["--svg", str(folder / "svg")] if fmt == "html" else []
            result = CliRunner().invoke(main, [*args, "--format", fmt, "-o", str(target), *extra])
            assert result.exit_code == 0, result.stderr
            files[fmt] = target.read_bytes()
        for svg_file in sorted((folder / "svg").iterdir()):
            files[svg_file.name] = svg_file.read_bytes()
        outputs.append(files)
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 3 + 9
    assert outputs[0]["changes.svg"].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    assert b"<style>" in outputs[0]["changes.svg"]


def test_csv_holds_every_series(index: HistoryIndex) -> None:
    trends = api.trends(index)
    rows = list(csv.DictReader(io.StringIO(render_csv(trends))))
    charts = {r["chart"] for r in rows}
    assert {"stack-specs", "tag-packages", "tag-specs", "changes", "churn"} <= charts
    assert {c for c in charts if c.startswith("presence-")} == {
        "presence-stack",
        "presence-target",
        "presence-os",
        "presence-compiler",
    }
    points = [r for r in rows if r["chart"] == "tag-specs" and r["series"] == "develop"]
    assert len(points) == len(trends.days)
    assert csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and csv_cell("e4s") == "e4s"
    assert csv_cell("a\x1bb") == "a\\x1bb"


def test_a_range_and_an_unknown_tag_are_one_line_errors(
    catalog: tuple[GitRepoBuilder, list[str]], built: Path
) -> None:
    base = ["trends", "--repo", str(catalog[0].path), "--index", str(built), "--no-update"]
    result = CliRunner().invoke(main, [*base, "HEAD~2..HEAD"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "not a range" in result.stderr
    result = CliRunner().invoke(main, [*base, "--tag", "nope"])
    assert result.exit_code != 0 and result.stdout == "" and result.stderr.count("\n") == 1
    result = CliRunner().invoke(main, [*base, "--by", "month"])
    assert result.exit_code == 2


# ---- the SVG writer --------------------------------------------------------------------


def test_round_ticks() -> None:
    assert svg.nice_ticks(0) == [0, 1]
    assert svg.nice_ticks(7) == [0, 2, 4, 6, 8]
    assert svg.nice_ticks(361) == [0, 100, 200, 300, 400]
    assert svg.nice_ticks(60000) == [0, 20000, 40000, 60000]
    first = dt.date(2025, 4, 1).toordinal()
    assert svg.date_ticks(first, first) == [first]
    assert svg.date_ticks(first, first + 2) == [first, first + 1, first + 2]
    assert len(svg.date_ticks(first, first + 1000)) == 6


def test_a_chart_names_its_series_and_points_and_escapes_names() -> None:
    out = svg.line_chart(
        "x",
        "T <b>",
        "D & d",
        [
            svg.Line("<e4s>", [("2025-04-01", 3), ("2025-04-02", 5)]),
            svg.Line("hep", [("2025-04-01", 1)]),
        ],
    )
    assert out.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="x-title x-desc"'
    )
    assert '<title id="x-title">T &lt;b&gt;</title>' in out
    assert '<g class="series" data-series="&lt;e4s&gt;" data-points="2">' in out
    assert '<g class="series" data-series="hep" data-points="1">' in out
    assert ">2025-04-01<" in out and ">2025-04-02<" in out  # dates a person can read
    assert svg.line_chart("x", "T", "D", []).endswith("</svg>")
    assert "<b>" not in out


def test_the_json_keeps_its_schema(index: HistoryIndex) -> None:
    import jsonschema

    result = CliRunner().invoke(main, ["schema", "trends"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(doc)
    validator = jsonschema.Draft202012Validator(doc)
    for kwargs in ({}, {"bucket": "week"}, {"tag": WEEKLY_TAG}, {"stacks": ("e4s",)}):
        data = json.loads(render_json(api.trends(index, **kwargs)))  # type: ignore[arg-type]
        validator.validate(data)
    broken = json.loads(render_json(api.trends(index)))
    broken["changes"][0]["gained"] = -1
    assert not validator.is_valid(broken)


def test_the_readme_chart_is_up_to_date(tmp_path: Path) -> None:
    """docs/trends-changes.svg is what scripts/make_screenshots.py makes (run it after a
    change to the charts)."""
    import importlib.util

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location(
        "make_screenshots", root / "scripts" / "make_screenshots.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    chart, page = module.trends_svg_and_page(tmp_path)
    assert (root / "docs" / f"trends-{module.CHART}.svg").read_text("utf-8") == chart
    assert 'role="img"' in chart and "<desc" in chart and 'id="changes"' in page


def test_a_line_breaks_where_its_series_is_absent() -> None:
    out = svg.line_chart(
        "g",
        "T",
        "D",
        [
            svg.Line(
                "a", [("2025-04-01", 1), ("2025-04-02", 2), ("2025-04-03", 3), ("2025-04-04", 4)]
            ),
            svg.Line("b", [("2025-04-01", 1), ("2025-04-02", 2), ("2025-04-04", 4)]),
        ],
    )
    lines = re.findall(r'<g class="series" data-series="(\w)"[^>]*>(.*?)</g>', out, flags=re.S)
    runs = {name: re.findall(r'points="([^"]+)"', body) for name, body in lines}
    assert [len(r.split()) for r in runs["a"]] == [4]
    assert [len(r.split()) for r in runs["b"]] == [2]  # 04-03 missing: 04-04 stands alone
    assert all(body.count("<circle") == n for (_, body), n in zip(lines, (4, 3), strict=True))


def test_files_are_written_whole_or_not_at_all(
    catalog: tuple[GitRepoBuilder, list[str]], built: Path, tmp_path: Path
) -> None:
    base = ["trends", "--repo", str(catalog[0].path), "--index", str(built), "--no-update"]
    blocker = tmp_path / "charts"
    blocker.write_text("a file, not a folder\n")
    page = tmp_path / "trends.html"
    page.write_text("the previous page\n")
    result = CliRunner().invoke(main, [*base, "-o", str(page), "--svg", str(blocker)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "cannot make the folder" in result.stderr
    assert page.read_text() == "the previous page\n"  # nothing written over it
    assert blocker.read_text() == "a file, not a folder\n"
    folder = tmp_path / "svg"
    result = CliRunner().invoke(main, [*base, "-o", str(page), "--svg", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{slug}.svg"
        for slug in (
            "stack-specs",
            "tag-packages",
            "tag-specs",
            "changes",
            "presence-stack",
            "presence-target",
            "presence-os",
            "presence-compiler",
            "churn",
        )
    )
    assert not [p for p in tmp_path.rglob("*.partial")]


def test_dropping_what_the_walk_keeps_changes_nothing(
    index: HistoryIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contents, specs and bodies dropped from memory are read again when met again."""
    from catalog_diff.history import trendspecs

    whole = render_json(api.trends(index))
    ids = [r[0] for r in index.conn.execute("SELECT id FROM package_contents ORDER BY id")]
    fresh = trendspecs.SpecTable(index)
    fresh.load(ids)
    table = trendspecs.SpecTable(index)
    table.load(ids[:2])
    for name in ("CONTENTS", "SPECS", "BODIES"):
        monkeypatch.setattr(trendspecs, name, 2)
    table.load([ids[0], ids[2]])  # one kept, one new: the kept one survives the drop
    assert {i: table.contents[i] for i in (ids[0], ids[2])} == {
        i: fresh.contents[i] for i in (ids[0], ids[2])
    }
    assert render_json(api.trends(index)) == whole
