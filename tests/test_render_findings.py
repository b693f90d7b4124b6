"""What a new user found in the reports (findings #24-#27 and #33), on real catalog data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from gitrepo import GitRepoBuilder, sample_tree, write_tree

ROOT = Path(__file__).resolve().parent.parent
WEEK = "develop-2025-03-30"
BC = f"_cache/{WEEK}/bc/specs.md"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _moved(data: bytes) -> bytes:
    """bc with its first spec in another stack and its second on another os with one
    more variant: both keep their hashes (a stacks change and a fields change)."""
    text = data.decode()
    text = text.replace('"stacks": ["e4s", "root", "tutorial"]', '"stacks": ["hep", "root"]', 1)
    text = text.replace(
        '"os": "ubuntu22.04", "platform": "linux", "size": "-", "stacks": ["e4s-neoverse-v2"',
        '"os": "ubuntu24.04", "platform": "linux", "size": "-", "stacks": ["e4s-neoverse-v2"',
        1,
    )
    text = text.replace(
        '"target": "neoverse_v2", "variants": ["build_system=autotools"]',
        '"target": "neoverse_v2", "variants": ["build_system=autotools", "w=1"]',
        1,
    )
    return text.encode()


@pytest.fixture
def hash_matched(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    files = {BC: sample_tree(WEEK)[BC]}
    write_tree(old, files)
    write_tree(new, {BC: _moved(files[BC])})
    return old, new


def test_stacks_and_fields_lines_show_the_whole_spec(hash_matched: tuple[Path, Path]) -> None:
    """#24: the spec in full, as every other line shows it, and +/- tokens for a list."""
    old, new = hash_matched
    code, out, _ = run("diff", str(old), str(new))
    assert code == 0
    lines = [line.strip() for line in out.splitlines() if line.strip().startswith("~")]
    assert lines == [
        "~ stacks +hep -e4s -tutorial: bc@1.07.1 %gcc@11.4.0 build_system=autotools "
        "arch=linux-ubuntu22.04-x86_64_v3 [hep, root] /6t6pwe5",
        "~ fields os ubuntu22.04 -> ubuntu24.04; variants +w=1: bc@1.07.1 %gcc@11.4.0 "
        "build_system=autotools w=1 arch=linux-ubuntu24.04-neoverse_v2 "
        "[e4s-neoverse-v2, root] /goqc7lh",
    ]
    assert "[" not in lines[1].split(":")[0]  # no Python list repr
    code, md, _ = run("diff", str(old), str(new), "--format", "markdown")
    assert "- stacks `+hep -e4s -tutorial`: `bc@1.07.1 %gcc@11.4.0 " in md
    assert "- fields os `ubuntu22.04` → `ubuntu24.04`; variants `+w=1`: `bc@1.07.1 " in md
    assert "['" not in md


def test_one_arrow_per_format(hash_matched: tuple[Path, Path]) -> None:
    """#27: text writes ->, Markdown →, the github comment &rarr; (it stays ASCII)."""
    code, out, _ = run(
        "diff", str(ROOT / "snapshots/develop-2025-03-23.json"),
        str(ROOT / "snapshots/develop-2025-03-30.json"), "--format", "markdown",
    )  # fmt: skip
    assert code == 0 and " -> " not in out and " → " in out
    code, out, _ = run(
        "diff", str(ROOT / "snapshots/develop-2025-03-23.json"),
        str(ROOT / "snapshots/develop-2025-03-30.json"), "--format", "github",
    )  # fmt: skip
    assert code == 0 and " -> " not in out and " &rarr; " in out and out.isascii()
    code, out, _ = run(
        "diff", str(ROOT / "snapshots/develop-2025-03-23.json"),
        str(ROOT / "snapshots/develop-2025-03-30.json"),
        "--no-aliases",  # adol-c's oneapi -> intel-oneapi-compilers: a compiler change
    )  # fmt: skip
    assert code == 0 and "→" not in out and " -> " in out
    # A compiler change names the old hash in every format.
    assert "(was /fczgf7z)" in out


@pytest.fixture(scope="module")
def weekly(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    repo = GitRepoBuilder(tmp_path_factory.mktemp("weekly") / "catalog")
    repo.write(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.commit("week 12", date="2025-03-23T06:00:00+00:00")
    repo.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.write(sample_tree(WEEK, as_tag="develop"))
    repo.commit("week 13", date="2025-03-30T06:00:00+00:00")
    return repo


def test_history_lists_the_specs_added_and_removed(weekly: GitRepoBuilder, tmp_path: Path) -> None:
    """#25: history says which specs came and went, as diff does."""
    index = str(tmp_path / "index.sqlite")
    base = ("--repo", str(weekly.path), "--index", index)
    code, diff_out, _ = run(  # history pairs specs by the compiler aliases as diff does
        "diff", "--repo", str(weekly.path), "HEAD~1", "HEAD", "--package", "python"
    )
    assert code == 0
    added = [line.strip() for line in diff_out.splitlines() if line.strip().startswith("+ python@")]
    removed = [
        line.strip() for line in diff_out.splitlines() if line.strip().startswith("- python@")
    ]
    assert added and removed
    code, out, _ = run("history", "python", "--tag", "develop", *base)
    assert code == 0
    shown = [line.strip() for line in out.splitlines()]
    for line in added + removed:
        assert line in shown, line
    code, md, _ = run("history", "python", "--tag", "develop", *base, "--format", "markdown")
    assert code == 0
    spec = added[0][2:]
    assert f"- added `{spec}`" in md


def test_show_has_one_side_and_no_trailing_spaces(tmp_path: Path) -> None:
    """#27: show's problems name no side (it has one); no line ends with a space."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree(WEEK) | {BC: b"---\nbroken"})
    repo.commit("broken bc")
    code, out, _ = run("show", "--repo", str(repo.path), "--package", "bc", "--tag", WEEK)
    assert code == 3
    assert f"  ! HEAD: {BC}: front matter has no closing '---'" in out
    assert " new " not in out
    code, out, _ = run("show", "--repo", str(repo.path), "--package", "cmake", "--tag", WEEK)
    assert code == 0 and "    specs\n" in out
    assert [line for line in out.splitlines() if line.endswith(" ")] == []
    code, md, _ = run("show", "--repo", str(repo.path), "--format", "markdown")
    assert f"- `HEAD`: `{BC}`: front matter" in md
    # The JSON keeps its field (a contract): "side" is still there.
    code, data, _ = run("show", "--repo", str(repo.path), "--format", "json")
    assert json.loads(data)["problems"][0]["side"] == "new"


def test_counts_have_the_right_plural(tmp_path: Path) -> None:
    """#33: "1 tag", "1 package", "1 entry", "1 file"."""
    write_tree(tmp_path / "tree", {BC: sample_tree(WEEK)[BC]})
    code, _, err = run("snapshot", str(tmp_path / "tree"), "-o", str(tmp_path / "s.json"))
    assert code == 0
    assert "saved 1 package, 2 specs in 1 tag to " in err
    code, out, _ = run("lint", str(tmp_path / "tree"))
    assert code == 0 and "checked: 1 package in 1 tag, " in out and "(s)" not in out
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write({BC: sample_tree(WEEK)[BC]})
    repo.commit("one")
    repo.write({BC: b"---\nbroken"})
    repo.commit("two")
    code, out, _ = run("diff", "--repo", str(repo.path), "HEAD~1", "HEAD")
    assert code == 3 and "problems   1 file could not be read" in out and "(s)" not in out
    code, out, _ = run("diff", "--repo", str(repo.path), "HEAD~1", "HEAD", "--format", "markdown")
    assert "### Problems: 1 file could not be read" in out


def test_lint_markdown_keeps_sentences_out_of_code_spans(tmp_path: Path) -> None:
    """#33: a finding's message is text (inert), its place a code span."""
    files = {BC: sample_tree(WEEK)[BC]}
    files[f"_cache/{WEEK}/bc2/specs.md"] = files[BC].replace(b'"bc"', b'"bc2"')
    write_tree(tmp_path, files)
    code, out, _ = run("lint", str(tmp_path), "--format", "markdown")
    assert code == 1
    rows = [line for line in out.splitlines() if line.startswith("| `hash-") and "hash " in line]
    assert rows and all(row.count("`") == 4 for row in rows), rows  # code and where only


def test_sticky_comment_help_names_its_environment() -> None:
    """#33: --api-url has a help text; GITHUB_TOKEN and GITHUB_API_URL are named."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/sticky_comment.py"), "--help"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0
    help_text = " ".join(done.stdout.split())
    assert "GITHUB_TOKEN" in help_text and "GITHUB_API_URL" in help_text
    assert "--api-url API_URL the GitHub REST API's address" in help_text


def test_release_notes_titles_dates_and_dropped_versions(weekly: GitRepoBuilder) -> None:
    """#26: a git expression is named by its commit, dates are days, a dropped newest
    version is no downgrade, and `none` is no new compiler."""
    code, out, err = run(
        "release-notes", "--repo", str(weekly.path), "--tag", "develop", "HEAD~1", "HEAD"
    )
    assert (code, err) == (0, "")
    first = weekly.rev_parse("HEAD~1")[:12]
    assert out.startswith(f"# Release notes: develop at {first} → develop at HEAD\n")
    assert "\\~" not in out and "T06:00:00" not in out
    assert "(commit `" in out and ", 2025-03-23)" in out
    assert "## Version downgrades" not in out
    assert "| `gcc` | `14.2.0` → `12.4.0` |  | `14.2.0` |" in out  # under other changes
    assert "New compiler `none`" not in out and "`none`)" not in out.split("## ")[2]
    assert "Specs built without a compiler: " in out


def test_log_markdown_lays_packages_out_as_diff_does(
    weekly: GitRepoBuilder, tmp_path: Path
) -> None:
    """#27: a package of `log --format markdown` is the section `diff` writes for it,
    one heading level down."""
    code, diff_md, _ = run(  # the raw view in both: adol-c's renamed compiler a change
        "diff", "--repo", str(weekly.path), "HEAD~1", "HEAD", "--format", "markdown", "--no-aliases"
    )
    assert code == 0
    code, log_md, _ = run(
        "log", "--repo", str(weekly.path), "--index", str(tmp_path / "i.sqlite"),
        "-n", "1", "--format", "markdown", "--no-aliases",
    )  # fmt: skip
    assert code == 0
    section = diff_md.split("### `develop/adol-c` changed\n", 1)[1].split("\n### ", 1)[0]
    assert "#### `develop/adol-c` changed\n" + section in log_md
    assert "<summary>Specs: " in section
