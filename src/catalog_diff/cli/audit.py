"""``index``, ``log``, ``history``, ``show`` and ``when``: auditing the catalog's history."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..errors import UsageError
from ..layout import printable
from ..model.selection import split_range
from ..process.output import check_target
from ..words import count_of
from .common import (
    Command,
    Progress,
    aliases_options,
    at_option,
    color_option,
    compiler_aliases,
    emit,
    exit_on_problems,
    fail_on_problems,
    format_option,
    index_option,
    load_progress,
    max_count_option,
    no_update_option,
    open_history,
    output_option,
    package_option,
    quiet_option,
    repo_option,
    reports_errors,
    strict_option,
    use_color,
    with_at,
)

if TYPE_CHECKING:
    pass

FORMATS = ("text", "markdown", "json")
since_option = click.option("--since", metavar="DATE", help="Only commits dated at or after DATE.")
until_option = click.option("--until", metavar="DATE", help="Only commits dated at or before DATE.")
revision_argument = click.argument("revision", default="HEAD", metavar="[RANGE]")


def _report(
    kind: str, value: object, fmt: str, output: str | None, quiet: bool, color: str
) -> None:
    from ..render import render_audit

    colour = use_color(color, output)
    emit(render_audit(kind, value, fmt, colour), output, quiet, colour)


def _index_files(index_path: str | None) -> list[str]:
    """An index given with --index and the files kept beside it (see check_target)."""
    if index_path is None:
        return []
    return [index_path, f"{index_path}-wal", f"{index_path}-shm", f"{index_path}.lock"]


transient_window_option = click.option(
    "--transient-window",
    type=int,
    default=7,
    show_default=True,
    metavar="N",
    help="Something gone at one commit but back within N commits is transient there "
    "(stack-transient, package-transient, ...), not removed and added again.",
)


@click.command(cls=Command)
@click.argument("revision", default="HEAD", metavar="[RANGE]")
@repo_option
@index_option
@click.option("--rebuild", is_flag=True, help="Delete the index file and build it anew.")
@quiet_option
@reports_errors
def index(revision: str, repo: str, index_path: str | None, rebuild: bool, quiet: bool) -> None:
    """Build or update the history index along first-parent history.

    RANGE is the last commit to index (default HEAD); 'A..B' starts a new index at A.
    Commits already indexed are skipped; an interrupted run resumes where it stopped.
    """
    from ..api import open_index

    def notice(message: str) -> None:
        if not quiet:
            click.echo(f"catalog-diff: warning: {message}", err=True)

    progress = Progress(quiet)
    try:
        opened, stats = open_index(
            repo=repo,
            index=index_path,
            rebuild=rebuild,
            revision=revision,
            progress=progress,
            waiting=progress.waiting,
            notice=notice,
        )
    finally:
        progress.finish()
    with opened:
        last = opened.last_commit()
        if not quiet and stats is not None and last is not None:
            n = stats.commits
            added = count_of(n, "new commit") if n else "already up to date"
            click.echo(
                printable(
                    f"catalog-diff: {opened.path}: {added}; {last.seq + 1} commits indexed, "
                    f"up to {last.sha[:12]} ({last.date}) in {stats.seconds:.2f}s"
                ),
                err=True,
            )


@click.command(cls=Command)
@click.argument("revision", default="HEAD", metavar="[RANGE]")
@repo_option
@index_option
@no_update_option
@click.option("--tag", metavar="TAG", help="Only changes to this tag.")
@package_option
@since_option
@until_option
@max_count_option
@transient_window_option
@aliases_options
@format_option(FORMATS)
@output_option
@color_option
@quiet_option
@reports_errors
def log(
    revision: str,
    repo: str,
    index_path: str | None,
    no_update: bool,
    tag: str | None,
    package: tuple[str, ...],
    since: str | None,
    until: str | None,
    max_count: int | None,
    transient_window: int,
    compiler_alias: tuple[str, ...],
    no_aliases: bool,
    fmt: str,
    output: str | None,
    color: str,
    quiet: bool,
) -> None:
    """What each commit changed in the catalog, newest first (like git log --stat).

    RANGE is 'A..B' (commits after A up to B) or a revision (its history); default HEAD.
    Exits 3 after the report when it met files that could not be read.
    """
    from ..api import log as run_log

    check_target(output, (), _index_files(index_path))
    aliases = compiler_aliases(compiler_alias, no_aliases)
    opened, start, tip = open_history(repo, index_path, no_update, quiet, revision)
    with opened:
        entries = run_log(
            opened,
            since=since,
            until=until,
            first=start,
            last=tip,
            tag=tag,
            package=package,
            limit=max_count,
            labels=split_range(revision),
            transient_window=transient_window,
            aliases=aliases,
        )
        _report("log", entries, fmt, output, quiet, color)
    problems = [(e, p) for e in entries for p in e.comparison.problems]
    if problems:
        entry, first_one = problems[0]
        line = f"{entry.sha[:12]}: {first_one.path}: {first_one.message}"
        exit_on_problems(printable(line), len(problems), quiet)


@click.command(cls=Command)
@click.argument("package")
@revision_argument
@repo_option
@index_option
@no_update_option
@click.option("--tag", metavar="TAG", help="Only this tag (default: every tag).")
@since_option
@until_option
@max_count_option
@transient_window_option
@aliases_options
@format_option(FORMATS)
@output_option
@color_option
@quiet_option
@reports_errors
def history(
    package: str,
    revision: str,
    repo: str,
    index_path: str | None,
    no_update: bool,
    tag: str | None,
    since: str | None,
    until: str | None,
    max_count: int | None,
    transient_window: int,
    compiler_alias: tuple[str, ...],
    no_aliases: bool,
    fmt: str,
    output: str | None,
    color: str,
    quiet: bool,
) -> None:
    """PACKAGE's timeline: every commit that changed it, with what changed, oldest first.

    RANGE is a revision (its history; default HEAD) or 'A..B' (commits after A up to B),
    as for log. Exits 3 after the report when some change could not be read.
    """
    from ..api import history as run_history

    check_target(output, (), _index_files(index_path))
    aliases = compiler_aliases(compiler_alias, no_aliases)
    opened, start, tip = open_history(repo, index_path, no_update, quiet, revision)
    with opened:
        timeline = run_history(
            opened,
            package,
            tag=tag,
            since=since,
            until=until,
            first=start,
            last=tip,
            limit=max_count,
            labels=split_range(revision),
            transient_window=transient_window,
            aliases=aliases,
        )
        _report("history", timeline, fmt, output, quiet, color)
    broken = [e for e in timeline.events if e.problem]
    if broken:
        line = f"{broken[0].sha[:12]}: {broken[0].problem}"
        exit_on_problems(printable(line), len(broken), quiet)


@click.command(cls=Command)
@click.argument("revision", required=False, metavar="[REV]")
@repo_option
@at_option("The last commit at or before DATE instead of REV.")
@click.option("--tag", metavar="TAG", help="Only this tag.")
@package_option
@format_option(FORMATS)
@output_option
@color_option
@quiet_option
@strict_option
@reports_errors
def show(
    revision: str | None,
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
    """The catalog at REV (default HEAD) or at a date: per package its spec count, targets,
    stacks, compilers and versions; with --package naming one package, its specs.

    Read straight from the revision (or a directory or snapshot file): no index needed.
    """
    from ..api import show as run_show
    from ..model.selection import Selection

    check_target(output, [revision])
    source = with_at(revision, at)
    with load_progress(quiet):
        state = run_show(source, repo=repo, selection=Selection(tag=tag, package=package))
    if state.problems:
        first = state.problems[0]
        shown = state.source.source
        line = f"{shown}: {first.path}: {first.message}"
        if strict:  # fatal: no report
            fail_on_problems(line, len(state.problems))
        _report("show", state, fmt, output, quiet, color)
        fail_on_problems(line, len(state.problems))
    _report("show", state, fmt, output, quiet, color)


@click.command(cls=Command)
@click.argument("package")
@revision_argument
@click.option("--target", "target", metavar="T", help="When was target T built for PACKAGE?")
@click.option("--stack", metavar="S", help="... stack S?")
@click.option("--compiler", metavar="C", help="... compiler C (gcc@11.4.0)?")
@click.option("--version", "version", metavar="V", help="... version V?")
@click.option("--hash", "digest", metavar="H", help="... the build with hash H (or a prefix)?")
@click.option("--os", "os_name", metavar="OS", help="... operating system OS?")
@click.option("--tag", default="develop", show_default=True, metavar="TAG", help="The tag.")
@since_option
@until_option
@repo_option
@index_option
@no_update_option
@transient_window_option
@format_option(FORMATS)
@output_option
@color_option
@quiet_option
@reports_errors
def when(
    package: str,
    revision: str,
    target: str | None,
    stack: str | None,
    compiler: str | None,
    version: str | None,
    digest: str | None,
    os_name: str | None,
    tag: str,
    since: str | None,
    until: str | None,
    repo: str,
    index_path: str | None,
    no_update: bool,
    transient_window: int,
    fmt: str,
    output: str | None,
    color: str,
    quiet: bool,
) -> None:
    """When something was in PACKAGE: first and last commit, every interval of presence,
    and whether it is there at the end (unknown when the file there could not be read).
    Give exactly one of the queries.

    RANGE is a revision (its history; default HEAD) or 'A..B' (commits after A up to B),
    as for log; the end is its last commit.
    """
    from ..api import when as run_when

    asked = {
        k: v
        for k, v in (
            ("target", target),
            ("stack", stack),
            ("compiler", compiler),
            ("version", version),
            ("hash", digest),
            ("os", os_name),
        )
        if v is not None
    }
    if len(asked) != 1:
        raise UsageError(
            "give exactly one of --target, --stack, --compiler, --version, --hash, --os"
        )
    ((kind, value),) = asked.items()
    check_target(output, (), _index_files(index_path))
    opened, start, tip = open_history(repo, index_path, no_update, quiet, revision)
    with opened:
        presence = run_when(
            opened,
            package,
            kind,
            value,
            tag=tag,
            since=since,
            until=until,
            first=start,
            last=tip,
            labels=split_range(revision),
            transient_window=transient_window,
        )
        _report("when", presence, fmt, output, quiet, color)
    if presence.hint and not quiet:
        click.echo(f"catalog-diff: warning: {printable(presence.hint)}", err=True)
    if presence.problems:
        first = presence.problems[0]
        line = f"{first.commit[:12] if first.commit else ''}: {first.path}: {first.message}"
        exit_on_problems(printable(line), len(presence.problems), quiet)
