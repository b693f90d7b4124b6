"""The consistency audit of one catalog (``catalog-diff lint``). Pure: no I/O.

Given the catalog at one point (its packages read with their ``meta``), everything that
lies below ``_cache/`` and the bytes of ``_data/tags.yaml``, :func:`check` lists what
does not hold together, each finding with a stable ``code`` (see :data:`CODES`):

- a package file's ``meta`` against its ``spec_details``: ``num_specs``,
  ``num_specs_by_stack`` and each facet list, which the catalog writes as the sorted
  union over the specs. Like is compared with like: ``meta.compilers`` holds the
  compilers as written (``gcc@=11.4.0``) and is compared with each spec's compiler as
  written, not with the normalised form;
- a hash repeated within a file, or found in two packages of one tag;
- holes: specs whose stacks do not include ``root`` (built in a stack mirror, missing
  from the top-level mirror), and stacks that ``meta.num_specs_by_stack`` counts larger
  than ``root``;
- anything below ``_cache/`` that is no package file of a known layout;
- a tag folder without packages;
- tags listed in ``_data/tags.yaml`` but missing from ``_cache/``, and the reverse;
  stacks it lists for a tag that have no spec in the tag;
- files that could not be read.

Only package files of the current layout carry a full ``meta``; those of the older
layouts are checked for readability, hashes and stray files only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from operator import attrgetter

from ..compare.census import ROOT
from ..errors import ParseError
from ..layout import (
    CACHE_DIR,
    LIST_FILES,
    classify,
    legacy_kind,
    printable,
)
from ..model.lint import CODES, Finding, LintReport
from ..model.snapshot import Facet, Package, Snapshot, Spec
from ..parse.tagsyaml import TAGS_YAML, parse_tags_stacks
from ..parse.tagsyaml import parse_tags_yaml as parse_tags_yaml  # the tests read it here
from ..sources.listing import TreeEntry, Unreadable

#: How many values a finding's message names before "and N more".
SHOWN = 5


def check(
    snapshot: Snapshot, tree: Sequence[TreeEntry], tags_yaml: bytes | Unreadable | None
) -> LintReport:
    """Audit a catalog: its packages (read with their meta), everything below
    ``_cache/``, and ``_data/tags.yaml`` (None when there is none: tags not checked;
    :class:`~catalog_diff.sources.listing.Unreadable` when it is there but cannot be read)."""
    findings = [
        Finding("unreadable-file", p.message, p.path, *_key(p.path)) for p in snapshot.problems
    ]
    for package in snapshot.packages.values():
        findings.extend(_meta(package))
        findings.extend(_duplicates(package))
        findings.extend(_holes(package))
    findings.extend(_shared_hashes(snapshot.packages.values()))
    reported = {p.path for p in snapshot.problems}
    findings.extend(_strays(tree, reported))
    findings.extend(_empty_tags(snapshot))
    listed: list[str] | None = None
    stacks: dict[str, tuple[str, ...]] = {}
    if isinstance(tags_yaml, Unreadable):
        findings.append(Finding("unreadable-file", tags_yaml.reason, TAGS_YAML))
    elif tags_yaml is not None:
        try:
            stacks = dict(parse_tags_stacks(tags_yaml))
            listed = list(stacks)
        except ParseError as exc:
            findings.append(Finding("unreadable-file", exc.reason, TAGS_YAML))
    if listed is not None:
        findings.extend(_tags(snapshot.tags, snapshot.unlisted_tags, listed))
        findings.extend(_empty_stacks(snapshot, stacks))
    order = {code: i for i, code in enumerate(CODES)}
    findings.sort(
        key=lambda f: (order[f.code], f.tag or "", f.package or "", f.path or "", f.message)
    )
    return LintReport(
        source=snapshot.info,
        findings=tuple(findings),
        packages=len(snapshot.packages),
        tags=tuple(sorted(snapshot.tags)),
        entries=len(tree),
        tags_yaml=listed is not None,
    )


def _key(path: str) -> tuple[str | None, str | None]:
    key = classify(path)
    return (key[0], key[1]) if key else (None, None)


def _listed(values: Iterable[str]) -> str:
    items = [printable(v) for v in values]
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


# ---- meta against spec_details ---------------------------------------------------------


def _values(specs: Sequence[Spec], facet: Facet) -> set[str]:
    """What ``meta``'s list of ``facet`` is the union of (the compilers as written)."""
    get = attrgetter(facet.meta_field)
    if facet.many:
        return {value for spec in specs for value in get(spec)}
    return {get(spec) for spec in specs}


def _meta(package: Package) -> Iterable[Finding]:
    """``meta`` against the specs of a package file of the current layout."""
    if classify(package.path) is None:
        return  # the older layouts: their meta names versions and compilers only
    where = {"path": package.path, "tag": package.tag, "package": package.name}
    meta = package.meta
    if meta is None:
        yield Finding("meta-missing", "the file has no meta", **where)
        return
    specs = package.specs
    if meta.num_specs != len(specs):
        told = "is missing" if meta.num_specs is None else f"is {meta.num_specs}"
        yield Finding(
            "meta-num-specs", f"meta.num_specs {told}; spec_details hold {len(specs)}", **where
        )
    counted = Counter(stack for spec in specs for stack in spec.stacks)
    if meta.num_specs_by_stack is None:
        yield Finding("meta-num-specs-by-stack", "meta.num_specs_by_stack is missing", **where)
    else:
        said: dict[str, int] = dict(meta.num_specs_by_stack)
        wrong = sorted(s for s in set(said) | set(counted) if said.get(s, 0) != counted[s])
        if wrong:
            parts = [f"{s}: meta {said.get(s, 'none')}, specs {counted[s]}" for s in wrong]
            yield Finding(
                "meta-num-specs-by-stack",
                f"meta.num_specs_by_stack disagrees for {len(wrong)} stack(s): " + _listed(parts),
                **where,
            )
    for facet in sorted(Facet, key=attrgetter("key")):
        written = [v.strip() for v in getattr(meta, facet.key)]
        found = {v.strip() for v in _values(specs, facet)}
        code = f"meta-{facet.key}"
        extra, missing = sorted(set(written) - found), sorted(found - set(written))
        if extra or missing:
            parts = []
            if missing:
                parts.append(f"lacks {_listed(missing)}")
            if extra:
                parts.append(f"lists {_listed(extra)}, which no spec has")
            yield Finding(code, f"meta.{facet.key} {'; '.join(parts)}", **where)
        elif written != sorted(found):
            yield Finding(code, f"meta.{facet.key} is not sorted or repeats a value", **where)


# ---- hashes ------------------------------------------------------------------------------


def _duplicates(package: Package) -> Iterable[Finding]:
    repeated = [(h, n) for h, n in sorted(Counter(s.hash for s in package.specs).items()) if n > 1]
    for digest, times in repeated:
        yield Finding(
            "duplicate-hash",
            f"hash {printable(digest)} appears {times} times",
            package.path,
            package.tag,
            package.name,
        )


def _holes(package: Package) -> Iterable[Finding]:
    """Specs missing from the top-level mirror: not in ``root`` by their stacks, or (the
    file's own count) more specs in a stack than ``root`` counts."""
    where = {"path": package.path, "tag": package.tag, "package": package.name}
    holes = [s for s in package.specs if s.stacks and ROOT not in s.stacks]
    if holes:
        stacks = sorted({stack for s in holes for stack in s.stacks})
        yield Finding(
            "hole",
            f"{len(holes)} spec(s) not in root, built in {_listed(stacks)}: "
            + _listed(sorted(printable(s.hash) for s in holes)),
            **where,
        )
        return
    meta = package.meta
    if meta is None or meta.num_specs_by_stack is None:
        return
    said = dict(meta.num_specs_by_stack)
    root = said.get(ROOT, 0)
    over = sorted(s for s, n in said.items() if s != ROOT and n > root)
    if over:
        parts = [f"{s}: {said[s]}" for s in over]
        yield Finding(
            "hole",
            f"meta.num_specs_by_stack counts more specs than root ({root}) in " + _listed(parts),
            **where,
        )


def _shared_hashes(packages: Iterable[Package]) -> Iterable[Finding]:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for package in packages:
        for spec in package.specs:
            owners[(package.tag, spec.hash)].add(package.name)
    for (tag, digest), names in sorted(owners.items()):
        if len(names) > 1:
            yield Finding(
                "hash-in-two-packages",
                f"hash {printable(digest)} is in {len(names)} packages of tag "
                f"{printable(tag)}: {_listed(sorted(names))}",
                tag=tag,
            )


# ---- what lies below _cache/ -------------------------------------------------------------


def _strays(tree: Sequence[TreeEntry], reported: set[str]) -> Iterable[Finding]:
    """Entries that are no package file of a known layout (those already reported as
    unreadable excepted). A folder ``_cache/<x>/`` is a tag folder when it holds package
    files of the current layout, else a package folder of an older layout when it holds
    a list file, as the sources decide."""
    tag_folders = {p.path.split("/")[1] for p in tree if classify(p.path) is not None}
    package_folders = {
        parts[1]
        for parts in (e.path.split("/") for e in tree)
        if len(parts) == 3 and parts[2] in LIST_FILES
    } - tag_folders
    for entry in tree:
        shown = printable(entry.path)
        if shown in reported:
            continue
        parts = entry.path.split("/")
        if entry.kind == "folder":
            continue  # an empty folder: an empty tag, reported as such
        if entry.kind == "unlistable":  # what it holds was not audited
            yield Finding("unreadable-file", entry.reason, shown, *_key(shown))
            continue
        known = entry.kind == "file" and (
            classify(entry.path) is not None
            or (
                len(parts) == 3
                and parts[1] in package_folders
                and legacy_kind(entry.path) is not None
            )
        )
        if known:
            continue
        what = {
            "symlink": "a symbolic link",
            "submodule": "a submodule",
            "other": "not a regular file (a FIFO, a socket or a device file; not opened)",
        }.get(entry.kind, "no package file of any catalog layout")
        yield Finding("stray-file", what, shown, *_key(shown))


def _empty_tags(snapshot: Snapshot) -> Iterable[Finding]:
    used = {tag for tag, _ in snapshot.packages} | {tag for tag, _ in snapshot.broken}
    for tag in sorted(snapshot.tags - used):
        yield Finding("empty-tag", "the tag folder holds no package", f"{CACHE_DIR}/{tag}", tag)


# ---- _data/tags.yaml ---------------------------------------------------------------------


def _tags(
    present: frozenset[str], unlisted: frozenset[str], listed: Sequence[str]
) -> Iterable[Finding]:
    for tag in sorted(set(listed) - present - unlisted):  # unlisted: already a problem
        yield Finding(
            "tag-not-in-cache",
            f"lists tag {printable(tag)}, which has no folder in {CACHE_DIR}/",
            TAGS_YAML,
            tag,
        )
    for tag in sorted(present - set(listed)):
        yield Finding(
            "tag-not-in-tags-yaml",
            f"the tag folder is not listed in {TAGS_YAML}",
            f"{CACHE_DIR}/{tag}",
            tag,
        )


def _empty_stacks(snapshot: Snapshot, listed: dict[str, tuple[str, ...]]) -> Iterable[Finding]:
    """Stacks ``_data/tags.yaml`` lists for a tag that no spec of the tag is in (a tag
    with a file that could not be read is not judged)."""
    broken = {tag for tag, _ in snapshot.broken}
    present: dict[str, set[str]] = defaultdict(set)
    for (tag, _), package in snapshot.packages.items():
        for spec in package.specs:
            present[tag].update(spec.stacks)
    for tag, stacks in sorted(listed.items()):
        if tag not in snapshot.tags or tag in broken:
            continue
        empty = sorted(set(stacks) - present[tag])
        if empty:
            yield Finding(
                "stack-empty",
                f"lists {len(empty)} stack(s) for tag {printable(tag)} that no spec of it is "
                f"in: {_listed(empty)}",
                TAGS_YAML,
                tag,
            )
