"""``log``, ``history`` and ``when``: options that mean what they say.

An unknown ``--tag`` is an error listing the known tags; the end of a report is the tip
of the revision asked (HEAD by default), named in it, whatever was indexed last; "present
at the end" is unknown when the file there could not be read; ``-n`` is at least 1 and
``log -n 1`` builds one entry; ``when`` takes ``--since``/``--until``; an index started
at a later commit says so instead of reporting its start as additions; errors name
remedies that exist. The library takes the same dates as the command line.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog_diff import api
from catalog_diff.cli import main
from catalog_diff.errors import TagNotFound, UsageError
from catalog_diff.history import timeline
from gitrepo import GitRepoBuilder
from historytruth import STEPS, Truth, build_history, develop_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("catalog-diff: error: "), err
    return lines[0]


#: The raw view, each absence a removal and a re-addition: what the truth says.
RAW = ("--transient-window", "1")


def as_json(*args: str, code: int = 0) -> dict[str, Any]:
    got, out, err = run(*args, "--format", "json")
    assert got == code, err
    data: dict[str, Any] = json.loads(out)
    return data


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepoBuilder, list[str]]:
    """The test history; branch ``ahead`` adds a commit on top of HEAD that breaks
    gotcha's file again; branch ``side`` leaves the line at commit 5."""
    repo, shas = build_history(tmp_path_factory.mktemp("options") / "catalog")
    repo.git("checkout", "-q", "-b", "ahead")
    data = (repo.path / develop_path("gotcha")).read_bytes()
    repo.write({develop_path("gotcha"): data[: len(data) // 2]})
    repo.commit("develop: gotcha truncated again", date="2025-04-13T06:00:00+00:00")
    repo.git("checkout", "-q", "-b", "side", shas[5])
    repo.write({"README.md": b"a side branch\n"})
    repo.commit("side: README", date="2025-04-13T07:00:00+00:00")
    repo.git("checkout", "-q", "main")
    return repo, shas


@pytest.fixture(scope="module")
def truth(catalog: tuple[GitRepoBuilder, list[str]]) -> Truth:
    return Truth.read(catalog[0].path)


@pytest.fixture(scope="module")
def indexed(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    """An index brought up to ``ahead``: one commit beyond HEAD."""
    path = tmp_path_factory.mktemp("options-index") / "index.sqlite"
    args = ["--repo", str(catalog[0].path), "--index", str(path)]
    assert run("index", "-q", "ahead", *args) == (0, "", "")
    return args


# ---- unknown tags and values ------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["log"], ["history", "gcc"], ["when", "gcc", "--target", "x86_64_v3"]],
    ids=lambda c: c[0],
)
def test_an_unknown_tag_is_an_error_listing_the_known_tags(
    indexed: list[str], command: list[str]
) -> None:
    code, out, err = run(*command, "--tag", "devlop", *indexed)
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert "tag 'devlop' not found" in line
    assert "(known tags: develop, develop-2025-03-30, v0.23.0)" in line


def test_the_library_refuses_an_unknown_tag_too(indexed: list[str]) -> None:
    opened, _ = api.open_index(repo=indexed[1], index=indexed[3], update=False)
    with opened:
        with pytest.raises(TagNotFound):
            api.when(opened, "gcc", "target", "x86_64_v3", tag="devlop")
        with pytest.raises(TagNotFound):
            api.log(opened, tag="v9.9.9")


def test_a_value_that_never_occurs_in_the_package_gets_a_hint(indexed: list[str]) -> None:
    code, out, err = run("when", "gcc", "--target", "aarch65", *indexed)
    assert code == 0
    assert "never present" in out
    assert err == "catalog-diff: warning: gcc has no target 'aarch65' in any tag of the index\n"
    code, out, err = run("when", "gcc", "--os", "ubuntu22.04", *indexed, "--format", "json")
    assert code == 0 and err == ""
    assert json.loads(out)["intervals"]  # --os is a query too, and this one occurs


# ---- the end is the revision asked ------------------------------------------------------


def test_the_end_is_head_not_the_last_commit_indexed(
    catalog: tuple[GitRepoBuilder, list[str]], truth: Truth, indexed: list[str]
) -> None:
    head = catalog[1][-1]
    # The index holds "ahead" (gotcha broken again there): the answer is about HEAD.
    data = as_json("when", "gotcha", "--stack", "e4s", *indexed, *RAW, code=3)  # C7 is broken
    assert [p["commit"] for p in data.pop("problems")] == [catalog[1][7]]
    assert data == truth.when_json("gotcha", "develop", "stack", "e4s")
    assert data["end"]["commit"] == head
    assert data["present_at_end"] is True
    history = as_json("history", "gotcha", *indexed, code=3)
    assert history["end"]["commit"] == head
    assert [e["commit"] for e in history["events"]][-1] != catalog[0].rev_parse("ahead")
    _, out, _ = run("when", "gotcha", "--stack", "e4s", *indexed)
    (line,) = [line for line in out.splitlines() if line.startswith("  up to ")]
    assert head[:12] in line


def test_present_at_the_end_is_unknown_when_the_last_file_is_unreadable(
    catalog: tuple[GitRepoBuilder, list[str]], indexed: list[str]
) -> None:
    ahead = catalog[0].rev_parse("ahead")
    data = as_json("when", "gotcha", "--stack", "e4s", "ahead", *indexed, code=3)
    assert data["present_at_end"] is None
    assert data["end"]["commit"] == ahead
    assert [p["commit"] for p in data["problems"]][-1] == ahead
    code, out, err = run("when", "gotcha", "--stack", "e4s", "ahead", *indexed)
    assert code == 3
    assert "present at the end: unknown" in out
    line = one_error_line(err)
    assert "_cache/develop/gotcha/specs.md" in line
    code, out, err = run(
        "when", "gotcha", "--stack", "e4s", "ahead", *indexed, "--format", "markdown"
    )
    assert code == 3
    assert "Present at the end: unknown" in out


def test_log_and_history_exit_3_after_unreadable_files(indexed: list[str]) -> None:
    code, out, err = run("log", "ahead", "-n", "1", *indexed)
    assert code == 3 and "gotcha" in out
    assert "_cache/develop/gotcha/specs.md" in one_error_line(err)
    code, out, err = run("log", "-n", "1", *indexed)  # HEAD: all readable
    assert (code, err) == (0, "")
    code, out, err = run("history", "gotcha", "ahead", *indexed)
    assert code == 3
    one_error_line(err)


def test_a_revision_off_the_indexed_line_is_named_as_typed(
    catalog: tuple[GitRepoBuilder, list[str]], indexed: list[str]
) -> None:
    side = catalog[0].rev_parse("side")
    for command in (["log"], ["history", "gcc"], ["when", "gcc", "--target", "x86_64_v3"]):
        code, out, err = run(*command, "side", *indexed)
        assert (code, out) == (3, ""), command
        line = one_error_line(err)
        assert f"side ({side[:12]}): the index {indexed[3]} holds another history" in line
        assert "run 'catalog-diff index --rebuild side'" in line
        assert "use --rebuild" not in line
    code, out, err = run("log", "side", "--no-update", *indexed)
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert f"side ({side[:12]}): not in the history indexed in {indexed[3]}" in line
    assert "run the command without --no-update" in line


def test_no_update_on_an_index_of_another_repository_says_so(
    catalog: tuple[GitRepoBuilder, list[str]], indexed: list[str], tmp_path: Path
) -> None:
    other = GitRepoBuilder(tmp_path / "other")
    other.write(STEPS[0].write(other))
    other.commit("other", date=STEPS[0].date)
    code, out, err = run("log", "--no-update", "--repo", str(other.path), "--index", indexed[3])
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert "it indexes another repository" in line
    assert "run 'catalog-diff index --rebuild'" in line


# ---- -n -----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["log"], ["history", "gcc"]], ids=lambda c: c[0])
@pytest.mark.parametrize("n", ["0", "-3"])
def test_n_is_at_least_one(indexed: list[str], command: list[str], n: str) -> None:
    code, out, err = run(*command, "-n", n, *indexed)
    assert (code, out) == (2, "")
    assert f"'--max-count' / '-n': {n} is not in the range x>=1" in one_error_line(err)
    # The library says so too.
    opened, _ = api.open_index(repo=indexed[1], index=indexed[3], update=False)
    with opened, pytest.raises(UsageError, match="must be at least 1"):
        if command == ["log"]:
            api.log(opened, limit=int(n))
        else:
            api.history(opened, "gcc", limit=int(n))


def test_log_n_1_builds_one_entry(indexed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real = timeline.log_entry

    def counting(index: Any, commit: Any, *args: Any) -> Any:
        built.append(commit.sha)
        return real(index, commit, *args)

    monkeypatch.setattr(timeline, "log_entry", counting)
    data = as_json("log", "-n", "1", *indexed)
    assert len(data["commits"]) == 1
    assert built == [data["commits"][0]["commit"]]


def test_history_n_keeps_the_most_recent_events(indexed: list[str]) -> None:
    full = as_json("history", "gcc", *indexed)["events"]
    assert len(full) > 2
    assert as_json("history", "gcc", "-n", "2", *indexed)["events"] == full[-2:]


# ---- when --since/--until ---------------------------------------------------------------


def test_when_takes_since_and_until(
    catalog: tuple[GitRepoBuilder, list[str]], truth: Truth, indexed: list[str]
) -> None:
    shas = catalog[1]
    whole = as_json("when", "ccache", "--target", "x86_64_v3", *indexed, *RAW)
    assert [(i["first"]["commit"], i["last"]["commit"]) for i in whole["intervals"]] == [
        (shas[0], shas[2]),
        (shas[9], shas[11]),
    ]
    # Up to 2025-04-06 (C5): the end is C5, where ccache was gone.
    until = as_json(
        "when", "ccache", "--target", "x86_64_v3", "--until", "2025-04-06", *indexed, *RAW
    )
    assert until["end"]["commit"] == shas[5]
    assert until["present_at_end"] is False
    assert [(i["first"]["commit"], i["last"]["commit"]) for i in until["intervals"]] == [
        (shas[0], shas[2])
    ]
    # From 2025-04-02 (C1) on: the first interval starts there.
    since = as_json(
        "when", "ccache", "--target", "x86_64_v3", "--since", "2025-04-02", *indexed, *RAW
    )
    assert since["first_seen"]["commit"] == shas[1]
    assert since["present_at_end"] is True


# ---- an index started at a later commit -------------------------------------------------


def test_a_partial_index_says_where_it_starts_and_adds_nothing_there(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path
) -> None:
    shas = catalog[1]
    args = ["--repo", str(catalog[0].path), "--index", str(tmp_path / "partial.sqlite")]
    assert run("index", "-q", f"{shas[8]}..HEAD", *args) == (0, "", "")
    log = as_json("log", *args)
    assert [c["commit"] for c in log["commits"]] == [shas[11], shas[10], shas[9]]
    history = as_json("history", "gcc", "--tag", "develop", *args)
    assert history["indexed_from"]["commit"] == shas[8]
    assert history["events"] == []  # gcc did not change after C8: nothing was "added"
    code, out, _ = run("history", "gcc", "--tag", "develop", *args)
    assert code == 0
    (line,) = [line for line in out.splitlines() if line.startswith("indexed from ")]
    assert shas[8][:12] in line and "nothing before it is known" in line
    when = as_json("when", "gcc", "--target", "x86_64_v3", *args)
    assert when["indexed_from"]["commit"] == shas[8]


# ---- the library ---------------------------------------------------------------------------


def test_the_library_takes_dates_as_the_command_line_does(
    catalog: tuple[GitRepoBuilder, list[str]], indexed: list[str]
) -> None:
    shas = catalog[1]
    opened, _ = api.open_index(repo=indexed[1], index=indexed[3], update=False)
    with opened:
        head = opened.commit_by_sha(shas[-1])
        assert head is not None
        expected = [shas[3], shas[2], shas[1]]
        for since, until in (
            ("2025-04-02", "2025-04-03"),
            (date(2025, 4, 2), date(2025, 4, 3)),
            (
                datetime(2025, 4, 2, tzinfo=timezone.utc),
                datetime(2025, 4, 3, 23, 59, 59, tzinfo=timezone.utc),
            ),
            (datetime(2025, 4, 2), datetime(2025, 4, 3, 23, 59, 59)),  # naive: UTC
        ):
            entries = api.log(opened, since=since, until=until, last=head.sha)
            assert [e.sha for e in entries] == expected, (since, until)
            assert entries[0].sha[:8] == entries[0].commit.commit[:8]
            assert str(entries[0].commit) == expected[0]
        presence = api.when(opened, "gcc", "target", "x86_64_v3", last=head.sha)
        assert presence.tag == "develop"
        assert presence.end is not None and presence.end.commit == shas[-1]


def test_history_and_when_take_a_range_as_log_does(
    catalog: tuple[GitRepoBuilder, list[str]], indexed: list[str]
) -> None:
    shas = catalog[1]
    full = as_json("history", "gcc", *indexed)["events"]
    after = {c: i for i, c in enumerate(shas)}
    part = as_json("history", "gcc", f"{shas[1]}..{shas[10]}", *indexed)
    assert part["events"] == [e for e in full if 1 < after[e["commit"]] <= 10]
    assert part["end"]["commit"] == shas[10]
    when = as_json("when", "ccache", "--target", "x86_64_v3", f"{shas[5]}..", *indexed, *RAW)
    assert [(i["first"]["commit"], i["last"]["commit"]) for i in when["intervals"]] == [
        (shas[9], shas[11])
    ]
    assert when["end"]["commit"] == shas[11]


def test_a_revision_before_a_ranged_index_starts_says_so(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path
) -> None:
    shas = catalog[1]
    args = ["--repo", str(catalog[0].path), "--index", str(tmp_path / "partial.sqlite")]
    assert run("index", "-q", f"{shas[8]}..HEAD", *args) == (0, "", "")
    code, out, err = run("history", "gcc", shas[5], *args)
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert f"{shas[5]} ({shas[5][:12]}): before the start of the index" in line
    assert f"(indexed from {shas[8][:12]}); run 'catalog-diff index --rebuild {shas[5]}'" in line


@pytest.mark.parametrize(
    ("given", "ends"),
    [
        ("HEAD", (None, "HEAD")),
        ("v1..v2", ("v1", "v2")),
        ("v1..", ("v1", "HEAD")),
        ("..v2", (None, "v2")),
        ("a..b..c", ("a..b", "c")),
    ],
)
def test_a_revision_range_is_split_in_one_place(given: str, ends: tuple[str | None, str]) -> None:
    """``A..B`` as the history commands and ``catalog_diff.open_index`` read it."""
    from catalog_diff.model.selection import split_range

    assert split_range(given) == ends
