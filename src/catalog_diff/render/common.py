"""Wording shared by the human-readable renderers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..model.changes import Change, Explanation
from ..model.comparison import (
    Comparison,
    FieldsChange,
    MetaMismatch,
    PackageChange,
    ProblemRecord,
    Rollup,
    RollupKind,
    SetDelta,
    SpecChanges,
    StackCounts,
    StacksChange,
    Summary,
)
from ..model.snapshot import FACETS, SourceInfo, Spec
from ..words import count_of
from .escape import styled
from .escape import text as shown

if TYPE_CHECKING:  # the history model: the audit reports' only (a diff never loads it)
    from ..model.history import Absence

#: How each kind of spec change is named in prose, in report order.
SPEC_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("added", "added"),
    ("removed", "removed"),
    ("rebuilt", "rebuilt"),
    ("compiler_changed", "compiler changed"),
    ("version_changed", "version changed"),
    ("stacks_changed", "stacks changed"),
    ("fields_changed", "fields changed"),
)


def ansi(text: str, style: str | None) -> str:
    """``text`` made inert for a terminal (:func:`.escape.text`), in a terminal style
    (``bold``, ``red``, ``green``, ``yellow``; None: no style)."""
    return styled(shown(text), style)


def short(commit: str | None) -> str:
    return commit[:12] if commit else ""


def describe_source(info: SourceInfo, tag: str | None) -> str:
    """``HEAD~1 (commit 0123456789ab, 2025-03-23T00:00:00+00:00), tag develop``; for a
    commit picked by date, ``--at 2025-03-24 -> 2173aca9cc08 (2025-03-23T06:00:00+00:00)``."""
    if info.at:
        text = f"--at {info.at} -> {short(info.commit)}"
        if info.date:
            text += f" ({info.date})"
        return f"{text}, tag {tag}" if tag else text
    details = []
    if info.commit:
        details.append(f"commit {short(info.commit)}")
    if info.date:
        details.append(info.date)
    text = info.source
    if details:
        text += f" ({', '.join(details)})"
    if tag:
        text += f", tag {tag}"
    return text


def spec_subject(name: str, spec: Spec | None, digest: str) -> str:
    """The spec of a stacks or fields change in full, or its short hash when the change
    does not carry it (a comparison built by an older version of the library)."""
    return spec_line(name, spec) if spec is not None else f"/{digest[:7]}"


def stack_moves(change: StacksChange) -> str:
    """``+hep -e4s``: the stacks a spec joined and left."""
    return " ".join([f"+{s}" for s in change.added] + [f"-{s}" for s in change.removed])


def field_parts(change: FieldsChange) -> list[tuple[str, tuple[str, ...] | tuple[str, str]]]:
    """Each changed field as ``(name, tokens)``: a list field (variants, versions) as
    ``+value``/``-value`` tokens (its elements added, then removed), a single value as
    ``(old, new)`` (see :func:`field_items`)."""
    parts: list[tuple[str, tuple[str, ...] | tuple[str, str]]] = []
    for f in change.fields:
        if isinstance(f.old, list) or isinstance(f.new, list):
            tokens = [f"+{v}" for v in f.added] + [f"-{v}" for v in f.removed]
            parts.append((f.name, tuple(tokens)))
        else:
            parts.append((f.name, (str(f.old), str(f.new))))
    return parts


def is_list_field(change: FieldsChange, name: str) -> bool:
    return any(f.name == name and isinstance(f.new, list) for f in change.fields)


def field_items(change: FieldsChange, show: Callable[[str], str] = str, arrow: str = "->") -> str:
    """``os amzn2 -> ubuntu24.04; variants +w=1 -w=0``: each value through ``show`` (the
    format's quoting), a single value's move with the format's ``arrow``."""
    out = []
    for name, tokens in field_parts(change):
        if is_list_field(change, name):
            out.append(f"{name} " + " ".join(show(t) for t in tokens))
        else:
            out.append(f"{name} {show(tokens[0])} {arrow} {show(tokens[1])}")
    return "; ".join(out)


def spec_line(name: str, spec: Spec) -> str:
    """A spec in Spack's own notation, with its stacks and short hash."""
    versions = ",".join(spec.versions)
    parts = [f"{name}@{versions}", f"%{spec.compiler}"]
    parts.extend(spec.variants)
    parts.append(f"arch={spec.platform}-{spec.os}-{spec.target}")
    parts.append(f"[{', '.join(spec.stacks)}]")
    parts.append(f"/{spec.hash[:7]}")
    return " ".join(parts)


def facet_deltas(change: PackageChange) -> list[tuple[str, SetDelta]]:
    """The facets of a package that changed, with what each gained and lost, in the
    order of the model's table."""
    return [(facet, change.facet(facet)) for facet in FACETS if change.facet(facet)]


#: The mark of each spec item: ``+`` added, ``-`` removed, ``~`` changed.
SpecItem = tuple[str, str]


def spec_items(change: PackageChange, show: Callable[[str], str], arrow: str) -> list[SpecItem]:
    """One ``(mark, words)`` per spec added, removed or changed, in report order; every
    value through ``show``, a move with ``arrow`` (rebuilt specs are only counted).

    ``("+", "zfp@1.0 ...")``, ``("~", "compiler gcc@12 -> gcc@13: zfp@1.0 ... (was /abc1234)")``:
    each format lays the mark out its own way (``+ ``, ``- added``, a colour).
    """
    name, specs = change.name, change.specs
    items: list[SpecItem] = [("+", show(spec_line(name, s))) for s in specs.added]
    items += [("-", show(spec_line(name, s))) for s in specs.removed]
    for pair in specs.compiler_changed:
        move = f"compiler {show(pair.old.compiler)} {arrow} {show(pair.new.compiler)}"
        items.append(("~", f"{move}: {show(spec_line(name, pair.new))} {_was(pair.old, show)}"))
    for pair in specs.version_changed:
        old, new = ",".join(pair.old.versions), ",".join(pair.new.versions)
        move = f"version {show(old)} {arrow} {show(new)}"
        items.append(("~", f"{move}: {show(spec_line(name, pair.new))} {_was(pair.old, show)}"))
    for stacks in specs.stacks_changed:
        subject = show(spec_subject(name, stacks.spec, stacks.hash))
        items.append(("~", f"stacks {show(stack_moves(stacks))}: {subject}"))
    for fields in specs.fields_changed:
        subject = show(spec_subject(name, fields.spec, fields.hash))
        items.append(("~", f"fields {field_items(fields, show, arrow)}: {subject}"))
    return items


def _was(old: Spec, show: Callable[[str], str]) -> str:
    return f"(was {show('/' + old.hash[:7])})"


def spec_counts(specs: SpecChanges) -> str:
    """``3 added, 1 compiler changed`` (kinds with zero left out; ``2 rebuilt (2 compiler
    renamed)`` when aliases paired renames)."""
    parts = [f"{len(getattr(specs, kind))} {word}" for kind, word in SPEC_KIND_WORDS]
    renamed = sum(p.compiler_renamed for p in specs.rebuilt)
    if renamed:
        parts[2] += f" ({renamed} compiler renamed)"
    return ", ".join(p for p in parts if not p.startswith("0 "))


def summary_specs(summary: Summary) -> list[str]:
    """``77 added``, ``361 rebuilt (50 compiler renamed)``, ...: each kind of spec
    change with its count; the renames only when there are some."""
    out = []
    for kind, word in SPEC_KIND_WORDS:
        out.append(f"{getattr(summary, 'specs_' + kind)} {word}")
        if kind == "rebuilt" and summary.specs_compiler_renamed:
            out[-1] += f" ({summary.specs_compiler_renamed} compiler renamed)"
    return out


def summary_rows(summary: Summary) -> list[tuple[str, str]]:
    """The summary as (label, counts) rows."""
    specs = ", ".join(summary_specs(summary))
    rows = [
        (
            "packages",
            f"{summary.packages_added} added, {summary.packages_removed} removed, "
            f"{summary.packages_changed} changed",
        ),
        ("specs", specs),
    ]
    if summary.tags_added or summary.tags_removed:
        rows.append(("tags", f"{summary.tags_added} added, {summary.tags_removed} removed"))
    if summary.problems:
        rows.append(("problems", f"{count_of(summary.problems, 'file')} could not be read"))
    return rows


def problem_text(
    p: ProblemRecord,
    show: Callable[[str], str] = str,
    prose: Callable[[str], str] = str,
    side: bool = True,
) -> str:
    """``new HEAD: _cache/t/p/specs.md: message``: the revision and path through ``show``,
    the message through ``prose``; ``side`` False for a report of one side (``show``,
    ``when``)."""
    where = f"{p.side.value} {show(p.revision)}" if side else show(p.revision)
    return f"{where}: {show(p.path)}: {prose(p.message)}"


def package_label(change: PackageChange) -> str:
    return f"{change.tag}/{change.name}"


def headline(comparison: Comparison) -> str:
    if comparison.problems and not comparison.has_differences:
        return "No differences found, but some files could not be read (see problems)."
    if not comparison.has_differences:
        return "No differences."
    return ""


# ---- roll-ups, stack counts and gates --------------------------------------------------

#: The human reports list the roll-ups that span at least this many packages (the JSON
#: lists every one); a change to one package is in that package's section anyway.
ROLLUP_MIN_PACKAGES = 2

#: How many meta mismatches the human reports list before "and N more".
MISMATCHES_SHOWN = 10


def shown_rollups(rollups: Sequence[Rollup]) -> tuple[list[Rollup], int]:
    """The roll-ups a human report lists, and how many single-package ones it leaves out."""
    shown = [r for r in rollups if len(r.packages) >= ROLLUP_MIN_PACKAGES]
    return shown, len(rollups) - len(shown)


def rollup_text(rollup: Rollup, show: Callable[[str], str] = str, arrow: str = "->") -> str:
    """One roll-up in words; ``show`` formats the names taken from the catalog, ``arrow``
    is the format's arrow.

    ``compiler oneapi@2024.2.1 -> intel-oneapi-compilers@2024.2.1: 50 specs in 23
    packages``, ``stack e4s-cray-rhel: lost 3 packages, lost 3 specs``, ``target zen4:
    dropped by 3 packages (3 specs)``.
    """
    packages = len(rollup.packages)
    if rollup.kind in (RollupKind.COMPILER_CHANGED, RollupKind.COMPILER_RENAMED):
        verb = "renamed " if rollup.kind is RollupKind.COMPILER_RENAMED else ""
        return (
            f"compiler {verb}{show(rollup.old or '')} {arrow} {show(rollup.new or '')}: "
            f"{count_of(rollup.specs_gained, 'spec')} in {count_of(packages, 'package')}"
        )
    label = f"{rollup.kind.value} {show(rollup.subject)}"
    parts = []
    if rollup.kind is RollupKind.STACK:
        if rollup.gained:
            parts.append(f"gained {count_of(len(rollup.gained), 'package')}")
        if rollup.lost:
            parts.append(f"lost {count_of(len(rollup.lost), 'package')}")
        if rollup.specs_gained:
            parts.append(f"gained {count_of(rollup.specs_gained, 'spec')}")
        if rollup.specs_lost:
            parts.append(f"lost {count_of(rollup.specs_lost, 'spec')}")
        text = f"{label}: {', '.join(parts)}"
        if packages != len(rollup.gained) + len(rollup.lost):
            text += f" (in {count_of(packages, 'package')})"
        return text
    if rollup.gained:
        parts.append(
            f"new in {count_of(len(rollup.gained), 'package')} "
            f"({count_of(rollup.specs_gained, 'spec')})"
        )
    if rollup.lost:
        parts.append(
            f"dropped by {count_of(len(rollup.lost), 'package')} "
            f"({count_of(rollup.specs_lost, 'spec')})"
        )
    return f"{label}: {', '.join(parts)}"


def stack_counts_title(counts: StackCounts) -> str:
    """What the per-stack numbers are: totals, or the change in the packages read."""
    if counts.complete:
        return "Specs per stack (totals over every package compared)"
    return "Specs per stack (change only: files equal on both sides were not read)"


def meta_check_text(counts: StackCounts) -> str:
    """The cross-check of the per-stack counts against each file's own meta, in words."""
    if not counts.meta_checked:
        return "Not checked against meta.num_specs_by_stack (none of the sources read carries it)."
    files = count_of(counts.meta_checked, "package file")
    if not counts.mismatches:
        return f"Checked against meta.num_specs_by_stack in {files}: all agree."
    wrong = len({(m.side, m.path) for m in counts.mismatches})
    return (
        f"Checked against meta.num_specs_by_stack in {files}: "
        f"{count_of(wrong, 'file')} disagree{'s' if wrong == 1 else ''}."
    )


def mismatch_text(m: MetaMismatch, show: Callable[[str], str] = str) -> str:
    return (
        f"{m.side.value} {show(m.path)}: stack {show(m.stack)}: meta says {m.meta}, "
        f"spec_details have {m.specs}"
    )


# ---- the changes, by severity ------------------------------------------------------------

#: The human reports list at most this many changes of one kind (the JSON lists all).
CHANGES_SHOWN = 10

CHANGES_TITLE = "Changes by severity"


def shown_changes(
    changes: Sequence[Change], shown: int = CHANGES_SHOWN
) -> list[tuple[str, list[Change], int]]:
    """The changes as the human reports list them: per kind (most severe first, as
    :func:`catalog_diff.model.changes.order_key` sorts them), the first ``shown`` and
    how many more."""
    groups: list[tuple[str, list[Change]]] = []
    for change in changes:
        if not groups or groups[-1][0] != change.code:
            groups.append((change.code, []))
        groups[-1][1].append(change)
    return [(code, found[:shown], max(0, len(found) - shown)) for code, found in groups]


def change_line(
    change: Change, name: Callable[[str], str], prose: Callable[[str], str] = str
) -> str:
    """``breaking  stack-removed (v0.23.1): <impact>``: ``name`` quotes the code and the
    tag, ``prose`` the impact line (it holds names from the input)."""
    severity = change.severity.value
    where = f"{name(change.code)} ({name(change.tag)})"
    return f"{severity:<8}  {where}: {prose(change.impact)}"


def explanation_line(explanation: Explanation, name: Callable[[str], str] = str) -> str:
    """Where a removal happened (``diff --explain``): ``gone at <commit> (<date>); back
    at <commit> (<date>), within 7 commits: transient, not a removal``. ``name`` quotes
    a commit and a date."""
    e = explanation
    said = f"gone at {name(e.went[:12])} ({name(e.went_date)})"
    within = count_of(e.window, "commit")
    if e.back is not None:
        back = f"{name(e.back[:12])} ({name(e.back_date or '')})"
        return f"{said}; back at {back}, within {within}: transient, not a removal"
    return f"{said}; not back within {within} of going"


def changes_more(code: str, hidden: int) -> str:
    return f"and {hidden} more {code} (all in the JSON report)"


def event_changes(change: PackageChange | None, more: Sequence[Change] = ()) -> tuple[Change, ...]:
    """The kinds of one package change (a ``history`` event) and ``more`` (the event's
    transient kinds), most severe first."""
    from ..compare.kinds import package_changes
    from ..model.changes import order_key

    found = [*(package_changes(change) if change is not None else ()), *more]
    return tuple(sorted(found, key=order_key))


def absence_span(absence: Absence) -> str:
    """``missing from 0123456789ab to 456789abcdef (2 commits)``: a transient absence."""
    first, last = short(absence.first.commit), short(absence.last.commit)
    return f"missing from {first} to {last} ({count_of(absence.commits, 'commit')})"


def absence_kinds(absence: Absence) -> str:
    """``package-transient — <impact>`` for each kind of a transient absence."""
    from ..model.changes import order_key

    found = sorted(absence.changes, key=order_key)
    return "; ".join(f"{c.code} \N{EM DASH} {c.impact}" for c in found)
