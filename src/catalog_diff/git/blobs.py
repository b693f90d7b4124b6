"""The blobs a repository streams through its ``git cat-file --batch`` process, in the
order asked, and the error that names a blob git could not read.
"""

from __future__ import annotations

from ..errors import GitError
from .catfile import BlobStream


class MissingObject(GitError):
    """A blob that ls-tree listed and ``cat-file`` could not read (missing or corrupt)."""

    def __init__(self, oid: str, repo: str, reason: str) -> None:
        super().__init__(f"object {oid}", repo, reason)
        self.oid = oid


class Blobs:
    """The blobs of :meth:`~catalog_diff.git.repository.GitRepository.read_blobs`, in the
    order asked: None for one that a partial clone lacks (never asked of git) or that git
    answers "missing" (see
    :meth:`~catalog_diff.git.repository.GitRepository.why_unreadable`); git failing
    raises :class:`MissingObject` naming the blob it was reading. ``repo``: the
    repository's path, for the message."""

    def __init__(self, stream: BlobStream, oids: list[str], absent: set[str], repo: str) -> None:
        self._stream = stream
        self._oids = iter(oids)
        self._absent = absent
        self._repo = repo

    def __iter__(self) -> Blobs:
        return self

    def __next__(self) -> tuple[str, bytes | None]:
        oid = next(self._oids)
        if oid in self._absent:
            return oid, None
        try:
            got, data = next(self._stream)
        except StopIteration:
            raise MissingObject(oid, self._repo, "git stopped answering") from None
        except GitError as exc:
            raise MissingObject(oid, self._repo, exc.reason) from exc
        return got, data

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> Blobs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
