"""catalog-diff: what changed in the Spack build-cache catalog between two points.

Library use::

    from catalog_diff import diff, render
    comparison = diff("HEAD~1", "HEAD", repo="cache.spack.io")
    print(render(comparison, "markdown"))
"""

from __future__ import annotations

from .api import diff, snapshot
from .compare import compare
from .errors import CatalogDiffError, DataError, ParseError, UsageError
from .load import Selection
from .model import (
    Comparison,
    Package,
    PackageChange,
    PackageStatus,
    Problem,
    Snapshot,
    SourceInfo,
    Spec,
    SpecChanges,
    Summary,
)
from .render import FORMATS, render
from .snapshotfile import write as save_snapshot

__version__ = "0.1.0"

__all__ = [
    "FORMATS",
    "CatalogDiffError",
    "Comparison",
    "DataError",
    "Package",
    "PackageChange",
    "PackageStatus",
    "ParseError",
    "Problem",
    "Selection",
    "Snapshot",
    "SourceInfo",
    "Spec",
    "SpecChanges",
    "Summary",
    "UsageError",
    "__version__",
    "compare",
    "diff",
    "render",
    "save_snapshot",
    "snapshot",
]
