"""GitHub-flavoured Markdown: a summary table, then one section per package.

Good as a pull-request comment or a release-notes draft. Every value from the catalog is
written as inline code with ``|`` escaped, so a name can neither break a table nor add
markup. Rebuilt specs are counted, not listed; per-spec lines sit in ``<details>``.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import FACETS, Comparison, PackageChange, SourceInfo, Spec
from .common import SPEC_KIND_WORDS, spec_counts, spec_line


def code(value: str) -> str:
    """Inline code that survives any content, also inside a table cell."""
    value = value.replace("\r", " ").replace("\n", " ").replace("|", "\\|")
    run = longest = 0
    for ch in value:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or not value else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _codes(values: tuple[str, ...]) -> str:
    return ", ".join(code(v) for v in values) if values else ""


def _source_rows(
    old: SourceInfo, new: SourceInfo, old_tag: str | None, new_tag: str | None
) -> Iterator[str]:
    yield "| | old | new |"
    yield "|---|---|---|"
    yield f"| source | {code(old.source)} | {code(new.source)} |"
    commits = [code(info.commit) if info.commit else "" for info in (old, new)]
    yield f"| commit | {commits[0]} | {commits[1]} |"
    yield f"| date | {old.date or ''} | {new.date or ''} |"
    if old_tag or new_tag:
        yield f"| tag | {code(old_tag or '')} | {code(new_tag or '')} |"


def _spec_item(mark: str, name: str, spec: Spec) -> str:
    return f"- {mark} {code(spec_line(name, spec))}"


def _package(change: PackageChange) -> Iterator[str]:
    yield f"### {code(change.tag + '/' + change.name)} {change.status.value}"
    yield ""
    rows = [(f, change.facet(f)) for f in FACETS if change.facet(f)]
    if rows:
        yield "| | added | removed |"
        yield "|---|---|---|"
        for facet, delta in rows:
            yield f"| {facet} | {_codes(delta.added)} | {_codes(delta.removed)} |"
        yield ""
    specs = change.specs
    counts = spec_counts(specs)
    if not counts:
        return
    items = [_spec_item("added", change.name, s) for s in specs.added]
    items += [_spec_item("removed", change.name, s) for s in specs.removed]
    for pair in specs.compiler_changed:
        items.append(
            f"- compiler {code(pair.old.compiler)} → {code(pair.new.compiler)}: "
            f"{code(spec_line(change.name, pair.new))}"
        )
    for pair in specs.version_changed:
        items.append(
            f"- version {code(','.join(pair.old.versions))} → {code(','.join(pair.new.versions))}: "
            f"{code(spec_line(change.name, pair.new))}"
        )
    for stacks in specs.stacks_changed:
        moves = [f"+{s}" for s in stacks.added] + [f"-{s}" for s in stacks.removed]
        items.append(f"- stacks of {code('/' + stacks.hash[:7])}: {code(' '.join(moves))}")
    for fields in specs.fields_changed:
        detail = "; ".join(f"{f.name} {f.old} -> {f.new}" for f in fields.fields)
        items.append(f"- fields of {code('/' + fields.hash[:7])}: {code(detail)}")
    if not items:
        yield f"Specs: {counts}."
        yield ""
        return
    yield "<details>"
    yield f"<summary>Specs: {counts}</summary>"
    yield ""
    yield from items
    yield ""
    yield "</details>"
    yield ""


def render(comparison: Comparison, color: bool = False) -> Iterator[str]:
    summary = comparison.summary
    yield "## Catalog diff"
    yield ""
    yield from _source_rows(comparison.old, comparison.new, comparison.old_tag, comparison.new_tag)
    yield ""
    yield "| | added | removed | changed |"
    yield "|---|---:|---:|---:|"
    yield (
        f"| packages | {summary.packages_added} | {summary.packages_removed} "
        f"| {summary.packages_changed} |"
    )
    yield f"| tags | {summary.tags_added} | {summary.tags_removed} | |"
    yield ""
    yield "| specs | count |"
    yield "|---|---:|"
    for kind, word in SPEC_KIND_WORDS:
        yield f"| {word} | {getattr(summary, 'specs_' + kind)} |"
    yield ""
    if comparison.problems:
        yield f"### Problems: {len(comparison.problems)} file(s) could not be read"
        yield ""
        for p in comparison.problems:
            yield f"- {p.side.value} {code(p.revision)}: {code(p.path)}: {code(p.message)}"
        yield ""
    for title, tags in (
        ("Tags added", comparison.tags_added),
        ("Tags removed", comparison.tags_removed),
    ):
        if tags:
            yield f"### {title}"
            yield ""
            yield "| tag | packages | specs |"
            yield "|---|---:|---:|"
            for t in tags:
                yield f"| {code(t.tag)} | {t.packages} | {t.specs} |"
            yield ""
    if not comparison.has_differences:
        yield "No differences."
        yield ""
    for change in comparison.packages:
        yield from _package(change)
