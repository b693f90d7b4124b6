"""Every field from an input is inert in every output (render/escape.py's policies).

Properties over arbitrary Unicode, with GitHub's own Markdown renderer (cmark-gfm, with
the table, autolink, strikethrough and tagfilter extensions) as the oracle for the
Markdown formats: the rendered HTML holds no element, link or comment that the template
did not make, and the text shown is the input after the visible substitutions
(:func:`catalog_diff.layout.printable`), the zero-width spaces the escaping adds aside.
"""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
from cmarkgfm.cmark import Options
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_diff.compare import gates
from catalog_diff.compare.pairing import compare
from catalog_diff.layout import INVISIBLE, UNSAFE, printable
from catalog_diff.model.snapshot import Package, Snapshot, SourceInfo, SourceKind, Spec
from catalog_diff.release.notes import build
from catalog_diff.render import github, render
from catalog_diff.render.escape import code, html_code, inert, json_dumps, text
from catalog_diff.render.release_notes import render_release_notes

HIDDEN = re.compile(f"{UNSAFE.pattern}|{INVISIBLE.pattern}")

#: Inputs a fuzzer may take long to find: each construct the policies must defuse.
NASTY = [
    "<!-- catalog-diff -->",
    "<script>alert(1)</script>",
    "<details><summary>x</summary>",
    "# heading",
    "@someone",
    "a@b.example",
    "https://e.example/x",
    "www.e.example",
    "x|y",
    "`code` ``x``",
    "*em* _em_ **b** ~~s~~ ~s~",
    "[x](http://e.example) ![i](y) [r][z]",
    "\\*x\\*",
    "$x$",
    "\x1b[2J\x1b]0;title\x07",
    "\x9b31m",
    "a\nb\r\nc\u2028d\u2029e",
    "abc\u202etxt\u2066\u061c\u200e",
    "zero\u200bwidth\u200d\ufeff\u2060",
    "&amp; &#60; &lt;",
    "-->",
    "1. item",
    "2) item",
    "- item",
    "+ item",
    "===",
    "- - -",
    "    indented code",
    "```",
    "~~~",
    "> quote",
    " lead and trail ",
    "\U000e0041tag",
]

unicode_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=24)
hostile = (
    st.sampled_from(NASTY)
    | unicode_text
    | st.builds(lambda a, b: a + b, st.sampled_from(NASTY), unicode_text)
)


def gfm(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


class Shape(HTMLParser):
    """The elements, comments and text of rendered HTML (entities decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.comments: list[str] = []
        self.text: list[str] = []
        self.codes: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        if tag == "code":
            self._in_code += 1
            self.codes.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in_code -= 1

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_code:
            self.codes[-1] += data


def shape(markdown: str) -> Shape:
    parser = Shape()
    parser.feed(gfm(markdown))
    parser.close()
    return parser


def shown(value: str) -> str:
    """What a reader sees of ``value``: the visible substitutions."""
    return printable(value)


def seen(parts: list[str]) -> str:
    return "".join(parts).replace("\u200b", "")


# ---- the policies, one value at a time ---------------------------------------------------


def test_the_hidden_characters_are_the_running_pythons_format_characters() -> None:
    """Every control, format character and line/paragraph separator of the running
    Python's Unicode tables is written as an escape (the ranges are kept in layout.py)."""
    missed = [
        f"U+{cp:04X}"
        for cp in range(0x110000)
        if not 0xD800 <= cp <= 0xDFFF
        and unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp")
        and not HIDDEN.match(chr(cp))
    ]
    assert missed == []


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(max_size=30) | hostile)
def test_text_shows_every_hidden_character(value: str) -> None:
    out = text(value)
    assert HIDDEN.search(out) is None
    out.encode("utf-8")  # valid UTF-8 even from a lone surrogate
    assert text(out) == out  # already inert: written again, the same


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(hostile)
def test_inert_text_is_shown_as_typed_and_makes_no_markup(value: str) -> None:
    written = inert(value)
    assert written.isascii() and "<" not in written
    for markdown, tags in (
        (f"x {written} y\n", ["p"]),
        (f"| a |\n|---|\n| x {written} y |\n", ["table", "thead", "tr", "th", "tbody", "tr", "td"]),
        (
            f"<details>\n<summary>x {written} y</summary>\n\nz\n</details>\n",
            ["details", "summary", "p"],
        ),
        (f"## x {written} y\n", ["h2"]),
        # At the start of a line (a user's template may put a value there), then alone.
        (f"{written} y\n", ["p"]),
        (f"x\n{written}\n", ["p"]),
    ):
        got = shape(markdown)
        assert got.tags == tags, (markdown, got.tags)
        assert got.comments == [] and got.attrs == []
        visible = seen(got.text).replace("\n", " ")
        assert shown(value) in visible, (markdown, got.text)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(hostile)
def test_code_spans_show_the_value_as_typed(value: str) -> None:
    inline = shape(f"x {code(value, table=False)} y\n")
    assert inline.tags == ["p", "code"] and inline.attrs == []
    assert inline.codes == [shown(value)]
    cell = shape(f"| a | b |\n|---|---|\n| {code(value)} | z |\n")
    assert cell.tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "code", "td"]
    assert cell.codes == [shown(value)]
    html = shape(f"<details>\n<summary>{html_code(value)}</summary>\n\nz\n</details>\n")
    assert html.tags == ["details", "summary", "code", "p"]
    assert [c.replace("\u200b", "") for c in html.codes] == [shown(value)]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.recursive(hostile, lambda inner: st.lists(inner, max_size=3), max_leaves=6))
def test_json_keeps_values_and_hides_no_character(value: object) -> None:
    out = json_dumps({"value": value})
    assert HIDDEN.search(out.replace("\n", "")) is None
    assert json.loads(out) == {"value": value}


def test_json_escapes_every_ascii_control_character_in_otherwise_ascii_text() -> None:
    # Pure ASCII reports take a shorter path than the rest: DEL and each C0 control (the
    # line feed too, inside a value) must still be written as an escape, never raw.
    for code_ in [*range(0x20), 0x7F]:
        value = f"a{chr(code_)}b"
        out = json_dumps({"value": value, "other": "plain"})
        assert out.isascii()
        assert HIDDEN.search(out.replace("\n", "")) is None
        assert json.loads(out) == {"value": value, "other": "plain"}
    assert json_dumps({"v": "x\x7fy"}) == '{\n  "v": "x\\u007fy"\n}'


# ---- whole reports ------------------------------------------------------------------------


def _spec(
    digest: str,
    version: str,
    compiler: str,
    variants: tuple[str, ...],
    stacks: tuple[str, ...],
    os_: str = "ubuntu22.04",
) -> Spec:
    return Spec(digest, (version,), compiler, os_, "linux", "x86_64_v3", variants, stacks)


@st.composite
def hostile_comparison(draw: st.DrawFn) -> tuple[object, list[str]]:
    """A comparison whose every field is drawn from ``hostile``, and those values."""
    values = draw(st.lists(hostile, min_size=8, max_size=8, unique=True))
    name, gone, tag, version, compiler, variant, stack, os_ = values
    source, commit, date, path, message = (draw(hostile) for _ in range(5))
    old_specs = (
        _spec("a" * 32, "1.0", "gcc@12", ("+x",), ("root",)),
        _spec("b" * 32, "1.0", "gcc@12", ("+x",), ("root", stack)),
        _spec("c" * 32, "1.0", "gcc@12", ("+x",), ("root",)),
    )
    new_specs = (
        _spec("a" * 32, version, compiler, (variant,), ("root", stack), os_),  # fields, stacks
        _spec("b" * 32, "1.0", "gcc@12", ("+x",), ("root",)),  # stacks
        _spec("d" * 32, "1.0", compiler, ("+x",), ("root",)),  # compiler changed
        _spec("e" * 32, version, "gcc@12", (variant,), (stack,)),  # added
    )

    def snap(specs: tuple[Spec, ...], extra: dict[str, tuple[Spec, ...]], side: str) -> Snapshot:
        packages = {name: specs, **extra}
        return Snapshot(
            info=SourceInfo(SourceKind.SNAPSHOT, f"{source}{side}", commit, date, source),
            packages={
                (tag, n): Package(tag, n, f"_cache/{tag}/{n}/specs.md", s)
                for n, s in packages.items()
            },
            tags=frozenset({tag}),
        )

    old = snap(old_specs, {gone: old_specs[:1]}, "1")
    new = snap(new_specs, {}, "2")
    comparison = compare(old, new)
    from dataclasses import replace

    from catalog_diff.model.comparison import ProblemRecord, Side

    comparison = replace(
        comparison, problems=(ProblemRecord(Side.NEW, source, path, message, commit),)
    )
    comparison = gates.apply(comparison, gates.parse(["removed-packages,lost-stack"]))
    return comparison, [name, gone, tag, version, compiler, variant, stack, os_, path, message]


#: Elements the Markdown templates make; anything else came from an input.
TEMPLATE_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "ul",
    "li",
    "details",
    "summary",
    "strong",
}


def check_markdown(report: str, values: list[str], marker: bool) -> None:
    got = shape(report)
    assert set(got.tags) <= TEMPLATE_TAGS, set(got.tags) - TEMPLATE_TAGS
    assert {a for a, _ in got.attrs} <= {"align"}  # only the tables' own alignment
    assert got.comments == ([" catalog-diff "] if marker else [])
    every = seen(got.text)
    for value in values:
        assert shown(value) in every, value


@settings(max_examples=40, deadline=None, derandomize=True, database=None)
@given(hostile_comparison())
def test_every_report_keeps_every_field_inert(drawn: tuple[object, list[str]]) -> None:
    comparison, values = drawn
    out = render(comparison, "text")  # type: ignore[arg-type]
    assert HIDDEN.search(out.replace("\n", "")) is None
    for value in values:
        assert shown(value) in out, value
    coloured = render(comparison, "text", True)  # type: ignore[arg-type]
    assert set(re.findall("\x1b[^m]*m", coloured)) <= {
        "\x1b[1m",
        "\x1b[31m",
        "\x1b[32m",
        "\x1b[33m",
        "\x1b[0m",
    }
    data = json.loads(render(comparison, "json"))  # type: ignore[arg-type]
    assert HIDDEN.search(render(comparison, "json").replace("\n", "")) is None  # type: ignore[arg-type]
    assert data["problems"][0]["message"] == values[-1]
    check_markdown(render(comparison, "markdown"), values, marker=False)  # type: ignore[arg-type]
    comment = render(comparison, "github")  # type: ignore[arg-type]
    assert comment.isascii()
    check_markdown(comment, values, marker=True)


# ---- --format github: ASCII and within --max-chars, whatever the input -----------------


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(hostile_comparison(), st.integers(3000, 20000))
def test_github_stays_ascii_and_within_the_limit(
    drawn: tuple[object, list[str]], limit: int
) -> None:
    comparison, _ = drawn
    warned: list[str] = []
    comment = render(comparison, "github", max_chars=limit, warn=warned.append)  # type: ignore[arg-type]
    head = "".join(line + "\n" for line in github.head(comparison))  # type: ignore[arg-type]
    assert comment.isascii()
    if len(head) <= limit:
        assert len(comment) <= limit and warned == []
    else:  # the summary is never cut: said on stderr instead
        assert len(warned) == 1 and str(limit) in warned[0]


def test_a_huge_name_is_cut_with_a_marker() -> None:
    name = "x" * 200_000 + "@someone"
    spec = _spec("a" * 32, "1.0", "gcc@12", (), ("root",))

    def snap(packages: dict[str, tuple[Spec, ...]]) -> Snapshot:
        return Snapshot(
            info=SourceInfo(SourceKind.DIRECTORY, "catalog"),
            packages={
                ("t", n): Package("t", n, f"_cache/t/{n}/specs.md", s) for n, s in packages.items()
            },
            tags=frozenset({"t"}),
        )

    comparison = compare(snap({"bc": (spec,)}), snap({"bc": (spec,), name: (spec,)}))
    comment = render(comparison, "github", max_chars=5000)
    assert comment.isascii() and len(comment) <= 5000
    assert f"<code>t/{'x' * 998}{github.CUT}</code>{github.CUT_NOTE}" in comment
    assert "someone" not in comment  # the rest of the name is left out
    check_markdown(comment, [], marker=True)


def test_a_summary_over_the_limit_is_told_on_stderr(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from catalog_diff.cli import main

    root = Path(__file__).resolve().parent.parent
    args = [
        "diff",
        str(root / "snapshots/develop-2025-03-23.json"),
        str(root / "snapshots/develop-2025-03-30.json"),
        "--format",
        "github",
    ]
    result = CliRunner().invoke(main, [*args, "--max-chars", "500"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr.startswith("catalog-diff: warning: the summary alone is ")
    assert "over --max-chars 500" in result.stderr and result.stderr.count("\n") == 1
    quiet = CliRunner().invoke(main, [*args, "--max-chars", "500", "-q"], catch_exceptions=False)
    assert quiet.stderr == ""
    roomy = CliRunner().invoke(main, [*args, "--max-chars", "20000"], catch_exceptions=False)
    assert roomy.stderr == "" and len(roomy.stdout) <= 20000


# ---- the audit reports and the release notes ------------------------------------------


@st.composite
def hostile_audit(draw: st.DrawFn) -> tuple[dict[str, object], list[str]]:
    """log, history, when and show records whose every field is hostile."""
    from catalog_diff.model.changes import make
    from catalog_diff.model.history import (
        Absence,
        CatalogState,
        CommitRef,
        HistoryEvent,
        Interval,
        LogEntry,
        PackageHistory,
        PackageState,
        Presence,
    )

    comparison, values = draw(hostile_comparison())
    subject, date, layout, value = (draw(hostile) for _ in range(4))
    name, tag = values[0], values[2]
    ref = CommitRef("0123456789abcdef" * 2 + "01234567", date, subject)
    change = comparison.packages[0]  # type: ignore[attr-defined]
    problems = comparison.problems  # type: ignore[attr-defined]
    kind = make("package-transient", tag, name, name, around=subject)
    gap = Absence(tag, ref, ref, 2, (kind,), position=1)  # between the two events
    records: dict[str, object] = {
        "log": [LogEntry(ref, layout, comparison, (layout, "current"))],  # type: ignore[arg-type]
        "history": PackageHistory(
            name,
            tag,
            (HistoryEvent(ref, change, absence=gap), HistoryEvent(ref, None, subject)),
            absences=(gap,),
        ),
        "when": Presence(name, tag, ("target", value), (Interval(ref, ref),), True, problems),
        "show": CatalogState(
            SourceInfo(SourceKind.GIT, subject, ref.commit, date, subject),
            (PackageState(tag, name, 1, (value,), (value,), (value,), (value,),
                          change.specs.added),),
            (tag,),
            problems,
        ),
    }  # fmt: skip
    return records, [subject, date, name, tag, value]


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(hostile_audit())
def test_every_audit_report_keeps_every_field_inert(
    drawn: tuple[dict[str, object], list[str]],
) -> None:
    from catalog_diff.render import render_audit

    records, values = drawn
    for kind, record in records.items():
        subject, date, name, tag, value = values
        wanted = {
            "log": [subject, date],
            "history": [subject, date, name, tag],
            "when": [subject, date, name, tag, value],
            "show": [subject, date, name, tag, value],
        }[kind]
        out = render_audit(kind, record, "text")
        assert HIDDEN.search(out.replace("\n", "")) is None, kind
        for value in wanted:
            assert shown(value) in out, (kind, value)
        raw = render_audit(kind, record, "json")
        assert HIDDEN.search(raw.replace("\n", "")) is None, kind
        json.loads(raw)
        check_markdown(render_audit(kind, record, "markdown"), wanted, marker=False)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(hostile_comparison(), hostile)
def test_release_notes_keep_every_field_inert(drawn: tuple[object, list[str]], label: str) -> None:
    _, values = drawn
    name, gone, tag, version, compiler, variant, stack, os_ = values[:8]
    old = Snapshot(
        info=SourceInfo(SourceKind.SNAPSHOT, label, "c" * 40, "2025-03-30T06:00:00+00:00"),
        packages={
            (tag, n): Package(tag, n, f"_cache/{tag}/{n}/specs.md", specs)
            for n, specs in {
                name: (_spec("a" * 32, "1.0", "gcc@12", ("+x",), ("root",)),),
                gone: (_spec("b" * 32, "2.0", compiler, (variant,), ("root", stack)),),
            }.items()
        },
        tags=frozenset({tag}),
    )
    new = Snapshot(
        info=old.info,
        packages={
            (tag, name): Package(
                tag, name, f"_cache/{tag}/{name}/specs.md",
                (_spec("c" * 32, version, compiler, (variant,), ("root", stack), os_),),
            )
        },
        tags=frozenset({tag}),
    )  # fmt: skip
    notes = render_release_notes(build(old, new, old_label=label, new_label=label))
    check_markdown(notes, [name, gone, version, compiler, stack, label], marker=False)
    assert HIDDEN.search(notes.replace("\n", "")) is None
