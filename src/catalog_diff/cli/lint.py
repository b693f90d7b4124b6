"""``lint``: the consistency audit of one catalog, for CI."""

from __future__ import annotations

import sys

import click

from ..errors import EXIT_DATA, EXIT_DIFFERENCES
from .common import (
    color_option,
    emit,
    fail,
    first_problem,
    format_option,
    output_option,
    quiet_option,
    repo_option,
    reports_errors,
    use_color,
)

FORMATS = ("text", "markdown", "json")


@click.command()
@click.argument("source", default="HEAD", metavar="[REV|DIR]")
@repo_option
@format_option(FORMATS)
@output_option
@color_option
@quiet_option
@reports_errors
def lint(source: str, repo: str, fmt: str, output: str | None, color: str, quiet: bool) -> None:
    """Audit the catalog at REV (default HEAD) or in DIR for consistency: meta against
    spec_details, repeated hashes, stray files, and the tags of _data/tags.yaml.

    Exit 0 when clean, 1 on findings, 3 when a file could not be read (or on a data error).
    """
    from ..api import lint as run_lint
    from ..render.lint import render

    report = run_lint(source, repo=repo)
    colour = use_color(color, output)
    emit(render(report, fmt, colour), output, quiet, colour)
    if report.unreadable:
        first = report.unreadable[0]
        line = f"{source}: {first.path}: {first.message}"
        fail(first_problem(line, len(report.unreadable)), EXIT_DATA)
    if report.findings:
        if not quiet:
            counts = ", ".join(f"{n} {name}" for name, n in report.counts().items())
            click.echo(f"catalog-diff: {len(report.findings)} finding(s): {counts}", err=True)
        sys.exit(EXIT_DIFFERENCES)
