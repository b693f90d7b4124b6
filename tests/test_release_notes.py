"""Release notes on the real samples: golden Markdown, the facts behind it, templates.

Each pair of tags sits as two tag folders in one commit of a real throwaway repository,
as in the catalog. Regenerate the goldens after an intended change with
``pytest tests/test_release_notes.py --update-golden`` and review the diff.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from catalog_diff.compare.aliases import NO_ALIASES
from catalog_diff.model.snapshot import Package as CatalogPackage
from catalog_diff.model.snapshot import Snapshot, SourceInfo, SourceKind, Spec
from catalog_diff.parse.package import parse_package
from catalog_diff.release.notes import build
from catalog_diff.render.escape import inert
from catalog_diff.render.release_notes import render_release_notes
from gitrepo import SAMPLES, GitRepoBuilder, sample_tree
from test_golden import check_golden

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

#: name -> (old tag, new tag, golden file)
PAIRS = {
    "v0.22.2-v0.23.0": ("v0.22.2", "v0.23.0", "release-notes-v0.22.2-v0.23.0.md"),
    "v0.23.0-v0.23.1": ("v0.23.0", "v0.23.1", "release-notes-v0.23.0-v0.23.1.md"),
    "develop-weekly": (
        "develop-2025-03-23",
        "develop-2025-03-30",
        "release-notes-develop-weekly.md",
    ),
}


def two_tags(path: Path, old: str, new: str) -> GitRepoBuilder:
    """A repository whose one commit holds tag folders ``old`` and ``new``.

    The v0.22.2 samples are 6 packages, all in v0.23.0: that pair gets those 6 of v0.23.0
    (the other 24 samples of v0.23.0 would read as new packages, which they are not).
    """
    repo = GitRepoBuilder(path)
    before, after = sample_tree(old), sample_tree(new)
    if old == "v0.22.2":
        names = {p.split("/")[2] for p in before}
        after = {p: data for p, data in after.items() if p.split("/")[2] in names}
    repo.write(before | after)
    repo.commit(f"Add {old} and {new}", date="2024-12-20T10:00:00+00:00")
    return repo


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GitRepoBuilder]:
    base = tmp_path_factory.mktemp("release-notes")
    return {name: two_tags(base / name, old, new) for name, (old, new, _) in PAIRS.items()}


def notes_of(repo: GitRepoBuilder, old: str, new: str, **options: Any):  # type: ignore[no-untyped-def]
    from catalog_diff.api import release_notes

    return release_notes(old, new, repo=str(repo.path), **options)


@pytest.mark.parametrize("pair", PAIRS)
def test_golden_release_notes(
    pair: str, repos: dict[str, GitRepoBuilder], pytestconfig: pytest.Config
) -> None:
    old, new, golden = PAIRS[pair]
    code, out, err = run(["release-notes", old, new, "--repo", str(repos[pair].path)])
    assert (code, err) == (0, "")
    check_golden(golden, out, pytestconfig.getoption("update_golden"))
    # Same input, same bytes.
    assert run(["release-notes", old, new, "--repo", str(repos[pair].path)])[1] == out


def test_patch_release_drops_the_cray_stack(repos: dict[str, GitRepoBuilder]) -> None:
    notes = notes_of(repos["v0.23.0-v0.23.1"], "v0.23.0", "v0.23.1")
    assert not notes.new_packages and not notes.removed_packages
    assert not (notes.upgrades or notes.downgrades or notes.other_version_changes)
    lost = {f.name: [(v.value, v.lost_by) for v in f.lost] for f in notes.facets}
    trio = ("gotcha", "libquo", "zfp")
    assert lost == {
        "targets": [("zen4", trio)],
        "stacks": [("e4s-cray-rhel", trio)],
        "compilers": [("cce@15.0.1", trio)],
        "oss": [("rhel8", trio)],
    }
    assert all(not f.gained and not f.changed for f in notes.facets)
    assert [(p.name, p.old_specs, p.new_specs, p.removed) for p in notes.changed_packages] == [
        ("gotcha", 10, 9, 1),
        ("libquo", 6, 5, 1),
        ("zfp", 35, 34, 1),
    ]
    rows = {r.stack: r for r in notes.stacks}
    assert (rows["e4s-cray-rhel"].old_specs, rows["e4s-cray-rhel"].new_specs) == (3, 0)
    assert rows["e4s-cray-rhel"].status == "gone"
    assert {r.status for s, r in rows.items() if s not in ("e4s-cray-rhel", "root")} == {"same"}
    assert (notes.highlights.specs_old, notes.highlights.specs_new) == (123, 120)


def test_minor_release_gains_compilers_and_stacks(repos: dict[str, GitRepoBuilder]) -> None:
    notes = notes_of(repos["v0.22.2-v0.23.0"], "v0.22.2", "v0.23.0")
    assert notes.highlights.packages_old == notes.highlights.packages_new == 6
    assert not notes.new_packages and not notes.removed_packages
    facets = {f.name: f for f in notes.facets}
    assert "oneapi@2024.2.1" in {v.value for v in facets["compilers"].gained}
    assert [v.value for v in facets["compilers"].lost] == ["oneapi@2024.0.0"]
    assert {"e4s-neoverse_v1"} <= {v.value for v in facets["stacks"].gained}
    assert [(m.old, m.new, m.packages) for m in notes.compiler_moves] == [
        ("oneapi@2024.0.0", "oneapi@2024.2.1", ("drishti",))
    ]
    adol_c = {v.value: v for v in facets["stacks"].gained}["e4s-neoverse_v1"]
    assert "adol-c" in adol_c.gained_by


def test_weekly_develop(repos: dict[str, GitRepoBuilder]) -> None:
    # the raw view: Spack's compiler renames counted as compiler moves
    raw = {"aliases": NO_ALIASES}
    notes = notes_of(repos["develop-weekly"], "develop-2025-03-23", "develop-2025-03-30", **raw)
    assert [p.name for p in notes.new_packages] == ["compiler-wrapper", "embree", "qwt", "sensei"]
    assert notes.removed_packages == ()
    upgrades = {c.name: c for c in notes.upgrades}
    assert (upgrades["hdf5"].old_newest, upgrades["hdf5"].new_newest) == ("1.14.5", "1.14.6")
    assert [(m.old, m.new) for m in upgrades["kokkos"].moves] == [("4.3.01", "4.5.01")]
    # gcc only dropped its newest version's specs (14.2.0): not a downgrade, a version
    # dropped, listed with the other version changes.
    assert notes.downgrades == ()
    other = {c.name: c for c in notes.other_version_changes}
    assert (other["gcc"].removed, other["gcc"].new_newest) == (("14.2.0",), "12.4.0")
    top = notes.compiler_moves[0]
    assert (top.old, top.new) == ("oneapi@2024.2.1", "intel-oneapi-compilers@2024.2.1")
    assert top.specs == 50 and len(top.packages) == 23
    assert sum(m.specs for m in notes.compiler_moves) == notes.highlights.specs_compiler_changed
    stacks = {r.stack: r for r in notes.stacks}
    assert (stacks["data-vis-sdk"].old_specs, stacks["data-vis-sdk"].new_specs) == (5, 33)


def _meta_stack_counts(tag: str, names: set[str] | None = None) -> Counter[str]:
    counts: Counter[str] = Counter()
    for folder in sorted((SAMPLES / "cache" / tag).iterdir()):
        if names is not None and folder.name not in names:
            continue
        path = folder / "specs.md"
        package = parse_package(path.read_bytes(), tag, folder.name, str(path))
        assert package.meta is not None
        counts.update(dict(package.meta.num_specs_by_stack))
    return counts


@pytest.mark.parametrize("pair", ["v0.23.0-v0.23.1", "develop-weekly"])
def test_stack_table_agrees_with_the_files_meta(
    pair: str, repos: dict[str, GitRepoBuilder]
) -> None:
    """Counted from spec_details, the table matches what each file's meta says."""
    old, new, _ = PAIRS[pair]
    notes = notes_of(repos[pair], old, new)
    old_meta, new_meta = _meta_stack_counts(old), _meta_stack_counts(new)
    for row in notes.stacks:
        assert (row.old_specs, row.new_specs) == (old_meta[row.stack], new_meta[row.stack])
    assert {r.stack for r in notes.stacks} == set(old_meta) | set(new_meta)


def test_tag_on_two_sources_gives_the_same_notes(tmp_path: Path) -> None:
    """--tag: OLD and NEW are revisions (and snapshot files); the content is the same."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.commit("week 12", date="2025-03-23T06:00:00+00:00")
    repo.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    repo.write(sample_tree("develop-2025-03-30", as_tag="develop"))
    repo.commit("week 13", date="2025-03-30T06:00:00+00:00")
    code, by_revision, err = run(
        ["release-notes", "--repo", str(repo.path), "--tag", "develop", "HEAD~1", "HEAD"]
    )
    assert (code, err) == (0, "")
    # A git expression is named by its commit in the title; a plain name as typed.
    old_sha = repo.rev_parse("HEAD~1")[:12]
    assert by_revision.startswith(f"# Release notes: develop at {old_sha} → develop at HEAD\n")
    weekly = two_tags(tmp_path / "tags", "develop-2025-03-23", "develop-2025-03-30")
    by_tag = run(
        ["release-notes", "develop-2025-03-23", "develop-2025-03-30", "--repo", str(weekly.path)]
    )[1]
    # Between the header and the per-stack table (whose columns are named by the labels)
    # every section is the same.
    assert _sections(by_revision)[1:-1] == _sections(by_tag)[1:-1]
    assert len(_sections(by_tag)) > 5
    snapshots = ["snapshots/develop-2025-03-23.json", "snapshots/develop-2025-03-30.json"]
    code, by_file, err = run(
        ["release-notes", "--tag", "develop", *(str(ROOT / s) for s in snapshots)]
    )
    assert (code, err) == (0, "")
    assert _sections(by_file)[1:-1] == _sections(by_tag)[1:-1]


def _sections(text: str) -> list[str]:
    return re.split(r"^## ", text, flags=re.M)


def test_usage_and_data_errors(repos: dict[str, GitRepoBuilder], tmp_path: Path) -> None:
    path = str(repos["v0.23.0-v0.23.1"].path)
    code, out, err = run(["release-notes", "v0.23.0", "v9.9.9", "--repo", path])
    assert (code, out) == (3, "")
    assert err == "catalog-diff: error: HEAD: tag 'v9.9.9' not found\n"
    code, out, err = run(["release-notes", "a", "b", "--repo", path, "--tag", "x", "--rev", "H"])
    assert (code, out) == (2, "")
    assert "--rev" in err and err.count("\n") == 1
    code, _, err = run(["release-notes", "--repo", path])
    assert code == 2 and err.startswith("catalog-diff: error: Missing argument 'NEW'")
    # NEW alone follows the previous release; v0.23.0 has none in this catalog.
    code, _, err = run(["release-notes", "v0.23.0", "--repo", path])
    assert code == 2 and "no release or weekly tag before 'v0.23.0' at HEAD: give OLD" in err
    code, _, err = run(["release-notes", "a", "b", "--repo", str(tmp_path)])
    assert code == 3 and "not a git repository" in err


def test_unreadable_file_is_a_problem_and_exit_3(tmp_path: Path) -> None:
    repo = GitRepoBuilder(tmp_path / "catalog")
    tree = sample_tree("v0.23.0") | sample_tree("v0.23.1")
    tree["_cache/v0.23.1/zfp/specs.md"] = tree["_cache/v0.23.1/zfp/specs.md"][:200]
    repo.write(tree)
    repo.commit("a truncated file", date="2024-12-20T10:00:00+00:00")
    code, out, err = run(["release-notes", "v0.23.0", "v0.23.1", "--repo", str(repo.path)])
    assert code == 3
    assert err.startswith("catalog-diff: error: new HEAD: _cache/v0.23.1/zfp/specs.md: ")
    assert "## Problems" in out and "`_cache/v0.23.1/zfp/specs.md`" in out
    # zfp is left out, neither removed nor unchanged; gotcha and libquo still lose zen4.
    assert "Removed packages" not in out
    assert "had 2 specs in 2 packages (`gotcha`, `libquo`)" in out


def test_output_file(repos: dict[str, GitRepoBuilder], tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    path = str(repos["v0.23.0-v0.23.1"].path)
    code, out, err = run(["release-notes", "v0.23.0", "v0.23.1", "--repo", path, "-o", str(target)])
    assert (code, out) == (0, "")
    assert err == f"catalog-diff: report written to {target}\n"
    assert (
        target.read_text(encoding="utf-8")
        == run(["release-notes", "v0.23.0", "v0.23.1", "--repo", path])[1]
    )
    code, _, err = run(
        ["release-notes", "v0.23.0", "v0.23.1", "--repo", path, "-q", "-o", str(target)]
    )
    assert (code, err) == (0, "")


# ---- templates -----------------------------------------------------------------------


def test_custom_template(repos: dict[str, GitRepoBuilder], tmp_path: Path) -> None:
    template = tmp_path / "short.md.j2"
    template.write_text(
        "{{ old.tag }} -> {{ new.tag }}: {{ highlights.specs_removed }} specs removed\n"
        "{% for f in facets %}{% for v in f.lost %}"
        "- no more {{ f.noun }} {{ v.value | code }} ({{ v.lost_by | join(', ') }})\n"
        "{% endfor %}{% endfor %}",
        encoding="utf-8",
    )
    path = str(repos["v0.23.0-v0.23.1"].path)
    code, out, err = run(
        ["release-notes", "v0.23.0", "v0.23.1", "--repo", path, "--template", str(template)]
    )
    assert (code, err) == (0, "")
    assert out == (
        "v0.23.0 -> v0.23.1: 3 specs removed\n"
        "- no more target `zen4` (gotcha, libquo, zfp)\n"
        "- no more stack `e4s-cray-rhel` (gotcha, libquo, zfp)\n"
        "- no more compiler `cce@15.0.1` (gotcha, libquo, zfp)\n"
        "- no more operating system `rhel8` (gotcha, libquo, zfp)\n"
    )


def test_builtin_template_as_a_file_gives_the_same_notes(
    repos: dict[str, GitRepoBuilder], tmp_path: Path
) -> None:
    from catalog_diff.render.release_notes import builtin_template

    copy = tmp_path / "release-notes.md.j2"
    copy.write_text(builtin_template(), encoding="utf-8")
    path = str(repos["develop-weekly"].path)
    args = ["release-notes", "develop-2025-03-23", "develop-2025-03-30", "--repo", path]
    assert run([*args, "--template", str(copy)])[1] == run(args)[1]


@pytest.mark.parametrize(
    "text, message",
    [
        ("{{ nope }}", "t.md.j2:1: template error: 'nope' is undefined"),
        ("a\n{% if %}", "t.md.j2:2: template error: Expected an expression"),
        ("\n\n{{ old.__class__ }}", "t.md.j2:3: template error: access to attribute"),
        ("{{ range(10**9) | list }}", "t.md.j2:1: template error: OverflowError"),
        ("{{ 1 // 0 }}", "t.md.j2:1: template error: ZeroDivisionError"),
    ],
)
def test_template_errors_are_usage_errors(
    text: str, message: str, repos: dict[str, GitRepoBuilder], tmp_path: Path
) -> None:
    template = tmp_path / "t.md.j2"
    template.write_text(text, encoding="utf-8")
    path = str(repos["v0.23.0-v0.23.1"].path)
    code, out, err = run(
        ["release-notes", "v0.23.0", "v0.23.1", "--repo", path, "--template", str(template)]
    )
    assert (code, out) == (2, "")
    assert err.startswith(f"catalog-diff: error: {template.parent}/{message}"), err
    assert err.count("\n") == 1


def test_missing_template_file(repos: dict[str, GitRepoBuilder], tmp_path: Path) -> None:
    path = str(repos["v0.23.0-v0.23.1"].path)
    missing = tmp_path / "none.j2"
    code, _, err = run(
        ["release-notes", "v0.23.0", "v0.23.1", "--repo", path, "--template", str(missing)]
    )
    assert code == 2
    assert (
        err == f"catalog-diff: error: {missing}: cannot read the template: "
        "No such file or directory\n"
    )


# ---- hostile names, built in memory ---------------------------------------------------


def _spec(hash_: str, version: str, compiler: str, stacks: tuple[str, ...]) -> Spec:
    return Spec(hash_, (version,), compiler, "ubuntu22.04", "linux", "x86_64_v3", (), stacks)


def _snapshot(tag: str, packages: dict[str, tuple[Spec, ...]]) -> Snapshot:
    return Snapshot(
        info=SourceInfo(SourceKind.DIRECTORY, "catalog"),
        packages={
            (tag, name): CatalogPackage(tag, name, f"_cache/{tag}/{name}/specs.md", specs)
            for name, specs in packages.items()
        },
        tags=frozenset({tag}),
    )


HOSTILE = "<script>alert(1)</script>|`x`*[y](http://e.invalid)@someone"


def test_hostile_names_stay_inert() -> None:
    old = _snapshot("v1", {"zlib": (_spec("a" * 32, "1.0", "gcc@12", ("root",)),)})
    new = _snapshot(
        "v2",
        {
            "zlib": (_spec("b" * 32, "1.0", HOSTILE, ("root", HOSTILE)),),
            HOSTILE: (_spec("c" * 32, HOSTILE, "gcc@12", ("root",)),),
        },
    )
    out = render_release_notes(build(old, new))
    # Every hostile value is inside inline code, its pipes escaped.
    assert HOSTILE.replace("|", "\\|") in out
    outside_code = re.sub(r"(`+)(?:(?!\1).)*?\1", "", out)
    for danger in ("<script", "](", "@someone", "*[", "`"):
        assert danger not in outside_code, danger
    # Tables keep their shape: every row has as many cells as its header.
    for table in re.findall(r"(?:^\|.*\n)+", out, flags=re.M):
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(widths) == 1, table


def test_hostile_labels_are_escaped_in_plain_text() -> None:
    old = _snapshot("v1", {"zlib": (_spec("a" * 32, "1.0", "gcc@12", ("root",)),)})
    new = _snapshot("v2", {"zlib": (_spec("b" * 32, "1.1", "gcc@12", ("root",)),)})
    out = render_release_notes(build(old, new, old_label=HOSTILE, new_label="v2"))
    title = out.splitlines()[0]
    # Inert Markdown text: character references (GitHub shows the label as typed).
    assert title.startswith("# Release notes: &lt;script&gt;alert(1)&lt;/script&gt;&#124;")
    assert re.search(r"[<>|`*]|@(?!&#8203;)|\]\(", title) is None
    assert "| stack | &lt;script&gt;" in out


def test_package_glob(repos: dict[str, GitRepoBuilder]) -> None:
    path = str(repos["v0.23.0-v0.23.1"].path)
    code, out, err = run(["release-notes", "v0.23.0", "v0.23.1", "--repo", path, "--package", "z*"])
    assert (code, err) == (0, "")
    assert "**Packages: 1 → 1**" in out and "`zfp` | 35 → 34" in out


def test_html_template_is_autoescaped(repos: dict[str, GitRepoBuilder]) -> None:
    old = _snapshot("v1", {})
    new = _snapshot("v2", {HOSTILE: (_spec("c" * 32, "1.0", "gcc@12", ("root",)),)})
    notes = build(old, new)
    html = render_release_notes(
        notes,
        "<ul>{% for p in new_packages %}<li>{{ p.name }}</li>{% endfor %}</ul>",
        "notes.html.j2",
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    markdown = render_release_notes(notes, "{{ new_packages[0].name }}", "notes.md.j2")
    # A Markdown template prints any value as inert Markdown text (not HTML-escaped text:
    # character references, which Markdown decodes), unless it asks for it raw.
    assert markdown == inert(HOSTILE) + "\n"
    raw = render_release_notes(notes, "{{ new_packages[0].name | safe }}", "notes.md.j2")
    assert raw == HOSTILE + "\n"


def test_readme_shows_the_real_patch_release_notes() -> None:
    golden = (Path(__file__).parent / "golden" / PAIRS["v0.23.0-v0.23.1"][2]).read_text("utf-8")
    blocks = re.findall(r"```markdown\n(.+?)```", README, flags=re.S)
    assert golden in blocks, "README: paste tests/golden/release-notes-v0.23.0-v0.23.1.md"


def test_readme_documents_every_template_variable() -> None:
    import dataclasses

    from catalog_diff.model import release as releasemodel

    section = README.split("\n## Release notes\n", 1)[1].split("\n## GitHub Action\n", 1)[0]
    classes = [c for c in vars(releasemodel).values() if dataclasses.is_dataclass(c)]
    assert len(classes) == 13
    for cls in classes:
        for field in dataclasses.fields(cls):
            assert f"`{field.name}`" in section, f"{cls.__name__}.{field.name}"
