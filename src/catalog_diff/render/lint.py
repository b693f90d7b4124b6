"""The report of ``catalog-diff lint`` as text, Markdown or JSON.

Findings come in the order the audit sorted them (by code, tag, package, path); the JSON
follows ``schemas/lint.schema.json`` (schema_version 1) with sorted keys. Every field
goes through its format's policy (:mod:`.escape`): in Markdown a name or path is a code
span, a finding's message (a sentence) inert text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model.lint import CODES, Finding, LintReport
from ..words import count_of
from .common import ansi, describe_source
from .escape import code, inert, json_dumps, text
from .json import SCHEMA_VERSION, source_entry


def _checked(report: LintReport) -> str:
    yaml = "checked" if report.tags_yaml else "not found: tags not checked against it"
    return (
        f"{count_of(report.packages, 'package')} in {count_of(len(report.tags), 'tag')}, "
        f"{count_of(report.entries, 'entry', 'entries')} below _cache/; _data/tags.yaml {yaml}"
    )


def _where(f: Finding) -> str:
    return f.path or (f"tag {f.tag}" if f.tag else "catalog")


def render_text(report: LintReport, color: bool = False) -> Iterator[str]:
    yield text(f"source: {describe_source(report.source, None)}")
    yield f"checked: {_checked(report)}"
    yield ""
    if not report.findings:
        yield "No findings."
        return
    head = f"Findings: {len(report.findings)}"
    yield ansi(head, "bold") if color else head
    for name, count in report.counts().items():
        yield f"  {name:<24} {count}"
    width = max(len(f.code) for f in report.findings)
    for f in report.findings:
        line = f"{f.code:<{width}}  {_where(f)}: {f.message}"
        yield ansi(line, "red" if color else None)


def render_markdown(report: LintReport, color: bool = False) -> Iterator[str]:
    """Names and paths as code spans, the findings' sentences as inert text."""
    yield "## Catalog lint"
    yield ""
    yield f"Source: {code(describe_source(report.source, None), table=False)}"
    yield ""
    yield f"Checked: {_checked(report)}."
    yield ""
    if not report.findings:
        yield "No findings."
        yield ""
        return
    yield "| finding | count |"
    yield "|---|---:|"
    for name, count in report.counts().items():
        yield f"| {code(name)} | {count} |"
    yield ""
    yield "| finding | where | what |"
    yield "|---|---|---|"
    for f in report.findings:
        yield f"| {code(f.code)} | {code(_where(f))} | {inert(f.message)} |"
    yield ""


def lint_dict(report: LintReport) -> dict[str, Any]:
    info = report.source
    return {
        "schema_version": SCHEMA_VERSION,
        "source": source_entry(info),
        "summary": {
            "findings": len(report.findings),
            "by_code": report.counts(),
            "unreadable": len(report.unreadable),
            "packages": report.packages,
            "tags": list(report.tags),
            "entries": report.entries,
            "tags_yaml_checked": report.tags_yaml,
        },
        "findings": [
            {
                "code": f.code,
                "path": f.path,
                "tag": f.tag,
                "package": f.package,
                "message": f.message,
            }
            for f in report.findings
        ],
    }


def render_json(report: LintReport, color: bool = False) -> Iterator[str]:
    yield json_dumps(lint_dict(report))


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


def render(report: LintReport, fmt: str = "text", color: bool = False) -> str:
    """The whole report as one string (ending in a newline)."""
    return "".join(line + "\n" for line in RENDERERS[fmt](report, color))


__all__ = ["CODES", "RENDERERS", "lint_dict", "render"]
