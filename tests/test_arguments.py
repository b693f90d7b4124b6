"""Which argument is which, and options that mean what they say, through the command line.

Every test runs the real command line against real git repositories built from the real
catalog samples. A file or folder named like a revision lies in the working directory (or
is the file ``HEAD`` of ``.git``): it must never stand in for the revision.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_diff.cli import main
from catalog_diff.errors import UsageError
from catalog_diff.sources import arguments
from gitrepo import GitRepoBuilder, sample_tree

OLD_DATE, NEW_DATE = "2025-03-23T06:00:00+00:00", "2025-03-30T06:00:00+00:00"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    """Two commits: develop of 2025-03-23 with v0.23.0, then develop of 2025-03-30 with
    v0.23.0 and v0.23.1."""
    built = GitRepoBuilder(tmp_path_factory.mktemp("args") / "catalog")
    built.write(sample_tree("develop-2025-03-23", as_tag="develop") | sample_tree("v0.23.0"))
    built.commit("week 12", date=OLD_DATE)
    built.delete(sample_tree("develop-2025-03-23", as_tag="develop"))
    built.write(sample_tree("develop-2025-03-30", as_tag="develop") | sample_tree("v0.23.1"))
    built.commit("week 13", date=NEW_DATE)
    return built


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory, made the current one."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    yield folder


def forged_snapshot(repo: GitRepoBuilder, where: Path) -> None:
    """A real snapshot file of the old side, at ``where``: read in place of HEAD, it would
    make HEAD~1..HEAD report "No differences"."""
    code, _, err = run("snapshot", "--repo", str(repo.path), "rev:HEAD~1", "-o", str(where), "-q")
    assert (code, err) == (0, "")


def one_usage_error(code: int, out: str, err: str) -> str:
    assert (code, out) == (2, ""), err
    assert err.startswith("catalog-diff: error: ") and err.count("\n") == 1, err
    return err


# ---- the rule, as a library function ---------------------------------------------------


def test_explicit_forms_are_taken_as_written(tmp_path: Path) -> None:
    never = lambda _: pytest.fail("an explicit form asked the repository")  # noqa: E731
    assert arguments.classify("rev:HEAD", never) == arguments.Argument("rev", "HEAD")
    assert arguments.classify("dir:HEAD", never) == arguments.Argument("dir", "HEAD")
    assert arguments.classify("snapshot:a:b", never) == arguments.Argument("snapshot", "a:b")
    assert arguments.classify("at:2025-03-24", never) == arguments.Argument("at", "2025-03-24")
    with pytest.raises(UsageError, match="nothing after 'rev:'"):
        arguments.classify("rev:", never)
    # No existing path: a revision, without asking the repository.
    assert arguments.classify(str(tmp_path / "nope"), never).kind == "rev"
    assert arguments.classify("origin/main", never).kind == "rev"


def test_existing_path_is_refused_only_when_it_is_a_revision_too(work: Path) -> None:
    (work / "HEAD").write_text("x", encoding="utf-8")
    (work / "snaps").mkdir()
    assert arguments.classify("HEAD", lambda _: None) == arguments.Argument("path", "HEAD")
    with pytest.raises(arguments.AmbiguousArgument) as caught:
        arguments.classify("HEAD", lambda _: "a" * 40, "/r")
    assert caught.value.exit_code == 2
    assert caught.value.message == (
        "ambiguous argument 'HEAD': both a revision (commit aaaaaaaaaaaa in --repo /r) and "
        "the file ./HEAD; write rev:HEAD for the revision or ./HEAD for the file"
    )
    with pytest.raises(arguments.AmbiguousArgument, match=r"the directory \./snaps"):
        arguments.classify("snaps", lambda _: "b" * 40)
    never = lambda _: pytest.fail("a path starting with ./ asked the repository")  # noqa: E731
    assert arguments.classify("./HEAD", never) == arguments.Argument("path", "./HEAD")
    assert arguments.classify(str(work / "HEAD"), never).kind == "path"


def test_an_argument_no_file_can_be_named_is_a_revision(repo: GitRepoBuilder) -> None:
    never = lambda _: pytest.fail("asked the repository")  # noqa: E731
    for text in ("a" * 5000, "a\x00b", "x/" * 3000):
        assert arguments.classify(text, never).kind == "rev"
    code, out, err = run("diff", "--repo", str(repo.path), "a" * 5000, "rev:HEAD")
    assert (code, out) == (3, "") and "unknown revision" in err and "Traceback" not in err


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60), commit=st.sampled_from([None, "c" * 40]))
def test_classify_never_fails_but_with_a_usage_error(text: str, commit: str | None) -> None:
    """Whatever is typed: an explicit prefix is taken as written, a revision-looking
    argument stays a revision unless a path of that name exists, and the only error is a
    one-line usage error."""
    try:
        found = arguments.classify(text, lambda _: commit)
    except UsageError as exc:
        assert "\n" not in exc.message and exc.exit_code == 2
        return
    kind, sep, rest = text.partition(":")
    if sep and kind in arguments.PREFIXES:
        assert found == arguments.Argument(kind, rest)
    else:
        assert found.kind in ("rev", "path")
        assert found.kind == "rev" or commit is None or arguments.path_like(text)


def test_sides_fill_old_then_new() -> None:
    assert arguments.sides(("HEAD~1",), ()) == ("HEAD~1", "rev:HEAD")
    assert arguments.sides((), ("2025-03-24",)) == ("at:2025-03-24", "rev:HEAD")
    assert arguments.sides(("x",), ("2025-03-24",)) == ("at:2025-03-24", "x")
    with pytest.raises(UsageError, match="one argument too many \\('c'\\)"):
        arguments.sides(("a", "b", "c"), ())
    with pytest.raises(UsageError, match="at most twice"):
        arguments.sides((), ("1", "2", "3"))


# ---- a file or a folder named like a revision, in every command -----------------------


def _commands(repo: str) -> list[list[str]]:
    """A command line of every command that takes a source argument, each naming HEAD."""
    return [
        ["diff", "--repo", repo, "HEAD~1", "HEAD"],
        ["diff", "--repo", repo, "HEAD"],
        ["show", "--repo", repo, "HEAD"],
        ["lint", "--repo", repo, "HEAD"],
        ["snapshot", "--repo", repo, "HEAD", "-o", "-"],
        ["release-notes", "--repo", repo, "--rev", "HEAD", "v0.23.0", "v0.23.1"],
        ["release-notes", "--repo", repo, "--tag", "develop", "HEAD~1", "HEAD"],
    ]


@pytest.mark.parametrize("index", range(7), ids=lambda i: str(i))
def test_a_file_named_head_is_refused_in_every_command(
    repo: GitRepoBuilder, work: Path, index: int
) -> None:
    forged_snapshot(repo, work / "HEAD")
    args = _commands(str(repo.path))[index]
    err = one_usage_error(*run(*args))
    head = repo.rev_parse("HEAD")[:12]
    assert f"ambiguous argument 'HEAD': both a revision (commit {head} in --repo " in err
    assert "the file ./HEAD; write rev:HEAD for the revision or ./HEAD for the file" in err
    # The explicit form reads the revision, and gives what it gives without the file.
    explicit = [("rev:HEAD" if a == "HEAD" else a) for a in args]
    code, out, err = run(*explicit)
    (work / "HEAD").unlink()
    assert (code, out, err) == run(*args)
    assert code in (0, 1), err


def test_a_folder_named_like_a_branch_is_refused(repo: GitRepoBuilder, work: Path) -> None:
    shutil.copytree(repo.path / "_cache", work / "main" / "_cache")
    err = one_usage_error(*run("diff", "--repo", str(repo.path), "HEAD~1", "main"))
    assert "both a revision (commit" in err and "the directory ./main;" in err
    assert "write rev:main for the revision or ./main for the directory" in err
    code, by_rev, _ = run("diff", "--repo", str(repo.path), "HEAD~1", "rev:main")
    assert code == 0 and "new: main (commit" in by_rev
    code, by_dir, _ = run("diff", "--repo", str(repo.path), "HEAD~1", "./main")
    assert code == 0 and "new: ./main" in by_dir
    code, same, _ = run("diff", "--repo", str(repo.path), "HEAD~1", "dir:main")
    assert code == 0 and same == by_dir.replace("new: ./main", "new: main")


def test_inside_dot_git_head_is_a_revision_only_when_said(
    repo: GitRepoBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``cd .git``: the repository is found from there, and .git/HEAD is a file."""
    monkeypatch.chdir(repo.path / ".git")
    err = one_usage_error(*run("diff", "HEAD~1", "HEAD"))
    assert "ambiguous argument 'HEAD'" in err and "the file ./HEAD" in err
    code, out, err = run("diff", "rev:HEAD~1", "rev:HEAD", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["new"]["commit"] == repo.rev_parse("HEAD")
    # A command's default (HEAD) is the revision, whatever lies in the folder.
    code, out, err = run("show", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["source"]["commit"] == repo.rev_parse("HEAD")


def test_explicit_path_forms_read_the_file(repo: GitRepoBuilder, work: Path) -> None:
    forged_snapshot(repo, work / "HEAD")
    for form in ("./HEAD", "snapshot:HEAD", str(work / "HEAD")):
        code, out, err = run(
            "diff", "--repo", str(repo.path), "rev:HEAD~1", form, "--format", "json"
        )
        assert (code, err) == (0, ""), form
        data = json.loads(out)
        assert data["new"]["kind"] == "snapshot" and data["packages"] == [], form
    err = one_usage_error(*run("diff", "--repo", str(repo.path), "rev:HEAD~1", "dir:HEAD"))
    assert err == "catalog-diff: error: dir:HEAD: not a directory\n"
    err = one_usage_error(*run("diff", "--repo", str(repo.path), "snapshot:nope", "rev:HEAD"))
    assert err == "catalog-diff: error: snapshot:nope: no such file\n"
    err = one_usage_error(*run("diff", "--repo", str(repo.path), "snapshot:.", "rev:HEAD"))
    assert err == "catalog-diff: error: snapshot:.: a directory, not a snapshot file\n"


def test_a_path_with_a_slash_that_is_no_revision_is_a_path(
    repo: GitRepoBuilder, work: Path
) -> None:
    (work / "out").mkdir()
    forged_snapshot(repo, work / "out" / "old.json")
    code, out, err = run("diff", "--repo", str(repo.path), "out/old.json", "rev:HEAD")
    assert (code, err) == (0, "")
    assert out.startswith("old: out/old.json (commit ")


# ---- the Action's invocation ------------------------------------------------------------


def test_the_action_names_its_revisions_explicitly() -> None:
    import yaml

    root = Path(__file__).resolve().parent.parent
    action = yaml.safe_load((root / "action.yml").read_text(encoding="utf-8"))
    run_text = next(s for s in action["runs"]["steps"] if s.get("id") == "diff")["run"]
    for line in run_text.splitlines():
        if line.strip().startswith("catalog-diff diff"):
            assert '"$old_rev" "$new_rev"' in line
    assert 'old_rev="$(explicit' in run_text and 'new_rev="$(explicit' in run_text
    for path in sorted((root / "examples").glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "catalog-diff diff" in line or "catalog-diff release-notes" in line:
                words = line.split()
                start = words.index("catalog-diff")
                sources = [w for w in words[start:] if "HEAD" in w or "BASE" in w]
                assert sources and all(w.strip('"').startswith("rev:") for w in sources), line


# ---- repeated options ------------------------------------------------------------------------


def _single_value_options() -> Iterator[tuple[str, str]]:
    for name, command in sorted(main.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option) and not (
                param.multiple or param.is_flag or param.count
            ):
                yield name, max(param.opts, key=len)


SINGLE = list(_single_value_options())


def test_single_value_options_are_many() -> None:
    assert len(SINGLE) > 40 and ("show", "--at") in SINGLE and ("log", "--tag") in SINGLE


@pytest.mark.parametrize(("command", "option"), SINGLE, ids=[f"{c}{o}" for c, o in SINGLE])
def test_an_option_of_one_value_given_twice_is_refused(command: str, option: str) -> None:
    err = one_usage_error(*run(command, option, "a", option, "b"))
    assert f"{option} is given more than once; it takes one value" in err
    assert f" {command} --help')" in err


def test_flags_and_repeatable_options_may_be_repeated(repo: GitRepoBuilder) -> None:
    path = str(repo.path)
    plain = run("diff", "--repo", path, "HEAD~1", "HEAD", "--tag", "develop")
    assert plain[0] == 0
    assert run("diff", "--repo", path, "HEAD~1", "HEAD", "--tag", "develop", "-q", "-q") == plain
    gates = ("--fail-on", "removed-packages", "--fail-on", "lost-os")
    code, out, _ = run("diff", "--repo", path, "HEAD~1", "HEAD", *gates, "--format", "json")
    assert code in (0, 1) and len(json.loads(out)["gates"]) == 2


def test_package_takes_several_globs_in_every_command_that_filters() -> None:
    for name, command in main.commands.items():
        params = {p.name: p for p in command.params}
        if "package" in params and isinstance(params["package"], click.Option):
            assert params["package"].multiple, name
    takes = {n for n, c in main.commands.items() if "--package" in _opts(c)}
    assert takes >= {"diff", "snapshot", "show", "log", "release-notes", "lint"}


def _opts(command: click.Command) -> set[str]:
    return {o for p in command.params if isinstance(p, click.Option) for o in p.opts}


def test_repeated_package_is_a_union(repo: GitRepoBuilder) -> None:
    base = ("diff", "--repo", str(repo.path), "HEAD~1", "HEAD", "--tag", "develop")
    names = {}
    for globs in (["gotcha"], ["cm*"], ["gotcha", "cm*"]):
        args = [a for g in globs for a in ("--package", g)]
        code, out, err = run(*base, *args, "--format", "json")
        assert (code, err) == (0, "")
        names[len(globs), globs[0]] = {p["name"] for p in json.loads(out)["packages"]}
    assert names[1, "gotcha"] and names[1, "cm*"]
    assert names[2, "gotcha"] == names[1, "gotcha"] | names[1, "cm*"]


def test_revision_only_commands_take_the_rev_form(
    repo: GitRepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = str(repo.path)
    code, _, err = run("index", "--repo", path, "rev:HEAD", "-q")
    assert (code, err) == (0, "")
    plain = run("log", "--repo", path, "HEAD~1..HEAD", "--format", "json")
    assert plain[0] == 0 and json.loads(plain[1])
    assert run("log", "--repo", path, "rev:HEAD~1..rev:HEAD", "--format", "json") == plain


def test_max_count_is_at_least_one(repo: GitRepoBuilder) -> None:
    for value in ("0", "-1"):
        err = one_usage_error(*run("log", "--repo", str(repo.path), "-n", value))
        assert "'--max-count' / '-n'" in err and "x>=1" in err


# ---- diff OLD alone; --at -------------------------------------------------------------------


def test_diff_old_alone_compares_with_head(repo: GitRepoBuilder) -> None:
    path = str(repo.path)
    alone = run("diff", "--repo", path, "HEAD~1")
    assert alone == run("diff", "--repo", path, "HEAD~1", "HEAD")
    assert alone[0] == 0 and "new: HEAD (commit" in alone[1]
    err = one_usage_error(*run("diff", "--repo", path, "HEAD~1", "HEAD", "main"))
    assert "one argument too many ('main'): give OLD [NEW]" in err
    err = one_usage_error(*run("diff", "--repo", path, "--at", "2025-03-24", "HEAD~1", "HEAD"))
    assert "one argument too many ('HEAD')" in err
    err = one_usage_error(*run("diff", "--repo", path))
    assert "give OLD (NEW defaults to HEAD), or --at DATE" in err


def test_at_keeps_the_date_asked_for(repo: GitRepoBuilder) -> None:
    path, old, new = str(repo.path), repo.rev_parse("HEAD~1"), repo.rev_parse("HEAD")
    code, out, err = run("diff", "--repo", path, "--at", "2025-03-24", "--at", "2025-03-31")
    assert (code, err) == (0, "")
    assert out.startswith(
        f"old: --at 2025-03-24 -> {old[:12]} ({OLD_DATE})\n"
        f"new: --at 2025-03-31 -> {new[:12]} ({NEW_DATE})\n"
    )
    code, out, _ = run("diff", "--repo", path, "--at", "2025-03-24", "--format", "json")
    data = json.loads(out)
    assert data["old"] == {
        "kind": "git",
        "source": old,
        "revision": old,
        "commit": old,
        "date": OLD_DATE,
        "at": "2025-03-24",
        "tag": None,
    }
    assert "at" not in data["new"]
    schema = json.loads(run("schema", "diff")[1])
    jsonschema.validate(data, schema)
    code, out, _ = run("diff", "--repo", path, "--at", "2025-03-24", "--format", "markdown")
    assert "| source | `--at 2025-03-24` | `HEAD` |" in out
    code, out, _ = run("show", "--repo", path, "--at", "2025-03-24", "--format", "json")
    shown = json.loads(out)
    assert shown["source"]["at"] == "2025-03-24" and shown["source"]["commit"] == old
    jsonschema.validate(shown, json.loads(run("schema", "show")[1]))
    code, out, _ = run("show", "--repo", path, "--at", "2025-03-24")
    assert out.startswith(f"source: --at 2025-03-24 -> {old[:12]} ({OLD_DATE})\n")


def test_at_before_the_first_commit_is_no_commit(repo: GitRepoBuilder) -> None:
    for date in ("1970-01-02", "1973-03-02", "2025-03-22"):
        code, out, err = run("diff", "--repo", str(repo.path), "--at", date)
        assert (code, out) == (3, ""), date
        assert err.startswith(f"catalog-diff: error: --at {date}: no commit at or before that date")


def test_at_in_snapshot_lint_and_release_notes(repo: GitRepoBuilder, tmp_path: Path) -> None:
    path, old = str(repo.path), repo.rev_parse("HEAD~1")
    target = tmp_path / "at.json"
    code, _, err = run("snapshot", "--repo", path, "--at", "2025-03-24", "-o", str(target), "-q")
    assert (code, err) == (0, "")
    assert (
        json.loads(target.read_text(encoding="utf-8").split("\n")[0] + "]}")["source"]["commit"]
        == old
    )
    code, out, _ = run("lint", "--repo", path, "--at", "2025-03-24", "--format", "json")
    assert json.loads(out)["source"]["at"] == "2025-03-24"
    assert code in (0, 1)
    code, out, err = run("release-notes", "--repo", path, "--tag", "develop", "--at", "2025-03-24")
    assert (code, err) == (0, "")
    assert "develop at --at 2025-03-24" in out and "develop at HEAD" in out
    code, out, err = run(
        "release-notes", "--repo", path, "--at", "2025-03-31", "v0.23.0", "v0.23.1"
    )
    assert (code, err) == (0, "")
    err = one_usage_error(
        *run("release-notes", "--repo", path, "--at", "2025-03-31", "--rev", "HEAD", "a", "b")
    )
    assert "give --rev or --at DATE, not both" in err
    err = one_usage_error(*run("show", "--repo", path, "HEAD", "--at", "2025-03-31"))
    assert "give a revision or --at DATE, not both" in err


def test_reflog_date_older_than_the_reflog_is_a_warning(
    repo: GitRepoBuilder, tmp_path: Path
) -> None:
    """On a fresh clone, main@{2025-03-25} is the tip (git: "log for 'main' only goes
    back to ..."): the tip is read, and stderr says why it may not be what was meant."""
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", str(repo.path), str(clone)],
        env={k: v for k, v in repo.env().items() if not k.endswith("_DATE")},  # dated now
        check=True,
        capture_output=True,
        timeout=120,
    )
    code, _, err = run("diff", "--repo", str(clone), "main@{2025-03-25}", "rev:HEAD")
    assert code == 0
    assert err.count("\n") == 1
    assert err.startswith(
        "catalog-diff: warning: main@{2025-03-25}: log for 'main' only goes back to "
    )
    assert "--at DATE picks the last commit at or before DATE" in err
    code, _, err = run("diff", "--repo", str(clone), "main@{0}", "rev:HEAD")
    assert (code, err) == (0, "")


# ---- the same option, the same meaning -------------------------------------------------------


def test_strict_tag_package_and_format_where_the_user_expects_them() -> None:
    wanted = {
        "diff": {"--strict", "--at", "--tag", "--package"},
        "show": {"--strict", "--at", "--tag", "--package"},
        "snapshot": {"--strict", "--at", "--tag", "--package"},
        "lint": {"--strict", "--at", "--tag", "--package", "--format"},
        "release-notes": {"--strict", "--at", "--tag", "--package", "--format"},
        "log": {"--tag", "--package", "--max-count"},
    }
    for name, options in wanted.items():
        assert options <= _opts(main.commands[name]), name


def test_lint_audits_the_selection(repo: GitRepoBuilder) -> None:
    path = str(repo.path)
    _, out, _ = run("lint", "--repo", path, "HEAD", "--format", "json")
    whole = json.loads(out)
    selection = ("--tag", "v0.23.1", "--package", "gotcha")
    _, out, _ = run("lint", "--repo", path, "HEAD", *selection, "--format", "json")
    part = json.loads(out)
    assert (part["summary"]["packages"], part["summary"]["tags"]) == (1, ["v0.23.1"])
    assert part["summary"]["entries"] == 1 and not part["summary"]["tags_yaml_checked"]
    assert whole["summary"]["packages"] > 1 and whole["summary"]["entries"] > 1
    assert {(f["tag"], f["package"]) for f in part["findings"]} <= {("v0.23.1", "gotcha")}


def test_release_notes_as_json_keeps_the_template_fields(repo: GitRepoBuilder) -> None:
    from catalog_diff.api import release_notes

    path = str(repo.path)
    code, out, err = run("release-notes", "--repo", path, "v0.23.0", "v0.23.1", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data == json.loads(json.dumps(release_notes("v0.23.0", "v0.23.1", repo=path).as_data()))
    jsonschema.validate(data, json.loads(run("schema", "release-notes")[1]))
    assert data["highlights"]["packages_changed"] > 0 and data["old"]["tag"] == "v0.23.0"
    err = one_usage_error(
        *run("release-notes", "--repo", path, "a", "b", "--format", "json", "--template", "t.j2")
    )
    assert "--template goes with --format markdown" in err


# ---- filters: tags with nothing selected, filtered snapshots ---------------------------------


def test_package_filter_hides_tags_with_nothing_selected(
    repo: GitRepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(repo.path)
    code, out, err = run(
        "diff", "--repo", path, "HEAD~1", "HEAD", "--package", "GCC", "--exit-code"
    )
    assert (code, err) == (0, "")
    assert "No differences." in out and "Tags added" not in out
    # A selected package in the new tag: the tag is added, with that package only.
    code, out, _ = run(
        "diff", "--repo", path, "HEAD~1", "HEAD", "--package", "gotcha", "--format", "json"
    )
    assert [t["tag"] for t in json.loads(out)["tags"]["added"]] == ["v0.23.1"]
    assert json.loads(out)["tags"]["added"][0]["packages"] == 1
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, out, err = run("log", "--repo", path, "--package", "nosuchpkg", "-q")
    assert (code, out.strip(), err) == (0, "No commits.", "")


def test_show_one_package_by_name_shows_its_specs_in_every_tag(repo: GitRepoBuilder) -> None:
    code, out, err = run(
        "show", "--repo", str(repo.path), "--package", "gotcha", "--format", "json"
    )
    assert (code, err) == (0, "")
    tags = json.loads(out)["tags"]
    assert set(tags) == {"develop", "v0.23.0", "v0.23.1"}
    for tag in tags.values():
        gotcha = tag["packages"]["gotcha"]
        assert len(gotcha["spec_details"]) == gotcha["specs"] > 0
    code, out, _ = run("show", "--repo", str(repo.path), "--package", "nosuchpkg")
    assert code == 0 and "(0 packages" not in out
    code, out, _ = run("show", "--repo", str(repo.path), "--package", "gotcha", "--package", "cm*")
    assert "spec_details" not in out


def test_a_filtered_snapshot_says_so_and_diff_applies_it(
    repo: GitRepoBuilder, tmp_path: Path
) -> None:
    path = str(repo.path)
    part = tmp_path / "gotcha.json"
    code, _, err = run("snapshot", "--repo", path, "HEAD", "-o", str(part), "--package", "gotcha")
    assert code == 0 and "saved 3 packages" in err
    head = json.loads(part.read_text(encoding="utf-8"))
    assert head["selection"] == {"tag": None, "packages": ["gotcha"]}
    assert head["tags"] == ["develop", "v0.23.0", "v0.23.1"]
    code, out, err = run("diff", "--repo", path, str(part), "rev:HEAD", "--exit-code")
    assert (code, "No differences." in out) == (0, True)
    assert err == (
        f"catalog-diff: warning: {part} is a snapshot of --package gotcha only; "
        "HEAD is compared with the same selection\n"
    )
    tag = tmp_path / "v1.json"
    run("snapshot", "--repo", path, "HEAD", "-o", str(tag), "--tag", "v0.23.1", "-q")
    assert json.loads(tag.read_text(encoding="utf-8"))["selection"] == {
        "tag": "v0.23.1",
        "packages": [],
    }
    code, out, err = run("diff", "--repo", path, "rev:HEAD", str(tag), "--exit-code")
    assert code == 0 and "No differences." in out
    assert "is a snapshot of --tag v0.23.1 only" in err
    # diff applies both selections; reading it with another one is refused.
    code, out, _ = run("diff", "--repo", path, str(part), "rev:HEAD", "--package", "nope")
    assert code == 0 and "No differences." in out
    err = one_usage_error(*run("show", str(part), "--package", "g*"))
    assert "gotcha.json is a snapshot of --package gotcha only; read it without --package" in err
    code, out, _ = run("show", str(part), "--package", "gotcha", "--format", "json")
    assert code == 0 and set(json.loads(out)["tags"]) == {"develop", "v0.23.0", "v0.23.1"}
    # A whole snapshot has no selection (its bytes are as before).
    whole = tmp_path / "whole.json"
    run("snapshot", "--repo", path, "HEAD", "-o", str(whole), "-q")
    assert "selection" not in json.loads(whole.read_text(encoding="utf-8"))


# ---- every error names options that exist ------------------------------------------------


def test_every_option_an_error_names_exists() -> None:
    """Each ``--option`` written in a message the code raises or prints is an option of
    some command (no "use --rebuild" to a command that has none of it, in another sense
    checked by hand)."""
    import ast
    import re

    root = Path(__file__).resolve().parent.parent / "src" / "catalog_diff"
    known = {o for c in main.commands.values() for o in _opts(c)} | {"--help", "--version"}
    named: dict[str, str] = {}
    for source in sorted(root.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            said: ast.AST | None = None
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                said = node.exc
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "fail":
                said = node  # the command line's own one-line errors
            if said is not None:
                texts = [
                    n.value
                    for n in ast.walk(said)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                ]
                for text in texts:
                    for option in re.findall(r"(?<![\w-])--[a-z][a-z-]+", text):
                        named.setdefault(option, f"{source.name}:{node.lineno}")
    unknown = {o: where for o, where in named.items() if o not in known}
    assert named and not unknown, unknown
