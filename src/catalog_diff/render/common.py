"""Wording shared by the human-readable renderers."""

from __future__ import annotations

from ..model import Comparison, PackageChange, SourceInfo, Spec, SpecChanges, Summary

#: How each kind of spec change is named in prose, in report order.
SPEC_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("added", "added"),
    ("removed", "removed"),
    ("rebuilt", "rebuilt"),
    ("compiler_changed", "compiler changed"),
    ("version_changed", "version changed"),
    ("stacks_changed", "stacks changed"),
    ("fields_changed", "fields changed"),
)


_ANSI = {"bold": "1", "red": "31", "green": "32", "yellow": "33"}


def ansi(text: str, style: str | None) -> str:
    """``text`` in a terminal style (``bold``, ``red``, ``green``, ``yellow``); None: as is."""
    code = _ANSI.get(style or "")
    return f"\x1b[{code}m{text}\x1b[0m" if code else text


def short(commit: str | None) -> str:
    return commit[:12] if commit else ""


def describe_source(info: SourceInfo, tag: str | None) -> str:
    """``HEAD~1 (commit 0123456789ab, 2025-03-23T00:00:00+00:00), tag develop``."""
    details = []
    if info.commit:
        details.append(f"commit {short(info.commit)}")
    if info.date:
        details.append(info.date)
    text = info.source
    if details:
        text += f" ({', '.join(details)})"
    if tag:
        text += f", tag {tag}"
    return text


def spec_line(name: str, spec: Spec) -> str:
    """A spec in Spack's own notation, with its stacks and short hash."""
    versions = ",".join(spec.versions)
    parts = [f"{name}@{versions}", f"%{spec.compiler}"]
    parts.extend(spec.variants)
    parts.append(f"arch={spec.platform}-{spec.os}-{spec.target}")
    parts.append(f"[{', '.join(spec.stacks)}]")
    parts.append(f"/{spec.hash[:7]}")
    return " ".join(parts)


def spec_counts(specs: SpecChanges) -> str:
    """``3 added, 1 compiler changed`` (kinds with zero left out)."""
    parts = [f"{len(getattr(specs, kind))} {word}" for kind, word in SPEC_KIND_WORDS]
    return ", ".join(p for p in parts if not p.startswith("0 "))


def summary_rows(summary: Summary) -> list[tuple[str, str]]:
    """The summary as (label, counts) rows."""
    specs = ", ".join(
        f"{getattr(summary, 'specs_' + kind)} {word}" for kind, word in SPEC_KIND_WORDS
    )
    rows = [
        (
            "packages",
            f"{summary.packages_added} added, {summary.packages_removed} removed, "
            f"{summary.packages_changed} changed",
        ),
        ("specs", specs),
    ]
    if summary.tags_added or summary.tags_removed:
        rows.append(("tags", f"{summary.tags_added} added, {summary.tags_removed} removed"))
    if summary.problems:
        rows.append(("problems", f"{summary.problems} file(s) could not be read"))
    return rows


def package_label(change: PackageChange) -> str:
    return f"{change.tag}/{change.name}"


def headline(comparison: Comparison) -> str:
    if comparison.problems and not comparison.has_differences:
        return "No differences found, but some files could not be read (see problems)."
    if not comparison.has_differences:
        return "No differences."
    return ""
