"""The history index as people read it: its tables, foreign keys and views, queried with
SQLite on an index built from a real git repository of the catalog samples; each distinct
spec stored once; and an index of the previous schema refused with the rebuild to run."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from gitrepo import GitRepoBuilder, sample_tree

FIXTURES = Path(__file__).parent / "fixtures"

#: Built by the catalog-diff of schema 1 on the repository of :func:`schema1_repo`.
SCHEMA_1 = FIXTURES / "index-schema-1.sqlite"

DATES = ("2025-03-23T12:00:00+00:00", "2025-03-30T12:00:00+00:00", "2025-04-06T12:00:00+00:00")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def specs_of(data: bytes) -> list[dict[str, Any]]:
    line = data.split(b"\nspec_details: ", 1)[1].split(b"\n", 1)[0]
    records: list[dict[str, Any]] = json.loads(line)
    return records


# ---- the views, on a real repository --------------------------------------------------


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three commits: develop and v0.23.1; develop a week later; cmake deleted."""
    root = tmp_path_factory.mktemp("views")
    repo = GitRepoBuilder(root / "repo")
    trees = [sample_tree("develop-2025-03-23", "develop") | sample_tree("v0.23.1")]
    repo.write(trees[0])
    shas = [repo.commit("first", date=DATES[0])]
    trees.append(trees[0] | sample_tree("develop-2025-03-30", "develop"))
    repo.write(trees[1])
    shas.append(repo.commit("a week later", date=DATES[1]))
    gone = "_cache/develop/cmake/specs.md"
    repo.delete([gone])
    trees.append({p: b for p, b in trees[1].items() if p != gone})
    shas.append(repo.commit("cmake deleted", date=DATES[2]))
    index = root / "index.sqlite"
    code, _, err = run("index", "-q", "--repo", str(repo.path), "--index", str(index))
    assert code == 0, err
    return {"repo": repo, "shas": shas, "trees": trees, "index": index}


def query(index: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_foreign_keys_are_declared_and_hold(catalog: dict[str, Any]) -> None:
    index = catalog["index"]
    declared = {
        (table, row[2], row[3], row[4])
        for table in ("specs", "spec_lists", "package_contents", "package_spans", "tag_spans")
        for row in query(index, f"PRAGMA foreign_key_list({table})")
    }
    assert declared >= {
        ("specs", "spec_bodies", "body_id", "id"),
        ("package_contents", "spec_lists", "spec_list_id", "id"),
        ("package_spans", "package_contents", "content_id", "id"),
        ("package_spans", "commits", "first_seq", "seq"),
        ("package_spans", "commits", "last_seq", "seq"),
        ("tag_spans", "commits", "first_seq", "seq"),
    }
    assert query(index, "PRAGMA foreign_key_check") == []
    tables = {r[0] for r in query(index, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"versions", "contents", "specsets", "files"}
    # The rule readers need is in the schema SQLite keeps.
    (sql,) = query(index, "SELECT sql FROM sqlite_master WHERE name = 'package_spans'")[0]
    assert "NULL: still there" in sql


def test_package_timeline_says_null_while_still_there(catalog: dict[str, Any]) -> None:
    shas, trees = catalog["shas"], catalog["trees"]
    rows = query(
        catalog["index"],
        "SELECT first_sha, last_sha, spec_count FROM package_timeline "
        "WHERE tag = 'develop' AND package = ? ORDER BY first_seq",
        "cmake",
    )
    counts = [len(specs_of(trees[k]["_cache/develop/cmake/specs.md"])) for k in (0, 1)]
    assert rows == [(shas[0], shas[0], counts[0]), (shas[1], shas[1], counts[1])]
    rows = query(
        catalog["index"],
        "SELECT first_sha, last_sha FROM package_timeline WHERE tag = ? AND package = ?",
        "v0.23.1",
        "cuda",
    )
    assert rows == [(shas[0], None)]


def test_catalog_at_commit_lists_every_package_with_its_spec_count(
    catalog: dict[str, Any],
) -> None:
    for sha, tree in zip(catalog["shas"], catalog["trees"], strict=True):
        rows = query(
            catalog["index"],
            "SELECT tag, package, spec_count, problem FROM catalog_at_commit WHERE sha = ?",
            sha,
        )
        expected = {
            (path.split("/")[1], path.split("/")[2], len(specs_of(data)), None)
            for path, data in tree.items()
        }
        assert sorted(rows) == sorted(expected)


def test_content_specs_give_each_file_s_specs_in_order(catalog: dict[str, Any]) -> None:
    data = catalog["trees"][1]["_cache/develop/hdf5/specs.md"]
    (content,) = query(
        catalog["index"],
        "SELECT content_id FROM catalog_at_commit WHERE sha = ? AND tag = ? AND package = ?",
        catalog["shas"][1],
        "develop",
        "hdf5",
    )[0]
    rows = query(
        catalog["index"],
        "SELECT hash, target, os, json(stacks) FROM content_specs "
        "WHERE content_id = ? ORDER BY position",
        content,
    )
    assert rows == [
        (s["hash"], s["target"], s["os"], json.dumps(s["stacks"], separators=(",", ":")))
        for s in specs_of(data)
    ]


def test_first_and_last_seen_of_a_target_stack_and_compiler(catalog: dict[str, Any]) -> None:
    shas, trees = catalog["shas"], catalog["trees"]

    def values(spec: dict[str, Any]) -> set[tuple[str, str]]:
        compiler = spec["compiler"].strip().replace("@=", "@", 1)
        found = {("target", spec["target"]), ("compiler", compiler)}
        return found | {("stack", stack) for stack in spec["stacks"]}

    seen: list[set[tuple[str, str]]] = [
        {v for data in tree.values() for spec in specs_of(data) for v in values(spec)}
        for tree in trees
    ]
    expected = {}
    for value in set().union(*seen):
        present = [k for k in range(3) if value in seen[k]]
        last = None if present[-1] == 2 else shas[present[-1]]
        expected[value] = (shas[present[0]], last)
    rows = query(catalog["index"], "SELECT kind, value, first_sha, last_sha FROM first_last_seen")
    assert {(kind, value): (a, b) for kind, value, a, b in rows} == expected
    assert any(last is not None for _, last in expected.values())  # something went away


def test_specs_per_stack_per_commit(catalog: dict[str, Any]) -> None:
    for sha, tree in zip(catalog["shas"], catalog["trees"], strict=True):
        expected: dict[tuple[str, str], int] = {}
        for path, data in tree.items():
            for spec in specs_of(data):
                for stack in spec["stacks"]:
                    key = (path.split("/")[1], stack)
                    expected[key] = expected.get(key, 0) + 1
        rows = query(
            catalog["index"],
            "SELECT tag, stack, specs FROM stack_specs_per_commit WHERE sha = ?",
            sha,
        )
        assert {(t, s): n for t, s, n in rows} == expected


def test_each_distinct_spec_is_stored_once(catalog: dict[str, Any]) -> None:
    index = catalog["index"]
    distinct = {
        json.dumps(spec, sort_keys=True)
        for tree in catalog["trees"]
        for data in tree.values()
        for spec in specs_of(data)
    }
    assert query(index, "SELECT COUNT(*) FROM specs") == [(len(distinct),)]
    assert query(index, "SELECT hash, body_id FROM specs GROUP BY 1, 2 HAVING COUNT(*) > 1") == []
    assert query(index, "SELECT body FROM spec_bodies GROUP BY 1 HAVING COUNT(*) > 1") == []


# ---- an index of schema 1 -------------------------------------------------------------


def schema1_repo(path: Path) -> GitRepoBuilder:
    """The repository the schema-1 fixture was built on (the same commits, bit for bit)."""

    def small(tree: dict[str, bytes]) -> dict[str, bytes]:
        return {p: b for p, b in tree.items() if len(b) < 12000}

    repo = GitRepoBuilder(path)
    repo.write(small(sample_tree("v0.23.0", "develop")))
    repo.commit("develop as v0.23.0", date=DATES[0])
    repo.write(small(sample_tree("v0.23.1", "develop")))
    repo.commit("develop as v0.23.1", date=DATES[1])
    return repo


def test_an_index_of_schema_1_names_the_rebuild_and_the_rebuild_makes_schema_2(
    tmp_path: Path,
) -> None:
    repo = schema1_repo(tmp_path / "repo")
    assert repo.rev_parse("HEAD") == "35ee1dc7437c6c30cca5f870792700b9ace1ab93"
    old = tmp_path / "old.sqlite"
    shutil.copyfile(SCHEMA_1, old)
    before = old.read_bytes()
    where = ["--repo", str(repo.path), "--index", str(old)]
    for command in (["index"], ["log", "--no-update"], ["history", "cuda", "--no-update"]):
        code, out, err = run(*command, *where)
        assert (code, out) == (3, ""), command
        assert err == (
            f"catalog-diff: error: {old}: an index of an older catalog-diff (schema 1, now 2), "
            "which stored every spec list whole; run 'catalog-diff index --rebuild'\n"
        )
        assert old.read_bytes() == before
    code, _, err = run("index", "--rebuild", "-q", *where)
    assert code == 0, err
    assert query(old, "PRAGMA user_version") == [(2,)]
    fresh = tmp_path / "fresh.sqlite"
    assert run("index", "-q", "--repo", str(repo.path), "--index", str(fresh))[0] == 0
    logs = [
        run("log", "--no-update", "--repo", str(repo.path), "--index", str(f)) for f in (old, fresh)
    ]
    assert logs[0] == logs[1] and logs[0][0] == 0 and logs[0][1]
