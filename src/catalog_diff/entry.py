"""The ``catalog-diff`` console script.

An ``index`` run that finds the index already up to date is answered here, before the
command line machinery and GitPython are imported: CI runs it on every job, and it should
cost little more than starting Python. Anything else goes to :mod:`catalog_diff.cli`.
"""

from __future__ import annotations

import sys


def _git(argv: list[str]) -> tuple[int, str]:
    """Run git, return its exit code and output (stderr dropped). Spawned directly:
    importing :mod:`subprocess` would cost more here than running git does. Like every
    git catalog-diff starts, it gets the environment of :mod:`catalog_diff.git.env`."""
    import os

    if not hasattr(os, "posix_spawnp"):  # pragma: no cover - not on this platform
        import subprocess

        from .git.env import ENV

        env = {**os.environ, **ENV}
        done = subprocess.run(argv, capture_output=True, text=True, check=False, env=env)
        return done.returncode, done.stdout
    read, write = os.pipe()
    quiet = os.open(os.devnull, os.O_WRONLY)
    from .git.env import ENV

    try:
        pid = os.posix_spawnp(
            argv[0],
            argv,
            {**os.environ, **ENV},
            file_actions=[
                (os.POSIX_SPAWN_DUP2, write, 1),
                (os.POSIX_SPAWN_DUP2, quiet, 2),
                (os.POSIX_SPAWN_CLOSE, read),
            ],
        )
    except OSError:
        os.close(read)
        return 127, ""
    finally:
        os.close(write)
        os.close(quiet)
    chunks = []
    status = None
    try:
        while chunk := os.read(read, 1 << 16):
            chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
    except BaseException:  # interrupted: git does not outlive the command
        if status is None:
            try:
                os.kill(pid, 9)  # SIGKILL
                os.waitpid(pid, 0)
            except OSError:
                pass
        raise
    finally:
        os.close(read)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def _up_to_date(args: list[str]) -> bool:
    """Answer ``index [REV] [--repo P] [--index F] [-q]`` when nothing is left to index.

    Returns False whenever anything is unusual, and the full command takes over.
    """
    repo, index, quiet, revision = ".", None, False, "HEAD"
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg in ("--repo", "--index") and rest:
            value = rest.pop(0)
            repo, index = (value, index) if arg == "--repo" else (repo, value)
        elif arg.startswith(("--repo=", "--index=")):
            key, _, value = arg.partition("=")
            repo, index = (value, index) if key == "--repo" else (repo, value)
        elif arg in ("-q", "--quiet"):
            quiet = True
        elif not arg.startswith("-") and revision == "HEAD" and ".." not in arg:
            revision = arg
        else:
            return False
    import os.path
    import sqlite3

    from .git.env import CONFIG_ARGS
    from .history.migrations import SCHEMA_VERSION, identity, read_only_uri

    code, out = _git(
        [
            "git",
            *CONFIG_ARGS,
            "-C",
            repo,
            "rev-parse",
            "--git-common-dir",
            "--show-toplevel",
            "--verify",
            "-q",
            "--end-of-options",
            f"{revision}^{{commit}}",
        ]
    )
    lines = out.split()
    if code != 0 or len(lines) != 3:
        return False
    git_dir, top, tip = lines
    git_dir = os.path.realpath(os.path.join(repo, git_dir))
    if index is None:
        from .history.indexpath import default_index_path

        index = str(default_index_path(git_dir, top))
    if not os.path.isfile(index):
        return False
    # As the full command does: the lock file must open for writing (a read-only folder
    # or file is its error to report, not "up to date"), and the schema must read.
    try:
        os.close(os.open(index + ".lock", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
    except OSError:
        return False
    try:
        conn = sqlite3.connect(read_only_uri(index), uri=True)
        try:
            found = identity(conn)
            if not found.is_index or found.version != SCHEMA_VERSION:
                return False
            info = dict(conn.execute("SELECT key, value FROM info").fetchall())
            last = conn.execute(
                "SELECT seq, sha, date FROM commits ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    if info.get("repository") != git_dir:
        return False
    if last is None or last[1] != tip:
        return False
    if not quiet:
        print(
            f"catalog-diff: {index}: already up to date; {last[0] + 1} commits indexed, "
            f"up to {tip[:12]} ({last[2]})",
            file=sys.stderr,
        )
    return True


def main() -> None:
    """The console script. SIGINT and SIGTERM are taken in hand before anything else
    (see :mod:`catalog_diff.process.interrupts`): from here on, an interruption at any point ends
    the command with one line on stderr and exit code 130 or 143."""
    from .process import interrupts

    try:
        interrupts.install()  # inside: a signal may land while the handlers are set
        code = _run(sys.argv[1:])
        interrupts.settle()
    except (interrupts.Interrupted, KeyboardInterrupt) as exc:
        code = interrupts.tell(exc)
    if interrupts.received() is not None:
        interrupts.end_children()
    sys.exit(code)


def _run(args: list[str]) -> int:
    """Run the command; its exit code."""
    try:
        if args[:1] == ["index"] and _up_to_date(args[1:]):
            return 0
        if args == ["--version"]:  # answered without click: the same line it prints
            from . import version

            print(f"catalog-diff, version {version()}")
            return 0
        from .cli import main as cli_main
    except MemoryError:  # too little memory (ulimit -v) to start: no traceback either
        print("catalog-diff: error: out of memory while starting", file=sys.stderr)
        return 3
    try:
        cli_main()
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    return 0
