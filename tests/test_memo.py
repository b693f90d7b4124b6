"""memo: the spec parser's memo tables serve one load and are empty once it is over."""

from __future__ import annotations

from pathlib import Path

from catalog_diff.parse import memo
from catalog_diff.sources.directory import DirectorySource
from catalog_diff.sources.load import load
from gitrepo import sample_tree, write_tree


def _filled() -> dict[str, int]:
    return {
        "compiler_pairs": len(memo.compiler_pairs),
        "words": len(memo.words),
        "string_sets": len(memo.string_sets),
        "variant_lists": len(memo.variant_lists),
    }


def test_a_load_leaves_no_memo_behind(tmp_path: Path) -> None:
    write_tree(tmp_path, sample_tree("develop-2025-03-30", as_tag="develop"))
    memo.clear()
    seen: dict[str, int] = {}
    with memo.one_load():  # an outer block: the tables are still there after the load
        snap = load(DirectorySource(str(tmp_path)))
        seen = _filled()
    assert snap.packages
    assert all(seen.values()), seen  # the load used every table
    assert not any(_filled().values())  # and nothing outlives it


def test_specs_of_one_load_share_their_values(tmp_path: Path) -> None:
    write_tree(tmp_path, sample_tree("develop-2025-03-30", as_tag="develop"))
    snap = load(DirectorySource(str(tmp_path)))
    specs = [s for p in snap.packages.values() for s in p.specs]
    by_value: dict[str, str] = {}
    for spec in specs:
        first = by_value.setdefault(spec.os, spec.os)
        assert first is spec.os  # one object per value within a load
    assert not any(_filled().values())
