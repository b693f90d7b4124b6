"""legacy: the two untagged layouts (index.md + spec-N.json, flat specs.md) on the real samples.

Every fact asserted about the samples was read from the files under
``fixtures/catalog-samples/legacy/`` (see its NOTES.md); the broken inputs are the real
files with one thing taken away.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from catalog_diff.errors import CatalogDiffError, ParseError
from catalog_diff.layout import FLAT_SPECS_MD, IMPLICIT_TAG, INDEX_MD, SPEC_JSON, legacy_kind
from catalog_diff.model.snapshot import Meta, Spec
from catalog_diff.parse.legacy import (
    LegacyIndex,
    assemble,
    parse_flat_specs_md,
    parse_index_md,
    parse_spec_json,
)
from gitrepo import SAMPLES

LEGACY = SAMPLES / "legacy"
PACKAGES = ("libsigsegv", "pkgconf", "zlib")
HASH = re.compile(r"^[a-z2-7]{32}$")
#: The spec files saved next to each index.md (the catalog had one per entry).
SAVED = {
    "zlib": {"spec-0.json", "spec-50.json"},
    "libsigsegv": {"spec-0.json", "spec-31.json"},
    "pkgconf": {"spec-0.json", "spec-16.json", "spec-25.json"},
}
#: Entries per package (identical in both layouts) and meta versions as written.
COUNTS = {"zlib": 54, "libsigsegv": 61, "pkgconf": 77}
INDEX_VERSIONS = {
    "zlib": ("1.2.11",),
    "libsigsegv": ("2.13", "2.12"),
    "pkgconf": ("1.7.3", "1.6.3", "1.7.4"),
}


def index_dir(pkg: str) -> Path:
    return LEGACY / "index-md" / "_cache" / pkg


def index_bytes(pkg: str) -> bytes:
    return (index_dir(pkg) / "index.md").read_bytes()


def flat_bytes(pkg: str) -> bytes:
    return (LEGACY / "specs-md-flat" / "_cache" / pkg / "specs.md").read_bytes()


def spec_files(pkg: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in index_dir(pkg).glob("spec-*.json")}


def load_index(pkg: str) -> LegacyIndex:
    return parse_index_md(index_bytes(pkg), f"_cache/{pkg}/index.md")


def load_flat(pkg: str) -> LegacyIndex:
    return parse_flat_specs_md(flat_bytes(pkg), f"_cache/{pkg}/specs.md")


def load_spec(pkg: str, name: str) -> Spec:
    return parse_spec_json((index_dir(pkg) / name).read_bytes(), f"_cache/{pkg}/{name}", pkg)


# ---- paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("_cache/zlib/index.md", INDEX_MD),
        ("_cache/zlib/specs.md", FLAT_SPECS_MD),
        ("_cache/zlib/spec-0.json", SPEC_JSON),
        ("_cache/zlib/spec-50.json", SPEC_JSON),
        ("_cache/zlib/spec-.json", None),
        ("_cache/zlib/spec-1.yaml", None),
        ("_cache/zlib/other.json", None),
        ("_cache//index.md", None),
        ("_cache/develop/zlib/specs.md", None),
        ("_cache/develop/zlib/spec-0.json", None),
        ("_data/zlib/index.md", None),
        ("_cache/index.md", None),
    ],
)
def test_legacy_kind(path: str, kind: str | None) -> None:
    assert legacy_kind(path) == kind


def test_every_legacy_sample_has_a_kind() -> None:
    expected = {"index.md": INDEX_MD, "specs.md": FLAT_SPECS_MD}
    paths = []
    for layout in ("index-md", "specs-md-flat"):
        root = LEGACY / layout
        paths += [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    assert len(paths) == 13
    for path in paths:
        assert legacy_kind(path) == expected.get(path.rsplit("/", 1)[1], SPEC_JSON), path


def test_current_layout_samples_have_no_legacy_kind() -> None:
    paths = [p.relative_to(SAMPLES / "cache").as_posix() for p in SAMPLES.glob("cache/*/*/*")]
    assert paths
    assert all(legacy_kind(f"_cache/{p}") is None for p in paths)


# ---- index.md ----------------------------------------------------------------------------


@pytest.mark.parametrize("pkg", PACKAGES)
def test_index_md_is_not_yaml_but_parses(pkg: str) -> None:
    text = index_bytes(pkg).decode()
    assert text.endswith("\n\n---")  # blank line before the fence, no trailing newline
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text.split("---")[1])
    index = load_index(pkg)
    assert index.name == pkg
    assert index.kind == INDEX_MD
    assert index.versions == INDEX_VERSIONS[pkg]
    assert len(index.entries) == COUNTS[pkg]
    assert [f for _, f in index.entries] == [f"spec-{i}.json" for i in range(COUNTS[pkg])]
    assert all(s.startswith(f"{pkg}@") and " arch=" in s for s, _ in index.entries)
    assert not any(s.startswith('"') or s.endswith('"') for s, _ in index.entries)


def test_index_md_meta_as_written() -> None:
    zlib = load_index("zlib")
    assert len(zlib.compilers) == 16
    assert zlib.compilers[:3] == ("gcc@8.3.1", "apple-clang@12.0.0", "gcc@8.4.0")
    assert zlib.compilers[-1] == "gcc@7.4.0"
    assert list(zlib.compilers) != sorted(zlib.compilers)
    assert "xl@16.1" in zlib.compilers and "intel@19.1.3.304" in zlib.compilers
    assert len(load_index("libsigsegv").compilers) == 15
    assert len(load_index("pkgconf").compilers) == 15


def test_index_md_keeps_inner_quotes_of_xl_entries() -> None:
    zlib = dict((f, s) for s, f in load_index("zlib").entries)
    assert zlib["spec-50.json"] == (
        'zlib@1.2.11%xl@16.1 fflags="-qzerosize" +optimize+pic+shared arch=linux-rhel7-power9le'
    )
    sigsegv = dict((f, s) for s, f in load_index("libsigsegv").entries)
    assert sigsegv["spec-31.json"] == (
        'libsigsegv@2.12%xl@16.1 fflags="-qzerosize"  arch=linux-rhel7-power9le'
    )
    pkgconf = dict((f, s) for s, f in load_index("pkgconf").entries)
    assert pkgconf["spec-25.json"].endswith('fflags="-qzerosize"  arch=linux-rhel7-power9le')


def files_of(index: LegacyIndex, spec: str) -> list[str]:
    return [f for s, f in index.entries if s == spec]


def test_duplicate_spec_strings_keep_both_files() -> None:
    zlib = load_index("zlib")
    flags = "+optimize+pic+shared"
    assert files_of(zlib, f"zlib@1.2.11%gcc@8.1.0{flags} arch=linux-rhel7-x86_64") == [
        "spec-10.json",
        "spec-38.json",
    ]
    assert files_of(zlib, f"zlib@1.2.11%gcc@8.1.0{flags} arch=linux-rhel7-ppc64le") == [
        "spec-15.json",
        "spec-23.json",
    ]
    sigsegv = load_index("libsigsegv")
    assert files_of(sigsegv, "libsigsegv@2.12%gcc@8.1.0 arch=linux-rhel7-ppc64le") == [
        "spec-24.json",
        "spec-39.json",
    ]
    # Each of the three packages has four spec strings listed twice (not all in NOTES.md).
    for pkg in PACKAGES:
        counts = Counter(s for s, _ in load_index(pkg).entries)
        assert sorted(counts.values(), reverse=True)[:5] == [2, 2, 2, 2, 1], pkg
        assert len(counts) == COUNTS[pkg] - 4


# ---- untagged specs.md -------------------------------------------------------------------


@pytest.mark.parametrize("pkg", PACKAGES)
def test_flat_specs_md(pkg: str) -> None:
    raw = flat_bytes(pkg).decode()
    assert "\nspec_files: \n" in raw and raw.endswith("'\n---")
    flat = load_flat(pkg)
    assert flat.name == pkg
    assert flat.kind == FLAT_SPECS_MD
    assert flat.versions == tuple(sorted(INDEX_VERSIONS[pkg]))
    assert flat.compilers == tuple(sorted(flat.compilers))
    # Same (spec string, file) pairs in the same order as the older index.md.
    index = load_index(pkg)
    assert flat.entries == index.entries
    assert set(flat.compilers) == set(index.compilers)
    # Cross-check against PyYAML reading the same file.
    loaded = yaml.safe_load(raw.split("---")[1])
    assert [s for s, _ in flat.entries] == loaded["spec_names"]
    assert [f for _, f in flat.entries] == loaded["spec_files"]


# ---- spec-N.json -------------------------------------------------------------------------


def test_zlib_spec_50_xl_power9le() -> None:
    spec = load_spec("zlib", "spec-50.json")
    assert spec.hash == "quasq73tmp3kiadcuq7f274ahmaybxdw"
    assert spec.versions == ("1.2.11",)
    assert (spec.compiler, spec.raw_compiler) == ("xl@16.1", "xl@16.1")
    assert (spec.platform, spec.os, spec.target) == ("linux", "rhel7", "power9le")
    assert spec.variants == ("+optimize", "+pic", "+shared", "fflags=-qzerosize")
    assert spec.raw_variants == ("+optimize", "+pic", "+shared", "fflags=-qzerosize")
    assert spec.stacks == ()
    assert spec.extra == ()  # no full_hash in the xl files


def test_zlib_spec_0_generic_target_with_full_hash() -> None:
    spec = load_spec("zlib", "spec-0.json")
    assert spec.hash == "p7dmb5pqi6svirhovljrkp3uyfiytz3m"
    assert (spec.compiler, spec.platform, spec.os, spec.target) == (
        "gcc@9.3.0",
        "linux",
        "ubuntu20.04",
        "x86_64",
    )
    assert spec.variants == ("+optimize", "+pic", "+shared")  # empty flag lists omitted
    assert spec.extra == (("full_hash", "vrpy75omkevqf2vwnsfayecmlje5yl5m"),)


def test_pkgconf_spec_16_darwin_haswell_object() -> None:
    raw = json.loads((index_dir("pkgconf") / "spec-16.json").read_text())
    assert len(raw["spec"]["nodes"][0]["arch"]["target"]["features"]) == 17
    spec = load_spec("pkgconf", "spec-16.json")
    assert (spec.platform, spec.os, spec.target) == ("darwin", "catalina", "haswell")
    assert spec.compiler == "apple-clang@12.0.0"
    assert spec.versions == ("1.7.4",)
    assert spec.variants == ()


@pytest.mark.parametrize(("pkg", "name"), sorted((p, n) for p, ns in SAVED.items() for n in ns))
def test_every_saved_spec_file_matches_its_index_entry(pkg: str, name: str) -> None:
    spec = load_spec(pkg, name)
    spec_string = dict((f, s) for s, f in load_index(pkg).entries)[name]
    assert HASH.match(spec.hash)
    assert spec_string.startswith(f"{pkg}@{spec.versions[0]}%{spec.compiler}")
    assert spec_string.endswith(f" arch={spec.platform}-{spec.os}-{spec.target}")
    assert spec.stacks == ()
    for variant in spec.variants:
        assert variant.lstrip("+~").split("=")[0] in spec_string
    is_xl = spec.compiler == "xl@16.1"
    assert ("full_hash" in dict(spec.extra)) is not is_xl
    assert ("fflags=-qzerosize" in spec.variants) is is_xl


# ---- assemble ----------------------------------------------------------------------------


@pytest.mark.parametrize("pkg", PACKAGES)
def test_assemble_index_md_sample(pkg: str) -> None:
    index = load_index(pkg)
    package, problems = assemble(index, spec_files(pkg), f"_cache/{pkg}")
    assert (package.tag, package.name, package.path) == (
        IMPLICIT_TAG,
        pkg,
        f"_cache/{pkg}/index.md",
    )
    assert IMPLICIT_TAG == "develop"
    assert package.meta == Meta(compilers=index.compilers, versions=index.versions)
    assert len(package.specs) == len(SAVED[pkg])
    assert [s.hash for s in package.specs] == sorted(s.hash for s in package.specs)
    assert {dict(s.extra)["spec_file"] for s in package.specs} == SAVED[pkg]
    for spec in package.specs:
        extra = dict(spec.extra)
        assert (extra["spec_string"], extra["spec_file"]) in index.entries
        assert [k for k, _ in spec.extra] == sorted(k for k, _ in spec.extra)
    # Every listed file not saved is a problem naming it; nothing is dropped silently.
    missing = [f for _, f in index.entries if f not in SAVED[pkg]]
    assert [p.path for p in problems] == [f"_cache/{pkg}/{f}" for f in missing]
    assert all("missing" in p.message and "index.md" in p.message for p in problems)
    assert len(package.specs) + len(problems) == COUNTS[pkg]


def test_assemble_zlib_keeps_the_spec_string() -> None:
    package, _ = assemble(load_index("zlib"), spec_files("zlib"), "_cache/zlib")
    xl = next(s for s in package.specs if s.compiler == "xl@16.1")
    assert dict(xl.extra) == {
        "spec_file": "spec-50.json",
        "spec_string": (
            'zlib@1.2.11%xl@16.1 fflags="-qzerosize" +optimize+pic+shared arch=linux-rhel7-power9le'
        ),
    }
    # extra does not take part in equality: the bare parse equals the assembled spec.
    assert xl == load_spec("zlib", "spec-50.json")


@pytest.mark.parametrize("pkg", PACKAGES)
def test_assemble_flat_without_spec_files(pkg: str) -> None:
    package, problems = assemble(load_flat(pkg), {}, f"_cache/{pkg}/")
    assert package.path == f"_cache/{pkg}/specs.md"
    assert (package.tag, package.name, package.specs) == (IMPLICIT_TAG, pkg, ())
    assert len(problems) == COUNTS[pkg]
    assert problems[0].path == f"_cache/{pkg}/spec-0.json"
    assert "specs.md" in problems[0].message


def test_assemble_reports_a_broken_spec_file_and_keeps_the_rest() -> None:
    files = spec_files("zlib") | {"spec-1.json": b"<html>not json</html>"}
    package, problems = assemble(load_index("zlib"), files, "_cache/zlib")
    assert len(package.specs) == 2
    broken = [p for p in problems if p.path == "_cache/zlib/spec-1.json"]
    assert len(broken) == 1 and broken[0].message.startswith("not JSON")
    assert len(problems) == COUNTS["zlib"] - 2


def test_assemble_wrong_package_file_is_a_problem() -> None:
    files = {"spec-0.json": (index_dir("pkgconf") / "spec-0.json").read_bytes()}
    index = LegacyIndex("zlib", (), (), (("zlib@1.2.11", "spec-0.json"),))
    package, problems = assemble(index, files, "_cache/zlib")
    assert package.specs == ()
    assert problems[0].path == "_cache/zlib/spec-0.json"
    assert "no node named 'zlib' (nodes: pkgconf)" in problems[0].message


def test_assemble_file_listed_twice_and_title_mismatch() -> None:
    entries = (("a", "spec-0.json"), ("b", "spec-0.json"))
    index = LegacyIndex("zlib", (), (), entries)
    package, problems = assemble(index, spec_files("zlib"), "_cache/libz")
    assert package.name == "zlib" and len(package.specs) == 1
    assert [p.path for p in problems] == ["_cache/libz/index.md", "_cache/libz/spec-0.json"]
    assert "differs from folder 'libz'" in problems[0].message
    assert "listed twice" in problems[1].message


def test_assemble_without_title_uses_the_folder() -> None:
    index = LegacyIndex("", (), (), (("zlib@1.2.11", "spec-0.json"),), kind=FLAT_SPECS_MD)
    package, problems = assemble(index, spec_files("zlib"), "_cache/zlib")
    assert (package.name, package.path, len(package.specs), problems) == (
        "zlib",
        "_cache/zlib/specs.md",
        1,
        [],
    )


# ---- broken inputs -----------------------------------------------------------------------


def without_lines(data: bytes, drop: str) -> bytes:
    """The file without its lines starting with ``drop`` and its spec_files items."""
    lines = data.decode().split("\n")
    keep, skipping = [], False
    for line in lines:
        if line.startswith(drop):
            skipping = True
            continue
        if skipping and line.startswith(" - "):
            continue
        skipping = False
        keep.append(line)
    return "\n".join(keep).encode()


def reason(exc: pytest.ExceptionInfo[ParseError]) -> str:
    assert isinstance(exc.value, CatalogDiffError)
    assert str(exc.value).startswith("_cache/")
    return exc.value.reason


@pytest.mark.parametrize("parse", [parse_index_md, parse_flat_specs_md])
@pytest.mark.parametrize(
    ("mangle", "expected"),
    [
        (lambda b: b[: len(b) // 2], "no closing '---'"),
        (lambda b: b.rsplit(b"---", 1)[0], "no closing '---'"),
        (lambda b: b[4:], "first line is not '---'"),
        (lambda b: without_lines(b, "spec_files"), "spec_files is missing"),
        (lambda b: b.replace(b"zlib", b"zl\xffib", 1), "not UTF-8"),
    ],
)
def test_broken_lists(
    parse: Callable[[bytes, str], LegacyIndex], mangle: Callable[[bytes], bytes], expected: str
) -> None:
    source = index_bytes("zlib") if parse is parse_index_md else flat_bytes("zlib")
    with pytest.raises(ParseError) as exc:
        parse(mangle(source), "_cache/zlib/x.md")
    assert expected in reason(exc)
    assert exc.value.path == "_cache/zlib/x.md"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            b'shared arch=linux-rhel7-x86_64": spec-10.json',
            b"shared arch=x spec-10.json",
            "line 17",
        ),
        (
            b'- "zlib@1.2.11%gcc@9.3.0+optimize+pic+shared arch=linux-ubuntu20.04-x86_64"',
            b"- zlib",
            "line 7: expected",
        ),
        (b"layout: cache", b"layout:\n - cache", "line 4: list item outside spec_files"),
        (b'meta: {"versions"', b'meta: {versions"', "meta is not one line of JSON"),
        (b'{"versions": ["1.2.11"]', b'{"versions": "1.2.11"', "meta.versions must be a list"),
        (b"spec_files: \n", b"spec_files: spec-0.json\n", "spec_files must be a block list"),
        (b"category: package\n", b"title: again\n", "title appears twice"),
        (b": spec-0.json", b": ../x.json/", "is not a spec file name"),
    ],
)
def test_broken_index_md(old: bytes, new: bytes, expected: str) -> None:
    data = index_bytes("zlib")
    assert data.count(old) == 1
    with pytest.raises(ParseError) as exc:
        parse_index_md(data.replace(old, new), "_cache/zlib/index.md")
    assert expected in reason(exc)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (b" - spec-53.json\n", b"", "53 spec_files but 54 spec_names"),
        (b"spec_names:\n", b"spec_names: 3\nother:\n", "spec_names must be a list of strings"),
        (b"spec_names:", b"spec_nom:", "spec_names is missing"),
        (b'"compilers": [', b'"compilers": [1, ', "meta.compilers must be a list of strings"),
    ],
)
def test_broken_flat_specs_md(old: bytes, new: bytes, expected: str) -> None:
    data = flat_bytes("zlib")
    assert data.count(old) == 1
    with pytest.raises(ParseError) as exc:
        parse_flat_specs_md(data.replace(old, new), "_cache/zlib/specs.md")
    assert expected in reason(exc)


def test_flat_specs_md_refuses_yaml_aliases() -> None:
    data = flat_bytes("zlib").replace(b"- spec-0.json", b"- &a spec-0.json")
    assert parse_flat_specs_md(data, "_cache/zlib/specs.md").entries == load_flat("zlib").entries
    with pytest.raises(ParseError) as exc:
        parse_flat_specs_md(data.replace(b"- spec-1.json", b"- *a"), "_cache/zlib/specs.md")
    assert "YAML alias" in reason(exc)


def zlib_node() -> dict[str, object]:
    document = json.loads((index_dir("zlib") / "spec-0.json").read_text())
    node: dict[str, object] = document["spec"]["nodes"][0]
    return node


def spec_error(document: object, package: str = "zlib") -> str:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    with pytest.raises(ParseError) as exc:
        parse_spec_json(data, "_cache/zlib/spec-0.json", package)
    assert exc.value.path == "_cache/zlib/spec-0.json"
    return reason(exc)


def with_node(**changes: object) -> dict[str, object]:
    node = zlib_node()
    for key, value in changes.items():
        if value is None:
            del node[key]
        else:
            node[key] = value
    return {"spec": {"_meta": {"version": 2}, "nodes": [node]}}


def test_spec_json_not_json() -> None:
    assert spec_error(b'{"spec": {"nodes": [').startswith("not JSON")
    assert spec_error(b"\xff\xfe").startswith("not JSON")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "no top-level 'spec'"),
        ({"nodes": []}, "no top-level 'spec'"),
        ({"spec": {"_meta": {"version": 2}}}, "neither 'nodes' nor a list"),
        ({"spec": {"nodes": [1]}}, "spec.nodes must be a list of mappings"),
        ({"spec": [{"a": {}, "b": {}}]}, "one-key mappings"),
        ({"spec": {"nodes": []}}, "no node named 'zlib' (nodes: none)"),
        (with_node(hash=None), "node 'zlib': hash is missing"),
        (with_node(hash=""), "node 'zlib': hash must be a non-empty string"),
        (with_node(hash=7), "hash must be a non-empty string"),
        (with_node(arch=None), "node 'zlib': arch is missing"),
        (with_node(arch="linux-rhel7-x86_64"), "node 'zlib': arch must be a mapping"),
        (with_node(arch={"platform": "linux", "platform_os": "rhel7"}), "arch.target"),
        (with_node(arch={"platform": "linux", "target": "x86_64"}), "arch: platform_os is missing"),
        (with_node(arch={"platform_os": "rhel7", "target": {"vendor": "IBM"}}), "target: name"),
        (with_node(compiler=None), "node 'zlib': compiler is missing"),
        (with_node(compiler={"name": "gcc"}), "compiler: version is missing"),
        (with_node(version=None), "version is missing"),
        (with_node(parameters=[]), "parameters must be a mapping"),
        (with_node(parameters={"shared": {"x": 1}}), "parameters.shared has an unknown shape"),
        (with_node(parameters={"cflags": [None]}), "parameters.cflags must hold strings"),
        (with_node(full_hash=3), "full_hash must be a non-empty string"),
    ],
)
def test_spec_json_broken(document: object, expected: str) -> None:
    assert expected in spec_error(document)


def test_spec_json_two_nodes_of_the_package() -> None:
    node = zlib_node()
    assert "2 nodes named 'zlib'" in spec_error({"spec": {"nodes": [node, node]}})


def test_spec_json_v1_list_shape_reads_like_v2() -> None:
    node = zlib_node()
    name = node.pop("name")
    other = {"cmake": {**node, "hash": "a" * 32}}
    v1 = json.dumps({"spec": [other, {name: node}]}).encode()
    old = parse_spec_json(v1, "_cache/zlib/spec-0.json", "zlib")
    new = load_spec("zlib", "spec-0.json")
    assert old == new
    assert (old.raw_variants, old.extra) == (new.raw_variants, new.extra)


def test_spec_json_parameter_shapes() -> None:
    parameters = {
        "shared": False,
        "patches": ["b", "a"],
        "build_type": "Release",
        "cxxstd": 17,
        "ldflags": [],
        "cflags": ["-O2", "-g"],
    }
    spec = parse_spec_json(
        json.dumps(with_node(parameters=parameters)).encode(), "_cache/zlib/spec-0.json", "zlib"
    )
    assert spec.raw_variants == (
        "~shared",
        "patches=b,a",
        "build_type=Release",
        "cxxstd=17",
        "cflags=-O2,-g",
    )
    assert spec.variants == tuple(sorted(spec.raw_variants))


def test_index_md_file_name_follows_the_last_quote_colon() -> None:
    # Not in the samples: a spec string that itself holds '": ' still splits at the last one.
    line = b' - "pkg@1%gcc@9 cflags="-DX": " arch=linux-rhel7-x86_64": spec-0.json'
    data = b'---\ntitle: "pkg"\nspec_files: \n' + line + b"\n\n---"
    index = parse_index_md(data, "_cache/pkg/index.md")
    assert index.entries == (
        ('pkg@1%gcc@9 cflags="-DX": " arch=linux-rhel7-x86_64', "spec-0.json"),
    )
    assert (index.name, index.versions, index.compilers) == ("pkg", (), ())
