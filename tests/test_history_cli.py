"""``index``, ``log``, ``history``, ``when``, ``show`` and ``diff --at`` through the command
line: JSON checked against the shipped schemas and against answers read straight from
git (see :mod:`historytruth`), exit codes, and the index file going wrong."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from catalog_diff.compare.pairing import facet_values
from gitrepo import GitRepoBuilder
from historytruth import STEPS, Truth, build_history, dump, integrity, log_view


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("catalog-diff: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepoBuilder, list[str]]:
    return build_history(tmp_path_factory.mktemp("cli") / "catalog")


@pytest.fixture(scope="module")
def truth(catalog: tuple[GitRepoBuilder, list[str]]) -> Truth:
    return Truth.read(catalog[0].path)


#: The raw view, each absence a removal and a re-addition: what the truth says.
RAW = ("--transient-window", "1")
#: Compilers compared as written (no aliases): what the truth says.
AS_WRITTEN = ("--no-aliases",)


@pytest.fixture(scope="module")
def indexed(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    """``--repo R --index F`` of a finished index (built by the ``index`` command)."""
    path = tmp_path_factory.mktemp("cli-index") / "index.sqlite"
    repo = str(catalog[0].path)
    code, out, err = run("index", "--repo", repo, "--index", str(path))
    assert (code, out) == (0, "")
    assert f"12 new commits; 12 commits indexed, up to {catalog[1][-1][:12]}" in err
    return ["--repo", repo, "--index", str(path)]


@pytest.fixture(scope="module")
def schemas() -> dict[str, jsonschema.Draft202012Validator]:
    out = {}
    for name in ("log", "history", "when", "show"):
        code, text, err = run("schema", name)
        assert (code, err) == (0, "")
        schema = json.loads(text)
        jsonschema.Draft202012Validator.check_schema(schema)
        out[name] = jsonschema.Draft202012Validator(schema)
    return out


def report(
    schemas: dict[str, jsonschema.Draft202012Validator],
    kind: str,
    *args: str,
    code: int = 0,
    warning: str | None = None,
) -> dict[str, Any]:
    """Run a command with ``--format json``; its report, valid against its schema.
    Exit 3 (``code``) comes with one error line; exit 0 with nothing on stderr but the
    ``warning`` asked for."""
    got, out, err = run(*args, "--format", "json")
    assert got == code, err
    if code == 0:
        assert err == (f"catalog-diff: warning: {warning}\n" if warning else "")
    else:
        one_error_line(err)
    data = json.loads(out)
    schemas[kind].validate(data)
    assert data["schema_version"] == 1
    return data


# ---- index -------------------------------------------------------------------------------


def test_index_again_is_up_to_date_and_stdout_stays_empty(
    catalog: tuple[GitRepoBuilder, list[str]], indexed: list[str]
) -> None:
    before = dump(indexed[3])
    code, out, err = run("index", *indexed)
    assert (code, out) == (0, "")
    assert "already up to date; 12 commits indexed" in err
    # The console script answers this case before loading the command line: same answer.
    done = subprocess.run(
        [sys.executable, "-m", "catalog_diff", "index", *indexed],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert (done.returncode, done.stdout) == (0, "")
    assert f"already up to date; 12 commits indexed, up to {catalog[1][-1][:12]}" in done.stderr
    assert run("index", "-q", *indexed) == (0, "", "")
    assert dump(indexed[3]) == before


# ---- log ---------------------------------------------------------------------------------


def test_log_json(truth: Truth, indexed: list[str], schemas: dict[str, Any]) -> None:
    # The history holds a broken file (commit 7): reported, then exit 3.
    data = report(schemas, "log", "log", *indexed, *AS_WRITTEN, code=3)
    assert log_view(data["commits"]) == truth.log_json()
    assert {(c["layout"], json.dumps(c["layout_change"])) for c in data["commits"]} == {
        ("tagged", "null")
    }


@pytest.mark.parametrize(
    ("options", "tag", "glob"),
    [(["--tag", "develop"], "develop", None), (["--package", "c*"], None, "c*")],
)
def test_log_json_of_a_tag_or_packages(
    truth: Truth,
    indexed: list[str],
    schemas: dict[str, Any],
    options: list[str],
    tag: str | None,
    glob: str | None,
) -> None:
    broken = tag == "develop"  # gotcha's broken file is in develop, and not c*
    data = report(schemas, "log", "log", *indexed, *AS_WRITTEN, *options, code=3 if broken else 0)
    assert log_view(data["commits"]) == truth.log_json(tag, glob)


def test_log_json_of_a_range_and_of_dates(
    truth: Truth, indexed: list[str], schemas: dict[str, Any]
) -> None:
    shas = [c.sha for c in truth.commits]
    full = truth.log_json()
    data = report(schemas, "log", "log", *indexed, *AS_WRITTEN, f"{shas[2]}..{shas[8]}", code=3)
    assert log_view(data["commits"]) == full[3:9]
    data = report(schemas, "log", "log", *indexed, "-n", "2")
    assert [c["commit"] for c in data["commits"]] == [shas[11], shas[10]]
    # Bare dates are whole UTC days: C1 and C2 on 2025-04-02, C3 at 22:30 UTC on 04-03.
    data = report(schemas, "log", "log", *indexed, "--since", "2025-04-02", "--until", "2025-04-03")
    assert [c["commit"] for c in data["commits"]] == [shas[3], shas[2], shas[1]]


# ---- history -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "tag"),
    [
        ("gcc", None),
        ("gotcha", None),
        ("gotcha", "develop"),
        ("ccache", "develop"),
        ("bc", None),
        ("libquo", "v0.23.0"),
        ("sensei", None),
    ],
)
def test_history_json(
    truth: Truth, indexed: list[str], schemas: dict[str, Any], package: str, tag: str | None
) -> None:
    options = ["--tag", tag] if tag else []
    code = 3 if package == "gotcha" else 0  # its file is broken at commit 7
    data = report(
        schemas, "history", "history", package, *indexed, *RAW, *AS_WRITTEN, *options, code=code
    )
    assert (data["package"], data["tag"]) == (package, tag)
    got = [{k: e[k] for k in ("commit", "date", "subject", "change")} for e in data["events"]]
    assert got == truth.history_json_events(package, tag)
    assert got  # every package asked about has a history


def test_history_of_an_unknown_package(indexed: list[str]) -> None:
    code, out, err = run("history", "gcc-ng", *indexed)
    assert (code, out) == (3, "")
    assert "gcc-ng" in one_error_line(err)


# ---- when --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("package", "tag", "option", "value"),
    [
        ("ccache", "develop", "--target", "x86_64_v3"),
        ("libcatalyst", "develop", "--stack", "aws-pcluster-x86_64_v4"),
        ("libcatalyst", "develop", "--compiler", "oneapi@=2024.2.1"),
        ("hdf5", "develop", "--version", "1.14.6"),
        ("hdf5", "develop", "--target", "zen9"),
        ("gcc", "develop-2025-03-30", "--compiler", "gcc@10.5.0"),
        ("zfp", "v0.23.0", "--compiler", "cce@=15.0.1"),
    ],
)
def test_when_json(
    truth: Truth,
    indexed: list[str],
    schemas: dict[str, Any],
    package: str,
    tag: str,
    option: str,
    value: str,
) -> None:
    never = "hdf5 has no target 'zen9' in any tag of the index" if value == "zen9" else None
    data = report(
        schemas, "when", "when", package, option, value, "--tag", tag, *indexed, *RAW, warning=never
    )
    assert data.pop("problems") == []
    assert data == truth.when_json(package, tag, option.lstrip("-"), value)


def test_when_json_of_a_hash_and_a_prefix(
    truth: Truth, indexed: list[str], schemas: dict[str, Any]
) -> None:
    spec = truth.snapshots[0].packages[("develop", "ccache")].specs[0]
    for value in (spec.hash, "/" + spec.hash[:7]):
        data = report(schemas, "when", "when", "ccache", "--hash", value, *indexed, *RAW)
        assert data.pop("problems") == []
        assert data == truth.when_json("ccache", "develop", "hash", value)
        assert len(data["intervals"]) == 1 and not data["present_at_end"]


def test_when_across_a_broken_file_reports_it_and_exits_3(
    truth: Truth, indexed: list[str], schemas: dict[str, Any]
) -> None:
    data = report(schemas, "when", "when", "gotcha", "--stack", "e4s", *indexed, *RAW, code=3)
    problems = data.pop("problems")
    assert data == truth.when_json("gotcha", "develop", "stack", "e4s")
    assert len(data["intervals"]) == 2  # the broken commit is not "present"
    broken = truth.commits[7].sha
    assert [(p["commit"], p["path"]) for p in problems] == [
        (broken, "_cache/develop/gotcha/specs.md")
    ]


def test_when_needs_exactly_one_query(indexed: list[str]) -> None:
    code, out, err = run("when", "gcc", *indexed)
    assert (code, out) == (2, "")
    code, out, err = run("when", "gcc", "--target", "a", "--stack", "b", *indexed)
    assert (code, out) == (2, "")
    one_error_line(err)


# ---- show --------------------------------------------------------------------------------


def expected_show(truth: Truth, i: int) -> dict[str, Any]:
    snap = truth.snapshots[i]
    tags: dict[str, Any] = {tag: {"packages": {}} for tag in snap.tags}
    for (tag, name), package in snap.packages.items():
        specs = package.specs
        tags[tag]["packages"][name] = {
            "specs": len(specs),
            "targets": sorted({s.target for s in specs}),
            "stacks": sorted({st for s in specs for st in s.stacks}),
            "compilers": sorted({s.compiler for s in specs}),
            "versions": sorted({v for s in specs for v in s.versions}),
        }
    return {"commit": truth.commits[i].sha, "date": truth.commits[i].date, "tags": tags}


def show_view(data: dict[str, Any]) -> dict[str, Any]:
    tags = {
        tag: {
            "packages": {
                n: {k: p[k] for k in ("specs", "targets", "stacks", "compilers", "versions")}
                for n, p in value["packages"].items()
            }
        }
        for tag, value in data["tags"].items()
    }
    return {"commit": data["commit"], "date": data["date"], "tags": tags}


@pytest.mark.parametrize("i", [0, 4, 11])
def test_show_json(
    truth: Truth, catalog: tuple[GitRepoBuilder, list[str]], schemas: dict[str, Any], i: int
) -> None:
    data = report(schemas, "show", "show", "--repo", str(catalog[0].path), catalog[1][i])
    assert show_view(data) == expected_show(truth, i)


def test_show_json_of_one_package_lists_its_specs(
    truth: Truth, catalog: tuple[GitRepoBuilder, list[str]], schemas: dict[str, Any]
) -> None:
    args = ("show", "--repo", str(catalog[0].path), "--tag", "develop", "--package", "kokkos")
    data = report(schemas, "show", *args)
    (package,) = data["tags"]["develop"]["packages"].values()
    specs = truth.snapshots[-1].packages[("develop", "kokkos")].specs
    assert package["spec_details"] == [s.as_dict() for s in specs]
    assert package["specs"] == len(specs) > 30
    assert package["targets"] == sorted(facet_values(specs, "targets"))


def test_show_json_of_a_broken_commit_exits_3(
    truth: Truth, catalog: tuple[GitRepoBuilder, list[str]], schemas: dict[str, Any]
) -> None:
    data = report(schemas, "show", "show", "--repo", str(catalog[0].path), catalog[1][7], code=3)
    assert show_view(data) == expected_show(truth, 7)
    assert [p["path"] for p in data["problems"]] == ["_cache/develop/gotcha/specs.md"]


# ---- --at --------------------------------------------------------------------------------

#: ``--at`` values and the commit (index into STEPS) they must pick.
AT = [
    ("2025-04-06T06:00:00+00:00", 5),  # exactly a commit's date
    ("2025-04-06T08:00:00+02:00", 5),  # the same moment at another offset
    ("2025-04-06T05:59:59Z", 4),  # one second before it
    ("2025-04-05T18:00:00", 4),  # between two commits (no offset: UTC)
    ("2025-04-02", 2),  # a bare date is the end of that UTC day: C1 and C2 are on it
    ("2025-04-03", 3),  # C3 is 2025-04-04 at +02:00, still 2025-04-03 in UTC
    ("2025-04-01T06:00:00+00:00", 0),  # the first commit
    ("2030-01-01", 11),  # after the last commit
]


def test_the_at_table_matches_the_commit_dates() -> None:
    assert [s.date for s in STEPS][5] == "2025-04-06T06:00:00+00:00"
    assert STEPS[3].date == "2025-04-04T00:30:00+02:00"


@pytest.mark.parametrize(
    ("old", "new"), [(AT[0], AT[4]), (AT[2], AT[5]), (AT[3], AT[1]), (AT[6], AT[7])]
)
def test_diff_at_two_dates(
    catalog: tuple[GitRepoBuilder, list[str]], old: tuple[str, int], new: tuple[str, int]
) -> None:
    repo, shas = catalog
    args = ["diff", "--repo", str(repo.path), "--at", old[0], "--at", new[0], "--format", "json"]
    code, out, err = run(*args)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["old"]["commit"], data["new"]["commit"]) == (shas[old[1]], shas[new[1]])
    code, expected, _ = run(
        "diff", "--repo", str(repo.path), shas[old[1]], shas[new[1]], "--format", "json"
    )
    assert code == 0
    assert data["summary"] == json.loads(expected)["summary"]


def test_diff_at_one_date_compares_with_head(catalog: tuple[GitRepoBuilder, list[str]]) -> None:
    repo, shas = catalog
    code, out, err = run("diff", "--repo", str(repo.path), "--at", "2025-04-02", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["old"]["commit"], data["new"]["commit"]) == (shas[2], shas[11])


@pytest.mark.parametrize(("at", "i"), AT)
def test_show_at(
    truth: Truth,
    catalog: tuple[GitRepoBuilder, list[str]],
    schemas: dict[str, Any],
    at: str,
    i: int,
) -> None:
    data = report(schemas, "show", "show", "--repo", str(catalog[0].path), "--at", at)
    assert show_view(data) == expected_show(truth, i)


@pytest.mark.parametrize("command", ["show", "diff"])
@pytest.mark.parametrize("at", ["2025-03-31", "2025-04-01T05:59:59+00:00"])
def test_at_before_the_first_commit_is_a_data_error(
    catalog: tuple[GitRepoBuilder, list[str]], command: str, at: str
) -> None:
    code, out, err = run(command, "--repo", str(catalog[0].path), "--at", at)
    assert (code, out) == (3, "")
    assert at in one_error_line(err)


def test_at_that_is_not_a_date_is_a_usage_error(catalog: tuple[GitRepoBuilder, list[str]]) -> None:
    code, out, err = run("show", "--repo", str(catalog[0].path), "--at", "yesterday")
    assert (code, out) == (2, "")
    one_error_line(err)


# ---- the index file going wrong ----------------------------------------------------------


def random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(8192))


def foreign_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()


def newer_index(path: Path, catalog: tuple[GitRepoBuilder, list[str]]) -> None:
    assert run("index", "-q", "--repo", str(catalog[0].path), "--index", str(path))[0] == 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p, c: random_bytes(p), "not"),
        (newer_index, "newer catalog-diff"),
    ],
    ids=["random-bytes", "newer-schema"],
)
@pytest.mark.parametrize(
    "command", [["index"], ["log"], ["history", "gcc"], ["when", "gcc", "--target", "aarch64"]]
)
def test_a_bad_index_file_is_refused_untouched_then_rebuilt(
    catalog: tuple[GitRepoBuilder, list[str]],
    tmp_path: Path,
    make: Callable[[Path, tuple[GitRepoBuilder, list[str]]], None],
    words: str,
    command: list[str],
    indexed: list[str],
) -> None:
    path = tmp_path / "index.sqlite"
    make(path, catalog)
    before = path.read_bytes()
    code, out, err = run(*command, "--repo", str(catalog[0].path), "--index", str(path))
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert str(path) in line and words in line and "--rebuild" in line
    assert path.read_bytes() == before  # refused before anything was written
    code, out, err = run(
        "index", "--rebuild", "-q", "--repo", str(catalog[0].path), "--index", str(path)
    )
    assert (code, out, err) == (0, "", "")
    assert dump(path) == dump(indexed[3])
    assert integrity(path) == "ok"


@pytest.mark.parametrize(
    "command", [["index"], ["log"], ["history", "gcc"], ["when", "gcc", "--target", "aarch64"]]
)
def test_a_database_of_another_program_is_never_touched(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "notes.sqlite"
    foreign_database(path)
    before = path.read_bytes()
    code, out, err = run(*command, "--repo", str(catalog[0].path), "--index", str(path))
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert "not a catalog-diff index" in line and "give another --index FILE" in line
    code, out, err = run(
        "index", "--rebuild", "-q", "--repo", str(catalog[0].path), "--index", str(path)
    )
    assert (code, out) == (2, "")
    assert "a database of another program; not deleting it" in one_error_line(err)
    assert path.read_bytes() == before


def test_an_index_of_another_repository_is_refused(
    catalog: tuple[GitRepoBuilder, list[str]], indexed: list[str], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(catalog[0].path, other)
    copy = tmp_path / "index.sqlite"
    shutil.copyfile(indexed[3], copy)
    code, out, err = run("log", "--repo", str(other), "--index", str(copy))
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert "another repository" in line and "--rebuild" in line


# ---- rewritten history -------------------------------------------------------------------


@pytest.fixture
def short(tmp_path: Path) -> GitRepoBuilder:
    """The first four commits of the history, in a repository of its own."""
    repo = GitRepoBuilder(tmp_path / "short")
    for step in STEPS[:4]:
        repo.write(step.write(repo))
        repo.delete(step.delete(repo))
        repo.commit(step.subject, date=step.date)
    return repo


@pytest.mark.parametrize("command", [["index"], ["log"], ["history", "gcc"]])
def test_a_rewritten_history_is_refused_until_rebuilt(
    short: GitRepoBuilder, tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "index.sqlite"
    where = ["--repo", str(short.path), "--index", str(path)]
    assert run("index", "-q", *where) == (0, "", "")
    indexed_tip = short.rev_parse("HEAD")
    short.git(
        "commit",
        "-q",
        "--amend",
        "-m",
        "develop: remove ccache (amended)",
        date="2025-04-04T01:00:00+02:00",
    )
    assert short.rev_parse("HEAD") != indexed_tip
    before = dump(path)
    code, out, err = run(*command, *where)
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert "another history" in line and "--rebuild" in line
    assert dump(path) == before

    assert run("index", "--rebuild", "-q", *where) == (0, "", "")
    fresh = tmp_path / "fresh.sqlite"
    assert run("index", "-q", "--repo", str(short.path), "--index", str(fresh))[0] == 0
    assert dump(path) == dump(fresh)
    code, out, _ = run("log", *where, "--format", "json", "-n", "1")
    assert code == 0
    assert json.loads(out)["commits"][0]["subject"] == "develop: remove ccache (amended)"
