"""Where a repository's history index lives by default. Light: no git, no SQLite."""

from __future__ import annotations

import hashlib
from pathlib import Path


def default_index_path(git_dir: str, working_dir: str | None) -> Path:
    """``<user cache dir>/catalog-diff/<name>-<digest of the git dir>.sqlite``."""
    from platformdirs import user_cache_dir

    resolved = str(Path(git_dir).resolve())
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    name = Path(working_dir or resolved).name or "catalog"
    return Path(user_cache_dir("catalog-diff")) / f"{name}-{digest}.sqlite"
