"""The README documents every command and option, and the exit codes the code uses."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import click
import pytest

from catalog_diff import errors
from catalog_diff.cli import EXIT_INTERNAL, main
from catalog_diff.process import interrupts, output

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, click.Command]]:
    return sorted(main.commands.items())


@pytest.mark.parametrize("name, command", _commands())
def test_every_command_and_option_is_in_the_readme(name: str, command: click.Command) -> None:
    assert f"catalog-diff {name}" in README
    for param in command.params:
        if isinstance(param, click.Option):
            longest = max(param.opts, key=len)
            if longest == "--help":
                continue
            assert longest in README, f"{name} {longest} is not documented"


def test_exit_codes_are_documented() -> None:
    table = dict(re.findall(r"^\| (\d+) \| (.+) \|$", README, flags=re.M))
    codes = {
        errors.EXIT_OK,
        errors.EXIT_DIFFERENCES,
        errors.EXIT_USAGE,
        errors.EXIT_DATA,
        EXIT_INTERNAL,
        interrupts.Interrupted(signal.SIGINT).exit_code,
        interrupts.Interrupted(signal.SIGTERM).exit_code,
        output.EXIT_CLOSED_PIPE,
    }
    assert {int(c) for c in table} == codes


def test_readme_quick_start_has_the_two_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    blocks = re.findall(r"```sh\n(.+?)\n```", README, flags=re.S)
    assert blocks[0].startswith("python3 -m venv .venv && ")
    assert "catalog-diff diff snapshots/" in blocks[0]
    assert blocks[1] in ci.splitlines()


def test_library_example_runs(tmp_path) -> None:
    from gitrepo import GitRepoBuilder, sample_tree

    repo = GitRepoBuilder(tmp_path / "cache.spack.io")
    repo.write(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.commit("week 12", date="2025-03-23T06:00:00+00:00")
    repo.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.write(sample_tree("develop-2025-03-30", as_tag="develop"))
    repo.commit("week 13", date="2025-03-30T06:00:00+00:00")
    example = re.search(r"```python\n(.+?)\n```", README, flags=re.S)
    assert example is not None
    code = example.group(1).replace('repo="cache.spack.io"', f"repo={str(repo.path)!r}")
    printed: list[str] = []
    exec(code, {"print": lambda *a: printed.append(" ".join(map(str, a)))})
    assert printed[0] == "68"
    assert printed[-1].startswith("## Catalog diff")
    import catalog_diff

    for name in catalog_diff.__all__:
        assert getattr(catalog_diff, name) is not None, name
    assert callable(catalog_diff.render_report) and callable(catalog_diff.package_history)


def test_every_test_security_md_names_exists() -> None:
    security = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(?:[\w/.]+::)?(test_\w+)`", security))
    defined = {
        name
        for path in (ROOT / "tests").glob("test_*.py")
        for name in re.findall(r"^def (test_\w+)", path.read_text(encoding="utf-8"), re.M)
    }
    assert len(named) >= 60
    assert named <= defined, sorted(named - defined)
