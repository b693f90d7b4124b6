"""parse: bytes of a ``specs.md`` -> Package, on real files and on crafted broken ones."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog_diff.compare.pairing import facet_values
from catalog_diff.errors import ParseError
from catalog_diff.layout import classify, legacy_layout
from catalog_diff.model.snapshot import Package, Spec
from catalog_diff.parse import frontmatter
from catalog_diff.parse.fastspec import make_spec
from catalog_diff.parse.package import LineMemo, parse_package
from catalog_diff.parse.specs import normalise_compiler, normalise_variant
from catalog_diff.sources.directory import DirectorySource
from catalog_diff.sources.load import load
from gitrepo import SAMPLES, sample_tree, write_tree

SAMPLE_FILES = sorted((SAMPLES / "cache").glob("*/*/specs.md"))
HASH = re.compile(r"^[a-z2-7]{32}$")


def sample(tag: str, pkg: str) -> bytes:
    return (SAMPLES / "cache" / tag / pkg / "specs.md").read_bytes()


def parse_sample(tag: str, pkg: str) -> Package:
    return parse_package(sample(tag, pkg), tag, pkg, f"_cache/{tag}/{pkg}/specs.md")


def parse_bytes(data: bytes, path: str = "_cache/t/p/specs.md") -> Package:
    return parse_package(data, "t", "p", path)


def specs_md(specs: list[dict[str, object]], *, meta: dict[str, object] | None = None) -> bytes:
    """A file in the current layout (one JSON value per line, no newline at the end)."""
    lines = [
        "---",
        'title: "p"',
        "layout: cache",
        "categories: [package, t]",
        f"meta: {json.dumps(meta if meta is not None else {})}",
        f"spec_details: {json.dumps(specs)}",
        "---",
    ]
    return "\n".join(lines).encode()


def raw_spec(**overrides: object) -> dict[str, object]:
    spec: dict[str, object] = {
        "compiler": "gcc@=11.4.0",
        "hash": "a" * 32,
        "os": "ubuntu22.04",
        "platform": "linux",
        "size": "-",
        "stacks": ["root"],
        "target": "x86_64_v3",
        "variants": ["build_system=autotools"],
        "versions": ["1.0"],
    }
    spec.update(overrides)
    return spec


def assert_same_package(a: Package, b: Package) -> None:
    """Equal as the model compares them, and equal in what equality ignores as well."""
    assert a == b
    assert a.meta == b.meta
    for x, y in zip(a.specs, b.specs, strict=True):
        assert (x.raw_compiler, x.raw_variants, x.extra) == (
            y.raw_compiler,
            y.raw_variants,
            y.extra,
        )


# ---- real files ----------------------------------------------------------------------


def test_the_samples_are_all_there() -> None:
    by_tag = Counter(path.parent.parent.name for path in SAMPLE_FILES)
    assert by_tag == {
        "develop": 1,
        "develop-2025-03-23": 68,
        "develop-2025-03-30": 72,
        "v0.22.2": 6,
        "v0.23.0": 30,
        "v0.23.1": 30,
    }


@pytest.mark.parametrize(
    "path", SAMPLE_FILES, ids=[f"{p.parent.parent.name}/{p.parent.name}" for p in SAMPLE_FILES]
)
def test_every_real_file_parses_consistently_with_its_meta(path: Path) -> None:
    tag, pkg = path.parent.parent.name, path.parent.name
    package = parse_package(path.read_bytes(), tag, pkg, f"_cache/{tag}/{pkg}/specs.md")
    assert (package.tag, package.name, package.path) == (tag, pkg, f"_cache/{tag}/{pkg}/specs.md")
    meta = package.meta
    assert meta is not None
    specs = package.specs
    assert len(specs) == meta.num_specs > 0
    assert [s.hash for s in specs] == sorted(s.hash for s in specs), "specs sorted by hash"
    assert len({s.hash for s in specs}) == len(specs)
    assert all(HASH.match(s.hash) for s in specs)
    # The meta line holds the sorted unions of the specs' values.
    for facet in ("oss", "platforms", "stacks", "targets", "versions"):
        assert getattr(meta, facet) == tuple(sorted(facet_values(specs, facet))), facet
    assert {normalise_compiler(c) for c in meta.compilers} == facet_values(specs, "compilers")
    per_stack = Counter(stack for s in specs for stack in s.stacks)
    assert dict(meta.num_specs_by_stack) == per_stack
    assert per_stack["root"] == len(specs)
    # Normalised forms everywhere.
    for spec in specs:
        assert "@=" not in spec.compiler
        assert not any(":=" in v or "='" in v for v in spec.variants)
        assert list(spec.stacks) == sorted(set(spec.stacks))
        assert list(spec.variants) == sorted(set(spec.variants))
        assert spec.raw_compiler, "the spelling of the file is kept"


def test_compiler_normalisation_keeps_the_raw_spelling() -> None:
    bc = parse_sample("develop-2025-03-23", "bc")
    assert {s.compiler for s in bc.specs} == {"gcc@11.4.0"}
    assert {s.raw_compiler for s in bc.specs} == {"gcc@=11.4.0"}
    assert normalise_compiler("gcc@=11.4.0") == "gcc@11.4.0"
    assert normalise_compiler(" oneapi@=2024.2.1 ") == "oneapi@2024.2.1"
    assert normalise_compiler("intel-oneapi-compilers@2024.2.1") == (
        "intel-oneapi-compilers@2024.2.1"
    )
    assert normalise_compiler("none") == "none"


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("patches:=a,b", "patches=a,b"),
        ("patches=a,b", "patches=a,b"),
        ("languages='c,c++'", "languages=c,c++"),
        ("languages:='c,c++,fortran'", "languages=c,c++,fortran"),
        ('cflags="-O2 -g"', "cflags=-O2 -g"),
        ("cuda_arch:=80", "cuda_arch=80"),
        ("+shared", "+shared"),
        ("~mpi", "~mpi"),
        ("build_system=cmake", "build_system=cmake"),
        ("k='v\"", "k='v\""),  # unbalanced quotes are not quotes
    ],
)
def test_variant_normalisation(raw: str, normal: str) -> None:
    assert normalise_variant(raw) == normal


def test_real_colon_equals_and_quoted_variants_are_normalised_and_kept_raw() -> None:
    gcc = parse_sample("develop-2025-03-30", "gcc")
    (spec,) = [s for s in gcc.specs if any(v.startswith("languages") for v in s.variants)]
    assert "languages=c,c++,fortran" in spec.variants
    assert "languages:='c,c++,fortran'" in spec.raw_variants
    assert spec.compiler == spec.raw_compiler  # 03-30 writes no '@='
    adol_c = parse_sample("develop-2025-03-30", "adol-c")
    assert any("patches=715b878" in s.variants for s in adol_c.specs)
    assert any("patches:=715b878" in s.raw_variants for s in adol_c.specs)


def test_extra_holds_tarball_and_size() -> None:
    bc = parse_sample("v0.23.1", "bc")
    (spec,) = bc.specs
    extra = dict(spec.extra)
    assert set(extra) == {"size", "tarball"}
    assert extra["size"] == "-"
    assert isinstance(extra["tarball"], str)
    assert extra["tarball"].startswith("https://binaries.spack.io/v0.23.1/build_cache/")
    assert extra["tarball"].endswith(f"-{spec.hash}.spack")
    develop = parse_sample("develop-2025-03-23", "bc")
    assert all(dict(s.extra) == {"size": "-"} for s in develop.specs)


def test_hand_written_colon_equals_and_quotes_are_normalised() -> None:
    data = specs_md(
        [raw_spec(compiler="gcc@=12.3.0", variants=["patches:=b,a", "languages='c,c++'", "+x"])]
    )
    (spec,) = parse_bytes(data).specs
    assert spec.compiler == "gcc@12.3.0"
    assert spec.variants == ("+x", "languages=c,c++", "patches=b,a")
    assert spec.raw_variants == ("patches:=b,a", "languages='c,c++'", "+x")
    assert spec.raw_compiler == "gcc@=12.3.0"


def test_unknown_spec_keys_go_to_extra_and_not_into_equality() -> None:
    plain = parse_bytes(specs_md([raw_spec()]))
    more = parse_bytes(specs_md([raw_spec(size="12 MB", new_field=[1, 2])]))
    assert plain == more
    assert dict(more.specs[0].extra) == {"size": "12 MB", "new_field": [1, 2]}


@pytest.mark.parametrize("pkg", sorted(p.name for p in (SAMPLES / "cache" / "v0.23.0").iterdir()))
def test_v0_23_0_and_v0_23_1_key_orders_give_equal_specs(pkg: str) -> None:
    old_text, new_text = sample("v0.23.0", pkg), sample("v0.23.1", pkg)
    # The two eras really are written differently...
    assert b'spec_details: [{"hash": ' in old_text
    assert b'spec_details: [{"compiler": ' in new_text
    old, new = parse_sample("v0.23.0", pkg), parse_sample("v0.23.1", pkg)
    old_by_hash = {s.hash: s for s in old.specs}
    new_by_hash = {s.hash: s for s in new.specs}
    common = old_by_hash.keys() & new_by_hash.keys()
    assert common
    # ... but every common hash is the same spec; only the tarball URL differs.
    for h in common:
        assert old_by_hash[h] == new_by_hash[h]
        assert old_by_hash[h].build == new_by_hash[h].build
        assert old_by_hash[h].stacks == new_by_hash[h].stacks
        assert dict(old_by_hash[h].extra)["tarball"] != dict(new_by_hash[h].extra)["tarball"]
    lost = old_by_hash.keys() - new_by_hash.keys()
    assert new_by_hash.keys() <= old_by_hash.keys()
    assert len(lost) == (1 if pkg in {"gotcha", "libquo", "zfp"} else 0)


# ---- the YAML fallback gives what the fast path gives ----------------------------------


def _insert_blank_line(text: str) -> str:
    return text.replace("\nlayout: cache\n", "\nlayout: cache\n\n", 1)


def _unquoted_title(text: str) -> str:
    return re.sub(r'^title: "([^"]+)"$', r"title: \1", text, count=1, flags=re.M)


def _block_categories(text: str) -> str:
    return re.sub(
        r"^categories: \[package, (\S+)\]$",
        r"categories:\n- package\n- \1",
        text,
        count=1,
        flags=re.M,
    )


def _all_yaml(text: str) -> str:
    """Re-emit the whole front matter as block-style YAML (nothing on one JSON line)."""
    body = text.split("---\n", 1)[1].rsplit("\n---", 1)[0]
    values = {}
    for line in body.splitlines():
        key, _, value = line.partition(": ")
        if key == "categories":
            values[key] = ["package", "t"]
        else:
            values[key] = json.loads(value) if value.startswith(("{", "[", '"')) else value
    return "---\n" + yaml.safe_dump(values, default_flow_style=False, sort_keys=False) + "---"


YAML_VARIANTS = {
    "blank line": _insert_blank_line,
    "unquoted title": _unquoted_title,
    "block categories": _block_categories,
    "all block yaml": _all_yaml,
}
FAST_VARIANTS = {
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "bom": lambda text: "\ufeff" + text,
    "bom crlf trailing newline": lambda text: "\ufeff" + text.replace("\n", "\r\n") + "\r\n",
}
FALLBACK_SAMPLES = [
    ("develop-2025-03-23", "bc"),
    ("develop-2025-03-30", "gcc"),
    ("develop-2025-03-30", "kokkos"),
    ("v0.23.0", "zfp"),
    ("develop", "py-pyproject-hooks"),
]


@pytest.fixture
def yaml_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record when the YAML fallback runs (it still does the real work)."""
    calls: list[str] = []
    real = frontmatter._yaml_front_matter

    def spy(text: str, path: str) -> object:
        calls.append(path)
        return real(text, path)

    monkeypatch.setattr(frontmatter, "_yaml_front_matter", spy)
    return calls


@pytest.mark.parametrize(("tag", "pkg"), FALLBACK_SAMPLES)
@pytest.mark.parametrize("variant", sorted(YAML_VARIANTS))
def test_yaml_fallback_gives_the_same_package(
    tag: str, pkg: str, variant: str, yaml_calls: list[str]
) -> None:
    text = sample(tag, pkg).decode()
    fast = parse_sample(tag, pkg)
    assert yaml_calls == []
    changed = YAML_VARIANTS[variant](text)
    assert changed != text
    slow = parse_package(changed.encode(), tag, pkg, fast.path)
    assert yaml_calls == [fast.path], "the variant must go through the YAML fallback"
    assert_same_package(fast, slow)


@pytest.mark.parametrize(("tag", "pkg"), FALLBACK_SAMPLES)
@pytest.mark.parametrize("variant", sorted(FAST_VARIANTS))
def test_line_endings_and_bom_give_the_same_package(tag: str, pkg: str, variant: str) -> None:
    text = sample(tag, pkg).decode()
    fast = parse_sample(tag, pkg)
    other = parse_package(FAST_VARIANTS[variant](text).encode(), tag, pkg, fast.path)
    assert_same_package(fast, other)


_word = st.text(alphabet="abcxyz019.-_+~=:'@,", min_size=1, max_size=8)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs=st.lists(
        st.fixed_dictionaries(
            {
                "hash": st.text(
                    alphabet="abcdefghijklmnopqrstuvwxyz234567", min_size=32, max_size=32
                ),
                "compiler": _word,
                "os": _word,
                "platform": _word,
                "target": _word,
                "versions": st.lists(_word, max_size=2),
                "variants": st.lists(_word, max_size=3),
                "stacks": st.lists(_word, max_size=3),
            },
            optional={"size": _word, "tarball": _word},
        ),
        max_size=4,
    )
)
def test_fast_path_and_yaml_agree_on_generated_files(specs: list[dict[str, object]]) -> None:
    data = specs_md(specs)
    fast = parse_bytes(data)
    slow = parse_bytes(_insert_blank_line(data.decode()).encode())
    block = parse_bytes(_all_yaml(data.decode()).encode())
    assert_same_package(fast, slow)
    assert_same_package(fast, block)
    assert len(fast.specs) == len(specs)
    expected = sorted(
        (
            str(raw["hash"]),
            normalise_compiler(str(raw["compiler"])),
            tuple(sorted({normalise_variant(str(v)) for v in raw["variants"]})),  # type: ignore[attr-defined]
            tuple(sorted(set(raw["stacks"]))),  # type: ignore[arg-type]
        )
        for raw in specs
    )
    assert sorted((s.hash, s.compiler, s.variants, s.stacks) for s in fast.specs) == expected


# Any text a spec value may hold: not control characters (Cc) or direction controls,
# which are refused (see test_hardening.py), but U+2028 and the like.
_any_text = st.text(
    st.characters(
        exclude_categories=("Cs", "Cc"),
        exclude_characters="\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    ),
    max_size=12,
)


@settings(max_examples=100, deadline=None)
@given(
    compiler=_any_text,
    variants=st.lists(_any_text, max_size=4),
    extra=_any_text,
    ascii_only=st.booleans(),
)
def test_the_fast_path_carries_any_string_unchanged(
    compiler: str, variants: list[str], extra: str, ascii_only: bool
) -> None:
    """JSON may hold U+2028, U+2029, ... unescaped; they must not be taken as line ends."""
    spec = raw_spec(compiler=compiler, variants=variants, size=extra)
    data = (
        "---\nlayout: cache\nmeta: {}\nspec_details: "
        + json.dumps([spec], ensure_ascii=ascii_only)
        + "\n---"
    ).encode()
    (parsed,) = parse_bytes(data).specs
    assert parsed.raw_compiler == compiler
    assert parsed.raw_variants == tuple(variants)
    assert dict(parsed.extra) == {"size": extra}
    assert parsed.compiler == normalise_compiler(compiler)


# ---- broken files ----------------------------------------------------------------------


def _errors(data: bytes) -> str:
    with pytest.raises(ParseError) as info:
        parse_bytes(data, path="_cache/t/p/specs.md")
    assert info.value.path == "_cache/t/p/specs.md"
    assert str(info.value) == f"_cache/t/p/specs.md: {info.value.reason}"
    return info.value.reason


def test_no_closing_fence() -> None:
    text = sample("develop-2025-03-23", "bc")
    assert "no closing '---'" in _errors(text.rsplit(b"\n---", 1)[0])


def test_truncated_file() -> None:
    text = sample("develop-2025-03-23", "bc")
    assert "no closing '---'" in _errors(text[: len(text) // 2])


def test_not_utf8() -> None:
    text = sample("develop-2025-03-23", "bc").replace(b"ubuntu22.04", b"ubuntu\xff22.04", 1)
    reason = _errors(text)
    assert "not UTF-8" in reason
    assert str(text.index(b"\xff")) in reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no front matter"),
        (b"# bc\n\nJust a page.\n", "no front matter"),
        (b"title: bc\n---\n", "no front matter"),
        (b"---\ntitle: bc\n---", "spec_details is missing"),
        (b'---\nspec_details: {"hash": "x"}\n---', "spec_details must be a list"),
        (b"---\nspec_details: [1]\n---", "spec_details[0] is not a mapping"),
        (b"---\nspec_details: []\nmeta: [1]\n---", "meta must be a mapping"),
        (b'---\nspec_details: []\nmeta: {"num_specs": true}\n---', "meta.num_specs"),
        (b'---\nspec_details: []\nmeta: {"compilers": "gcc"}\n---', "meta.compilers"),
        (
            b'---\nspec_details: []\nmeta: {"num_specs_by_stack": {"root": "1"}}\n---',
            "meta.num_specs_by_stack",
        ),
        (b"---\n\nspec_details: [\n---", "not valid YAML at line"),
        (b"---\n\n- just\n- a list\n---", "front matter is not a mapping"),
    ],
)
def test_structural_errors(data: bytes, reason: str) -> None:
    assert reason in _errors(data)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"hash": 12345}, "spec_details[0].hash must be a string"),
        ({"compiler": None}, "spec_details[0].compiler must be a string"),
        ({"variants": "build_system=cmake"}, "spec_details[0].variants must be a list of strings"),
        ({"versions": [1.0]}, "spec_details[0].versions must be a list of strings"),
        ({"stacks": None}, "spec_details[0].stacks must be a list of strings"),
    ],
)
def test_bad_spec_values(change: dict[str, object], reason: str) -> None:
    assert reason in _errors(specs_md([raw_spec(**change)]))


@pytest.mark.parametrize(
    "key", ["hash", "compiler", "os", "platform", "target", "versions", "variants", "stacks"]
)
def test_missing_spec_key(key: str) -> None:
    spec = raw_spec()
    del spec[key]
    assert _errors(specs_md([raw_spec(hash="b" * 32), spec])) == f"spec_details[1].{key} is missing"


def test_python_tags_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = (
        f'---\ntitle: "p"\nspec_details: !!python/object/apply:os.system ["touch {marker}"]\n---'
    ).encode()
    reason = _errors(data)
    assert "not valid YAML" in reason
    assert "python/object/apply:os.system" in reason or "constructor" in reason
    assert not marker.exists()


def _alias_bomb(where: str) -> bytes:
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghi"
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append(where)
    lines.append("---")
    return "\n".join(lines).encode()


@pytest.mark.parametrize(
    "where",
    [
        "spec_details: *i",
        "spec_details: []\nmeta: {compilers: *i}",
        # Parked where nothing checks its type, the bomb would travel on inside the model.
        "spec_details: [{hash: x, compiler: c, os: o, platform: p, target: t,"
        " versions: [], stacks: [], variants: [], size: *i}]",
    ],
)
def test_yaml_alias_bomb_is_refused(where: str) -> None:
    assert _errors(_alias_bomb(where))


def test_yaml_aliases_are_refused_with_a_clear_reason() -> None:
    data = b'---\n\nx: &v ["root"]\nspec_details: []\nmeta: {stacks: *v}\n---'
    assert "alias" in _errors(data)


@pytest.mark.parametrize(
    "value",
    ["2025-13-45", "!!int abc", "!!float x", "!!timestamp 2020-99-99", "!!binary abc"],
)
def test_bad_yaml_scalars_are_parse_errors_not_crashes(value: str) -> None:
    data = f"---\n\nspec_details: []\nx: {value}\n---".encode()
    assert _errors(data)


def test_deep_nesting_is_a_parse_error() -> None:
    deep = "[" * 50_000 + "]" * 50_000
    assert _errors(f"---\nspec_details: {deep}\n---".encode())
    assert _errors(f"---\n\nspec_details: {deep}\n---".encode())


# ---- paths -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("_cache/develop/bc/specs.md", ("develop", "bc")),
        ("_cache/v0.23.1/py-numpy/specs.md", ("v0.23.1", "py-numpy")),
        ("_cache/develop-2025-03-23/c-blosc/specs.md", ("develop-2025-03-23", "c-blosc")),
        ("_cache/bc/specs.md", None),
        ("_cache/develop/bc/index.md", None),
        ("_cache/develop/bc/extra/specs.md", None),
        ("_cache//bc/specs.md", None),
        ("_cache/develop//specs.md", None),
        ("cache/develop/bc/specs.md", None),
        ("docs/_cache/develop/bc/specs.md", None),
        ("_cache/develop/bc/specs.md.orig", None),
        ("_data/tags.yaml", None),
    ],
)
def test_classify(path: str, key: tuple[str, str] | None) -> None:
    assert classify(path) == key


@pytest.mark.parametrize(
    ("path", "layout"),
    [
        ("_cache/zlib/specs.md", "untagged _cache/<package>/specs.md"),
        ("_cache/zlib/index.md", "untagged _cache/<package>/index.md"),
        ("_cache/zlib/spec-0.json", None),
        ("_cache/develop/zlib/specs.md", None),
        ("_cache/develop/zlib/index.md", None),
        ("_data/specs.md", None),
        ("specs.md", None),
    ],
)
def test_legacy_layout(path: str, layout: str | None) -> None:
    assert legacy_layout(path) == layout


def test_legacy_samples_are_recognised_as_legacy() -> None:
    for folder in ("index-md", "specs-md-flat"):
        root = SAMPLES / "legacy" / folder
        paths = [p.relative_to(root).as_posix() for p in root.rglob("*.md")]
        assert len(paths) == 3
        assert all(legacy_layout(p) is not None for p in paths)
        assert all(classify(p) is None for p in paths)


def test_make_spec_builds_the_same_spec_as_the_constructor() -> None:
    values = (
        "h" * 32,
        ("1.2",),
        "gcc@11.4.0",
        "ubuntu22.04",
        "linux",
        "x86_64_v3",
        ("+shared", "patches=a,b"),
        ("e4s",),
        "gcc@=11.4.0",
        ("patches:=a,b", "+shared"),
        (("size", "123"),),
    )
    made, built = make_spec(*values), Spec(*values)
    assert type(made) is Spec and made == built and hash(made) == hash(built)
    assert [getattr(made, name) for name in Spec.__slots__] == list(values)
    with pytest.raises(AttributeError):  # as frozen as any other spec
        made.hash = "x"  # type: ignore[misc]


def test_a_line_memo_answers_only_for_the_same_package_and_the_same_bytes() -> None:
    memo: LineMemo[int] = LineMemo()
    assert memo.find("zlib", b"[1]") is None
    memo.keep(b"[1]", 1)
    assert memo.find("zlib", b"[1]") == (1,)
    assert memo.find("zlib", b"[1] ") is None  # a byte more: another line
    memo.keep(b"[]", 0)
    assert memo.find("zlib", b"[]") == (0,)  # a falsy value is still an answer
    assert memo.find("bzip2", b"[1]") is None  # another package: forgotten
    assert memo.find("zlib", b"[1]") is None  # and not back when the package returns


def test_copies_of_a_file_in_other_tags_share_their_specs(tmp_path: Path) -> None:
    """A frozen tag's copy of a package differs only in its categories line: a load
    parses its spec list once, and every copy holds the same specs as its own parse."""
    week = "develop-2025-03-30"
    files = sample_tree(week)
    for tag in ("develop", "v1.0.0"):
        for path, data in sample_tree(week, as_tag=tag).items():
            files[path] = data.replace(f"[package, {week}]".encode(), f"[package, {tag}]".encode())
    other = "_cache/v1.0.0/bc/specs.md"
    head, stacks, tail = files[other].rpartition(b'"stacks": ["')  # of the last spec
    files[other] = head + stacks + b'extra", "' + tail
    write_tree(tmp_path, files)
    snap = load(DirectorySource(str(tmp_path)))
    assert not snap.problems
    for (tag, name), package in snap.packages.items():
        alone = parse_package(files[package.path], tag, name, package.path)
        assert package.specs == alone.specs
        if tag != week and package.path != other:
            assert package.specs is snap.packages[(week, name)].specs
    assert snap.packages[("v1.0.0", "bc")].specs != snap.packages[(week, "bc")].specs
