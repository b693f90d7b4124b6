"""The JSON contract: reports validate against the shipped schema, and the schema bites."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from catalog_diff.render.json import schema

GOLDEN = Path(__file__).parent / "golden"
REQUIRED_SUMMARY = {
    "packages_added",
    "packages_removed",
    "packages_changed",
    "specs_added",
    "specs_removed",
    "specs_rebuilt",
    "specs_compiler_changed",
    "specs_version_changed",
    "specs_stacks_changed",
}
SPEC_KEYS = {"hash", "versions", "compiler", "os", "platform", "target", "variants", "stacks"}


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    doc = json.loads(schema())
    jsonschema.Draft202012Validator.check_schema(doc)
    return jsonschema.Draft202012Validator(doc)


@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.json")))
def test_golden_reports_validate(name: str, validator) -> None:
    report = json.loads((GOLDEN / name).read_text())
    validator.validate(report)
    assert report["schema_version"] == 1
    assert set(report["summary"]) >= REQUIRED_SUMMARY
    for package in report["packages"]:
        for spec in package["specs"]["added"] + package["specs"]["removed"]:
            assert set(spec) == SPEC_KEYS
        for pair in package["specs"]["rebuilt"] + package["specs"]["compiler_changed"]:
            assert set(pair) - {"compiler_renamed"} == {"old", "new"}
            if "compiler_renamed" in pair:  # a rebuild whose compiler was only renamed
                renamed = pair["compiler_renamed"]
                assert pair in package["specs"]["rebuilt"]
                assert renamed == {"old": pair["old"]["compiler"], "new": pair["new"]["compiler"]}
                assert renamed["old"] != renamed["new"]


def test_schema_rejects_broken_reports(validator) -> None:
    report = json.loads((GOLDEN / "release-v0.23.json").read_text())
    assert validator.is_valid(report)
    for mutate in (
        lambda r: r.pop("summary"),
        lambda r: r["summary"].pop("specs_rebuilt"),
        lambda r: r["packages"][0].update(status="renamed"),
        lambda r: r["packages"][0]["specs"]["removed"][0].pop("hash"),
        lambda r: r["problems"].append({"side": "left", "path": "x", "message": "y"}),
        lambda r: r["old"].update(commit="HEAD"),
        lambda r: r.update(schema_version=2),
    ):
        broken = copy.deepcopy(report)
        mutate(broken)
        assert not validator.is_valid(broken)


def test_schema_command_prints_the_shipped_schema() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(schema())
