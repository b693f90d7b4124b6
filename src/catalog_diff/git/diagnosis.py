"""What a failed git command means, in one line: a repository owned by another user, a
damaged repository, an object a partial clone lacks, a shallow clone's missing history;
else git's own first line.
"""

from __future__ import annotations

from .gitpython import git

#: The start of every diagnosis of a damaged repository, and what to do about it.
DAMAGED = "the repository is damaged"
FSCK = "'git fsck' shows what is damaged"

#: The problem of a file whose blob a partial clone does not hold.
ABSENT = (
    "its object {oid} is not in this partial clone (catalog-diff never fetches; "
    "a clone without --filter holds every file)"
)


def is_oid(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def shallow_reason(sha: str) -> str:
    return (
        f"a shallow clone: the history before commit {sha[:12]} is missing, so what it "
        "changed cannot be told; 'git fetch --unshallow' fetches it, or index from that "
        f"commit on with 'catalog-diff index {sha[:12]}..HEAD'"
    )


def stderr_text(exc: git.GitCommandError) -> str:
    """What git wrote on its standard error (GitPython wraps it in a label and quotes)."""
    text = exc.stderr if isinstance(exc.stderr, str) else ""
    text = text.strip()
    if text.startswith("stderr: '") and text.endswith("'"):
        text = text[len("stderr: '") : -1]
    return text


def diagnosis(stderr: str) -> str | None:
    """What git's error output means, when it is more than "unknown revision": a
    repository owned by another user, a damaged repository, an object a partial clone
    lacks. None when it says nothing of the kind."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return None
    text = "\n".join(lines).lower()
    if "dubious ownership" in text:
        command = next((line for line in lines if "safe.directory" in line), "")
        trust = f"; if you trust its owner: {command}" if command.startswith("git ") else ""
        return f"git refuses to read a repository owned by another user (dubious ownership){trust}"
    fatal = next((line for line in lines if line.startswith("fatal:")), lines[0])
    if "promisor remote" in text or "lazy fetching disabled" in text:
        return (
            "an object this partial clone does not hold (catalog-diff never fetches; a clone "
            f"without --filter holds every file): {fatal}"
        )
    damage = ("corrupt", "inflate", "unable to unpack", "bad object", "failed to read", "packfile")
    if any(word in text for word in damage):
        return f"{DAMAGED} ({fatal}); {FSCK}"
    return None


def reason(exc: git.GitCommandError) -> str:
    """A one-line reason for a failed git command: its diagnosis, else git's first line."""
    err = stderr_text(exc)
    found = diagnosis(err)
    if found is not None:
        return found
    lines = [line.strip() for line in err.splitlines() if line.strip()]
    return lines[0] if lines else f"git exited with status {exc.status}"
