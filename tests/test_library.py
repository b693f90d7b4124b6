"""The library's surface: what ``dir()`` shows, one-line errors for bad choices, and the
built-in release-notes template printed for copying."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import catalog_diff
from catalog_diff.cli import main
from catalog_diff.render.release_notes import builtin_template

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = (str(ROOT / "snapshots" / f"develop-2025-03-{d}.json") for d in ("23", "30"))


def test_dir_lists_the_public_api() -> None:
    names = dir(catalog_diff)
    assert set(catalog_diff.__all__) <= set(names)
    assert "importlib" not in names and "TYPE_CHECKING" not in names
    assert names == sorted(names)
    for name in catalog_diff.__all__:
        assert getattr(catalog_diff, name) is not None


@pytest.fixture(scope="module")
def comparison() -> catalog_diff.Comparison:
    return catalog_diff.diff(OLD, NEW)


def test_an_unknown_format_is_a_usage_error(comparison: catalog_diff.Comparison) -> None:
    with pytest.raises(catalog_diff.UsageError) as caught:
        catalog_diff.render_report(comparison, "yaml")
    assert str(caught.value) == "unknown format 'yaml'; one of: text, markdown, json, github, html"
    assert isinstance(caught.value, catalog_diff.CatalogDiffError)


@pytest.mark.parametrize(
    "kind, fmt, message",
    [
        ("nope", "text", "unknown report 'nope'; one of: log, history, when, show"),
        ("show", "github", "unknown format 'github'; one of: text, markdown, json"),
        ("show", None, "unknown format None; one of: text, markdown, json"),
    ],
)
def test_audit_reports_refuse_unknown_choices(kind: str, fmt: str, message: str) -> None:
    state = catalog_diff.show(OLD)
    with pytest.raises(catalog_diff.UsageError) as caught:
        catalog_diff.render_audit(kind, state, fmt)
    assert str(caught.value) == message
    assert catalog_diff.render_audit("show", state, "text").startswith("source: ")


def test_print_template_prints_the_builtin_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["release-notes", "--print-template"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == builtin_template()
    # As a start for --template: the printed copy gives the same notes.
    copy = tmp_path / "notes.md.j2"
    copy.write_text(result.stdout, encoding="utf-8")
    args = ["release-notes", "--tag", "develop", OLD, NEW]
    builtin = CliRunner().invoke(main, args)
    copied = CliRunner().invoke(main, [*args, "--template", str(copy)])
    assert builtin.exit_code == copied.exit_code == 0
    assert builtin.stdout == copied.stdout


def test_saving_a_partial_snapshot_is_a_usage_error(tmp_path: Path) -> None:
    from dataclasses import replace

    whole = catalog_diff.snapshot(OLD)
    partial = replace(whole, complete=False)
    with pytest.raises(catalog_diff.UsageError, match="only a complete snapshot can be saved"):
        catalog_diff.save_snapshot(str(tmp_path / "s.json"), partial)
    assert not (tmp_path / "s.json").exists()
