"""The command line: options -> one library call -> renderer -> stdout.

The only module that imports click. Every error the library raises on purpose is a
:class:`CatalogDiffError`; it is caught here, once, and printed on one line with its exit
code. Anything else is a bug: it is reported on one line too, never as a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .api import diff as run_diff
from .api import snapshot as run_snapshot
from .errors import (
    EXIT_DATA,
    EXIT_DIFFERENCES,
    EXIT_OK,
    EXIT_USAGE,
    CatalogDiffError,
)
from .load import Selection
from .render import FORMATS, render

EXIT_INTERNAL = 4

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int) -> None:
    click.echo(f"catalog-diff: error: {message}", err=True)
    sys.exit(code)


def reports_errors(func: F) -> F:
    """Turn library errors into one line on stderr and their exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CatalogDiffError as exc:
            _fail(exc.message, exc.exit_code)
        except KeyboardInterrupt:
            click.echo("catalog-diff: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(EXIT_OK)
        except Exception as exc:
            _fail(f"internal error ({type(exc).__name__}: {exc}); please report it", EXIT_INTERNAL)
        return None

    return wrapper  # type: ignore[return-value]


# ---- shared options ------------------------------------------------------------------

repo_option = click.option(
    "--repo",
    default=".",
    show_default=True,
    metavar="PATH",
    help="The catalog's git repository, for arguments that are revisions.",
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report format.",
)
output_option = click.option(
    "--output",
    "-o",
    metavar="FILE",
    help="Write the report to FILE instead of standard output.",
)
quiet_option = click.option(
    "--quiet", "-q", is_flag=True, help="Print nothing on standard error but errors."
)
color_option = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour text output (auto: only on a terminal, and not when NO_COLOR is set).",
)
tag_option = click.option("--tag", metavar="TAG", help="Compare only this tag.")
package_option = click.option(
    "--package", metavar="GLOB", help="Compare only packages whose name matches GLOB."
)


def _use_color(choice: str, output: str | None) -> bool:
    if choice != "auto":
        return choice == "always"
    return output is None and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _emit(report: str, output: str | None, quiet: bool, color: bool = False) -> None:
    if output is None:
        click.echo(report, nl=False, color=color)
        return
    try:
        Path(output).write_text(report, encoding="utf-8")
    except OSError as exc:
        _fail(f"{output}: cannot write the report: {exc.strerror or exc}", EXIT_USAGE)
    if not quiet:
        click.echo(f"catalog-diff: report written to {output}", err=True)


# ---- commands ------------------------------------------------------------------------


class _Group(click.Group):
    """Reports click's own usage errors on one line too, with the usage exit code."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args, prog_name or "catalog-diff", complete_var, standalone_mode=False, **extra
            )
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "catalog-diff"
            _fail(f"{exc.format_message()} (see '{where} --help')", EXIT_USAGE)
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            click.echo("catalog-diff: interrupted", err=True)
            sys.exit(130)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else EXIT_OK)
        return result


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="catalog-diff")
def main() -> None:
    """Tell exactly what changed in the Spack build-cache catalog between two points."""


@main.command()
@click.argument("old")
@click.argument("new")
@repo_option
@format_option
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
    old: str,
    new: str,
    repo: str,
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
    selection = Selection(tag=tag, old_tag=old_tag, new_tag=new_tag, package=package)
    comparison = run_diff(old, new, repo=repo, selection=selection)
    use_color = _use_color(color, output)
    _emit(render(comparison, fmt, use_color), output, quiet, use_color)
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


@main.command()
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
    from .snapshotfile import dumps, write

    snap = run_snapshot(source, repo=repo, selection=Selection(tag=tag, package=package))
    if output == "-":
        sys.stdout.buffer.write(dumps(snap))
    else:
        try:
            write(output, snap)
        except OSError as exc:
            _fail(f"{output}: cannot write the snapshot: {exc.strerror or exc}", EXIT_USAGE)
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
        _fail(f"{source}: {first.path}: {first.message}{more}", EXIT_DATA)


@main.command()
def schema() -> None:
    """Print the JSON Schema of 'diff --format json' reports."""
    from .render.json import schema as diff_schema

    click.echo(diff_schema(), nl=False)
