"""A small stand-in for GitHub's REST API, served on 127.0.0.1.

A real HTTP server in a thread, answering the calls scripts/sticky_comment.py makes: list
an issue's comments (paged), create one, update one, the authenticated user (``GET /user``)
and GraphQL's ``viewer``. It records every request and checks the token. Each token has an
identity: :data:`TOKEN` is a user's token (``GET /user`` answers its login), while
:data:`APP_TOKEN` is an installation token such as the Actions ``GITHUB_TOKEN``, for which
GitHub answers ``GET /user`` with 403 "Resource not accessible by integration" and GraphQL
``viewer`` with the app's bot. Comments carry their author (``user.login``), as GitHub's do.

It can be told to fail: ``fail_with`` answers every request with that status (a fork's
read-only token gives 403 "Resource not accessible by integration"), and ``faults`` answers
the next matching requests with a given status, message and headers (rate limits with
``Retry-After`` or ``x-ratelimit-*``, other 403s), one fault per request. Tests start it
with :func:`serve` and it stops when the ``with`` block ends.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "test-token"
#: An installation token (GitHub Actions' GITHUB_TOKEN, a GitHub App's token).
APP_TOKEN = "app-installation-token"
#: Who each token is.
USER = "catalog-ci"
BOT = "github-actions[bot]"
IDENTITIES = {TOKEN: USER, APP_TOKEN: BOT}
INTEGRATION = "Resource not accessible by integration"


@dataclass
class Fault:
    """An answer given instead of the real one, to the next request that matches."""

    status: int
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    method: str | None = None  # None: any method
    path: str | None = None  # a prefix of the path; None: any path


@dataclass
class FakeGitHub:
    """The server's state: comments per issue, the requests seen, how to fail."""

    url: str = ""
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fail_with: int | None = None
    faults: list[Fault] = field(default_factory=list)
    next_id: int = 1000

    def add(self, issue: int, body: str, author: str = USER) -> dict[str, Any]:
        self.next_id += 1
        comment = {
            "id": self.next_id,
            "body": body,
            "html_url": f"https://github.invalid/owner/catalog/issues/{issue}#c{self.next_id}",
            "user": {"login": author, "type": "Bot" if author.endswith("[bot]") else "User"},
        }
        self.comments.setdefault(issue, []).append(comment)
        return comment

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET" and r[1] != "/graphql"]

    def take_fault(self, method: str, path: str) -> Fault | None:
        for i, fault in enumerate(self.faults):
            if (fault.method in (None, method)) and path.startswith(fault.path or ""):
                return self.faults.pop(i)
        return None


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

        def _answer(
            self, status: int, payload: object, headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            data = json.loads(self.rfile.read(length) or b"{}")
            assert isinstance(data, dict)
            return data

        def _handle(self, method: str) -> None:
            state.requests.append((method, self.path))
            auth = self.headers.get("Authorization") or ""
            identity = IDENTITIES.get(auth.removeprefix("Bearer "))
            if not auth.startswith("Bearer ") or identity is None:
                self._answer(401, {"message": "Bad credentials"})
                return
            fault = state.take_fault(method, self.path)
            if fault is not None:
                self._answer(fault.status, {"message": fault.message}, fault.headers)
                return
            if state.fail_with is not None:
                self._answer(state.fail_with, {"message": INTEGRATION})
                return
            parts = urlsplit(self.path)
            listing = re.fullmatch(r"/repos/owner/catalog/issues/(\d+)/comments", parts.path)
            single = re.fullmatch(r"/repos/owner/catalog/issues/comments/(\d+)", parts.path)
            if method == "GET" and parts.path == "/user":
                if identity.endswith("[bot]"):
                    self._answer(403, {"message": INTEGRATION})
                else:
                    self._answer(200, {"login": identity, "type": "User"})
            elif method == "POST" and parts.path == "/graphql":
                query = str(self._body().get("query", ""))
                if re.fullmatch(r"\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*", query):
                    self._answer(200, {"data": {"viewer": {"login": identity}}})
                else:
                    self._answer(200, {"errors": [{"message": "unsupported query"}]})
            elif method == "GET" and listing:
                query = parse_qs(parts.query)
                per_page = int(query.get("per_page", ["30"])[0])
                page = int(query.get("page", ["1"])[0])
                everything = state.comments.get(int(listing.group(1)), [])
                self._answer(200, everything[(page - 1) * per_page : page * per_page])
            elif method == "POST" and listing:
                body = self._body()["body"]
                self._answer(201, state.add(int(listing.group(1)), body, author=identity))
            elif method == "PATCH" and single:
                wanted = int(single.group(1))
                for comments in state.comments.values():
                    for comment in comments:
                        if comment["id"] != wanted:
                            continue
                        if comment["user"]["login"] != identity:
                            # GitHub lets a repository's writers edit others' comments;
                            # the script must never ask. Recorded as a failure here.
                            self._answer(422, {"message": "not the author's comment"})
                            return
                        comment["body"] = self._body()["body"]
                        self._answer(200, comment)
                        return
                self._answer(404, {"message": "Not Found"})
            else:
                self._answer(404, {"message": "Not Found"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_PATCH(self) -> None:
            self._handle("PATCH")

    return Handler


@contextmanager
def serve() -> Iterator[FakeGitHub]:
    """Run the fake API on a free port of 127.0.0.1 for the duration of the block."""
    state = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.timeout = 5
    host, port = server.server_address[:2]
    state.url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
