"""``release-notes``: Markdown release notes between two tags, through a template."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import EXIT_USAGE
from .common import (
    emit,
    exit_on_problems,
    fail,
    output_option,
    package_option,
    quiet_option,
    repo_option,
    reports_errors,
)


@click.command("release-notes")
@click.argument("old")
@click.argument("new")
@repo_option
@click.option(
    "--rev",
    metavar="REV",
    help="Without --tag: the revision (or directory, or snapshot file) whose tag folders "
    "OLD and NEW are read from (default HEAD).",
)
@click.option(
    "--tag",
    metavar="TAG",
    help="Read tag TAG on both sides; OLD and NEW are then revisions, directories or "
    "snapshot files.",
)
@package_option
@click.option(
    "--template",
    "template_path",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="A Jinja2 template to use instead of the built-in one.",
)
@output_option
@quiet_option
@reports_errors
def release_notes(
    old: str,
    new: str,
    repo: str,
    rev: str | None,
    tag: str | None,
    package: str | None,
    template_path: str | None,
    output: str | None,
    quiet: bool,
) -> None:
    """Release notes (Markdown) from tag OLD to tag NEW of the catalog.

    Without --tag, OLD and NEW are tag folders of the catalog at --rev (default HEAD),
    e.g. 'catalog-diff release-notes v0.23.0 v0.23.1'. With --tag TAG, OLD and NEW are
    each a revision, a directory or a snapshot file, and TAG is read on both sides.
    """
    from ..api import release_notes as build_notes
    from ..render.release_notes import render_release_notes

    template = None
    if template_path is not None:
        try:
            template = Path(template_path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            fail(f"{template_path}: cannot read the template: {reason}", EXIT_USAGE)
    notes = build_notes(old, new, repo=repo, rev=rev, tag=tag, package=package)
    emit(render_release_notes(notes, template, template_path), output, quiet)
    if notes.problems:
        first = notes.problems[0]
        line = f"{first.side} {first.source}: {first.path}: {first.message}"
        exit_on_problems(line, len(notes.problems), quiet)
