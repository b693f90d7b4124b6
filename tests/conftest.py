"""Shared fixtures: the real catalog samples and throwaway git repositories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gitrepo import SAMPLES, GitRepoBuilder, sample_tree


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files of the renderer tests instead of comparing with them",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Golden-file tests read ``pytestconfig.update_golden`` (or the option itself).
    config.update_golden = config.getoption("--update-golden")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def samples() -> Path:
    """The folder of real catalog files (tests/fixtures/catalog-samples)."""
    assert (SAMPLES / "NOTES.md").is_file(), SAMPLES
    return SAMPLES


@pytest.fixture(name="sample_tree", scope="session")
def sample_tree_fixture() -> Callable[..., dict[str, bytes]]:
    """:func:`gitrepo.sample_tree`, for tests that prefer a fixture to an import."""
    return sample_tree


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], GitRepoBuilder]:
    """A factory of empty git repositories below ``tmp_path`` (pinned identity and dates)."""

    def make(name: str = "catalog") -> GitRepoBuilder:
        return GitRepoBuilder(tmp_path / name)

    return make
