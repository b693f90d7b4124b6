"""Compiler aliases: spellings of the same compiler that Spack renamed. Pure.

When compilers became dependencies (Spack 1.0), the compilers that had a name of their
own took the name of the package that provides them (spack/spack
``lib/spack/spack/aliases.py``, ``LEGACY_COMPILER_TO_BUILTIN``): ``clang@=X`` became
``llvm@X``, ``oneapi@=X`` became ``intel-oneapi-compilers@X``, and so on. A package that
compiles nothing (pure Python, a binary redistribution, headers only) has no compiler at
all, which the catalog writes ``none``. Either way the build is the same and only its
spelling changed: with aliases, a spec whose only difference is such a spelling pairs as
a rebuild, marked ``compiler_renamed``, not as a compiler change.

An alias is ``OLD=NEW``: a compiler named OLD on one side and NEW on the other, at the
same version, is one compiler. NEW ``none`` (written without a version) takes any version
of OLD, and OLD ``*`` any compiler. Users extend the built-in table or override one of its
entries (same OLD) with ``--compiler-alias`` and the config file; an empty NEW removes
OLD's entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

#: The compiler that a package compiling nothing has.
NO_COMPILER = "none"

#: Spack's renames, OLD -> NEW (see the module's docstring for where they come from).
BUILTIN: Mapping[str, str] = MappingProxyType(
    {
        "clang": "llvm",
        "oneapi": "intel-oneapi-compilers",
        "rocmcc": "llvm-amdgpu",
        "intel": "intel-oneapi-compiler-classic",
        "arm": "acfl",
        "*": NO_COMPILER,
    }
)


def split_compiler(compiler: str) -> tuple[str, str | None]:
    """``gcc@11.4.0`` -> ``("gcc", "11.4.0")``; ``none`` -> ``("none", None)``."""
    name, at, version = compiler.partition("@")
    return name, (version if at else None)


@dataclass(frozen=True, slots=True)
class CompilerAliases:
    """An alias table, OLD name -> NEW name, sorted (an empty one: the raw view)."""

    entries: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, table: Mapping[str, str]) -> CompilerAliases:
        return cls(tuple(sorted((old, new) for old, new in table.items() if new)))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def extended(self, overrides: Iterable[tuple[str, str]]) -> CompilerAliases:
        """This table with ``overrides`` added; one with the OLD of an entry replaces it,
        and an empty NEW removes it."""
        table = dict(self.entries)
        for old, new in overrides:
            table[old] = new
        return CompilerAliases.of(table)

    def canonical(self, compiler: str) -> str:
        """The spelling a compiler renamed by name has now (``oneapi@2024.2.1`` ->
        ``intel-oneapi-compilers@2024.2.1``); anything else as it is."""
        name, version = split_compiler(compiler)
        new = dict(self.entries).get(name)
        if new is None or new == NO_COMPILER or version is None:
            return compiler
        return f"{new}@{version}"

    def drops_compiler(self, compiler: str) -> bool:
        """Whether ``compiler`` may have become ``none``."""
        if compiler == NO_COMPILER:
            return False
        name, _ = split_compiler(compiler)
        return any(new == NO_COMPILER and old in ("*", name) for old, new in self.entries)

    def renamed(self, old: str, new: str) -> bool:
        """Whether two different compilers are one compiler spelt two ways."""
        if old == new:
            return False
        if self.canonical(old) == self.canonical(new):
            return True
        return (new == NO_COMPILER and self.drops_compiler(old)) or (
            old == NO_COMPILER and self.drops_compiler(new)
        )


#: The built-in table, and no aliases at all (``--no-aliases``).
BUILTIN_ALIASES = CompilerAliases.of(BUILTIN)
NO_ALIASES = CompilerAliases()


def or_builtin(aliases: CompilerAliases | None) -> CompilerAliases:
    """``aliases``, or the built-in table when none are given: the library's default, as
    the command line's (which also reads the user's configuration)."""
    return BUILTIN_ALIASES if aliases is None else aliases
