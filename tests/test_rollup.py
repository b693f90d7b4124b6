"""Roll-ups and specs per stack, checked against a recount from the real samples.

The truth is taken apart from the code under test: from the comparison's own package
changes (pairs counted one by one), and from both sides loaded whole (the facets and
per-stack counts of every package, recomputed here from its specs).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog_diff.api import diff, snapshot
from catalog_diff.cli import main
from catalog_diff.compare.aliases import NO_ALIASES
from catalog_diff.compare.pairing import compare_packages
from catalog_diff.compare.rollup import KIND_ORDER, rollups
from catalog_diff.model.comparison import Comparison, Rollup, RollupKind
from catalog_diff.model.snapshot import Package, Snapshot, Spec
from catalog_diff.sources.load import Selection
from gitrepo import GitRepoBuilder, sample_tree

ROOT = Path(__file__).resolve().parent.parent
OLD_SNAPSHOT = str(ROOT / "snapshots" / "develop-2025-03-23.json")
NEW_SNAPSHOT = str(ROOT / "snapshots" / "develop-2025-03-30.json")
RELEASES = Selection(old_tag="v0.23.0", new_tag="v0.23.1")

#: Roll-up kind -> how a spec gives its value(s).
FIELDS = {
    RollupKind.TARGET: lambda s: [s.target],
    RollupKind.OS: lambda s: [s.os],
    RollupKind.COMPILER: lambda s: [s.compiler],
    RollupKind.PLATFORM: lambda s: [s.platform],
    RollupKind.STACK: lambda s: list(s.stacks),
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def weekly() -> Comparison:
    return diff(OLD_SNAPSHOT, NEW_SNAPSHOT, aliases=NO_ALIASES)  # the raw view


@pytest.fixture(scope="module")
def weekly_sides() -> tuple[Snapshot, Snapshot]:
    return snapshot(OLD_SNAPSHOT), snapshot(NEW_SNAPSHOT)


@pytest.fixture(scope="module")
def weekly_repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    """The two weekly samples as two commits of _cache/develop/ (files carry their meta)."""
    repo = GitRepoBuilder(tmp_path_factory.mktemp("weekly") / "catalog")
    repo.write(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.commit("develop 2025-03-23", date="2025-03-23T06:00:00+00:00")
    repo.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.write(sample_tree("develop-2025-03-30", as_tag="develop"))
    repo.commit("develop 2025-03-30", date="2025-03-30T06:00:00+00:00")
    return repo


def find(comparison: Comparison, kind: RollupKind, subject: str) -> Rollup:
    found = [r for r in comparison.rollups if r.kind is kind and r.subject == subject]
    assert len(found) == 1, (kind, subject, found)
    return found[0]


def facet_truth(
    old: Snapshot, new: Snapshot, kind: RollupKind
) -> Iterator[tuple[str, set[tuple[str, str]], set[tuple[str, str]], int, int]]:
    """Per value: packages that gained it, lost it, and the specs that came and went with
    it, recounted from both sides loaded whole."""
    get = FIELDS[kind]
    gained: dict[str, set[tuple[str, str]]] = {}
    lost: dict[str, set[tuple[str, str]]] = {}
    came: Counter[str] = Counter()
    went: Counter[str] = Counter()
    for key in old.packages.keys() | new.packages.keys():
        before = old.packages[key].specs if key in old.packages else ()
        after = new.packages[key].specs if key in new.packages else ()
        had = {v for s in before for v in get(s)}
        has = {v for s in after for v in get(s)}
        for value in has - had:
            gained.setdefault(value, set()).add(key)
            came[value] += sum(get(s).count(value) for s in after)
        for value in had - has:
            lost.setdefault(value, set()).add(key)
            went[value] += sum(get(s).count(value) for s in before)
    for value in sorted(gained.keys() | lost.keys()):
        yield value, gained.get(value, set()), lost.get(value, set()), came[value], went[value]


def stack_totals(side: Snapshot) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for (tag, _), package in side.packages.items():
        for spec in package.specs:
            for stack in spec.stacks:
                counts[(tag, stack)] += 1
    return counts


# ---- the weekly develop pair --------------------------------------------------------------


def test_compiler_rename_is_one_rollup_with_the_right_counts(weekly: Comparison) -> None:
    old, new = "oneapi@2024.2.1", "intel-oneapi-compilers@2024.2.1"
    rollup = find(weekly, RollupKind.COMPILER_CHANGED, f"{old} -> {new}")
    # Recount from the packages of the comparison, pair by pair.
    pairs = [
        (change.tag, change.name)
        for change in weekly.packages
        for pair in change.specs.compiler_changed
        if (pair.old.compiler, pair.new.compiler) == (old, new)
    ]
    assert rollup.specs_gained == len(pairs) == 50
    assert set(rollup.packages) == set(pairs)
    assert len(rollup.packages) == 23
    assert (rollup.old, rollup.new) == (old, new)
    code, out, _ = run("diff", OLD_SNAPSHOT, NEW_SNAPSHOT, "--no-aliases")
    assert code == 0
    assert f"  compiler {old} -> {new}: 50 specs in 23 packages\n" in out


def test_every_compiler_change_is_counted_once(weekly: Comparison) -> None:
    truth: Counter[tuple[str, str]] = Counter()
    for change in weekly.packages:
        truth.update((p.old.compiler, p.new.compiler) for p in change.specs.compiler_changed)
    rolled = {
        (r.old, r.new): r.specs_gained
        for r in weekly.rollups
        if r.kind is RollupKind.COMPILER_CHANGED
    }
    assert rolled == dict(truth)
    assert sum(rolled.values()) == weekly.summary.specs_compiler_changed


@pytest.mark.parametrize("kind", list(FIELDS))
def test_facet_rollups_match_a_recount_from_both_sides(
    weekly: Comparison, weekly_sides: tuple[Snapshot, Snapshot], kind: RollupKind
) -> None:
    old, new = weekly_sides
    expected = list(facet_truth(old, new, kind))
    assert expected, kind
    for value, gained, lost, came, went in expected:
        rollup = find(weekly, kind, value)
        assert set(rollup.gained) == gained, value
        assert set(rollup.lost) == lost, value
        if kind is not RollupKind.STACK:  # a stack also counts specs moving within packages
            assert (rollup.specs_gained, rollup.specs_lost) == (came, went), value
    subjects = {value for value, *_ in expected}
    others = [r for r in weekly.rollups if r.kind is kind and r.subject not in subjects]
    if kind is RollupKind.STACK:
        # Stacks no package gained or lost: only specs moved in and out of them.
        assert all(not r.gained and not r.lost and r.specs for r in others)
    else:
        assert others == []


def test_stack_rollups_net_to_the_change_of_each_stack(
    weekly: Comparison, weekly_sides: tuple[Snapshot, Snapshot]
) -> None:
    old, new = weekly_sides
    before, after = stack_totals(old), stack_totals(new)
    net = {
        ("develop", r.subject): r.specs_gained - r.specs_lost
        for r in weekly.rollups
        if r.kind is RollupKind.STACK
    }
    keys = before.keys() | after.keys()
    changed = {k: after[k] - before[k] for k in keys if after[k] != before[k]}
    assert {k: v for k, v in net.items() if v} == changed
    assert changed[("develop", "data-vis-sdk")] == 28


def test_rollups_come_largest_first_and_only_name_changed_packages(weekly: Comparison) -> None:
    keys = [
        (-len(r.packages), -r.specs, KIND_ORDER.index(r.kind), r.subject) for r in weekly.rollups
    ]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    changed = {(c.tag, c.name) for c in weekly.packages}
    for rollup in weekly.rollups:
        assert set(rollup.packages) <= changed
        assert set(rollup.gained) | set(rollup.lost) <= set(rollup.packages)
        assert not set(rollup.gained) & set(rollup.lost)


def test_stack_deltas_without_a_full_read_match_totals(weekly_repo: GitRepoBuilder) -> None:
    repo = str(weekly_repo.path)
    fast = diff("HEAD~1", "HEAD", repo=repo)  # tree diff: only the files that differ
    full = diff("HEAD~1", "HEAD", repo=repo, full=True)
    assert fast.stack_counts is not None and full.stack_counts is not None
    assert not fast.stack_counts.complete
    assert full.stack_counts.complete
    before = stack_totals(snapshot("HEAD~1", repo=repo))
    after = stack_totals(snapshot("HEAD", repo=repo))
    assert {(r.tag, r.stack): (r.old, r.new) for r in full.stack_counts.rows} == {
        k: (before[k], after[k]) for k in before.keys() | after.keys()
    }
    assert {(r.tag, r.stack): r.delta for r in fast.stack_counts.rows} == {
        (r.tag, r.stack): r.delta for r in full.stack_counts.rows if r.delta
    }
    # The same comparison either way; and every file read agrees with its own meta.
    assert fast.packages == full.packages
    assert full.stack_counts.meta_checked == 68 + 72
    assert fast.stack_counts.mismatches == full.stack_counts.mismatches == ()


# ---- the release pair -----------------------------------------------------------------


def test_patch_release_rollups(releases: GitRepoBuilder) -> None:
    comparison = diff("HEAD", "HEAD", repo=str(releases.path), selection=RELEASES)
    three = {("v0.23.1", name) for name in ("gotcha", "libquo", "zfp")}
    stack = find(comparison, RollupKind.STACK, "e4s-cray-rhel")
    assert (set(stack.lost), stack.gained, stack.specs_lost, stack.specs_gained) == (
        three,
        (),
        3,
        0,
    )
    for kind, value in (
        (RollupKind.COMPILER, "cce@15.0.1"),
        (RollupKind.OS, "rhel8"),
        (RollupKind.TARGET, "zen4"),
    ):
        rollup = find(comparison, kind, value)
        assert (set(rollup.lost), rollup.specs_lost, rollup.gained) == (three, 3, ())
    root = find(comparison, RollupKind.STACK, "root")
    assert (root.lost, root.specs_lost, set(root.packages)) == ((), 3, three)
    assert len(comparison.rollups) == 5
    code, out, _ = run(
        "diff",
        "--repo",
        str(releases.path),
        "HEAD",
        "HEAD",
        "--old-tag",
        "v0.23.0",
        "--new-tag",
        "v0.23.1",
    )
    assert code == 0
    assert "  stack e4s-cray-rhel: lost 3 packages, lost 3 specs\n" in out
    assert "  target zen4: dropped by 3 packages (3 specs)\n" in out
    assert "  os rhel8: dropped by 3 packages (3 specs)\n" in out
    assert "  compiler cce@15.0.1: dropped by 3 packages (3 specs)\n" in out


def test_patch_release_stack_totals(releases: GitRepoBuilder) -> None:
    repo = str(releases.path)
    code, out, _ = run(
        "diff",
        "--repo",
        repo,
        "HEAD",
        "HEAD",
        "--old-tag",
        "v0.23.0",
        "--new-tag",
        "v0.23.1",
        "--totals",
        "--format",
        "json",
    )
    assert code == 0
    counts = json.loads(out)["stack_counts"]
    assert counts["complete"] is True
    rows = {r["stack"]: (r["old"], r["new"], r["delta"]) for r in counts["stacks"]}
    truth_old = stack_totals(snapshot("HEAD", repo=repo, selection=Selection(tag="v0.23.0")))
    truth_new = stack_totals(snapshot("HEAD", repo=repo, selection=Selection(tag="v0.23.1")))
    assert rows == {
        stack: (
            truth_old[("v0.23.0", stack)],
            truth_new[("v0.23.1", stack)],
            truth_new[("v0.23.1", stack)] - truth_old[("v0.23.0", stack)],
        )
        for _, stack in truth_old.keys() | truth_new.keys()
    }
    assert rows["e4s-cray-rhel"] == (3, 0, -3)
    assert rows["root"] == (123, 120, -3)
    assert counts["meta_checked"] == 60 and counts["meta_mismatches"] == []
    code, text, _ = run(
        "diff",
        "--repo",
        repo,
        "HEAD",
        "HEAD",
        "--old-tag",
        "v0.23.0",
        "--new-tag",
        "v0.23.1",
        "--totals",
    )
    assert "Specs per stack (totals over every package compared)" in text
    assert re.search(r"^  v0\.23\.1  e4s-cray-rhel +3 -> 0 +\(-3\)$", text, flags=re.M)
    assert re.search(r"^  v0\.23\.1  tutorial +7 -> 7 +\(0\)$", text, flags=re.M)


# ---- the cross-check with meta ------------------------------------------------------------


def test_meta_that_disagrees_is_reported(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    files = sample_tree("v0.23.0", as_tag="v1")
    repo.write(files)
    repo.commit("v1")
    path = "_cache/v1/zfp/specs.md"
    data = files[path].decode()
    # The same specs, and a meta line that counts the one cce spec twice.
    changed = data.replace('"e4s-cray-rhel": 1', '"e4s-cray-rhel": 2', 1)
    assert changed != data
    repo.write({path: changed.encode()})
    repo.commit("zfp: meta disagrees")
    comparison = diff("HEAD~1", "HEAD", repo=str(repo.path))
    assert comparison.packages == ()  # the specs did not change
    assert comparison.stack_counts is not None
    (mismatch,) = comparison.stack_counts.mismatches
    assert (mismatch.side.value, mismatch.path, mismatch.stack) == ("new", path, "e4s-cray-rhel")
    assert (mismatch.meta, mismatch.specs) == (2, 1)
    code, out, err = run("diff", "--repo", str(repo.path), "HEAD~1", "HEAD")
    assert code == 0  # a bookkeeping slip of the catalog, not a file that cannot be read
    assert "1 file disagrees" in out
    assert f"! new {path}: stack e4s-cray-rhel: meta says 2, spec_details have 1" in out
    assert err.startswith("catalog-diff: warning: meta.num_specs_by_stack disagrees")
    assert run("diff", "--repo", str(repo.path), "HEAD~1", "HEAD", "-q")[2] == ""


def test_snapshot_files_carry_no_meta(weekly: Comparison) -> None:
    assert weekly.stack_counts is not None
    assert weekly.stack_counts.meta_checked == 0
    assert not weekly.stack_counts.complete
    _, out, _ = run("diff", OLD_SNAPSHOT, NEW_SNAPSHOT)
    assert "Not checked against meta.num_specs_by_stack" in out


def test_a_broken_file_keeps_counts_incomplete(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    files = sample_tree("v0.23.1", as_tag="develop")
    repo.write(files)
    repo.commit("one")
    repo.write({"_cache/develop/zfp/specs.md": b"---\ntitle: zfp\n"})
    repo.commit("zfp broken")
    comparison = diff("HEAD~1", "HEAD", repo=str(repo.path), full=True)
    assert comparison.problems
    assert comparison.stack_counts is not None
    assert not comparison.stack_counts.complete
    # zfp is left out on both sides: no stack seems to lose its specs.
    assert comparison.stack_counts.rows == ()


def test_hash_matched_specs_moving_between_stacks() -> None:
    old = Spec("a" * 32, ("1",), "gcc@1", "os", "linux", "x86_64", (), ("e4s", "root"))
    new = Spec("a" * 32, ("1",), "gcc@1", "os", "linux", "x86_64", (), ("hep", "root"))
    before, after = Package("t", "p", "x", (old,)), Package("t", "p", "x", (new,))
    change = compare_packages("t", "p", before, after)
    assert change is not None
    by_subject = {r.subject: r for r in rollups([change])}
    assert set(by_subject) == {"e4s", "hep"}
    assert (by_subject["e4s"].specs_lost, by_subject["e4s"].lost) == (1, (("t", "p"),))
    assert (by_subject["hep"].specs_gained, by_subject["hep"].gained) == (1, (("t", "p"),))
