"""The entry points on one or two catalogs: diff, snapshot, lint, show, release notes,
and the commit at a date. Each returns model objects.

Heavy modules (GitPython) are imported by the calls that need them, so that a command
pays only for what it does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..model.selection import Globs
from ..model.snapshot import Snapshot, SourceInfo
from ..sources.listing import TreeListing
from ..sources.load import ALL, Selection, Sources, load, load_pair

if TYPE_CHECKING:  # each function imports what it runs: a command loads no more
    from ..compare.aliases import CompilerAliases
    from ..model.comparison import Comparison
    from ..model.history import CatalogState
    from ..model.lint import LintReport
    from ..model.release import ReleaseNotes


def diff(
    old: str,
    new: str,
    *,
    repo: str = ".",
    selection: Selection = ALL,
    full: bool = False,
    aliases: CompilerAliases | None = None,
    transient_window: int = 1,
) -> Comparison:
    """Compare two catalog snapshots.

    ``old`` and ``new`` are each a revision of ``repo`` (anything git accepts), a directory
    holding a catalog checkout, or a snapshot file, as
    :func:`catalog_diff.sources.arguments.classify` decides (``rev:X``, ``dir:PATH``,
    ``snapshot:PATH`` and ``at:DATE`` say which; an argument that is both a revision and
    an existing path is refused). Raises :class:`~catalog_diff.errors.CatalogDiffError`
    subclasses on bad input; files that cannot be read are not errors but
    ``Comparison.problems``. With ``full``, every package of both sides is read (not only
    the files that differ), so that ``Comparison.stack_counts`` holds totals; it is slower.
    ``aliases``: the compiler aliases to pair renamed compilers by
    (:data:`~catalog_diff.compare.aliases.BUILTIN_ALIASES`, ``.extended(...)``): the
    built-in table by default, as on the command line (which also reads the user's
    configuration); ``NO_ALIASES`` gives the raw view. ``Comparison.changes`` are judged on
    whole tags either way (see :mod:`catalog_diff.compare.wide`), with the stacks
    ``_data/tags.yaml`` lists and, for a stack gone from or back in a weekly tag, the
    ``transient_window`` weekly tags around.
    """
    from ..compare.aliases import or_builtin
    from ..compare.pairing import compare
    from ..compare.wide import classify_whole
    from ..sources.around import Around, tags_stacks

    if transient_window < 1:
        raise UsageError(f"--transient-window must be at least 1, not {transient_window}")
    with Sources(repo) as sources:
        old_source, new_source = sources.open(old), sources.open(new)
        before, after = load_pair(old_source, new_source, selection, full=full)
        comparison = compare(
            before,
            after,
            old_tag=selection.old_tag,
            new_tag=selection.new_tag,
            aliases=or_builtin(aliases),
            kinds=False,
        )
        around = Around(old_source, new_source, selection)
        listed = lambda: tags_stacks(new_source)  # noqa: E731  read only when needed
        return classify_whole(comparison, before, after, around, listed, transient_window)


def snapshot(source: str, *, repo: str = ".", selection: Selection = ALL) -> Snapshot:
    """Load one whole snapshot (every tag and package, or the selected ones)."""
    with Sources(repo) as sources:
        return load(sources.open(source), selection)


def lint(source: str, *, repo: str = ".", selection: Selection = ALL) -> LintReport:
    """Audit the catalog at ``source`` (a revision of ``repo`` or a directory) for
    consistency: see :mod:`catalog_diff.lint.checks`. Files that cannot be read are findings.
    With a selection, only the selected tag and packages are audited, and
    ``_data/tags.yaml`` (about every tag) is not."""
    from ..lint.checks import check
    from ..parse.tagsyaml import TAGS_YAML

    with Sources(repo) as sources:
        opened = sources.open(source)
        if not isinstance(opened, TreeListing):
            raise UsageError(f"{source}: lint reads a revision or a directory, not a snapshot file")
        entries = [e for e in opened.tree() if _selected_path(e.path, selection)]
        snap = load(opened, selection, with_meta=True)
        whole = selection.tag is None and not selection.packages
        tags_yaml = opened.read_path(TAGS_YAML) if whole else None
    return check(snap, entries, tags_yaml)


def _selected_path(path: str, selection: Selection) -> bool:
    """Whether a path below ``_cache/`` belongs to the selected tag and packages."""
    from ..layout import package_key
    from ..model.selection import matches

    if selection.tag is None and not selection.packages:
        return True
    parts = path.split("/")
    key = package_key(path) or (tuple(parts[1:3]) if len(parts) > 3 else None)
    if key is None:
        return False
    return (selection.tag is None or key[0] == selection.tag) and matches(
        key[1], selection.packages
    )


def commit_at(date: str, *, repo: str = ".", tip: str = "HEAD") -> str:
    """The last commit of ``tip``'s first-parent history dated at or before ``date``."""
    from ..git.repository import GitRepository
    from ..sources.arguments import commit_at as find

    with GitRepository(repo) as git_repo:
        return find(git_repo, date, tip)


def show(source: str, *, repo: str = ".", selection: Selection = ALL) -> CatalogState:
    """The catalog at one point: per package its spec count and facets. With a package
    pattern that matches exactly one package, its specs too."""
    from ..compare.pairing import facet_values
    from ..model.comparison import ProblemRecord, Side
    from ..model.history import CatalogState, PackageState

    snap = snapshot(source, repo=repo, selection=selection)
    # Specs are shown for one package (in one tag or several): a name given exactly, or
    # globs that match one package.
    detail = bool(selection.packages) and len({name for _, name in snap.packages}) == 1
    packages = []
    for (tag, name), package in sorted(snap.packages.items()):
        specs = package.specs
        packages.append(
            PackageState(
                tag=tag,
                name=name,
                spec_count=len(specs),
                targets=tuple(sorted(facet_values(specs, "targets"))),
                stacks=tuple(sorted(facet_values(specs, "stacks"))),
                compilers=tuple(sorted(facet_values(specs, "compilers"))),
                versions=tuple(sorted(facet_values(specs, "versions"))),
                specs=specs if detail else None,
            )
        )
    problems = tuple(
        ProblemRecord(Side.NEW, snap.info.source, p.path, p.message, snap.info.commit)
        for p in sorted(snap.problems, key=lambda p: (p.path, p.message))
    )
    return CatalogState(
        source=snap.info, packages=tuple(packages), tags=tuple(sorted(snap.tags)), problems=problems
    )


def release_notes(
    old: str | None,
    new: str,
    *,
    repo: str = ".",
    rev: str | None = None,
    tag: str | None = None,
    package: Globs = None,
    aliases: CompilerAliases | None = None,
) -> ReleaseNotes:
    """Release notes between two tags of the catalog.

    Without ``tag``, ``old`` and ``new`` are tag folders (``v0.23.0``, ``v0.23.1``) of the
    catalog at ``rev`` (a revision of ``repo``, a directory or a snapshot file; default
    ``HEAD``). With ``tag``, ``old`` and ``new`` are sources (revisions, directories,
    snapshot files) and ``tag`` is read on both. Both tags are read whole. ``old`` None:
    the tag ``new`` follows in the catalog (:func:`~catalog_diff.release.tags.previous_tag`).
    ``aliases``: the compiler aliases, as for :func:`diff`.
    """
    from ..compare.aliases import or_builtin
    from ..release.notes import build
    from ..release.tags import previous_tag
    from ..sources.around import Around, tags_stacks

    if tag is not None and rev is not None:
        raise UsageError("--rev names the one source of two tags; with --tag give two sources")
    with Sources(repo) as sources:
        if tag is None:
            source = sources.open(rev or "rev:HEAD")
            if old is None:
                old = previous_tag(new, source.listing().tags)
            if old is None:
                where = rev or "HEAD"
                raise UsageError(f"no release or weekly tag before {new!r} at {where}: give OLD")
            before = load(source, Selection(tag=old, package=package))
            after = load(source, Selection(tag=new, package=package))
            around = Around(source, source, Selection(package=package))
            return build(
                before,
                after,
                aliases=or_builtin(aliases),
                reader=around,
                listed=tags_stacks(source),
            )
        if old is None:
            raise UsageError("with --tag give two sources, OLD and NEW")
        before = load(sources.open(old), Selection(tag=tag, package=package))
        after = load(sources.open(new), Selection(tag=tag, package=package))
    labels = (_label(tag, before.info), _label(tag, after.info))
    return build(
        before,
        after,
        old_label=labels[0],
        new_label=labels[1],
        aliases=or_builtin(aliases),
    )


_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _label(tag: str, info: SourceInfo) -> str:
    """``develop at v0.23.1``: a source named plainly (a tag, a branch) or by ``--at`` as
    typed; a git expression (``HEAD~3``, ``main@{...}``) by its commit's short SHA."""
    name = info.label.removeprefix("rev:")
    if info.at or _PLAIN_NAME.fullmatch(name) or not info.commit:
        return f"{tag} at {name}"
    return f"{tag} at {info.commit[:12]}"
