"""``catalog-diff lint``: clean on the real samples, and each finding on a crafted catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from click.testing import CliRunner

from catalog_diff import api
from catalog_diff.cli import main
from catalog_diff.errors import ParseError
from catalog_diff.lint.checks import parse_tags_yaml
from catalog_diff.model.lint import CODES
from gitrepo import SAMPLES, GitRepoBuilder, sample_tree, write_tree

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "src" / "catalog_diff" / "schemas" / "lint.schema.json").read_text())
WEEK = "develop-2025-03-30"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def tags_yaml(*tags: str) -> bytes:
    return "".join(f"- name: {t}\n  stacks:\n  - root\n" for t in tags).encode()


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    """Every saved tag of the samples, with a tags.yaml listing exactly those tags."""
    repo = GitRepoBuilder(tmp_path_factory.mktemp("real") / "catalog")
    tags = sorted(p.name for p in (SAMPLES / "cache").iterdir())
    files: dict[str, bytes] = {"_data/tags.yaml": tags_yaml(*tags)}
    for tag in tags:
        files.update(sample_tree(tag))
    repo.write(files)
    repo.commit("every saved tag")
    return repo


def test_the_real_samples_are_clean(real: GitRepoBuilder) -> None:
    for fmt in ("text", "markdown", "json"):
        code, out, err = run("lint", "--repo", str(real.path), "--format", fmt)
        assert (code, err) == (0, ""), err
        assert "No findings." in out or '"findings": []' in out
    data = json.loads(run("lint", "--repo", str(real.path), "--format", "json")[1])
    jsonschema.validate(data, SCHEMA)
    assert data["summary"]["packages"] == 220 - 13  # the older layouts' files are not here
    assert data["summary"]["tags_yaml_checked"] is True


def test_one_weekly_tag_in_a_repository_is_clean(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree(WEEK))
    repo.commit("one week")
    code, out, err = run("lint", "--repo", str(repo.path), "HEAD")
    assert (code, err) == (0, "")
    assert "72 packages in 1 tag" in out
    assert "_data/tags.yaml not found" in out


def test_the_older_layouts_are_clean(tmp_path: Path) -> None:
    legacy = SAMPLES / "legacy" / "specs-md-flat" / "_cache"
    files = {f"_cache/{p.name}/specs.md": (p / "specs.md").read_bytes() for p in legacy.iterdir()}
    write_tree(tmp_path, files)
    report = api.lint(str(tmp_path))
    # Their spec files were not saved: every listed one is missing, nothing else is wrong.
    assert {f.code for f in report.findings} == {"unreadable-file"}
    assert all("spec file missing" in f.message for f in report.findings)


# ---- each finding --------------------------------------------------------------------------


def edit(data: bytes, key: str, change: Any) -> bytes:
    """A package file with its ``meta`` or ``spec_details`` line changed by ``change``."""
    lines = data.split(b"\n")
    i = next(n for n, line in enumerate(lines) if line.startswith(key.encode() + b": "))
    value = orjson.loads(lines[i][len(key) + 2 :])
    lines[i] = key.encode() + b": " + orjson.dumps(change(value))
    return b"\n".join(lines)


def meta(**changes: Any) -> Any:
    return lambda m: {**m, **changes}


CMAKE = f"_cache/{WEEK}/cmake/specs.md"
BC = f"_cache/{WEEK}/bc/specs.md"


def _without_root(spec: dict[str, Any]) -> dict[str, Any]:
    return {**spec, "stacks": [s for s in spec["stacks"] if s != "root"]}


def crafted() -> dict[str, tuple[dict[str, bytes | None], set[str]]]:
    week = sample_tree(WEEK)
    bc = week[BC]
    second_bc_hash = orjson.loads(bc.split(b"\n")[5][14:])[1]["hash"]
    return {
        "num_specs": ({BC: edit(bc, "meta", meta(num_specs=3))}, {"meta-num-specs"}),
        "num_specs missing": (
            {BC: edit(bc, "meta", lambda m: {k: v for k, v in m.items() if k != "num_specs"})},
            {"meta-num-specs"},
        ),
        "by stack": (
            {BC: edit(bc, "meta", meta(num_specs_by_stack={"e4s": 2, "root": 2, "tutorial": 1}))},
            {"meta-num-specs-by-stack"},
        ),
        "compilers as written": (
            # The normalised spelling is not what the catalog writes in meta.
            {BC: edit(bc, "meta", meta(compilers=["gcc@=11.4.0"]))},
            {"meta-compilers"},
        ),
        "unsorted targets": (
            {BC: edit(bc, "meta", meta(targets=["x86_64_v3", "neoverse_v2"]))},
            {"meta-targets"},
        ),
        "stacks, oss, platforms, versions": (
            {
                BC: edit(
                    bc,
                    "meta",
                    meta(stacks=["root"], oss=["rhel8"], platforms=[], versions=["1.07.1", "x"]),
                )
            },
            {"meta-stacks", "meta-oss", "meta-platforms", "meta-versions"},
        ),
        "meta missing": (
            {BC: b"\n".join(line for line in bc.split(b"\n") if not line.startswith(b"meta:"))},
            {"meta-missing"},
        ),
        "meta unreadable": ({BC: edit(bc, "meta", lambda m: [m])}, {"unreadable-file"}),
        "duplicate hash": (
            {
                BC: edit(
                    edit(bc, "spec_details", lambda s: [s[0], s[0], s[1]]),
                    "meta",
                    meta(
                        num_specs=3,
                        num_specs_by_stack={
                            "e4s": 2,
                            "e4s-neoverse-v2": 1,
                            "root": 3,
                            "tutorial": 2,
                        },
                    ),
                )
            },
            {"duplicate-hash"},
        ),
        "hash in two packages": (
            {f"_cache/{WEEK}/bc2/specs.md": bc},
            {"hash-in-two-packages"},
        ),
        "stray files": (
            {
                f"_cache/{WEEK}/bc/README.md": b"notes\n",
                f"_cache/{WEEK}/specs.md": bc,
                "_cache/index.html": b"<html>",
                f"_cache/{WEEK}/bc/spec-0.json": b"{}",
            },
            {"stray-file"},
        ),
        "unreadable": ({BC: bc[:100]}, {"unreadable-file"}),
        "tags.yaml both ways": (
            {"_data/tags.yaml": tags_yaml("develop", "v0.23.1")},
            {"tag-not-in-cache", "tag-not-in-tags-yaml"},
        ),
        "tags.yaml matches": ({"_data/tags.yaml": tags_yaml(WEEK)}, set()),
        "tags.yaml lists a stack without specs": (
            {
                "_data/tags.yaml": f"- name: {WEEK}\n  stacks:\n  - e4s\n  - root\n"
                "  - aws-ahug\n".encode()
            },
            {"stack-empty"},
        ),
        "tags.yaml alias bomb": (
            {"_data/tags.yaml": b'- name: &a "x"\n- name: *a\n'},
            {"unreadable-file"},
        ),
        "tags.yaml not a list": ({"_data/tags.yaml": b"develop: yes\n"}, {"unreadable-file"}),
        "hole: a spec built in a stack but not in root": (
            {
                BC: edit(
                    edit(bc, "spec_details", lambda s: [_without_root(s[0]), s[1]]),
                    "meta",
                    meta(
                        num_specs_by_stack={
                            "e4s": 1,
                            "e4s-neoverse-v2": 1,
                            "root": 1,
                            "tutorial": 1,
                        }
                    ),
                )
            },
            {"hole"},
        ),
        "hole: a stack counted larger than root": (
            {
                BC: edit(
                    bc,
                    "meta",
                    meta(
                        num_specs_by_stack={
                            "e4s": 3,
                            "root": 2,
                            "tutorial": 1,
                            "e4s-neoverse-v2": 1,
                        }
                    ),
                )
            },
            {"hole", "meta-num-specs-by-stack"},
        ),
        "second hash only": (
            {
                f"_cache/{WEEK}/other/specs.md": edit(
                    bc,
                    "spec_details",
                    lambda s: [spec for spec in s if spec["hash"] == second_bc_hash],
                )
            },
            {
                "hash-in-two-packages",
                "meta-num-specs",
                "meta-num-specs-by-stack",
                "meta-stacks",
                "meta-targets",
            },
        ),
    }


CRAFTED = crafted()


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_each_finding(name: str, tmp_path: Path) -> None:
    changes, expected = CRAFTED[name]
    files = sample_tree(WEEK) | changes
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write({k: v for k, v in files.items() if v is not None})
    repo.commit(name)
    code, out, err = run("lint", "--repo", str(repo.path), "--format", "json")
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert {f["code"] for f in data["findings"]} == expected, data["findings"]
    assert code == (3 if "unreadable-file" in expected else 1 if expected else 0)
    if expected:
        assert err.count("\n") == 1
    # A directory holding the same files gives the same findings.
    write_tree(tmp_path / "tree", {k: v for k, v in files.items() if v is not None})
    from_dir = api.lint(str(tmp_path / "tree"))
    assert [(f.code, f.path, f.message) for f in from_dir.findings] == [
        (f["code"], f["path"], f["message"]) for f in data["findings"]
    ]


def test_every_code_is_exercised_and_documented() -> None:
    seen = set().union(*(codes for _, codes in CRAFTED.values())) | {"empty-tag"}
    assert seen == set(CODES)
    readme = (ROOT / "README.md").read_text()
    for code in CODES:
        assert f"`{code}`" in readme, code
    assert SCHEMA["$defs"]["code"]["enum"] == list(CODES)


def test_an_empty_tag_folder(tmp_path: Path) -> None:
    write_tree(tmp_path, sample_tree(WEEK))
    (tmp_path / "_cache" / "develop").mkdir()
    report = api.lint(str(tmp_path))
    assert [(f.code, f.path) for f in report.findings] == [("empty-tag", "_cache/develop")]


def test_reports_in_each_format_and_the_schema_command(tmp_path: Path) -> None:
    files = sample_tree(WEEK) | CRAFTED["stray files"][0] | {BC: CRAFTED["num_specs"][0][BC]}
    write_tree(tmp_path, files)
    code, text, err = run("lint", str(tmp_path))
    assert code == 1
    assert err == "catalog-diff: 5 findings: 1 meta-num-specs, 4 stray-file\n"
    assert f"meta-num-specs  {BC}: meta.num_specs is 3; spec_details hold 2" in text
    assert "stray-file      _cache/index.html: no package file of any catalog layout" in text
    code, md, _ = run("lint", str(tmp_path), "--format", "markdown")
    assert "| `stray-file` | `_cache/index.html` | no package file of any catalog layout |" in md
    code, schema, _ = run("schema", "lint")
    assert json.loads(schema) == SCHEMA
    target = tmp_path / "lint.json"
    code, out, err = run("lint", str(tmp_path), "--format", "json", "-o", str(target), "-q")
    assert (code, out, err) == (1, "", "")
    jsonschema.validate(json.loads(target.read_text()), SCHEMA)


def test_data_errors_exit_three(tmp_path: Path) -> None:
    code, out, err = run("lint", "--repo", str(tmp_path), "HEAD")
    assert (code, out) == (3, "")
    assert err.startswith("catalog-diff: error: ") and "not a git repository" in err
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree(WEEK))
    repo.commit("one")
    code, out, err = run("lint", "--repo", str(repo.path), "no-such-rev")
    assert (code, out) == (3, "")
    assert "no-such-rev: unknown revision" in err
    snap = tmp_path / "snap.json"
    assert run("snapshot", "--repo", str(repo.path), "HEAD", "-o", str(snap), "-q")[0] == 0
    code, out, err = run("lint", str(snap))
    assert (code, out) == (2, "")
    assert "lint reads a revision or a directory, not a snapshot file" in err


def test_tags_yaml_parser() -> None:
    saved = (SAMPLES / "_data" / "tags.yaml").read_bytes()
    names = parse_tags_yaml(saved)
    assert len(names) == 35 and names[0] == "develop"
    bad_files = (b"- name: [1]\n", b"\xff", b"- stacks: []\n", b"!!python/name:os.system")
    for bad in bad_files:
        with pytest.raises(ParseError):
            parse_tags_yaml(bad)


def test_a_hole_names_its_specs_and_stacks(tmp_path: Path) -> None:
    changes, _ = CRAFTED["hole: a spec built in a stack but not in root"]
    write_tree(tmp_path, sample_tree(WEEK) | changes)
    report = api.lint(str(tmp_path))
    (hole,) = [f for f in report.findings if f.code == "hole"]
    assert (hole.tag, hole.package, hole.path) == (WEEK, "bc", BC)
    assert hole.message == (
        "1 spec(s) not in root, built in e4s, tutorial: 6t6pwe53bd7myarwj57sgkdxlgrbqr5h"
    )
