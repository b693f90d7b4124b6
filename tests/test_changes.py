"""The change kinds (model/changes.py, compare/kinds.py): every kind on the real samples
or on a minimal change to them, where it appears (JSON, text, Markdown, github, release
notes, --fail-on), and the README's catalogue kept in sync with the code."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from click.testing import CliRunner

from catalog_diff import api
from catalog_diff.cli import main
from catalog_diff.compare.aliases import NO_ALIASES
from catalog_diff.model.changes import CATALOGUE, SEVERITIES, Change, Severity, make, order_key
from catalog_diff.model.comparison import Comparison
from catalog_diff.model.selection import Selection
from gitrepo import GitRepoBuilder, sample_tree, write_tree

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "src/catalog_diff/schemas/diff.schema.json").read_text())
NOTES_SCHEMA = json.loads((ROOT / "src/catalog_diff/schemas/release-notes.schema.json").read_text())
W23, W30, W06 = "develop-2025-03-23", "develop-2025-03-30", "develop-2025-04-06"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def diff(folder: Path, old_tag: str, new_tag: str, **options: Any) -> Comparison:
    where = f"dir:{folder}"
    return api.diff(where, where, selection=Selection(old_tag=old_tag, new_tag=new_tag), **options)


def found(comparison: Comparison, code: str) -> list[Change]:
    return [c for c in comparison.changes if c.code == code]


def catalog(tmp_path: Path, files: dict[str, bytes], name: str = "cat") -> Path:
    folder = tmp_path / name
    write_tree(folder, files)
    return folder


def edit(data: bytes, key: str, change: Callable[[Any], Any]) -> bytes:
    """A package file with its ``meta`` or ``spec_details`` line changed."""
    lines = data.split(b"\n")
    i = next(n for n, line in enumerate(lines) if line.startswith(key.encode() + b": "))
    lines[i] = key.encode() + b": " + orjson.dumps(change(orjson.loads(lines[i][len(key) + 2 :])))
    return b"\n".join(lines)


def drop_stack(files: dict[str, bytes], stack: str) -> dict[str, bytes]:
    """The files with ``stack`` taken out of every spec and meta (specs stay, in root)."""
    out = {}
    for path, data in files.items():
        if f'"{stack}"'.encode() not in data:
            out[path] = data
            continue
        data = edit(
            data,
            "spec_details",
            lambda specs: [{**s, "stacks": [x for x in s["stacks"] if x != stack]} for s in specs],
        )
        data = edit(
            data,
            "meta",
            lambda m: {
                **m,
                "stacks": [x for x in m["stacks"] if x != stack],
                "num_specs_by_stack": {
                    k: v for k, v in m["num_specs_by_stack"].items() if k != stack
                },
            },
        )
        out[path] = data
    return out


def rename_stack(files: dict[str, bytes], old: str, new: str) -> dict[str, bytes]:
    """The files with stack ``old`` spelled ``new`` everywhere (specs and meta)."""
    return {p: d.replace(f'"{old}"'.encode(), f'"{new}"'.encode()) for p, d in files.items()}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two releases and the two weekly tags, as one catalog directory."""
    files: dict[str, bytes] = {}
    for tag in ("v0.23.0", "v0.23.1", W23, W30):
        files |= sample_tree(tag)
    return catalog(tmp_path_factory.mktemp("samples"), files)


# ---- the catalogue -----------------------------------------------------------------------


def test_the_readme_table_is_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Change kinds\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z-]+)` \| (\w+) \| (.+?) \| (.+) \|$", section, flags=re.M)
    assert rows == [(k.code, k.severity.value, k.meaning, k.template) for k in CATALOGUE.values()]
    for code in ("stack-removed", "stack-transient", "hole", "compiler-renamed"):
        assert code in CATALOGUE


def test_every_kind_is_in_the_schema() -> None:
    change = SCHEMA["properties"]["changes"]["items"]["properties"]
    assert change["code"]["enum"] == list(CATALOGUE)
    assert change["severity"]["enum"] == [s.value for s in SEVERITIES]
    notes = NOTES_SCHEMA["$defs"]["ImpactEntry"]["properties"]
    assert notes["code"]["enum"] == list(CATALOGUE)


def test_an_impact_line_is_the_template_filled() -> None:
    change = make("target-dropped", "v0.23.1", "zen4", stack="e4s-cray-rhel", value="zen4")
    assert change.impact == (
        "target zen4 dropped from stack e4s-cray-rhel: users on zen4 get no binaries "
        "from this stack and will build from source"
    )
    assert (change.severity, change.package, change.stack) == (
        Severity.WARNING,
        None,
        "e4s-cray-rhel",
    )
    assert Severity.BREAKING.rank > Severity.WARNING.rank > Severity.NOTICE.rank
    worse = make("stack-removed", "v0.23.1", "e4s", stack="e4s", specs="3 specs")
    assert sorted([change, worse], key=order_key) == [worse, change]


# ---- the release pair ----------------------------------------------------------------------

RELEASE_EXPECTED = {
    ("stack-removed", "e4s-cray-rhel", "e4s-cray-rhel"),
    ("target-dropped", "zen4", "e4s-cray-rhel"),
    ("target-dropped", "zen4", "root"),
    ("os-dropped", "rhel8", None),
    ("compiler-dropped", "cce@15.0.1", None),
}


def _wide(comparison: Comparison) -> set[tuple[str, str, str | None]]:
    return {(c.code, c.subject, c.stack) for c in comparison.changes if c.package is None}


def test_release_pair_says_why_the_cray_binaries_are_gone(samples: Path) -> None:
    comparison = diff(samples, "v0.23.0", "v0.23.1")
    assert _wide(comparison) == RELEASE_EXPECTED
    first = comparison.changes[0]
    assert (first.code, first.severity, first.tag) == (
        "stack-removed",
        Severity.BREAKING,
        "v0.23.1",
    )
    assert first.impact == (
        "stack e4s-cray-rhel removed (3 specs): its users get no binaries from this stack "
        "and will build from source"
    )
    impacts = {c.code: c.impact for c in comparison.changes}
    assert impacts["os-dropped"] == (
        "operating system rhel8 dropped: users on rhel8 get no binaries from this tag and "
        "will build from source"
    )
    assert "compiler cce@15.0.1 dropped" in impacts["compiler-dropped"]
    removed = found(comparison, "spec-removed")
    assert [(c.package, c.stack) for c in removed] == [
        ("gotcha", None),
        ("libquo", None),
        ("zfp", None),
    ]
    assert removed[2].subject == "zfp@0.5.5 %cce@15.0.1 arch=linux-rhel8-zen4"
    assert all(c.impact for c in comparison.changes)


def test_release_pair_in_git_read_in_part_or_whole_gives_the_same_changes(
    releases: GitRepoBuilder,
) -> None:
    args = ("diff", "--repo", str(releases.path), "HEAD", "HEAD", "--old-tag", "v0.23.0")
    args += ("--new-tag", "v0.23.1", "--format", "json")
    code, out, err = run(*args)
    assert (code, err) == (0, "")
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    assert data["stack_counts"]["complete"] is False  # only the files that differ were read
    whole = json.loads(run(*args, "--totals")[1])
    assert whole["stack_counts"]["complete"] is True
    assert data["changes"] == whole["changes"]
    wide = {(c["code"], c["subject"], c["stack"]) for c in data["changes"] if c["package"] is None}
    assert wide == RELEASE_EXPECTED
    assert data["changes"][0] == {
        "code": "stack-removed",
        "severity": "breaking",
        "tag": "v0.23.1",
        "package": None,
        "subject": "e4s-cray-rhel",
        "stack": "e4s-cray-rhel",
        "impact": "stack e4s-cray-rhel removed (3 specs): its users get no binaries from "
        "this stack and will build from source",
    }


def test_the_reverse_release_pair_adds_the_stack_and_its_target(samples: Path) -> None:
    comparison = diff(samples, "v0.23.1", "v0.23.0")
    wide = {(c.code, c.subject, c.stack) for c in comparison.changes if c.package is None}
    assert ("stack-added", "e4s-cray-rhel", "e4s-cray-rhel") in wide
    assert ("target-added", "zen4", "e4s-cray-rhel") in wide
    assert not [c for c in comparison.changes if c.severity.rank >= Severity.WARNING.rank]
    assert [c.package for c in found(comparison, "spec-added")] == ["gotcha", "libquo", "zfp"]


def test_a_stack_still_listed_in_tags_yaml_is_empty_not_removed(tmp_path: Path) -> None:
    files = sample_tree("v0.23.0") | sample_tree("v0.23.1")
    listed = b"- name: v0.23.1\n  stacks:\n  - e4s\n  - e4s-cray-rhel\n  - root\n"
    folder = catalog(tmp_path, files | {"_data/tags.yaml": listed})
    comparison = diff(folder, "v0.23.0", "v0.23.1")
    (empty,) = found(comparison, "stack-empty")
    assert (empty.subject, empty.severity) == ("e4s-cray-rhel", Severity.WARNING)
    assert "is listed for the tag but has no specs (3 specs before)" in empty.impact
    assert not found(comparison, "stack-removed")
    assert ("target-dropped", "zen4", "e4s-cray-rhel") in _wide(comparison)


def test_a_tags_yaml_that_cannot_be_read_is_a_warning(tmp_path: Path) -> None:
    files = sample_tree("v0.23.0") | sample_tree("v0.23.1")
    folder = catalog(tmp_path, files | {"_data/tags.yaml": b"- name: &a x\n- name: *a\n"})
    code, out, err = run(
        "diff", f"dir:{folder}", f"dir:{folder}", "--old-tag", "v0.23.0", "--new-tag", "v0.23.1"
    )
    assert code == 0
    assert err.startswith("catalog-diff: warning: ")
    assert "_data/tags.yaml" in err and err.count("\n") == 1
    assert "stack-removed (v0.23.1)" in out


def test_a_renamed_stack_is_renamed(tmp_path: Path) -> None:
    new = rename_stack(sample_tree("v0.23.1"), "e4s-neoverse_v1", "e4s-neoverse-v1")
    folder = catalog(tmp_path, sample_tree("v0.23.0") | new)
    comparison = diff(folder, "v0.23.0", "v0.23.1")
    (renamed,) = found(comparison, "stack-renamed")
    assert renamed.subject == "e4s-neoverse_v1 -> e4s-neoverse-v1"
    assert renamed.impact.startswith("stack e4s-neoverse_v1 is now e4s-neoverse-v1 (")
    stacks = {c.stack for c in comparison.changes if c.code in ("stack-added", "stack-removed")}
    assert stacks == {"e4s-cray-rhel"}


# ---- the weekly pair ---------------------------------------------------------------------------


def test_weekly_pair_reports_the_data_vis_sdk_gains_as_additions(samples: Path) -> None:
    comparison = diff(samples, W23, W30)
    jsonschema.validate(json.loads(api_json(comparison)), SCHEMA)
    added = {c.package: c for c in found(comparison, "spec-added")}
    for name in ("bdftopcf", "c-blosc", "cairo", "cli11", "ecp-data-vis-sdk", "qt", "vtk"):
        assert "data-vis-sdk" in added[name].impact, name
        assert added[name].severity is Severity.INFO
    assert (
        "6 specs of ecp-data-vis-sdk added, stacks data-vis-sdk ("
        in added["ecp-data-vis-sdk"].impact
    )
    new = {c.package for c in found(comparison, "package-added")}
    assert new == {"compiler-wrapper", "embree", "qwt", "sensei"}
    assert not [c for c in comparison.changes if c.stack == "data-vis-sdk"]
    assert ("target-added", "neoverse_v2", "radiuss-aws-aarch64") in _wide(comparison)
    up = {c.package: c.subject for c in found(comparison, "version-upgraded")}
    assert up == {"hdf5": "1.14.5 -> 1.14.6", "kokkos": "4.3.01 -> 4.5.01"}
    rebuilt = {c.package: c.subject for c in found(comparison, "spec-rebuilt")}
    assert rebuilt["bc"] == "2 specs"
    removed = {c.package for c in found(comparison, "spec-removed")}
    assert {"gcc", "llvm", "libcatalyst"} <= removed


def test_the_reverse_weekly_pair_removes_packages_and_downgrades(samples: Path) -> None:
    comparison = diff(samples, W30, W23)
    gone = {c.package for c in found(comparison, "package-removed")}
    assert gone == {"compiler-wrapper", "embree", "qwt", "sensei"}
    down = {c.package: c for c in found(comparison, "version-downgraded")}
    assert down["hdf5"].subject == "1.14.6 -> 1.14.5"
    assert down["hdf5"].severity is Severity.WARNING
    assert "users pinned to 1.14.6 build from source" in down["hdf5"].impact


def test_a_version_equal_in_spack_order_is_changed(tmp_path: Path) -> None:
    bc = f"_cache/{W30}/bc/specs.md"
    old = sample_tree(W30)
    new_bc = edit(
        old[bc],
        "spec_details",
        lambda specs: (
            [{**s, "versions": ["1.7.1"], "hash": "a" * 32} for s in specs[:1]] + specs[1:]
        ),
    )
    folder = catalog(tmp_path, {bc: old[bc]}, "old")
    other = catalog(tmp_path, {bc: new_bc}, "new")
    comparison = api.diff(f"dir:{folder}", f"dir:{other}")
    (changed,) = found(comparison, "version-changed")
    assert (changed.package, changed.subject) == ("bc", "1.07.1 -> 1.7.1")
    assert changed.severity is Severity.NOTICE


# ---- transient absences ----------------------------------------------------------------------


def _weeks(tmp_path: Path, *, later: bool = True) -> Path:
    """03-23 and 03-30 as saved, but build_systems missing from 03-30; 04-06 (a copy of
    the real 03-30) has it again."""
    files = sample_tree(W23) | drop_stack(sample_tree(W30), "build_systems")
    if later:
        files |= sample_tree(W30, as_tag=W06)
    return catalog(tmp_path, files)


def test_a_stack_missing_for_one_weekly_tag_is_transient(tmp_path: Path) -> None:
    folder = _weeks(tmp_path)
    comparison = diff(folder, W23, W30)
    (transient,) = found(comparison, "stack-transient")
    assert (transient.subject, transient.severity) == ("build_systems", Severity.NOTICE)
    assert f"present in {W23} and {W06}" in transient.impact
    assert not [c for c in comparison.changes if c.stack == "build_systems" and c is not transient]
    # Back in the next tag: the return is transient too, not an addition.
    back = diff(folder, W30, W06)
    assert [c.subject for c in found(back, "stack-transient")] == ["build_systems"]
    assert not found(back, "stack-added")


def test_without_the_tag_after_it_the_stack_is_removed(tmp_path: Path) -> None:
    comparison = diff(_weeks(tmp_path, later=False), W23, W30)
    assert [c.subject for c in found(comparison, "stack-removed")] == ["build_systems"]
    assert not found(comparison, "stack-transient")


def test_the_transient_window_counts_weekly_tags(tmp_path: Path) -> None:
    files = sample_tree(W23) | drop_stack(sample_tree(W30), "build_systems")
    gap = "develop-2025-04-06"
    files |= drop_stack(sample_tree(W30, as_tag=gap), "build_systems")
    files |= sample_tree(W30, as_tag="develop-2025-04-13")
    folder = catalog(tmp_path, files)
    narrow = diff(folder, W23, W30)
    assert [c.subject for c in found(narrow, "stack-removed")] == ["build_systems"]
    wider = diff(folder, W23, W30, transient_window=2)
    assert [c.subject for c in found(wider, "stack-transient")] == ["build_systems"]
    code, _, err = run("diff", f"dir:{folder}", f"dir:{folder}", "--transient-window", "0")
    assert code == 2 and "--transient-window must be at least 1" in err


# ---- holes ---------------------------------------------------------------------------------


def _holed(files: dict[str, bytes]) -> dict[str, bytes]:
    bc = f"_cache/{W30}/bc/specs.md"
    out = dict(files)
    out[bc] = edit(
        edit(
            files[bc],
            "spec_details",
            lambda specs: [{**specs[0], "stacks": ["e4s", "tutorial"]}, *specs[1:]],
        ),
        "meta",
        lambda m: {**m, "num_specs_by_stack": {**m["num_specs_by_stack"], "root": 1}},
    )
    return out


def test_diff_reports_new_and_fixed_holes(tmp_path: Path) -> None:
    real = catalog(tmp_path, sample_tree(W30), "real")
    holed = catalog(tmp_path, _holed(sample_tree(W30)), "holed")
    made = api.diff(f"dir:{real}", f"dir:{holed}")
    (hole,) = found(made, "hole")
    assert (hole.package, hole.severity) == ("bc", Severity.WARNING)
    assert hole.subject == (
        "bc@1.07.1 %gcc@11.4.0 arch=linux-ubuntu22.04-x86_64_v3 /6t6pwe5 is in e4s, "
        "tutorial but not in root"
    )
    assert "users of the top-level mirror build it from source" in hole.impact
    fixed = api.diff(f"dir:{holed}", f"dir:{real}")
    assert [(c.code, c.package) for c in fixed.changes if "hole" in c.code] == [
        ("hole-fixed", "bc")
    ]
    code, out, _ = run("lint", str(holed), "--format", "json")
    assert code == 1
    assert [f["package"] for f in json.loads(out)["findings"] if f["code"] == "hole"] == ["bc"]


# ---- where the changes appear -------------------------------------------------------------------


def api_json(comparison: Comparison) -> str:
    from catalog_diff.render import render

    return render(comparison, "json")


@pytest.mark.parametrize("fmt", ["text", "markdown", "github"])
def test_human_reports_list_changes_by_severity_before_packages(samples: Path, fmt: str) -> None:
    args = ("diff", f"dir:{samples}", f"dir:{samples}", "--old-tag", "v0.23.0")
    code, out, err = run(*args, "--new-tag", "v0.23.1", "--format", fmt)
    assert (code, err) == (0, "")
    start = out.index("Changes by severity")
    first = out.index("stack-removed", start)
    assert first < out.index("target-dropped", start) < out.index("spec-removed", start)
    assert start < out.index("gotcha")  # before the per-package detail
    assert "e4s-cray-rhel removed (3 specs)" in out


def test_fail_on_takes_kinds_and_severities(samples: Path) -> None:
    args = ("diff", f"dir:{samples}", f"dir:{samples}", "--old-tag", "v0.23.0", "--new-tag")
    args += ("v0.23.1", "--format", "json")
    for gate, tripped in (
        ("breaking", True),
        ("warning:>5", False),
        ("warning:>=5", True),
        ("stack-removed:e4s*", True),
        ("stack-removed:e4s", False),  # a pattern matches whole names
        ("target-dropped:zen4", True),
        ("version-downgraded", False),
    ):
        code, out, err = run(*args, "--fail-on", gate)
        (result,) = json.loads(out)["gates"]
        assert result["tripped"] is tripped, (gate, result)
        assert code == (1 if tripped else 0), gate
        if tripped:
            assert err.startswith(f"catalog-diff: gate tripped: {gate}: ")
    _, out, _ = run(*args, "--fail-on", "breaking")
    assert json.loads(out)["gates"][0]["reason"] == (
        "breaking: 1 change breaking: stack-removed e4s-cray-rhel (v0.23.1)"
    )
    code, _, err = run(*args, "--fail-on", "stack-gone")
    assert code == 2 and "unknown condition 'stack-gone'" in err


def test_release_notes_say_what_this_means_for_users(samples: Path) -> None:
    code, out, err = run(
        "release-notes", "v0.23.0", "v0.23.1", "--repo", str(samples), "--rev", f"dir:{samples}"
    )
    assert (code, err) == (0, ""), err
    section = out.split("## What this means for users\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line]
    assert lines[0] == (
        "- **breaking** `stack-removed`: stack e4s-cray-rhel removed (3 specs): its users get "
        "no binaries from this stack and will build from source"
    )
    assert len(lines) == 8
    code, out, _ = run(
        "release-notes", "v0.23.0", "v0.23.1", "--rev", f"dir:{samples}", "--format", "json"
    )
    data = json.loads(out)
    jsonschema.validate(data, NOTES_SCHEMA)
    assert [i["code"] for i in data["impacts"]][:2] == ["stack-removed", "target-dropped"]


def test_a_stack_is_gone_only_if_no_file_left_unread_has_it(tmp_path: Path) -> None:
    """Two commits of develop: the release files, then gotcha and libquo (and in the
    second repository zfp too) as v0.23.1 has them. The comparison reads only the files
    that differ; zfp, unread, still holds the e4s-cray-rhel spec in the first one."""
    old = sample_tree("v0.23.0", as_tag="develop")
    new = sample_tree("v0.23.1", as_tag="develop")
    for name, changed in (("two", ("gotcha", "libquo")), ("three", ("gotcha", "libquo", "zfp"))):
        repo = GitRepoBuilder(tmp_path / name)
        repo.write(old)
        repo.commit("release files", date="2025-03-23T06:00:00+00:00")
        repo.write(
            {f"_cache/develop/{p}/specs.md": new[f"_cache/develop/{p}/specs.md"] for p in changed}
        )
        repo.commit("cray specs gone", date="2025-03-30T06:00:00+00:00")
        comparison = api.diff("HEAD~1", "HEAD", repo=str(repo.path))
        assert comparison.stack_counts is not None
        assert not comparison.stack_counts.complete
        assert {c.name for c in comparison.packages} == set(changed)
        wide = _wide(comparison)
        if name == "two":
            assert wide == set(), wide  # zfp keeps the stack, its target, os and compiler
        else:
            assert wide == RELEASE_EXPECTED


def test_a_compiler_rename_is_renamed_not_dropped(samples: Path) -> None:
    """The weekly pair with its oneapi -> intel-oneapi-compilers and clang -> llvm pairs
    recorded as renames (as compiler aliases pair them): compiler-renamed, and the old
    spellings are not compiler-dropped."""
    from dataclasses import dataclass, replace

    from catalog_diff.compare.census import censuses
    from catalog_diff.compare.kinds import classify
    from catalog_diff.model.comparison import SpecPair
    from catalog_diff.sources.load import Sources, load

    @dataclass(frozen=True, slots=True)
    class Renamed(SpecPair):
        compiler_renamed: bool = True

    aliases = {"oneapi": "intel-oneapi-compilers", "clang": "llvm"}

    def alias(pair: SpecPair) -> bool:
        old_name, _, old_version = pair.old.compiler.partition("@")
        return aliases.get(old_name) and pair.new.compiler == f"{aliases[old_name]}@{old_version}"

    comparison = diff(samples, W23, W30, aliases=NO_ALIASES)  # raw: the renames made below
    packages = []
    for change in comparison.packages:
        specs = change.specs
        moved = [p for p in specs.compiler_changed if alias(p)]
        specs = replace(
            specs,
            rebuilt=specs.rebuilt + tuple(Renamed(p.old, p.new) for p in moved),
            compiler_changed=tuple(p for p in specs.compiler_changed if p not in moved),
        )
        packages.append(replace(change, specs=specs))
    renamed = replace(comparison, packages=tuple(packages))
    with Sources(".") as sources:
        old = load(sources.open(f"dir:{samples}"), Selection(tag=W23))
        new = load(sources.open(f"dir:{samples}"), Selection(tag=W30))
    old = replace(old, packages={(W30, n): p for (_, n), p in old.packages.items()})
    changes = classify(renamed, censuses(old, [W30]), censuses(new, [W30]))
    subjects = {c.subject: c for c in changes if c.code == "compiler-renamed"}
    assert set(subjects) == {
        "clang@14.0.0 -> llvm@14.0.0",
        "oneapi@2024.1.0 -> intel-oneapi-compilers@2024.1.0",
        "oneapi@2024.2.1 -> intel-oneapi-compilers@2024.2.1",
    }
    oneapi = subjects["oneapi@2024.2.1 -> intel-oneapi-compilers@2024.2.1"]
    assert (oneapi.severity, oneapi.package, oneapi.tag) == (Severity.INFO, None, W30)
    assert oneapi.impact.startswith(
        "compiler oneapi@2024.2.1 is now spelled intel-oneapi-compilers@2024.2.1 ("
    )
    assert not [c for c in changes if c.code == "compiler-dropped"]
    # Without the renames, the same comparison says the old spellings were dropped.
    dropped = {c.subject for c in comparison.changes if c.code == "compiler-dropped"}
    assert dropped == {"clang@14.0.0", "oneapi@2024.1.0", "oneapi@2024.2.1"}


def test_weekly_release_notes_tell_a_transient_stack(tmp_path: Path) -> None:
    folder = _weeks(tmp_path)
    code, out, err = run("release-notes", W23, W30, "--rev", f"dir:{folder}")
    assert (code, err) == (0, ""), err
    section = out.split("## What this means for users\n", 1)[1].split("\n## ", 1)[0]
    assert (
        "- **notice** `stack-transient`: stack build_systems is missing from this tag but "
        f"present in {W23} and {W06}: a failed pipeline rather than a removal"
    ) in section
    assert "stack-removed" not in section


def test_log_carries_the_package_kinds_of_each_commit(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree(W23, as_tag="develop"))
    repo.commit("week 12", date="2025-03-23T06:00:00+00:00")
    repo.delete(sample_tree(W23, as_tag="develop"))
    repo.write(sample_tree(W30, as_tag="develop"))
    repo.commit("week 13", date="2025-03-30T06:00:00+00:00")
    index = str(tmp_path / "index.sqlite")
    # The raw view in both (test_aliases.py compares log and diff with aliases).
    where = ("--repo", str(repo.path), "--index", index, "--no-aliases")
    code, out, err = run("log", *where, "--format", "json")
    assert (code, err.count("\n") <= 2) == (0, True), err
    data = json.loads(out)
    schema = json.loads((ROOT / "src/catalog_diff/schemas/log.schema.json").read_text())
    jsonschema.validate(data, schema)
    newest, first = data["commits"]
    added = {c["package"] for c in newest["changes"] if c["code"] == "package-added"}
    assert added == {"compiler-wrapper", "embree", "qwt", "sensei"}
    up = {c["package"]: c["subject"] for c in newest["changes"] if c["code"] == "version-upgraded"}
    assert up == {"hdf5": "1.14.5 -> 1.14.6", "kokkos": "4.3.01 -> 4.5.01"}
    # Per commit, the catalog-wide kinds too, judged on the whole tag as diff judges them.
    wide = sorted((c["code"], c["subject"]) for c in newest["changes"] if c["package"] is None)
    revs = (first["commit"], newest["commit"], "--repo", str(repo.path), "--no-aliases")
    code, out, err = run("diff", *revs, "--format", "json")
    assert code == 0, err
    diffed = json.loads(out)["changes"]
    assert wide == sorted((c["code"], c["subject"]) for c in diffed if c["package"] is None)
    # The first commit adds the tag: counted, not expanded into packages (nor kinds).
    assert ([t["tag"] for t in first["tags"]["added"]], first["changes"]) == (["develop"], [])


def test_history_carries_the_kinds_of_each_event(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree(W23, as_tag="develop"))
    repo.commit("week 12", date="2025-03-23T06:00:00+00:00")
    repo.delete(sample_tree(W23, as_tag="develop"))
    repo.write(sample_tree(W30, as_tag="develop"))
    repo.commit("week 13", date="2025-03-30T06:00:00+00:00")
    index = str(tmp_path / "index.sqlite")
    args = ("history", "hdf5", "--repo", str(repo.path), "--index", index, "--format", "json")
    code, out, err = run(*args)
    assert code == 0, err
    data = json.loads(out)
    schema = json.loads((ROOT / "src/catalog_diff/schemas/history.schema.json").read_text())
    jsonschema.validate(data, schema)
    first, second = data["events"]
    assert [c["code"] for c in first["changes"]] == ["package-added"]
    kinds = {c["code"]: c for c in second["changes"]}
    assert kinds["version-upgraded"]["subject"] == "1.14.5 -> 1.14.6"
    assert {"spec-removed", "spec-added", "spec-rebuilt"} <= set(kinds)
    assert [c["severity"] for c in second["changes"]] == sorted(
        (c["severity"] for c in second["changes"]),
        key=["breaking", "warning", "notice", "info"].index,
    )


def test_weekly_pair_with_aliases_reads_renames_as_renames(samples: Path) -> None:
    """The command line pairs compilers by Spack's aliases: the oneapi and clang renames
    are compiler-renamed, and no old spelling is compiler-dropped."""
    args = ("diff", f"dir:{samples}", f"dir:{samples}", "--old-tag", W23, "--new-tag", W30)
    code, out, err = run(*args, "--format", "json")
    assert (code, err) == (0, ""), err
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    renamed = {c["subject"] for c in data["changes"] if c["code"] == "compiler-renamed"}
    assert {
        "clang@14.0.0 -> llvm@14.0.0",
        "oneapi@2024.1.0 -> intel-oneapi-compilers@2024.1.0",
        "oneapi@2024.2.1 -> intel-oneapi-compilers@2024.2.1",
    } <= renamed
    assert not [c for c in data["changes"] if c["code"] == "compiler-dropped"]
    raw = json.loads(run(*args, "--format", "json", "--no-aliases")[1])
    dropped = {c["subject"] for c in raw["changes"] if c["code"] == "compiler-dropped"}
    assert dropped == {"clang@14.0.0", "oneapi@2024.1.0", "oneapi@2024.2.1"}
