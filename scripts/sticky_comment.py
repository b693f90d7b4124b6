#!/usr/bin/env python3
"""Create or update one "sticky" comment on a GitHub issue or pull request.

The comment is the one whose first line is the marker: by default the body's own first
line when it is an HTML comment (``catalog-diff diff --format github`` writes its marker
there, ``<!-- catalog-diff -->`` unless told otherwise), else ``<!-- catalog-diff -->``,
which is then put first. It is created when there is none, updated when its body
differs, and left alone when the body is the same, so a workflow that runs again on the
same commit makes no noise.

On a pull request from a fork the workflow's token may not write comments: GitHub answers
403. That is not a failure: the script says so (a warning annotation) and exits 0, and the
report stays in the job summary. ``--fork`` skips the API altogether.

Standard library only (urllib), so it runs on any runner's Python without installing
anything. It talks to ``$GITHUB_API_URL`` (default https://api.github.com) with the token
in ``$GITHUB_TOKEN``, and writes ``comment-action`` (created, updated, unchanged, skipped)
and ``comment-url`` to ``$GITHUB_OUTPUT`` when that is set.

Exit codes: 0 done or skipped; 1 the API failed (other than 403); 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_MARKER = "<!-- catalog-diff -->"
PER_PAGE = 100
#: At most this many pages of comments are read looking for the marker (10,000 comments).
MAX_PAGES = 100
TIMEOUT = 30.0


class Forbidden(Exception):
    """GitHub said 403: the token may not do this (a pull request from a fork)."""


class ApiError(Exception):
    """Any other failure of the API."""


class GitHub:
    def __init__(self, api_url: str, token: str) -> None:
        self.api_url = api_url.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(
            f"{self.api_url}{path}",
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
            if exc.code == 403:
                raise Forbidden(f"{method} {path}: 403 {detail}") from exc
            raise ApiError(f"{method} {path}: {exc.code} {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ApiError(f"{method} {path}: {exc}") from exc
        try:
            return json.loads(payload) if payload else None
        except ValueError as exc:
            raise ApiError(f"{method} {path}: the answer is not JSON") from exc


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


def find_comment(github: GitHub, repo: str, issue: int, marker: str) -> dict[str, Any] | None:
    """The first comment whose first line is the marker."""
    for page in range(1, MAX_PAGES + 1):
        comments = github.request(
            "GET", f"/repos/{repo}/issues/{issue}/comments?per_page={PER_PAGE}&page={page}"
        )
        if not isinstance(comments, list):
            raise ApiError("listing the comments did not return a list")
        for comment in comments:
            body = comment.get("body") or ""
            if body.replace("\r\n", "\n").split("\n", 1)[0].strip() == marker:
                return dict(comment)
        if len(comments) < PER_PAGE:
            return None
    return None


def upsert(github: GitHub, repo: str, issue: int, body: str, marker: str) -> tuple[str, str]:
    """Create, update or leave the sticky comment; (what was done, its URL)."""
    body = with_marker(body, marker)
    existing = find_comment(github, repo, issue, marker)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Environment: GITHUB_TOKEN (required unless --fork): the token the comment "
        "is written with, e.g. the workflow's github.token with pull-requests: write; "
        "GITHUB_API_URL: the API's address (set by GitHub Actions; default "
        "https://api.github.com).",
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
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\w[\w.-]*/\w[\w.-]*", args.repo):
        parser.error(f"--repo: not owner/name: {args.repo!r}")
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
    github = GitHub(args.api_url, token)
    marker = as_comment(args.marker) if args.marker else marker_of(body)
    try:
        action, url = upsert(github, args.repo, args.issue, body, marker)
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
