"""compare: pairing specs, package changes and whole snapshots, on hand-built and real data."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_diff.compare.aliases import NO_ALIASES
from catalog_diff.compare.pairing import (
    TIERS,
    _by_hash,
    _compare_specs,
    compare,
    compare_packages,
    compare_specs,
    facet_values,
)
from catalog_diff.layout import classify
from catalog_diff.model.comparison import (
    FieldChange,
    FieldsChange,
    PackageStatus,
    SetDelta,
    Side,
    SpecChanges,
    SpecPair,
    StacksChange,
)
from catalog_diff.model.snapshot import (
    BUILD_FIELDS,
    FACETS,
    Package,
    Problem,
    Snapshot,
    SourceInfo,
    SourceKind,
    Spec,
)
from catalog_diff.parse.package import parse_package
from catalog_diff.sources.load import Selection, Sources, load_pair
from checks import assert_accounted, kinds
from gitrepo import SAMPLES, sample_tree, write_tree


def spec(
    hash: str,
    *,
    versions: Sequence[str] = ("1.0",),
    compiler: str = "gcc@11.4.0",
    os: str = "ubuntu22.04",
    platform: str = "linux",
    target: str = "x86_64_v3",
    variants: Iterable[str] = ("build_system=cmake",),
    stacks: Iterable[str] = ("root",),
) -> Spec:
    return Spec(
        hash=hash,
        versions=tuple(sorted(set(versions))),
        compiler=compiler,
        os=os,
        platform=platform,
        target=target,
        variants=tuple(sorted(set(variants))),
        stacks=tuple(sorted(set(stacks))),
    )


def package(specs: Iterable[Spec], name: str = "p", tag: str = "t") -> Package:
    return Package(
        tag=tag,
        name=name,
        path=f"_cache/{tag}/{name}/specs.md",
        specs=tuple(sorted(specs, key=lambda s: s.hash)),
    )


def snapshot(
    packages: Iterable[Package],
    *,
    tags: Iterable[str] | None = None,
    label: str = "snap",
    problems: Iterable[Problem] = (),
    broken: Iterable[tuple[str, str]] = (),
) -> Snapshot:
    by_key = {(p.tag, p.name): p for p in packages}
    return Snapshot(
        info=SourceInfo(kind=SourceKind.DIRECTORY, source=label),
        packages=by_key,
        tags=frozenset(tags if tags is not None else {t for t, _ in by_key}),
        problems=tuple(problems),
        broken=frozenset(broken),
    )


# ---- one package's specs -------------------------------------------------------------


def test_same_hash_stacks_change() -> None:
    old = [spec("h1", stacks=("root", "e4s", "tutorial"))]
    new = [spec("h1", stacks=("root", "e4s-oneapi", "tutorial"))]
    changes = compare_specs(old, new)
    assert changes.stacks_changed == (StacksChange("h1", ("e4s-oneapi",), ("e4s",)),)
    assert kinds(changes) == {"stacks_changed": 1}
    change = compare_packages("t", "p", package(old), package(new))
    assert change is not None
    assert change.status is PackageStatus.CHANGED
    assert change.facet("stacks") == SetDelta(("e4s-oneapi",), ("e4s",))
    assert not change.facet("compilers")


def test_same_hash_variants_change_names_the_field() -> None:
    old = [spec("h1", variants=("+new_strategies", "+pic"))]
    new = [spec("h1", variants=("~new_strategies", "+pic"))]
    changes = compare_specs(old, new)
    assert changes.fields_changed == (
        FieldsChange(
            "h1",
            (FieldChange("variants", ["+new_strategies", "+pic"], ["+pic", "~new_strategies"]),),
        ),
    )
    assert kinds(changes) == {"fields_changed": 1}


def test_same_hash_several_fields_change_in_field_order() -> None:
    old = [spec("h1", versions=("1.0",), compiler="gcc@11.4.0", target="x86_64_v3")]
    new = [spec("h1", versions=("1.1",), compiler="gcc@12.3.0", target="x86_64_v3")]
    (change,) = compare_specs(old, new).fields_changed
    assert change.fields == (
        FieldChange("versions", ["1.0"], ["1.1"]),
        FieldChange("compiler", "gcc@11.4.0", "gcc@12.3.0"),
    )


def test_same_hash_stacks_and_fields_change_together() -> None:
    old = [spec("h1", os="rhel8", stacks=("root",))]
    new = [spec("h1", os="rhel9", stacks=("root", "e4s"))]
    changes = compare_specs(old, new)
    assert changes.stacks_changed == (StacksChange("h1", ("e4s",), ()),)
    assert changes.fields_changed == (FieldsChange("h1", (FieldChange("os", "rhel8", "rhel9"),)),)


def test_identical_specs_give_nothing() -> None:
    specs = [spec("h1"), spec("h2", target="neoverse_v2")]
    assert not compare_specs(specs, list(reversed(specs)))
    assert compare_packages("t", "p", package(specs), package(specs)) is None


def test_rebuilt_is_a_new_hash_for_the_same_build() -> None:
    changes = compare_specs([spec("old1")], [spec("new1")])
    assert changes.rebuilt == (SpecPair(spec("old1"), spec("new1")),)
    assert kinds(changes) == {"rebuilt": 1}


def test_rebuilt_ignores_stacks() -> None:
    changes = compare_specs([spec("a", stacks=("root",))], [spec("b", stacks=("root", "hep"))])
    assert [(p.old.hash, p.new.hash) for p in changes.rebuilt] == [("a", "b")]


def test_compiler_changed() -> None:
    old = [spec("a", compiler="oneapi@2024.2.1")]
    new = [spec("b", compiler="intel-oneapi-compilers@2024.2.1")]
    changes = compare_specs(old, new)
    assert changes.compiler_changed == (SpecPair(old[0], new[0]),)
    assert kinds(changes) == {"compiler_changed": 1}


def test_compiler_changed_from_parsed_raw_spellings() -> None:
    def one(compiler: str, hash: str) -> Spec:
        text = json.dumps(
            [
                {
                    "compiler": compiler,
                    "hash": hash,
                    "os": "ubuntu22.04",
                    "platform": "linux",
                    "stacks": ["root"],
                    "target": "x86_64_v3",
                    "variants": [],
                    "versions": ["1"],
                }
            ]
        )
        return parse_package(f"---\nspec_details: {text}\n---".encode(), "t", "p", "x").specs[0]

    old, new = one("oneapi@=2024.2.1", "a"), one("intel-oneapi-compilers@2024.2.1", "b")
    assert compare_specs([old], [new]).compiler_changed == (SpecPair(old, new),)
    same = one("gcc@=11.4.0", "c"), one("gcc@11.4.0", "d")
    assert compare_specs([same[0]], [same[1]]).rebuilt == (SpecPair(*same),)


def test_version_changed() -> None:
    old, new = spec("a", versions=("1.14.5",)), spec("b", versions=("1.14.6",))
    changes = compare_specs([old], [new])
    assert changes.version_changed == (SpecPair(old, new),)
    assert kinds(changes) == {"version_changed": 1}


def test_two_fields_changed_is_added_and_removed() -> None:
    old = spec("a", versions=("1",), compiler="gcc@1")
    new = spec("b", versions=("2",), compiler="gcc@2")
    changes = compare_specs([old], [new])
    assert (changes.removed, changes.added) == ((old,), (new,))
    assert kinds(changes) == {"added": 1, "removed": 1}


def test_variant_change_with_new_hash_is_added_and_removed() -> None:
    old, new = spec("a", variants=("+x",)), spec("b", variants=("~x",))
    assert kinds(compare_specs([old], [new])) == {"added": 1, "removed": 1}


@pytest.mark.parametrize("order", ["as is", "reversed"])
def test_a_spec_that_could_be_rebuilt_is_never_compiler_changed(order: str) -> None:
    old = [spec("m", compiler="gcc@11")]
    # The compiler-changed candidate sorts first by hash, by stacks and in the list.
    new = [spec("a", compiler="gcc@12"), spec("z", compiler="gcc@11", stacks=("root", "x"))]
    if order == "reversed":
        new.reverse()
    changes = compare_specs(old, new)
    assert [(p.old.hash, p.new.hash) for p in changes.rebuilt] == [("m", "z")]
    assert changes.compiler_changed == ()
    assert [s.hash for s in changes.added] == ["a"]


def test_a_spec_that_could_be_compiler_changed_is_never_version_changed() -> None:
    old = [spec("m", compiler="gcc@11", versions=("1.0",))]
    new = [spec("a", compiler="gcc@11", versions=("2.0",)), spec("z", compiler="gcc@12")]
    changes = compare_specs(old, new)
    assert [(p.old.hash, p.new.hash) for p in changes.compiler_changed] == [("m", "z")]
    assert changes.version_changed == ()
    assert [s.hash for s in changes.added] == ["a"]


def test_duplicates_are_paired_as_a_multiset() -> None:
    # Specs identical but for the hash occur in real files (camp has two such specs).
    old = [spec(f"o{i}") for i in range(3)]
    new = [spec(f"n{i}") for i in range(2)]
    changes = compare_specs(old, new)
    assert len(changes.rebuilt) == 2
    assert len(changes.removed) == 1
    assert changes.added == ()
    assert_accounted(old, new, changes)
    swapped = compare_specs(new, old)
    assert len(swapped.rebuilt) == 2
    assert len(swapped.added) == 1


def test_duplicates_pair_same_stacks_first() -> None:
    old = [spec("a", stacks=("root", "s1")), spec("b", stacks=("root", "s2"))]
    new = [spec("c", stacks=("root", "s2")), spec("d", stacks=("root", "s3"))]
    changes = compare_specs(old, new)
    assert sorted((p.old.hash, p.new.hash) for p in changes.rebuilt) == [("a", "d"), ("b", "c")]


def test_leftovers_are_added_and_removed() -> None:
    old = [spec("a", target="ppc64le"), spec("b", target="zen4", os="rhel8", compiler="cce@15")]
    new = [
        spec("c", target="aarch64", os="amzn2", compiler="gcc@7.3.1"),
        spec("a2", target="ppc64le"),
    ]
    changes = compare_specs(old, new)
    assert [s.hash for s in changes.removed] == ["b"]
    assert [s.hash for s in changes.added] == ["c"]
    assert [(p.old.hash, p.new.hash) for p in changes.rebuilt] == [("a", "a2")]


def test_facets() -> None:
    old = [spec("a", target="zen4", os="rhel8", compiler="cce@15.0.1", stacks=("root", "cray"))]
    old.append(spec("b"))
    new = [spec("b"), spec("c", versions=("2.0",), platform="darwin", os="sequoia")]
    change = compare_packages("t", "p", package(old), package(new))
    assert change is not None
    assert dict(change.facets).keys() == set(FACETS)
    assert [name for name, _ in change.facets] == list(FACETS)
    assert change.facet("targets") == SetDelta((), ("zen4",))
    assert change.facet("stacks") == SetDelta((), ("cray",))
    assert change.facet("compilers") == SetDelta((), ("cce@15.0.1",))
    assert change.facet("versions") == SetDelta(("2.0",), ())
    assert change.facet("oss") == SetDelta(("sequoia",), ("rhel8",))
    assert change.facet("platforms") == SetDelta(("darwin",), ())


@pytest.mark.parametrize(
    ("facet", "values"),
    [
        ("targets", {"x86_64_v3", "zen4"}),
        ("stacks", {"root", "e4s"}),
        ("compilers", {"gcc@11.4.0"}),
        ("versions", {"1.0", "2.0"}),
        ("oss", {"ubuntu22.04"}),
        ("platforms", {"linux"}),
    ],
)
def test_facet_values(facet: str, values: set[str]) -> None:
    specs = [spec("a", target="zen4", stacks=("root", "e4s")), spec("b", versions=("1.0", "2.0"))]
    assert facet_values(specs, facet) == values


def test_facet_values_rejects_unknown_facet() -> None:
    with pytest.raises(ValueError, match="unknown facet"):
        facet_values([spec("a")], "colour")


def test_package_added_removed_changed() -> None:
    specs = [spec("a"), spec("b", target="zen4")]
    added = compare_packages("t", "p", None, package(specs))
    assert added is not None
    assert added.status is PackageStatus.ADDED
    assert added.specs.added == tuple(sorted(specs, key=lambda s: s.hash))
    assert added.facet("targets") == SetDelta(("x86_64_v3", "zen4"), ())
    assert (added.old_path, added.new_path) == (None, "_cache/t/p/specs.md")
    removed = compare_packages("t", "p", package(specs), None)
    assert removed is not None
    assert removed.status is PackageStatus.REMOVED
    assert len(removed.specs.removed) == 2
    assert (removed.old_path, removed.new_path) == ("_cache/t/p/specs.md", None)
    changed = compare_packages("t", "p", package(specs), package(specs[:1]))
    assert changed is not None
    assert changed.status is PackageStatus.CHANGED
    assert [s.hash for s in changed.specs.removed] == ["b"]
    assert compare_packages("t", "p", package(specs), package(specs)) is None


def test_empty_package_added_is_still_added() -> None:
    change = compare_packages("t", "p", None, package([]))
    assert change is not None
    assert change.status is PackageStatus.ADDED


# ---- format-only rewrites --------------------------------------------------------------


def _rewrite(data: bytes, seed: int) -> bytes:
    """Same catalog content written differently: key order, spec order, @= and :=."""
    rng = random.Random(seed)
    out = []
    for line in data.decode().split("\n"):
        key, _, value = line.partition(": ")
        if key == "spec_details":
            specs = json.loads(value)
            rng.shuffle(specs)
            rewritten = []
            for raw in specs:
                raw["compiler"] = re.sub(
                    r"@=?", "@" if rng.random() < 0.5 else "@=", raw["compiler"]
                )
                raw["variants"] = [
                    re.sub(r"^([a-z_]+)=(.*,.*)$", r"\1:=\2", v) for v in reversed(raw["variants"])
                ]
                raw["stacks"] = list(reversed(raw["stacks"]))
                items = list(raw.items())
                rng.shuffle(items)
                rewritten.append(dict(items))
            line = f"spec_details: {json.dumps(rewritten)}"
        elif key == "meta":
            meta = json.loads(value)
            line = f"meta: {json.dumps(dict(sorted(meta.items(), reverse=True)))}"
        out.append(line)
    return "\n".join(out).encode()


@pytest.mark.parametrize(
    ("tag", "pkg"),
    [
        ("v0.23.0", "zfp"),
        ("v0.23.0", "cuda"),
        ("develop-2025-03-23", "kokkos"),
        ("develop-2025-03-30", "camp"),
    ],
)
def test_format_only_rewrites_are_no_change(tag: str, pkg: str) -> None:
    path = f"_cache/{tag}/{pkg}/specs.md"
    data = (SAMPLES / "cache" / tag / pkg / "specs.md").read_bytes()
    rewritten = _rewrite(data, seed=len(pkg))
    assert rewritten != data
    before = parse_package(data, tag, pkg, path)
    after = parse_package(rewritten, tag, pkg, path)
    assert [s.raw_compiler for s in after.specs] != [s.raw_compiler for s in before.specs] or (
        [s.raw_variants for s in after.specs] != [s.raw_variants for s in before.specs]
    )
    assert compare_packages(tag, pkg, before, after) is None
    result = compare(snapshot([before]), snapshot([after]))
    assert not result.has_differences
    assert result.packages == ()


def test_v0_23_0_rewritten_in_v0_23_1_style_is_no_change() -> None:
    """v0.23.0's key order, sorted, with v0.23.1's tarball prefix: no change."""
    for pkg in ("bc", "cuda", "adol-c"):
        data = (SAMPLES / "cache" / "v0.23.0" / pkg / "specs.md").read_text()
        meta_line = next(line for line in data.split("\n") if line.startswith("meta: "))
        specs_line = next(line for line in data.split("\n") if line.startswith("spec_details: "))
        meta = json.loads(meta_line.removeprefix("meta: "))
        specs = json.loads(specs_line.removeprefix("spec_details: "))
        for raw in specs:
            raw["tarball"] = raw["tarball"].replace("/v0.23.0/", "/v0.23.1/")
            raw["stacks"].sort()
        restyled = data.replace(meta_line, "meta: " + json.dumps(meta, sort_keys=True)).replace(
            specs_line, "spec_details: " + json.dumps([dict(sorted(s.items())) for s in specs])
        )
        assert restyled != data
        path = f"_cache/v0.23.0/{pkg}/specs.md"
        before = parse_package(data.encode(), "v0.23.0", pkg, path)
        after = parse_package(restyled.encode(), "v0.23.0", pkg, path)
        assert compare_packages("v0.23.0", pkg, before, after) is None


# ---- whole snapshots -------------------------------------------------------------------


def test_compare_snapshots_statuses_and_summary() -> None:
    old = snapshot(
        [package([spec("a")], "keep"), package([spec("b")], "gone"), package([spec("c")], "edit")],
        label="old",
    )
    new = snapshot(
        [package([spec("a")], "keep"), package([spec("d")], "new"), package([spec("c2")], "edit")],
        label="new",
    )
    result = compare(old, new)
    assert [(c.name, c.status) for c in result.packages] == [
        ("edit", PackageStatus.CHANGED),
        ("gone", PackageStatus.REMOVED),
        ("new", PackageStatus.ADDED),
    ]
    s = result.summary
    assert (s.packages_added, s.packages_removed, s.packages_changed) == (1, 1, 1)
    assert (s.specs_added, s.specs_removed, s.specs_rebuilt) == (1, 1, 1)
    assert result.has_differences
    assert (result.old.source, result.new.source) == ("old", "new")


def test_tags_on_one_side_are_counted_not_expanded() -> None:
    old = snapshot([package([spec("a")], "x", tag="common"), package([spec("b")], "y", tag="gone")])
    new = snapshot(
        [
            package([spec("a")], "x", tag="common"),
            package([spec("c"), spec("d", target="zen4")], "z", tag="fresh"),
        ],
        tags={"common", "fresh", "empty"},
    )
    result = compare(old, new)
    assert result.packages == ()
    assert [(t.tag, t.packages, t.specs) for t in result.tags_added] == [
        ("empty", 0, 0),
        ("fresh", 1, 2),
    ]
    assert [(t.tag, t.packages, t.specs) for t in result.tags_removed] == [("gone", 1, 1)]
    assert (result.summary.tags_added, result.summary.tags_removed) == (2, 1)
    assert result.has_differences


@pytest.mark.parametrize("side", ["old", "new"])
def test_a_broken_file_is_a_problem_not_a_removal(side: str) -> None:
    good = [package([spec("a")], "ok"), package([spec("b")], "flaky")]
    problem = Problem("_cache/t/flaky/specs.md", "front matter has no closing '---'")
    whole = snapshot(good, label="whole")
    damaged = snapshot(
        good[:1], tags={"t"}, problems=[problem], broken=[("t", "flaky")], label="damaged"
    )
    # Plus one real change elsewhere, which must still be reported.
    ok_changed = package([spec("a2", target="zen4")], "ok")
    if side == "old":
        old, new = damaged, snapshot([ok_changed, good[1]])
    else:
        old = whole
        new = snapshot(
            [ok_changed], tags={"t"}, problems=[problem], broken=[("t", "flaky")], label="damaged"
        )
    result = compare(old, new)
    assert [(c.name, c.status) for c in result.packages] == [("ok", PackageStatus.CHANGED)]
    (record,) = result.problems
    assert record.side is Side(side)
    assert (record.path, record.message) == (problem.path, problem.message)
    assert record.revision == "damaged"
    assert result.summary.problems == 1
    assert result.summary.packages_removed == result.summary.packages_added == 0


# ---- real data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory catalog holding every sample tag under its own name."""
    root = tmp_path_factory.mktemp("catalog")
    for tag in ("develop-2025-03-23", "develop-2025-03-30", "v0.23.0", "v0.23.1", "v0.22.2"):
        write_tree(root, sample_tree(tag))
    return root


def _parsed(tag_dir: str, as_tag: str | None = None) -> Snapshot:
    packages = []
    for path, data in sample_tree(tag_dir, as_tag).items():
        key = classify(path)
        assert key is not None
        packages.append(parse_package(data, key[0], key[1], path))
    return snapshot(packages, label=tag_dir)


def test_release_pair_changes_exactly_three_packages(catalog_dir: Path) -> None:
    with Sources(str(catalog_dir)) as sources:
        old, new = load_pair(
            sources.open(str(catalog_dir)),
            sources.open(str(catalog_dir)),
            Selection(old_tag="v0.23.0", new_tag="v0.23.1"),
        )
    assert len(old.packages) == len(new.packages) == 30
    result = compare(old, new, old_tag="v0.23.0", new_tag="v0.23.1")
    assert (result.old_tag, result.new_tag) == ("v0.23.0", "v0.23.1")
    assert result.problems == ()
    assert [c.name for c in result.packages] == ["gotcha", "libquo", "zfp"]
    for change in result.packages:
        assert change.status is PackageStatus.CHANGED
        assert change.tag == "v0.23.1"
        assert kinds(change.specs) == {"removed": 1}
        (lost,) = change.specs.removed
        assert (lost.compiler, lost.os, lost.target) == ("cce@15.0.1", "rhel8", "zen4")
        assert lost.raw_compiler == "cce@=15.0.1"
        assert "e4s-cray-rhel" in lost.stacks
        assert change.facet("compilers") == SetDelta((), ("cce@15.0.1",))
        assert change.facet("oss") == SetDelta((), ("rhel8",))
        assert change.facet("targets") == SetDelta((), ("zen4",))
        assert change.facet("stacks") == SetDelta((), ("e4s-cray-rhel",))
        assert not change.facet("versions")
        assert not change.facet("platforms")
        assert (change.old_path, change.new_path) == (
            f"_cache/v0.23.0/{change.name}/specs.md",
            f"_cache/v0.23.1/{change.name}/specs.md",
        )
    assert result.summary.specs_removed == 3
    assert result.summary.packages_changed == 3


def test_release_pair_from_parsed_files_agrees() -> None:
    result = compare(_parsed("v0.23.0", "release"), _parsed("v0.23.1", "release"))
    assert [(c.name, kinds(c.specs)) for c in result.packages] == [
        ("gotcha", {"removed": 1}),
        ("libquo", {"removed": 1}),
        ("zfp", {"removed": 1}),
    ]


def _assert_develop_week(old: Snapshot, new: Snapshot) -> None:
    result = compare(old, new)
    assert result.problems == ()
    names = {c.name: c for c in result.packages}
    assert len(names) == 72
    assert {n for n, c in names.items() if c.status is PackageStatus.ADDED} == {
        "compiler-wrapper",
        "embree",
        "qwt",
        "sensei",
    }
    assert all(c.status is not PackageStatus.REMOVED for c in result.packages)
    old_by_name = {name: p for (_, name), p in old.packages.items()}
    new_by_name = {name: p for (_, name), p in new.packages.items()}
    total_old = total_new = 0
    for name in sorted(old_by_name.keys() | new_by_name.keys()):
        before = old_by_name[name].specs if name in old_by_name else ()
        after = new_by_name[name].specs if name in new_by_name else ()
        changes = names[name].specs if name in names else SpecChanges()
        assert_accounted(before, after, changes)
        total_old += len(before)
        total_new += len(after)
    s = result.summary
    paired = s.specs_rebuilt + s.specs_compiler_changed + s.specs_version_changed
    # No hash is shared between the two weeks (full rebuild), so pairs + leftovers = all.
    assert total_old == paired + s.specs_removed
    assert total_new == paired + s.specs_added
    # Facts recorded in the fixtures' NOTES.md.
    renames = {
        (p.old.compiler, p.new.compiler) for c in result.packages for p in c.specs.compiler_changed
    }
    assert ("oneapi@2024.2.1", "intel-oneapi-compilers@2024.2.1") in renames
    assert ("clang@14.0.0", "llvm@14.0.0") in renames
    assert ("gcc@12.4.0", "intel-oneapi-compilers@2024.1.0") in renames
    hdf5 = names["hdf5"].specs.version_changed
    assert hdf5
    assert {(p.old.versions, p.new.versions) for p in hdf5} == {(("1.14.5",), ("1.14.6",))}
    assert names["gcc"].facet("versions").removed == ("14.2.0",)
    assert names["ecp-data-vis-sdk"].facet("stacks").added == ("data-vis-sdk",)
    assert len(names["ecp-data-vis-sdk"].specs.added) == 6
    assert all("+sensei" in s.variants for s in names["ecp-data-vis-sdk"].specs.added)
    assert len(names["compiler-wrapper"].specs.added) == 14
    assert names["libcatalyst"].facet("targets").removed == ("x86_64_v4",)
    zlib = names["zlib-ng"]
    assert any("~new_strategies" in s.variants for s in zlib.specs.added)
    assert any("+new_strategies" in s.variants for s in zlib.specs.removed)


def test_develop_week_accounts_for_every_spec_directory_tags(catalog_dir: Path) -> None:
    with Sources(str(catalog_dir)) as sources:
        old, new = load_pair(
            sources.open(str(catalog_dir)),
            sources.open(str(catalog_dir)),
            Selection(old_tag="develop-2025-03-23", new_tag="develop-2025-03-30"),
        )
    assert {t for t, _ in old.packages} == {t for t, _ in new.packages} == {"develop-2025-03-30"}
    # The old side keeps its real tag inside each package, only the key is renamed.
    assert {p.tag for p in old.packages.values()} == {"develop-2025-03-23"}
    _assert_develop_week(old, new)


def test_develop_week_accounts_for_every_spec_parsed() -> None:
    _assert_develop_week(
        _parsed("develop-2025-03-23", "develop"), _parsed("develop-2025-03-30", "develop")
    )


# ---- properties ------------------------------------------------------------------------

_VERSIONS = st.sampled_from([("1.0",), ("1.1",), ("1.0", "2.0")])
_COMPILERS = st.sampled_from(["gcc@11.4.0", "gcc@12.3.0", "oneapi@2024.2.1"])
_VARIANTS = st.lists(
    st.sampled_from(["+shared", "~shared", "patches=a,b", "build_system=cmake"]), max_size=2
).map(lambda v: tuple(sorted(set(v))))
_STACKS = st.lists(st.sampled_from(["e4s", "hep", "tutorial"]), max_size=2).map(
    lambda v: tuple(sorted({"root", *v}))
)
_HASHES = [f"h{i:02d}" for i in range(12)]


@st.composite
def specs_of(draw: st.DrawFn, max_size: int = 7) -> list[Spec]:
    """Specs of one package: unique hashes from a small pool, values from small vocabularies."""
    hashes = draw(st.lists(st.sampled_from(_HASHES), unique=True, max_size=max_size))
    return [
        Spec(
            hash=h,
            versions=draw(_VERSIONS),
            compiler=draw(_COMPILERS),
            os=draw(st.sampled_from(["rhel8", "ubuntu22.04"])),
            platform="linux",
            target=draw(st.sampled_from(["x86_64_v3", "zen4"])),
            variants=draw(_VARIANTS),
            stacks=draw(_STACKS),
        )
        for h in hashes
    ]


@st.composite
def related_pair(draw: st.DrawFn) -> tuple[list[Spec], list[Spec]]:
    """Two sides that share some specs exactly, some hashes only, and some builds only."""
    old = draw(specs_of())
    new = draw(specs_of())
    # Copy some old specs across verbatim, so both "unchanged" and hash clashes occur.
    taken = {s.hash for s in new}
    for s in old:
        if s.hash not in taken and draw(st.booleans()):
            new.append(s)
            taken.add(s.hash)
    return old, new


PROPS = settings(max_examples=100, deadline=None)


@PROPS
@given(specs=specs_of())
def test_prop_a_snapshot_against_itself_is_empty(specs: list[Spec]) -> None:
    assert not compare_specs(specs, specs)
    snap = snapshot([package(specs, "a"), package(specs[:2], "b", tag="u")])
    result = compare(snap, snap)
    assert result.packages == ()
    assert not result.has_differences


def _flip(changes: SpecChanges) -> SpecChanges:
    def flip_pairs(pairs: tuple[SpecPair, ...]) -> tuple[SpecPair, ...]:
        return tuple(
            sorted((SpecPair(p.new, p.old) for p in pairs), key=lambda p: (p.new.hash, p.old.hash))
        )

    return SpecChanges(
        added=changes.removed,
        removed=changes.added,
        rebuilt=flip_pairs(changes.rebuilt),
        compiler_changed=flip_pairs(changes.compiler_changed),
        version_changed=flip_pairs(changes.version_changed),
        stacks_changed=tuple(
            StacksChange(c.hash, c.removed, c.added) for c in changes.stacks_changed
        ),
        fields_changed=tuple(
            FieldsChange(c.hash, tuple(FieldChange(f.name, f.new, f.old) for f in c.fields))
            for c in changes.fields_changed
        ),
    )


@PROPS
@given(pair=related_pair())
def test_prop_swapping_sides_swaps_everything(pair: tuple[list[Spec], list[Spec]]) -> None:
    old, new = pair
    forward = compare_specs(old, new)
    backward = compare_specs(new, old)
    assert backward == _flip(forward)
    assert _flip(backward) == forward


@PROPS
@given(pair=related_pair())
def test_prop_swapping_snapshots_swaps_package_status(pair: tuple[list[Spec], list[Spec]]) -> None:
    old_specs, new_specs = pair
    old = snapshot([package(old_specs, "both"), package(old_specs, "gone")], tags={"t", "old-only"})
    new = snapshot(
        [package(new_specs, "both"), package(new_specs, "fresh")], tags={"t", "new-only"}
    )
    forward, backward = compare(old, new), compare(new, old)
    flip = {
        PackageStatus.ADDED: PackageStatus.REMOVED,
        PackageStatus.REMOVED: PackageStatus.ADDED,
        PackageStatus.CHANGED: PackageStatus.CHANGED,
    }
    assert [(c.name, flip[c.status]) for c in forward.packages] == [
        (c.name, c.status) for c in backward.packages
    ]
    for f, b in zip(forward.packages, backward.packages, strict=True):
        assert b.specs == _flip(f.specs)
        assert dict(b.facets) == {k: SetDelta(d.removed, d.added) for k, d in f.facets}
    assert forward.tags_added == backward.tags_removed
    assert forward.tags_removed == backward.tags_added


@PROPS
@given(pair=related_pair())
def test_prop_every_spec_is_accounted_for_once(pair: tuple[list[Spec], list[Spec]]) -> None:
    old, new = pair
    assert_accounted(old, new, compare_specs(old, new))


@PROPS
@given(pair=related_pair())
def test_prop_each_tier_takes_every_pair_it_can(pair: tuple[list[Spec], list[Spec]]) -> None:
    """After hash matching, tier 1 pairs sum(min) per build; nothing left could pair at all."""
    old, new = pair
    changes = compare_specs(old, new)
    shared = {s.hash for s in old} & {s.hash for s in new}
    old_only = [s for s in old if s.hash not in shared]
    new_only = [s for s in new if s.hash not in shared]
    by_old, by_new = Counter(s.build for s in old_only), Counter(s.build for s in new_only)
    assert len(changes.rebuilt) == sum(min(n, by_new[k]) for k, n in by_old.items())
    for p in changes.rebuilt:
        assert p.old.build == p.new.build
    for p in changes.compiler_changed:
        assert p.old.compiler != p.new.compiler
        assert (p.old.versions, p.old.os, p.old.target, p.old.variants) == (
            p.new.versions,
            p.new.os,
            p.new.target,
            p.new.variants,
        )
    for p in changes.version_changed:
        assert p.old.versions != p.new.versions
        assert (p.old.compiler, p.old.os, p.old.target, p.old.variants) == (
            p.new.compiler,
            p.new.os,
            p.new.target,
            p.new.variants,
        )
    # No leftover removed/added couple would have fitted any tier.
    for r in changes.removed:
        for a in changes.added:
            rest_r, rest_a = (
                (r.os, r.platform, r.target, r.variants),
                (a.os, a.platform, a.target, a.variants),
            )
            assert r.build != a.build
            assert (r.versions, rest_r) != (a.versions, rest_a)
            assert (r.compiler, rest_r) != (a.compiler, rest_a)


def _raw(s: Spec, *, spelled: bool, rng: random.Random) -> dict[str, object]:
    compiler = s.compiler.replace("@", "@=", 1) if spelled else s.compiler
    variants = [v.replace("=", ":=", 1) if spelled and "," in v else v for v in s.variants]
    raw: dict[str, object] = {
        "hash": s.hash,
        "compiler": compiler,
        "versions": list(s.versions),
        "os": s.os,
        "platform": s.platform,
        "target": s.target,
        "variants": variants,
        "stacks": list(s.stacks),
        "size": "-",
    }
    items = list(raw.items())
    if spelled:
        rng.shuffle(items)
        for key in ("variants", "stacks", "versions"):
            rng.shuffle(raw[key])  # type: ignore[arg-type]
    return dict(items)


def _file(specs: list[dict[str, object]]) -> bytes:
    return ("---\nlayout: cache\nmeta: {}\nspec_details: " + json.dumps(specs) + "\n---").encode()


@PROPS
@given(specs=specs_of(), seed=st.integers(0, 2**16))
def test_prop_format_only_rewrites_are_no_change(specs: list[Spec], seed: int) -> None:
    rng = random.Random(seed)
    plain = [_raw(s, spelled=False, rng=rng) for s in specs]
    spelled = [_raw(s, spelled=True, rng=rng) for s in specs]
    rng.shuffle(spelled)
    before = parse_package(_file(plain), "t", "p", "_cache/t/p/specs.md")
    after = parse_package(_file(spelled), "t", "p", "_cache/t/p/specs.md")
    assert before.specs == tuple(sorted(specs, key=lambda s: s.hash))
    assert compare_packages("t", "p", before, after) is None
    shuffled = list(specs)
    rng.shuffle(shuffled)
    assert compare_specs(specs, shuffled) == SpecChanges()


@PROPS
@given(pair=related_pair(), seed=st.integers(0, 2**16))
def test_prop_spec_order_does_not_matter(pair: tuple[list[Spec], list[Spec]], seed: int) -> None:
    old, new = pair
    rng = random.Random(seed)
    old2, new2 = list(old), list(new)
    rng.shuffle(old2)
    rng.shuffle(new2)
    assert compare_specs(old2, new2) == compare_specs(old, new)


# ---- crowded keys: the same answers, found in near-linear time --------------------------

_FIELD_VALUES = {
    "versions": st.lists(st.sampled_from(["1.0", "1.1", "2.0"]), max_size=3).map(tuple),
    "compiler": _COMPILERS,
    "os": st.sampled_from(["rhel8", "ubuntu22.04"]),
    "platform": st.sampled_from(["linux", "darwin"]),
    "target": st.sampled_from(["x86_64_v3", "zen4"]),
    "variants": st.lists(st.sampled_from(["+shared", "~shared", "+pic"]), max_size=3).map(tuple),
}


@PROPS
@given(
    old=st.fixed_dictionaries(_FIELD_VALUES),
    new=st.fixed_dictionaries(_FIELD_VALUES),
)
def test_prop_field_changes_are_deepdiffs_answer(
    old: dict[str, object], new: dict[str, object]
) -> None:
    """The fields named changed are those DeepDiff(ignore_order=True) names: list fields
    compared without order and repetition (tuples here may be unsorted or repeat)."""
    from deepdiff import DeepDiff

    before = Spec(hash="h", stacks=("root",), **old)  # type: ignore[arg-type]
    after = Spec(hash="h", stacks=("root",), **new)  # type: ignore[arg-type]
    report = DeepDiff(old, new, ignore_order=True, view="tree")
    names = {
        level.path(output_format="list")[0]
        for levels in report.values()
        for level in levels
        if level.path(output_format="list")
    }
    changes = compare_specs([before], [after])
    if before.build == after.build:
        assert changes.fields_changed == ()
        return
    (fields,) = changes.fields_changed
    assert [f.name for f in fields.fields] == [n for n in BUILD_FIELDS if n in names]
    for f in fields.fields:
        assert f.old == _listed(old[f.name]) and f.new == _listed(new[f.name])


def _listed(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _reference_tier(
    olds: list[Spec], news: list[Spec], key: Callable[[Spec], object]
) -> tuple[list[SpecPair], list[Spec], list[Spec]]:
    """The tier pairing written the plain way (lists, first candidate taken)."""
    pairs: list[SpecPair] = []
    for refine in (True, False):
        left: list[Spec] = []
        for spec in olds:
            wanted = (key(spec), spec.stacks) if refine else key(spec)
            match = next(
                (n for n in news if ((key(n), n.stacks) if refine else key(n)) == wanted), None
            )
            if match is None:
                left.append(spec)
            else:
                pairs.append(SpecPair(spec, match))
                news = [n for n in news if n is not match]
        olds = left
    return pairs, olds, news


@PROPS
@given(
    olds=st.lists(st.sampled_from(range(6)), max_size=30),
    news=st.lists(st.sampled_from(range(6)), max_size=30),
)
def test_prop_crowded_tiers_pair_as_the_plain_algorithm(olds: list[int], news: list[int]) -> None:
    """Many specs under one build configuration (few distinct stacks): every tier pairs
    exactly as a first-candidate search over plain lists does."""
    old = [
        spec(f"o{i:03d}", stacks=(f"s{k % 3}",), versions=(f"{k % 2}",)) for i, k in enumerate(olds)
    ]
    new = [
        spec(f"n{i:03d}", stacks=(f"s{k % 2}",), versions=(f"{k % 3}",)) for i, k in enumerate(news)
    ]
    left_old, left_new = sorted(old, key=_by_hash), sorted(new, key=_by_hash)
    changes = compare_specs(old, new)
    for name, key in TIERS:
        pairs, left_old, left_new = _reference_tier(left_old, left_new, key)
        expected = tuple(sorted(pairs, key=lambda p: (p.new.hash, p.old.hash)))
        assert getattr(changes, name) == expected
    assert changes.added == tuple(left_new) and changes.removed == tuple(left_old)


def test_many_specs_under_one_hash_are_each_matched_once() -> None:
    """Thousands of specs listed under one hash on both sides, each with its own build:
    matched in hash-and-build order, one field change each."""
    count = 5000
    old = [spec("a" * 32, variants=(f"v={i:05d}",)) for i in range(count)]
    new = [spec("a" * 32, variants=(f"v={i:05d}", "+x")) for i in range(count)]
    changes = compare_specs(old, new)
    assert len(changes.fields_changed) == count
    assert all([f.name for f in c.fields] == ["variants"] for c in changes.fields_changed)
    assert (changes.added, changes.removed) == ((), ())


@st.composite
def sharing_pair(draw: st.DrawFn) -> tuple[list[Spec], list[Spec]]:
    """Two sides that share specs verbatim, some of them under a hash one side holds twice."""
    old, new = draw(related_pair())
    for s in list(old):
        if draw(st.integers(0, 3)) == 0:  # the same hash again, with another build
            twin = Spec(s.hash, ("9.9",), s.compiler, s.os, s.platform, s.target, (), s.stacks)
            (old if draw(st.booleans()) else new).append(twin)
    return old, new


@PROPS
@given(pair=sharing_pair())
def test_prop_leaving_out_shared_specs_changes_nothing(pair: tuple[list[Spec], list[Spec]]) -> None:
    """The specs both sides share unchanged are left out before pairing; the changes and
    the facets are what pairing and facet sets over every spec give."""
    old, new = pair
    whole = _compare_specs(sorted(old, key=_by_hash), sorted(new, key=_by_hash), None, NO_ALIASES)
    assert compare_specs(old, new) == whole
    change = compare_packages("t", "p", package(old), package(new))
    facets = tuple(
        (
            f,
            SetDelta(
                tuple(sorted(facet_values(new, f) - facet_values(old, f))),
                tuple(sorted(facet_values(old, f) - facet_values(new, f))),
            ),
        )
        for f in FACETS
    )
    if change is None:
        assert not whole and all(not delta for _, delta in facets)
    else:
        assert change.specs == whole and change.facets == facets


def test_a_shared_spec_under_a_doubled_hash_is_still_matched_in_order() -> None:
    """Old ``h`` twice (builds 1.0 and 2.0), new ``h`` twice (2.0 and 3.0): the 2.0 spec
    is on both sides, but which spec matches which depends on all four, so it stays in:
    1.0 -> 2.0 and 2.0 -> 3.0, two field changes."""
    a, b, c = (spec("h", versions=(v,)) for v in ("1.0", "2.0", "3.0"))
    changes = compare_specs([a, b], [b, c])
    assert [[(f.old, f.new) for f in x.fields] for x in changes.fields_changed] == [
        [(["1.0"], ["2.0"])],
        [(["2.0"], ["3.0"])],
    ]


@PROPS
@given(old=specs_of(), old_more=specs_of(), new=specs_of(), new_more=specs_of(), seed=st.integers())
def test_prop_the_order_specs_come_in_does_not_matter(
    old: list[Spec], old_more: list[Spec], new: list[Spec], new_more: list[Spec], seed: int
) -> None:
    """compare_specs gives the same answer for specs in hash order (a package's own order,
    taken as it is) and for the same specs in any order, hashes met twice included."""
    old, new = old + old_more, new + new_more  # the pools overlap: some hashes twice
    old_sorted, new_sorted = sorted(old, key=_by_hash), sorted(new, key=_by_hash)
    in_order = compare_specs(old_sorted, new_sorted)
    shuffled_old, shuffled_new = old[:], new[:]
    random.Random(seed).shuffle(shuffled_old)
    random.Random(seed + 1).shuffle(shuffled_new)
    assert compare_specs(shuffled_old, shuffled_new) == in_order
    assert_accounted(old_sorted, new_sorted, in_order)


def test_the_develop_week_compares_the_same_in_any_spec_order() -> None:
    """Real packages: each changed package of the develop week gives the same changes
    from its specs as parsed (in hash order) and from the same specs reversed."""
    old, new = _parsed("develop-2025-03-23", "develop"), _parsed("develop-2025-03-30", "develop")
    compared = 0
    for key in sorted(old.packages.keys() & new.packages.keys()):
        before, after = old.packages[key].specs, new.packages[key].specs
        if before == after:
            continue
        compared += 1
        assert compare_specs(before[::-1], after[::-1]) == compare_specs(before, after)
    assert compared > 10
