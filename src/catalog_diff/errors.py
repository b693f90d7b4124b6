"""One error hierarchy. The CLI catches :class:`CatalogDiffError` once and prints its
message on one line; each subclass builds that message from its fields."""

from __future__ import annotations

from .layout import printable, shortened

#: Exit codes, documented in the README.
EXIT_OK = 0
EXIT_DIFFERENCES = 1
EXIT_USAGE = 2
EXIT_DATA = 3


class CatalogDiffError(Exception):
    """Root of every error catalog-diff raises on purpose."""

    exit_code = EXIT_DATA

    def __init__(self, message: str) -> None:
        message = printable(message)  # one line, inert on a terminal, whatever was typed
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(CatalogDiffError):
    """The command line asks for something that cannot be done (bad option mix)."""

    exit_code = EXIT_USAGE


class DataError(CatalogDiffError):
    """The data cannot be read: unknown revision, not a repository, not a catalog."""

    exit_code = EXIT_DATA


class NotAGitRepository(DataError):
    def __init__(self, repo: str, reason: str = "") -> None:
        detail = f": {reason}" if reason else ""
        super().__init__(f"{repo}: not a git repository{detail}")
        self.repo = repo


class RevisionNotFound(DataError):
    def __init__(self, revision: str, repo: str, reason: str = "unknown revision") -> None:
        super().__init__(f"{shortened(revision)}: {reason} in {repo}")
        self.revision = revision
        self.repo = repo


class GitError(DataError):
    def __init__(self, revision: str, repo: str, reason: str) -> None:
        super().__init__(f"{shortened(revision)}: git failed in {repo}: {reason}")
        self.revision = revision
        self.repo = repo
        self.reason = reason


class NotACatalog(DataError):
    def __init__(self, source: str, path: str = "_cache") -> None:
        super().__init__(f"{source}: not a catalog ({path}/ not found)")
        self.source = source
        self.path = path


class UnreadableCatalog(DataError):
    """The catalog's own folder (``_cache``, or the folder named) cannot be read: a
    symbolic link (never followed), a submodule, a FIFO, or a folder that cannot be
    listed. Nothing of that side can be compared."""

    def __init__(self, source: str, path: str, reason: str) -> None:
        super().__init__(f"{source}: {path}: {reason}; the catalog cannot be read")
        self.source = source
        self.path = path
        self.reason = reason


class TagNotFound(DataError):
    def __init__(self, source: str, tag: str, known: str = "") -> None:
        super().__init__(f"{source}: tag {tag!r} not found{known}")
        self.source = source
        self.tag = tag


class PackageNotFound(DataError):
    def __init__(self, package: str, where: str, hint: str = "") -> None:
        super().__init__(f"{package}: no such package in the history indexed in {where}{hint}")
        self.package = package


class SnapshotFileError(DataError):
    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: not a catalog-diff snapshot file: {reason}")
        self.path = path


class ParseError(CatalogDiffError):
    """A catalog file that cannot be read; turned into a
    :class:`~catalog_diff.model.snapshot.Problem`."""

    def __init__(self, path: str, reason: str) -> None:
        path, reason = printable(path), printable(reason)
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class TemplateError(UsageError):
    """A release-notes template that does not parse or fails while rendering."""

    def __init__(self, template: str, line: int | None, reason: str) -> None:
        where = f"{template}:{line}" if line else template
        super().__init__(f"{where}: template error: {reason}")
        self.template = template
        self.line = line
        self.reason = reason


class CatalogDiffWarning(UserWarning):
    """Something a user should know that does not stop the work (issued with
    :func:`warnings.warn`; the command line prints it on one line of standard error)."""
