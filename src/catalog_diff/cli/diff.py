"""``diff``, ``snapshot`` and ``schema``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from ..errors import EXIT_DIFFERENCES, UsageError
from ..layout import printable
from ..process import interrupts
from ..process.gcpause import gc_paused
from ..process.output import check_target, write_stdout
from ..words import count_of
from .common import (
    Command,
    aliases_options,
    at_option,
    color_option,
    compiler_aliases,
    emit,
    exit_on_problems,
    fail,
    fail_on_problems,
    format_option,
    index_option,
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

if TYPE_CHECKING:
    from ..model.comparison import Comparison

FORMATS = ("text", "markdown", "json", "github", "html")

#: Exit code of a tripped ``--fail-on`` gate (the same as --exit-code's "differences").
EXIT_GATE = EXIT_DIFFERENCES


@click.command(cls=Command)
@click.argument("revisions", nargs=-1, metavar="OLD [NEW]")
@repo_option
@at_option(
    "Use the last commit at or before DATE (YYYY-MM-DD: the end of that day, UTC) "
    "as OLD; given twice, as OLD then NEW. NEW defaults to HEAD.",
    multiple=True,
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
@click.option(
    "--fail-on",
    multiple=True,
    metavar="CONDITION",
    help="Exit with 1 when CONDITION holds: removed-packages, removed-specs, lost-target, "
    "lost-stack, lost-compiler, lost-os, a change kind (stack-removed, target-dropped, "
    "...: see the README) or a severity (breaking, warning, notice, info: that or worse); "
    "scoped as NAME:>N, NAME:>=N or NAME:PATTERN (e.g. lost-stack:e4s, removed-specs:>10, "
    "stack-removed:e4s*, breaking). Repeat it or separate with commas.",
)
@click.option(
    "--transient-window",
    type=int,
    metavar="N",
    help="A stack gone from a weekly tag (develop-YYYY-MM-DD) but back within the N "
    "weekly tags after it (or, for one back, there within the N before) is "
    "stack-transient, not removed or added (default 1). With --explain, a removal back "
    "within N commits was transient (default 7).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Explain each removal from the history index (read as it is, never updated): "
    "the commit where it went, and whether it came back within the transient window.",
)
@index_option
@click.option(
    "--totals",
    is_flag=True,
    help="Read every package of both sides, not only the files that differ, so that the "
    "specs per stack are totals (slower).",
)
@click.option(
    "--marker",
    metavar="TEXT",
    help="With --format github: the hidden first line, <!-- TEXT --> "
    "(default: <!-- catalog-diff -->).",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --format github: at most N characters (default 65536, GitHub's limit); "
    "package sections are dropped from the end, never the summary.",
)
@aliases_options
@color_option
@quiet_option
@strict_option
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
    package: tuple[str, ...],
    exit_code: bool,
    fail_on: tuple[str, ...],
    transient_window: int | None,
    explain: bool,
    index_path: str | None,
    totals: bool,
    marker: str | None,
    max_chars: int | None,
    compiler_alias: tuple[str, ...],
    no_aliases: bool,
    color: str,
    quiet: bool,
    strict: bool,
) -> None:
    """Compare the catalog at OLD with the catalog at NEW (default HEAD).

    OLD and NEW are each a revision of the repository (a SHA, branch, tag, HEAD~3, ...),
    a directory holding a catalog checkout, or a snapshot file written by 'catalog-diff
    snapshot'. Say which with rev:X, dir:PATH or snapshot:PATH (at:DATE is --at DATE);
    a path starting with ./ or / is a path. An argument that is both a revision and an
    existing path is refused.
    """
    from ..api import diff as run_diff
    from ..compare import gates as gate_rules
    from ..model.selection import Selection
    from ..render import render_chunks
    from ..sources.arguments import sides

    check_target(output, revisions)
    selection = Selection(tag=tag, old_tag=old_tag, new_tag=new_tag, package=package)
    gates = gate_rules.parse(fail_on)
    if index_path is not None and not explain:
        raise UsageError("--index goes with --explain")
    if fmt != "github" and (marker is not None or max_chars is not None):
        raise UsageError("--marker and --max-chars go with --format github")
    if fmt == "github":
        from ..render.github import marker_line

        marker_line(marker)  # rejects a marker that could end the comment early
    aliases = compiler_aliases(compiler_alias, no_aliases)
    old, new = sides(revisions, at)
    # The comparison and its report make many small objects and no cycle: the collector
    # stays paused while they are built (see catalog_diff.process.gcpause).
    with load_progress(quiet), gc_paused():
        comparison = run_diff(
            old,
            new,
            repo=repo,
            selection=selection,
            full=totals,
            aliases=aliases,
            transient_window=1 if transient_window is None else transient_window,
        )
    if explain:
        from ..api.explain import explain as run_explain

        window = 7 if transient_window is None else transient_window
        comparison, note = run_explain(comparison, repo=repo, index=index_path, window=window)
        if note is not None and not quiet:
            warn(note)
    if strict and comparison.problems:  # fatal: no report
        first = comparison.problems[0]
        line = f"{first.side.value} {first.revision}: {first.path}: {first.message}"
        fail_on_problems(line, len(comparison.problems))
    if gates:
        comparison = gate_rules.apply(comparison, gates)
    colour = use_color(color, output)
    with gc_paused():  # the report is made as it is written
        report = render_chunks(
            comparison,
            fmt,
            colour,
            marker=marker,
            max_chars=max_chars,
            warn=None if quiet else warn,
        )
        emit(report, output, quiet, colour)
    _tell(comparison, quiet)
    if comparison.problems:
        first = comparison.problems[0]
        line = f"{first.side.value} {first.revision}: {first.path}: {first.message}"
        exit_on_problems(line, len(comparison.problems), quiet)
    if any(g.tripped for g in comparison.gates):
        sys.exit(EXIT_GATE)
    if exit_code and comparison.has_differences:
        sys.exit(EXIT_DIFFERENCES)


def _tell(comparison: Comparison, quiet: bool) -> None:
    """On stderr: each gate tripped (even with --quiet: it is why the exit code is 1),
    and a disagreement of a file's meta with its specs."""
    for gate in comparison.gates:
        if gate.tripped:
            click.echo(f"catalog-diff: gate tripped: {printable(gate.reason)}", err=True)
    counts = comparison.stack_counts
    if counts is not None and counts.mismatches and not quiet:
        first = counts.mismatches[0]
        files = len({(m.side, m.path) for m in counts.mismatches})
        warn(
            f"meta.num_specs_by_stack disagrees with spec_details "
            f"in {count_of(files, 'file')}, "
            f"e.g. {first.side.value} {first.path}: stack {first.stack}: "
            f"meta says {first.meta}, spec_details have {first.specs}"
        )


def warn(message: str) -> None:
    """A one-line warning on stderr (inert whatever ``message`` holds)."""
    click.echo(f"catalog-diff: warning: {printable(message)}", err=True)


@click.command(cls=Command)
@click.argument("source", required=False, metavar="[SOURCE]")
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    required=True,
    help="Where to save it ('.gz' for gzip, '-' for standard output).",
)
@repo_option
@at_option("Save the last commit at or before DATE instead of SOURCE.")
@tag_option
@package_option
@quiet_option
@strict_option
@reports_errors
def snapshot(
    source: str | None,
    output: str,
    repo: str,
    at: str | None,
    tag: str | None,
    package: tuple[str, ...],
    quiet: bool,
    strict: bool,
) -> None:
    """Save the whole catalog at SOURCE (a revision or a directory; default HEAD) as one
    file.

    The file holds every tag and package, normalised, with the source commit and date,
    and the selection (--tag, --package) it was saved with; 'catalog-diff diff' reads it
    like a revision, and compares the other side with the same selection.
    """
    from ..api import snapshot as run_snapshot
    from ..model.selection import Selection
    from ..sources.snapshotsave import chunks, write

    check_target(output, [source])
    source = with_at(source, at)
    with load_progress(quiet):
        snap = run_snapshot(source, repo=repo, selection=Selection(tag=tag, package=package))
    if strict and snap.problems:  # fatal: nothing written
        first = snap.problems[0]
        line = f"{snap.info.source}: {first.path}: {first.message}"
        fail_on_problems(line, len(snap.problems))
    if output == "-":
        with gc_paused():
            write_stdout(chunks(snap), "the snapshot")
        interrupts.settle()  # written: the command ends as it would have
    else:
        try:
            with gc_paused():
                write(output, snap)
        except OSError as exc:
            fail(f"{output}: cannot write the snapshot: {exc.strerror or exc}", 2)
        interrupts.settle()
        if not quiet:
            specs = sum(len(p.specs) for p in snap.packages.values())
            counts = (
                f"{count_of(len(snap.packages), 'package')}, {count_of(specs, 'spec')} "
                f"in {count_of(len(snap.tags), 'tag')}"
            )
            click.echo(f"catalog-diff: saved {counts} to {printable(output)}", err=True)
    if snap.problems:
        first = snap.problems[0]
        fail_on_problems(f"{snap.info.source}: {first.path}: {first.message}", len(snap.problems))


@click.command(cls=Command)
@click.argument(
    "report",
    type=click.Choice(
        ["diff", "log", "history", "when", "show", "lint", "release-notes", "trends"]
    ),
    default="diff",
)
def schema(report: str) -> None:
    """Print the JSON Schema of a report (default: 'diff --format json')."""
    from importlib import resources

    text = resources.files("catalog_diff").joinpath(f"schemas/{report}.schema.json")
    click.echo(text.read_text("utf-8"), nl=False)
