"""Spack's version order, as the release notes use it: the order itself lives in
:mod:`catalog_diff.compare.versions`, below the comparison that classifies version moves."""

from __future__ import annotations

from ..compare.versions import VersionKey, newest, sort_versions, version_key

__all__ = ["VersionKey", "newest", "sort_versions", "version_key"]
