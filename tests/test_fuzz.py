"""Fuzzing: valid catalogs built from the real samples' vocabulary, then corrupted.

Strategies build package files of the current layout (spec values drawn from the saved
samples, meta computed from the specs as the catalog writes it) and whole catalogs of a
few packages on two sides, and corrupt them: bytes flipped, the file cut short, lines
deleted or repeated, keys removed, values of another type, random text inserted.

Properties:

- parsing raises nothing but :class:`ParseError`, on every path (the full parse with and
  without meta, the shared-line shortcut, the history index's check, the older layouts),
  and the index's check accepts exactly what the parser accepts;
- a comparison of two directory catalogs raises nothing but a ``CatalogDiffError``; every
  spec of every package read on both sides is accounted for exactly once; a broken file
  never makes its package added, removed or changed; every report renders with no
  control character;
- a catalog round-trips through a snapshot file (same packages, specs, tags, problems);
- ``lint`` finds nothing in a valid catalog, and only findings in a broken one.

The suite runs a fixed budget with a fixed seed (about 200 examples in all); a long
campaign: ``CATALOG_DIFF_FUZZ_EXAMPLES=100000 .venv/bin/python -m pytest tests/test_fuzz.py``
(the examples per property; see tests/conftest.py).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_diff import api
from catalog_diff.errors import CatalogDiffError, ParseError
from catalog_diff.layout import INVISIBLE, UNSAFE
from catalog_diff.model.snapshot import Package
from catalog_diff.parse.frontmatter import spec_details_line
from catalog_diff.parse.legacy import parse_flat_specs_md, parse_index_md, parse_spec_json
from catalog_diff.parse.package import LineMemo, count_specs, parse_package
from catalog_diff.parse.specs import check_spec_details, parse_spec_details, parse_specs
from catalog_diff.parse.specsplit import split_spec_details
from catalog_diff.render import render
from catalog_diff.sources.load import Sources, load
from catalog_diff.sources.snapshotfile import SnapshotFileSource, dumps
from checks import assert_accounted
from conftest import FUZZ_EXAMPLES
from gitrepo import SAMPLES


def budget(examples: int) -> settings:
    """``examples`` in the suite (fixed seed); the campaign's number when one is asked."""
    return settings(settings.get_profile("fuzz"), max_examples=FUZZ_EXAMPLES or examples)


# ---- the vocabulary of the real samples ------------------------------------------------------


def _vocabulary() -> dict[str, list[Any]]:
    values: dict[str, set[Any]] = {
        k: set() for k in ("compiler", "os", "platform", "target", "variants", "versions", "stacks")
    }
    hashes: set[str] = set()
    for path in sorted((SAMPLES / "cache").glob("*/*/specs.md")):
        line = path.read_bytes().split(b"\n")[5]
        for spec in orjson.loads(line[len(b"spec_details: ") :]):
            hashes.add(spec["hash"])
            for key in ("compiler", "os", "platform", "target"):
                values[key].add(spec[key])
            for key in ("variants", "versions", "stacks"):
                values[key].update(spec[key])
    out = {k: sorted(v) for k, v in values.items()}
    out["hash"] = sorted(hashes)
    out["names"] = sorted(p.name for p in (SAMPLES / "cache" / "develop-2025-03-30").iterdir())
    return out


VOCAB = _vocabulary()
HASH_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def raw_spec() -> st.SearchStrategy[dict[str, Any]]:
    """One element of spec_details, as the catalog writes it (keys sorted)."""
    return st.fixed_dictionaries(
        {
            "compiler": st.sampled_from(VOCAB["compiler"]),
            "hash": st.sampled_from(VOCAB["hash"])
            | st.text(HASH_ALPHABET, min_size=32, max_size=32),
            "os": st.sampled_from(VOCAB["os"]),
            "platform": st.sampled_from(VOCAB["platform"]),
            "size": st.just("-"),
            "stacks": st.lists(st.sampled_from(VOCAB["stacks"]), max_size=3).map(
                lambda s: sorted(set(s) | {"root"})
            ),
            "target": st.sampled_from(VOCAB["target"]),
            "variants": st.lists(st.sampled_from(VOCAB["variants"]), max_size=4, unique=True),
            "versions": st.lists(st.sampled_from(VOCAB["versions"]), min_size=1, max_size=1),
        }
    )


def package_file(name: str, tag: str, specs: list[dict[str, Any]]) -> bytes:
    """A package file of the current layout, its meta the sorted unions over ``specs``."""
    by_stack = Counter(s for spec in specs for s in spec["stacks"])
    meta = {
        "compilers": sorted({s["compiler"] for s in specs}),
        "num_specs": len(specs),
        "num_specs_by_stack": dict(sorted(by_stack.items())),
        "oss": sorted({s["os"] for s in specs}),
        "platforms": sorted({s["platform"] for s in specs}),
        "stacks": sorted(by_stack),
        "targets": sorted({s["target"] for s in specs}),
        "versions": sorted({v for s in specs for v in s["versions"]}),
    }
    details = sorted(specs, key=lambda s: s["hash"])
    return b"\n".join(
        [
            b"---",
            b'title: "' + name.encode() + b'"',
            b"layout: cache",
            b"categories: [package, " + tag.encode() + b"]",
            b"meta: " + json.dumps(meta).encode(),
            b"spec_details: " + json.dumps(details).encode(),
            b"---",
        ]
    )


# ---- corruptions -----------------------------------------------------------------------------

_OTHER_TYPES = st.sampled_from([None, 0, 1.5, True, [], {}, "", ["x", 1], {"a": "b"}])
_KEYS = ["compiler", "hash", "os", "platform", "size", "stacks", "target", "variants", "versions"]


@st.composite
def corrupted(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one or two corruptions of the kinds a broken file shows."""
    for _ in range(draw(st.integers(1, 2))):
        data = draw(st.sampled_from(_CORRUPTIONS))(draw, data)
    return data


def _flip(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return bytes([draw(st.integers(0, 255))])
    i = draw(st.integers(0, len(data) - 1))
    return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]


def _truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _lines_edit(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.split(b"\n")
    i = draw(st.integers(0, len(lines) - 1))
    if draw(st.booleans()):
        del lines[i]
    else:
        lines.insert(i, lines[i])
    return b"\n".join(lines)


def _insert_text(draw: st.DrawFn, data: bytes) -> bytes:
    i = draw(st.integers(0, len(data)))
    text = draw(st.text(max_size=8)).encode("utf-8", "surrogatepass")
    return data[:i] + text + data[i:]


def _json_edit(draw: st.DrawFn, data: bytes) -> bytes:
    """Remove a key of a spec or of meta, or give it a value of another type."""
    lines = data.split(b"\n")
    i = draw(st.sampled_from([4, 5])) if len(lines) > 5 else 0
    key, sep, value = lines[i].partition(b": ")
    try:
        doc = orjson.loads(value)
    except orjson.JSONDecodeError:
        return data
    target = doc
    if isinstance(doc, list) and doc:
        target = doc[draw(st.integers(0, len(doc) - 1))]
    if draw(st.booleans()) and isinstance(doc, (list, dict)):
        target = doc  # the whole value: spec_details or meta of another type
        lines[i] = key + sep + orjson.dumps(draw(_OTHER_TYPES))
        return b"\n".join(lines)
    if isinstance(target, dict) and target:
        name = draw(st.sampled_from(sorted(target)))
        if draw(st.booleans()):
            del target[name]
        else:
            target[name] = draw(_OTHER_TYPES)
    lines[i] = key + sep + orjson.dumps(doc)
    return b"\n".join(lines)


_CORRUPTIONS: list[Callable[[st.DrawFn, bytes], bytes]] = [
    _flip,
    _truncate,
    _lines_edit,
    _insert_text,
    _json_edit,
    _json_edit,
]


@st.composite
def package_bytes(draw: st.DrawFn) -> bytes:
    """A valid package file, sometimes corrupted."""
    specs = draw(st.lists(raw_spec(), max_size=5))
    data = package_file(draw(st.sampled_from(VOCAB["names"])), "develop", specs)
    return draw(corrupted(data)) if draw(st.integers(0, 3)) else data


# ---- parsing -----------------------------------------------------------------------------------

PATH = "_cache/develop/fuzz/specs.md"


def _outcome(call: Callable[[], object]) -> object:
    """What a parser gives: its result, or the ParseError (anything else escapes)."""
    try:
        return call()
    except ParseError as exc:
        assert exc.path == PATH or exc.path.startswith("_cache/"), exc.path
        assert "\n" not in str(exc)
        return exc


@budget(80)
@given(data=package_bytes())
def test_parsing_raises_nothing_but_parse_errors(data: bytes) -> None:
    for with_meta in (True, False):
        plain, memo = (
            _outcome(lambda: parse_package(data, "develop", "fuzz", PATH, None, with_meta, cache))  # noqa: B023
            for cache in (None, LineMemo())
        )
        # With a memo the front matter above spec_details is read alone: the same verdict.
        assert isinstance(plain, ParseError) == isinstance(memo, ParseError), (plain, memo)
        if not isinstance(plain, ParseError):
            assert plain == memo
    counted = _outcome(lambda: count_specs(data, PATH))
    if isinstance(plain, Package):  # what parses is counted alike (counting checks less)
        assert counted == len(plain.specs), (counted, plain)
    line = spec_details_line(data)
    if line is not None:
        # The history index checks a line the way the loader parses it: the same verdict.
        parsed = _outcome(lambda: parse_spec_details(line, PATH))
        checked = _outcome(lambda: check_spec_details(line, PATH))
        assert isinstance(parsed, ParseError) == isinstance(checked, ParseError), (parsed, checked)
        if not isinstance(parsed, ParseError):
            assert checked == len(parsed)  # type: ignore[arg-type]
    # The older layouts' parsers, on the same bytes.
    _outcome(lambda: parse_flat_specs_md(data, "_cache/fuzz/specs.md"))
    _outcome(lambda: parse_index_md(data, "_cache/fuzz/index.md"))
    _outcome(lambda: parse_spec_json(data, "_cache/fuzz/spec-0.json", "fuzz"))


@budget(40)
@given(data=package_bytes())
def test_the_index_splits_a_line_as_the_loader_parses_it(data: bytes) -> None:
    """The history index stores a line as (hash, body) pairs, checking each distinct body
    once: the same verdict and the same error as the full check, and the specs read back
    are the loader's, whether the bodies were met before or not."""
    line = spec_details_line(data)
    if line is None:
        return
    parsed = _outcome(lambda: parse_spec_details(line, PATH))
    checked = _outcome(lambda: check_spec_details(line, PATH))
    first = _outcome(lambda: split_spec_details(line, PATH, set()))
    if isinstance(checked, ParseError):
        assert isinstance(first, ParseError) and str(first) == str(checked), (first, checked)
        return
    assert isinstance(first, list) and not isinstance(parsed, ParseError), (first, parsed)
    again = split_spec_details(line, PATH, {body for _, body in first})
    assert again == first
    back = parse_specs([{"hash": h, **json.loads(b)} for h, b in first], PATH)
    assert back == parsed
    assert [s.extra for s in back] == [s.extra for s in parsed]  # type: ignore[union-attr]


_LEGACY = sorted((SAMPLES / "legacy").glob("*/_cache/*/*"))


@budget(20)
@given(st.sampled_from(_LEGACY), st.data())
def test_older_layouts_raise_nothing_but_parse_errors(path: Path, data: st.DataObject) -> None:
    raw = data.draw(corrupted(path.read_bytes()))
    rel = f"_cache/{path.parent.name}/{path.name}"
    if path.name == "index.md":
        _outcome(lambda: parse_index_md(raw, rel))
    elif path.name == "specs.md":
        _outcome(lambda: parse_flat_specs_md(raw, rel))
    else:
        _outcome(lambda: parse_spec_json(raw, rel, path.parent.name))


# ---- catalogs ----------------------------------------------------------------------------------


@st.composite
def evolved(draw: st.DrawFn, spec: dict[str, Any]) -> dict[str, Any]:
    """A spec as the next day's catalog may hold it: the same, rebuilt, or one field new."""
    out = dict(spec)
    change = draw(st.sampled_from(["same", "rebuilt", "compiler", "versions", "stacks", "new"]))
    if change != "same":
        out["hash"] = draw(st.text(HASH_ALPHABET, min_size=32, max_size=32))
    if change in ("compiler", "versions", "stacks"):
        out[change] = draw(raw_spec())[change]
    if change == "new":
        out = draw(raw_spec())
    return out


@st.composite
def catalog_pair(draw: st.DrawFn) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Two sides of a catalog of a few packages in one or two tags, some files broken."""
    names = draw(st.lists(st.sampled_from(VOCAB["names"]), min_size=1, max_size=4, unique=True))
    tags = draw(st.sampled_from([["develop"], ["develop", "v0.23.1"]]))
    old: dict[str, bytes] = {}
    new: dict[str, bytes] = {}
    for tag in tags:
        for name in names:
            path = f"_cache/{tag}/{name}/specs.md"
            before = draw(st.lists(raw_spec(), max_size=5))
            after = [draw(evolved(s)) for s in before if draw(st.integers(0, 5))]
            after += draw(st.lists(raw_spec(), max_size=2))
            presence = draw(st.sampled_from(["both", "both", "old", "new"]))
            for side, specs, present in ((old, before, "new"), (new, after, "old")):
                if presence != present:
                    data = package_file(name, tag, specs)
                    side[path] = draw(corrupted(data)) if not draw(st.integers(0, 4)) else data
    return old, new


def write_catalog(root: Path, files: dict[str, bytes]) -> None:
    (root / "_cache").mkdir(parents=True)
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def loaded(root: Path) -> Any:
    with Sources() as sources:
        return load(sources.open(str(root)))


HIDDEN = re.compile(f"{UNSAFE.pattern}|{INVISIBLE.pattern}")


def assert_clean_output(text: str) -> None:
    """No control, direction, zero-width or other invisible character, line ends aside."""
    assert not HIDDEN.search(text.replace("\n", "")), text[:200]


@budget(50)
@given(catalog_pair())
def test_comparisons_raise_only_catalog_errors_and_account_for_every_spec(
    pair: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        old_dir, new_dir = Path(tmp, "old"), Path(tmp, "new")
        write_catalog(old_dir, pair[0])
        write_catalog(new_dir, pair[1])
        try:
            comparison = api.diff(str(old_dir), str(new_dir))
        except CatalogDiffError:
            return
        before, after = loaded(old_dir), loaded(new_dir)
    broken = before.broken | after.broken
    # Every problem of a tag on both sides is reported; a tag on one side only is counted,
    # not read, so a file there is a problem only when it cannot even be counted.
    reported = {p.path for p in comparison.problems}
    loaded_problems = {p.path for p in (*before.problems, *after.problems)}
    common = before.tags & after.tags
    assert {p for p in loaded_problems if p.split("/")[1] in common} <= reported <= loaded_problems
    changed = {}
    for change in comparison.packages:
        key = (change.tag, change.name)
        changed[key] = change
        assert key not in broken, "a broken file never makes its package added or removed"
        old = before.packages[key].specs if key in before.packages else ()
        new = after.packages[key].specs if key in after.packages else ()
        assert_accounted(old, new, change.specs)
    for key in set(before.packages) & set(after.packages) - set(changed):
        # Unchanged: the same specs, as a multiset.
        assert Counter(before.packages[key].specs) == Counter(after.packages[key].specs), key
    for fmt in ("text", "markdown", "json", "github"):
        report = render(comparison, fmt)
        assert_clean_output(report)
    assert render(comparison, "github").isascii()
    json.loads(render(comparison, "json"))


@budget(30)
@given(catalog_pair())
def test_catalogs_round_trip_through_snapshot_files(
    pair: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "catalog")
        write_catalog(root, pair[1])
        snap = loaded(root)
        saved = Path(tmp, "saved.json")
        saved.write_bytes(dumps(snap))
        again = load(SnapshotFileSource(str(saved)))
    assert again.packages == snap.packages
    for key, package in snap.packages.items():
        assert again.packages[key].specs == package.specs
        assert again.packages[key].path == package.path
    assert again.tags == snap.tags
    assert sorted(again.problems, key=repr) == sorted(snap.problems, key=repr)
    assert again.broken == snap.broken


@st.composite
def valid_catalog(draw: st.DrawFn) -> dict[str, bytes]:
    """A catalog of a few packages in one or two tags, every file as the catalog writes
    it, every hash distinct within a tag."""
    names = draw(st.lists(st.sampled_from(VOCAB["names"]), min_size=1, max_size=4, unique=True))
    tags = draw(st.sampled_from([["develop"], ["develop", "v0.23.1"]]))
    files = {}
    for tag in tags:
        for n, name in enumerate(names):
            specs = draw(st.lists(raw_spec(), max_size=5))
            for i, spec in enumerate(specs):
                spec["hash"] = f"{n:04d}{i:028d}"
            files[f"_cache/{tag}/{name}/specs.md"] = package_file(name, tag, specs)
    return files


@budget(10)
@given(valid_catalog())
def test_lint_finds_nothing_in_a_valid_catalog(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "catalog")
        write_catalog(root, files)
        report = api.lint(str(root))
    assert report.findings == (), report.findings


@budget(10)
@given(catalog_pair())
def test_lint_of_a_broken_catalog_gives_findings_never_a_crash(
    pair: tuple[dict[str, bytes], dict[str, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "catalog")
        write_catalog(root, pair[1])
        try:
            report = api.lint(str(root))
        except CatalogDiffError:
            return
        snap = loaded(root)
    # Lint reads meta too: every file the comparison could not read, and maybe more.
    assert {f.path for f in report.unreadable} >= {p.path for p in snap.problems}
    for finding in report.findings:
        assert not UNSAFE.search(finding.message)
