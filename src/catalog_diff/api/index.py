"""The entry points on the history index: open it (updating it first), and the questions
it answers (log, history, when). Each returns model objects.

Heavy modules (GitPython, SQLite) are imported by the calls that need them, so that a
command pays only for what it does.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PackageNotFound, TagNotFound, UsageError
from ..model.selection import Globs, globs, split_range

if TYPE_CHECKING:  # each function imports what it runs: a command loads no more
    from ..compare.aliases import CompilerAliases
    from ..git.repository import GitRepository
    from ..history.index import HistoryIndex, IndexedCommit
    from ..history.ingest import UpdateStats
    from ..model.history import LogEntry, PackageHistory, Presence
    from ..model.trends import Trends

Progress = Callable[[int, int], None]

#: A moment as the library takes it: Unix seconds, a date or time (naive: UTC), or text
#: as the command line takes it (``2025-03-01`` or ISO 8601).
Moment = int | str | date | datetime


def open_index(
    *,
    repo: str = ".",
    index: str | None = None,
    update: bool = True,
    rebuild: bool = False,
    revision: str = "HEAD",
    progress: Progress | None = None,
    waiting: Callable[[], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> tuple[HistoryIndex, UpdateStats | None]:
    """Open the history index of ``repo`` (brought up to ``revision`` unless ``update`` is
    false). ``revision`` may be a range ``A..B``: a new index then starts at ``A``.

    Without ``index``, the index lives in the user's cache folder (created if needed);
    an ``index`` path must be a file name in a folder that exists. ``rebuild`` deletes
    the file first if it is a catalog-diff index (even a damaged one); a database of
    another program is refused, and any other file is kept aside as
    ``<name>.unrecognised`` (``notice`` is told), never deleted.
    """
    from ..git.repository import GitRepository
    from ..history.index import HistoryIndex, default_index_path
    from ..history.indexfile import check_location, make_way

    base, tip = split_range(revision)
    with GitRepository(repo) as git_repo:
        path = Path(index) if index else default_index_path(git_repo)
        check_location(path, create_parent=index is None)
        if rebuild:
            make_way(path, notice)
        opened = HistoryIndex(path)
        stats = None
        try:
            if update:
                stats = _update(opened, git_repo, base or "", tip or "HEAD", progress, waiting)
            else:
                with opened.faults():
                    _check_repository(opened, git_repo)
                    if opened.last_commit() is None:
                        raise UsageError(
                            f"{path}: the index is empty; run 'catalog-diff index' first"
                        )
        except BaseException:
            opened.close()
            raise
    return opened, stats


def _update(
    opened: HistoryIndex,
    git_repo: GitRepository,
    base: str,
    tip: str,
    progress: Progress | None,
    waiting: Callable[[], None] | None,
) -> UpdateStats:
    from ..history.ingest import OffTheIndexedLine

    resolved = git_repo.resolve(tip)
    try:
        return opened.update(
            git_repo,
            resolved,
            progress=progress,
            waiting=waiting,
            base=git_repo.resolve(base) if base else None,
        )
    except OffTheIndexedLine as exc:
        raise OffTheIndexedLine(exc.index, exc.sha, tip, exc.start) from None


def _check_repository(opened: HistoryIndex, git_repo: GitRepository) -> None:
    from ..history.migrations import IndexFileError

    here = str(Path(git_repo.git_dir).resolve())
    there = opened.info("repository")
    if there is not None and there != here:
        raise IndexFileError(opened.path, f"it indexes another repository ({there})")


def _moment(value: Moment | None, start_of_day: bool) -> int | None:
    """Unix seconds of a ``since`` (``start_of_day``) or ``until`` bound: a bare date is
    the whole day (from its start, or to its end), as on the command line."""
    from ..sources.dates import parse_date

    if value is None or isinstance(value, int):
        return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        return int(aware.timestamp())
    if isinstance(value, date):
        value = value.isoformat()
    if not isinstance(value, str):
        raise UsageError(f"{value!r} is not a date (use YYYY-MM-DD or ISO 8601)")
    seconds = parse_date(value)
    return seconds - 86399 if start_of_day and len(value.strip()) == 10 else seconds


def _end(index: HistoryIndex, sha: str | None, label: str | None) -> IndexedCommit:
    """The indexed commit ``sha`` (default: the last indexed one)."""
    from ..errors import DataError

    found = index.commit_by_sha(sha) if sha is not None else index.last_commit()
    if found is not None:
        return found
    if sha is None:
        raise UsageError(f"{index.path}: the index is empty; run 'catalog-diff index' first")
    named = f"{label} ({sha[:12]})" if label and label != sha else sha[:12]
    first, last = index.commit_at_seq(0), index.last_commit()
    extent = f" ({first.sha[:12]} to {last.sha[:12]})" if first and last else ""
    raise DataError(
        f"{named}: not in the history indexed in {index.path}{extent}; "
        "run the command without --no-update to index it, or "
        "'catalog-diff index --rebuild' for the whole history"
    )


def _check_tag(index: HistoryIndex, tag: str | None, end: IndexedCommit) -> None:
    if tag is None:
        return
    known = index.tags_until(end.seq)
    if tag not in known:
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        raise TagNotFound(
            f"the history indexed in {index.path} up to {end.sha[:12]}",
            tag,
            f" (known tags: {shown or 'none'})",
        )


def _check_limit(limit: int | None) -> None:
    if limit is not None and limit < 1:
        raise UsageError(f"-n/--max-count must be at least 1, not {limit}")


def log(
    index: HistoryIndex,
    *,
    since: Moment | None = None,
    until: Moment | None = None,
    first: str | None = None,
    last: str | None = None,
    tag: str | None = None,
    package: Globs = None,
    limit: int | None = None,
    labels: tuple[str | None, str | None] = (None, None),
    transient_window: int = 7,
    aliases: CompilerAliases | None = None,
) -> list[LogEntry]:
    """Log entries, newest first: commits after ``first`` up to ``last`` (full SHAs of
    indexed commits; ``last`` defaults to the last indexed), dated within
    ``since``..``until`` (Unix times, dates, datetimes or text as the command line takes
    it); at most ``limit``, read no further than needed. ``labels`` are the revisions as
    the user typed them, for messages. A stack gone at one commit and back within
    ``transient_window`` commits is ``stack-transient`` there, not removed and added.
    ``aliases``: the compiler aliases, as for :func:`catalog_diff.api.diff` (the built-in
    table by default; ``NO_ALIASES`` for the raw view)."""
    from ..compare.aliases import or_builtin
    from ..history import timeline

    _check_limit(limit)
    _check_window(transient_window)
    start, stop = _moment(since, True), _moment(until, False)
    with index.faults():
        end = _end(index, last, labels[1])
        _check_tag(index, tag, end)
        low = _end(index, first, labels[0]).seq + 1 if first is not None else 0
        commits = (
            c
            for c in index.commits_newest_first(low, end.seq)
            if (start is None or c.timestamp >= start) and (stop is None or c.timestamp <= stop)
        )
        return timeline.log(
            index,
            commits,
            tag=tag,
            glob=globs(package) or None,
            limit=limit,
            window=transient_window,
            aliases=or_builtin(aliases),
        )


def history(
    index: HistoryIndex,
    package: str,
    *,
    tag: str | None = None,
    since: Moment | None = None,
    until: Moment | None = None,
    first: str | None = None,
    last: str | None = None,
    limit: int | None = None,
    labels: tuple[str | None, str | None] = (None, None),
    transient_window: int = 7,
    aliases: CompilerAliases | None = None,
) -> PackageHistory:
    """Every commit at which a package changed, oldest first, after ``first`` up to
    ``last`` (full SHAs of indexed commits, as for :func:`log`); ``limit`` keeps the most
    recent events. Dates as for :func:`log`. An absence of the package (or of a stack,
    target or compiler of it) back within ``transient_window`` commits is transient.
    ``aliases``: the compiler aliases, as for :func:`log`."""
    from ..compare.aliases import or_builtin
    from ..history import events

    _check_limit(limit)
    _check_window(transient_window)
    start, stop = _moment(since, True), _moment(until, False)
    with index.faults():
        end, after = _package_window(index, package, tag, first, last, labels)
        return events.history(
            index,
            package,
            tag=tag,
            since=start,
            until=stop,
            end=end,
            limit=limit,
            after=after,
            window=transient_window,
            aliases=or_builtin(aliases),
        )


def when(
    index: HistoryIndex,
    package: str,
    kind: str,
    value: str,
    *,
    tag: str = "develop",
    since: Moment | None = None,
    until: Moment | None = None,
    first: str | None = None,
    last: str | None = None,
    labels: tuple[str | None, str | None] = (None, None),
    transient_window: int = 7,
) -> Presence:
    """When a target, stack, compiler, version, hash or os was present for a package (in
    ``tag``, develop by default), after ``first`` up to ``last`` as for :func:`log`. An
    absence of at most ``transient_window`` commits does not end a presence."""
    from ..history import timeline

    _check_window(transient_window)
    if kind not in timeline.QUERIES:
        raise UsageError(f"unknown query {kind!r}; one of {', '.join(timeline.QUERIES)}")
    start, stop = _moment(since, True), _moment(until, False)
    with index.faults():
        end, after = _package_window(index, package, tag, first, last, labels)
        return timeline.when(
            index,
            package,
            tag,
            kind,
            value,
            end=end,
            since=start,
            until=stop,
            after=after,
            window=transient_window,
        )


def _check_window(window: int) -> None:
    if window < 1:
        raise UsageError(f"--transient-window must be at least 1, not {window}")


def _package_window(
    index: HistoryIndex,
    package: str,
    tag: str | None,
    first: str | None,
    last: str | None,
    labels: tuple[str | None, str | None],
) -> tuple[IndexedCommit, int | None]:
    """The end commit and the sequence number after which ``history`` and ``when`` look,
    once the tag and the package are known to the index up to that end."""
    end = _end(index, last, labels[1])
    _check_tag(index, tag, end)
    _known_package(index, package)
    return end, _end(index, first, labels[0]).seq if first is not None else None


def _known_package(index: HistoryIndex, package: str) -> None:
    if not index.versions(package):
        close = sorted(n for n in index.package_names() if fnmatch.fnmatchcase(n, f"*{package}*"))
        hint = f" (did you mean {', '.join(close[:5])}?)" if close else ""
        raise PackageNotFound(package, index.path, hint)


def trends(
    index: HistoryIndex,
    *,
    last: str | None = None,
    tag: str | None = None,
    stacks: tuple[str, ...] = (),
    since: Moment | None = None,
    until: Moment | None = None,
    bucket: str = "day",
    progress: Progress | None = None,
) -> Trends:
    """The series of the trends charts up to the indexed commit ``last`` (default: the
    last indexed), as :func:`log` selects commits, for ``tag`` and ``stacks`` alone, with
    changes summed per ``bucket`` (``day`` or ``week``)."""
    from ..history.trends import compute

    labels = tuple(None if v is None else str(v) for v in (since, until))
    with index.faults():
        end = _end(index, last, None)
        _check_tag(index, tag, end)
        window = (_moment(since, True), _moment(until, False))
        return compute(index, end, tag, stacks, window, bucket, progress, labels)
