"""Bounded resources: snapshot-file limits checked before parsing, no crash under an
address-space limit (``ulimit -v``), and user templates that cannot grow without bound."""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import catalog_diff.sources.snapshotfile as snapshotfile
from catalog_diff.api import release_notes
from catalog_diff.cli import main
from catalog_diff.errors import SnapshotFileError, TemplateError
from catalog_diff.render import sandbox
from catalog_diff.render.release_notes import render_release_notes
from gitrepo import sample_tree, write_tree

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = [
    ROOT / "snapshots" / "develop-2025-03-23.json",
    ROOT / "snapshots" / "develop-2025-03-30.json",
]
CLI = Path(sys.executable).parent / "catalog-diff"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _bigger(copies: int) -> dict[str, Any]:
    """The 03-30 snapshot with its develop tag copied ``copies`` times (585 specs each)."""
    doc = _doc(SNAPSHOTS[1])
    packages = []
    for i in range(copies):
        for package in doc["packages"]:
            tag = f"develop-{i:04d}"
            name = package["name"]
            packages.append(package | {"tag": tag, "path": f"_cache/{tag}/{name}/specs.md"})
    doc["packages"] = sorted(packages, key=lambda p: (p["tag"], p["name"]))
    doc["tags"] = sorted({p["tag"] for p in packages})
    return doc


def _as_written(doc: dict[str, Any]) -> bytes:
    """The layout catalog-diff writes: the head, then one package a line."""
    compact: dict[str, Any] = {"sort_keys": True, "separators": (",", ":")}
    head = json.dumps({k: v for k, v in doc.items() if k != "packages"}, **compact)
    lines = ",\n".join(json.dumps(p, **compact) for p in doc["packages"])
    return f'{head[:-1]},"packages":[\n{lines}\n]}}\n'.encode()


# ---- snapshot-file limits --------------------------------------------------------------


def test_too_many_specs_are_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshotfile, "MAX_SNAPSHOT_SPECS", 584)
    code, out, err = run("show", str(SNAPSHOTS[1]))
    assert (code, out) == (3, "")
    assert err == (
        f"catalog-diff: error: {SNAPSHOTS[1]}: not a catalog-diff snapshot file: "
        "more than 584 specs (the limit); not read\n"
    )
    monkeypatch.setattr(snapshotfile, "MAX_SNAPSHOT_SPECS", 585)
    assert run("show", str(SNAPSHOTS[1]))[0] == 0


def test_decompression_stops_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gzip stream is read a piece at a time and no further than the limit: a stream
    that is broken past the limit is refused for its size, its break never reached."""
    good = gzip.compress(b"{" + b" " * 3_000_000, mtime=0)
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(good[:-8] + b"broken!!" + gzip.compress(b"}" * 10))
    monkeypatch.setattr(snapshotfile, "MAX_SNAPSHOT_BYTES", 1_000_000)
    with pytest.raises(SnapshotFileError, match=r"larger than 976\.6 KiB once decompressed"):
        snapshotfile.SnapshotFileSource(str(bomb))
    monkeypatch.setattr(snapshotfile, "MAX_SNAPSHOT_BYTES", 10_000_000)
    with pytest.raises(SnapshotFileError, match="broken gzip data"):
        snapshotfile.SnapshotFileSource(str(bomb))


def test_a_plain_file_over_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshotfile, "MAX_SNAPSHOT_BYTES", 100_000)
    code, _, err = run("show", str(SNAPSHOTS[0]))
    assert code == 3
    assert err.endswith("larger than 97.7 KiB (the limit); not read\n")
    assert err.count("\n") == 1


def test_line_layout_and_any_layout_read_the_same(tmp_path: Path) -> None:
    """A file as catalog-diff writes it is parsed a package line at a time; any other
    layout of the same JSON is parsed whole; both read the same."""
    doc = _bigger(2)
    lines, whole = tmp_path / "lines.json", tmp_path / "whole.json"
    lines.write_bytes(_as_written(doc))
    whole.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    assert snapshotfile._split_lines(bytearray(lines.read_bytes()), "x") is not None
    assert snapshotfile._split_lines(bytearray(whole.read_bytes()), "x") is None
    a, b = run("show", str(lines), "--format", "json"), run("show", str(whole), "--format", "json")
    assert a[0] == b[0] == 0
    assert a[1].replace(str(lines), "F") == b[1].replace(str(whole), "F")
    # The file the snapshot command writes has that layout.
    saved = tmp_path / "saved.json"
    assert run("snapshot", str(lines), "-o", str(saved), "-q")[0] == 0
    assert snapshotfile._split_lines(bytearray(saved.read_bytes()), "x") is not None


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda t: t.replace(b"},\n", b"}\n", 1), "not JSON"),  # a missing comma
        (lambda t: t.replace(b'"name":', b'"name"', 1), "not JSON (packages[0]"),
        (lambda t: t[:-3] + b"]}x\n", "not JSON"),
        (lambda t: t.replace(b"\n", b"\n[", 1), "not JSON"),
    ],
)
def test_a_damaged_package_line_is_not_json(tmp_path: Path, damage: Any, message: str) -> None:
    path = tmp_path / "damaged.json"
    path.write_bytes(damage(_as_written(_doc(SNAPSHOTS[0]))))
    code, out, err = run("show", str(path))
    assert (code, out) == (3, "")
    assert message in err and err.count("\n") == 1


# ---- an address-space limit: exit 3 or a clean message, never a signal ------------------


def _under_limit(megabytes: int, *args: str) -> subprocess.CompletedProcess[str]:
    limit = megabytes << 20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [str(CLI), *args],
        preexec_fn=cap,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _clean(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode in (0, 1, 3), (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "Fatal Python error" not in done.stderr
    if done.returncode == 3:
        assert done.stderr.count("\n") == 1, done.stderr
        assert done.stderr.startswith("catalog-diff: error: ")


@pytest.fixture(scope="module")
def big_snapshots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """About 35,000 specs, in the layout catalog-diff writes and in another one."""
    folder = tmp_path_factory.mktemp("big")
    doc = _bigger(60)
    lines, whole = folder / "lines.json", folder / "whole.json"
    lines.write_bytes(_as_written(doc))
    whole.write_text(json.dumps(doc), encoding="utf-8")
    return lines, whole


@pytest.mark.parametrize("megabytes", [30, 60, 120, 250, 1000])
def test_no_crash_reading_snapshot_files_under_ulimit_v(
    megabytes: int, big_snapshots: tuple[Path, Path]
) -> None:
    """orjson crashed the process (SIGSEGV) when it ran out of address space while parsing
    a large file; now a file is parsed a package line at a time, and only once there is
    room for the worst case, or the run ends with a one-line error."""
    lines, whole = big_snapshots
    for args in (("show", str(lines)), ("show", str(whole)), ("diff", str(lines), str(whole))):
        done = _under_limit(megabytes, *args)
        _clean(done)
        if done.returncode == 3:
            assert "out of memory" in done.stderr
    if megabytes >= 1000:  # enough: every run answers
        assert _under_limit(megabytes, "diff", str(lines), str(whole)).returncode == 0


@pytest.mark.parametrize("megabytes", [30, 45, 60, 250])
def test_no_crash_reading_directories_under_ulimit_v(megabytes: int, tmp_path: Path) -> None:
    write_tree(tmp_path / "old", sample_tree("develop-2025-03-23", as_tag="develop"))
    write_tree(tmp_path / "new", sample_tree("develop-2025-03-30", as_tag="develop"))
    for args in (
        ("diff", str(tmp_path / "old"), str(tmp_path / "new")),
        ("lint", str(tmp_path / "new")),
        ("snapshot", str(tmp_path / "new"), "-o", str(tmp_path / "s.json.gz")),
    ):
        _clean(_under_limit(megabytes, *args))


# ---- templates ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notes() -> Any:
    return release_notes(str(SNAPSHOTS[0]), str(SNAPSHOTS[1]), tag="develop")


@pytest.mark.parametrize(
    "text, message",
    [
        ('{{ "x" * 10**9 }}', "a * repetition would be larger than 4,000,000 characters"),
        ("{{ [1, 2] * 10**8 }}", "a * repetition would be larger than"),
        ("{{ 10 ** 100000 }}", "a ** power would be larger than 4,096 bits"),
        (
            '{% set ns = namespace(s="ab") %}{% for i in range(40) %}'
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
            "a ~ concatenation would be larger than",
        ),
        (
            '{% set ns = namespace(s="ab") %}{% for i in range(40) %}'
            "{% set ns.s = ns.s + ns.s %}{% endfor %}",
            "a + concatenation would be larger than",
        ),
        (
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(10) %}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "loops took more than 1,000,000 steps",
        ),
        ('{{ "x"|center(10**9) }}', "the center filter's result would be larger than"),
        ('{{ ("x\\n" * 1000)|indent(10**6) }}', "the indent filter's result would be larger"),
        ('{{ ("a" * 10000)|replace("a", "b" * 1000) }}', "the replace filter's result"),
        ('{{ (["x"] * 100000)|join("y" * 100) }}', "would be larger than"),
        ('{{ "x".center(10**9) }}', "str.center() would be larger than"),
        ('{{ ("a" * 10000).replace("a", "b" * 1000) }}', "str.replace() would be larger"),
        ('{{ "{:>100000000}".format(1) }}', "str.format() would be larger than"),
        ('{{ "%100000000d" % 1 }}', "a % format with a width or precision past the limit"),
        ('{% set s = "x" * 3000000 %}{{ [s, s] }}', "a value written out would be larger than"),
        ("{{ lipsum(10**6) }}", "'lipsum' is undefined"),
        ("{% set l = [] %}{{ l.append(1) }}", "access to attribute 'append'"),
        (
            "{% for i in range(200) %}"
            '{{ "x" * 99999 }}{{ "x" * 99999 }}{{ "x" * 99999 }}{{ "x" * 99999 }}'
            "{% endfor %}",
            "the output is larger than 16,777,216 characters",
        ),
        (
            '{% set ns = namespace(s="") %}{% for i in range(100000) %}'
            '{% set ns.s = ns.s ~ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" %}{% endfor %}',
            "the template computed more than 256,000,000 characters in all",
        ),
    ],
)
def test_templates_cannot_grow_without_bound(notes: Any, text: str, message: str) -> None:
    with pytest.raises(TemplateError, match="template error") as caught:
        render_release_notes(notes, text, name="t.md.j2")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_recursive_loops_are_counted(notes: Any) -> None:
    text = (
        "{% for x in [1] recursive %}{% if loop.depth < 4 %}"
        "{{ loop(range(1000)) }}{% endif %}{% endfor %}"
    )
    with pytest.raises(TemplateError, match="loops took more than"):
        render_release_notes(notes, text, name="t.md.j2")


def test_a_reasonable_template_still_renders(notes: Any) -> None:
    text = (
        "{% for p in new_packages %}{{ p.name|code }}{{ loop.last and '.' or ', ' }}"
        "{% endfor %}\n{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ 'x' ~ 'y' }} {{ '%05d' % 42 }}"
        " {{ 'a-b'.replace('-', '+') }} {{ ['a', 'b']|join('/') }} {{ 'x'|center(5) }}|\n"
        "{{ range(3)|list }} {{ '{:>4}'.format(7) }}\n"
    )
    out = render_release_notes(notes, text, name="t.md.j2")
    # Markdown output is made inert: runs of spaces are written as &#32;
    first, second = out.replace("&#32;", " ").splitlines()
    assert first.startswith("`compiler-wrapper`, ")  # the first new package of the week
    assert first.endswith(".ababab 1024 xy 00042 a+b a/b   x  |")  # trim_blocks ate "\n"
    assert second == "[0, 1, 2]    7"


def test_weight_counts_nested_values() -> None:
    assert sandbox.weight("abc") == 3
    # The list (3 items, + 1), "ab", the tuple (1 + 1), "c", the dict (1 + 1), "k", "vv".
    assert sandbox.weight(["ab", ("c",), {"k": "vv"}]) == 4 + 2 + 2 + 1 + 2 + 1 + 2
    big = ["x" * 1000] * 1000
    assert sandbox.weight(big, limit=5000) > 5000  # stops early
