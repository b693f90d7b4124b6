"""The bundled snapshots are what the script makes from the real samples, byte for byte."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bundled_snapshots_are_up_to_date(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_sample_snapshots", ROOT / "scripts" / "make_sample_snapshots.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.build(tmp_path)
    assert [p.name for p in written] == ["develop-2025-03-23.json", "develop-2025-03-30.json"]
    for path in written:
        assert path.read_bytes() == (ROOT / "snapshots" / path.name).read_bytes(), path.name
