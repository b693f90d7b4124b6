"""What the consistency audit finds (``catalog-diff lint``): the finding codes, one
finding, and the report of one audit. Frozen data only; :mod:`catalog_diff.lint.checks`
makes them, :mod:`catalog_diff.render.lint` writes them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .snapshot import SourceInfo

#: Every finding code, in report order, with what it means.
CODES: dict[str, str] = {
    "unreadable-file": "a file that could not be read (also makes the exit code 3)",
    "meta-missing": "a package file without meta",
    "meta-num-specs": "meta.num_specs is not the number of specs",
    "meta-num-specs-by-stack": "meta.num_specs_by_stack does not count the specs of each stack",
    "meta-compilers": "meta.compilers is not the sorted set of the specs' compilers as written",
    "meta-oss": "meta.oss is not the sorted set of the specs' operating systems",
    "meta-platforms": "meta.platforms is not the sorted set of the specs' platforms",
    "meta-stacks": "meta.stacks is not the sorted set of the specs' stacks",
    "meta-targets": "meta.targets is not the sorted set of the specs' targets",
    "meta-versions": "meta.versions is not the sorted set of the specs' versions",
    "duplicate-hash": "a hash that appears more than once in one package file",
    "hash-in-two-packages": "a hash found in two packages of one tag",
    "hole": "specs not in root (built in a stack mirror, missing from the top-level mirror), "
    "or a stack counted larger than root in meta.num_specs_by_stack",
    "stray-file": "something below _cache/ that is no package file of a known layout",
    "empty-tag": "a tag folder without packages",
    "tag-not-in-cache": "a tag listed in _data/tags.yaml without a folder in _cache/",
    "tag-not-in-tags-yaml": "a tag folder in _cache/ that _data/tags.yaml does not list",
    "stack-empty": "a stack _data/tags.yaml lists for a tag that no spec of the tag is in",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One inconsistency. ``path`` is the file concerned (None for a catalog-wide one)."""

    code: str
    message: str
    path: str | None = None
    tag: str | None = None
    package: str | None = None


@dataclass(frozen=True, slots=True)
class LintReport:
    """The findings of one audit, sorted by code (in :data:`CODES` order), tag, package,
    path and message; with what was checked."""

    source: SourceInfo
    findings: tuple[Finding, ...]
    packages: int
    tags: tuple[str, ...]
    entries: int
    tags_yaml: bool

    @property
    def unreadable(self) -> tuple[Finding, ...]:
        """The findings of files that could not be read (the audit is incomplete)."""
        return tuple(f for f in self.findings if f.code == "unreadable-file")

    def counts(self) -> dict[str, int]:
        """``{code: number of findings}`` for the codes found, in :data:`CODES` order."""
        found = Counter(f.code for f in self.findings)
        return {code: found[code] for code in CODES if found[code]}
