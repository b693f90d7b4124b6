#!/usr/bin/env python3
"""Create or update one "sticky" comment on a GitHub issue or pull request.

The comment is the one whose first line is the marker: by default the body's own first
line when it is an HTML comment (``catalog-diff diff --format github`` writes its marker
there, ``<!-- catalog-diff -->`` unless told otherwise), else ``<!-- catalog-diff -->``,
which is then put first. It is created when there is none, updated when its body
differs, and left alone when the body is the same, so a workflow that runs again on the
same commit makes no noise.

Only a comment written by the identity whose token the script holds is ever updated: a
comment by anyone else that carries the marker is ignored (a new comment is made). The
identity is, in order: ``--author LOGIN`` when given (the Action passes
``github-actions[bot]`` for its own token); else ``GET /user`` (a user's token); else, when
GitHub answers that 403 "Resource not accessible by integration" (an installation token:
GitHub Actions' ``GITHUB_TOKEN`` or a GitHub App's, which cannot call ``GET /user``), the
GraphQL query ``{ viewer { login } }``, which answers the app's bot
(``github-actions[bot]``, ``<app-slug>[bot]``). The identity is asked only when a comment
with the marker exists. When it cannot be learnt, the step fails and says to pass
``--author``.

On a pull request from a fork the workflow's token may not write comments: GitHub answers
403 "Resource not accessible by integration". That alone is not a failure: the script says
so (a warning annotation) and exits 0, and the report stays in the job summary. ``--fork``
skips the API altogether. A 403 or 429 for a rate limit is retried after the wait GitHub
asks for (``Retry-After``, else ``x-ratelimit-reset`` when ``x-ratelimit-remaining`` is 0,
else a minute), within ``--max-wait`` seconds in all; any other 403, and any other error,
fails the step.

Standard library only (urllib), so it runs on any runner's Python without installing
anything. It talks to ``$GITHUB_API_URL`` (default https://api.github.com) with the token
in ``$GITHUB_TOKEN``, and writes ``comment-action`` (created, updated, unchanged, skipped)
and ``comment-url`` to ``$GITHUB_OUTPUT`` when that is set.

Exit codes: 0 done or skipped; 1 the API failed (anything but a fork's 403); 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_MARKER = "<!-- catalog-diff -->"
PER_PAGE = 100
#: At most this many pages of comments are read looking for the marker (10,000 comments).
MAX_PAGES = 100
TIMEOUT = 30.0
#: GitHub's answer when an installation token may not do something: on a fork's pull
#: request, the read-only GITHUB_TOKEN writing a comment; any such token calling GET /user.
INTEGRATION = "Resource not accessible by integration"
#: Rate limits: at most this many seconds of waiting in all (``--max-wait``), this many
#: tries of one request, and the wait when GitHub names none (its documented minimum).
MAX_WAIT = 300.0
MAX_TRIES = 5
DEFAULT_RATE_WAIT = 60.0


class Forbidden(Exception):
    """GitHub said 403 "Resource not accessible by integration": the token may not do
    this (a pull request from a fork)."""


class ApiError(Exception):
    """Any other failure of the API."""


class GitHub:
    """GitHub's REST API with one token. ``sleep`` and ``clock`` are the waits between
    rate-limited tries and the time ``x-ratelimit-reset`` is counted from (the tests pass
    their own, so that nothing really waits)."""

    def __init__(
        self,
        api_url: str,
        token: str,
        *,
        max_wait: float = MAX_WAIT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        graphql_url: str | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.max_wait = max_wait
        self.waited = 0.0
        self.sleep = sleep
        self.clock = clock
        self.graphql_url = graphql_url or _graphql_url(self.api_url)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One call; rate-limited answers are tried again after the wait GitHub asks for."""
        for attempt in range(1, MAX_TRIES + 1):
            try:
                return self._once(method, path, body)
            except _RateLimited as limited:
                wait = limited.wait
                if attempt == MAX_TRIES or self.waited + wait > self.max_wait:
                    raise ApiError(
                        f"{method} {path}: {limited.status} rate limited ({limited.detail}); "
                        f"GitHub asks to wait {wait:.0f} s, over the {self.max_wait:.0f} s "
                        f"allowed in all (--max-wait) or after {attempt} tries"
                    ) from None
                print(
                    f"sticky_comment: rate limited ({limited.status}), "
                    f"waiting {wait:.0f} s before trying again",
                    file=sys.stderr,
                )
                self.sleep(wait)
                self.waited += wait
        raise AssertionError("unreachable")

    def _once(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        url = self.graphql_url if path == "/graphql" else f"{self.api_url}{path}"
        request = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "catalog-diff-sticky-comment",
                **({"Content-Type": "application/json"} if data is not None else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = _message(exc.read())
            wait = self._rate_limit_wait(exc.code, exc.headers, detail)
            if wait is not None:
                raise _RateLimited(exc.code, detail, wait) from exc
            if exc.code == 403 and detail == INTEGRATION:
                raise Forbidden(f"{method} {path}: 403 {detail}") from exc
            raise ApiError(f"{method} {path}: {exc.code} {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ApiError(f"{method} {path}: {exc}") from exc
        try:
            return json.loads(payload) if payload else None
        except ValueError as exc:
            raise ApiError(f"{method} {path}: the answer is not JSON") from exc

    def _rate_limit_wait(self, status: int, headers: Any, detail: str) -> float | None:
        """Seconds to wait when a 403 or 429 is a rate limit (as GitHub documents them),
        else None."""
        if status not in (403, 429):
            return None
        retry_after = _number(headers.get("Retry-After"))
        if retry_after is not None:
            return max(retry_after, 0.0)
        if headers.get("x-ratelimit-remaining") == "0":
            reset = _number(headers.get("x-ratelimit-reset"))
            if reset is not None:
                return max(reset - self.clock(), 0.0) + 1.0
            return DEFAULT_RATE_WAIT
        if status == 429 or "rate limit" in detail.lower():
            return DEFAULT_RATE_WAIT
        return None


class _RateLimited(Exception):
    def __init__(self, status: int, detail: str, wait: float) -> None:
        super().__init__(detail)
        self.status, self.detail, self.wait = status, detail, wait


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and number == number and abs(number) < 1e10 else None


def _graphql_url(api_url: str) -> str:
    """GitHub's GraphQL endpoint beside a REST one: ``https://api.github.com/graphql``; on
    GitHub Enterprise Server ``https://HOST/api/graphql`` beside ``https://HOST/api/v3``."""
    if api_url.endswith("/api/v3"):
        return api_url[: -len("/v3")] + "/graphql"
    return f"{api_url}/graphql"


def identity(github: GitHub) -> str:
    """The login the token acts as: ``GET /user``, or for an installation token (which
    GitHub refuses that call) GraphQL's ``viewer``."""
    try:
        user = github.request("GET", "/user")
    except Forbidden:
        user = None  # an installation token: GitHub Actions' GITHUB_TOKEN or an app's
    if isinstance(user, dict) and isinstance(user.get("login"), str) and user["login"]:
        return str(user["login"])
    try:
        answer = github.request("POST", "/graphql", {"query": "{ viewer { login } }"})
    except Forbidden as exc:
        raise ApiError(f"cannot tell whose token this is ({exc}); pass --author") from exc
    data = answer.get("data") if isinstance(answer, dict) else None
    viewer = data.get("viewer") if isinstance(data, dict) else None
    login = viewer.get("login") if isinstance(viewer, dict) else None
    if not isinstance(login, str) or not login:
        raise ApiError(
            "cannot tell whose token this is (GET /user and GraphQL viewer gave no login); "
            "pass --author"
        )
    return login


def _message(payload: bytes) -> str:
    try:
        return str(json.loads(payload).get("message", ""))
    except (ValueError, AttributeError):
        return payload[:200].decode("utf-8", "replace")


def _normal(body: str) -> str:
    return body.replace("\r\n", "\n").rstrip()


def marker_of(body: str) -> str:
    """The body's first line when it is an HTML comment, else the default marker."""
    first = body.replace("\r\n", "\n").split("\n", 1)[0].strip()
    return first if first.startswith("<!--") and first.endswith("-->") else DEFAULT_MARKER


def as_comment(marker: str) -> str:
    """``<!-- TEXT -->`` from TEXT, or the marker itself when it is already a comment."""
    marker = marker.strip()
    return marker if marker.startswith("<!--") and marker.endswith("-->") else f"<!-- {marker} -->"


def with_marker(body: str, marker: str) -> str:
    """The body with the marker as its first line (added when missing)."""
    first = body.split("\n", 1)[0].strip()
    return body if first == marker else f"{marker}\n{body}"


def marked_comments(github: GitHub, repo: str, issue: int, marker: str) -> list[dict[str, Any]]:
    """Every comment whose first line is the marker, in order, whoever wrote it."""
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        comments = github.request(
            "GET", f"/repos/{repo}/issues/{issue}/comments?per_page={PER_PAGE}&page={page}"
        )
        if not isinstance(comments, list):
            raise ApiError("listing the comments did not return a list")
        for comment in comments:
            body = (comment.get("body") if isinstance(comment, dict) else None) or ""
            if body.replace("\r\n", "\n").split("\n", 1)[0].strip() == marker:
                found.append(dict(comment))
        if len(comments) < PER_PAGE:
            break
    return found


def _author(comment: dict[str, Any]) -> str:
    user = comment.get("user")
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) else ""


def find_comment(
    github: GitHub, repo: str, issue: int, marker: str, author: str | None = None
) -> dict[str, Any] | None:
    """The first comment whose first line is the marker and that the token's own identity
    wrote (``author``, else learnt from GitHub only when some comment has the marker)."""
    marked = marked_comments(github, repo, issue, marker)
    if not marked:
        return None
    me = (author or identity(github)).casefold()
    return next((c for c in marked if _author(c).casefold() == me), None)


def upsert(
    github: GitHub, repo: str, issue: int, body: str, marker: str, author: str | None = None
) -> tuple[str, str]:
    """Create, update or leave the sticky comment; (what was done, its URL)."""
    body = with_marker(body, marker)
    existing = find_comment(github, repo, issue, marker, author)
    if existing is None:
        created = github.request("POST", f"/repos/{repo}/issues/{issue}/comments", {"body": body})
        return "created", str(created.get("html_url", ""))
    url = str(existing.get("html_url", ""))
    if _normal(existing.get("body") or "") == _normal(body):
        return "unchanged", url
    updated = github.request(
        "PATCH", f"/repos/{repo}/issues/comments/{int(existing['id'])}", {"body": body}
    )
    return "updated", str(updated.get("html_url", url))


def _output(**values: str) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as out:
        for key, value in values.items():
            out.write(f"{key}={value}\n")


def main(
    argv: list[str] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Environment: GITHUB_TOKEN (required unless --fork): the token the comment "
        "is written with, e.g. the workflow's github.token with pull-requests: write; "
        "GITHUB_API_URL: the API's address (set by GitHub Actions; default "
        "https://api.github.com); GITHUB_GRAPHQL_URL: its GraphQL address, asked who an "
        "installation token is (default: beside GITHUB_API_URL).",
    )
    parser.add_argument("--repo", required=True, help="owner/name of the repository")
    parser.add_argument("--issue", required=True, type=int, help="issue or pull request number")
    parser.add_argument("--body-file", required=True, help="the comment's body (Markdown)")
    parser.add_argument(
        "--marker",
        help="the comment's first line, <!-- TEXT --> or TEXT (default: the body's first "
        f"line when it is an HTML comment, else {DEFAULT_MARKER!r})",
    )
    parser.add_argument(
        "--api-url",
        default=os.environ.get("GITHUB_API_URL", "https://api.github.com"),
        help="the GitHub REST API's address (default: $GITHUB_API_URL, else "
        "https://api.github.com)",
    )
    parser.add_argument(
        "--fork", action="store_true", help="a pull request from a fork: do not try to comment"
    )
    parser.add_argument(
        "--author",
        help="the login the token acts as, e.g. github-actions[bot] (default: asked of GitHub)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=MAX_WAIT,
        help=f"seconds to wait in all for rate limits (default: {MAX_WAIT:.0f})",
    )
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\w[\w.-]*/\w[\w.-]*", args.repo):
        parser.error(f"--repo: not owner/name: {args.repo!r}")
    if not 0 <= args.max_wait <= 3600:
        parser.error("--max-wait: from 0 to 3600 seconds")
    if args.fork:
        print("::notice::pull request from a fork: no comment (the report is in the job summary)")
        _output(**{"comment-action": "skipped", "comment-url": ""})
        return 0
    token = os.environ.get("GITHUB_TOKEN", "")
    if not token:
        print("sticky_comment: error: GITHUB_TOKEN is not set", file=sys.stderr)
        return 2
    try:
        body = Path(args.body_file).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"sticky_comment: error: {args.body_file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    github = GitHub(
        args.api_url,
        token,
        max_wait=args.max_wait,
        sleep=sleep,
        clock=clock,
        graphql_url=os.environ.get("GITHUB_GRAPHQL_URL") or None,
    )
    marker = as_comment(args.marker) if args.marker else marker_of(body)
    try:
        action, url = upsert(github, args.repo, args.issue, body, marker, args.author)
    except Forbidden as exc:
        print(
            f"::warning::no comment: not permitted ({exc}); on a pull request from a fork "
            "this is expected, and the report is in the job summary"
        )
        _output(**{"comment-action": "skipped", "comment-url": ""})
        return 0
    except ApiError as exc:
        print(f"sticky_comment: error: {exc}", file=sys.stderr)
        return 1
    print(f"sticky_comment: comment {action}: {url}")
    _output(**{"comment-action": action, "comment-url": url})
    return 0


if __name__ == "__main__":
    sys.exit(main())
