"""How a same-hash spec changed, down to the element: real samples, and deepdiff as oracle."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner
from deepdiff import DeepDiff
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_diff.cli import main
from catalog_diff.compare.fielddiff import FieldDescriber, set_elements
from catalog_diff.compare.pairing import compare_packages, compare_specs
from catalog_diff.model.comparison import FieldChange
from catalog_diff.model.snapshot import BUILD_FIELDS, Spec
from catalog_diff.parse.package import parse_package
from catalog_diff.render.json import schema
from gitrepo import GitRepoBuilder, sample_tree

ROOT = Path(__file__).resolve().parent.parent
TAG, PKG = "develop-2025-03-30", "cmake"
PATH = f"_cache/{TAG}/{PKG}/specs.md"
#: A cmake spec of the weekly sample, built with ``+ownlibs``.
HASH = "2x76yzc43bfb42htvrbgwuhqroxjnq4h"


def _edited(data: bytes, digest: str, **changes: object) -> bytes:
    """The sample file with one spec's fields replaced (the rest byte for byte)."""
    lines = data.decode().split("\n")
    for i, line in enumerate(lines):
        if line.startswith("spec_details: "):
            specs = json.loads(line.removeprefix("spec_details: "))
            (record,) = [s for s in specs if s["hash"] == digest]
            record.update(changes)
            lines[i] = "spec_details: " + json.dumps(specs)
    return "\n".join(lines).encode()


def _sample() -> bytes:
    return sample_tree(TAG)[PATH]


def _flipped() -> bytes:
    """The real cmake file with ``+ownlibs`` turned into ``~ownlibs`` in one spec."""
    data = _sample()
    (raw,) = [s for s in _specs_of(data) if s["hash"] == HASH]
    assert "+ownlibs" in raw["variants"]
    variants = [("~ownlibs" if v == "+ownlibs" else v) for v in raw["variants"]]
    return _edited(data, HASH, variants=variants)


def _specs_of(data: bytes) -> list[dict[str, Any]]:
    line = next(x for x in data.decode().split("\n") if x.startswith("spec_details: "))
    specs: list[dict[str, Any]] = json.loads(line.removeprefix("spec_details: "))
    return specs


# ---- real data ------------------------------------------------------------------------


def test_a_flipped_variant_on_a_real_spec_is_one_added_and_one_removed() -> None:
    before = parse_package(_sample(), TAG, PKG, PATH)
    after = parse_package(_flipped(), TAG, PKG, PATH)
    change = compare_packages(TAG, PKG, before, after)
    assert change is not None
    specs = change.specs
    assert (specs.added, specs.removed, specs.rebuilt, specs.stacks_changed) == ((), (), (), ())
    (fields,) = specs.fields_changed
    assert fields.hash == HASH
    (variants,) = fields.fields
    assert variants.name == "variants"
    assert (variants.added, variants.removed) == (("~ownlibs",), ("+ownlibs",))
    old = [v for s in before.specs if s.hash == HASH for v in s.variants]
    assert variants.old == old and "+ownlibs" in old


def test_a_real_spec_with_a_version_and_a_compiler_changed_under_its_hash() -> None:
    """A list field names its elements; a scalar field is old and new, with none."""
    data = _edited(_sample(), HASH, versions=["3.31.7"], compiler="gcc@12.3.0")
    before = parse_package(_sample(), TAG, PKG, PATH)
    after = parse_package(data, TAG, PKG, PATH)
    change = compare_packages(TAG, PKG, before, after)
    assert change is not None
    (fields,) = change.specs.fields_changed
    versions, compiler = fields.fields
    assert versions.name == "versions"
    assert (versions.added, versions.removed) == (("3.31.7",), ("3.31.6",))
    assert (compiler.name, compiler.old, compiler.new) == ("compiler", "gcc@11.4.0", "gcc@12.3.0")
    assert (compiler.added, compiler.removed) == ((), ())


def test_the_report_names_the_elements_in_every_format(tmp_path: Path) -> None:
    """Through the command line on a real git repository: JSON gains ``added`` and
    ``removed`` (and still validates), text and Markdown show ``+x -y``."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write({PATH: _sample()})
    repo.commit("weekly cmake", date="2025-03-30T06:00:00+00:00")
    repo.write({PATH: _flipped()})
    repo.commit("cmake: one spec respelled", date="2025-03-31T06:00:00+00:00")
    args = ["diff", "--repo", str(repo.path), "HEAD~1", "HEAD"]
    result = CliRunner().invoke(main, [*args, "--format", "json"], catch_exceptions=False)
    assert (result.exit_code, result.stderr) == (0, "")
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(json.loads(schema())).validate(report)
    (package,) = report["packages"]
    (entry,) = package["specs"]["fields_changed"]
    assert entry["hash"] == HASH
    variants = entry["fields"]["variants"]
    assert (variants["added"], variants["removed"]) == (["~ownlibs"], ["+ownlibs"])
    assert report["summary"]["specs_fields_changed"] == 1
    for fmt in ("text", "markdown"):
        result = CliRunner().invoke(main, [*args, "--format", fmt], catch_exceptions=False)
        assert result.exit_code == 0
        assert "fields variants +~ownlibs -+ownlibs" in result.stdout.replace("`", "")


def test_deepdiff_is_loaded_only_to_describe_a_changed_list_field() -> None:
    """Importing the library and comparing real specs whose lists did not change leaves
    deepdiff unloaded; the first changed list field of a same-hash pair loads it."""
    code = (
        "import sys\n"
        "import catalog_diff.api, catalog_diff.cli\n"
        "from catalog_diff.compare.pairing import compare_packages\n"
        "from catalog_diff.parse.package import parse_package\n"
        "old = parse_package(open(sys.argv[1], 'rb').read(), 't', 'p', 'a')\n"
        "new = parse_package(open(sys.argv[2], 'rb').read(), 't', 'p', 'a')\n"
        "assert compare_packages('t', 'p', old, old) is None\n"
        "print('deepdiff' in sys.modules)\n"
        "compare_packages('t', 'p', old, new)\n"
        "print('deepdiff' in sys.modules)\n"
    )
    sample = Path(__file__).parent / "fixtures" / "catalog-samples" / "cache" / TAG / PKG
    with tempfile.TemporaryDirectory() as tmp:
        flipped = Path(tmp, "flipped.md")
        flipped.write_bytes(_flipped())
        done = subprocess.run(
            [sys.executable, "-c", code, str(sample / "specs.md"), str(flipped)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


# ---- memo and budget ------------------------------------------------------------------


def _spec(digest: str, variants: tuple[str, ...]) -> Spec:
    return Spec(
        hash=digest,
        versions=("1.0",),
        compiler="gcc@11.4.0",
        os="ubuntu22.04",
        platform="linux",
        target="x86_64_v3",
        variants=variants,
        stacks=("root",),
    )


def test_one_respelling_repeated_over_many_specs_asks_deepdiff_once() -> None:
    describer = FieldDescriber()
    old = [_spec(f"h{i:03d}", ("+pic", "~shared")) for i in range(300)]
    new = [_spec(f"h{i:03d}", ("+pic", "+shared")) for i in range(300)]
    changes = compare_specs(old, new, describer)
    assert len(changes.fields_changed) == 300
    assert {(f.added, f.removed) for c in changes.fields_changed for f in c.fields} == {
        (("+shared",), ("~shared",))
    }
    assert describer.deepdiff_calls == 1


def test_past_its_budget_a_describer_gives_the_same_answer_without_deepdiff() -> None:
    describer = FieldDescriber(deepdiff_calls=2)
    old = [_spec(f"h{i}", ("+pic", f"build={i}")) for i in range(5)]
    new = [_spec(f"h{i}", ("+pic", f"build={i}-new")) for i in range(5)]
    changes = compare_specs(old, new, describer)
    assert describer.deepdiff_calls == 2
    assert [(f.added, f.removed) for c in changes.fields_changed for f in c.fields] == [
        ((f"build={i}-new",), (f"build={i}",)) for i in range(5)
    ]


# ---- properties: the answer is deepdiff's ---------------------------------------------

PROPS = settings(max_examples=150, deadline=None)
ELEMENTS = st.sampled_from(["+shared", "~shared", "+pic", "build_type=Release", "1.0", "2.0"])
VALUES = st.lists(ELEMENTS, max_size=5).map(tuple)


def _deepdiff_elements(old: list[str], new: list[str]) -> tuple[tuple[str, ...], ...]:
    """Elements added and removed, read from ``DeepDiff(ignore_order=True)`` on the lists
    (a value it reports changed is one element removed and one added)."""
    report = DeepDiff(old, new, ignore_order=True, view="tree")
    added = [level.t2 for level in report.get("iterable_item_added", ())]
    removed = [level.t1 for level in report.get("iterable_item_removed", ())]
    for level in report.get("values_changed", ()):
        added.append(level.t2)
        removed.append(level.t1)
    assert set(report) <= {"iterable_item_added", "iterable_item_removed", "values_changed"}
    return tuple(sorted(set(added))), tuple(sorted(set(removed)))


@PROPS
@given(before=VALUES, after=VALUES, budget=st.sampled_from([0, 5]))
def test_prop_elements_are_deepdiffs_answer(
    before: tuple[str, ...], after: tuple[str, ...], budget: int
) -> None:
    """With deepdiff asked (budget left) or not (budget spent), the elements added and
    removed are those ``DeepDiff(ignore_order=True)`` reports on the two lists."""
    if set(before) == set(after):
        return
    describer = FieldDescriber(deepdiff_calls=budget)
    assert describer.elements(before, after) == _deepdiff_elements(list(before), list(after))
    assert set_elements(before, after) == _deepdiff_elements(list(before), list(after))


_FIELDS = {
    "versions": st.lists(st.sampled_from(["1.0", "1.1", "2.0"]), max_size=3).map(tuple),
    "compiler": st.sampled_from(["gcc@11.4.0", "gcc@12.3.0", "oneapi@2025.0.4"]),
    "os": st.sampled_from(["rhel8", "ubuntu22.04"]),
    "platform": st.sampled_from(["linux", "darwin"]),
    "target": st.sampled_from(["x86_64_v3", "zen4"]),
    "variants": st.lists(ELEMENTS, max_size=4).map(tuple),
}


@PROPS
@given(old=st.fixed_dictionaries(_FIELDS), new=st.fixed_dictionaries(_FIELDS))
def test_prop_a_same_hash_pair_is_described_as_deepdiff_describes_it(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    """Field by field, the description of a hash-matched pair is deepdiff's: the fields it
    names changed, scalar fields old and new, list fields the elements it reports; and
    swapping the sides swaps added and removed."""
    before = Spec(hash="h", stacks=("root",), **old)
    after = Spec(hash="h", stacks=("root",), **new)
    described = FieldDescriber().describe(before, after)
    expected = []
    for name in BUILD_FIELDS:
        report = DeepDiff(old[name], new[name], ignore_order=True)
        if not report:
            continue
        if isinstance(old[name], tuple):
            added, removed = _deepdiff_elements(list(old[name]), list(new[name]))
            expected.append(FieldChange(name, list(old[name]), list(new[name]), added, removed))
        else:
            assert report["values_changed"]["root"]["old_value"] == old[name]
            expected.append(FieldChange(name, old[name], new[name]))
    assert described == tuple(expected)
    assert [(f.added, f.removed) for f in described] == [(f.added, f.removed) for f in expected]
    swapped = FieldDescriber().describe(after, before)
    assert [(f.name, f.added, f.removed) for f in swapped] == [
        (f.name, f.removed, f.added) for f in described
    ]
