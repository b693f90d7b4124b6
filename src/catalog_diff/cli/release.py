"""``release-notes``: release notes between two tags, through a template (or as JSON)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_USAGE, UsageError
from ..process.output import check_target
from .common import (
    Command,
    aliases_options,
    at_option,
    compiler_aliases,
    emit,
    exit_on_problems,
    fail,
    fail_on_problems,
    output_option,
    package_option,
    quiet_option,
    repo_option,
    reports_errors,
    strict_option,
)


def _print_template(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--print-template: the built-in template on stdout, then exit (OLD and NEW unused)."""
    if not value or ctx.resilient_parsing:
        return
    from ..render.release_notes import builtin_template

    click.echo(builtin_template(), nl=False)
    ctx.exit(0)


@click.command("release-notes", cls=Command)
@click.argument("names", nargs=-1, metavar="[OLD] NEW")
@repo_option
@click.option(
    "--rev",
    metavar="REV",
    help="Without --tag: the revision (or directory, or snapshot file) whose tag folders "
    "OLD and NEW are read from (default HEAD).",
)
@at_option(
    "Without --tag: read OLD and NEW from the last commit at or before DATE (instead of "
    "--rev). With --tag: that commit as OLD; given twice, as OLD then NEW.",
    multiple=True,
)
@click.option(
    "--tag",
    metavar="TAG",
    help="Read tag TAG on both sides; OLD and NEW are then revisions, directories or "
    "snapshot files.",
)
@package_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json", "html"]),
    default="markdown",
    show_default=True,
    help="Markdown through the template, the template's input as JSON, or one "
    "self-contained HTML page.",
)
@click.option(
    "--template",
    "template_path",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="A Jinja2 template to use instead of the built-in one.",
)
@click.option(
    "--print-template",
    is_flag=True,
    is_eager=True,
    expose_value=False,
    callback=_print_template,
    help="Print the built-in template (a start for your own) and exit.",
)
@output_option
@aliases_options
@quiet_option
@strict_option
@reports_errors
def release_notes(
    names: tuple[str, ...],
    repo: str,
    rev: str | None,
    at: tuple[str, ...],
    tag: str | None,
    package: tuple[str, ...],
    fmt: str,
    template_path: str | None,
    output: str | None,
    compiler_alias: tuple[str, ...],
    no_aliases: bool,
    quiet: bool,
    strict: bool,
) -> None:
    """Release notes (Markdown) from tag OLD to tag NEW of the catalog.

    Without --tag, OLD and NEW are tag folders of the catalog at --rev (default HEAD),
    e.g. 'catalog-diff release-notes v0.23.0 v0.23.1'. Given NEW alone, OLD is the tag
    NEW follows: the previous release by Spack's version order (v0.23.0 before v0.23.1,
    v1.0.0 before v2025.11.0), or the previous weekly develop-YYYY-MM-DD snapshot. With
    --tag TAG, OLD and NEW are
    each a revision, a directory or a snapshot file, and TAG is read on both sides.
    """
    from ..api import release_notes as build_notes
    from ..render.release_notes import render_release_notes, render_release_notes_json
    from ..sources.arguments import sides

    old: str | None
    if tag is None:
        if not 1 <= len(names) <= 2:
            what = "Missing argument 'NEW'" if not names else "one argument too many"
            raise UsageError(f"{what}: give the tags OLD and NEW (e.g. v0.23.0 v0.23.1)")
        if len(at) > 1:
            raise UsageError("--at is given once without --tag (the commit both tags are read at)")
        if at and rev is not None:
            raise UsageError("give --rev or --at DATE, not both")
        old, new = (None, names[0]) if len(names) == 1 else names
        source = f"at:{at[0]}" if at else rev
    else:
        old, new = sides(names, at)
        source = rev
    if fmt != "markdown" and template_path is not None:
        raise UsageError("--template goes with --format markdown")
    check_target(output, [rev, template_path, *(names if tag is not None else ())])
    template = None
    if template_path is not None:
        try:
            template = Path(template_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            fail(f"{template_path}: cannot read the template: {reason}", EXIT_USAGE)
    aliases = compiler_aliases(compiler_alias, no_aliases)
    notes = build_notes(old, new, repo=repo, rev=source, tag=tag, package=package, aliases=aliases)
    line = ""
    if notes.problems:
        first = notes.problems[0]
        line = f"{first.side} {first.source}: {first.path}: {first.message}"
        if strict:  # fatal: no notes
            fail_on_problems(line, len(notes.problems))
    if fmt == "json":
        report = render_release_notes_json(notes)
    elif fmt == "html":
        from ..render.notes_html import render_release_notes_html

        report = render_release_notes_html(notes)
    else:
        report = render_release_notes(notes, template, template_path)
    emit(report, output, quiet)
    exit_on_problems(line, len(notes.problems), quiet)
