"""catalog-diff: what changed in the Spack build-cache catalog between two points.

Library use::

    from catalog_diff import diff, render_report
    comparison = diff("HEAD~1", "HEAD", repo="cache.spack.io")
    print(render_report(comparison, "markdown"))

The names below are imported on first use, so that ``import catalog_diff`` (and a
command that needs little, such as an up-to-date ``index``) stays cheap.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing itself is not imported: it costs more than the rest
if TYPE_CHECKING:
    from typing import Any

_DISTRIBUTION = "catalog-diff"
_UNKNOWN_VERSION = "0+unknown"  # run from a source tree that was never installed

# Names that are also submodules (history, compare, render) are exported under other
# names: importing the submodule would otherwise replace the function on the package.
_ALIASES = {
    "package_history": ("api", "history"),
    "compare_snapshots": ("compare.pairing", "compare"),
    "render_report": ("render", "render"),
    "lint_catalog": ("api", "lint"),
}

_EXPORTS = {
    "diff": "api",
    "snapshot": "api",
    "show": "api",
    "open_index": "api",
    "log": "api",
    "when": "api",
    "trends": "api",
    "release_notes": "api",
    "CatalogDiffError": "errors",
    "DataError": "errors",
    "ParseError": "errors",
    "UsageError": "errors",
    "Selection": "model.selection",
    "Comparison": "model.comparison",
    "Package": "model.snapshot",
    "PackageChange": "model.comparison",
    "PackageStatus": "model.comparison",
    "Problem": "model.snapshot",
    "Snapshot": "model.snapshot",
    "SourceInfo": "model.snapshot",
    "Spec": "model.snapshot",
    "SpecChanges": "model.comparison",
    "Summary": "model.comparison",
    "FORMATS": "render",
    "render_audit": "render",
    "render_release_notes": "render.release_notes",
}

__all__ = sorted([*_EXPORTS, *_ALIASES, "__version__", "save_snapshot"])


def __dir__() -> list[str]:
    """The public API (the names are imported on first use, so they are not globals)."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


def version() -> str:
    """The installed distribution's version, from its metadata. Read on first use:
    :mod:`importlib.metadata` costs more to import than ``catalog-diff --version`` itself."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(_DISTRIBUTION)
    except PackageNotFoundError:
        return _UNKNOWN_VERSION


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return version()
    if name == "save_snapshot":
        return importlib.import_module(".sources.snapshotsave", __name__).write
    if name in _ALIASES:
        home, attribute = _ALIASES[name]
        return getattr(importlib.import_module(f".{home}", __name__), attribute)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'catalog_diff' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
