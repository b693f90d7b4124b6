"""A small stand-in for GitHub's issue-comments REST API, served on 127.0.0.1.

A real HTTP server in a thread, answering the four calls scripts/sticky_comment.py makes:
list an issue's comments (paged), create one, update one. It records every request, checks
the token, and can be told to answer 403 (a fork's read-only token) or 500. Tests start it
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


@dataclass
class FakeGitHub:
    """The server's state: comments per issue, the requests seen, how to fail."""

    url: str = ""
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fail_with: int | None = None
    next_id: int = 1000

    def add(self, issue: int, body: str) -> dict[str, Any]:
        self.next_id += 1
        comment = {
            "id": self.next_id,
            "body": body,
            "html_url": f"https://github.invalid/owner/catalog/issues/{issue}#c{self.next_id}",
        }
        self.comments.setdefault(issue, []).append(comment)
        return comment

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet test output

        def _answer(self, status: int, payload: object) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            data = json.loads(self.rfile.read(length) or b"{}")
            assert isinstance(data, dict)
            return data

        def _handle(self, method: str) -> None:
            state.requests.append((method, self.path))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, {"message": "Bad credentials"})
                return
            if state.fail_with is not None:
                message = "Resource not accessible by integration"
                self._answer(state.fail_with, {"message": message})
                return
            parts = urlsplit(self.path)
            listing = re.fullmatch(r"/repos/owner/catalog/issues/(\d+)/comments", parts.path)
            single = re.fullmatch(r"/repos/owner/catalog/issues/comments/(\d+)", parts.path)
            if method == "GET" and listing:
                query = parse_qs(parts.query)
                per_page = int(query.get("per_page", ["30"])[0])
                page = int(query.get("page", ["1"])[0])
                everything = state.comments.get(int(listing.group(1)), [])
                self._answer(200, everything[(page - 1) * per_page : page * per_page])
            elif method == "POST" and listing:
                self._answer(201, state.add(int(listing.group(1)), self._body()["body"]))
            elif method == "PATCH" and single:
                wanted = int(single.group(1))
                for comments in state.comments.values():
                    for comment in comments:
                        if comment["id"] == wanted:
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
