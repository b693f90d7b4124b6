"""Golden reports: the three formats on real data, byte for byte.

Regenerate after an intended change with ``pytest tests/test_golden.py --update-golden``
and review the diff of ``tests/golden/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from gitrepo import GitRepoBuilder, sample_tree

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
FORMATS = {"text": "txt", "markdown": "md", "json": "json", "html": "html"}


def check_golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} missing: run pytest with --update-golden"
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def troubled(tmp_path: Path) -> GitRepoBuilder:
    """Two commits: a tag appears, a tag goes, one file is broken on the new side."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    develop = sample_tree("develop-2025-03-23", as_tag="develop")
    keep = {k: v for k, v in develop.items() if k.split("/")[2] in {"bc", "cmake", "gcc", "qt"}}
    repo.write(keep | sample_tree("v0.22.2"))
    repo.commit("develop and v0.22.2", date="2025-03-23T06:00:00+00:00")
    repo.delete(sample_tree("v0.22.2"))
    newer = sample_tree("develop-2025-03-30", as_tag="develop")
    repo.write({k: newer[k] for k in keep if k in newer} | sample_tree("v0.23.1"))
    repo.write({"_cache/develop/qt/specs.md": newer["_cache/develop/qt/specs.md"][:300]})
    repo.commit("develop, v0.23.1, a truncated file", date="2025-03-30T06:00:00+00:00")
    return repo


@pytest.mark.parametrize("fmt", FORMATS)
def test_bundled_snapshots(fmt: str, pytestconfig: pytest.Config, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(
        [
            "diff",
            "snapshots/develop-2025-03-23.json",
            "snapshots/develop-2025-03-30.json",
            "--format",
            fmt,
        ]
    )
    assert (code, err) == (0, "")
    check_golden(f"develop-weekly.{FORMATS[fmt]}", out, pytestconfig.getoption("update_golden"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_release_tags(fmt: str, releases: GitRepoBuilder, pytestconfig: pytest.Config) -> None:
    code, out, err = run(
        [
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
            fmt,
        ]
    )
    assert (code, err) == (0, "")
    check_golden(f"release-v0.23.{FORMATS[fmt]}", out, pytestconfig.getoption("update_golden"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_tags_and_problems(fmt: str, troubled: GitRepoBuilder, pytestconfig: pytest.Config) -> None:
    code, out, err = run(["diff", "--repo", str(troubled.path), "HEAD~1", "HEAD", "--format", fmt])
    assert code == 3
    assert err.startswith("catalog-diff: error: new HEAD: _cache/develop/qt/specs.md: ")
    assert err.count("\n") == 1
    check_golden(f"tags-problems.{FORMATS[fmt]}", out, pytestconfig.getoption("update_golden"))
