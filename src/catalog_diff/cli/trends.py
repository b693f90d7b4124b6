"""``trends``: charts of the catalog's history, from the history index."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import UsageError
from ..layout import printable
from ..model.selection import split_range
from ..process import interrupts
from ..process.output import check_target, write_file
from .common import (
    Command,
    Progress,
    emit,
    index_option,
    no_update_option,
    open_history,
    output_option,
    quiet_option,
    repo_option,
    reports_errors,
)

FORMATS = ("html", "json", "csv")


@click.command(cls=Command)
@click.argument("revision", default="HEAD", metavar="[REV]")
@repo_option
@index_option
@no_update_option
@click.option("--tag", metavar="TAG", help="Only this tag.")
@click.option(
    "--stack",
    "stacks",
    metavar="STACK",
    multiple=True,
    help="Only these stacks in the stack charts; repeat it for several.",
)
@click.option("--since", metavar="DATE", help="Only commits dated at or after DATE.")
@click.option("--until", metavar="DATE", help="Only commits dated at or before DATE.")
@click.option(
    "--by",
    "bucket",
    type=click.Choice(["day", "week"]),
    default="day",
    show_default=True,
    help="Sum what was gained, lost and rebuilt per day or per ISO week.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="html",
    show_default=True,
    help="The page (html), or the series as json or csv.",
)
@output_option
@click.option(
    "--svg",
    "svg_dir",
    metavar="DIR",
    help="Also write each chart as a standalone SVG file in DIR (made if missing).",
)
@quiet_option
@reports_errors
def trends(
    revision: str,
    repo: str,
    index_path: str | None,
    no_update: bool,
    tag: str | None,
    stacks: tuple[str, ...],
    since: str | None,
    until: str | None,
    bucket: str,
    fmt: str,
    output: str | None,
    svg_dir: str | None,
    quiet: bool,
) -> None:
    """Charts of the catalog over its indexed history, up to REV (default HEAD).

    Specs per stack, packages and specs per tag, what each day or week gained, lost and
    rebuilt, when each stack, target, OS and compiler was present, and the rebuild churn
    per stack: as one self-contained HTML page (no script, no request), standalone SVG
    files (--svg DIR), or the series as JSON or CSV.
    """
    from ..api import trends as build_trends
    from ..render.trends import render_html, standalone_svgs
    from ..render.trends_data import render_csv, render_json

    first, last = split_range(revision)
    if first is not None:
        raise UsageError("trends takes one revision, not a range (use --since and --until)")
    check_target(output, [index_path])
    index, _, tip = open_history(repo, index_path, no_update, quiet, last)
    with index:
        walk = Progress(quiet, verb="read", unit="commits", tty_only=True)
        try:
            found = build_trends(
                index,
                last=tip,
                tag=tag,
                stacks=stacks,
                since=since,
                until=until,
                bucket=bucket,
                progress=walk,
            )
        finally:
            walk.clear()
    if svg_dir is not None:
        _write_svgs(svg_dir, standalone_svgs(found), quiet)
    report = {"html": render_html, "json": render_json, "csv": render_csv}[fmt](found)
    emit(report, output, quiet)


def _write_svgs(folder: str, files: dict[str, str], quiet: bool) -> None:
    """Each chart in a file of its own, each written whole or not at all."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot make the folder: {exc.strerror or exc}") from exc
    for name, svg in sorted(files.items()):
        write_file(str(Path(folder) / name), [svg.encode("utf-8")])
    interrupts.settle()
    if not quiet:
        click.echo(f"catalog-diff: {len(files)} charts written to {printable(folder)}", err=True)
