"""Writing what a command produces: a file whole or not at all, standard output checked.

Every report, snapshot file and set of release notes written to a file goes through
:func:`replacing`: the bytes go to a temporary file beside the target, are flushed to
disk, and the temporary file is renamed over the target. A write that fails or is
interrupted half-way leaves the previous file as it was, and no temporary file behind
(one killed with SIGKILL may leave ``.NAME.XXXXXXXX.partial``, never a half-written
target). A target that exists and is not a regular file (``/dev/null``, a FIFO) is
written in place.

Standard output is written through :func:`write_stdout`; a failure there (a full disk
behind it) is an :class:`OutputError`, a reader that went away a ``BrokenPipeError``
(see :data:`EXIT_CLOSED_PIPE`), and in both cases what is left in Python's buffer is
dropped, so that nothing more is tried (and reported) when the interpreter exits.

:func:`check_target` refuses an output file that is one of the command's inputs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import EXIT_DATA, EXIT_USAGE, DataError, UsageError
from . import interrupts

#: Exit code when the reader of standard output went away (``| head``): 128 + SIGPIPE,
#: what a shell reports for a program that SIGPIPE ended, as git is.
EXIT_CLOSED_PIPE = 128 + signal.SIGPIPE

#: The folders of a catalog directory that commands read: never written to.
CATALOG_FOLDERS = ("_cache", "_data")

#: What names standard output in messages.
STDOUT = "standard output"


class OutputError(DataError):
    """What a command produces cannot be written: exit code 3 for standard output, 2
    (a usage error, as documented) for the file given with ``-o``."""

    def __init__(self, target: str, what: str, reason: str, exit_code: int = EXIT_DATA) -> None:
        super().__init__(f"{target}: cannot write {what}: {reason}")
        self.target = target
        self.exit_code = exit_code


@contextlib.contextmanager
def replacing(path: str) -> Iterator[BinaryIO]:
    """A binary file whose content replaces ``path`` when the block ends without error.

    A symbolic link is followed: the file it points to is replaced, not the link. The
    new file gets the mode of the file it replaces (a new one: 0666 less the umask).
    ``OSError`` is raised as it comes.
    """
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        with target.open("wb") as f:  # a device or a FIFO, as it is
            yield f
        return
    try:
        mode: int | None = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    while True:
        temp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.partial")
        with interrupts.temp_file(str(temp)):
            try:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            except FileExistsError:
                continue  # another name
            except BaseException:  # interrupted as it was made
                temp.unlink(missing_ok=True)
                raise
            try:
                with open(fd, "wb") as f:  # noqa: PTH123 - the descriptor just made
                    yield f
                    f.flush()
                    os.fsync(f.fileno())
                if mode is not None:
                    temp.chmod(mode)
                temp.replace(target)
            except BaseException:
                with contextlib.suppress(OSError):
                    temp.unlink(missing_ok=True)
                raise
        break
    _sync_folder(target.parent)


def write_file(path: str, chunks: Iterable[bytes], what: str = "the report") -> None:
    """Write ``chunks`` to ``path`` through :func:`replacing`; a failure is an
    :class:`OutputError` naming ``path`` and ``what``."""
    try:
        with replacing(path) as f:
            for chunk in chunks:
                f.write(chunk)
    except OSError as exc:
        raise OutputError(path, what, exc.strerror or str(exc), EXIT_USAGE) from exc


def write_stdout(chunks: Iterable[bytes], what: str = "the report") -> None:
    """Write ``chunks`` to standard output and flush it (see the module's docstring).

    A write the pipe took only in part is written on: Python's buffered writer returns
    the part a pipe took when its reader went away, and the text layer above it drops
    the rest without a word.
    """
    try:
        sys.stdout.flush()
        out = sys.stdout.buffer
        for chunk in chunks:
            view = memoryview(chunk)
            while view:
                view = view[out.write(view) :]
        out.flush()
    except OSError as exc:
        raise stdout_failed(exc, what) from exc


def stdout_failed(exc: OSError, what: str = "the report") -> BaseException:
    """What to raise for ``exc``, met writing standard output (the exception as it is
    when the reader went away, else an :class:`OutputError`). What Python still holds
    for standard output is dropped: standard output becomes ``/dev/null``."""
    drop_stdout()
    if isinstance(exc, BrokenPipeError):
        return exc
    return OutputError(STDOUT, what, exc.strerror or str(exc))


def drop_stdout() -> None:
    """Point standard output at ``/dev/null``: whatever is left in Python's buffer goes
    nowhere, quietly, when it is flushed at exit."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def check_target(
    output: str | None, inputs: Iterable[str | None], files: Iterable[str] = ()
) -> None:
    """Refuse (:class:`~catalog_diff.errors.UsageError`) an output file that is one of
    ``inputs`` (a snapshot file, a template) or lies in the catalog of one of them (a
    directory: below its ``_cache/`` or ``_data/``, what the commands read; a report
    beside them is fine), or is one of ``files`` (an index and the files SQLite keeps
    beside it, whether they exist now or not). An input argument may be a revision: only
    what names an existing path counts, read as typed and, for ``KIND:PATH``, as its
    path."""
    if output is None or output == "-":
        return
    target = Path(os.path.realpath(output))
    if target.exists() and not target.is_file():
        return  # /dev/null and the like: written in place, never an input
    for used in files:
        if Path(os.path.realpath(used)) == target:
            raise UsageError(f"-o {output}: the same file as {used}, which the command uses")
    for given in inputs:
        if not given:
            continue
        for path in _readings(given):
            if not path.exists():
                continue
            where = Path(os.path.realpath(path))
            if where.is_dir():
                if any(target.is_relative_to(where / part) for part in CATALOG_FOLDERS):
                    raise UsageError(
                        f"-o {output}: inside the catalog of the input directory {given}; "
                        "write it elsewhere"
                    )
            elif where == target or _same_file(where, target):
                raise UsageError(f"-o {output}: the same file as the input {given}")


def _readings(given: str) -> list[Path]:
    """The paths an input argument may name: as typed and, for ``KIND:PATH``, PATH."""
    readings = [Path(given)]
    kind, sep, rest = given.partition(":")
    if sep and kind.isalpha() and rest:
        readings.append(Path(rest))
    return readings


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (where the system lets a folder be synced)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
