"""Reading ``git log -z --raw`` output: commits and the paths they changed.

The format is NUL-separated throughout (``-z``, ``%x00``), with no separator byte of our
own: a subject can hold any byte but NUL (git's ``%s`` ends at the first NUL of a
message), so a 0x01 or an invalid UTF-8 sequence in a subject is read as part of it.
Each commit is five header fields (SHA, parents, committer date, its Unix time, subject)
followed by its changes, each a ``:modes oids status`` field then a path field. The next
commit's SHA never starts with ``:``, which is how a commit's changes end.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

#: The ``--format`` that :func:`parse_log` reads.
LOG_FORMAT = "--format=%H%x00%P%x00%cI%x00%ct%x00%s"


@dataclass(frozen=True, slots=True)
class Change:
    """One path a commit changed (modes ``000000`` on the side where it is absent)."""

    old_mode: str
    new_mode: str
    old_oid: str
    new_oid: str
    path: str


@dataclass(frozen=True, slots=True)
class LoggedCommit:
    """A commit of first-parent history with the catalog paths it changed."""

    sha: str
    parents: tuple[str, ...]
    date: str
    timestamp: int
    subject: str
    changes: tuple[Change, ...]


def fields(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """The NUL-separated fields of a stream read in blocks of any size."""
    pending = b""
    for block in blocks:
        pending += block
        parts = pending.split(b"\0")
        pending = parts.pop()
        yield from parts
    if pending:
        yield pending


def parse_log(blocks: Iterable[bytes]) -> Iterator[LoggedCommit]:
    """The commits of ``git log -z --raw LOG_FORMAT`` output, in the order git gives."""
    stream = fields(blocks)
    head: bytes | None = None
    while True:
        sha = head if head is not None else next(stream, None)
        head = None
        if sha is None:
            return
        sha = sha.lstrip(b"\n")
        if not sha:
            continue
        rest = [next(stream, b"") for _ in range(4)]
        parents, date, stamp, subject = rest
        changes = []
        for field in stream:
            field = field.lstrip(b"\n")
            if not field.startswith(b":"):
                head = field
                break
            old_mode, new_mode, old_oid, new_oid, _ = field[1:].decode("ascii").split(" ")
            path = next(stream, b"").decode("utf-8", "surrogateescape")
            changes.append(Change(old_mode, new_mode, old_oid, new_oid, path))
        yield LoggedCommit(
            sha=sha.decode("ascii"),
            parents=tuple(parents.decode("ascii").split()),
            date=date.decode("ascii"),
            timestamp=int(stamp),
            subject=subject.decode("utf-8", "replace"),
            changes=tuple(changes),
        )


__all__ = ["LOG_FORMAT", "Change", "LoggedCommit", "fields", "parse_log"]
