"""SIGINT and SIGTERM: a command ends at once and cleanly, with exit code 130 or 143.

The command line calls :func:`install` before it does anything else. The first SIGINT or
SIGTERM then raises :class:`Interrupted` in the main thread, wherever it is, and both
signals are ignored from then on: the clean-up that the exception runs on its way out
(a transaction rolled back, git stopped, a temporary file removed) cannot itself be cut
short, and a second Ctrl-C cannot turn a clean exit into a traceback. A signal that lands
while a module is being imported is taken as soon as the import is over: an exception
raised inside an import leaves modules half made, and one raised while an extension
module initialises can crash the interpreter (orjson's does). So is one that lands where
Python cannot pass an exception on (a ``__del__``, a weakref callback run by the garbage
collector), where Python would print "Exception ignored" and drop it.

A watchdog thread is woken by the signal whatever the main thread is doing (waiting in
SQLite or in a system call that does not return): if the process has not ended
:data:`GRACE` seconds later, the watchdog removes the temporary files still registered
(:func:`track_temp`), stops the child processes and ends the process with the same exit
code. Once a command's outcome is decided (its report written, its exit code chosen),
:func:`settle` makes both signals ignored: a signal that comes later changes nothing.

A program that uses catalog-diff as a library installs nothing: it keeps its own
handlers, and Ctrl-C is a ``KeyboardInterrupt`` as usual (the library cleans up after
any exception).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

#: Seconds a process may take to clean up after a signal before the watchdog ends it.
GRACE = 1.5

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_lock = threading.Lock()
_installed = False
_settled = False
#: The signal being acted on (set when :class:`Interrupted` is raised).
_received: int | None = None
#: A signal that landed in a finalizer, to be delivered again.
_deferred: int | None = None
_told = False
_temps: set[str] = set()
_main = threading.main_thread()


class Interrupted(BaseException):
    """SIGINT or SIGTERM, raised in the main thread once :func:`install` has run.

    A :class:`BaseException`, as ``KeyboardInterrupt`` is: ``except Exception`` does not
    catch it, and every ``finally`` runs on its way out.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports a process the signal ended."""
        return 128 + self.signum


def exit_code(exc: BaseException) -> int:
    """The exit code of an interruption: :class:`Interrupted`'s own, 130 for a
    ``KeyboardInterrupt`` (Ctrl-C where no handler was installed)."""
    return exc.exit_code if isinstance(exc, Interrupted) else 128 + signal.SIGINT


def install(grace: float = GRACE) -> None:
    """Handle SIGINT and SIGTERM as this module describes (main thread only; once)."""
    global _installed
    if _installed or threading.current_thread() is not _main:
        return
    read, write = os.pipe()
    os.set_blocking(write, False)
    for fd in (read, write):
        os.set_inheritable(fd, False)
    watchdog = threading.Thread(
        target=_watch, args=(read, grace), name="catalog-diff-watchdog", daemon=True
    )
    watchdog.start()
    signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    sys.unraisablehook = _unraisable
    _installed = True
    for signum in _SIGNALS:
        signal.signal(signum, _handle)


def settle() -> None:
    """The outcome is decided: from now on SIGINT and SIGTERM are ignored (nothing happens
    unless :func:`install` ran)."""
    global _settled
    if not _installed:
        return
    _settled = True
    _ignore()


def received() -> int | None:
    """The signal that interrupted this process, if one did."""
    return _received


def tell(exc: BaseException) -> int:
    """Say on standard error, once, that the command was interrupted; its exit code."""
    global _told
    code = exit_code(exc)
    with _lock:
        told, _told = _told, True
    if not told:
        word = "terminated" if code == 128 + signal.SIGTERM else "interrupted"
        _write_stderr(f"catalog-diff: {word}\n", flush=threading.current_thread() is _main)
    return code


@contextlib.contextmanager
def temp_file(path: str) -> Iterator[str]:
    """Within the block, ``path`` is a temporary file that the watchdog removes if it has
    to end the process (the code that makes it removes it in every other case)."""
    with _lock:
        _temps.add(path)
    try:
        yield path
    finally:
        with _lock:
            _temps.discard(path)


def end_children() -> None:
    """Stop every child process that is still running and collect it (Linux, where
    ``/proc`` lists them; elsewhere nothing is done). Git processes that were being read
    when an interruption came end here, whatever held them."""
    pids = _children()
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 1.0
    for pid in pids:
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # collected already (by its Popen)
                break
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.005)


# ---- inside ----------------------------------------------------------------------------


def _handle(signum: int, frame: FrameType | None) -> None:
    global _received, _deferred
    if _received is not None or _settled:
        return
    if _not_now(frame):
        _deferred = signum  # the watchdog sends it again in a moment
        return
    _received, _deferred = signum, None
    _ignore()
    raise Interrupted(signum)


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An :class:`Interrupted` raised where it could not propagate was dropped: take the
    signal again (the watchdog delivers it in a moment); anything else as Python would."""
    global _received, _deferred
    exc = unraisable.exc_value
    if not isinstance(exc, Interrupted):
        _dropped(unraisable)
        return
    if _settled:
        return  # the outcome was decided meanwhile: nothing to take again
    try:
        for signum in _SIGNALS:
            signal.signal(signum, _handle)
    except ValueError:  # not the main thread: cannot happen, Interrupted is raised there
        return
    _received, _deferred = None, exc.signum


def _dropped(unraisable: sys.UnraisableHookArgs) -> None:
    """Another exception Python could not pass on (a finalizer's, at shutdown). Once a
    signal is being acted on, it is one of the objects the interruption left half made
    (GitPython's config parser, cut off in its ``__init__``): nothing to say. Otherwise
    one line, never a traceback."""
    if _received is not None:
        return
    from ..layout import printable

    where = getattr(unraisable.object, "__qualname__", None) or type(unraisable.object).__name__
    what = f"{type(unraisable.exc_value).__name__}: {unraisable.exc_value}"
    line = f"catalog-diff: warning: ignored in {printable(where)}: {printable(what)}\n"
    _write_stderr(line, flush=threading.current_thread() is _main)


def _ignore() -> None:
    for signum in _SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _not_now(frame: FrameType | None) -> bool:
    """Whether the main thread is importing a module or running a ``__del__`` (see the
    module's docstring)."""
    depth = 0
    while frame is not None and depth < 1000:
        code = frame.f_code
        if code.co_name == "__del__" or code.co_filename.startswith("<frozen importlib"):
            return True
        frame, depth = frame.f_back, depth + 1
    return False


def _watch(fd: int, grace: float) -> None:
    """Wait for a signal; end the process if it is still there ``grace`` seconds later."""
    try:
        data = b""
        while not data:
            try:
                data = os.read(fd, 64)
            except InterruptedError:
                continue
            if not data:
                return
        signum = data[0]
        deadline = time.monotonic() + grace
        main = _main.ident
        while time.monotonic() < deadline:
            time.sleep(0.02)
            deferred = _deferred
            if deferred is not None and _received is None and main is not None:
                with contextlib.suppress(OSError):
                    signal.pthread_kill(main, deferred)
        if _settled and _received is None:
            return  # the command had finished: it is ending with its own exit code
        _emergency_exit(_received or signum)
    except BaseException:  # a watchdog that fails must not print
        return


def _emergency_exit(signum: int) -> None:
    tell(Interrupted(signum))
    with _lock:
        temps = list(_temps)
    for path in temps:
        with contextlib.suppress(OSError):
            Path(path).unlink()
    end_children()
    os._exit(128 + signum)


def _write_stderr(text: str, flush: bool) -> None:
    """Straight to the file descriptor, after what ``sys.stderr`` holds when ``flush``
    (the watchdog does not: the main thread may hold its lock). A closed or full stderr
    is not an error here."""
    if flush:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.flush()
    with contextlib.suppress(OSError):
        os.write(2, text.encode("utf-8", "replace"))


def _children() -> list[int]:
    """The ids of this process's children, from ``/proc`` (empty where there is none)."""
    tasks = Path(f"/proc/{os.getpid()}/task")
    pids: set[int] = set()
    try:
        for task in tasks.iterdir():
            pids.update(int(p) for p in (task / "children").read_text("ascii").split())
    except FileNotFoundError:
        return _children_by_parent() if tasks.is_dir() else []
    except (OSError, ValueError):
        return []
    return sorted(pids)


def _children_by_parent() -> list[int]:
    """This process's children, found by reading every process's parent (for kernels
    without ``/proc/PID/task/TID/children``)."""
    me = str(os.getpid())
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text("utf-8", "replace")
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1] == me:
            pids.append(int(entry.name))
    return pids
