"""The command line: options -> one library call -> renderer -> stdout.

The commands live in :mod:`.diff` (diff, snapshot, schema) and :mod:`.audit` (index, log,
history, show, when). Every error the library raises on purpose is a
:class:`~catalog_diff.errors.CatalogDiffError`; it is caught once, in
:func:`.common.reports_errors`, and printed on one line with its exit code. click's own
usage errors are printed on one line too.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from .. import version
from ..process.gcpause import freeze_after_loads
from .common import EXIT_DATA, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, fail, out_of_memory

__all__ = ["EXIT_INTERNAL", "main"]

#: Each command: the module of this package that defines it, and its name there. A run
#: imports only its own command's module (a diff does not import the history index, lint
#: or release notes): see :meth:`_Group.get_command`.
COMMANDS: dict[str, tuple[str, str]] = {
    "diff": ("diff", "diff"),
    "snapshot": ("diff", "snapshot"),
    "schema": ("diff", "schema"),
    "release-notes": ("release", "release_notes"),
    "index": ("audit", "index"),
    "log": ("audit", "log"),
    "history": ("audit", "history"),
    "show": ("audit", "show"),
    "when": ("audit", "when"),
    "lint": ("lint", "lint"),
    "trends": ("trends", "trends"),
}


class _Group(click.Group):
    """Imports a command's module when that command is asked for; reports click's own
    usage errors on one line, with the usage exit code."""

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        """Every command (all their modules imported): for help and introspection."""
        return {name: _load(name) for name in COMMANDS}

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        if value:  # click's own __init__ sets it empty; commands come from COMMANDS
            raise TypeError("catalog-diff's commands are listed in COMMANDS")

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return _load(cmd_name) if cmd_name in COMMANDS else None

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

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
            fail(f"{exc.format_message()} (see '{where} --help')", EXIT_USAGE)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            click.echo("catalog-diff: interrupted", err=True)
            sys.exit(130)
        except MemoryError as exc:
            fail(out_of_memory(exc), EXIT_DATA)
        if standalone_mode:
            sys.exit(result if isinstance(result, int) else EXIT_OK)
        return result


def _print_version(ctx: click.Context, value: bool) -> None:
    """``--version``: the version is read from the package metadata only when asked."""
    if value and not ctx.resilient_parsing:
        click.echo(f"catalog-diff, version {version()}")
        ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx, value),
    help="Show the version and exit.",
)
def main() -> None:
    """Tell exactly what changed in the Spack build-cache catalog between two points."""
    # One command per process: what a load made is never walked by the cyclic garbage
    # collector again (0.15 s and more after a whole catalog; see catalog_diff.process.gcpause).
    freeze_after_loads()


def _load(name: str) -> click.Command:
    module, attribute = COMMANDS[name]
    command: click.Command = getattr(importlib.import_module(f".{module}", __name__), attribute)
    return command
