"""What every command shares: error reporting, options, output, progress."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from ..errors import (
    EXIT_DATA,
    EXIT_OK,
    EXIT_USAGE,
    CatalogDiffError,
    CatalogDiffWarning,
    UsageError,
)
from ..layout import printable, shortened
from ..process import interrupts
from ..process.output import EXIT_CLOSED_PIPE, drop_stdout, write_file, write_stdout

if TYPE_CHECKING:
    from ..compare.aliases import CompilerAliases
    from ..history.index import HistoryIndex

#: A bug: an exception catalog-diff did not raise on purpose.
EXIT_INTERNAL = 4

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["EXIT_DATA", "EXIT_INTERNAL", "EXIT_OK", "EXIT_USAGE"]


def fail(message: str, code: int) -> NoReturn:
    """One line on standard error, then exit with ``code`` (the outcome is decided: a
    signal from now on does not add a line or change the code)."""
    interrupts.settle()
    click.echo(f"catalog-diff: error: {printable(message)}", err=True)
    sys.exit(code)


def out_of_memory(exc: MemoryError) -> str:
    """The error line for a process that ran out of memory (or of address space, under
    ``ulimit -v``)."""
    detail = f" ({exc})" if str(exc) else ""
    return f"out of memory{detail}; raise the memory limit, or read less (--tag, --package)"


def first_problem(line: str, count: int) -> str:
    """The error line of the first of ``count`` problems."""
    return f"{line} (and {count - 1} more)" if count > 1 else line


def fail_on_problems(line: str, count: int) -> NoReturn:
    """The first of ``count`` unreadable files (``line``) as the error line, then exit with
    the data-error code: what a command does when a problem leaves no report, or when
    it must say so after one whatever ``--quiet`` says."""
    fail(first_problem(line, count), EXIT_DATA)


def exit_on_problems(line: str, count: int, quiet: bool) -> None:
    """After a report that lists ``count`` unreadable files (none: return), say the first
    on stderr (unless ``quiet``) and exit with the data-error code."""
    if not count:
        return
    interrupts.settle()
    if not quiet:
        click.echo(f"catalog-diff: error: {printable(first_problem(line, count))}", err=True)
    sys.exit(EXIT_DATA)


@contextmanager
def warnings_on_stderr() -> Iterator[None]:
    """The library's warnings (:class:`CatalogDiffWarning`), each on one line of stderr."""

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        click.echo(f"catalog-diff: warning: {printable(str(message))}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always", CatalogDiffWarning)
        warnings.showwarning = show
        yield


def reports_errors(func: F) -> F:
    """Turn library errors into one line on stderr and their exit code; never a traceback.
    The library's warnings are printed on one line of stderr each."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings_on_stderr():
                return func(*args, **kwargs)
        except CatalogDiffError as exc:
            fail(exc.message, exc.exit_code)
        except (KeyboardInterrupt, interrupts.Interrupted) as exc:
            sys.exit(interrupts.tell(exc))
        except BrokenPipeError:  # the reader of our output went away (``| head``)
            interrupts.settle()
            drop_stdout()
            sys.exit(EXIT_CLOSED_PIPE)
        except MemoryError as exc:
            fail(out_of_memory(exc), EXIT_DATA)
        except Exception as exc:
            what = shortened(str(exc))
            fail(f"internal error ({type(exc).__name__}: {what}); please report it", EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


# ---- options shared by several commands ----------------------------------------------


class Command(click.Command):
    """A command whose options, given twice, are never silently overridden: an option that
    takes one value is refused when repeated (a usage error); a repeatable one
    (``multiple=True``, such as ``--package``) gathers every value."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not ctx.resilient_parsing:
            parser = self.make_parser(ctx)
            try:
                _, _, order = parser.parse_args(args=list(args))
            except click.UsageError as exc:
                exc.ctx = exc.ctx or ctx  # the command's --help, as click's own parse says
                raise
            refuse_repeated(order, ctx)
        return super().parse_args(ctx, args)


def refuse_repeated(order: Sequence[click.Parameter], ctx: click.Context | None = None) -> None:
    """A usage error naming the first option of one value that ``order`` (the parameters
    in the order the command line gave them) holds twice."""
    seen: set[str] = set()
    for param in order:
        if not isinstance(param, click.Option) or param.multiple or param.count:
            continue
        if param.is_flag:
            continue  # --strict --strict asks for the same thing twice
        name = param.name or ""
        if name in seen:
            longest = max(param.opts, key=len)
            raise click.UsageError(f"{longest} is given more than once; it takes one value", ctx)
        seen.add(name)


repo_option = click.option(
    "--repo",
    default=".",
    show_default=True,
    metavar="PATH",
    help="The catalog's git repository, for arguments that are revisions.",
)
output_option = click.option(
    "--output", "-o", metavar="FILE", help="Write the report to FILE instead of standard output."
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
package_option = click.option(
    "--package",
    metavar="GLOB",
    multiple=True,
    help="Only packages whose name matches GLOB; repeat it for several (any matches).",
)
tag_option = click.option("--tag", metavar="TAG", help="Only this tag.")
max_count_option = click.option(
    "--max-count",
    "-n",
    type=click.IntRange(min=1),
    metavar="N",
    help="Show at most N (at least 1).",
)


def at_option(help_text: str, multiple: bool = False) -> Callable[[F], F]:
    """``--at DATE``: the last commit at or before DATE (``YYYY-MM-DD``: the end of that
    day, UTC), for the sides a command reads."""
    return click.option("--at", metavar="DATE", multiple=multiple, help=help_text)


def with_at(argument: str | None, at: str | None, default: str = "rev:HEAD") -> str:
    """The source of a command that reads one: ARG, or ``at:DATE`` for ``--at DATE``."""
    if argument is not None and at is not None:
        raise UsageError("give a revision or --at DATE, not both")
    if at is not None:
        return f"at:{at}"
    return default if argument is None else argument


index_option = click.option(
    "--index",
    "index_path",
    metavar="FILE",
    help="The history index file (default: one per repository in the user's cache folder).",
)
no_update_option = click.option(
    "--no-update", is_flag=True, help="Query the index as it is, without indexing new commits."
)
strict_option = click.option(
    "--strict",
    is_flag=True,
    help="Make any file that cannot be read fatal: exit 3 with the error and no report.",
)


def aliases_options(func: F) -> F:
    """``--compiler-alias OLD=NEW`` (repeatable) and ``--no-aliases``."""
    func = click.option(
        "--no-aliases",
        is_flag=True,
        help="Compare compiler spellings as written: a renamed compiler is a compiler change.",
    )(func)
    return click.option(
        "--compiler-alias",
        "compiler_alias",
        multiple=True,
        metavar="OLD=NEW",
        help="Count compiler OLD on one side and NEW on the other (same version) as one "
        "compiler, a rename; adds to or overrides the built-in table and the config file "
        "(an empty NEW removes OLD's alias). Repeat it for several.",
    )(func)


def compiler_aliases(extra: Sequence[str], no_aliases: bool) -> CompilerAliases:
    """The aliases the options ask for: none with ``--no-aliases``; else the built-in
    table, the config files' entries over it, and ``--compiler-alias`` over those."""
    from ..compare.aliases import BUILTIN_ALIASES, NO_ALIASES
    from ..process.config import config_paths, parse_alias, read_aliases

    if no_aliases:
        if extra:
            raise UsageError("--no-aliases and --compiler-alias contradict each other")
        return NO_ALIASES
    given = [parse_alias(text) for text in extra]
    from_files = read_aliases(config_paths(os.environ, Path.cwd()))
    return BUILTIN_ALIASES.extended(from_files + given)


def format_option(formats: tuple[str, ...]) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(formats),
        default="text",
        show_default=True,
        help="Report format.",
    )


def use_color(choice: str, output: str | None) -> bool:
    if choice != "auto":
        return choice == "always"
    return output is None and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def emit(report: str | Iterable[str], output: str | None, quiet: bool, color: bool = False) -> None:
    """The report to stdout, or to ``output`` (written whole or not at all). ``color``:
    the report holds colour codes (written as they are). Once it is written the command
    ends as it would have: a signal from then on changes nothing.

    A report in pieces (:func:`catalog_diff.render.render_chunks`) goes to ``output`` as
    it is made, and to stdout once it is all made (nothing is printed of a report that
    fails half-way)."""
    pieces = [report] if isinstance(report, str) else report
    chunks = (piece.encode("utf-8") for piece in pieces)
    if output is None:
        write_stdout(list(chunks))
        interrupts.settle()
        return
    write_file(output, chunks)
    interrupts.settle()
    if not quiet:
        click.echo(f"catalog-diff: report written to {printable(output)}", err=True)


class Progress:
    """Progress on stderr: a bar on a terminal, a line per batch otherwise (or, with
    ``tty_only``, nothing). By default it counts indexed commits; :func:`load_progress`
    has it count the files a load reads."""

    def __init__(
        self, quiet: bool, verb: str = "indexed", unit: str = "commits", tty_only: bool = False
    ) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.start = time.perf_counter()
        self.shown = False
        self.verb, self.unit, self.tty_only = verb, unit, tty_only

    def __call__(self, done: int, total: int) -> None:
        if self.quiet or (self.tty_only and not self.tty):
            return
        rate = done / max(time.perf_counter() - self.start, 1e-6)
        text = f"{self.verb} {done}/{total} {self.unit} ({rate:.1f} {self.unit}/s)"
        if self.tty:
            width = 30
            filled = width * done // max(total, 1)
            bar = "#" * filled + "-" * (width - filled)
            click.echo(f"\r[{bar}] {text}", err=True, nl=False)
        else:
            click.echo(f"catalog-diff: {text}", err=True)
        self.shown = True

    def waiting(self) -> None:
        if not self.quiet:
            click.echo("catalog-diff: waiting for another index run to finish", err=True)

    def finish(self) -> None:
        if self.shown and self.tty and not self.quiet:
            click.echo("", err=True)

    def clear(self) -> None:
        """Erase the bar (a load's bar is gone once the report is written)."""
        if self.shown and self.tty and not self.quiet:
            click.echo("\r\x1b[K", err=True, nl=False)
            self.shown = False


@contextlib.contextmanager
def load_progress(quiet: bool) -> Iterator[None]:
    """A bar counting the files the loads of the block read, on a terminal only (each
    load starts its own count), erased at the end."""
    from ..sources.load import reporting

    progress = Progress(quiet, verb="read", unit="files", tty_only=True)
    if quiet or not progress.tty:
        yield
        return
    shown = 0

    def report(done: int, total: int) -> None:
        nonlocal shown
        if done < shown:  # the next load: its own rate
            progress.start = time.perf_counter()
        shown = done
        progress(done, total)

    try:
        with reporting(report):
            yield
    finally:
        progress.clear()


def open_history(
    repo: str, index_path: str | None, no_update: bool, quiet: bool, revision: str = "HEAD"
) -> tuple[HistoryIndex, str | None, str]:
    """The index, brought up to the end of ``revision`` (``REV`` or ``A..B``) unless
    ``no_update``, and the full SHAs of A (or None) and of the end: what the command
    reports is after A up to the end (the audit commands and ``trends``)."""
    from ..api import open_index
    from ..git.repository import GitRepository
    from ..model.selection import split_range

    first, last = split_range(revision)
    with GitRepository(repo) as git_repo:
        start = git_repo.resolve(first).sha if first is not None else None
        tip = git_repo.resolve(last).sha
    progress = Progress(quiet)
    try:
        index, _ = open_index(
            repo=repo,
            index=index_path,
            update=not no_update,
            revision=last,
            progress=progress,
            waiting=progress.waiting,
        )
    finally:
        progress.finish()
    return index, start, tip
