"""Stacks gone and back in a history (history/transient.py): a stack missing for a few
commits and back within the window is stack-transient where it vanished, not a removal
and a re-addition; one away longer is removed, and added again where it comes back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from gitrepo import GitRepoBuilder, sample_tree
from test_changes import drop_stack, edit

W30 = "develop-2025-03-30"
LOG_SCHEMA = json.loads(
    (
        Path(__file__).resolve().parent.parent / "src/catalog_diff/schemas/log.schema.json"
    ).read_text()
)
STACK = "build_systems"


def _history(tmp_path: Path, away: int) -> tuple[GitRepoBuilder, list[str]]:
    """Daily commits of the real develop-2025-03-30 sample as develop: two with the
    stack, ``away`` without it, then two with it again."""
    whole = sample_tree(W30, "develop")
    without = drop_stack(whole, STACK)
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas = []
    plan = [whole, whole] + [without] * away + [whole, whole]
    for day, files in enumerate(plan, start=1):
        repo.write(files)
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    return repo, shas


def _log(repo: GitRepoBuilder, tmp_path: Path, *extra: str) -> list[dict[str, Any]]:
    index = str(tmp_path / "index.sqlite")
    args = ["log", "--repo", str(repo.path), "--index", index, "-q", "--format", "json"]
    result = CliRunner().invoke(main, [*args, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, LOG_SCHEMA)
    entries: list[dict[str, Any]] = report["commits"]
    return entries


def _stack_kinds(entries: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {
        e["commit"]: [
            c["code"]
            for c in e["changes"]
            if c["code"].startswith("stack-") and c["subject"] == STACK
        ]
        for e in entries
    }


def test_a_stack_missing_for_one_commit_is_transient(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    kinds = _stack_kinds(_log(repo, tmp_path))
    assert kinds[shas[2]] == ["stack-transient"]  # where it vanished
    assert kinds[shas[3]] == []  # its return is no addition
    assert not any("stack-removed" in k or "stack-added" in k for k in kinds.values())


def test_a_stack_away_longer_than_the_window_is_removed_then_added(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=3)
    kinds = _stack_kinds(_log(repo, tmp_path, "--transient-window", "2"))
    assert kinds[shas[2]] == ["stack-removed"]
    assert kinds[shas[5]] == ["stack-added"]
    assert not any("stack-transient" in k for k in kinds.values())


def test_the_window_defaults_to_seven_daily_commits(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=3)
    kinds = _stack_kinds(_log(repo, tmp_path))
    assert kinds[shas[2]] == ["stack-transient"]
    assert kinds[shas[5]] == []


@pytest.mark.parametrize("window", ["0", "-1"])
def test_a_window_below_one_is_refused(tmp_path: Path, window: str) -> None:
    repo, _ = _history(tmp_path, away=1)
    index = str(tmp_path / "index.sqlite")
    args = ["log", "--repo", str(repo.path), "--index", index, "-q", "--transient-window", window]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "--transient-window must be at least 1" in result.stderr


def _run(repo: GitRepoBuilder, tmp_path: Path, *args: str) -> str:
    index = str(tmp_path / "index.sqlite")
    where = ["--repo", str(repo.path), "--index", index, "-q"]
    result = CliRunner().invoke(main, [*args, *where], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_log_text_and_markdown_show_each_commits_kinds(tmp_path: Path, fmt: str) -> None:
    repo, shas = _history(tmp_path, away=1)
    out = _run(repo, tmp_path, "log", "--format", fmt)
    gone = out.index(shas[2][:12])
    back = out.index(shas[3][:12])
    assert back < gone  # newest first
    part = out[gone : out.find("commit ", gone + 50) if fmt == "text" else len(out)]
    assert "Changes by severity" in part
    assert "stack-transient" in part and "build_systems" in part
    # The kinds come before the per-package detail.
    detail = "  develop/" if fmt == "text" else "| package |"
    assert part.index("stack-transient") < part.index(detail)
    assert "stack-transient" not in out[back:gone]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_history_text_and_markdown_show_each_events_kinds(tmp_path: Path, fmt: str) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    whole = sample_tree(W30, "develop")
    repo.write(whole)
    repo.commit("day 1", date="2025-04-01T12:00:00+00:00")
    gone = next(p for p in whole if "/cmake/" in p)
    repo.delete([gone])
    sha = repo.commit("day 2", date="2025-04-02T12:00:00+00:00")
    out = _run(repo, tmp_path, "history", "cmake", "--format", fmt)
    assert "Changes by severity" in out
    assert "package-removed" in out
    assert out.index(sha[:12]) < out.index("package-removed")


def test_a_stack_in_files_that_could_not_be_read_is_not_gone(tmp_path: Path) -> None:
    whole = sample_tree(W30, "develop")
    broken = {
        p: (b"{not a catalog file" if f'"{STACK}"'.encode() in d else d) for p, d in whole.items()
    }
    assert broken != whole
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas = []
    for day, files in enumerate([whole, broken, whole], start=1):
        repo.write(files)
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    index = str(tmp_path / "index.sqlite")
    args = ["log", "--repo", str(repo.path), "--index", index, "-q", "--format", "json"]
    result = CliRunner().invoke(main, [*args, "--transient-window", "1"], catch_exceptions=False)
    assert result.exit_code == 3  # the files that could not be read
    commits = json.loads(result.stdout)["commits"]
    assert any(c["problems"] for c in commits if c["commit"] == shas[1])
    codes = [ch["code"] for c in commits for ch in c["changes"]]
    assert not [c for c in codes if c.startswith("stack-")]


# ---- catalog-wide kinds per commit ----------------------------------------------------------


def _release_history(tmp_path: Path) -> tuple[GitRepoBuilder, list[str]]:
    """The real releases v0.23.0 then v0.23.1, one daily commit each, as develop."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    old, new = sample_tree("v0.23.0", "develop"), sample_tree("v0.23.1", "develop")
    repo.write(old)
    shas = [repo.commit("v0.23.0", date="2025-04-01T12:00:00+00:00")]
    repo.delete(sorted(old.keys() - new.keys()))
    repo.write(new)
    shas.append(repo.commit("v0.23.1", date="2025-04-02T12:00:00+00:00"))
    return repo, shas


def _wide(entry: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {
        (c["code"], c["subject"], c.get("stack"))
        for c in entry["changes"]
        if c["package"] is None and c["code"] != "compiler-renamed"
    }


def test_log_gives_each_commits_catalog_wide_kinds_as_diff_does(tmp_path: Path) -> None:
    repo, shas = _release_history(tmp_path)
    entries = {e["commit"]: e for e in _log(repo, tmp_path)}
    index = str(tmp_path / "index.sqlite")
    args = ["diff", shas[0], shas[1], "--repo", str(repo.path), "--format", "json", "-q"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    expected = _wide(json.loads(result.stdout))
    assert ("stack-removed", "e4s-cray-rhel", "e4s-cray-rhel") in expected
    assert ("os-dropped", "rhel8", None) in expected
    assert ("compiler-dropped", "cce@15.0.1", None) in expected
    assert _wide(entries[shas[1]]) == expected
    assert Path(index).exists()


def test_log_text_lists_a_dropped_target_with_its_impact(tmp_path: Path) -> None:
    repo, _ = _release_history(tmp_path)
    out = _run(repo, tmp_path, "log", "--format", "text")
    assert "target-dropped" in out
    assert "target zen4 dropped from stack e4s-cray-rhel" in out
    assert "operating system rhel8 dropped" in out


def test_an_unread_file_elsewhere_in_the_tag_leaves_the_tag_unjudged(tmp_path: Path) -> None:
    """A stack gone from every file read, while another file of the tag (one without
    the stack) cannot be read: what that file holds is unknown, so no removal."""
    whole = sample_tree(W30, "develop")
    other = next(p for p, d in sorted(whole.items()) if f'"{STACK}"'.encode() not in d)
    broken = {**whole, other: b"{not a catalog file"}
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas = []
    for day, files in enumerate([whole, broken, drop_stack(broken, STACK)], start=1):
        repo.write(files)
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    index = str(tmp_path / "index.sqlite")
    args = ["log", "--repo", str(repo.path), "--index", index, "-q", "--format", "json"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 3  # the file that could not be read
    commits = {c["commit"]: c for c in json.loads(result.stdout)["commits"]}
    assert [c for c in commits[shas[2]]["changes"] if c["package"] is None] == []
    # Read whole, the same commit does lose the stack: the file left unread is what stops it.
    repo2, shas2 = _history(tmp_path / "plain", away=3)
    kinds = _stack_kinds(_log(repo2, tmp_path / "plain", "--transient-window", "1"))
    assert kinds[shas2[2]] == ["stack-removed"]


# ---- history and when -----------------------------------------------------------------------

HISTORY_SCHEMA = json.loads(
    (
        Path(__file__).resolve().parent.parent / "src/catalog_diff/schemas/history.schema.json"
    ).read_text()
)
WHEN_SCHEMA = json.loads(
    (
        Path(__file__).resolve().parent.parent / "src/catalog_diff/schemas/when.schema.json"
    ).read_text()
)


def _json(repo: GitRepoBuilder, tmp_path: Path, schema: Any, *args: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(_run(repo, tmp_path, *args, "--format", "json"))
    jsonschema.validate(report, schema)
    return report


def _without_package(
    tmp_path: Path, away: int, back: bytes | None = None
) -> tuple[GitRepoBuilder, list[str]]:
    """Daily commits of the real develop-2025-03-30 sample as develop, cmake's file
    missing from ``away`` of them (from the third on), then back as it was (or as
    ``back``)."""
    whole = sample_tree(W30, "develop")
    gone = "_cache/develop/cmake/specs.md"
    assert gone in whole
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas = []
    for day in range(1, away + 5):
        if day == 3:
            repo.delete([gone])
        if day == 3 + away:
            repo.write({gone: whole[gone] if back is None else back})
        if day == 1:
            repo.write(whole)
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    return repo, shas


def _events(report: dict[str, Any]) -> list[tuple[str, str | None, list[str]]]:
    return [
        (
            e["commit"],
            e["change"]["status"] if e["change"] else None,
            [c["code"] for c in e["changes"] if c["package"] == "cmake"],
        )
        for e in report["events"]
    ]


def _absences(report: dict[str, Any]) -> list[tuple[str, str, str, int, list[str]]]:
    return [
        (
            a["tag"],
            a["first"]["commit"],
            a["last"]["commit"],
            a["commits"],
            [c["code"] for c in a["changes"]],
        )
        for a in report["transient_absences"]
    ]


def _no_unread_shape(report: dict[str, Any]) -> None:
    """An event with no change record is a change that could not be read, always."""
    for event in report["events"]:
        assert event["change"] is not None or event["problem"], event


def test_history_a_package_missing_for_one_commit_is_transient(tmp_path: Path) -> None:
    repo, shas = _without_package(tmp_path, away=1)
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "cmake")
    _no_unread_shape(report)
    # Back as it was: no removal, no re-addition, no event at all; one absence.
    assert _events(report) == [(shas[0], "added", ["package-added"])]
    assert _absences(report) == [("develop", shas[2], shas[2], 1, ["package-transient"])]
    (kind,) = report["transient_absences"][0]["changes"]
    assert (kind["package"], kind["severity"]) == ("cmake", "notice")
    assert shas[1][:12] in kind["impact"] and shas[3][:12] in kind["impact"]
    assert report["events"][0]["transient_absence"] is None
    line = f"missing from {shas[2][:12]} to {shas[2][:12]} (1 commit)"
    for fmt in ("text", "markdown"):
        out = _run(repo, tmp_path, "history", "cmake", "--format", fmt)
        assert line in out and "package-transient" in out
        assert kind["impact"] in out  # the absence's line names its kind and impact
        assert "package-removed" not in out and "unknown" not in out
        assert out.count("package-added") == 1  # the first commit's, not a re-addition
        assert out.index(shas[0][:12]) < out.index(line)  # in its place in the timeline
    text = _run(repo, tmp_path, "history", "cmake", "--format", "text")
    assert "1 event, 1 transient absence" in text


def test_history_a_package_back_different_is_the_change_across_the_gap(tmp_path: Path) -> None:
    back = sample_tree("develop-2025-03-23", "develop")["_cache/develop/cmake/specs.md"]
    repo, shas = _without_package(tmp_path, away=1, back=back)
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "cmake")
    _no_unread_shape(report)
    assert _absences(report) == [("develop", shas[2], shas[2], 1, ["package-transient"])]
    events = {e["commit"]: e for e in report["events"]}
    assert list(events) == [shas[0], shas[3]]
    returned = events[shas[3]]
    assert returned["change"]["status"] == "changed"  # not added again
    codes = [c["code"] for c in returned["changes"]]
    assert "package-transient" in codes and "package-added" not in codes
    assert returned["transient_absence"] == {
        "first": report["transient_absences"][0]["first"],
        "last": report["transient_absences"][0]["last"],
    }
    # The change across the gap is the one diff gives between the commits around it.
    args = ["diff", shas[1], shas[3], "--repo", str(repo.path), "--package", "cmake"]
    result = CliRunner().invoke(main, [*args, "--format", "json", "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    (expected,) = json.loads(result.stdout)["packages"]
    assert returned["change"] == expected
    gap = f"missing from {shas[2][:12]} to {shas[2][:12]} (1 commit)"
    text = _run(repo, tmp_path, "history", "cmake", "--format", "text")
    assert text.index(gap) < text.index(f"2025-04-04T12:00:00+00:00  {shas[3][:12]}  develop")
    assert f"back after {gap}" in text
    markdown = _run(repo, tmp_path, "history", "cmake", "--format", "markdown")
    rows = [line for line in markdown.splitlines() if line.startswith("| 2025-04-0")]
    assert [row.split(" | ")[3] for row in rows] == ["added", "missing", "changed"]
    missing = markdown.index(f"### 2025-04-03T12:00:00+00:00 `{shas[2][:12]}` missing")
    assert missing < markdown.index(f"### 2025-04-04T12:00:00+00:00 `{shas[3][:12]}` changed")
    assert f"Back after {gap}." in markdown


def test_history_a_package_away_longer_than_the_window_is_removed_then_added(
    tmp_path: Path,
) -> None:
    repo, shas = _without_package(tmp_path, away=3)
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "cmake", "--transient-window", "2")
    assert _events(report) == [
        (shas[0], "added", ["package-added"]),
        (shas[2], "removed", ["package-removed"]),
        (shas[5], "added", ["package-added"]),
    ]
    assert report["transient_absences"] == []
    # The default window (7 daily commits) holds three.
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "cmake")
    assert [e[1:] for e in _events(report)] == [("added", ["package-added"])]
    assert _absences(report) == [("develop", shas[2], shas[4], 3, ["package-transient"])]


def test_history_max_count_counts_an_absence_as_one_item(tmp_path: Path) -> None:
    repo, shas = _without_package(tmp_path, away=1)
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "cmake", "-n", "1")
    assert (report["events"], _absences(report)) == (
        [],
        [("develop", shas[2], shas[2], 1, ["package-transient"])],
    )
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "cmake", "-n", "2")
    assert len(report["events"]) == 1 and len(report["transient_absences"]) == 1


def test_the_history_schema_keeps_a_null_change_for_a_change_that_could_not_be_read() -> None:
    event = {"commit": "a" * 40, "date": "2025-04-01T12:00:00+00:00", "subject": "day 1"}
    report = {"schema_version": 1, "package": "cmake", "tag": None}
    unread = {**event, "change": None, "problem": "_cache/develop/cmake/specs.md: bad"}
    jsonschema.validate({**report, "events": [unread]}, HISTORY_SCHEMA)
    kind = {
        "code": "package-transient",
        "severity": "notice",
        "tag": "develop",
        "package": "cmake",
        "subject": "cmake",
        "impact": "package cmake is missing here",
    }
    for bare in ({**event, "change": None}, {**event, "change": None, "changes": [kind]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**report, "events": [bare]}, HISTORY_SCHEMA)


def test_history_a_stack_of_a_package_missing_for_one_commit_is_transient(
    tmp_path: Path,
) -> None:
    repo, shas = _history(tmp_path, away=1)
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "cmake")
    by_commit = {e["commit"]: e for e in report["events"]}
    gone = [(c["code"], c["subject"]) for c in by_commit[shas[2]]["changes"]]
    assert ("stack-transient", STACK) in gone
    assert by_commit[shas[2]]["change"]["stacks"]["removed"] == [STACK]
    # Away longer than the window: no transient kind.
    repo, shas = _history(tmp_path / "longer", away=3)
    args = ("history", "cmake", "--transient-window", "2")
    report = _json(repo, tmp_path / "longer", HISTORY_SCHEMA, *args)
    codes = [c["code"] for e in report["events"] for c in e["changes"]]
    assert "stack-transient" not in codes


def test_when_does_not_end_a_presence_at_a_transient_gap(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    report = _json(repo, tmp_path, WHEN_SCHEMA, "when", "cmake", "--stack", STACK)
    assert [(i["first"]["commit"], i["last"]["commit"]) for i in report["intervals"]] == [
        (shas[0], shas[-1])
    ]
    assert [(g["first"]["commit"], g["last"]["commit"]) for g in report["transient_gaps"]] == [
        (shas[2], shas[2])
    ]
    for fmt in ("text", "markdown"):
        out = _run(repo, tmp_path, "when", "cmake", "--stack", STACK, "--format", fmt)
        assert "Transient gaps" in out and shas[2][:12] in out


def test_when_an_absence_longer_than_the_window_ends_the_presence(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=3)
    args = ("when", "cmake", "--stack", STACK, "--transient-window", "2")
    report = _json(repo, tmp_path, WHEN_SCHEMA, *args)
    assert [(i["first"]["commit"], i["last"]["commit"]) for i in report["intervals"]] == [
        (shas[0], shas[1]),
        (shas[5], shas[6]),
    ]
    assert report["transient_gaps"] == []


def test_when_an_unreadable_stretch_is_no_transient_gap(tmp_path: Path) -> None:
    whole = sample_tree(W30, "develop")
    path = "_cache/develop/cmake/specs.md"
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas = []
    for day, files in enumerate([whole, {path: b"{not a catalog file"}, whole], start=1):
        repo.write(files)
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    index = str(tmp_path / "index.sqlite")
    args = ["when", "cmake", "--stack", STACK, "--repo", str(repo.path), "--index", index]
    result = CliRunner().invoke(main, [*args, "-q", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    jsonschema.validate(report, WHEN_SCHEMA)
    assert report["transient_gaps"] == []
    assert len(report["intervals"]) == 2
    assert [p["commit"] for p in report["problems"]] == [shas[1]]


def test_history_events_carry_the_catalog_wide_kinds_they_take_part_in(tmp_path: Path) -> None:
    repo, shas = _release_history(tmp_path)
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "zfp")
    (event,) = [e for e in report["events"] if e["commit"] == shas[1]]
    wide = {(c["code"], c["subject"]) for c in event["changes"] if c["package"] is None}
    assert {
        ("stack-removed", "e4s-cray-rhel"),
        ("os-dropped", "rhel8"),
        ("compiler-dropped", "cce@15.0.1"),
        ("target-dropped", "zen4"),
    } <= wide
    # Its first event adds the tag with the package: no catalog-wide kind there.
    assert all(c["package"] is not None for c in report["events"][0]["changes"])
    for fmt in ("text", "markdown"):
        out = _run(repo, tmp_path, "history", "zfp", "--format", fmt)
        assert "stack-removed" in out and "operating system rhel8 dropped" in out


def test_history_a_stack_gone_from_the_tag_for_one_commit_is_transient(tmp_path: Path) -> None:
    repo, shas = _history(tmp_path, away=1)
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "cmake")
    by_commit = {e["commit"]: e for e in report["events"]}
    wide = [(c["code"], c["subject"]) for c in by_commit[shas[2]]["changes"] if not c["package"]]
    assert wide == [("stack-transient", STACK)]  # its targets go with it
    back = [c["code"] for c in by_commit[shas[3]]["changes"] if c["package"] is None]
    assert back == []  # its return is no addition
    # Away longer than the window: removed where it went, added where it came back.
    repo, shas = _history(tmp_path / "longer", away=3)
    args = ("history", "cmake", "--transient-window", "2")
    report = _json(repo, tmp_path / "longer", HISTORY_SCHEMA, *args)
    by_commit = {e["commit"]: e for e in report["events"]}
    codes = {
        at: {c["code"] for c in by_commit[shas[at]]["changes"] if c["package"] is None}
        for at in (2, 5)
    }
    assert "stack-removed" in codes[2] and "target-dropped" in codes[2]
    assert "stack-added" in codes[5] and "target-added" in codes[5]


def test_the_index_by_tag_changes_no_answer_and_an_older_index_gains_it(tmp_path: Path) -> None:
    """history reads the packages of a tag at a commit through ``package_spans_tag``; an
    index made before it existed (the same schema, without it) gives the same answers,
    and gains the index at its next update."""
    repo, _ = _release_history(tmp_path)
    args = ("history", "zfp", "--no-update", "--format", "json")
    _run(repo, tmp_path, "index")
    index = tmp_path / "index.sqlite"

    def has_it() -> bool:
        with sqlite3.connect(index) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        return "package_spans_tag" in names

    assert has_it()
    with_it = _run(repo, tmp_path, *args)
    assert "stack-removed" in with_it
    with sqlite3.connect(index) as conn:
        conn.execute("DROP INDEX package_spans_tag")
    conn.close()
    assert _run(repo, tmp_path, *args) == with_it
    assert not has_it()  # a query adds nothing to the file
    repo.write({"_cache/develop/zfp/specs.md": b"---\nnot: [closed\n---\n"})
    repo.commit("a broken file", date="2025-04-03T12:00:00+00:00")
    _run(repo, tmp_path, "index")
    assert has_it()


def _release_and_back(tmp_path: Path, away: int) -> tuple[GitRepoBuilder, list[str]]:
    """The real release v0.23.0 as develop for two daily commits, v0.23.1 (which lost the
    stack e4s-cray-rhel, and with it target zen4, rhel8 and cce@15.0.1) for ``away``,
    then v0.23.0 again for two."""
    old, new = sample_tree("v0.23.0", "develop"), sample_tree("v0.23.1", "develop")
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas: list[str] = []
    held: dict[str, bytes] = {}
    for day, files in enumerate([old, old] + [new] * away + [old, old], start=1):
        repo.delete(sorted(held.keys() - files.keys()))
        repo.write(files)
        held = files
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    return repo, shas


def _wide_codes(entry: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["code"], c["subject"]) for c in entry["changes"] if c["package"] is None}


def test_log_a_system_and_a_compiler_back_within_the_window_are_transient(
    tmp_path: Path,
) -> None:
    repo, shas = _release_and_back(tmp_path, away=1)
    by_commit = {e["commit"]: e for e in _log(repo, tmp_path)}
    went = _wide_codes(by_commit[shas[2]])
    assert {
        ("stack-transient", "e4s-cray-rhel"),
        ("os-transient", "rhel8"),
        ("compiler-transient", "cce@15.0.1"),
    } <= went
    assert not {code for code, _ in went} & {"stack-removed", "os-dropped", "compiler-dropped"}
    assert not any(code == "target-dropped" for code, _ in went)  # gone with its stack
    assert not {code for code, _ in _wide_codes(by_commit[shas[3]])} & {
        "stack-added",
        "target-added",
    }
    (os,) = [c for c in by_commit[shas[2]]["changes"] if c["code"] == "os-transient"]
    assert os["severity"] == "notice" and shas[3][:12] in os["impact"]
    # Away longer than the window: dropped where they went, added where the stack is back.
    repo, shas = _release_and_back(tmp_path / "longer", away=3)
    by_commit = {e["commit"]: e for e in _log(repo, tmp_path / "longer", "--transient-window", "2")}
    went = _wide_codes(by_commit[shas[2]])
    assert {
        ("stack-removed", "e4s-cray-rhel"),
        ("os-dropped", "rhel8"),
        ("compiler-dropped", "cce@15.0.1"),
        ("target-dropped", "zen4"),
    } <= went
    assert ("stack-added", "e4s-cray-rhel") in _wide_codes(by_commit[shas[5]])


def test_history_a_system_of_the_tag_back_within_the_window_is_transient(
    tmp_path: Path,
) -> None:
    repo, shas = _release_and_back(tmp_path, away=1)
    report = _json(repo, tmp_path, HISTORY_SCHEMA, "history", "zfp")
    (event,) = [e for e in report["events"] if e["commit"] == shas[2]]
    wide = {(c["code"], c["subject"]) for c in event["changes"] if c["package"] is None}
    assert {("os-transient", "rhel8"), ("compiler-transient", "cce@15.0.1")} <= wide
    assert not {code for code, _ in wide} & {"os-dropped", "compiler-dropped", "stack-removed"}


PCLUSTER, V4 = "aws-pcluster-x86_64_v4", "x86_64_v4"


def _without_target(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files with the specs built for x86_64_v4 taken out of the stack
    aws-pcluster-x86_64_v4 (they stay in root; the stack keeps its x86_64_v3 specs)."""
    out = {}
    for path, data in files.items():
        if PCLUSTER.encode() in data:
            data = edit(
                data,
                "spec_details",
                lambda specs: [
                    {**s, "stacks": [x for x in s["stacks"] if x != PCLUSTER]}
                    if s["target"] == V4
                    else s
                    for s in specs
                ],
            )
        out[path] = data
    return out


def _target_history(tmp_path: Path, away: int) -> tuple[GitRepoBuilder, list[str]]:
    whole = sample_tree(W30, "develop")
    repo = GitRepoBuilder(tmp_path / "catalog")
    shas = []
    plan = [whole, whole] + [_without_target(whole)] * away + [whole, whole]
    for day, files in enumerate(plan, start=1):
        repo.write(files)
        shas.append(repo.commit(f"day {day}", date=f"2025-04-{day:02d}T12:00:00+00:00"))
    return repo, shas


def test_log_a_target_of_a_stack_back_within_the_window_is_transient(tmp_path: Path) -> None:
    repo, shas = _target_history(tmp_path, away=1)
    by_commit = {e["commit"]: e for e in _log(repo, tmp_path)}
    (went,) = [c for c in by_commit[shas[2]]["changes"] if c["subject"] == V4]
    assert (went["code"], went["stack"], went["severity"]) == (
        "target-transient",
        PCLUSTER,
        "notice",
    )
    assert shas[3][:12] in went["impact"]
    assert not [c for c in by_commit[shas[3]]["changes"] if c["code"] == "target-added"]
    # Away longer than the window: dropped where it went, added where it came back.
    repo, shas = _target_history(tmp_path / "longer", away=3)
    by_commit = {e["commit"]: e for e in _log(repo, tmp_path / "longer", "--transient-window", "2")}
    kinds = {
        at: [(c["code"], c["stack"]) for c in by_commit[shas[at]]["changes"] if c["subject"] == V4]
        for at in (2, 5)
    }
    assert kinds == {2: [("target-dropped", PCLUSTER)], 5: [("target-added", PCLUSTER)]}
