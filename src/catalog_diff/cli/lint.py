"""``lint``: the consistency audit of one catalog, for CI."""

from __future__ import annotations

import sys

import click

from ..errors import EXIT_DIFFERENCES
from ..process.output import check_target
from ..words import count_of
from .common import (
    Command,
    at_option,
    color_option,
    emit,
    fail_on_problems,
    format_option,
    load_progress,
    output_option,
    package_option,
    quiet_option,
    repo_option,
    reports_errors,
    strict_option,
    tag_option,
    use_color,
    with_at,
)

FORMATS = ("text", "markdown", "json")


@click.command(cls=Command)
@click.argument("source", required=False, metavar="[REV|DIR]")
@repo_option
@at_option("Audit the last commit at or before DATE instead of REV.")
@tag_option
@package_option
@format_option(FORMATS)
@output_option
@color_option
@quiet_option
@strict_option
@reports_errors
def lint(
    source: str | None,
    repo: str,
    at: str | None,
    tag: str | None,
    package: tuple[str, ...],
    fmt: str,
    output: str | None,
    color: str,
    quiet: bool,
    strict: bool,
) -> None:
    """Audit the catalog at REV (default HEAD) or in DIR for consistency: meta against
    spec_details, repeated hashes, stray files, and the tags of _data/tags.yaml (not with
    --tag or --package, which audit part of the catalog).

    Exit 0 when clean, 1 on findings, 3 when a file could not be read (or on a data error).
    """
    from ..api import lint as run_lint
    from ..model.selection import Selection
    from ..render.lint import render

    check_target(output, [source])
    selection = Selection(tag=tag, package=package)
    with load_progress(quiet):
        report = run_lint(with_at(source, at), repo=repo, selection=selection)
    line = ""
    if report.unreadable:
        first = report.unreadable[0]
        line = f"{report.source.label}: {first.path}: {first.message}"
        if strict:  # fatal: no report
            fail_on_problems(line, len(report.unreadable))
    colour = use_color(color, output)
    emit(render(report, fmt, colour), output, quiet, colour)
    if line:
        fail_on_problems(line, len(report.unreadable))
    if report.findings:
        if not quiet:
            counts = ", ".join(f"{n} {name}" for name, n in report.counts().items())
            found = count_of(len(report.findings), "finding")
            click.echo(f"catalog-diff: {found}: {counts}", err=True)
        sys.exit(EXIT_DIFFERENCES)
