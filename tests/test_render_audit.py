"""The audit renderers (log, history, when, show) in text, Markdown and JSON.

Every model object is built from the real catalog samples: package files parsed with
:func:`parse_package` and compared with the real comparison code; only the commits
(full SHAs, dates, subjects) are written by hand.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from catalog_diff.compare.pairing import compare, compare_packages, facet_values
from catalog_diff.model.changes import make
from catalog_diff.model.comparison import PackageChange, ProblemRecord, Side
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
from catalog_diff.model.snapshot import Package, Problem, Snapshot, SourceInfo, SourceKind
from catalog_diff.parse.package import parse_package
from catalog_diff.render import audit_json, audit_markdown, audit_text
from catalog_diff.render.json import package_entry
from checks import table_columns
from gitrepo import SAMPLES

C1 = CommitRef(
    "3f2a9c4be1d07a6655e0c2b8d9f41a7e0c6b5d21", "2024-11-15T10:00:00+00:00", "Add v0.23.0"
)
C2 = CommitRef(
    "8c1d0e7f5a3b29c4d6e8f0a1b2c3d4e5f6a7b8c9", "2024-12-01T06:00:00+01:00", "Nightly update"
)
C3 = CommitRef(
    "d41c8e2f9b7a6053e1f2a3b4c5d6e7f8091a2b3c", "2024-12-20T10:00:00-05:00", "Add v0.23.1"
)
C4 = CommitRef(
    "0a9b8c7d6e5f40312a3b4c5d6e7f8a9b0c1d2e3f", "2025-03-30T06:00:00+00:00", "Weekly develop"
)
HOSTILE = "<script>|*x*"
MODULES = {"text": audit_text, "markdown": audit_markdown, "json": audit_json}
COMMANDS = ("log", "history", "when", "show")


# ---- real data -------------------------------------------------------------------------


def load(tag_dir: str, name: str, as_tag: str | None = None) -> Package:
    tag = as_tag or tag_dir
    path = f"_cache/{tag}/{name}/specs.md"
    data = (SAMPLES / "cache" / tag_dir / name / "specs.md").read_bytes()
    return parse_package(data, tag, name, path)


def snapshot(
    ref: CommitRef, packages: list[Package], problems: tuple[Problem, ...] = ()
) -> Snapshot:
    info = SourceInfo(SourceKind.GIT, ref.commit[:12], ref.commit, ref.date, ref.commit[:12])
    return Snapshot(
        info=info,
        packages={(p.tag, p.name): p for p in packages},
        tags=frozenset(p.tag for p in packages),
        problems=problems,
        broken=frozenset(("develop", p.path.split("/")[2]) for p in problems),
    )


def weekly_entries() -> list[LogEntry]:
    """Newest first: the weekly develop update, a commit that changed nothing, the first."""
    names = ("cmake", "gcc", "hdf5")
    before = [load("develop-2025-03-23", n, "develop") for n in names]
    after = [load("develop-2025-03-30", n, "develop") for n in names]
    broken = Problem("_cache/develop/python/specs.md", "spec_details is missing")
    v0231 = load("v0.23.1", "zfp")
    weekly = compare(snapshot(C3, before), snapshot(C4, [*after, v0231], (broken,)))
    same = compare(snapshot(C2, before), snapshot(C3, before))
    first = compare(snapshot(C1, []), snapshot(C2, before))
    return [
        LogEntry(C4, "tagged", weekly),
        LogEntry(C3, "tagged", same),
        LogEntry(C2, "tagged", first, layout_change=("untagged-specs", "tagged")),
    ]


def zfp_change() -> PackageChange:
    change = compare_packages(
        "v0.23.1", "zfp", load("v0.23.0", "zfp", "v0.23.1"), load("v0.23.1", "zfp")
    )
    assert change is not None
    return change


def zfp_history() -> PackageHistory:
    added = compare_packages("v0.23.1", "zfp", None, load("v0.23.0", "zfp", "v0.23.1"))
    unreadable = "_cache/v0.23.1/zfp/specs.md: spec_details is missing"
    return PackageHistory(
        "zfp",
        "v0.23.1",
        (
            HistoryEvent(C1, added),
            HistoryEvent(C2, None, unreadable),
            HistoryEvent(C3, zfp_change()),
        ),
    )


def cce_presence() -> Presence:
    problem = ProblemRecord(
        Side.NEW,
        C2.commit[:12],
        "_cache/v0.23.1/zfp/specs.md",
        "spec_details is missing",
        C2.commit,
    )
    return Presence(
        "zfp", "v0.23.1", ("compiler", "cce@15.0.1"), (Interval(C1, C2),), False, (problem,)
    )


def hash_presence() -> Presence:
    spec = load("v0.23.1", "zfp").specs[0]
    intervals = (Interval(C1, C1), Interval(C3, C4))
    return Presence("zfp", "v0.23.1", ("hash", spec.hash), intervals, True)


def state(
    packages: list[Package], with_specs: bool = False, extra_tags: tuple[str, ...] = ()
) -> CatalogState:
    info = SourceInfo(SourceKind.GIT, "HEAD", C4.commit, C4.date, "HEAD")
    states = tuple(
        PackageState(
            tag=p.tag,
            name=p.name,
            spec_count=len(p.specs),
            targets=tuple(sorted(facet_values(p.specs, "targets"))),
            stacks=tuple(sorted(facet_values(p.specs, "stacks"))),
            compilers=tuple(sorted(facet_values(p.specs, "compilers"))),
            versions=tuple(sorted(facet_values(p.specs, "versions"))),
            specs=p.specs if with_specs else None,
        )
        for p in packages
    )
    tags = tuple(sorted({p.tag for p in packages} | set(extra_tags)))
    return CatalogState(info, states, tags)


def weekly_state() -> CatalogState:
    names = ("hdf5", "cmake", "gcc")  # not sorted: the renderers sort
    packages = [load("develop-2025-03-30", n, "develop") for n in names]
    return state([*packages, load("v0.23.1", "zfp")], extra_tags=("v0.22.2",))


def subject(command: str) -> Any:
    return {
        "log": weekly_entries,
        "history": zfp_history,
        "when": cce_presence,
        "show": weekly_state,
    }[command]()


def render(fmt: str, command: str, value: Any, color: bool = False) -> str:
    fn: Callable[..., Iterator[str]] = getattr(MODULES[fmt], f"render_{command}")
    return "".join(line + "\n" for line in fn(value, color=color))


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


# ---- the data is what the tests say it is -----------------------------------------------


def test_samples_hold_what_the_tests_rely_on() -> None:
    change = zfp_change()
    assert change.facet("compilers").removed == ("cce@15.0.1",)
    assert [s.compiler for s in change.specs.removed] == ["cce@15.0.1"]
    weekly = weekly_entries()[0].comparison
    assert [c.name for c in weekly.packages] == ["cmake", "gcc", "hdf5"]
    assert [t.tag for t in weekly.tags_added] == ["v0.23.1"]
    assert len(weekly.problems) == 1
    assert not weekly_entries()[1].comparison.has_differences


# ---- determinism, colour ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(MODULES))
@pytest.mark.parametrize("command", COMMANDS)
def test_same_input_same_bytes(fmt: str, command: str) -> None:
    first = render(fmt, command, subject(command))
    again = render(fmt, command, subject(command))  # built afresh from the files
    assert first == again
    assert first.encode("utf-8") == render(fmt, command, subject(command)).encode("utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_colour_only_when_asked(command: str) -> None:
    value = subject(command)
    assert "\x1b[" not in render("text", command, value)
    coloured = render("text", command, value, color=True)
    assert "\x1b[" in coloured
    assert plain(coloured) == render("text", command, value)
    for fmt in ("markdown", "json"):
        assert render(fmt, command, value, color=True) == render(fmt, command, value)


# ---- text ------------------------------------------------------------------------------


def test_text_log() -> None:
    out = render("text", "log", weekly_entries()).splitlines()
    assert out[:5] == [f"commit {C4.commit}", f"Date:   {C4.date}", "", "    Weekly develop", ""]
    assert "  packages   0 added, 0 removed, 3 changed" in out
    assert "  develop/gcc    changed  2 removed, 1 rebuilt" in out
    assert "             + v0.23.1 (1 package, 34 specs)" in out
    assert any(line.startswith("  ! new ") and "python/specs.md" in line for line in out)
    empty = out.index(f"commit {C3.commit}")
    assert out[empty + 5] == "  no change to the catalog"
    assert out[empty + 6] == ""  # one line, then the next commit
    assert "  layout     untagged-specs -> tagged" in out
    assert render("text", "log", []) == "No commits.\n"


def test_text_log_header_is_bold_when_coloured() -> None:
    out = render("text", "log", weekly_entries(), color=True).splitlines()
    assert out[0] == f"\x1b[1mcommit {C4.commit}\x1b[0m"


def test_text_history_lists_the_removal_of_cce() -> None:
    out = render("text", "history", zfp_history()).splitlines()
    assert out[0] == "History of zfp in tag v0.23.1"
    assert f"{C1.date}  {C1.commit[:12]}  added  35 added  Add v0.23.0" in out
    assert f"{C2.date}  {C2.commit[:12]}  unknown  Nightly update" in out
    assert "    ! _cache/v0.23.1/zfp/specs.md: spec_details is missing" in out
    changed = out.index(f"{C3.date}  {C3.commit[:12]}  changed  1 removed  Add v0.23.1")
    assert out[changed + 1 : changed + 5] == [
        "    targets    - zen4",
        "    stacks     - e4s-cray-rhel",
        "    compilers  - cce@15.0.1",
        "    oss        - rhel8",
    ]


def test_text_history_of_all_tags_names_the_tag() -> None:
    history = dataclasses.replace(zfp_history(), tag=None)
    out = render("text", "history", history).splitlines()
    assert out[0] == "History of zfp in all tags"
    assert f"{C3.date}  {C3.commit[:12]}  v0.23.1  changed  1 removed  Add v0.23.1" in out


def test_text_when() -> None:
    out = render("text", "when", cce_presence()).splitlines()
    assert out[:4] == [
        "zfp (v0.23.1) compiler cce@15.0.1",
        f"  first seen  {C1.date}  {C1.commit[:12]}  Add v0.23.0",
        f"  last seen   {C2.date}  {C2.commit[:12]}  Nightly update",
        "  present at the end: no",
    ]
    assert f"  {C1.date} {C1.commit[:12]} .. {C2.date} {C2.commit[:12]}" in out
    two = render("text", "when", hash_presence()).splitlines()
    assert "  present at the end: yes" in two
    assert f"  {C3.date} {C3.commit[:12]} .. {C4.date} {C4.commit[:12]}" in two
    never = dataclasses.replace(cce_presence(), intervals=(), problems=())
    assert render("text", "when", never).splitlines()[1:] == [
        "  never present",
        "  present at the end: no",
    ]


def test_text_show_counts_every_spec() -> None:
    value = weekly_state()
    out = render("text", "show", value).splitlines()
    assert out[:3] == [
        f"source: HEAD (commit {C4.commit[:12]}, {C4.date})",
        f"commit: {C4.commit}",
        f"date:   {C4.date}",
    ]
    for p in value.packages:
        assert f"  {p.name}  {p.spec_count} spec{'s' if p.spec_count != 1 else ''}" in out
    cmake = load("develop-2025-03-30", "cmake", "develop")
    assert f"  cmake  {len(cmake.specs)} specs" in out
    assert "v0.22.2  (0 packages, 0 specs)" in out
    order = [out.index(line) for line in ("  cmake  38 specs", "  gcc  1 spec", "  hdf5  49 specs")]
    assert order == sorted(order)
    gcc = load("develop-2025-03-30", "gcc", "develop")
    assert f"    compilers  {', '.join(sorted(facet_values(gcc.specs, 'compilers')))}" in out


def test_text_show_with_specs_lists_each_spec() -> None:
    zfp = load("v0.23.1", "zfp")
    out = render("text", "show", state([zfp], with_specs=True)).splitlines()
    spec_lines = [line for line in out if line.startswith("      zfp@")]
    assert len(spec_lines) == len(zfp.specs) == 34
    assert spec_lines[0].endswith(f"/{zfp.specs[0].hash[:7]}")


# ---- Markdown --------------------------------------------------------------------------


def outside_code(line: str) -> str:
    return re.sub(r"(`+).*?(?<!`)\1(?!`)", "", line)


def test_markdown_log() -> None:
    out = render("markdown", "log", weekly_entries())
    assert f"### `{C4.commit[:12]}` {C4.date}" in out
    assert f"- commit: `{C4.commit}`" in out
    assert "- layout changed: `untagged-specs` → `tagged`" in out
    assert "| `develop/gcc` | changed | 2 removed, 1 rebuilt |" in out
    assert "| `v0.23.1` | added | 1 | 34 |" in out
    assert "<summary>Details: 3 packages</summary>" in out
    assert "| compilers |  | `cce@15.0.1` |" not in out  # zfp is only an added tag here
    assert "No change to the catalog." in out
    assert all(len(set(t)) == 1 for t in table_columns(out))


def test_markdown_history_and_when() -> None:
    history = render("markdown", "history", zfp_history())
    assert history.startswith("## History of `zfp` in `v0.23.1`\n")
    assert (
        f"| {C3.date} | `{C3.commit[:12]}` | `v0.23.1` | changed | 1 removed | `Add v0.23.1` |"
        in history
    )
    assert "| compilers |  | `cce@15.0.1` |" in history
    # A problem is a sentence: inert text, not a code span.
    assert "Problem: &#95;cache/v0.23.1/zfp/specs.md: spec_details is missing" in history
    when = render("markdown", "when", cce_presence())
    assert when.startswith("## `zfp` in `v0.23.1`: compiler `cce@15.0.1`\n")
    assert f"| {C1.date} | `{C1.commit[:12]}` | {C2.date} | `{C2.commit[:12]}` |" in when
    assert "Present at the end: no." in when
    for text in (history, when):
        assert all(len(set(t)) == 1 for t in table_columns(text))


def test_markdown_show() -> None:
    out = render("markdown", "show", weekly_state())
    assert "### `v0.22.2`\n\n0 packages, 0 specs." in out
    assert "| `cmake` | 38 |" in out
    assert "| `zfp` | 34 |" in out
    with_specs = render("markdown", "show", state([load("v0.23.1", "zfp")], with_specs=True))
    assert with_specs.count("\n- `zfp@") == 34


@pytest.mark.parametrize("command", COMMANDS)
def test_markdown_survives_hostile_names(command: str) -> None:
    zfp = zfp_change()
    hostile_change = dataclasses.replace(zfp, name=HOSTILE, tag=HOSTILE)
    value: Any
    if command == "log":
        entry = weekly_entries()[0]
        packages = (*entry.comparison.packages, hostile_change)
        value = [
            dataclasses.replace(
                entry,
                commit=dataclasses.replace(C4, subject=HOSTILE),
                comparison=dataclasses.replace(entry.comparison, packages=packages),
            )
        ]
    elif command == "history":
        kind = make("package-transient", HOSTILE, HOSTILE, HOSTILE, around=HOSTILE)
        gap = Absence(HOSTILE, dataclasses.replace(C1, subject=HOSTILE), C2, 2, (kind,), 1)
        value = PackageHistory(
            HOSTILE,
            HOSTILE,
            (HistoryEvent(C3, hostile_change, absence=gap), HistoryEvent(C2, None, HOSTILE)),
            absences=(gap,),
        )
    elif command == "when":
        value = Presence(HOSTILE, HOSTILE, ("stack", HOSTILE), (Interval(C1, C2),), True)
    else:
        zfp_pkg = dataclasses.replace(load("v0.23.1", "zfp"), name=HOSTILE, tag=HOSTILE)
        value = state([zfp_pkg, load("v0.23.1", "bc")], with_specs=True)
    out = render("markdown", command, value)
    # In a table cell "|" is escaped; elsewhere it is not (GitHub would show a backslash).
    in_cell = HOSTILE.replace("|", "\\|")
    assert command == "when" or in_cell in out
    assert f"`{HOSTILE}`" in out
    for line in out.splitlines():
        if not line.startswith("|"):
            assert "\\|" not in line, line
    for line in out.splitlines():
        rest = outside_code(line)
        assert "<script>" not in rest and "*x*" not in rest, line
    for counts in table_columns(out):
        assert len(set(counts)) == 1, counts
    if command == "show":
        row = next(line for line in out.splitlines() if line.startswith("| `<script>"))
        assert len(re.findall(r"(?<!\\)\|", row)) == 7  # six columns


# ---- JSON ------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=COMMANDS)
def validator(request: pytest.FixtureRequest) -> tuple[str, jsonschema.Draft202012Validator]:
    doc = json.loads(audit_json.schema(request.param))
    jsonschema.Draft202012Validator.check_schema(doc)
    refs = re.findall(r'"\$ref": "([^"]*)"', json.dumps(doc))
    assert refs and all(ref.startswith("#/$defs/") for ref in refs)  # nothing external
    return request.param, jsonschema.Draft202012Validator(doc)


def rendered(command: str) -> dict[str, Any]:
    lines = list(getattr(audit_json, f"render_{command}")(subject(command)))
    assert len(lines) == 1
    data: dict[str, Any] = json.loads(lines[0])
    assert data == json.loads(json.dumps(getattr(audit_json, f"{command}_dict")(subject(command))))
    return data


def test_reports_validate(validator: tuple[str, jsonschema.Draft202012Validator]) -> None:
    command, check = validator
    check.validate(rendered(command))
    if command == "when":
        check.validate(audit_json.when_dict(hash_presence()))
        check.validate(audit_json.when_dict(dataclasses.replace(cce_presence(), intervals=())))
    if command == "show":
        check.validate(json.loads(render("json", "show", state([load("v0.23.1", "zfp")], True))))
    if command == "history":
        check.validate(audit_json.history_dict(dataclasses.replace(zfp_history(), tag=None)))


BROKEN: dict[str, list[Callable[[dict[str, Any]], object]]] = {
    "log": [
        lambda r: r.pop("commits"),
        lambda r: r["commits"][0].pop("summary"),
        lambda r: r["commits"][0]["summary"].pop("specs_rebuilt"),
        lambda r: r["commits"][0].update(date="2025-03-30"),
        lambda r: r["commits"][0].update(commit="HEAD"),
        lambda r: r["commits"][0]["packages"][0].update(status="renamed"),
        lambda r: r["commits"][0].update(layout_change={"old": "x"}),
        lambda r: r["commits"][0]["problems"][0].update(side="left"),
        lambda r: r.update(schema_version=2),
    ],
    "history": [
        lambda r: r.pop("package"),
        lambda r: r.update(tag=3),
        lambda r: r["events"][0].update(change=[]),
        lambda r: r["events"][1].update(problem=None),
        lambda r: r["events"][2]["change"]["specs"]["removed"][0].pop("hash"),
        lambda r: r["events"][2].update(date=None),
    ],
    "when": [
        lambda r: r.pop("intervals"),
        lambda r: r.update(present_at_end="no"),
        lambda r: r.update(query={"colour": "red"}),
        lambda r: r["intervals"][0].pop("last"),
        lambda r: r["first_seen"].update(commit=C1.commit[:12]),
        lambda r: r["problems"][0].pop("path"),
    ],
    "show": [
        lambda r: r.pop("tags"),
        lambda r: r.update(commit="HEAD"),
        lambda r: r.update(date="yesterday"),
        lambda r: r["tags"]["develop"]["packages"]["cmake"].update(specs="38"),
        lambda r: r["tags"]["develop"]["packages"]["gcc"].pop("targets"),
        lambda r: r["tags"]["v0.22.2"].pop("packages"),
        lambda r: r["tags"]["develop"]["packages"]["gcc"].update(spec_details=[{"hash": 1}]),
    ],
}


def test_schemas_reject_broken_documents(
    validator: tuple[str, jsonschema.Draft202012Validator],
) -> None:
    command, check = validator
    report = rendered(command)
    if command == "when":
        report["problems"] = audit_json.when_dict(cce_presence())["problems"]
    assert check.is_valid(report)
    for mutate in BROKEN[command]:
        broken = copy.deepcopy(report)
        mutate(broken)
        assert not check.is_valid(broken), broken


def test_json_log_matches_the_diff_report() -> None:
    entries = weekly_entries()
    data = rendered("log")
    assert [c["commit"] for c in data["commits"]] == [C4.commit, C3.commit, C2.commit]
    top = data["commits"][0]
    assert top["date"] == C4.date and top["subject"] == "Weekly develop"
    assert top["summary"] == dataclasses.asdict(entries[0].comparison.summary)
    assert top["packages"] == [package_entry(c) for c in entries[0].comparison.packages]
    assert top["tags"] == {"added": [{"tag": "v0.23.1", "packages": 1, "specs": 34}], "removed": []}
    assert top["problems"][0]["side"] == "new" and top["problems"][0]["commit"] == C4.commit
    assert top["layout"] == "tagged" and top["layout_change"] is None
    assert data["commits"][1]["packages"] == []
    assert data["commits"][2]["layout_change"] == {"old": "untagged-specs", "new": "tagged"}


def test_json_history() -> None:
    data = rendered("history")
    assert (data["package"], data["tag"]) == ("zfp", "v0.23.1")
    events = data["events"]
    assert [e["commit"] for e in events] == [C1.commit, C2.commit, C3.commit]
    assert events[1]["change"] is None
    assert events[1]["problem"] == "_cache/v0.23.1/zfp/specs.md: spec_details is missing"
    assert events[2]["change"] == package_entry(zfp_change())
    assert events[2]["change"]["compilers"] == {"added": [], "removed": ["cce@15.0.1"]}


def test_json_when() -> None:
    data = rendered("when")
    assert data["query"] == {"compiler": "cce@15.0.1"}
    assert data["first_seen"]["commit"] == C1.commit
    assert data["last_seen"] == {"commit": C2.commit, "date": C2.date, "subject": C2.subject}
    assert data["present_at_end"] is False
    assert [(i["first"]["commit"], i["last"]["commit"]) for i in data["intervals"]] == [
        (C1.commit, C2.commit)
    ]
    assert data["problems"][0]["side"] == "new"
    never = audit_json.when_dict(dataclasses.replace(cce_presence(), intervals=()))
    assert never["first_seen"] is None and never["last_seen"] is None and never["intervals"] == []


def test_json_show() -> None:
    data = rendered("show")
    assert (data["commit"], data["date"]) == (C4.commit, C4.date)
    assert data["source"] == {
        "kind": "git",
        "source": "HEAD",
        "revision": "HEAD",
        "commit": C4.commit,
        "date": C4.date,
    }
    assert sorted(data["tags"]) == ["develop", "v0.22.2", "v0.23.1"]
    assert data["tags"]["v0.22.2"] == {"packages": {}}
    for name in ("cmake", "gcc", "hdf5"):
        entry = data["tags"]["develop"]["packages"][name]
        assert entry["specs"] == len(load("develop-2025-03-30", name).specs)
        assert "spec_details" not in entry
    zfp = load("v0.23.1", "zfp")
    detailed = audit_json.show_dict(state([zfp], with_specs=True))
    entry = detailed["tags"]["v0.23.1"]["packages"]["zfp"]
    assert entry["spec_details"] == [s.as_dict() for s in zfp.specs]
    assert entry["specs"] == len(entry["spec_details"]) == 34


def test_audit_modules_stay_small() -> None:
    render_dir = Path(audit_json.__file__).parent
    for name in ("audit_text.py", "audit_markdown.py", "audit_json.py"):
        assert len((render_dir / name).read_text().splitlines()) < 400, name


def test_show_of_a_directory_has_no_commit() -> None:
    zfp = load("v0.23.1", "zfp")
    info = SourceInfo(SourceKind.DIRECTORY, "checkout")
    value = dataclasses.replace(state([zfp]), source=info)
    out = render("text", "show", value).splitlines()
    assert out[:3] == ["source: checkout", "", "v0.23.1  (1 package, 34 specs)"]
    assert "| source | `checkout` |\n\n" in render("markdown", "show", value)
    data = audit_json.show_dict(value)
    assert (data["commit"], data["date"]) == (None, None)
    assert data["source"]["kind"] == "directory"
    jsonschema.Draft202012Validator(json.loads(audit_json.schema("show"))).validate(data)


def test_every_audit_report_has_a_renderer_in_every_format() -> None:
    """The audit renderers are an explicit table: a report or a format without one, or a
    renderer of the wrong report, is found here rather than by a user."""
    from catalog_diff.render import AUDIT_FORMATS, AUDIT_KINDS, audit_renderers

    table = audit_renderers()
    assert set(table) == {(kind, fmt) for kind in AUDIT_KINDS for fmt in AUDIT_FORMATS}
    for (kind, fmt), renderer in table.items():
        assert renderer.__name__ == f"render_{kind}"
        assert renderer.__module__ == f"catalog_diff.render.audit_{fmt}"
