"""What every git process catalog-diff starts is told, so that it runs no program the
repository's configuration names, never fetches and writes nothing. Pure; imports
nothing, so that the console script's fast ``index`` check can use it too.

A repository's ``.git/config`` may name programs that git runs on its own: a file-system
monitor (``core.fsmonitor``, run by any command that reads the index, ``diff-tree``
included), hooks, signature checkers (``log.showSignature`` runs ``gpg.program``), a
pager, and, through a fetch, ssh commands, credential helpers and remote helpers. The
commands catalog-diff runs are plumbing that reads the object store (``rev-parse``,
``ls-tree``, ``diff-tree``, ``cat-file``, ``rev-list``, ``log --raw``): no checkout, no
textconv, no filters, no external diff. What could still start a program is switched
off here, on git's command line, which git reads after the repository's own
configuration and passes on to any git it starts itself.
"""

from __future__ import annotations

#: ``-c key=value`` for every git command (read after, so over, any file of config).
CONFIG: tuple[tuple[str, str], ...] = (
    # A program git runs to learn which files changed (commands that read the index).
    ("core.fsmonitor", "false"),
    # Hooks are looked up in a folder that cannot hold any.
    ("core.hooksPath", "/dev/null"),
    # git never starts a pager named "cat" (and never one when its output is a pipe).
    ("core.pager", "cat"),
    # `git log` would run gpg.program on every signed commit.
    ("log.showSignature", "false"),
    # An empty value empties the list of credential helpers.
    ("credential.helper", ""),
    # No transport at all: a partial clone never fetches what it lacks (git before 2.44
    # has no GIT_NO_LAZY_FETCH); GIT_ALLOW_PROTOCOL below overrides protocol.<name>.allow.
    ("protocol.allow", "never"),
    # Nothing is repacked or maintained behind our back.
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    # What `git log` prints must not depend on the repository's settings.
    ("log.follow", "false"),
    ("i18n.logOutputEncoding", "UTF-8"),
)

#: The ``-c`` options of :data:`CONFIG`, ready for an argument list.
CONFIG_ARGS: tuple[str, ...] = tuple(
    arg for key, value in CONFIG for arg in ("-c", f"{key}={value}")
)

#: Environment variables for every git command.
ENV: dict[str, str] = {
    # Git 2.44 and later: a missing object is missing, never fetched.
    "GIT_NO_LAZY_FETCH": "1",
    # A list of the transports allowed (none), which git puts over any configuration.
    "GIT_ALLOW_PROTOCOL": "",
    # Commands that could refresh the index do not take its lock or write it.
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    # Paths after "--" are taken literally, never as patterns.
    "GIT_LITERAL_PATHSPECS": "1",
}
