"""benchmarks/sections.py: run.py and index_run.py each rewrite only their own block of
RESULTS.md, and every other line of the file stays."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sections", ROOT / "benchmarks" / "sections.py")
assert _spec is not None and _spec.loader is not None
sections = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sections)

RESULTS = """\
<!-- BEGIN run.py -->
# results
old run.py table
<!-- END run.py -->

## History index (written by hand)

a note kept as it is

<!-- BEGIN index_run.py -->
old index table
<!-- END index_run.py -->

## Later notes
"""


def test_each_runner_replaces_its_own_block_only(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text(RESULTS)
    sections.write_section(path, "run.py", "# results\nnew run.py table\n")
    sections.write_section(path, "index_run.py", "new index table")
    assert path.read_text() == RESULTS.replace("old run.py table", "new run.py table").replace(
        "old index table", "new index table"
    )


def test_a_block_missing_from_the_file_is_added_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text("# notes\n")
    sections.write_section(path, "index_run.py", "table")
    assert (
        path.read_text()
        == "# notes\n\n<!-- BEGIN index_run.py -->\ntable\n<!-- END index_run.py -->\n"
    )
    missing = tmp_path / "new" / "out.md"
    sections.write_section(missing, "run.py", "t")
    assert missing.read_text() == "<!-- BEGIN run.py -->\nt\n<!-- END run.py -->\n"


@pytest.mark.parametrize(
    "text",
    [
        "<!-- BEGIN run.py -->\nx\n",
        "<!-- END run.py -->\nx\n<!-- BEGIN run.py -->\n",
        "<!-- BEGIN run.py -->\n<!-- END run.py -->\n<!-- BEGIN run.py -->\n<!-- END run.py -->\n",
    ],
)
def test_a_damaged_block_is_refused_and_the_file_left_as_it_was(tmp_path: Path, text: str) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text(text)
    with pytest.raises(ValueError, match=r"run\.py"):
        sections.write_section(path, "run.py", "new")
    assert path.read_text() == text
    assert [p.name for p in tmp_path.iterdir()] == ["RESULTS.md"]


def test_the_results_file_holds_both_blocks_once() -> None:
    text = (ROOT / "benchmarks" / "RESULTS.md").read_text()
    for name in ("run.py", "index_run.py"):
        begin, end = sections.markers(name)
        assert text.count(begin) == 1 and text.count(end) == 1
        assert text.index(begin) < text.index(end)
