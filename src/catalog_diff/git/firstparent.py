"""A repository's first-parent history: the commits along it with what each changed below
``_cache/`` (the history index reads them), their count, the commit at a date, and
ancestry. Each function takes the repository's :class:`git.Git` command runner (with the
options of :mod:`catalog_diff.git.env`) and its path, for messages.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ..errors import GitError
from ..layout import CACHE_DIR
from .diagnosis import reason, shallow_reason
from .gitpython import git
from .log import LOG_FORMAT, LoggedCommit, parse_log


def commit_at(cmd: git.Git, path: str, timestamp: int, tip: str, named: str) -> str | None:
    """The last commit of ``tip``'s first-parent history dated at or before ``timestamp``
    (``named``: ``tip`` as the user asked for it)."""
    try:
        out = cmd.rev_list("--first-parent", "-1", f"--before=@{timestamp}", tip, "--")
    except git.GitCommandError as exc:
        raise GitError(named, path, reason(exc)) from exc
    return str(out).strip() or None


def count(cmd: git.Git, path: str, tip: str, since: str | None) -> int:
    """How many commits are after ``since`` up to ``tip`` along first parents."""
    spec = f"{since}..{tip}" if since else tip
    try:
        return int(cmd.rev_list("--first-parent", "--count", spec, "--").strip())
    except git.GitCommandError as exc:
        raise GitError(spec, path, f"cannot count commits: {reason(exc)}") from exc
    except ValueError as exc:
        raise GitError(spec, path, "cannot count commits") from exc


def walk(
    cmd: git.Git, path: str, git_dir: str, tip: str, since: str | None
) -> Iterator[LoggedCommit]:
    """Commits after ``since`` up to ``tip`` along first parents, oldest first, each with
    the changes to ``_cache/`` against its first parent (the root: against nothing).
    ``tip`` and ``since`` must be resolved SHAs. git stops when the walk does."""
    spec = f"{since}..{tip}" if since else tip
    proc = cmd.log(
        "--first-parent",
        "--reverse",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "--root",
        "--diff-merges=first-parent",
        "--full-history",
        "--sparse",
        "--no-ext-diff",
        "--no-textconv",
        "--no-show-signature",
        "--no-color",
        # No order file read from the repository's configuration (diff.orderFile).
        "-O/dev/null",
        LOG_FORMAT,
        spec,
        "--",
        CACHE_DIR,
        as_process=True,
    )
    stdout = proc.proc.stdout
    finished = False
    boundary = _shallow(git_dir)
    try:
        for logged in parse_log(iter(lambda: stdout.read(1 << 20), b"")):
            if not logged.parents and logged.sha in boundary:
                raise GitError(logged.sha, path, shallow_reason(logged.sha))
            yield logged
        finished = True
    finally:
        if not finished:  # stopped early: git would go on walking the history first
            with contextlib.suppress(OSError):
                proc.proc.kill()
        stdout.close()
        try:
            proc.wait()
        except git.GitCommandError as exc:
            # Stopped early (Ctrl-C, or the reader left): git's broken pipe is our
            # doing and must not hide what stopped us.
            if finished:
                raise GitError(spec, path, reason(exc)) from exc


def _shallow(git_dir: str) -> set[str]:
    """The commits at a shallow clone's boundary (git shows them without parents)."""
    try:
        text = Path(git_dir, "shallow").read_text("ascii", "replace")
    except OSError:
        return set()
    return set(text.split())


def is_ancestor(cmd: git.Git, path: str, older: str, newer: str) -> bool:
    """Whether commit ``older`` is an ancestor of (or is) commit ``newer`` (full SHAs)."""
    try:
        cmd.merge_base("--is-ancestor", older, newer)
    except git.GitCommandError as exc:
        if exc.status == 1:
            return False
        raise GitError(f"{older}..{newer}", path, reason(exc)) from exc
    return True
