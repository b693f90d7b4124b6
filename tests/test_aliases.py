"""Compiler aliases: Spack's renames read as renames, on the real weekly pair and on
minimal changes to real files; the options and the configuration file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_diff.cli import main
from catalog_diff.compare.aliases import BUILTIN_ALIASES, NO_ALIASES, CompilerAliases
from catalog_diff.compare.pairing import compare_specs
from catalog_diff.model.snapshot import Spec
from checks import assert_accounted
from gitrepo import GitRepoBuilder, sample_tree

ROOT = Path(__file__).resolve().parent.parent
OLD = str(ROOT / "snapshots" / "develop-2025-03-23.json")
NEW = str(ROOT / "snapshots" / "develop-2025-03-30.json")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def report(*args: str) -> dict[str, Any]:
    code, out, err = run("diff", *args, "--format", "json")
    assert (code, err) == (0, ""), err
    doc: dict[str, Any] = json.loads(out)
    return doc


def renamed_pairs(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (package["name"], pair["compiler_renamed"]["old"], pair["compiler_renamed"]["new"])
        for package in doc["packages"]
        for pair in package["specs"]["rebuilt"]
        if "compiler_renamed" in pair
    ]


# ---- the real weekly pair -------------------------------------------------------------


def test_the_weekly_pair_reads_the_renames_as_renames() -> None:
    doc = report(OLD, NEW)
    summary = doc["summary"]
    assert (summary["specs_compiler_renamed"], summary["specs_compiler_changed"]) == (104, 5)
    assert summary["specs_rebuilt"] == 361 + 104
    renames = renamed_pairs(doc)
    assert len(renames) == 104
    spellings = {(old.split("@")[0], new.split("@")[0]) for _, old, new in renames}
    assert spellings == {
        ("oneapi", "intel-oneapi-compilers"),
        ("clang", "llvm"),
        ("gcc", "none"),
        ("oneapi", "none"),
    }
    assert [r for r in renames if r[1] == "clang@14.0.0"] == [
        ("zlib-ng", "clang@14.0.0", "llvm@14.0.0")
    ] * 2
    # What is left as a compiler change is a real one.
    changed = {
        (pair["old"]["compiler"], pair["new"]["compiler"])
        for package in doc["packages"]
        for pair in package["specs"]["compiler_changed"]
    }
    assert changed == {("gcc@12.4.0", "intel-oneapi-compilers@2024.1.0")}
    rollup = next(r for r in doc["rollups"] if r["kind"] == "compiler_renamed")
    assert (rollup["old"], rollup["new"], rollup["specs"]) == (
        "oneapi@2024.2.1",
        "intel-oneapi-compilers@2024.2.1",
        50,
    )
    assert not any(
        r["kind"] == "compiler_changed" and r["old"] == "oneapi@2024.2.1" for r in doc["rollups"]
    )


def test_no_aliases_gives_the_raw_view() -> None:
    doc = report(OLD, NEW, "--no-aliases")
    summary = doc["summary"]
    assert (summary["specs_compiler_renamed"], summary["specs_compiler_changed"]) == (0, 109)
    assert summary["specs_rebuilt"] == 361
    assert renamed_pairs(doc) == []


def test_the_library_pairs_renames_by_default_as_the_command_line_does() -> None:
    from catalog_diff import api

    cli = report(OLD, NEW)["summary"]
    library = api.diff(OLD, NEW).summary
    assert (library.specs_compiler_renamed, library.specs_compiler_changed) == (
        cli["specs_compiler_renamed"],
        cli["specs_compiler_changed"],
    )
    assert library.specs_compiler_renamed > 0
    raw = api.diff(OLD, NEW, aliases=NO_ALIASES).summary
    assert (raw.specs_compiler_renamed, raw.specs_compiler_changed) == (0, 109)


def test_text_and_markdown_say_how_many_rebuilds_are_renames() -> None:
    code, out, _ = run("diff", OLD, NEW)
    assert code == 0
    assert "465 rebuilt (104 compiler renamed), 5 compiler changed" in out
    assert (
        "  compiler renamed oneapi@2024.2.1 -> intel-oneapi-compilers@2024.2.1: "
        "50 specs in 23 packages\n"
    ) in out
    code, out, _ = run("diff", OLD, NEW, "--format", "github")
    assert code == 0
    assert "| of which compiler renamed | 104 |" in out
    assert "| compiler changed | 5 |" in out


def test_release_notes_of_the_weekly_pair_count_the_renames_as_rebuilds() -> None:
    args = ("release-notes", "--tag", "develop", OLD, NEW)
    code, out, err = run(*args)
    assert (code, err) == (0, "")
    assert (
        "465 rebuilt (same build, new hash; 104 of them with the compiler renamed), "
        "5 moved to another compiler"
    ) in out
    code, out, _ = run(*args, "--no-aliases")
    assert code == 0
    assert "361 rebuilt (same build, new hash), 109 moved to another compiler" in out
    code, out, _ = run(*args, "--format", "json")
    assert json.loads(out)["highlights"]["specs_compiler_renamed"] == 104


def test_an_alias_option_removes_a_builtin_entry() -> None:
    doc = report(OLD, NEW, "--compiler-alias", "oneapi=")
    spellings = {(o.split("@")[0], n.split("@")[0]) for _, o, n in renamed_pairs(doc)}
    assert ("oneapi", "intel-oneapi-compilers") not in spellings
    assert ("clang", "llvm") in spellings
    changed = {
        (pair["old"]["compiler"].split("@")[0], pair["new"]["compiler"].split("@")[0])
        for package in doc["packages"]
        for pair in package["specs"]["compiler_changed"]
    }
    assert ("oneapi", "intel-oneapi-compilers") in changed


# ---- a minimal change to real files: a compiler spelt anew ---------------------------

PKG = "_cache/develop/bc/specs.md"


def _respelled(old_name: str, new_name: str) -> bytes:
    """The real bc file of 2025-03-23 with every ``old_name@`` compiler spelt
    ``new_name@`` and every hash changed (a rebuild under the new spelling)."""
    data = sample_tree("develop-2025-03-23", as_tag="develop")[PKG].decode()
    lines = data.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("spec_details: "):
            specs = json.loads(line.removeprefix("spec_details: "))
            for spec in specs:
                spec["compiler"] = spec["compiler"].replace(f"{old_name}@", f"{new_name}@")
                spec["hash"] = spec["hash"][::-1]
            lines[i] = "spec_details: " + json.dumps(specs)
    return "\n".join(lines).encode()


@pytest.fixture
def respelled(tmp_path: Path) -> GitRepoBuilder:
    """Real bc specs, then the same builds with gcc spelt ``gnu`` (new hashes)."""
    repo = GitRepoBuilder(tmp_path / "catalog")
    repo.write({PKG: sample_tree("develop-2025-03-23", as_tag="develop")[PKG]})
    repo.commit("bc", date="2025-03-23T06:00:00+00:00")
    repo.write({PKG: _respelled("gcc", "gnu")})
    repo.commit("bc: gcc is spelt gnu", date="2025-03-30T06:00:00+00:00")
    return repo


def _counts(doc: dict[str, Any]) -> tuple[int, int, int]:
    s = doc["summary"]
    return s["specs_rebuilt"], s["specs_compiler_renamed"], s["specs_compiler_changed"]


def test_a_user_alias_pairs_a_new_spelling(respelled: GitRepoBuilder) -> None:
    args = ("--repo", str(respelled.path), "HEAD~1", "HEAD")
    plain = report(*args)
    total = plain["summary"]["specs_compiler_changed"]
    assert total > 0 and _counts(plain) == (0, 0, total)
    doc = report(*args, "--compiler-alias", "gcc=gnu")
    assert _counts(doc) == (total, total, 0)
    assert {(o.split("@")[0], n.split("@")[0]) for _, o, n in renamed_pairs(doc)} == {
        ("gcc", "gnu")
    }


def test_the_config_file_adds_aliases_and_the_option_overrides_it(
    respelled: GitRepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("--repo", str(respelled.path), "HEAD~1", "HEAD")
    total = report(*args)["summary"]["specs_compiler_changed"]
    config = tmp_path / "aliases.toml"
    config.write_text('[compiler-aliases]\ngcc = "gnu"\n')
    monkeypatch.setenv("CATALOG_DIFF_CONFIG", str(config))
    assert _counts(report(*args)) == (total, total, 0)
    assert _counts(report(*args, "--compiler-alias", "gcc=")) == (0, 0, total)
    assert _counts(report(*args, "--no-aliases")) == (0, 0, total)


def test_the_config_files_are_found_in_the_usual_places(
    respelled: GitRepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``$XDG_CONFIG_HOME/catalog-diff/config.toml``, then ``./.catalog-diff.toml`` over it."""
    args = ("--repo", str(respelled.path), "HEAD~1", "HEAD")
    total = report(*args)["summary"]["specs_compiler_changed"]
    monkeypatch.delenv("CATALOG_DIFF_CONFIG")
    xdg = tmp_path / "xdg"
    (xdg / "catalog-diff").mkdir(parents=True)
    (xdg / "catalog-diff" / "config.toml").write_text('[compiler-aliases]\ngcc = "gnu"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    assert _counts(report(*args)) == (total, total, 0)
    (project / ".catalog-diff.toml").write_text('[compiler-aliases]\ngcc = ""\n')
    assert _counts(report(*args)) == (0, 0, total)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[compiler-aliases\n", "not TOML"),
        ('[compiler-aliases]\n"gcc@11" = "gnu"\n', "is not OLD=NEW"),
        ("[compiler-aliases]\ngcc = 3\n", "must be a string"),
        ('compiler-aliases = "gcc=gnu"\n', "must be a table"),
    ],
)
def test_a_bad_config_file_is_one_line_naming_it(
    content: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(content)
    monkeypatch.setenv("CATALOG_DIFF_CONFIG", str(config))
    code, out, err = run("diff", OLD, NEW)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and f"config {config}" in err and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--compiler-alias", "gcc"), "is not OLD=NEW"),
        (("--compiler-alias", "gcc@11.4.0=gnu"), "is not OLD=NEW"),
        (("--compiler-alias", "=gnu"), "is not OLD=NEW"),
        (("--no-aliases", "--compiler-alias", "gcc=gnu"), "contradict"),
    ],
)
def test_bad_alias_options_exit_two(args: tuple[str, ...], message: str) -> None:
    code, out, err = run("diff", OLD, NEW, *args)
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1


# ---- the table, and properties of pairing with it ------------------------------------


def test_the_builtin_table_is_spacks() -> None:
    table = dict(BUILTIN_ALIASES.entries)
    assert table["clang"] == "llvm"
    assert table["oneapi"] == "intel-oneapi-compilers"
    assert table["*"] == "none"
    assert BUILTIN_ALIASES.renamed("clang@14.0.0", "llvm@14.0.0")
    assert BUILTIN_ALIASES.renamed("llvm@14.0.0", "clang@14.0.0")
    assert not BUILTIN_ALIASES.renamed("clang@14.0.0", "llvm@15.0.0")
    assert BUILTIN_ALIASES.renamed("gcc@11.4.0", "none")
    assert not BUILTIN_ALIASES.renamed("gcc@11.4.0", "gcc@12.3.0")
    assert not NO_ALIASES.renamed("clang@14.0.0", "llvm@14.0.0")
    only_oneapi = CompilerAliases.of({"oneapi": "intel-oneapi-compilers"})
    assert not only_oneapi.renamed("gcc@11.4.0", "none")


_COMPILERS = st.sampled_from(
    ["gcc@11.4.0", "oneapi@2024.2.1", "intel-oneapi-compilers@2024.2.1", "none", "clang@14.0.0"]
)
_SPECS = st.lists(
    st.builds(
        lambda h, c, t, s: Spec(
            hash=h,
            versions=("1.0",),
            compiler=c,
            os="ubuntu22.04",
            platform="linux",
            target=t,
            variants=("+shared",),
            stacks=(s,),
        ),
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        _COMPILERS,
        st.sampled_from(["x86_64_v3", "zen4"]),
        st.sampled_from(["root", "e4s"]),
    ),
    max_size=8,
    unique_by=lambda s: s.hash,  # a hash repeated within one side is a broken file
)


@settings(max_examples=150, deadline=None)
@given(old=_SPECS, new=_SPECS)
def test_prop_aliases_account_for_every_spec_and_swap_with_the_sides(
    old: list[Spec], new: list[Spec]
) -> None:
    changes = compare_specs(old, new, aliases=BUILTIN_ALIASES)
    assert_accounted(old, new, changes)
    for pair in changes.rebuilt:
        assert pair.compiler_renamed == (pair.old.compiler != pair.new.compiler)
        if pair.compiler_renamed:
            assert BUILTIN_ALIASES.renamed(pair.old.compiler, pair.new.compiler)
    for pair in changes.compiler_changed:
        assert not BUILTIN_ALIASES.renamed(pair.old.compiler, pair.new.compiler)
    swapped = compare_specs(new, old, aliases=BUILTIN_ALIASES)
    assert sorted((p.new.hash, p.old.hash, p.compiler_renamed) for p in swapped.rebuilt) == sorted(
        (p.old.hash, p.new.hash, p.compiler_renamed) for p in changes.rebuilt
    )
    assert (len(swapped.added), len(swapped.removed)) == (len(changes.removed), len(changes.added))


# ---- log and history: the same aliases as diff -----------------------------------------


@pytest.fixture(scope="module")
def weekly_history(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepoBuilder, list[str]]:
    """The real weekly pair as two commits of develop: 2025-03-23, then 2025-03-30."""
    repo = GitRepoBuilder(tmp_path_factory.mktemp("weekly") / "catalog")
    old = sample_tree("develop-2025-03-23", as_tag="develop")
    repo.write(old)
    shas = [repo.commit("week 12", date="2025-03-23T06:00:00+00:00")]
    repo.delete(old)
    repo.write(sample_tree("develop-2025-03-30", as_tag="develop"))
    shas.append(repo.commit("week 13", date="2025-03-30T06:00:00+00:00"))
    return repo, shas


def _audit(repo: GitRepoBuilder, index: Path, *args: str) -> dict[str, Any]:
    """``log`` or ``history`` (``args``) in JSON, checked against the command's schema."""
    where = ("--repo", str(repo.path), "--index", str(index), "-q", "--format", "json")
    code, out, err = run(*args, *where)
    assert (code, err) == (0, ""), err
    doc: dict[str, Any] = json.loads(out)
    schema = ROOT / "src" / "catalog_diff" / "schemas" / f"{args[0]}.schema.json"
    jsonschema.validate(doc, json.loads(schema.read_text()))
    return doc


def _compiler_kinds(changes: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(c["code"], c["subject"]) for c in changes if c["code"].startswith("compiler-")}


ONEAPI = "oneapi@2024.2.1"
ONEAPI_RENAMED = ("compiler-renamed", "oneapi@2024.2.1 -> intel-oneapi-compilers@2024.2.1")


@pytest.mark.parametrize("raw", [(), ("--no-aliases",)], ids=["aliases", "no-aliases"])
def test_log_pairs_renamed_compilers_as_diff_does(
    weekly_history: tuple[GitRepoBuilder, list[str]], tmp_path: Path, raw: tuple[str, ...]
) -> None:
    repo, shas = weekly_history
    index = tmp_path / "index.sqlite"
    (entry,) = _audit(repo, index, "log", "-n", "1", *raw)["commits"]
    assert entry["commit"] == shas[1]
    diff = report("--repo", str(repo.path), shas[0], shas[1], *raw)
    kinds = _compiler_kinds(entry["changes"])
    assert kinds == _compiler_kinds(diff["changes"])
    assert entry["summary"] == diff["summary"]
    if raw:
        assert ("compiler-dropped", ONEAPI) in kinds
        assert not any(code == "compiler-renamed" for code, _ in kinds)
        assert entry["summary"]["specs_compiler_changed"] == 109
    else:
        assert ONEAPI_RENAMED in kinds
        assert ("compiler-dropped", ONEAPI) not in kinds
        summary = entry["summary"]
        assert (summary["specs_compiler_renamed"], summary["specs_compiler_changed"]) == (104, 5)


@pytest.mark.parametrize("raw", [(), ("--no-aliases",)], ids=["aliases", "no-aliases"])
def test_history_pairs_renamed_compilers_as_diff_does(
    weekly_history: tuple[GitRepoBuilder, list[str]], tmp_path: Path, raw: tuple[str, ...]
) -> None:
    repo, shas = weekly_history
    diff = report("--repo", str(repo.path), shas[0], shas[1], *raw)
    name = "hdf5"
    (expected,) = [p for p in diff["packages"] if p["name"] == name]
    index = tmp_path / "index.sqlite"
    events = {e["commit"]: e for e in _audit(repo, index, "history", name, *raw)["events"]}
    change = events[shas[1]]["change"]
    assert change == expected
    renamed = [p for p in change["specs"]["rebuilt"] if "compiler_renamed" in p]
    codes = {c["code"] for c in events[shas[1]]["changes"]}
    if raw:
        assert renamed == [] and change["specs"]["compiler_changed"]
        assert "compiler-renamed" not in codes
        # hdf5 was among the last to hold it as written: it takes part in its drop.
        assert ("compiler-dropped", ONEAPI) in _compiler_kinds(events[shas[1]]["changes"])
    else:
        assert ONEAPI in {p["compiler_renamed"]["old"] for p in renamed}
        mine = [c for c in events[shas[1]]["changes"] if c["code"] == "compiler-renamed"]
        assert ONEAPI_RENAMED[1] in {c["subject"] for c in mine}
        assert {c["package"] for c in mine} == {name}  # the package's own specs
        assert ("compiler-dropped", ONEAPI) not in _compiler_kinds(events[shas[1]]["changes"])


def test_log_and_history_take_the_alias_options(
    weekly_history: tuple[GitRepoBuilder, list[str]], tmp_path: Path
) -> None:
    repo, shas = weekly_history
    index = tmp_path / "index.sqlite"
    # Removing the built-in oneapi entry gives oneapi's compiler changes back, as in diff.
    (entry,) = _audit(repo, index, "log", "-n", "1", "--compiler-alias", "oneapi=")["commits"]
    diff = report("--repo", str(repo.path), shas[0], shas[1], "--compiler-alias", "oneapi=")
    assert _compiler_kinds(entry["changes"]) == _compiler_kinds(diff["changes"])
    assert ONEAPI_RENAMED not in _compiler_kinds(entry["changes"])
    assert entry["summary"] == diff["summary"]
    assert diff["summary"]["specs_compiler_changed"] > 5  # oneapi's renames are changes again
    history = _audit(repo, index, "history", "hdf5", "--compiler-alias", "oneapi=")
    (event,) = [e for e in history["events"] if e["commit"] == shas[1]]
    assert not [p for p in event["change"]["specs"]["rebuilt"] if "compiler_renamed" in p]
    for command in (["log"], ["history", "hdf5"]):
        code, _, err = run(*command, "--repo", str(repo.path), "--index", str(index),
                           "--no-aliases", "--compiler-alias", "a=b")  # fmt: skip
        assert code == 2 and "--no-aliases and --compiler-alias contradict" in err
