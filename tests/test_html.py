"""``diff --format html``: the page's content, its escaping, its anchors and its bytes.

(The page as a browser shows it is tested in tests/test_browser.py.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings

from catalog_diff import api
from catalog_diff.cli import main
from catalog_diff.compare.aliases import NO_ALIASES
from catalog_diff.layout import INVISIBLE, UNSAFE, printable
from catalog_diff.model.comparison import Comparison
from catalog_diff.model.snapshot import Package, Snapshot, SourceInfo, SourceKind, Spec
from catalog_diff.release.notes import build as build_notes
from catalog_diff.render import render
from catalog_diff.render.coverage import grid
from catalog_diff.render.escape import html, html_href, html_id
from catalog_diff.render.notes_html import render_release_notes_html
from gitrepo import GitRepoBuilder
from htmlcheck import check_page, read
from test_escape import hostile, hostile_comparison

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = (f"snapshot:{ROOT}/snapshots/develop-2025-03-{d}.json" for d in ("23", "30"))
HIDDEN = re.compile(f"{UNSAFE.pattern}|{INVISIBLE.pattern}")


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _bundled() -> Comparison:
    # the raw view: oneapi's rename reads as a compiler dropped, a warning to list first
    return api.diff(OLD, NEW, aliases=NO_ALIASES)


def test_the_bundled_pair_as_a_page_in_order() -> None:
    code, page, err = _run("diff", OLD, NEW, "--format", "html")
    assert (code, err) == (0, "")
    got = check_page(page)
    text = got.all_text
    order = [
        "Summary",
        "Changes by severity",
        "Roll-ups",
        "Coverage: stack \u00d7 target",
        "Packages (72)",
    ]
    where = [text.index(heading) for heading in order]
    assert where == sorted(where)
    # the summary's numbers are the JSON report's
    summary = json.loads(_run("diff", OLD, NEW, "--format", "json")[1])["summary"]
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    assert counts and {k: int(v) for k, v in counts.items()} == {k: summary[k] for k in counts}
    assert {"packages_added", "specs_removed", "specs_rebuilt", "problems"} <= set(counts)
    # no script, no request: the policy says so too
    assert "default-src 'none'" in page and "<script" not in page
    assert "prefers-color-scheme: dark" in page and "@media print" in page


def test_every_package_has_a_stable_anchor_and_a_link_to_it() -> None:
    comparison = _bundled()
    page = render(comparison, "html")
    for change in comparison.packages:
        label = f"{change.tag}/{change.name}"
        assert f'<div class="body" id="{label}">' in page
        assert f'<a href="#{label}">' in page
    assert '<details class="package">\n<summary><code>develop/gcc</code>' in page
    assert '<div class="body" id="develop/gcc">' in page


KIND = re.compile(
    r'<li data-severity="(\w+)" data-kind="([\w-]+)"><details( open)?><summary>'
    r'<span class="sev sev-\w+">\w+</span> <code>[\w-]+</code>: (\d+)</summary>'
)
RANKS = {"info": 0, "notice": 1, "warning": 2, "breaking": 3}


def _kinds(page: str, changes: list[dict[str, str]]) -> list[tuple[str, str]]:
    """The kinds the page lists, checked against the JSON report's changes: most severe
    first, open for warning and worse, each with its count and every impact line."""
    found = KIND.findall(page)
    assert [RANKS[s] for s, *_ in found] == sorted((RANKS[s] for s, *_ in found), reverse=True)
    for severity, code, opened, count in found:
        assert (opened == " open") == (RANKS[severity] >= RANKS["warning"])
        assert int(count) == sum(c["code"] == code for c in changes)
    assert sum(int(count) for *_, count in found) == len(changes)
    for change in changes:
        assert f"<li><code>{html(change['tag'])}</code>: {html(change['impact'])}</li>" in page
    return [(severity, code) for severity, code, _, _ in found]


def test_severity_lists_the_kinds_found_most_severe_first(releases: GitRepoBuilder) -> None:
    comparison = _bundled()
    page = render(comparison, "html")
    kinds = _kinds(page, json.loads(render(comparison, "json"))["changes"])
    assert kinds[0] == ("warning", "compiler-dropped")
    assert ("notice", "spec-removed") in kinds
    assert 'data-severity="high"' not in page and "specs moved to another compiler" not in page
    args = ["diff", "--repo", str(releases.path), "HEAD", "HEAD"]
    args += ["--old-tag", "v0.23.0", "--new-tag", "v0.23.1"]
    code, page, err = _run(*args, "--format", "html")
    assert (code, err) == (0, "")
    check_page(page)
    kinds = _kinds(page, json.loads(_run(*args, "--format", "json")[1])["changes"])
    assert kinds[0] == ("breaking", "stack-removed")
    section = page[
        page.index('id="changes"') : page.index("</section>", page.index('id="changes"'))
    ]
    assert section.index("stack e4s-cray-rhel removed") < section.index('data-severity="notice"')


def test_the_coverage_grid_counts_each_spec_where_it_went() -> None:
    comparison = _bundled()
    cov = grid(comparison)
    added = sum(max(len(s.stacks), 1) for change in comparison.packages for s in change.specs.added)
    removed = sum(
        max(len(s.stacks), 1) for change in comparison.packages for s in change.specs.removed
    )
    # pairs move only where they differ, so the grid holds at least the added and removed
    assert sum(cov.gained.values()) >= added and sum(cov.lost.values()) >= removed
    assert ("hep", "x86_64_v3") in cov.gained
    page = render(comparison, "html")
    section = page[page.index('id="coverage"') : page.index('id="stacks"')]
    assert '<td class="n gain">+16</td>' in section  # hep on x86_64_v3
    assert "mixed" in section


def test_the_same_comparison_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for out in (first, second):
        code, _, err = _run("diff", OLD, NEW, "--format", "html", "-o", str(out), "-q")
        assert (code, err) == (0, "")
    assert first.read_bytes() == second.read_bytes()
    assert not re.search(r'id="[^"]*[0-9a-f]{16}', first.read_text("utf-8"))


def test_no_differences_says_so() -> None:
    page = render(api.diff(OLD, OLD), "html")
    assert "No differences." in read(page).all_text
    assert 'id="packages"' not in page


def test_html_escapes_every_special_character() -> None:
    value = "<script>alert(1)</script> & \"q\" 'a' \x1b[31m \u202e"
    assert html(value) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39; \\x1b[31m \\u202e"
    )
    assert html_id("develop/gcc") == "develop/gcc"
    assert html_href("develop/gcc") == "#develop/gcc"
    assert html_href('a"b <c>#d%e') == "#a%22b%20%3Cc%3E%23d%25e"
    assert html_href("javascript:alert(1)").startswith("#")


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(hostile)
def test_a_hostile_value_reads_back_as_typed(value: str) -> None:
    page = f'<p>{html(value)}</p><a href="{html(html_href(value))}" id="{html_id(value)}">x</a>'
    got = read(page)
    assert got.tags == ["p", "a"]
    assert got.all_text == printable(value) + "x"
    attrs = dict(got.attrs)
    assert attrs["id"] == printable(value)
    assert attrs["href"] is not None and attrs["href"].startswith("#")
    assert re.fullmatch(r"#[A-Za-z0-9\-._~/@:+=,;!()*%]*", attrs["href"])


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(hostile_comparison())
def test_every_field_of_a_hostile_comparison_stays_inert(drawn: tuple[object, list[str]]) -> None:
    comparison, values = drawn
    page = render(comparison, "html")  # type: ignore[arg-type]
    got = check_page(page)
    assert HIDDEN.search(page.replace("\n", "")) is None
    text = got.all_text
    for value in values:
        assert printable(value) in text, value
    ids = [v for a, v in got.attrs if a == "id"]
    assert len(ids) == len(set(ids))  # one anchor per package, whatever the names
    start = page.index('<section id="changes">')
    section = read(page[start : page.index("</section>", start)])
    assert comparison.changes  # type: ignore[attr-defined]
    for change in comparison.changes:  # type: ignore[attr-defined]
        assert printable(change.impact) in section.all_text
        assert printable(change.tag) in section.all_text


# ---- release-notes --format html ---------------------------------------------------------


def test_release_notes_as_a_page(releases: GitRepoBuilder, tmp_path: Path) -> None:
    args = ["release-notes", "--repo", str(releases.path), "v0.23.0", "v0.23.1"]
    pages = []
    for name in ("a.html", "b.html"):
        code, _, err = _run(*args, "--format", "html", "-o", str(tmp_path / name), "-q")
        assert (code, err) == (0, "")
        pages.append((tmp_path / name).read_bytes())
    assert pages[0] == pages[1]
    page = pages[0].decode("utf-8")
    got = check_page(page)
    data = json.loads(_run(*args, "--format", "json")[1])
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    assert {k: int(v) for k, v in counts.items()} == {k: data["highlights"][k] for k in counts}
    text = got.all_text
    assert text.index("Highlights") < text.index("Packages with specs added or removed")
    assert "Gone stack e4s-cray-rhel: had 3 specs in 3 packages" in text
    code, _, err = _run(*args, "--format", "html", "--template", str(tmp_path / "a.html"))
    assert code == 2 and "--template goes with --format markdown" in err


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(hostile_comparison(), hostile)
def test_release_notes_html_keep_every_field_inert(
    drawn: tuple[object, list[str]], label: str
) -> None:
    _, values = drawn
    name, gone, tag, version, compiler, variant, stack, os_ = values[:8]
    info = SourceInfo(SourceKind.SNAPSHOT, label, "c" * 40, "2025-03-30T06:00:00+00:00")

    def spec(digest: str, ver: str, comp: str, stacks: tuple[str, ...]) -> Spec:
        return Spec(digest, (ver,), comp, os_, "linux", "x86_64_v3", (variant,), stacks)

    old = Snapshot(
        info=info,
        packages={
            (tag, name): Package(tag, name, "p", (spec("a" * 32, "1.0", "gcc@12", ("root",)),)),
            (tag, gone): Package(
                tag, gone, "q", (spec("b" * 32, "2.0", compiler, ("root", stack)),)
            ),
        },
        tags=frozenset({tag}),
    )
    new = Snapshot(
        info=info,
        packages={
            (tag, name): Package(tag, name, "p", (spec("c" * 32, version, compiler, (stack,)),))
        },
        tags=frozenset({tag}),
    )
    page = render_release_notes_html(build_notes(old, new, old_label=label, new_label=label))
    got = check_page(page)
    assert HIDDEN.search(page.replace("\n", "")) is None
    for value in (name, gone, version, compiler, stack, label):
        assert printable(value) in got.all_text, value
