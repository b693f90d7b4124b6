"""``release-notes --format html``: the release notes as one self-contained page.

The same content as the built-in Markdown template, from the same data
(:meth:`~catalog_diff.model.release.ReleaseNotes.as_data`): the highlights first (as
cards and a list), then new, removed and changed packages, version changes, what each
facet gained and lost, specs per stack and the problems. The frame, the style and the
escaping are the diff report's (:mod:`.page`, :func:`.escape.html`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ..model.release import ReleaseNotes
from ..words import count_of, signed
from .escape import html
from .page import FOOTER, page, table

ARROW = "&rarr;"

_FACET_TITLES = {
    "targets": "Targets",
    "stacks": "Stacks",
    "compilers": "Compilers",
    "oss": "Operating systems",
}


def _c(value: object) -> str:
    return f"<code>{html(value)}</code>"


def _codes(values: Iterable[object], limit: int = 30) -> str:
    items = list(values)
    text = ", ".join(_c(v) for v in items[:limit])
    return text + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _where(side: dict[str, Any]) -> str:
    text = _c(side["source"])
    if side.get("commit"):
        text += f" (commit {_c(side['commit'][:12])}"
        text += f", {html(str(side['date'])[:10])})" if side.get("date") else ")"
    return text


def _highlights(data: dict[str, Any]) -> Iterator[str]:
    h = data["highlights"]
    yield '<section id="highlights">'
    yield "<h2>Highlights</h2>"
    yield '<div class="cards">'
    for key, words, cls in (
        ("packages_added", "new packages", "gain"),
        ("packages_removed", "packages removed", "loss"),
        ("packages_changed", "packages changed", ""),
        ("specs_added", "specs added", "gain"),
        ("specs_removed", "specs removed", "loss"),
        ("specs_rebuilt", "specs rebuilt", ""),
    ):
        big = f'<div class="big {cls}" data-count="{key}">{int(h[key])}</div>'
        yield f'<div class="card">{big}<div>{words}</div></div>'
    yield "</div>"
    yield "<ul>"
    yield (
        f"<li><strong>Packages: {h['packages_old']} {ARROW} {h['packages_new']}</strong> "
        f"({signed(h['packages_new'] - h['packages_old'])}): {h['packages_added']} new, "
        f"{h['packages_removed']} removed, {h['packages_changed']} changed, "
        f"{h['packages_unchanged']} unchanged.</li>"
    )
    yield (
        f"<li><strong>Specs: {h['specs_old']} {ARROW} {h['specs_new']}</strong> "
        f"({signed(h['specs_new'] - h['specs_old'])}): {h['specs_added']} added, "
        f"{h['specs_removed']} removed, {h['specs_rebuilt']} rebuilt (same build, new hash), "
        f"{h['specs_compiler_changed']} moved to another compiler, "
        f"{h['specs_version_changed']} moved to another version.</li>"
    )
    yield (
        f"<li><strong>Versions</strong>: {count_of(h['version_upgrades'], 'package')} "
        f"upgraded, {h['version_downgrades']} downgraded, {h['version_other']} with other "
        "version changes.</li>"
    )
    for facet in data["facets"]:
        gained = [v["value"] for v in facet["gained"]]
        lost = [v["value"] for v in facet["lost"]]
        parts = []
        if gained:
            parts.append(f"{len(gained)} new ({_codes(gained, 10)})")
        if lost:
            parts.append(f"{len(lost)} gone ({_codes(lost, 10)})")
        noun = html(facet["noun"]).capitalize()
        yield f"<li><strong>{noun}s</strong>: {', '.join(parts) or 'none new, none gone'}.</li>"
    if h["problems"]:
        files = count_of(h["problems"], "file")
        yield f"<li><strong>Problems</strong>: {files} could not be read.</li>"
    yield "</ul>"
    yield "</section>"


def _package_table(title: str, key: str, rows: list[dict[str, Any]]) -> Iterator[str]:
    if not rows:
        return
    yield f'<section id="{key}">'
    yield f"<h2>{title}</h2>"
    yield from table(
        [("package", False), ("versions", False), ("specs", True), ("stacks", False)],
        [
            [
                (_c(p["name"]), ""),
                (_codes(p["versions"]), ""),
                (str(p["specs"]), "n"),
                (_codes(s for s in p["stacks"] if s != "root"), ""),
            ]
            for p in rows
        ],
    )
    yield "</section>"


def _changed(data: dict[str, Any]) -> Iterator[str]:
    rows = [p for p in data["changed_packages"] if p["added"] or p["removed"]]
    if not rows:
        return
    yield '<section id="changed">'
    yield "<h2>Packages with specs added or removed</h2>"
    yield from table(
        [("package", False), ("specs", True), ("added", True), ("removed", True)],
        [
            [
                (_c(p["name"]), ""),
                (f"{p['old_specs']} {ARROW} {p['new_specs']}", "n"),
                (str(p["added"]), "n gain" if p["added"] else "n"),
                (str(p["removed"]), "n loss" if p["removed"] else "n"),
            ]
            for p in rows
        ],
    )
    yield "</section>"


def _versions(data: dict[str, Any]) -> Iterator[str]:
    for title, key in (
        ("Version upgrades", "upgrades"),
        ("Version downgrades", "downgrades"),
        ("Other version changes", "other_version_changes"),
    ):
        changes = data[key]
        if not changes:
            continue
        yield f'<section id="{key.replace("_", "-")}">'
        yield f"<h2>{title}</h2>"
        rows = []
        for c in changes:
            newest = (
                _c(c["new_newest"])
                if c["old_newest"] == c["new_newest"]
                else f"{_c(c['old_newest'])} {ARROW} {_c(c['new_newest'])}"
            )
            rows.append(
                [
                    (_c(c["name"]), ""),
                    (newest, ""),
                    (_codes(c["added"]), ""),
                    (_codes(c["removed"]), ""),
                    (f"{c['old_specs']} {ARROW} {c['new_specs']}", "n"),
                ]
            )
        head = [
            ("package", False),
            ("newest", False),
            ("versions added", False),
            ("versions dropped", False),
            ("specs", True),
        ]
        yield from table(head, rows)
        yield "</section>"


def _facets(data: dict[str, Any]) -> Iterator[str]:
    for facet in data["facets"]:
        if not (facet["gained"] or facet["lost"] or facet["changed"]):
            continue
        yield f'<section id="{html(facet["name"])}">'
        yield f"<h2>{_FACET_TITLES.get(facet['name'], html(facet['name']))}</h2>"
        yield "<ul>"
        noun = html(facet["noun"])
        for v in facet["gained"]:
            yield (
                f'<li><span class="gain">New</span> {noun} {_c(v["value"])}: '
                f"{count_of(v['new_specs'], 'spec')} in {count_of(v['new_packages'], 'package')} "
                f"({_codes(v['gained_by'])}).</li>"
            )
        for v in facet["lost"]:
            yield (
                f'<li><span class="loss">Gone</span> {noun} {_c(v["value"])}: had '
                f"{count_of(v['old_specs'], 'spec')} in {count_of(v['old_packages'], 'package')} "
                f"({_codes(v['lost_by'])}).</li>"
            )
        for v in facet["changed"]:
            yield (
                f"<li>{noun} {_c(v['value'])}: packages {v['old_packages']} {ARROW} "
                f"{v['new_packages']}, specs {v['old_specs']} {ARROW} {v['new_specs']}; now also "
                f"in {_codes(v['gained_by']) or 'none'}; no longer in "
                f"{_codes(v['lost_by']) or 'none'}.</li>"
            )
        yield "</ul>"
        yield "</section>"


def _stacks(data: dict[str, Any]) -> Iterator[str]:
    stacks = [s for s in data["stacks"] if s["stack"] != "root"]
    if not stacks:
        return
    yield '<section id="stacks">'
    yield "<h2>Specs per stack</h2>"
    rows = []
    for s in stacks:
        status = f" ({s['status']})" if s["status"] in ("new", "gone") else ""
        cls = "n gain" if s["delta"] > 0 else "n loss" if s["delta"] < 0 else "n"
        rows.append(
            [
                (_c(s["stack"]) + status, ""),
                (str(s["old_specs"]), "n"),
                (str(s["new_specs"]), "n"),
                (signed(s["delta"]), cls),
                (f"{s['old_packages']} {ARROW} {s['new_packages']}", "n"),
            ]
        )
    head = [
        ("stack", False),
        (html(data["old"]["label"]), True),
        (html(data["new"]["label"]), True),
        ("change", True),
        ("packages", True),
    ]
    yield from table(head, rows)
    yield "</section>"


def render_release_notes_html(notes: ReleaseNotes) -> str:
    """The notes as one self-contained HTML page."""
    data = notes.as_data()
    old, new = data["old"], data["new"]
    title = f"Release notes: {old['label']} \u2192 {new['label']}"

    def body() -> Iterator[str]:
        yield f"<h1>{html(title)}</h1>"
        yield (
            f'<p class="lede">Spack build-cache catalog, tag {_c(old["tag"])} at {_where(old)} '
            f"{ARROW} tag {_c(new['tag'])} at {_where(new)}.</p>"
        )
        yield from _highlights(data)
        if not (data["new_packages"] or data["removed_packages"] or data["changed_packages"]):
            yield "<p>No changes.</p>"
        yield from _package_table("New packages", "new-packages", data["new_packages"])
        yield from _package_table("Removed packages", "removed-packages", data["removed_packages"])
        yield from _changed(data)
        yield from _versions(data)
        yield from _facets(data)
        yield from _stacks(data)
        if data["problems"]:
            yield '<section id="problems">'
            yield "<h2>Problems</h2>"
            yield "<p>These files could not be read; their packages are left out.</p>"
            yield "<ul>"
            for p in data["problems"]:
                yield (
                    f"<li>{html(p['side'])} {_c(p['source'])}: {_c(p['path'])}: "
                    f"{html(p['message'])}</li>"
                )
            yield "</ul>"
            yield "</section>"
        yield FOOTER.format(what="")

    return "".join(line + "\n" for line in page(title, body()))
