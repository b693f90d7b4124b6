"""``diff --format html``: one self-contained page a maintainer can read at a glance.

In order: the summary (where each side comes from, the counts as cards), the change
kinds by severity, the gates, the roll-ups, the coverage grid (stack x target, gains and
losses marked), the specs per stack, problems, tags added and removed, then one folded
``<details>`` per package whose ``id`` is ``TAG/NAME`` (``#develop/gcc`` links to it).
No script, no request, inline style (:mod:`.page`); every value from an input goes
through :func:`.escape.html` (:func:`.escape.html_id`/:func:`.escape.html_href` for
anchors). The same comparison always gives the same bytes: no random ids, every list in
the comparison's order or sorted.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model.changes import Severity
from ..model.comparison import Comparison, PackageChange
from ..model.snapshot import SourceInfo
from ..words import count_of, signed
from .common import (
    CHANGES_TITLE,
    MISMATCHES_SHOWN,
    SPEC_KIND_WORDS,
    describe_source,
    explanation_line,
    facet_deltas,
    headline,
    meta_check_text,
    mismatch_text,
    package_label,
    problem_text,
    rollup_text,
    shown_changes,
    shown_rollups,
    spec_counts,
    spec_items,
    stack_counts_title,
)
from .coverage import grid
from .escape import html, html_href, html_id
from .page import FOOTER, page, table

ARROW = "→"


def _c(value: object) -> str:
    return f"<code>{html(value)}</code>"


def _sources(comparison: Comparison) -> Iterator[str]:
    rows = []
    for side, info, tag in (
        ("old", comparison.old, comparison.old_tag),
        ("new", comparison.new, comparison.new_tag),
    ):
        rows.append([(side, ""), (_c(describe_source(info, tag)), "")])
    yield from table([("side", False), ("source", False)], rows)


def _cards(comparison: Comparison) -> Iterator[str]:
    s = comparison.summary
    cards = (
        ("packages_added", "packages added", "gain"),
        ("packages_removed", "packages removed", "loss"),
        ("packages_changed", "packages changed", ""),
        ("specs_added", "specs added", "gain"),
        ("specs_removed", "specs removed", "loss"),
        ("specs_rebuilt", "specs rebuilt", ""),
    )
    yield '<div class="cards">'
    for key, words, cls in cards:
        big = f'<div class="big {cls}" data-count="{key}">{getattr(s, key)}</div>'
        yield f'<div class="card">{big}<div>{words}</div></div>'
    yield "</div>"


def summary_section(comparison: Comparison) -> Iterator[str]:
    """Where the sides come from and every count of the summary (``data-count`` names the
    JSON report's summary field each number is)."""
    s = comparison.summary
    yield '<section id="summary">'
    yield "<h2>Summary</h2>"
    note = headline(comparison)
    if note:
        yield f'<p class="lede">{html(note)}</p>'
    yield from _sources(comparison)
    yield from _cards(comparison)
    rows = [
        [("packages", "")]
        + [
            (f'<span data-count="packages_{k}">{getattr(s, "packages_" + k)}</span>', "n")
            for k in ("added", "removed", "changed")
        ],
        [("tags", "")]
        + [
            (f'<span data-count="tags_{k}">{getattr(s, "tags_" + k)}</span>', "n")
            for k in ("added", "removed")
        ]
        + [("", "")],
    ]
    yield from table([("", False), ("added", True), ("removed", True), ("changed", True)], rows)
    spec_rows = [
        [
            (html(word), ""),
            (f'<span data-count="specs_{kind}">{getattr(s, "specs_" + kind)}</span>', "n"),
        ]
        for kind, word in SPEC_KIND_WORDS
    ]
    renamed = f'<span data-count="specs_compiler_renamed">{s.specs_compiler_renamed}</span>'
    at = [kind for kind, _ in SPEC_KIND_WORDS].index("rebuilt") + 1
    spec_rows.insert(at, [("of which compiler renamed", ""), (renamed, "n")])
    spec_rows.append(
        [
            ("files that could not be read", ""),
            (f'<span data-count="problems">{s.problems}</span>', "n"),
        ]
    )
    yield from table([("specs", False), ("count", True)], spec_rows)
    yield "</section>"


def severity_section(comparison: Comparison) -> Iterator[str]:
    """The changes classified (:mod:`catalog_diff.model.changes`), most severe first: one
    folded list per kind, open for the kinds a reviewer must see (warning and worse)."""
    if not comparison.changes:
        return
    yield '<section id="changes">'
    yield f"<h2>{html(CHANGES_TITLE)}</h2>"
    yield '<ul class="severity">'
    for code_, found, _ in shown_changes(comparison.changes, len(comparison.changes)):
        severity = found[0].severity
        opened = " open" if severity.rank >= Severity.WARNING.rank else ""
        label = f'<span class="sev sev-{severity.value}">{severity.value}</span>'
        yield (
            f'<li data-severity="{severity.value}" data-kind="{html(code_)}"><details{opened}>'
            f"<summary>{label} {_c(code_)}: {len(found)}</summary>"
        )
        yield "<ul>"
        for change in found:
            said = f"<br>{html(explanation_line(change.explanation))}" if change.explanation else ""
            yield f"<li>{_c(change.tag)}: {html(change.impact)}{said}</li>"
        yield "</ul></details></li>"
    yield "</ul>"
    yield "</section>"


def _gates(comparison: Comparison) -> Iterator[str]:
    if not comparison.gates:
        return
    tripped = sum(g.tripped for g in comparison.gates)
    yield '<section id="gates">'
    yield f"<h2>Gates: {tripped} of {len(comparison.gates)} tripped</h2>"
    rows = [
        [(_c(g.condition), ""), (g.status.value, "loss" if g.tripped else ""), (html(g.reason), "")]
        for g in comparison.gates
    ]
    yield from table([("condition", False), ("result", False), ("reason", False)], rows)
    yield "</section>"


def _rollups(comparison: Comparison) -> Iterator[str]:
    shown, single = shown_rollups(comparison.rollups)
    if not shown:
        return
    yield '<section id="rollups">'
    yield "<h2>Roll-ups</h2>"
    yield "<ul>"
    for rollup in shown:
        yield f"<li>{rollup_text(rollup, _c, ARROW)}</li>"
    if single:
        yield f"<li>and {count_of(single, 'change')} to a single package (under that package)</li>"
    yield "</ul>"
    yield "</section>"


def coverage_section(comparison: Comparison) -> Iterator[str]:
    """Stack x target: specs gained (+) and lost (-) in each cell."""
    cov = grid(comparison)
    if not cov:
        return
    yield '<section id="coverage">'
    yield "<h2>Coverage: stack &times; target</h2>"
    yield (
        '<p class="muted">Specs gained <span class="gain">(+, blue)</span> and lost '
        '<span class="loss">(&minus;, orange)</span> in each stack and target.</p>'
    )
    head = [("stack", False)] + [(_c(t), True) for t in cov.targets]
    rows = []
    for stack in cov.stacks:
        row = [(_c(stack), "")]
        for target in cov.targets:
            up, down = cov.gained.get((stack, target), 0), cov.lost.get((stack, target), 0)
            words = " ".join(
                w for w in (f"+{up}" if up else "", f"&minus;{down}" if down else "") if w
            )
            cls = "n mixed" if up and down else "n gain" if up else "n loss" if down else "n"
            row.append((words, cls))
        rows.append(row)
    yield from table(head, rows)
    yield "</section>"


def _stack_counts(comparison: Comparison) -> Iterator[str]:
    counts = comparison.stack_counts
    if counts is None or not (counts.rows or counts.mismatches):
        return
    yield '<section id="stacks">'
    yield f"<h2>{html(stack_counts_title(counts))}</h2>"
    if counts.rows:
        if counts.complete:
            head = [
                ("tag", False),
                ("stack", False),
                ("old", True),
                ("new", True),
                ("change", True),
            ]
        else:
            head = [("tag", False), ("stack", False), ("change", True)]
        rows = []
        for r in counts.rows:
            numbers = [(str(r.old), "n"), (str(r.new), "n")] if counts.complete else []
            cls = "n gain" if r.delta > 0 else "n loss" if r.delta < 0 else "n"
            rows.append([(_c(r.tag), ""), (_c(r.stack), ""), *numbers, (signed(r.delta), cls)])
        yield from table(head, rows)
    yield f"<p>{html(meta_check_text(counts))}</p>"
    if counts.mismatches:
        yield "<ul>"
        for m in counts.mismatches[:MISMATCHES_SHOWN]:
            yield f"<li>{mismatch_text(m, _c)}</li>"
        if len(counts.mismatches) > MISMATCHES_SHOWN:
            more = len(counts.mismatches) - MISMATCHES_SHOWN
            yield f"<li>and {more} more (all in the JSON report)</li>"
        yield "</ul>"
    yield "</section>"


def _problems(comparison: Comparison) -> Iterator[str]:
    if not comparison.problems:
        return
    yield '<section id="problems">'
    yield f"<h2>Problems: {count_of(len(comparison.problems), 'file')} could not be read</h2>"
    yield "<ul>"
    for p in comparison.problems:
        yield f"<li>{problem_text(p, _c, html)}</li>"
    yield "</ul>"
    yield "</section>"


def _tags(comparison: Comparison) -> Iterator[str]:
    for title, key, tags in (
        ("Tags added", "tags-added", comparison.tags_added),
        ("Tags removed", "tags-removed", comparison.tags_removed),
    ):
        if tags:
            yield f'<section id="{key}">'
            yield f"<h2>{title}</h2>"
            rows = [[(_c(t.tag), ""), (str(t.packages), "n"), (str(t.specs), "n")] for t in tags]
            yield from table([("tag", False), ("packages", True), ("specs", True)], rows)
            yield "</section>"


#: How each mark of :func:`.common.spec_items` is shown: its word and its colour.
_MARKS = {"+": ("added", "gain"), "-": ("removed", "loss")}


def _spec_items(change: PackageChange) -> Iterator[str]:
    for mark, words in spec_items(change, _c, ARROW):
        if mark in _MARKS:
            word, cls = _MARKS[mark]
            yield f'<li><span class="{cls}">{word}</span> {words}</li>'
        else:
            yield f"<li>{words}</li>"


def package_section(change: PackageChange) -> Iterator[str]:
    """One package, folded: its facets gained and lost, its specs changed. The anchor
    ``#TAG/NAME`` is the folded content, so that following a link to it opens it."""
    label = package_label(change)
    counts = spec_counts(change.specs)
    yield '<details class="package">'
    status = f'<span class="muted">{change.status.value}</span>'
    more = f" — {html(counts)}" if counts else ""
    yield f"<summary>{_c(label)} {status}{more}</summary>"
    yield f'<div class="body" id="{html_id(label)}">'
    rows = [
        [
            (facet, ""),
            (" ".join(_c(v) for v in d.added), "gain"),
            (" ".join(_c(v) for v in d.removed), "loss"),
        ]
        for facet, d in facet_deltas(change)
    ]
    if rows:
        yield from table([("", False), ("added", False), ("removed", False)], rows)
    items = list(_spec_items(change))
    if items:
        yield '<ul class="specs">'
        yield from items
        yield "</ul>"
    elif change.specs.rebuilt:
        rebuilt = count_of(len(change.specs.rebuilt), "spec")
        yield f"<p>{rebuilt} rebuilt (same build, new hash).</p>"
    yield "</div>"
    yield "</details>"


def _packages(comparison: Comparison) -> Iterator[str]:
    if not comparison.packages:
        return
    yield '<section id="packages">'
    yield f"<h2>Packages ({len(comparison.packages)})</h2>"
    yield '<nav><ul class="index">'
    for change in comparison.packages:
        label = package_label(change)
        link = f'<a href="{html(html_href(label))}">{html(label)}</a>'
        yield f'<li>{link} <span class="muted">{change.status.value}</span></li>'
    yield "</ul></nav>"
    for change in comparison.packages:
        yield from package_section(change)
    yield "</section>"


def title(comparison: Comparison) -> str:
    def side(info: SourceInfo) -> str:
        return info.label

    return f"Catalog diff: {side(comparison.old)} {ARROW} {side(comparison.new)}"


def body(comparison: Comparison) -> Iterator[str]:
    """The page's content, without the frame."""
    yield f"<h1>{html(title(comparison))}</h1>"
    yield from summary_section(comparison)
    yield from severity_section(comparison)
    yield from _gates(comparison)
    yield from _rollups(comparison)
    yield from coverage_section(comparison)
    yield from _stack_counts(comparison)
    yield from _problems(comparison)
    yield from _tags(comparison)
    yield from _packages(comparison)
    yield FOOTER.format(what="")


def render(comparison: Comparison, color: bool = False) -> Iterator[str]:
    yield from page(title(comparison), body(comparison))
