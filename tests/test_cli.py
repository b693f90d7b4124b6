"""End to end through the command line: exit codes, stdout and stderr, each separately."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from gitrepo import GitRepoBuilder, sample_tree

ROOT = Path(__file__).resolve().parent.parent
OLD_SNAPSHOT = str(ROOT / "snapshots" / "develop-2025-03-23.json")
NEW_SNAPSHOT = str(ROOT / "snapshots" / "develop-2025-03-30.json")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def weekly(tmp_path: Path) -> GitRepoBuilder:
    """The two real weekly snapshots as two commits of ``_cache/develop/``."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.commit("develop 2025-03-23", date="2025-03-23T06:00:00+00:00")
    repo.tag("week-12")
    repo.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.write(sample_tree("develop-2025-03-30", as_tag="develop"))
    repo.commit("develop 2025-03-30", date="2025-03-30T06:00:00+00:00")
    return repo


def test_no_differences_exit_zero_even_with_exit_code(weekly: GitRepoBuilder) -> None:
    code, out, err = run("diff", "--repo", str(weekly.path), "HEAD", "main", "--exit-code")
    assert (code, err) == (0, "")
    assert "No differences." in out
    assert "0 added, 0 removed, 0 changed" in out


def test_differences_exit_one_only_with_exit_code(weekly: GitRepoBuilder) -> None:
    args = ("diff", "--repo", str(weekly.path), "week-12", "HEAD")
    code, out, err = run(*args)
    assert (code, err) == (0, "")
    assert "4 added, 0 removed, 68 changed" in out
    code, out2, _ = run(*args, "--exit-code")
    assert code == 1
    assert out2 == out


def test_every_revision_form_resolves_to_the_same_commit(weekly: GitRepoBuilder) -> None:
    head = weekly.rev_parse("HEAD")
    reports = set()
    for rev in (head, head[:10], "main", "HEAD", "week-12~0^{commit}", "HEAD~1"):
        code, out, _ = run("diff", "--repo", str(weekly.path), rev, rev, "--format", "json")
        assert code == 0, rev
        data = json.loads(out)
        assert len(data["old"]["commit"]) == 40
        reports.add(data["new"]["commit"])
    assert reports == {head, weekly.rev_parse("HEAD~1")}


def test_json_report_shows_full_shas_and_dates(weekly: GitRepoBuilder) -> None:
    code, out, _ = run("diff", "--repo", str(weekly.path), "HEAD~1", "HEAD", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["old"]["commit"] == weekly.rev_parse("HEAD~1")
    assert data["new"]["commit"] == weekly.rev_parse("HEAD")
    assert data["old"]["date"] == "2025-03-23T06:00:00+00:00"
    assert data["new"]["revision"] == "HEAD"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("diff", "HEAD", "HEAD", "--tag", "x", "--old-tag", "y", "--new-tag", "z"),
            "--tag cannot be combined",
        ),
        (("diff", "HEAD", "HEAD", "--old-tag", "v0.23.0"), "--old-tag and --new-tag go together"),
        (("diff", "HEAD", "HEAD", "--format", "yaml"), "Invalid value for '--format'"),
        # diff OLD alone is OLD..HEAD (as git diff); a third argument is one too many.
        (("diff", "HEAD", "HEAD", "HEAD"), "one argument too many ('HEAD')"),
        (("diff", "HEAD", "HEAD", "--bogus"), "No such option '--bogus'"),
    ],
)
def test_usage_errors_exit_two(weekly: GitRepoBuilder, args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args, "--repo", str(weekly.path))
    assert code == 2
    assert out == ""
    assert err.startswith("catalog-diff: error: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "old, message",
    [
        ("no-such-branch", "no-such-branch: unknown revision in "),
        ("HEAD~5", "HEAD~5: unknown revision in "),
        ("HEAD:../../etc/passwd", "HEAD:../../etc/passwd: unknown revision in "),
    ],
)
def test_unknown_revisions_exit_three_on_one_line(
    weekly: GitRepoBuilder, old: str, message: str
) -> None:
    code, out, err = run("diff", "--repo", str(weekly.path), old, "HEAD")
    assert code == 3
    assert out == ""
    assert err.startswith("catalog-diff: error: " + message)
    assert err.count("\n") == 1


@pytest.mark.parametrize("rev", ["--output=OUT", "-n", "--exec=touch OUT"])
def test_revisions_that_look_like_options_never_reach_git_as_options(
    weekly: GitRepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rev: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("diff", "--repo", str(weekly.path), "--", rev, "HEAD")
    assert (code, out) == (3, "")
    assert "it begins with '-'" in err
    assert not (tmp_path / "OUT").exists()


def test_not_a_repository_and_not_a_catalog(tmp_path: Path) -> None:
    code, _, err = run("diff", "--repo", str(tmp_path / "missing"), "HEAD~1", "HEAD")
    assert code == 3
    assert "not a git repository" in err
    repo = GitRepoBuilder(tmp_path / "other")
    repo.write({"README": b"not a catalog\n"})
    repo.commit("just a readme")
    code, _, err = run("diff", "--repo", str(repo.path), "HEAD", "HEAD")
    assert code == 3
    assert "HEAD" in err and "not a catalog (_cache/ not found)" in err


def test_older_layout_is_read(tmp_path: Path, samples: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "old")
    flat = samples / "legacy" / "specs-md-flat" / "_cache"
    saved = samples / "legacy" / "index-md" / "_cache"
    files = {f"_cache/{p.name}/specs.md": (p / "specs.md").read_bytes() for p in flat.iterdir()}
    for spec in saved.glob("*/spec-*.json"):
        files[f"_cache/{spec.parent.name}/{spec.name}"] = spec.read_bytes()
    repo.write(files)
    repo.commit("middle layout")
    code, out, err = run("diff", "--repo", str(repo.path), "HEAD", "HEAD")
    assert (code, err) == (0, "")
    assert "No differences." in out
    code, out, err = run("snapshot", "--repo", str(repo.path), "HEAD", "-o", "-", "-q")
    assert code == 3, "the spec files the samples lack are problems"
    assert "spec file missing" in err
    doc = json.loads(out)
    assert [(p["tag"], p["path"], len(p["specs"])) for p in doc["packages"]] == [
        ("develop", "_cache/libsigsegv/specs.md", 2),
        ("develop", "_cache/pkgconf/specs.md", 3),
        ("develop", "_cache/zlib/specs.md", 2),
    ]


def test_unreadable_file_is_reported_in_every_format(weekly: GitRepoBuilder) -> None:
    weekly.write({"_cache/develop/bc/specs.md": b'---\ntitle: "bc"\nspec_details: {}\n---'})
    weekly.commit("break bc")
    for fmt in ("text", "markdown", "json"):
        code, out, err = run(
            "diff", "--repo", str(weekly.path), "HEAD~2", "HEAD", "--format", fmt, "--exit-code"
        )
        assert code == 3, fmt
        assert "_cache/develop/bc/specs.md" in out, fmt
        assert "spec_details must be a list" in out, fmt
        assert "develop/cmake" in out or '"cmake"' in out, fmt
        assert err.startswith("catalog-diff: error: new HEAD: _cache/develop/bc/specs.md")
    data = json.loads(out)
    assert data["problems"] == [
        {
            "side": "new",
            "revision": "HEAD",
            "commit": weekly.rev_parse("HEAD"),
            "path": "_cache/develop/bc/specs.md",
            "message": "spec_details must be a list",
        }
    ]
    assert "bc" not in {p["name"] for p in data["packages"]}


def test_output_file_and_quiet(weekly: GitRepoBuilder, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    code, out, err = run(
        "diff",
        "--repo",
        str(weekly.path),
        "HEAD~1",
        "HEAD",
        "--format",
        "markdown",
        "-o",
        str(target),
    )
    assert (code, out) == (0, "")
    assert err == f"catalog-diff: report written to {target}\n"
    assert target.read_text().startswith("## Catalog diff\n")
    code, out, err = run(
        "diff", "--repo", str(weekly.path), "HEAD~1", "HEAD", "-o", str(target), "--quiet"
    )
    assert (code, out, err) == (0, "", "")


def test_same_inputs_same_bytes(weekly: GitRepoBuilder) -> None:
    for fmt in ("text", "markdown", "json"):
        args = ("diff", "--repo", str(weekly.path), "HEAD~1", "HEAD", "--format", fmt)
        assert run(*args)[1] == run(*args)[1]


def test_colour_only_when_asked(weekly: GitRepoBuilder) -> None:
    args = ("diff", "--repo", str(weekly.path), "HEAD~1", "HEAD", "--package", "gcc")
    assert "\x1b[" not in run(*args)[1]
    assert "\x1b[" not in run(*args, "--color", "never")[1]
    coloured = run(*args, "--color", "always")[1]
    assert "\x1b[31m- aarch64\x1b[0m" in coloured


def test_tag_and_package_selection(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree("v0.23.0") | sample_tree("v0.22.2"))
    repo.commit("two releases")
    code, out, _ = run(
        "diff",
        "--repo",
        str(repo.path),
        "HEAD",
        "HEAD",
        "--old-tag",
        "v0.22.2",
        "--new-tag",
        "v0.23.0",
        "--package",
        "[a-c]*",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    names = {(p["tag"], p["name"], p["status"]) for p in data["packages"]}
    assert ("v0.23.0", "adol-c", "changed") in names
    assert ("v0.23.0", "bc", "changed") in names
    assert all(n[1][0] in "abc" for n in names)
    assert (data["old"]["tag"], data["new"]["tag"]) == ("v0.22.2", "v0.23.0")
    code, _, err = run("diff", "--repo", str(repo.path), "HEAD", "HEAD", "--tag", "v9.9.9")
    assert code == 3
    assert "tag 'v9.9.9' not found" in err


def test_snapshot_command_round_trip(weekly: GitRepoBuilder, tmp_path: Path) -> None:
    plain, packed = tmp_path / "snap.json", tmp_path / "snap.json.gz"
    for target in (plain, packed):
        code, out, err = run("snapshot", "--repo", str(weekly.path), "HEAD~1", "-o", str(target))
        assert (code, out) == (0, "")
        assert "saved 68 packages" in err
    assert packed.read_bytes()[:2] == b"\x1f\x8b"
    for snap in (plain, packed):
        code, out, _ = run("diff", "--repo", str(weekly.path), str(snap), "HEAD~1", "--exit-code")
        assert code == 0, out
    code, out, _ = run("diff", "--repo", str(weekly.path), str(packed), "HEAD", "--exit-code")
    assert code == 1
    assert "4 added, 0 removed, 68 changed" in out
    code, out, err = run("snapshot", "--repo", str(weekly.path), "HEAD", "-o", "-")
    assert code == 0
    assert json.loads(out)["format"] == "catalog-diff snapshot"


def test_snapshot_against_directory(weekly: GitRepoBuilder) -> None:
    # The work tree of the repository is a catalog checkout too.
    code, out, _ = run("diff", "--repo", str(weekly.path), "HEAD", str(weekly.path), "--exit-code")
    assert code == 0, out


def test_bad_snapshot_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    code, out, err = run("diff", str(bad), NEW_SNAPSHOT)
    assert code == 3
    assert out == ""
    assert err.startswith(f"catalog-diff: error: {bad}: not a catalog-diff snapshot file")


def test_bundled_snapshots_are_the_readme_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(
        "diff", "snapshots/develop-2025-03-23.json", "snapshots/develop-2025-03-30.json"
    )
    assert (code, err) == (0, "")
    readme = (ROOT / "README.md").read_text()
    for line in out.splitlines()[:6]:
        assert line in readme


def test_module_entry_point_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "catalog_diff", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("catalog-diff, version ")


def test_real_process_error_has_no_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "catalog_diff", "diff", "--repo", str(tmp_path), "a", "b"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith("catalog-diff: error: ")
    assert "Traceback" not in done.stderr
