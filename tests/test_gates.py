"""``--fail-on``: parsing, each condition tripping and not, exit codes and reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.api import diff
from catalog_diff.cli import main
from catalog_diff.compare import gates
from catalog_diff.errors import UsageError
from catalog_diff.model.comparison import Comparison, Gate, GateStatus
from catalog_diff.sources.load import Selection
from gitrepo import GitRepoBuilder, sample_tree

ROOT = Path(__file__).resolve().parent.parent
OLD_SNAPSHOT = str(ROOT / "snapshots" / "develop-2025-03-23.json")
NEW_SNAPSHOT = str(ROOT / "snapshots" / "develop-2025-03-30.json")
RELEASE_ARGS = ("HEAD", "HEAD", "--old-tag", "v0.23.0", "--new-tag", "v0.23.1")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def patch(releases: GitRepoBuilder) -> Comparison:
    """v0.23.0 -> v0.23.1: gotcha, libquo and zfp each lose their one cce@15.0.1 /
    rhel8 / zen4 / e4s-cray-rhel spec; nothing else changes."""
    return diff(
        "HEAD",
        "HEAD",
        repo=str(releases.path),
        selection=Selection(old_tag="v0.23.0", new_tag="v0.23.1"),
    )


@pytest.fixture(scope="module")
def backwards() -> Comparison:
    """The weekly pair read backwards: 4 packages removed (compiler-wrapper, embree,
    qwt, sensei), 77 specs removed."""
    return diff(NEW_SNAPSHOT, OLD_SNAPSHOT)


def outcome(comparison: Comparison, condition: str) -> tuple[GateStatus, int]:
    (result,) = gates.evaluate(gates.parse([condition]), comparison)
    return result.status, result.count


TRIPPED, PASSED = GateStatus.TRIPPED, GateStatus.PASSED


# ---- parsing ----------------------------------------------------------------------------


def test_parse_forms() -> None:
    parsed = gates.parse(["lost-stack:e4s*, removed-specs:>10", "lost-os", "removed-specs:>=3"])
    assert parsed == (
        Gate("lost-stack:e4s*", "lost-stack", pattern="e4s*"),
        Gate("removed-specs:>10", "removed-specs", threshold=10),
        Gate("lost-os", "lost-os"),
        Gate("removed-specs:>=3", "removed-specs", threshold=2),
    )
    assert gates.parse(["lost-os", "lost-os,lost-os"]) == (Gate("lost-os", "lost-os"),)
    assert gates.parse([]) == ()


@pytest.mark.parametrize(
    "value, message",
    [
        ("lost-targets", "unknown condition 'lost-targets'"),
        ("removed", "unknown condition 'removed'"),
        ("lost-stack:", "nothing after ':'"),
        ("removed-specs:>", "a threshold is >N or >=N"),
        ("removed-specs:>x", "a threshold is >N or >=N"),
        ("removed-specs:<5", "a threshold is >N or >=N"),
        ("removed-specs:=5", "a threshold is >N or >=N"),
        ("", "empty condition"),
        (" , ", "empty condition"),
    ],
)
def test_parse_rejects(value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        gates.parse([value])


# ---- each condition, tripping and not ---------------------------------------------------


@pytest.mark.parametrize(
    "condition, expected",
    [
        ("lost-stack", (TRIPPED, 3)),
        ("lost-stack:e4s-cray-rhel", (TRIPPED, 3)),
        ("lost-stack:e4s*", (TRIPPED, 3)),
        ("lost-stack:e4s", (PASSED, 0)),  # a pattern matches whole names
        ("lost-stack:root", (PASSED, 0)),  # root lost specs, no package lost root
        ("lost-stack:>2", (TRIPPED, 3)),
        ("lost-stack:>3", (PASSED, 3)),
        ("lost-target", (TRIPPED, 3)),
        ("lost-target:zen4", (TRIPPED, 3)),
        ("lost-target:x86_64*", (PASSED, 0)),
        ("lost-compiler", (TRIPPED, 3)),
        ("lost-compiler:cce@*", (TRIPPED, 3)),
        ("lost-compiler:gcc@*", (PASSED, 0)),
        ("lost-os:rhel8", (TRIPPED, 3)),
        ("lost-os:ubuntu*", (PASSED, 0)),
        ("removed-packages", (PASSED, 0)),
        ("removed-specs", (TRIPPED, 3)),
        ("removed-specs:>2", (TRIPPED, 3)),
        ("removed-specs:>3", (PASSED, 3)),
        ("removed-specs:>=3", (TRIPPED, 3)),
        ("removed-specs:>=4", (PASSED, 3)),
        ("removed-specs:zfp", (TRIPPED, 1)),
        ("removed-specs:bc", (PASSED, 0)),
    ],
)
def test_conditions_on_the_patch_release(
    patch: Comparison, condition: str, expected: tuple[GateStatus, int]
) -> None:
    assert outcome(patch, condition) == expected


@pytest.mark.parametrize(
    "condition, expected",
    [
        ("removed-packages", (TRIPPED, 4)),
        ("removed-packages:>3", (TRIPPED, 4)),
        ("removed-packages:>4", (PASSED, 4)),
        ("removed-packages:qwt", (TRIPPED, 1)),
        ("removed-packages:zlib*", (PASSED, 0)),
        ("removed-specs", (TRIPPED, 77)),
        ("removed-specs:>77", (PASSED, 77)),
        ("lost-stack:data-vis-sdk", (TRIPPED, 19)),
        ("lost-compiler:intel-oneapi-compilers@2024.2.1", (TRIPPED, 23)),
        ("lost-os:ubuntu20.04", (TRIPPED, 19)),
    ],
)
def test_conditions_on_the_weekly_pair_backwards(
    backwards: Comparison, condition: str, expected: tuple[GateStatus, int]
) -> None:
    assert outcome(backwards, condition) == expected


def test_counts_agree_with_the_comparison(backwards: Comparison) -> None:
    removed = [c for c in backwards.packages if c.status.value == "removed"]
    assert outcome(backwards, "removed-packages")[1] == len(removed)
    assert outcome(backwards, "removed-specs")[1] == backwards.summary.specs_removed
    losers = {c.name for c in backwards.packages if c.facet("targets").removed}
    assert outcome(backwards, "lost-target")[1] == len(losers)


def test_reasons_name_the_packages(patch: Comparison) -> None:
    (stack, specs, target) = gates.evaluate(
        gates.parse(["lost-stack:e4s*,removed-specs:>10,lost-target:x86_64"]), patch
    )
    assert stack.reason == (
        "lost-stack:e4s*: 3 packages lost stack e4s-cray-rhel: "
        "v0.23.1/gotcha, v0.23.1/libquo, v0.23.1/zfp"
    )
    assert specs.reason.startswith("removed-specs:>10: 3 specs removed: ")
    assert specs.reason.endswith(" (not more than 10)")
    assert target.reason == "lost-target:x86_64: no package lost a target matching x86_64"


# ---- the command line -------------------------------------------------------------------


def test_tripped_gate_exits_one_with_its_reason(releases: GitRepoBuilder) -> None:
    base = ("diff", "--repo", str(releases.path), *RELEASE_ARGS)
    code, out, err = run(*base, "--fail-on", "lost-stack:e4s*", "--fail-on", "lost-os:ubuntu*")
    assert code == 1
    assert err == (
        "catalog-diff: gate tripped: lost-stack:e4s*: 3 packages lost stack e4s-cray-rhel: "
        "v0.23.1/gotcha, v0.23.1/libquo, v0.23.1/zfp\n"
    )
    assert "Gates (--fail-on)\n  tripped   lost-stack:e4s*: 3 packages" in out
    assert "  passed    lost-os:ubuntu*: no package lost an os matching ubuntu*" in out
    # Even with --quiet: it is why the exit code is 1.
    code, _, quiet_err = run(*base, "--fail-on", "lost-stack:e4s*", "-q")
    assert (code, quiet_err) == (1, err.splitlines(keepends=True)[0])


def test_gates_in_every_format(releases: GitRepoBuilder) -> None:
    base = (
        "diff",
        "--repo",
        str(releases.path),
        *RELEASE_ARGS,
        "--fail-on",
        "lost-target:zen4,removed-packages",
    )
    code, out, _ = run(*base, "--format", "json")
    assert code == 1
    assert json.loads(out)["gates"] == [
        {
            "condition": "lost-target:zen4",
            "tripped": True,
            "status": "tripped",
            "count": 3,
            "reason": "lost-target:zen4: 3 packages lost target zen4: "
            "v0.23.1/gotcha, v0.23.1/libquo, v0.23.1/zfp",
        },
        {
            "condition": "removed-packages",
            "tripped": False,
            "status": "passed",
            "count": 0,
            "reason": "removed-packages: 0 packages removed",
        },
    ]
    code, out, _ = run(*base, "--format", "markdown")
    assert code == 1
    assert "### Gates: 1 of 2 tripped\n" in out
    # The reason is a sentence (inert text), without the condition its row starts with.
    assert "| `lost-target:zen4` | **tripped** | 3 packages lost target zen4: v0.23.1/" in out
    code, out, _ = run(*base, "--format", "github")
    assert code == 1
    assert "### Gates: 1 of 2 tripped\n" in out
    row = "| <code>removed-packages</code> | passed | 0 packages removed |"
    assert row in out
    # Without --fail-on: an empty list, no section.
    code, out, _ = run("diff", "--repo", str(releases.path), *RELEASE_ARGS, "--format", "json")
    assert (code, json.loads(out)["gates"]) == (0, [])


def test_gates_that_pass_exit_zero(releases: GitRepoBuilder) -> None:
    code, out, err = run(
        "diff",
        "--repo",
        str(releases.path),
        *RELEASE_ARGS,
        "--fail-on",
        "removed-packages,lost-os:ubuntu*,removed-specs:>3",
    )
    assert (code, err) == (0, "")
    assert "Gates (--fail-on)" in out


def test_exit_code_and_gates_share_one_and_stderr_tells_them_apart(
    releases: GitRepoBuilder,
) -> None:
    base = ("diff", "--repo", str(releases.path), *RELEASE_ARGS, "--exit-code")
    code, _, err = run(*base, "--fail-on", "removed-packages")
    assert (code, err) == (1, "")  # differences, no gate tripped
    code, _, err = run(*base, "--fail-on", "lost-target")
    assert code == 1
    assert err.startswith("catalog-diff: gate tripped: lost-target: ")


@pytest.mark.parametrize(
    "args, message",
    [
        (("--fail-on", "lost-everything"), "unknown condition 'lost-everything'"),
        (("--fail-on", "removed-specs:>ten"), "a threshold is >N or >=N"),
        (("--fail-on", ""), "empty condition"),
    ],
)
def test_bad_conditions_exit_two_before_any_work(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    # The repository does not exist: the condition is rejected first.
    code, out, err = run("diff", "--repo", str(tmp_path / "missing"), "A", "B", *args)
    assert (code, out) == (2, "")
    assert err.startswith("catalog-diff: error: --fail-on")
    assert message in err
    assert err.count("\n") == 1


def test_unreadable_files_exit_three_whatever_the_gates(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    files = sample_tree("v0.23.0", as_tag="develop")
    repo.write(files)
    repo.commit("v0.23.0 as develop")
    repo.write({"_cache/develop/zfp/specs.md": b"---\ntitle: zfp\n"})
    repo.commit("zfp: truncated")
    for condition in ("removed-packages", "lost-stack,removed-specs", "removed-specs:>100"):
        code, out, err = run(
            "diff",
            "--repo",
            str(repo.path),
            "HEAD~1",
            "HEAD",
            "--fail-on",
            condition,
            "--format",
            "json",
        )
        assert code == 3, condition
        assert "_cache/develop/zfp/specs.md" in err
        report = json.loads(out)
        assert report["packages"] == []  # zfp is neither removed nor unchanged
        assert {g["status"] for g in report["gates"]} == {"undecided"}
        assert all(not g["tripped"] for g in report["gates"])
        assert all("undecided: 1 file could not be read" in g["reason"] for g in report["gates"])


def test_a_removed_tag_counts_as_removed_packages(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree("v0.22.2") | sample_tree("v0.23.1"))
    repo.commit("two tags")
    repo.delete(sample_tree("v0.22.2"))
    repo.commit("v0.22.2 goes")
    code, out, err = run(
        "diff",
        "--repo",
        str(repo.path),
        "HEAD~1",
        "HEAD",
        "--fail-on",
        "removed-packages:>5",
        "--fail-on",
        "removed-packages:bc",
    )
    assert code == 1
    assert err == (
        "catalog-diff: gate tripped: removed-packages:>5: 6 packages removed: "
        "tags removed: v0.22.2 (more than 5)\n"
    )
    assert "passed    removed-packages:bc: 0 packages removed from packages matching bc" in out
