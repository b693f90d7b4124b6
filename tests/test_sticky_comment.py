"""scripts/sticky_comment.py against a local fake of GitHub's REST API (tests/fakegithub.py).

One comment per pull request: created once, updated when the report changes, left alone
when it does not; only a comment the token's own identity wrote is ever updated; a fork's
403 is a warning, not a failure; rate limits are waited out (with the script's own clock
and sleep replaced, so that nothing really waits); any other error fails.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from fakegithub import APP_TOKEN, BOT, INTEGRATION, TOKEN, USER, FakeGitHub, Fault, serve

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "sticky_comment.py"
MARKER = "<!-- catalog-diff -->"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sticky_comment", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sticky = _load()


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeGitHub]:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    with serve() as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        yield fake


class FakeTime:
    """The script's clock and sleep: sleeping moves the clock on, and is recorded."""

    def __init__(self, now: float = 1_900_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def post(tmp_path: Path, body: str, *extra: str, time: FakeTime | None = None) -> int:
    path = tmp_path / "comment.md"
    path.write_text(body, encoding="utf-8")
    args = ["--repo", "owner/catalog", "--issue", "7", "--body-file", str(path), *extra]
    time = time or FakeTime()
    code = sticky.main(args, sleep=time.sleep, clock=time.clock)
    assert isinstance(code, int)
    return code


def outputs(tmp_path: Path) -> list[str]:
    path = tmp_path / "output"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    path.unlink(missing_ok=True)
    return lines


def test_created_once_updated_on_change_skipped_when_unchanged(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    github.add(7, "an unrelated comment")
    first = f"{MARKER}\n## Catalog diff\n\n3 specs removed\n"
    assert post(tmp_path, first) == 0
    assert [c["body"] for c in github.comments[7]] == ["an unrelated comment", first]
    assert outputs(tmp_path)[0] == "comment-action=created"
    assert github.writes() == [("POST", "/repos/owner/catalog/issues/7/comments")]

    assert post(tmp_path, first) == 0
    assert outputs(tmp_path)[0] == "comment-action=unchanged"
    assert len(github.writes()) == 1  # nothing written

    second = first.replace("3 specs", "4 specs")
    assert post(tmp_path, second) == 0
    assert outputs(tmp_path)[0] == "comment-action=updated"
    assert [c["body"] for c in github.comments[7]] == ["an unrelated comment", second]
    sticky_id = github.comments[7][1]["id"]
    assert github.writes()[-1] == ("PATCH", f"/repos/owner/catalog/issues/comments/{sticky_id}")
    assert "comment updated" in capsys.readouterr().out


def test_a_custom_marker_is_read_from_the_body(github: FakeGitHub, tmp_path: Path) -> None:
    github.add(7, f"{MARKER}\nthe default report")
    body = "<!-- catalog-diff: nightly -->\nreport\n"
    assert post(tmp_path, body) == 0
    assert [c["body"] for c in github.comments[7]] == [f"{MARKER}\nthe default report", body]


def test_a_body_without_marker_gets_one(github: FakeGitHub, tmp_path: Path) -> None:
    assert post(tmp_path, "plain report\n", "--marker", "<!-- mine -->") == 0
    assert github.comments[7][0]["body"] == "<!-- mine -->\nplain report\n"
    assert post(tmp_path, "plain report\n", "--marker", "<!-- mine -->") == 0
    assert len(github.writes()) == 1
    assert post(tmp_path, "plain report\n", "--marker", "mine") == 0  # as diff --marker takes it
    assert len(github.writes()) == 1


def test_finds_the_comment_beyond_the_first_page(github: FakeGitHub, tmp_path: Path) -> None:
    for i in range(130):
        github.add(7, f"comment {i}")
    github.comments[7][120]["body"] = f"{MARKER}\nold report"
    assert post(tmp_path, f"{MARKER}\nnew report") == 0
    assert github.comments[7][120]["body"] == f"{MARKER}\nnew report"
    assert len(github.comments[7]) == 130
    gets = [path for method, path in github.requests if method == "GET" and "/comments" in path]
    assert [p.rsplit("page=", 1)[1] for p in gets] == ["1", "2"]


def test_forbidden_for_a_fork_is_not_a_failure(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    github.fail_with = 403
    assert post(tmp_path, f"{MARKER}\nreport") == 0
    assert outputs(tmp_path)[0] == "comment-action=skipped"
    assert capsys.readouterr().out.startswith("::warning::no comment: not permitted")


def test_fork_flag_makes_no_request(github: FakeGitHub, tmp_path: Path) -> None:
    assert post(tmp_path, f"{MARKER}\nreport", "--fork") == 0
    assert github.requests == []
    assert outputs(tmp_path)[0] == "comment-action=skipped"


def test_other_api_errors_fail(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    github.fail_with = 500
    assert post(tmp_path, f"{MARKER}\nreport") == 1
    assert "500 Resource not accessible" in capsys.readouterr().err


def test_unreachable_api_fails_quickly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve() as fake:
        url = fake.url
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", url)  # closed: connection refused
    assert post(tmp_path, "report") == 1
    assert "sticky_comment: error: GET /repos/owner/catalog/issues/7/comments" in (
        capsys.readouterr().err
    )


def test_usage_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert post(tmp_path, "report") == 2
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with pytest.raises(SystemExit) as exc:
        sticky.main(["--repo", "../etc", "--issue", "7", "--body-file", "x"])
    assert exc.value.code == 2


def test_standard_library_only() -> None:
    imported = {
        line.split()[1].split(".")[0]
        for line in SCRIPT.read_text(encoding="utf-8").splitlines()
        if line.startswith(("import ", "from "))
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


# ---- whose comment: only the token's own identity's ------------------------------------


def test_a_marked_comment_by_someone_else_is_never_updated(
    github: FakeGitHub, tmp_path: Path
) -> None:
    forged = github.add(7, f"{MARKER}\nNo differences", author="mallory")
    assert post(tmp_path, f"{MARKER}\n3 specs removed\n") == 0
    assert forged["body"] == f"{MARKER}\nNo differences"  # left alone
    assert [c["user"]["login"] for c in github.comments[7]] == ["mallory", USER]
    assert outputs(tmp_path)[0] == "comment-action=created"
    assert ("GET", "/user") in github.requests
    # The next run updates its own comment, still not mallory's.
    assert post(tmp_path, f"{MARKER}\n4 specs removed\n") == 0
    assert forged["body"] == f"{MARKER}\nNo differences"
    assert github.comments[7][1]["body"] == f"{MARKER}\n4 specs removed\n"
    assert outputs(tmp_path)[0] == "comment-action=updated"


def test_no_identity_asked_when_no_comment_has_the_marker(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.add(7, "an unrelated comment", author="mallory")
    assert post(tmp_path, f"{MARKER}\nreport") == 0
    assert ("GET", "/user") not in github.requests
    assert ("POST", "/graphql") not in github.requests


def test_an_installation_token_is_known_by_graphql_viewer(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GitHub Actions' token cannot call GET /user (403 "Resource not accessible by
    integration"): the script asks GraphQL's viewer, and that 403 is no fork warning."""
    monkeypatch.setenv("GITHUB_TOKEN", APP_TOKEN)
    github.add(7, f"{MARKER}\nforged by a user", author=USER)
    ours = github.add(7, f"{MARKER}\nold report", author=BOT)
    assert post(tmp_path, f"{MARKER}\nnew report") == 0
    assert ours["body"] == f"{MARKER}\nnew report"
    assert github.comments[7][0]["body"] == f"{MARKER}\nforged by a user"
    assert ("GET", "/user") in github.requests and ("POST", "/graphql") in github.requests
    assert outputs(tmp_path)[0] == "comment-action=updated"


def test_author_option_asks_nothing(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", APP_TOKEN)
    ours = github.add(7, f"{MARKER}\nold", author=BOT)
    assert post(tmp_path, f"{MARKER}\nnew", "--author", "GitHub-Actions[bot]") == 0
    assert ours["body"] == f"{MARKER}\nnew"
    assert ("GET", "/user") not in github.requests
    assert ("POST", "/graphql") not in github.requests


def test_unknown_identity_fails_and_names_author(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    github.add(7, f"{MARKER}\nold")
    github.faults.append(Fault(403, INTEGRATION, path="/user"))
    github.faults.append(Fault(403, INTEGRATION, path="/graphql"))
    assert post(tmp_path, f"{MARKER}\nnew") == 1
    assert "pass --author" in capsys.readouterr().err
    assert github.writes() == []


# ---- 403: a fork's, a rate limit's, anything else's --------------------------------------


def test_retry_after_is_honoured(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    github.faults.append(
        Fault(403, "You have exceeded a secondary rate limit", {"Retry-After": "42"}, "GET")
    )
    github.faults.append(Fault(429, "Too many requests", {"Retry-After": "7"}, "POST"))
    time = FakeTime()
    assert post(tmp_path, f"{MARKER}\nreport", time=time) == 0
    assert time.slept == [42.0, 7.0]
    assert outputs(tmp_path)[0] == "comment-action=created"
    assert len(github.comments[7]) == 1
    assert "rate limited (403), waiting 42 s" in capsys.readouterr().err


def test_ratelimit_reset_is_honoured(github: FakeGitHub, tmp_path: Path) -> None:
    time = FakeTime(now=1_900_000_000.0)
    headers = {
        "x-ratelimit-limit": "1000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": str(1_900_000_000 + 95),
    }
    github.faults.append(Fault(403, "API rate limit exceeded for installation.", headers))
    assert post(tmp_path, f"{MARKER}\nreport", time=time) == 0
    assert time.slept == [96.0]  # until the reset, and one second more
    assert len(github.comments[7]) == 1


def test_secondary_rate_limit_without_headers_waits_a_minute(
    github: FakeGitHub, tmp_path: Path
) -> None:
    github.faults.append(Fault(403, "You have exceeded a secondary rate limit."))
    time = FakeTime()
    assert post(tmp_path, f"{MARKER}\nreport", time=time) == 0
    assert time.slept == [60.0]


def test_rate_limit_waits_are_bounded(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    time = FakeTime()
    github.faults.append(Fault(429, "slow down", {"Retry-After": "4000"}))
    assert post(tmp_path, f"{MARKER}\nreport", time=time) == 1
    assert time.slept == []
    assert "over the 300 s allowed" in capsys.readouterr().err
    # Several waits that each fit, but not all together: it stops when the total would not.
    github.faults[:] = [Fault(429, "slow down", {"Retry-After": "100"}) for _ in range(4)]
    assert post(tmp_path, f"{MARKER}\nreport", "--max-wait", "250", time=time) == 1
    assert time.slept == [100.0, 100.0]
    assert github.writes() == []
    # And a fixed number of tries, however short the waits.
    github.faults[:] = [Fault(429, "slow down", {"Retry-After": "0"}) for _ in range(9)]
    time = FakeTime()
    assert post(tmp_path, f"{MARKER}\nreport", time=time) == 1
    assert len(time.slept) == sticky.MAX_TRIES - 1


def test_another_403_fails(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not a fork's token and not a rate limit (say, a token without the scope, or a
    locked conversation): the step fails rather than pass as a warning."""
    github.faults.append(Fault(403, "Must have admin rights to Repository.", method="POST"))
    assert post(tmp_path, f"{MARKER}\nreport") == 1
    out = capsys.readouterr()
    assert "::warning::" not in out.out
    assert "403 Must have admin rights" in out.err


def test_a_fork_403_on_the_update_is_a_warning(
    github: FakeGitHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    github.add(7, f"{MARKER}\nold")
    github.faults.append(Fault(403, INTEGRATION, method="PATCH"))
    assert post(tmp_path, f"{MARKER}\nnew") == 0
    assert capsys.readouterr().out.startswith("::warning::no comment: not permitted")
    assert outputs(tmp_path)[0] == "comment-action=skipped"


def test_graphql_url_beside_the_rest_one() -> None:
    assert sticky._graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert sticky._graphql_url("https://ghe.example/api/v3") == "https://ghe.example/api/graphql"
