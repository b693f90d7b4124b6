"""Test helpers: real throwaway git repositories and the real catalog samples.

:class:`GitRepoBuilder` drives the ``git`` command line with argument lists (never a
shell) in an environment where the author, committer, dates and configuration are all
pinned, so the same sequence of calls always produces the same commit ids, whoever runs it
and whatever their ``~/.gitconfig`` says.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

#: The real catalog files shipped with the tests (see its NOTES.md).
SAMPLES = Path(__file__).parent / "fixtures" / "catalog-samples"

#: A commit made without an explicit date is dated <BASE_YEAR_MONTH>-<commit count + 1>, noon UTC.
BASE_YEAR_MONTH = "2025-01"

_NAME = "Catalog Test"
_EMAIL = "catalog-test@example.invalid"


def sample_tree(tag_dir: str, as_tag: str | None = None) -> dict[str, bytes]:
    """``{"_cache/<tag>/<pkg>/specs.md": bytes}`` for every package of ``cache/<tag_dir>/``.

    ``as_tag`` places the files under another tag folder (e.g. a dated develop snapshot
    under ``_cache/develop/``). The bytes are the sample's, unchanged.
    """
    folder = SAMPLES / "cache" / tag_dir
    if not folder.is_dir():
        raise FileNotFoundError(folder)
    tag = as_tag or tag_dir
    return {
        f"_cache/{tag}/{pkg.name}/specs.md": (pkg / "specs.md").read_bytes()
        for pkg in sorted(folder.iterdir())
        if (pkg / "specs.md").is_file()
    }


def write_tree(root: Path, files: Mapping[str, bytes]) -> None:
    """Write ``{relative path: bytes}`` below ``root`` (a plain directory, no git)."""
    for rel, data in files.items():
        target = _inside(root, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _inside(root: Path, rel: str) -> Path:
    parts = Path(rel).parts
    if not parts or Path(rel).is_absolute() or ".." in parts:
        raise ValueError(f"not a relative path inside the repository: {rel!r}")
    return root.joinpath(*parts)


class GitRepoBuilder:
    """A real git repository in ``path``, built commit by commit with pinned identities.

    ::

        repo = GitRepoBuilder(tmp_path / "catalog")
        repo.write({"_cache/develop/bc/specs.md": data})
        sha = repo.commit("add bc", date="2025-03-23T12:00:00+00:00")
        repo.tag("v1")
    """

    def __init__(self, path: Path | str, object_format: str = "sha1") -> None:
        """``object_format``: ``sha1`` or ``sha256`` (``git init --object-format``)."""
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        # An empty home and empty global/system config files, outside the work tree.
        self._home = self.path.parent / f".{self.path.name}-git-home"
        self._home.mkdir(parents=True, exist_ok=True)
        self._global = self._home / "gitconfig-global"
        self._system = self._home / "gitconfig-system"
        for empty in (self._global, self._system):
            empty.write_bytes(b"")
        self._commits = 0
        self.git("init", "-q", "-b", "main", f"--object-format={object_format}")

    # ---- environment -----------------------------------------------------------------

    def env(self, date: str | None = None) -> dict[str, str]:
        """The environment every git call runs in (``date`` pins author and committer)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        stamp = date or self._default_date()
        env.update(
            HOME=str(self._home),
            XDG_CONFIG_HOME=str(self._home),
            GIT_CONFIG_GLOBAL=str(self._global),
            GIT_CONFIG_SYSTEM=str(self._system),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME=_NAME,
            GIT_AUTHOR_EMAIL=_EMAIL,
            GIT_AUTHOR_DATE=stamp,
            GIT_COMMITTER_NAME=_NAME,
            GIT_COMMITTER_EMAIL=_EMAIL,
            GIT_COMMITTER_DATE=stamp,
            GIT_TERMINAL_PROMPT="0",
            LC_ALL="C",
        )
        return env

    def _default_date(self) -> str:
        return f"{BASE_YEAR_MONTH}-{1 + self._commits % 28:02d}T12:00:00+00:00"

    def git(self, *args: str, date: str | None = None) -> str:
        """Run ``git <args>`` in the repository; return stdout (raises on failure)."""
        result = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
            cwd=self.path,
            env=self.env(date),
            capture_output=True,
            check=False,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"git {' '.join(args)} failed ({result.returncode}): "
                f"{result.stderr.decode('utf-8', 'replace').strip()}"
            )
        return result.stdout.decode("utf-8", "replace")

    # ---- the work tree ---------------------------------------------------------------

    def write(self, files: Mapping[str, bytes]) -> None:
        """Create or overwrite files (paths relative to the repository root)."""
        write_tree(self.path, files)

    def delete(self, paths: Iterable[str]) -> None:
        """Remove files from the work tree (the next commit records the removal)."""
        for rel in paths:
            _inside(self.path, rel).unlink()

    def symlink(self, rel: str, target: str) -> None:
        """Place a symbolic link (committed with mode 120000) at ``rel``."""
        link = _inside(self.path, rel)
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)

    # ---- history ---------------------------------------------------------------------

    def commit(self, message: str, date: str | None = None) -> str:
        """Commit every change of the work tree; return the new commit's full SHA."""
        stamp = date or self._default_date()
        self.git("add", "-A", date=stamp)
        self.git("commit", "-q", "--allow-empty", "--no-verify", "-m", message, date=stamp)
        self._commits += 1
        return self.rev_parse("HEAD")

    def tag(self, name: str, message: str | None = None, at: str = "HEAD") -> None:
        """A lightweight tag, or an annotated one when ``message`` is given."""
        if message is None:
            self.git("tag", name, at)
        else:
            self.git("tag", "-a", name, "-m", message, at)

    def branch(self, name: str, at: str = "HEAD") -> None:
        self.git("branch", name, at)

    def rev_parse(self, revision: str) -> str:
        return self.git("rev-parse", "--verify", "--end-of-options", revision).strip()
