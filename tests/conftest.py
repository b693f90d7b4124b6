"""Shared fixtures: the real catalog samples and throwaway git repositories."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from catalog_diff.process import gcpause as bulk
from gitrepo import SAMPLES, GitRepoBuilder, sample_tree

#: The fuzzing properties of tests/test_fuzz.py run a small fixed budget in the suite,
#: with a fixed seed (the same examples on every run, so CI is deterministic). A long
#: campaign sets the examples per property and draws new ones each run:
#:     CATALOG_DIFF_FUZZ_EXAMPLES=100000 .venv/bin/python -m pytest tests/test_fuzz.py
FUZZ_EXAMPLES = int(os.environ.get("CATALOG_DIFF_FUZZ_EXAMPLES") or 0)
settings.register_profile(
    "fuzz",
    deadline=None,
    derandomize=not FUZZ_EXAMPLES,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


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
    # No configuration file of the machine's user (compiler aliases) reaches a test;
    # tests of the configuration name their own file (also for the processes they start).
    os.environ["CATALOG_DIFF_CONFIG"] = ""


@pytest.fixture(autouse=True)
def _collector_as_found() -> Iterator[None]:
    """A command run in-process (click's CliRunner) has every later load freeze what is
    alive (catalog_diff.process.gcpause), for the rest of the process: undone after each test."""
    yield
    if bulk._freeze:
        bulk.freeze_after_loads(False)
        gc.unfreeze()


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    """v0.23.0 and v0.23.1 as two tag folders of one commit (shared by a module's tests:
    read it, never write to it)."""
    repo = GitRepoBuilder(tmp_path_factory.mktemp("releases") / "catalog")
    repo.write(sample_tree("v0.23.0") | sample_tree("v0.23.1"))
    repo.commit("Add v0.23.0 and v0.23.1", date="2024-12-20T10:00:00+00:00")
    return repo


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
