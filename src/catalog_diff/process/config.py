"""The configuration file: compiler aliases the user adds to the built-in table.

Two files are read, when they exist, the second overriding the first entry by entry:

1. ``$XDG_CONFIG_HOME/catalog-diff/config.toml`` (``~/.config/catalog-diff/config.toml``
   when ``XDG_CONFIG_HOME`` is unset or not absolute), the user's own;
2. ``.catalog-diff.toml`` in the current directory, a project's.

``CATALOG_DIFF_CONFIG=PATH`` names one file instead of both (empty: none at all). The
only table read is ``[compiler-aliases]``, ``OLD = "NEW"`` per line (an empty NEW removes
a built-in alias); the file names no program and nothing in it is run. A file that cannot
be read or parsed is a one-line usage error naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import UsageError

FILE_NAME = ".catalog-diff.toml"
TABLE = "compiler-aliases"


def config_paths(environ: Mapping[str, str], cwd: Path) -> list[Path]:
    """The configuration files to read, in order (later ones override earlier ones)."""
    named = environ.get("CATALOG_DIFF_CONFIG")
    if named is not None:
        return [Path(named)] if named else []
    base = environ.get("XDG_CONFIG_HOME", "")
    home = Path(base) if Path(base).is_absolute() else Path(environ.get("HOME", "~"), ".config")
    return [home.expanduser() / "catalog-diff" / "config.toml", cwd / FILE_NAME]


def parse_alias(text: str, where: str = "--compiler-alias") -> tuple[str, str]:
    """``OLD=NEW`` -> ``(OLD, NEW)``; a one-line usage error naming ``where`` otherwise."""
    old, eq, new = text.partition("=")
    _check(old.strip(), new.strip(), where, text, eq == "=")
    return old.strip(), new.strip()


def _check(old: str, new: str, where: str, text: str, ok: bool = True) -> None:
    bad = not ok or not old or any(c in "@= \t" for c in old + new)
    if bad or not all(c.isprintable() for c in old + new):
        raise UsageError(f"{where}: {text!r} is not OLD=NEW (two compiler names, no version)")


def read_aliases(paths: list[Path]) -> list[tuple[str, str]]:
    """The ``[compiler-aliases]`` entries of the files that exist, in order."""
    out: list[tuple[str, str]] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as err:
            raise UsageError(f"config {path}: cannot be read ({err.strerror})") from None
        import tomllib  # only when a file exists: most runs have none

        try:
            doc = tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise UsageError(f"config {path}: not TOML ({err})") from None
        table = doc.get(TABLE, {})
        if not isinstance(table, dict):
            raise UsageError(f'config {path}: [{TABLE}] must be a table of OLD = "NEW"')
        for old, new in table.items():
            if not isinstance(new, str):
                raise UsageError(f"config {path}: [{TABLE}] {old!r} must be a string")
            _check(old, new, f"config {path}: [{TABLE}]", f"{old}={new}")
            out.append((old, new))
    return out
