"""GitPython, imported without the two ``git version`` processes its import starts.

``import git`` runs ``git version`` twice to check that git can be run (GitPython's
``refresh``: once in ``Git.refresh``, once more for ``FetchInfo``, which only ``fetch``
uses). catalog-diff starts git a few times in a run, and each of those processes would
report a missing git anyway, with the command that failed. So the import is made with
GitPython's own switch for that check, ``GIT_PYTHON_REFRESH=quiet``, and an executable
that cannot start, so the check fails at once and quietly, without running git; then
GitPython is given the executable it would have used: ``GIT_PYTHON_GIT_EXECUTABLE``
when it is set, else ``git`` looked up on ``PATH`` (GitPython's default). The
environment is put back as it was.
"""

from __future__ import annotations

import os
import sys

_SWITCHES = ("GIT_PYTHON_REFRESH", "GIT_PYTHON_GIT_EXECUTABLE")
_NONE = "/nonexistent/catalog-diff/no-git"  # no such program: the check fails at once

if "git" not in sys.modules:
    _saved = {name: os.environ.get(name) for name in _SWITCHES}
    os.environ["GIT_PYTHON_REFRESH"] = "quiet"
    os.environ["GIT_PYTHON_GIT_EXECUTABLE"] = _NONE
    try:
        import git
    finally:
        for _name, _value in _saved.items():
            if _value is None:
                os.environ.pop(_name, None)
            else:
                os.environ[_name] = _value
    git.Git.GIT_PYTHON_GIT_EXECUTABLE = _saved["GIT_PYTHON_GIT_EXECUTABLE"] or git.Git.git_exec_name
else:
    import git

__all__ = ["git"]
