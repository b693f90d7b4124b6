"""The GitHub Action (action.yml) and the example workflows (examples/), offline.

The action's own shell steps are run for real, one after the other as the runner does
(bash -eo pipefail, a fresh $GITHUB_OUTPUT per step, the job summary file), with the
installed catalog-diff, against throwaway git repositories and a local fake of GitHub's
API. Only ``uses:`` steps (setup-python) and the pip install are not run: they need the
network; their shape is checked instead. The ``catalog-diff`` command lines of the example
workflows are parsed by the real command line and run on a real repository.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from catalog_diff.cli import main
from fakegithub import APP_TOKEN, BOT, TOKEN, FakeGitHub, serve
from gitrepo import GitRepoBuilder, sample_tree

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))
EXPRESSION = re.compile(r"^\$\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}$")
REPOSITORY = "owner/catalog"


def _has_github_format() -> bool:
    diff = main.commands["diff"]
    options = {opt for p in diff.params for opt in getattr(p, "opts", ())}
    fmt = next(p for p in diff.params if p.name == "fmt")
    choices = getattr(fmt.type, "choices", ())
    return "github" in choices and {"--marker", "--max-chars", "--fail-on"} <= options


needs_github_format = pytest.mark.skipif(
    not _has_github_format(), reason="diff --format github / --fail-on are not in this build yet"
)


# ---- the action's structure -----------------------------------------------------------


def test_action_is_composite_with_documented_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    inputs = ACTION["inputs"]
    defaults = {name: spec.get("default") for name, spec in inputs.items()}
    assert defaults | {"github-token": None} == {
        "repository": ".",
        "base": "",
        "head": "",
        "format": "github",
        "fail-on": "",
        "comment": "true",
        "issue-number": "",
        "marker": "<!-- catalog-diff -->",
        "max-chars": "65536",
        "tag": "",
        "html-artifact": "catalog-diff-html-report",
        "python-version": "3.12",
        "github-token": None,
    }
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert all(spec.get("description") for spec in inputs.values())
    steps = {step.get("id"): step for step in ACTION["runs"]["steps"]}
    for name, output in ACTION["outputs"].items():
        match = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", output["value"])
        assert match and match.group(1) in steps, name
        script = (ROOT / "scripts" / "sticky_comment.py").read_text(encoding="utf-8")
        if "uses" in steps[match.group(1)]:  # another action's output (upload-artifact's URL)
            assert steps[match.group(1)]["uses"].startswith("actions/upload-artifact@"), name
            continue
        written = steps[match.group(1)]["run"] + (script if match.group(1) == "comment" else "")
        assert f"{match.group(2)}=" in written or f'"{match.group(2)}"' in written, name


def test_action_installs_itself_and_quotes_every_value() -> None:
    steps = ACTION["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = next(s for s in steps if s.get("id") == "install")
    assert install["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    assert "pip install" in install["run"] and '"$ACTION_PATH"' in install["run"]
    for step in steps:
        if "run" not in step:
            continue
        assert step["shell"] == "bash"
        # Values reach the scripts through the environment, never pasted into the script.
        assert "${{" not in step["run"], step["name"]
        for value in step.get("env", {}).values():
            assert "${{" not in value or EXPRESSION.match(value), value


def test_action_runs_catalog_diff_diff_with_the_github_options() -> None:
    diff = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "diff")["run"]
    lines = [line.strip() for line in diff.splitlines() if line.strip().startswith("catalog-diff")]
    assert len(lines) == 2
    assert '--format markdown -o "$report"' in lines[0]
    assert '--format "$FORMAT" "${extra[@]}" -o "$body"' in lines[1]
    assert 'extra=(--marker "$MARKER" --max-chars "$MAX_CHARS")' in diff
    assert 'extra+=(--fail-on "$gate")' in diff
    assert '>> "$GITHUB_STEP_SUMMARY"' in diff


# ---- running the action ---------------------------------------------------------------


def _lookup(context: dict[str, Any], dotted: str) -> str:
    value: Any = context
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return ""
        value = value[part]
    return "" if value is None else str(value)


@dataclass
class ActionRun:
    """What running the action's steps left behind."""

    steps: dict[str, subprocess.CompletedProcess[str]] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: str = ""
    failed: str | None = None

    def output(self, name: str) -> str:
        step, _, key = ACTION["outputs"][name]["value"].strip("${} ").split(".", 3)[1:]
        return self.outputs.get(step, {}).get(key.split(".", 1)[-1], "")


def run_action(
    workspace: Path,
    tmp: Path,
    api: FakeGitHub,
    inputs: dict[str, str] | None = None,
    event: dict[str, Any] | None = None,
    actions_token: str = "",
    artifact_url: str = "",
) -> ActionRun:
    """The action's run steps, in order, as a runner would; stops at the first failure.
    ``actions_token`` is the run's own token (``github.token``); ``artifact_url`` what
    upload-artifact (not run here) would answer."""
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    defaults["github-token"] = actions_token or TOKEN
    context: dict[str, Any] = {
        "inputs": defaults | (inputs or {}),
        "github": {
            "action_path": str(ROOT),
            "event": event or {},
            "repository": REPOSITORY,
            "token": actions_token,
        },
        "steps": {},
    }
    summary = tmp / "step-summary.md"
    venv_bin = str(Path(sys.executable).parent)
    base_env = {
        "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp),
        "LC_ALL": "C.UTF-8",
        "RUNNER_TEMP": str(tmp / "runner-temp"),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_REPOSITORY": REPOSITORY,
        "GITHUB_API_URL": api.url,
    }
    (tmp / "runner-temp").mkdir(exist_ok=True)
    result = ActionRun()
    for step in ACTION["runs"]["steps"]:
        if step.get("uses", "").startswith("actions/upload-artifact@") and artifact_url:
            context["steps"][step["id"]] = {"outputs": {"artifact-url": artifact_url}}
        if "run" not in step or step.get("id") == "install":
            continue  # setup-python and pip install: network (the venv has catalog-diff)
        step_id = step["id"]
        output_file = tmp / f"output-{step_id}"
        output_file.write_text("", encoding="utf-8")
        env = base_env | {"GITHUB_OUTPUT": str(output_file)}
        for key, value in step.get("env", {}).items():
            match = EXPRESSION.match(value)
            env[key] = _lookup(context, match.group(1)) if match else value
        script = tmp / f"step-{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        result.steps[step_id] = done
        outputs = dict(
            line.split("=", 1) for line in output_file.read_text("utf-8").splitlines() if line
        )
        result.outputs[step_id] = outputs
        context["steps"][step_id] = {"outputs": outputs}
        if done.returncode != 0:
            result.failed = step_id
            break
    result.summary = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return result


def weekly_repo(path: Path, break_qt: bool = False) -> tuple[GitRepoBuilder, str, str]:
    """Two commits of develop: the weekly snapshots of 2025-03-23 and 2025-03-30."""
    repo = GitRepoBuilder(path)
    repo.write(sample_tree("develop-2025-03-23", as_tag="develop"))
    old = repo.commit("week 12", date="2025-03-23T06:00:00+00:00")
    repo.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    newer = sample_tree("develop-2025-03-30", as_tag="develop")
    if break_qt:
        newer["_cache/develop/qt/specs.md"] = newer["_cache/develop/qt/specs.md"][:300]
    repo.write(newer)
    new = repo.commit("week 13", date="2025-03-30T06:00:00+00:00")
    return repo, old, new


def pull_request(base: str, head: str, head_repo: str = REPOSITORY) -> dict[str, Any]:
    return {
        "pull_request": {
            "number": 12,
            "base": {"sha": base},
            "head": {"sha": head, "repo": {"full_name": head_repo}},
        }
    }


def test_push_run_writes_summary_report_and_one_sticky_comment(tmp_path: Path) -> None:
    repo, _, _ = weekly_repo(tmp_path / "catalog")
    with serve() as api:
        inputs = {"format": "markdown", "issue-number": "5"}
        first = run_action(repo.path, tmp_path, api, inputs)
        assert first.failed is None, first.steps
        report = Path(first.output("report"))
        expected = (
            CliRunner()
            .invoke(
                main, ["diff", "--repo", str(repo.path), "HEAD~1", "HEAD", "--format", "markdown"]
            )
            .stdout
        )
        assert report.read_text(encoding="utf-8") == expected
        assert first.summary == expected
        assert first.output("exit-code") == "0"
        assert first.outputs["comment"]["comment-action"] == "created"
        assert [c["body"] for c in api.comments[5]] == [f"<!-- catalog-diff -->\n{expected}"]
        second = run_action(repo.path, tmp_path, api, inputs)
        assert second.failed is None
        assert second.outputs["comment"]["comment-action"] == "unchanged"
        assert [m for m, _ in api.requests].count("POST") == 1
        assert not [m for m, _ in api.requests if m == "PATCH"]


def test_push_without_an_issue_makes_no_comment(tmp_path: Path) -> None:
    repo, _, _ = weekly_repo(tmp_path / "catalog")
    with serve() as api:
        run = run_action(repo.path, tmp_path, api, {"format": "markdown"})
        assert run.failed is None
        assert run.outputs["comment"] == {"comment-action": "off"}
        assert api.requests == []
        assert run.summary.startswith("## Catalog diff")


def test_pull_request_from_a_fork_writes_the_summary_and_does_not_fail(tmp_path: Path) -> None:
    repo, old, new = weekly_repo(tmp_path / "catalog")
    with serve() as api:
        event = pull_request(old, new, head_repo="someone/catalog")
        run = run_action(repo.path, tmp_path, api, {"format": "markdown"}, event)
        assert run.failed is None
        assert api.requests == []
        assert run.outputs["comment"]["comment-action"] == "skipped"
        assert "packages | 4 | 0 | 68 |" in run.summary
        assert f"`{old}`" in run.summary and f"`{new}`" in run.summary


def test_forbidden_comment_is_a_warning(tmp_path: Path) -> None:
    repo, old, new = weekly_repo(tmp_path / "catalog")
    with serve() as api:
        api.fail_with = 403
        run = run_action(repo.path, tmp_path, api, {"format": "markdown"}, pull_request(old, new))
        assert run.failed is None
        assert "::warning::no comment: not permitted" in run.steps["comment"].stdout
        assert run.summary.startswith("## Catalog diff")


def test_actions_token_updates_only_the_bots_comment(tmp_path: Path) -> None:
    """With the run's own token the action names its identity (github-actions[bot], which
    cannot call GET /user); a marked comment by anyone else is left alone."""
    repo, old, new = weekly_repo(tmp_path / "catalog")
    with serve() as api:
        forged = api.add(12, "<!-- catalog-diff -->\nNo differences", author="mallory")
        ours = api.add(12, "<!-- catalog-diff -->\nan older report", author=BOT)
        run = run_action(
            repo.path,
            tmp_path,
            api,
            {"format": "markdown"},
            pull_request(old, new),
            actions_token=APP_TOKEN,
        )
        assert run.failed is None, run.steps["comment"].stderr
        assert run.outputs["comment"]["comment-action"] == "updated"
        assert forged["body"] == "<!-- catalog-diff -->\nNo differences"
        assert ours["body"].startswith("<!-- catalog-diff -->\n## Catalog diff")
        assert ("GET", "/user") not in api.requests


def test_comment_api_failure_fails_the_step(tmp_path: Path) -> None:
    repo, old, new = weekly_repo(tmp_path / "catalog")
    with serve() as api:
        api.fail_with = 500
        run = run_action(repo.path, tmp_path, api, {"format": "markdown"}, pull_request(old, new))
        assert run.failed == "comment"
        assert run.steps["comment"].returncode == 1
        assert "sticky_comment: error:" in run.steps["comment"].stderr
        assert run.summary.startswith("## Catalog diff")


def test_unreadable_catalog_file_fails_after_summary_and_comment(tmp_path: Path) -> None:
    repo, old, new = weekly_repo(tmp_path / "catalog", break_qt=True)
    with serve() as api:
        run = run_action(repo.path, tmp_path, api, {"format": "markdown"}, pull_request(old, new))
        assert run.failed == "verdict"
        assert run.steps["verdict"].returncode == 3
        assert run.output("exit-code") == "3"
        assert "_cache/develop/qt/specs.md" in run.summary
        assert "_cache/develop/qt/specs.md" in api.comments[12][0]["body"]


def test_a_checked_out_file_named_like_a_revision_cannot_forge_the_report(
    tmp_path: Path,
) -> None:
    """A pull request commits, beside its catalog change, snapshot files of the old
    catalog named HEAD, HEAD~1 and like the base SHA: read in place of the revisions, they
    would make the report say "No differences". The action names its revisions rev:X."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree("develop-2025-03-23", as_tag="develop"))
    old = repo.commit("week 12", date="2025-03-23T06:00:00+00:00")
    forged = tmp_path / "forged.json"
    made = CliRunner().invoke(
        main, ["snapshot", "--repo", str(repo.path), "rev:HEAD", "-o", str(forged), "-q"]
    )
    assert made.exit_code == 0, made.stderr
    repo.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.write(sample_tree("develop-2025-03-30", as_tag="develop"))
    repo.write({name: forged.read_bytes() for name in ("HEAD", "HEAD~1", old)})
    new = repo.commit("week 13, and three forged snapshots", date="2025-03-30T06:00:00+00:00")
    expected = (
        CliRunner()
        .invoke(
            main,
            ["diff", "--repo", str(repo.path), "rev:HEAD~1", "rev:HEAD", "--format", "markdown"],
        )
        .stdout
    )
    assert "packages | 4 | 0 | 68 |" in expected
    with serve() as api:
        for event in (pull_request(old, new), None):  # a pull request, then a push
            run = run_action(repo.path, tmp_path, api, {"format": "markdown"}, event)
            assert run.failed is None, run.steps
            report = Path(run.output("report")).read_text(encoding="utf-8")
            assert "packages | 4 | 0 | 68 |" in report and "No differences" not in report
            assert run.output("exit-code") == "0"
            if event is None:
                assert report == expected


@needs_github_format
def test_github_format_comment_and_gate(tmp_path: Path) -> None:
    repo, old, new = weekly_repo(tmp_path / "catalog")
    with serve() as api:
        inputs = {"fail-on": "removed-packages, removed-specs"}
        run = run_action(repo.path, tmp_path, api, inputs, pull_request(old, new))
        body = Path(run.output("comment-body")).read_text(encoding="utf-8")
        assert body.splitlines()[0] == "<!-- catalog-diff -->"
        assert len(body) <= 65536
        assert run.summary == body
        assert api.comments[12][0]["body"] == body  # the marker was already there
        assert run.failed == "verdict" and run.output("exit-code") != "0"
        quiet = run_action(
            repo.path, tmp_path, api, {"fail-on": "removed-packages"}, pull_request(old, new)
        )
        assert quiet.failed is None
        assert quiet.outputs["comment"]["comment-action"] in ("updated", "unchanged")
        assert len(api.comments[12]) == 1


# ---- the example workflows ------------------------------------------------------------


def _workflow(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 reads the key "on" as true
        data["on"] = data.pop(True)
    return data


def _steps(path: Path) -> list[dict[str, Any]]:
    return [step for job in _workflow(path)["jobs"].values() for step in job["steps"]]


def catalog_diff_commands(path: Path, env: dict[str, str]) -> list[list[str]]:
    """Every ``catalog-diff ...`` command line of a workflow, ``$VARIABLES`` filled in."""
    commands = []
    for step in _steps(path):
        for line in step.get("run", "").replace("\\\n", " ").splitlines():
            line = line.strip()
            if not line.startswith("catalog-diff "):
                continue
            line = re.split(r"\s(?:\|\||&&|\||>>?)\s", line)[0]  # the command alone
            words = shlex.split(line)
            for i, word in enumerate(words):  # "$BASE", "rev:${HEAD}", ...
                words[i] = re.sub(
                    r"\$(\w+)|\$\{(\w+)\}", lambda m: env[m.group(1) or m.group(2)], word
                )
            commands.append(words)
    return commands


def test_examples_trigger_on_the_catalog_and_use_the_action() -> None:
    names = {path.name for path in EXAMPLES}
    assert names == {"pull-request.yml", "daily.yml"}
    pr = _workflow(ROOT / "examples" / "pull-request.yml")
    assert pr["on"]["pull_request"]["paths"] == ["_cache/**"]
    assert pr["permissions"]["pull-requests"] == "write"
    daily = _workflow(ROOT / "examples" / "daily.yml")
    assert daily["on"]["push"]["branches"] == ["main"]
    assert "_cache/**" in daily["on"]["push"]["paths"]
    assert daily["on"]["schedule"]
    for path in EXAMPLES:
        steps = _steps(path)
        checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["fetch-depth"] == 0, path.name
        ours = [s for s in steps if s.get("uses", "").endswith("/catalog-diff@REF")]
        assert len(ours) == 1, path.name
        assert set(ours[0].get("with", {})) <= set(ACTION["inputs"]), path.name
        uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@")]
        assert any("steps.catalog-diff.outputs.report" in s["with"]["path"] for s in uploads)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_commands_parse_and_run(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, old, new = weekly_repo(tmp_path / "catalog")
    commands = catalog_diff_commands(path, {"BASE": old, "HEAD": new})
    assert commands, f"{path.name} runs no catalog-diff command"
    monkeypatch.chdir(repo.path)
    for args in commands:
        assert args[0] == "catalog-diff"
        command = main.commands[args[1]]
        command.make_context(args[1], list(args[2:]))  # parses with the real options
        result = CliRunner().invoke(main, args[1:], catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
        target = args[args.index("-o") + 1]
        assert (repo.path / target).stat().st_size > 0


@needs_github_format
def test_custom_marker_and_cap(tmp_path: Path) -> None:
    repo, old, new = weekly_repo(tmp_path / "catalog")
    with serve() as api:
        api.add(12, "<!-- catalog-diff -->\nanother workflow's comment")
        inputs = {"marker": "catalog-diff nightly", "max-chars": "12000"}
        run = run_action(repo.path, tmp_path, api, inputs, pull_request(old, new))
        assert run.failed is None, run.steps
        body = Path(run.output("comment-body")).read_text(encoding="utf-8")
        assert body.splitlines()[0] == "<!-- catalog-diff nightly -->"
        assert len(body) <= 12000 and "not shown" in body
        assert [c["body"] for c in api.comments[12]] == [
            "<!-- catalog-diff -->\nanother workflow's comment",
            body,
        ]
        full = Path(run.output("report")).read_text(encoding="utf-8")
        assert len(full) > 12000  # the artifact keeps everything


def test_the_report_as_a_web_page_is_linked_from_the_comment(tmp_path: Path) -> None:
    from htmlcheck import check_page

    repo, _, _ = weekly_repo(tmp_path / "catalog")
    url = "https://github.com/o/r/actions/runs/1/artifacts/2"
    with serve() as api:
        run = run_action(repo.path, tmp_path, api, {"issue-number": "12"}, artifact_url=url)
        assert run.failed is None, run.steps
        page = Path(run.output("html-report")).read_text(encoding="utf-8")
        assert "Packages (" in check_page(page).all_text
        body = Path(run.output("comment-body")).read_text(encoding="utf-8")
        assert body.endswith(
            f"[The full report as a web page]({url}) (a zip: open report.html in a browser)\n"
        )
        assert url in run.summary
        assert [c["body"] for c in api.comments[12]] == [body]
    with serve() as api:  # no upload (html-artifact empty, or a run without it): no link
        (tmp_path / "again").mkdir()
        run = run_action(repo.path, tmp_path / "again", api, {"issue-number": "12"})
        body = Path(run.output("comment-body")).read_text(encoding="utf-8")
        assert "web page" not in body
