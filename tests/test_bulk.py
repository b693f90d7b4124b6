"""bulk: the collector is paused during a load and, for the command line, never walks a
loaded catalog again, while garbage made afterwards is still collected."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from catalog_diff.compare.fielddiff import FieldDescriber
from catalog_diff.process import gcpause as bulk
from catalog_diff.sources.directory import DirectorySource
from catalog_diff.sources.load import load
from gitrepo import sample_tree, write_tree


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector is undone."""
    enabled = gc.isenabled()
    yield
    bulk.freeze_after_loads(False)
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def _catalog(tmp_path: Path) -> DirectorySource:
    write_tree(tmp_path, sample_tree("develop-2025-03-30", as_tag="develop"))
    return DirectorySource(str(tmp_path))


def test_a_load_pauses_the_collector_and_restores_it(tmp_path: Path, collector: None) -> None:
    gc.enable()
    frozen = gc.get_freeze_count()
    snap = load(_catalog(tmp_path))
    assert snap.packages and gc.isenabled()
    assert gc.get_freeze_count() == frozen  # a library load freezes nothing
    gc.disable()
    load(_catalog(tmp_path))
    assert not gc.isenabled()  # left as it was found


def test_frozen_after_a_load_and_later_garbage_still_collected(
    tmp_path: Path, collector: None
) -> None:
    gc.enable()
    bulk.freeze_after_loads()
    frozen = gc.get_freeze_count()
    snap = load(_catalog(tmp_path))
    assert gc.isenabled() and gc.get_freeze_count() > frozen
    # deepdiff leaves cycles behind for every same-hash pair it describes: the collector
    # must still take them.
    spec = next(iter(snap.packages.values())).specs[0]
    other = type(spec)(*(getattr(spec, n) for n in type(spec).__slots__))
    object.__setattr__(other, "target", "elsewhere")
    for _ in range(2000):
        assert [c.name for c in FieldDescriber().describe(spec, other)] == ["target"]
    # A changed list field is described by deepdiff itself (a new describer each time,
    # so that each asks it).
    object.__setattr__(other, "variants", (*spec.variants, "+elsewhere"))
    for _ in range(2000):
        (_, variants) = FieldDescriber().describe(spec, other)
        assert (variants.name, variants.added) == ("variants", ("+elsewhere",))
    assert gc.collect() < 20_000  # with the collector off: about 200,000 left


def test_the_command_line_leaves_the_collector_on(tmp_path: Path, collector: None) -> None:
    _catalog(tmp_path)
    result = CliRunner().invoke(main, ["diff", str(tmp_path), str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert gc.isenabled() and bulk._freeze
