"""The package's layout: every module imports on its own, and the import contract holds.

A circular import shows only when the modules of a cycle are imported in a particular
order; the suite imports them in one order. Each module is imported here first, alone, in
a fresh interpreter, so that a cycle between stage packages fails here, naming the module.
"""

from __future__ import annotations

import importlib.metadata
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import catalog_diff
from gitrepo import GitRepoBuilder, sample_tree

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "catalog_diff"

ALL_MODULES = sorted(
    info.name for info in pkgutil.walk_packages(catalog_diff.__path__, prefix="catalog_diff.")
)
#: ``catalog_diff.__main__`` runs the command line when imported: run as ``python -m``.
MODULES = [m for m in ALL_MODULES if m != "catalog_diff.__main__"]

#: The stage packages: each holds its modules under its own name.
STAGES = (
    "model",
    "git",
    "sources",
    "parse",
    "compare",
    "history",
    "release",
    "lint",
    "render",
    "cli",
    "process",
)


def test_the_walk_finds_every_module_of_the_source_tree() -> None:
    files = {
        ".".join(("catalog_diff", *path.relative_to(SRC).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in SRC.rglob("*.py")
    }
    assert set(ALL_MODULES) | {"catalog_diff"} == files


def test_each_stage_is_a_package() -> None:
    for stage in STAGES:
        assert (SRC / stage / "__init__.py").is_file(), stage
    assert (SRC / "layout.py").is_file()
    assert (SRC / "errors.py").is_file()


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_on_its_own(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, f"import {module} failed:\n{done.stderr}"


def test_python_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "catalog_diff", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("catalog-diff")


@pytest.mark.parametrize(
    ("module", "loaded"),
    [
        ("catalog_diff.layout", ["catalog_diff.layout"]),
        ("catalog_diff.errors", ["catalog_diff.errors", "catalog_diff.layout"]),
    ],
)
def test_the_floor_imports_nothing_else_of_the_package(module: str, loaded: list[str]) -> None:
    code = (
        "import sys\n"
        f"import {module}\n"
        "print(sorted(m for m in sys.modules if m.startswith('catalog_diff.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == repr(loaded)


def test_the_fast_entry_point_imports_no_heavy_module() -> None:
    """What ``entry.py`` imports to answer an up-to-date ``index`` stays light: no click,
    no GitPython, no parser, no stage beyond the history index's file and schema."""
    code = (
        "import sys\n"
        "import catalog_diff.entry, catalog_diff.git.env\n"
        "import catalog_diff.history.indexpath, catalog_diff.history.migrations\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    heavy = {"click", "git", "yaml", "orjson", "deepdiff", "jinja2", "platformdirs"}
    assert not loaded & heavy
    ours = {m for m in loaded if m.startswith("catalog_diff.")}
    assert ours == {
        "catalog_diff.entry",
        "catalog_diff.errors",
        "catalog_diff.git",
        "catalog_diff.git.env",
        "catalog_diff.history",
        "catalog_diff.history.indexpath",
        "catalog_diff.history.migrations",
        "catalog_diff.layout",
    }


def test_version_comes_from_the_package_metadata_without_click() -> None:
    """``catalog-diff --version`` prints the installed distribution's version, answered
    by the entry point before click or any stage is imported."""
    code = (
        "import sys\n"
        "sys.argv = ['catalog-diff', '--version']\n"
        "from catalog_diff.entry import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "print(sorted(m for m in ('click', 'git', 'catalog_diff.cli') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    version = importlib.metadata.version("catalog-diff")
    assert done.stdout.splitlines() == [f"catalog-diff, version {version}", "[]"]


def test_version_option_of_the_click_group_reads_the_same_metadata() -> None:
    from click.testing import CliRunner

    import catalog_diff
    from catalog_diff.cli import main

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"catalog-diff, version {importlib.metadata.version('catalog-diff')}\n"
    assert catalog_diff.__version__ == importlib.metadata.version("catalog-diff")


@pytest.mark.parametrize(
    ("fmt", "renderers"),
    [
        ("json", {"json"}),
        ("text", {"text", "text_parts"}),
        ("github", {"github", "markdown_parts"}),
    ],
)
def test_a_diff_imports_only_the_renderer_of_its_format(
    tmp_path: Path, fmt: str, renderers: set[str]
) -> None:
    """A diff's report loads its own format's renderer, not the others, and never the
    history model (which only the audit reports need)."""
    for side, tag in (("old", "v0.23.0"), ("new", "v0.23.1")):
        for path, data in sample_tree(tag, as_tag="develop").items():
            (tmp_path / side / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / side / path).write_bytes(data)
    out = tmp_path / f"report.{fmt}"
    code = (
        "import sys\n"
        "from catalog_diff.entry import main\n"
        f"sys.argv = ['catalog-diff', 'diff', 'dir:{tmp_path / 'old'}', "
        f"'dir:{tmp_path / 'new'}', '--format', '{fmt}', '-q', '-o', '{out}']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, 1), exc.code\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0
    loaded = set(done.stdout.split())
    every = {"json", "text", "text_parts", "markdown", "markdown_parts", "github"}
    prefix = "catalog_diff.render."
    assert {m.removeprefix(prefix) for m in loaded if m.startswith(prefix)} & every == renderers
    assert "catalog_diff.model.history" not in loaded


def test_a_diff_of_two_revisions_loads_only_what_it_runs(tmp_path: Path) -> None:
    """A diff of two revisions of the current layout, its report written to a file, does
    not import the history index's calls, the older layouts' parser, the configuration
    file's TOML reader when there is no configuration file, nor ``secrets`` (the partial
    file's name comes from ``os.urandom``); the report is written all the same."""
    repo = GitRepoBuilder(tmp_path / "repo")
    for tag in ("v0.23.0", "v0.23.1"):
        repo.write(sample_tree(tag, as_tag="develop"))
        repo.commit(f"develop as {tag}")
    out = tmp_path / "report.json"
    code = (
        "import sys\n"
        "from catalog_diff.entry import main\n"
        f"sys.argv = ['catalog-diff', 'diff', 'HEAD~1', 'HEAD', '--repo', '{repo.path}', "
        f"'--format', 'json', '-q', '-o', '{out}']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, 1), exc.code\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    env = {**repo.env(), "CATALOG_DIFF_CONFIG": ""}  # no configuration file at all
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text("utf-8"))["packages"]
    loaded = set(done.stdout.split())
    assert "catalog_diff.sources.revision" in loaded  # the diff did read two revisions
    unused = {"catalog_diff.api.index", "catalog_diff.parse.legacy", "tomllib", "secrets"}
    assert not loaded & unused
