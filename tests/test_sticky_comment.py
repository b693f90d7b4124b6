"""scripts/sticky_comment.py against a local fake of GitHub's REST API (tests/fakegithub.py).

One comment per pull request: created once, updated when the report changes, left alone
when it does not; a fork's 403 is a warning, not a failure.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from fakegithub import TOKEN, FakeGitHub, serve

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


def post(tmp_path: Path, body: str, *extra: str) -> int:
    path = tmp_path / "comment.md"
    path.write_text(body, encoding="utf-8")
    args = ["--repo", "owner/catalog", "--issue", "7", "--body-file", str(path), *extra]
    code = sticky.main(args)
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
    gets = [path for method, path in github.requests if method == "GET"]
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
