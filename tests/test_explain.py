"""diff --explain: each removal of a comparison of two commits placed in the history
(history/explain.py): the commit where it went, whether it came back within the
transient window (then it was transient), read from the index without updating it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner

from catalog_diff.cli import main
from gitrepo import GitRepoBuilder, sample_tree
from test_changes import drop_stack, rename_stack
from test_transient import STACK, W30, _history, _without_package

DIFF_SCHEMA = json.loads(
    (
        Path(__file__).resolve().parent.parent / "src/catalog_diff/schemas/diff.schema.json"
    ).read_text()
)


def _index(repo: GitRepoBuilder, tmp_path: Path) -> str:
    index = str(tmp_path / "index.sqlite")
    args = ["index", "--repo", str(repo.path), "--index", index, "-q"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return index


def _diff(repo: GitRepoBuilder, *args: str, code: int = 0) -> tuple[str, str]:
    result = CliRunner().invoke(main, ["diff", "--repo", str(repo.path), *args])
    assert result.exit_code == code, (result.stderr, result.exception)
    return result.stdout, result.stderr


def _explained(out: str) -> dict[tuple[str, str], dict[str, Any] | None]:
    report = json.loads(out)
    jsonschema.validate(report, DIFF_SCHEMA)
    return {(c["code"], c["subject"]): c.get("explanation") for c in report["changes"]}


def test_a_stack_gone_for_one_commit_is_explained_as_transient(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    index = _index(repo, tmp_path)
    out, err = _diff(repo, shas[1], shas[2], "--explain", "--index", index, "--format", "json")
    assert err == ""
    found = _explained(out)
    assert found[("stack-removed", STACK)] == {
        "went": {"commit": shas[2], "date": "2025-04-03T12:00:00+00:00"},
        "back": {"commit": shas[3], "date": "2025-04-04T12:00:00+00:00"},
        "window": 7,
        "transient": True,
    }
    # Only removals are explained.
    removals = {"stack-removed", "target-dropped", "os-dropped", "compiler-dropped"}
    removals |= {"package-removed", "spec-removed", "stack-empty"}
    assert all(e is None for (code, _), e in found.items() if code not in removals)
    text, _ = _diff(repo, shas[1], shas[2], "--explain", "--index", index)
    line = text.split("stack-removed", 1)[1].splitlines()[1]
    assert f"gone at {shas[2][:12]}" in line and f"back at {shas[3][:12]}" in line
    assert "within 7 commits: transient, not a removal" in line


def test_a_stack_gone_longer_than_the_window_is_explained_as_removed(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=3)
    index = _index(repo, tmp_path)
    args = ("--explain", "--index", index, "--transient-window", "2")
    out, _ = _diff(repo, shas[1], shas[3], *args, "--format", "json")
    explanation = _explained(out)[("stack-removed", STACK)]
    assert explanation is not None
    assert (explanation["went"]["commit"], explanation["back"], explanation["transient"]) == (
        shas[2],
        None,
        False,
    )
    text, _ = _diff(repo, shas[1], shas[3], *args)
    assert "not back within 2 commits of going" in text
    # The default window (7 commits) holds three commits away.
    out, _ = _diff(repo, shas[1], shas[3], "--explain", "--index", index, "--format", "json")
    explanation = _explained(out)[("stack-removed", STACK)]
    assert explanation is not None and explanation["back"]["commit"] == shas[5]


def test_a_package_gone_and_back_is_explained(tmp_path: Path) -> None:
    repo, shas = _without_package(tmp_path, away=1)
    index = _index(repo, tmp_path)
    out, _ = _diff(repo, shas[0], shas[2], "--explain", "--index", index, "--format", "json")
    explanation = _explained(out)[("package-removed", "cmake")]
    assert explanation is not None
    assert (explanation["went"]["commit"], explanation["back"]["commit"]) == (shas[2], shas[3])


def test_the_explanation_in_each_format(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    index = _index(repo, tmp_path)
    for fmt in ("markdown", "github", "html"):
        out, _ = _diff(repo, shas[1], shas[2], "--explain", "--index", index, "--format", fmt)
        assert "transient, not a removal" in out, fmt
        assert shas[3][:12] in out


def test_without_an_index_nothing_is_explained_and_it_says_so(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    missing = str(tmp_path / "none.sqlite")
    plain, _ = _diff(repo, shas[1], shas[2])
    out, err = _diff(repo, shas[1], shas[2], "--explain", "--index", missing)
    assert out == plain
    assert err.count("\n") == 1
    assert "nothing could be explained: no history index at" in err
    assert "catalog-diff index" in err
    assert not Path(missing).exists()  # read only: no index is made


def test_a_directory_side_is_not_explained(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    index = _index(repo, tmp_path)
    folder = tmp_path / "checkout"
    from gitrepo import write_tree

    write_tree(folder, drop_stack(sample_tree(W30, "develop"), STACK))
    out, err = _diff(repo, shas[1], f"dir:{folder}", "--explain", "--index", index)
    assert "stack-removed" in out and "gone at" not in out
    assert "nothing could be explained: the new side" in err
    assert "is not a revision" in err


def test_the_index_is_not_updated_by_diff(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    index = _index(repo, tmp_path)
    repo.write({"README.md": b"later\n"})
    later = repo.commit("later", date="2025-04-20T12:00:00+00:00")
    before = Path(index).read_bytes()
    _, err = _diff(repo, shas[1], later, "--explain", "--index", index)
    assert "does not hold commit" in err and later[:12] in err
    assert Path(index).read_bytes() == before


def test_index_goes_with_explain(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    _, err = _diff(repo, shas[1], shas[2], "--index", "x.sqlite", code=2)
    assert "--index goes with --explain" in err


def test_a_hostile_stack_name_stays_inert_in_the_explained_reports(tmp_path: Path) -> None:
    hostile = "e4s<script>alert(1)</script>|`x`*_"
    whole = rename_stack(sample_tree(W30, "develop"), STACK, hostile)
    without = drop_stack(whole, hostile)
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas = []
    for day, files in enumerate([whole, whole, without, whole], start=1):
        repo.write(files)
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    index = _index(repo, tmp_path)
    args = (shas[1], shas[2], "--explain", "--index", index)
    out, _ = _diff(repo, *args, "--format", "json")
    assert _explained(out)[("stack-removed", hostile)] is not None
    html, _ = _diff(repo, *args, "--format", "html")
    assert "<script>alert" not in html and "transient, not a removal" in html
    markdown, _ = _diff(repo, *args, "--format", "markdown")
    outside_code = re.sub(r"``.*?``|`[^`\n]*`", "", markdown)
    assert "<script>" not in outside_code and "transient, not a removal" in markdown


def test_specs_removed_and_back_are_explained_by_their_build(tmp_path: Path) -> None:
    from test_changes import edit

    whole = sample_tree(W30, "develop")
    path = "_cache/develop/cmake/specs.md"
    fewer = {**whole, path: edit(whole[path], "spec_details", lambda specs: specs[2:])}
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas = []
    for day, files in enumerate([whole, whole, fewer, whole], start=1):
        repo.write(files)
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    index = _index(repo, tmp_path)
    out, _ = _diff(repo, shas[1], shas[2], "--explain", "--index", index, "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, DIFF_SCHEMA)
    (removed,) = [c for c in report["changes"] if c["code"] == "spec-removed"]
    assert removed["package"] == "cmake"
    assert removed["explanation"]["went"]["commit"] == shas[2]
    assert removed["explanation"]["back"]["commit"] == shas[3]
    assert removed["explanation"]["transient"] is True


def test_a_hostile_stack_name_stays_inert_in_history_and_log(tmp_path: Path) -> None:
    hostile = "e4s<script>alert(1)</script>|`x`*_"
    whole = rename_stack(sample_tree(W30, "develop"), STACK, hostile)
    repo = GitRepoBuilder(tmp_path / "catalog")
    for day, files in enumerate([whole, drop_stack(whole, hostile), whole], start=1):
        repo.write(files)
        repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00")
    index = str(tmp_path / "index.sqlite")
    where = ["--repo", str(repo.path), "--index", index, "-q", "--format", "markdown"]
    for command in (["log"], ["history", "cmake"]):
        result = CliRunner().invoke(main, [*command, *where], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        assert "stack-transient" in result.stdout
        outside_code = re.sub(r"``.*?``|`[^`\n]*`", "", result.stdout)
        assert "<script>" not in outside_code


def test_a_file_that_is_no_index_is_a_note_and_stays_untouched(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    other = tmp_path / "notes.sqlite"
    other.write_bytes(b"not a database at all\n" * 100)
    plain, _ = _diff(repo, shas[1], shas[2])
    out, err = _diff(repo, shas[1], shas[2], "--explain", "--index", str(other))
    assert out == plain
    assert err.count("\n") == 1 and "nothing could be explained" in err
    assert other.read_bytes() == b"not a database at all\n" * 100
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("notes.sqlite") and p != other]
