"""``diff``, ``snapshot`` and ``schema``."""

from __future__ import annotations

import sys

import click

from ..errors import EXIT_DATA, EXIT_DIFFERENCES, UsageError
from .common import (
    color_option,
    emit,
    fail,
    format_option,
    output_option,
    package_option,
    quiet_option,
    repo_option,
    reports_errors,
    use_color,
)

FORMATS = ("text", "markdown", "json")
tag_option = click.option("--tag", metavar="TAG", help="Only this tag.")


def _sides(revisions: tuple[str, ...], at: tuple[str, ...], repo: str) -> tuple[str, str]:
    """OLD and NEW from the arguments and ``--at`` dates (each date fills the next side)."""
    if len(at) > 2 or len(revisions) + len(at) > 2 or (not at and len(revisions) != 2):
        raise UsageError("give OLD and NEW, or --at DATE for either side (twice for both)")
    from ..api import commit_at

    sides = [commit_at(date, repo=repo) for date in at] + list(revisions)
    if len(sides) == 1:
        sides.append("HEAD")
    return sides[0], sides[1]


@click.command()
@click.argument("revisions", nargs=-1, metavar="[OLD] [NEW]")
@repo_option
@click.option(
    "--at",
    multiple=True,
    metavar="DATE",
    help="Use the last commit at or before DATE (YYYY-MM-DD: the end of that day, UTC) "
    "as OLD; given twice, as OLD then NEW. NEW defaults to HEAD.",
)
@format_option(FORMATS)
@output_option
@tag_option
@click.option("--old-tag", metavar="TAG", help="Tag of the old side to compare (with --new-tag).")
@click.option("--new-tag", metavar="TAG", help="Tag of the new side to compare (with --old-tag).")
@package_option
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit with 1 when there are differences, 0 when there are none (as git diff).",
)
@color_option
@quiet_option
@reports_errors
def diff(
    revisions: tuple[str, ...],
    repo: str,
    at: tuple[str, ...],
    fmt: str,
    output: str | None,
    tag: str | None,
    old_tag: str | None,
    new_tag: str | None,
    package: str | None,
    exit_code: bool,
    color: str,
    quiet: bool,
) -> None:
    """Compare the catalog at OLD with the catalog at NEW.

    OLD and NEW are each a revision of the repository (a SHA, branch, tag, HEAD~3,
    main@{2025-03-01}, ...), a directory holding a catalog checkout, or a snapshot file
    written by 'catalog-diff snapshot'. An argument naming an existing path is a path.
    """
    from ..api import diff as run_diff
    from ..load import Selection
    from ..render import render

    selection = Selection(tag=tag, old_tag=old_tag, new_tag=new_tag, package=package)
    old, new = _sides(revisions, at, repo)
    comparison = run_diff(old, new, repo=repo, selection=selection)
    colour = use_color(color, output)
    emit(render(comparison, fmt, colour), output, quiet, colour)
    if comparison.problems:
        if not quiet:
            first = comparison.problems[0]
            more = len(comparison.problems) - 1
            also = f" (and {more} more)" if more else ""
            click.echo(
                f"catalog-diff: error: {first.side.value} {first.revision}: {first.path}: "
                f"{first.message}{also}",
                err=True,
            )
        sys.exit(EXIT_DATA)
    if exit_code and comparison.has_differences:
        sys.exit(EXIT_DIFFERENCES)


@click.command()
@click.argument("source")
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    required=True,
    help="Where to save it ('.gz' for gzip, '-' for standard output).",
)
@repo_option
@tag_option
@package_option
@quiet_option
@reports_errors
def snapshot(
    source: str,
    output: str,
    repo: str,
    tag: str | None,
    package: str | None,
    quiet: bool,
) -> None:
    """Save the whole catalog at SOURCE (revision or directory) as one file.

    The file holds every tag and package, normalised, with the source commit and date;
    'catalog-diff diff' reads it like a revision.
    """
    from ..api import snapshot as run_snapshot
    from ..load import Selection
    from ..snapshotfile import dumps, write

    snap = run_snapshot(source, repo=repo, selection=Selection(tag=tag, package=package))
    if output == "-":
        sys.stdout.buffer.write(dumps(snap))
    else:
        try:
            write(output, snap)
        except OSError as exc:
            fail(f"{output}: cannot write the snapshot: {exc.strerror or exc}", 2)
        if not quiet:
            specs = sum(len(p.specs) for p in snap.packages.values())
            click.echo(
                f"catalog-diff: saved {len(snap.packages)} packages, {specs} specs "
                f"in {len(snap.tags)} tags to {output}",
                err=True,
            )
    if snap.problems:
        first = snap.problems[0]
        more = f" (and {len(snap.problems) - 1} more)" if len(snap.problems) > 1 else ""
        fail(f"{source}: {first.path}: {first.message}{more}", EXIT_DATA)


@click.command()
@click.argument(
    "report", type=click.Choice(["diff", "log", "history", "when", "show"]), default="diff"
)
def schema(report: str) -> None:
    """Print the JSON Schema of a report (default: 'diff --format json')."""
    from importlib import resources

    text = resources.files("catalog_diff").joinpath(f"schemas/{report}.schema.json")
    click.echo(text.read_text("utf-8"), nl=False)
