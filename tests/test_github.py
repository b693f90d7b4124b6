"""``--format github``: the marker, the size cap on a synthetic 5,000-package catalog, and
escaping of hostile package names, variants and stacks."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.api import diff
from catalog_diff.cli import main
from catalog_diff.model.comparison import Comparison
from catalog_diff.render import render as render_report
from catalog_diff.render.escape import escape
from catalog_diff.sources.load import Selection
from checks import table_columns
from gitrepo import GitRepoBuilder, sample_tree
from test_golden import check_golden

ROOT = Path(__file__).resolve().parent.parent
OLD_SNAPSHOT = str(ROOT / "snapshots" / "develop-2025-03-23.json")
NEW_SNAPSHOT = str(ROOT / "snapshots" / "develop-2025-03-30.json")
LIMIT = 65536
#: The only tags the github format writes itself.
OUR_TAGS = {"<details>", "</details>", "<summary>", "</summary>", "<code>", "</code>"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def check_structure(out: str) -> None:
    """Balanced, unnested <details>/<summary>, balanced <code>, tables intact, no tag but
    ours, ASCII only."""
    assert out.isascii()
    depth = 0
    for line in out.splitlines():
        if line == "<details>":
            assert depth == 0, "nested <details>"
            depth = 1
        elif line == "</details>":
            assert depth == 1, "</details> without <details>"
            depth = 0
    assert depth == 0
    assert out.count("<summary>") == out.count("</summary>") == out.count("<details>")
    assert out.count("<code>") == out.count("</code>")
    tags = set(re.findall(r"<[^>]*>", out.split("\n", 1)[1]))
    assert tags <= OUR_TAGS, tags - OUR_TAGS
    for counts in table_columns(out):
        assert len(set(counts)) == 1, counts


# ---- small reports ----------------------------------------------------------------------


def test_golden_release(releases: GitRepoBuilder, pytestconfig: pytest.Config) -> None:
    code, out, err = run(
        "diff",
        "--repo",
        str(releases.path),
        "HEAD",
        "HEAD",
        "--old-tag",
        "v0.23.0",
        "--new-tag",
        "v0.23.1",
        "--format",
        "github",
    )
    assert (code, err) == (0, "")
    assert out.startswith("<!-- catalog-diff -->\n## Catalog diff\n")
    assert out.count("<details>") == 3 and "not shown" not in out
    check_structure(out)
    check_golden("release-v0.23.github.md", out, pytestconfig.getoption("update_golden"))


def test_golden_weekly_is_capped(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Relative paths: the report names its sources, and must not depend on the checkout.
    monkeypatch.chdir(ROOT)
    code, out, err = run(
        "diff",
        "snapshots/develop-2025-03-23.json",
        "snapshots/develop-2025-03-30.json",
        "--format",
        "github",
        "--no-aliases",  # the raw view: 109 compiler changes listed, too many to show all
    )
    assert (code, err) == (0, "")
    assert len(out) <= LIMIT
    shown = out.count("<details>")
    assert 0 < shown < 72
    assert f"**{72 - shown} more packages not shown** &mdash; full report" in out
    check_structure(out)
    check_golden("develop-weekly.github.md", out, pytestconfig.getoption("update_golden"))


def test_meta_disagreements_are_listed_once(tmp_path: Path) -> None:
    """Each file whose meta disagrees with its specs is one item of the comment, written
    as the comment writes names (ASCII, in <code>); the Markdown report lists it once
    too, as a code span."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    files = sample_tree("v0.23.0", as_tag="v1")
    repo.write(files)
    repo.commit("v1")
    path = "_cache/v1/zfp/specs.md"
    # One stack counted twice, and one the specs never name (with a hostile name).
    changed = files[path].replace(
        b'"e4s-cray-rhel": 1', '"e4s-cray-rhel": 2, "st\u00e4ck|`x`": 3'.encode(), 1
    )
    assert changed != files[path]
    repo.write({path: changed})
    repo.commit("zfp: meta disagrees")
    comparison = diff("HEAD~1", "HEAD", repo=str(repo.path))
    assert comparison.stack_counts is not None
    assert len(comparison.stack_counts.mismatches) == 2
    out = render_report(comparison, "github")
    check_structure(out)
    assert out.count("meta says") == 2
    assert "stack <code>e4s-cray-rhel</code>: meta says 2, spec_details have 1" in out
    assert "stack <code>st&#228;ck&#124;&#96;x&#96;</code>: meta says 3" in out
    markdown = render_report(comparison, "markdown")
    assert markdown.count("meta says") == 2
    assert "stack `e4s-cray-rhel`: meta says 2, spec_details have 1" in markdown


@pytest.mark.parametrize(
    "marker, first",
    [
        ("pr 7", "<!-- pr 7 -->"),
        ("<!-- catalog-diff -->", "<!-- catalog-diff -->"),
        ("<!--sticky-->", "<!-- sticky -->"),
    ],
)
def test_marker(marker: str, first: str) -> None:
    code, out, _ = run("diff", OLD_SNAPSHOT, NEW_SNAPSHOT, "--format", "github", "--marker", marker)
    assert code == 0
    assert out.split("\n", 1)[0] == first


@pytest.mark.parametrize(
    "args, message",
    [
        (("--format", "github", "--marker", "a-->b"), "--marker 'a-->b'"),
        (("--format", "github", "--marker", "x--y"), "--marker 'x--y'"),
        (("--format", "github", "--marker", "x\ny"), "--marker 'x\\ny'"),
        (("--format", "github", "--marker", ""), "--marker ''"),
        (("--format", "markdown", "--marker", "x"), "--marker and --max-chars go with"),
        (("--max-chars", "1000"), "--marker and --max-chars go with"),
        (("--format", "github", "--max-chars", "0"), "Invalid value for '--max-chars'"),
    ],
)
def test_bad_github_options_exit_two(args: tuple[str, ...], message: str) -> None:
    code, out, err = run("diff", OLD_SNAPSHOT, NEW_SNAPSHOT, *args)
    assert (code, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1


def test_summary_is_never_cut() -> None:
    code, out, _ = run(
        "diff", OLD_SNAPSHOT, NEW_SNAPSHOT, "--format", "github", "--max-chars", "1", "--no-aliases"
    )
    assert code == 0
    assert "| packages | 4 | 0 | 68 |" in out
    assert "| compiler changed | 109 |" in out
    assert "<details>" not in out
    note = "**72 more packages not shown** &mdash; full report in the job artifact.\n\n"
    assert out.endswith(note)


# ---- the size cap on thousands of packages ------------------------------------------------


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic catalog (benchmarks/generate.py): ``develop`` and ``v0.23.0``, ~5,000
    packages each, whose specs differ in nearly every package."""
    out = tmp_path_factory.mktemp("big") / "catalog"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            str(out),
            "--packages",
            "5000",
            "--commits",
            "1",
            "--frozen-tags",
            "1",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


def _big_args(catalog: Path) -> tuple[str, ...]:
    return (
        "diff",
        "--repo",
        str(catalog),
        "day-001",
        "day-001",
        "--old-tag",
        "v0.23.0",
        "--new-tag",
        "develop",
    )


@pytest.fixture(scope="module")
def big_comparison(big_catalog: Path) -> Comparison:
    return diff(
        "day-001",
        "day-001",
        repo=str(big_catalog),
        selection=Selection(old_tag="v0.23.0", new_tag="develop"),
    )


@pytest.mark.parametrize("limit", [None, 20000])
def test_thousands_of_packages_fit_in_one_comment(
    big_catalog: Path, big_comparison: Comparison, limit: int | None
) -> None:
    args = _big_args(big_catalog)
    summary = dataclasses.asdict(big_comparison.summary)
    total = len(big_comparison.packages)
    assert total > 4000
    cap = ["--max-chars", str(limit)] if limit else []
    code, out, err = run(*args, "--format", "github", *cap)
    assert (code, err) == (0, "")
    assert len(out) <= (limit or LIMIT)
    assert len(out) > (limit or LIMIT) - 5000  # the room is used
    check_structure(out)
    # The summary, whole, with the numbers of the comparison.
    assert (
        f"| packages | {summary['packages_added']} | {summary['packages_removed']} "
        f"| {summary['packages_changed']} |"
    ) in out
    for key, word in (("specs_rebuilt", "rebuilt"), ("specs_version_changed", "version changed")):
        assert f"| {word} | {summary[key]} |" in out
    assert f"### Packages: {total}\n" in out
    # The first packages, in order, then the note with the right count.
    shown = re.findall(r"^<summary><code>develop/([^<]+)</code>", out, flags=re.M)
    assert shown == [p.name for p in big_comparison.packages[: len(shown)]]
    assert len(shown) == out.count("<details>") > 0
    found = re.findall(r"^\*\*(\d+) more packages not shown\*\* &mdash; ", out, flags=re.M)
    assert found == [str(total - len(shown))]
    assert out.endswith("full report in the job artifact.\n\n")
    if limit is None:  # without the cap the report is far larger: the cap did the work
        assert len(render_report(big_comparison, "markdown")) > 50 * LIMIT


# ---- hostile names ------------------------------------------------------------------------

HOSTILE_NAMES = ["x|y", "a*b*", "a`b", "[x](y)", "@someone", "<script>alert(1)", "_e_", "~s~"]
HOSTILE_VARIANTS = ["+<script>", "x=@someone", "y=a|b", "z=`c`", "w=[x](y)", "v=*b*", "~u~"]
HOSTILE_STACKS = ["@team", "<i>s|t</i>"]


def _spec(digest: str, variants: list[str], stacks: list[str]) -> dict[str, object]:
    return {
        "compiler": "gcc@=11.4.0",
        "hash": digest,
        "os": "ubuntu22.04",
        "platform": "linux",
        "stacks": stacks,
        "target": "x86_64_v3",
        "variants": variants,
        "versions": ["1.0"],
    }


def _file(name: str, specs: list[dict[str, object]]) -> bytes:
    by_stack: dict[str, int] = {}
    for spec in specs:
        for stack in spec["stacks"]:  # type: ignore[attr-defined]
            by_stack[stack] = by_stack.get(stack, 0) + 1
    meta = {"num_specs": len(specs), "num_specs_by_stack": by_stack}
    return (
        f"---\ntitle: {json.dumps(name)}\nlayout: cache\ncategories: [package, develop]\n"
        f"meta: {json.dumps(meta)}\nspec_details: {json.dumps(specs)}\n---"
    ).encode()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    repo = GitRepoBuilder(tmp_path_factory.mktemp("hostile") / "catalog")
    old, new = {}, {}
    for i, name in enumerate(HOSTILE_NAMES):
        keep = _spec(f"{i:02d}" + "a" * 30, ["build_system=cmake"], ["root", "e4s"])
        gone = _spec(f"{i:02d}" + "b" * 30, ["~ipo"], ["root"])
        came = _spec(f"{i:02d}" + "c" * 30, HOSTILE_VARIANTS, ["root", *HOSTILE_STACKS])
        path = f"_cache/develop/{name}/specs.md"
        old[path] = _file(name, [keep, gone])
        new[path] = _file(name, [keep, came])
    repo.write(old)
    repo.commit("plain")
    repo.write(new)
    repo.commit("hostile")
    return repo


def test_hostile_names_cannot_inject_markup_in_github_format(hostile: GitRepoBuilder) -> None:
    code, out, err = run("diff", "--repo", str(hostile.path), "HEAD~1", "HEAD", "--format=github")
    assert (code, err) == (0, "")
    check_structure(out)  # no tag but ours, tables keep their columns
    assert out.count("<details>") == len(HOSTILE_NAMES)
    lowered = out.lower()
    assert "<script" not in lowered and "<i>" not in lowered
    assert "@someone" not in out and "@team" not in out
    assert "@&#8203;someone" in out and "@&#8203;team" in out
    assert "`" not in out
    assert "](" not in out and "][" not in out
    assert "*b*" not in out and "a*b" not in out
    assert "~s~" not in out and "~u~" not in out
    assert "x|y" not in out
    # The names are still there, readable once GitHub decodes the references.
    assert "<code>develop/x&#124;y</code>" in out
    assert "<code>develop/&lt;script&gt;alert(1)</code>" in out
    assert "<code>develop/[x&#93;(y)</code>" in out
    # The stack every hostile package gained is one roll-up, escaped too.
    assert (
        f"- stack <code>@&#8203;team</code>: gained {len(HOSTILE_NAMES)} packages, "
        f"gained {len(HOSTILE_NAMES)} specs" in out
    )
    bold = re.findall(r"\*\*[^*]*\*\*", out)
    assert "*" not in re.sub(r"\*\*[^*]*\*\*", "", out), bold


def test_hostile_names_in_markdown_stay_in_code_spans(hostile: GitRepoBuilder) -> None:
    code, out, _ = run("diff", "--repo", str(hostile.path), "HEAD~1", "HEAD", "--format=markdown")
    assert code == 0
    for counts in table_columns(out):
        assert len(set(counts)) == 1, counts
    for line in out.splitlines():
        rest = re.sub(r"(`+).*?(?<!`)\1(?!`)", "", line)
        assert "<script" not in rest and "@someone" not in rest and "](" not in rest, line
        if not line.startswith("|"):
            assert "\\|" not in line, line  # outside a table a backslash would show


def test_json_keeps_the_names_as_they_are(hostile: GitRepoBuilder) -> None:
    code, out, _ = run("diff", "--repo", str(hostile.path), "HEAD~1", "HEAD", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert sorted(p["name"] for p in report["packages"]) == sorted(HOSTILE_NAMES)
    (added,) = report["packages"][0]["specs"]["added"]
    assert set(HOSTILE_VARIANTS) <= set(added["variants"])


@pytest.mark.parametrize(
    "value, expected",
    [
        ("zlib-ng@2.2.4 build_system=cmake", "zlib-ng@&#8203;2.2.4 build_system=cmake"),
        ("x86_64_v3", "x86_64_v3"),
        ("_x_", "&#95;x&#95;"),
        ("~ipo ~test", "&#126;ipo ~test"),
        ("a~b", "a&#126;b"),
        ("[e4s, root] /abc", "[e4s, root] /abc"),
        ("[x](y) [x][y] z]", "[x&#93;(y) [x&#93;[y] z&#93;"),
        ("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"),
        ("a|b `c` *d* $e$ \\f", "a&#124;b &#96;c&#96; &#42;d&#42; &#36;e&#36; &#92;f"),
        ("@o #1 https://x.y www.z", "@&#8203;o &#35;&#8203;1 https:&#8203;//x.y www&#8203;.z"),
        # Controls, line breaks and direction overrides are shown as escapes (backslash
        # written as a reference), so nothing is hidden and nothing reorders the text.
        ("line\nbreak\ttab", "line&#92;x0abreak&#92;x09tab"),
        ("caf\u00e9 \u202eevil \x07", "caf&#233; &#92;u202eevil &#92;x07"),
        ("zero\u200bwidth\ufeff", "zero&#92;u200bwidth&#92;ufeff"),
    ],
)
def test_escape(value: str, expected: str) -> None:
    assert escape(value) == expected
    assert escape(value).isascii()
