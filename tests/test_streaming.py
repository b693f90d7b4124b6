"""The JSON report is written one package at a time, and is the same document, byte for
byte, as the whole report serialised at once; every format's pieces join into the report.

The catalogs are real: two weekly snapshots and the release pair of the samples, read
as directories, and a comparison with no package changed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog_diff import api
from catalog_diff.model.comparison import Comparison
from catalog_diff.render import CHUNK, FORMATS, render, render_chunks
from catalog_diff.render import json as json_report
from catalog_diff.render.escape import json_dumps
from gitrepo import sample_tree, write_tree

PAIRS = {
    "weekly": (("develop-2025-03-23", "develop"), ("develop-2025-03-30", "develop")),
    "release": (("v0.23.0", "develop"), ("v0.23.1", "develop")),
    "same": (("develop-2025-03-30", "develop"), ("develop-2025-03-30", "develop")),
}


def comparison(tmp_path: Path, pair: str) -> Comparison:
    sides = []
    for i, (tag_dir, as_tag) in enumerate(PAIRS[pair]):
        root = tmp_path / f"side{i}"
        write_tree(root, sample_tree(tag_dir, as_tag))
        sides.append(f"dir:{root}")
    return api.diff(sides[0], sides[1])


@pytest.mark.parametrize("pair", PAIRS)
def test_the_streamed_json_report_is_the_whole_document(pair: str, tmp_path: Path) -> None:
    result = comparison(tmp_path, pair)
    pieces = list(json_report.render(result))
    whole = json_dumps(json_report.to_dict(result))
    assert "\n".join(pieces) == whole
    # One piece per package (besides the head and the tail) when there are packages.
    assert len(pieces) == (len(result.packages) + 2 if result.packages else 1)
    assert json.loads(whole)["packages"] == [json.loads(p.rstrip(",")) for p in pieces[1:-1]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_in_pieces_is_the_report(fmt: str, tmp_path: Path) -> None:
    result = comparison(tmp_path, "weekly")
    pieces = list(render_chunks(result, fmt))
    assert "".join(pieces) == render(result, fmt)
    assert all(piece.endswith("\n") for piece in pieces)
    # Pieces are whole lines of about CHUNK characters (the last may be shorter).
    assert all(len(piece) >= CHUNK for piece in pieces[:-1])
