"""Read-only against the repository, whatever its configuration and state.

Every test builds real repositories (pinned identities and dates) and runs the real
command line as a process. A repository's configuration names programs that would leave
a marker file if git ran them (each trap is first shown to work with plain git); after
catalog-diff ran, no marker exists and nothing below ``.git`` changed: not a file, not a
folder, not a size nor a modification time. Partial clones are never fetched from;
damaged, foreign-owned and shallow repositories get a one-line diagnosis; SHA-256
repositories work end to end; and a revision of any content gets a one-line error that
is safe to print.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from catalog_diff.errors import RevisionNotFound
from catalog_diff.layout import UNSAFE
from catalog_diff.sources.load import Sources
from gitrepo import SAMPLES, GitRepoBuilder

SCHEMAS = Path(__file__).parents[1] / "src" / "catalog_diff" / "schemas"
DATES = ("2025-03-23T06:00:00+00:00", "2025-03-30T06:00:00+00:00")
PACKAGES = ("bc", "cmake")
BC = "_cache/develop/bc/specs.md"

#: Every hook git knows of (a hook folder full of traps).
HOOKS = (
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
)


def side(tag_dir: str) -> dict[str, bytes]:
    return {
        f"_cache/develop/{p}/specs.md": (SAMPLES / "cache" / tag_dir / p / "specs.md").read_bytes()
        for p in PACKAGES
    }


def build(path: Path, object_format: str = "sha1", commits: int = 2) -> GitRepoBuilder:
    """bc and cmake at develop-2025-03-23, then at develop-2025-03-30 (both change);
    a third commit, if asked, adds a README only."""
    repo = GitRepoBuilder(path, object_format)
    repo.write(side("develop-2025-03-23"))
    repo.commit("develop 2025-03-23", date=DATES[0])
    repo.write(side("develop-2025-03-30"))
    repo.commit("develop 2025-03-30", date=DATES[1])
    if commits > 2:
        repo.write({"README.md": b"# catalog\n"})
        repo.commit("readme", date="2025-04-01T06:00:00+00:00")
    return repo


def environment(home: Path, **extra: str) -> dict[str, str]:
    """The user's environment without GIT_* settings, with an empty home and global
    configuration (nothing there to trust a repository or name a program)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "gitconfig").write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home),
        XDG_CACHE_HOME=str(home / "cache"),
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        **extra,
    )
    return env


def cli(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """``catalog-diff ARGS`` as a real process (the console script's own entry point)."""
    code = "import sys; from catalog_diff.entry import main; sys.argv[0] = 'catalog-diff'; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        check=False,
        timeout=180,
    )
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


def git(repo: Path, *args: str, env: dict[str, str], check: bool = True) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, check=False, timeout=120
    )
    if check and done.returncode != 0:
        raise RuntimeError(done.stderr.decode("utf-8", "replace"))
    return done.stdout.decode("utf-8", "replace")


def listing(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder below ``folder``: (mode, size, mtime in ns)."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root, name)
            st = path.lstat()
            out[str(path.relative_to(folder))] = (st.st_mode, st.st_size, st.st_mtime_ns)
    return out


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("catalog-diff: error: "), err
    assert "Traceback" not in err and "internal error" not in err, err
    assert not UNSAFE.search(err[:-1]), err
    return err


def trap(folder: Path, name: str, markers: Path) -> str:
    """A program that leaves ``markers/<name>`` when run (and fails)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(f'#!/bin/sh\necho "$0 $*" >> "{markers}/{name}"\nexit 1\n')
    script.chmod(0o755)
    return str(script)


def sign(repo: Path, env: dict[str, str]) -> None:
    """Give HEAD a (fake) signature, so that ``git log`` with log.showSignature runs
    gpg.program on it."""
    raw = git(repo, "cat-file", "commit", "HEAD", env=env)
    head, _, message = raw.partition("\n\n")
    signature = (
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEfakefakefake\n"
        " -----END PGP SIGNATURE-----"
    )
    signed = f"{head}\n{signature}\n\n{message}"
    done = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo,
        env=env,
        input=signed.encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    git(repo, "update-ref", "refs/heads/main", done.stdout.decode().strip(), env=env)


# ---- nothing the configuration names runs ------------------------------------------------


def arm(repo: Path, tmp: Path, markers: Path, env: dict[str, str]) -> None:
    """Name a trap in every setting of the repository's configuration that makes git run
    a program, and ask for every attribute that does."""
    bin_dir, hooks = tmp / "bin", tmp / "hooks"
    for hook in HOOKS:
        trap(hooks, hook, markers)
        trap(repo / ".git" / "hooks", hook, markers)
    settings = {
        "core.fsmonitor": trap(bin_dir, "fsmonitor", markers),
        "core.hooksPath": str(hooks),
        "core.pager": trap(bin_dir, "pager", markers),
        "pager.log": trap(bin_dir, "pager-log", markers),
        "pager.diff-tree": trap(bin_dir, "pager-diff-tree", markers),
        "diff.external": trap(bin_dir, "external-diff", markers),
        "log.showSignature": "true",
        "gpg.program": trap(bin_dir, "gpg", markers),
        "diff.trap.textconv": trap(bin_dir, "textconv", markers),
        "diff.trap.command": trap(bin_dir, "diff-driver", markers),
        "filter.trap.clean": trap(bin_dir, "clean", markers),
        "filter.trap.smudge": trap(bin_dir, "smudge", markers),
        "filter.trap.process": trap(bin_dir, "filter-process", markers),
        "filter.trap.required": "true",
        "core.sshCommand": trap(bin_dir, "ssh", markers),
        "core.askPass": trap(bin_dir, "askpass", markers),
        "credential.helper": trap(bin_dir, "credential", markers),
        "core.alternateRefsCommand": trap(bin_dir, "alternate-refs", markers),
        "core.editor": trap(bin_dir, "editor", markers),
        "sequence.editor": trap(bin_dir, "sequence-editor", markers),
        "diff.orderFile": str(tmp / "order"),
        "diff.renames": "copies",
        "log.follow": "true",
        "gc.auto": "1",
        "maintenance.auto": "true",
        "protocol.allow": "always",
    }
    (tmp / "order").write_text("*\n")
    for key, value in settings.items():
        git(repo, "config", key, value, env=env)
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("* diff=trap filter=trap\n")


def test_no_program_the_configuration_names_ever_runs(tmp_path: Path) -> None:
    builder = build(tmp_path / "catalog")
    # The attributes travel with the catalog too (a committed .gitattributes).
    builder.write({".gitattributes": b"* diff=trap filter=trap\n"})
    builder.commit("attributes", date="2025-04-01T06:00:00+00:00")
    repo = builder.path
    env = environment(tmp_path / "home")
    sign(repo, env)
    markers = tmp_path / "markers"
    markers.mkdir()
    arm(repo, tmp_path, markers, env)
    # The traps work: plain git runs them.
    git(repo, "diff-tree", "-r", "HEAD~1", "HEAD", env=env)
    git(repo, "log", "-1", "--format=%s", "HEAD", env=env)
    # git diff: the filter process first; without it, the diff driver.
    git(repo, "diff", "HEAD~2", "HEAD~1", env=env, check=False)
    off = ["-c", "filter.trap.process=", "-c", "filter.trap.required=false"]
    git(repo, *off, "diff", "HEAD~2", "HEAD~1", env=env, check=False)
    git(repo, *off, "cat-file", "--textconv", f"HEAD:{BC}", env=env, check=False)
    ran = {p.name for p in markers.iterdir()}
    assert {"fsmonitor", "gpg", "filter-process", "diff-driver", "textconv"} <= ran, ran
    for marker in markers.iterdir():
        marker.unlink()

    before = listing(repo / ".git")
    index = str(tmp_path / "index.sqlite")
    work = tmp_path / "work"
    work.mkdir()
    commands = [
        ["diff", "--repo", str(repo), "HEAD~2", "HEAD"],
        ["diff", "--repo", str(repo), "--format", "json", "HEAD~2", "HEAD"],
        ["diff", "--repo", str(repo), "--format", "markdown", "--totals", "HEAD~2", "HEAD"],
        ["show", "--repo", str(repo), "HEAD"],
        ["lint", "--repo", str(repo), "HEAD"],
        ["snapshot", "--repo", str(repo), "HEAD", "-o", str(tmp_path / "snap.json.gz")],
        ["index", "--repo", str(repo), "--index", index],
        ["index", "--repo", str(repo), "--index", index],  # the fast up-to-date check
        ["log", "--repo", str(repo), "--index", index, "-n", "2"],
        ["history", "cmake", "--repo", str(repo), "--index", index],
    ]
    for args in commands:
        code, _, err = cli(args, env, work)
        assert code in (0, 1), (args, code, err)
        assert "Traceback" not in err
    assert sorted(p.name for p in markers.iterdir()) == []
    assert listing(repo / ".git") == before, "catalog-diff changed something in .git"
    assert list(work.iterdir()) == []
    # The same answers as from a repository without any of it.
    plain_builder = build(tmp_path / "plain")
    plain_builder.write({".gitattributes": b"* diff=trap filter=trap\n"})
    plain_builder.commit("attributes", date="2025-04-01T06:00:00+00:00")
    plain = plain_builder.path
    for args in commands[:2]:
        mine = cli(args, env, work)
        theirs = cli([a.replace(str(repo), str(plain)) for a in args], env, work)
        assert mine[0] == theirs[0] == 0 and mine[2] == theirs[2] == ""
        assert mine[1].count("\n") == theirs[1].count("\n") > 10


def test_the_fast_index_check_runs_no_configured_program(tmp_path: Path) -> None:
    """``index`` on an up-to-date index is answered before GitPython is imported, by
    one ``rev-parse`` that gets the same overrides: in a repository whose fsmonitor runs
    on any command that reads the index, nothing runs and nothing is written."""
    repo = build(tmp_path / "catalog").path
    env = environment(tmp_path / "home")
    index = str(tmp_path / "index.sqlite")
    assert cli(["index", "--repo", str(repo), "--index", index], env, tmp_path)[0] == 0
    markers = tmp_path / "markers"
    markers.mkdir()
    git(repo, "config", "core.fsmonitor", trap(tmp_path / "bin", "fsmonitor", markers), env=env)
    git(repo, "update-index", "--refresh", env=env, check=False)  # the trap works
    assert (markers / "fsmonitor").exists()
    (markers / "fsmonitor").unlink()
    before = listing(repo / ".git")
    code, _, err = cli(["index", "--repo", str(repo), "--index", index], env, tmp_path)
    assert code == 0 and "already up to date" in err
    assert list(markers.iterdir()) == []
    assert listing(repo / ".git") == before


# ---- never fetch -------------------------------------------------------------------------


def partial_clone(tmp_path: Path, env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A blob:none clone of a two-commit catalog holding every blob but bc's newest;
    returns the clone and the blob ids ``{"<rev>:<path>": oid}``."""
    source = build(tmp_path / "source").path
    git(source, "config", "uploadpack.allowFilter", "true", env=env)
    clone = tmp_path / "clone"
    git(
        tmp_path,
        "clone",
        "-q",
        "--filter=blob:none",
        "--no-checkout",
        f"file://{source}",
        str(clone),
        env=env,
    )
    oids = {
        f"{rev}:{path}": git(clone, "rev-parse", f"{rev}:{path}", env=env).strip()
        for rev in ("HEAD~1", "HEAD")
        for path in (BC, "_cache/develop/cmake/specs.md")
    }
    for spec, oid in oids.items():
        if spec != f"HEAD:{BC}":
            git(clone, "cat-file", "blob", oid, env=env)  # fetched from the source
    return clone, oids


def arm_fetch(clone: Path, tmp: Path, markers: Path, env: dict[str, str]) -> None:
    """Make a fetch run a trap whatever transport it takes."""
    ext = trap(tmp / "bin", "ext-transport", markers)
    for key, value in {
        "remote.origin.url": f"ext::{ext} %S",
        "protocol.allow": "always",
        "protocol.ext.allow": "always",
        "core.sshCommand": trap(tmp / "bin", "ssh", markers),
        "credential.helper": trap(tmp / "bin", "credential", markers),
        "core.askPass": trap(tmp / "bin", "askpass", markers),
    }.items():
        git(clone, "config", key, value, env=env)


def test_a_partial_clone_is_never_fetched_from(tmp_path: Path) -> None:
    env = environment(tmp_path / "home")
    clone, oids = partial_clone(tmp_path, env)
    markers = tmp_path / "markers"
    markers.mkdir()
    arm_fetch(clone, tmp_path, markers, env)
    missing = oids[f"HEAD:{BC}"]
    # The trap works: plain git fetches the missing blob through it.
    git(clone, "cat-file", "-t", missing, env=env, check=False)
    assert (markers / "ext-transport").exists()
    (markers / "ext-transport").unlink()
    before = listing(clone / ".git")

    code, out, err = cli(
        ["diff", "--repo", str(clone), "--format", "json", "HEAD~1", "HEAD"], env, tmp_path
    )
    assert code == 3
    reason = f"its object {missing} is not in this partial clone (catalog-diff never fetches"
    assert one_line(err).startswith(f"catalog-diff: error: new HEAD: {BC}: {reason}")
    report = json.loads(out)
    [problem] = report["problems"]
    assert (problem["side"], problem["path"], problem["revision"]) == ("new", BC, "HEAD")
    assert problem["message"].startswith(reason)
    assert [(p["name"], p["status"]) for p in report["packages"]] == [("cmake", "changed")]

    # A missing object asked for by name: git's lazy fetch is refused, not run.
    code, out, err = cli(["diff", "--repo", str(clone), missing, "HEAD"], env, tmp_path)
    assert (code, out) == (3, "")
    assert "partial clone" in one_line(err) and missing in err
    # The history index needs every file: an error naming it, nothing indexed.
    index = str(tmp_path / "index.sqlite")
    code, _, err = cli(["index", "--repo", str(clone), "--index", index], env, tmp_path)
    assert code == 3
    assert f"{BC}: git failed in" in one_line(err) and "not in this partial clone" in err
    code, out, err = cli(["show", "--repo", str(clone), "HEAD"], env, tmp_path)
    assert code == 3 and BC in one_line(err) and "cmake" in out

    assert list(markers.iterdir()) == []
    assert listing(clone / ".git") == before, "something was fetched or written"


# ---- a repository git will not read, or cannot ---------------------------------------------


def test_a_repository_owned_by_another_user_is_refused_with_the_reason(tmp_path: Path) -> None:
    repo = build(tmp_path / "catalog").path
    extra = {}
    if os.geteuid() == 0:
        for root, dirs, files in os.walk(repo):
            for name in [".", *dirs, *files]:
                os.lchown(Path(root, name), 12345, 12345)
    else:  # git's own switch for the same refusal, where chown is not allowed
        extra["GIT_TEST_ASSUME_DIFFERENT_OWNER"] = "1"
    env = environment(tmp_path / "home")
    # git refuses it.
    refused = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=repo,
        env={**env, **extra},
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert b"dubious ownership" in refused.stderr
    env.update(extra)
    index = str(tmp_path / "index.sqlite")
    for args in (
        ["diff", "--repo", str(repo), "HEAD~1", "HEAD"],
        ["show", "--repo", str(repo), "HEAD"],
        ["index", "--repo", str(repo), "--index", index],
        ["log", "--repo", str(repo), "--index", index],
    ):
        code, out, err = cli(args, env, tmp_path)
        assert (code, out) == (3, ""), (args, err)
        one_line(err)
        assert "owned by another user (dubious ownership)" in err, err
        assert f"git config --global --add safe.directory {repo}" in err
        assert "no commits" not in err


def corrupt_loose(repo: Path, oid: str) -> None:
    loose = repo / ".git" / "objects" / oid[:2] / oid[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"this is not zlib data")


def test_a_corrupt_loose_commit_is_a_damaged_repository(tmp_path: Path) -> None:
    repo = build(tmp_path / "catalog")
    corrupt_loose(repo.path, repo.rev_parse("HEAD"))
    env = environment(tmp_path / "home")
    for args in (
        ["diff", "--repo", str(repo.path), "HEAD~1", "HEAD"],
        ["show", "--repo", str(repo.path), "HEAD"],
    ):
        code, out, err = cli(args, env, tmp_path)
        assert (code, out) == (3, "")
        # diff resolves HEAD~1 first (through HEAD); show resolves HEAD.
        first = args[-2] if args[0] == "diff" else args[-1]
        assert one_line(err).startswith(f"catalog-diff: error: {first}: the repository is damaged")
        assert "is corrupt" in err and "'git fsck'" in err and "no commits" not in err


def test_a_corrupt_loose_blob_is_a_damaged_repository(tmp_path: Path) -> None:
    repo = build(tmp_path / "catalog")
    oid = repo.rev_parse(f"HEAD:{BC}")
    corrupt_loose(repo.path, oid)
    env = environment(tmp_path / "home")
    code, out, err = cli(["diff", "--repo", str(repo.path), "HEAD~1", "HEAD"], env, tmp_path)
    assert (code, out) == (3, "")
    assert one_line(err).startswith(f"catalog-diff: error: HEAD: {BC}: git failed in ")
    assert f"the repository is damaged: the loose object {oid} is corrupt; 'git fsck'" in err
    index = str(tmp_path / "index.sqlite")
    code, _, err = cli(["index", "--repo", str(repo.path), "--index", index], env, tmp_path)
    assert code == 3 and BC in one_line(err) and "the repository is damaged" in err


def test_a_corrupt_pack_is_a_damaged_repository(tmp_path: Path) -> None:
    repo = build(tmp_path / "catalog")
    repo.git("repack", "-adq")
    [pack] = (repo.path / ".git" / "objects" / "pack").glob("*.pack")
    env = environment(tmp_path / "home")
    # Damage the compressed data of both of bc's blobs (whichever is the delta base).
    verify = git(repo.path, "verify-pack", "-v", str(pack.with_suffix(".idx")), env=env)
    places = {
        line.split()[0]: (int(line.split()[4]), int(line.split()[3]))
        for line in verify.splitlines()
        if line[:1].isalnum() and len(line.split()) >= 5 and line.split()[1] == "blob"
    }
    data = bytearray(pack.read_bytes())
    for rev in ("HEAD~1", "HEAD"):
        offset, size = places[repo.rev_parse(f"{rev}:{BC}")]
        for i in range(offset + size // 3, offset + size - 2):
            data[i] ^= 0x5A
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))
    code, out, err = cli(["diff", "--repo", str(repo.path), "HEAD~1", "HEAD"], env, tmp_path)
    assert (code, out) == (3, "")
    assert one_line(err).startswith("catalog-diff: error: HEAD")
    assert f": {BC}: git failed in " in err
    assert "the repository is damaged" in err and "'git fsck'" in err


def test_a_shallow_boundary_is_named_not_crossed(tmp_path: Path) -> None:
    source = build(tmp_path / "source", commits=3).path
    env = environment(tmp_path / "home")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{source}", str(clone), env=env)
    code, out, err = cli(["diff", "--repo", str(clone), "HEAD~2", "HEAD"], env, tmp_path)
    assert (code, out) == (3, "")
    assert "HEAD~2: unknown revision (a shallow clone: older commits are missing" in one_line(err)
    assert cli(["diff", "--repo", str(clone), "HEAD~2", "HEAD~1"], env, tmp_path)[0] == 3
    assert cli(["diff", "--repo", str(clone), "HEAD~1", "HEAD"], env, tmp_path)[0] == 0
    # The index never takes the boundary commit for one that added the whole catalog.
    index = str(tmp_path / "index.sqlite")
    boundary = git(clone, "rev-parse", "HEAD~1", env=env).strip()
    code, _, err = cli(["index", "--repo", str(clone), "--index", index], env, tmp_path)
    assert code == 3
    assert one_line(err).startswith(f"catalog-diff: error: {boundary}: git failed in ")
    assert f"the history before commit {boundary[:12]} is missing" in err
    assert f"'catalog-diff index {boundary[:12]}..HEAD'" in err
    # ... and indexes from it when asked.
    index2 = str(tmp_path / "index2.sqlite")
    code, _, err = cli(
        ["index", "--repo", str(clone), "--index", index2, f"{boundary[:12]}..HEAD"], env, tmp_path
    )
    assert code == 0, err


# ---- SHA-256 -------------------------------------------------------------------------------


def test_sha256_repositories_work_end_to_end(tmp_path: Path) -> None:
    """Every command reads a SHA-256 repository as it reads the same catalog in SHA-1,
    and reports its 64-digit commit ids."""
    env = environment(tmp_path / "home")
    repos = {fmt: build(tmp_path / fmt, fmt) for fmt in ("sha1", "sha256")}
    reports: dict[str, dict[str, str]] = {}
    for fmt, repo in repos.items():
        head = repo.rev_parse("HEAD")
        assert len(head) == (64 if fmt == "sha256" else 40)
        r = str(repo.path)
        index = str(tmp_path / f"{fmt}.sqlite")
        snap = str(tmp_path / f"{fmt}.json.gz")
        runs = {
            "diff": ["diff", "--repo", r, "--format", "json", "HEAD~1", "HEAD"],
            "diff-text": ["diff", "--repo", r, "HEAD~1", "HEAD"],
            "show": ["show", "--repo", r, "--format", "json", "HEAD"],
            "lint": ["lint", "--repo", r, "--format", "json", "HEAD"],
            "snapshot": ["snapshot", "--repo", r, "HEAD", "-o", snap],
            "from-snapshot": ["diff", "--repo", r, "--format", "json", snap, "HEAD~1"],
            "index": ["index", "--repo", r, "--index", index, "-q"],
            "log": ["log", "--repo", r, "--index", index, "--format", "json"],
            "history": ["history", "cmake", "--repo", r, "--index", index, "--format", "json"],
        }
        reports[fmt] = {}
        for name, args in runs.items():
            code, out, err = cli(args, env, tmp_path)
            assert code in (0, 1), (fmt, name, err)
            assert "error" not in err, (fmt, name, err)
            reports[fmt][name] = out
        for name, schema in (("diff", "diff"), ("show", "show"), ("lint", "lint"), ("log", "log")):
            jsonschema.validate(
                json.loads(reports[fmt][name]),
                json.loads((SCHEMAS / f"{schema}.schema.json").read_text()),
            )
        assert head in reports[fmt]["show"] and head in reports[fmt]["log"]
        assert head in reports[fmt]["history"]
    # The same catalog says the same, but for the commit ids.
    ids = {
        repos["sha1"].rev_parse(rev): repos["sha256"].rev_parse(rev) for rev in ("HEAD~1", "HEAD")
    }
    for name in ("diff", "diff-text", "show", "lint", "log", "history", "from-snapshot"):
        text = reports["sha1"][name].replace("sha1.json.gz", "sha256.json.gz")
        for old, new in ids.items():
            text = text.replace(old, new).replace(old[:12], new[:12])
        assert text == reports["sha256"][name], name


# ---- revisions of any content ------------------------------------------------------------

REVISIONS = {
    "100-kb": "HEAD" * 25_600,
    "escapes": "\x1b[31mred\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[0m",
    "newline": "HEAD\nnew: HEAD (forged)",
    "bidi": "main\u202e\u2066evil",
    "nul-free-c0-c1": "a\x01\x08\x7f\x85\x9bz",
    "not-utf8": os.fsdecode(b"ma\xffin\xfe"),
}


@pytest.mark.parametrize("revision", REVISIONS.values(), ids=REVISIONS.keys())
def test_any_revision_gets_one_safe_line(revision: str, tmp_path: Path) -> None:
    repo = build(tmp_path / "catalog").path
    env = environment(tmp_path / "home")
    for args in (
        ["diff", "--repo", str(repo), revision, "HEAD"],
        ["diff", "--repo", str(repo), "HEAD", revision],
        ["show", "--repo", str(repo), revision],
        ["log", "--repo", str(repo), "--index", str(tmp_path / "i.sqlite"), revision],
    ):
        code, out, err = cli(args, env, tmp_path)
        assert (code, out) == (3, ""), (code, err[:300])
        one_line(err)
        assert len(err) < 1200, len(err)
        if len(revision) > 200:
            assert f"...[{len(revision)} characters]: unknown revision (longer than 4096" in err
        else:
            assert "unknown revision" in err, err


def test_a_revision_with_a_nul_byte_is_refused_before_git(tmp_path: Path) -> None:
    repo = build(tmp_path / "catalog").path
    with Sources(str(repo)) as sources, pytest.raises(RevisionNotFound) as caught:
        sources.open("HEAD\0--output=x")
    assert str(caught.value).startswith("HEAD\\x00--output=x: not a revision (it holds a NUL byte)")


def test_no_commits_is_said_only_when_there_are_none(tmp_path: Path) -> None:
    """HEAD naming a branch without commits, in a repository whose other branch has
    some: the revision is unknown, but the repository is not empty."""
    repo = build(tmp_path / "catalog")
    repo.git("symbolic-ref", "HEAD", "refs/heads/unborn")
    env = environment(tmp_path / "home")
    code, _, err = cli(["show", "--repo", str(repo.path), "HEAD"], env, tmp_path)
    assert code == 3 and "HEAD: unknown revision in " in one_line(err)
    empty = GitRepoBuilder(tmp_path / "empty")
    code, _, err = cli(["show", "--repo", str(empty.path), "HEAD"], env, tmp_path)
    assert code == 3 and "unknown revision (the repository has no commits)" in one_line(err)


def test_a_partial_clone_without_trees_is_one_line_never_a_fetch(tmp_path: Path) -> None:
    """A ``--filter=tree:0`` clone lacks the trees themselves: listing the catalog would
    need a fetch, which is refused; the error says so."""
    env = environment(tmp_path / "home")
    source = build(tmp_path / "source").path
    git(source, "config", "uploadpack.allowFilter", "true", env=env)
    clone = tmp_path / "clone"
    git(
        tmp_path,
        "clone",
        "-q",
        "--filter=tree:0",
        "--no-checkout",
        f"file://{source}",
        str(clone),
        env=env,
    )
    before = listing(clone / ".git")
    code, out, err = cli(["diff", "--repo", str(clone), "HEAD~1", "HEAD"], env, tmp_path)
    assert (code, out) == (3, "")
    assert one_line(err).startswith("catalog-diff: error: HEAD~1 (")
    assert "an object this partial clone does not hold (catalog-diff never fetches" in err
    assert listing(clone / ".git") == before


def test_core_worktree_cannot_point_catalog_diff_at_another_repository(tmp_path: Path) -> None:
    """``--repo X/.git`` whose configuration names another repository's folder as its
    work tree: git still reads X."""
    env = environment(tmp_path / "home")
    mine = build(tmp_path / "mine")
    other = build(tmp_path / "other", commits=3)
    git(mine.path, "config", "core.worktree", str(other.path), env=env)
    code, out, err = cli(
        ["show", "--repo", str(mine.path / ".git"), "--format", "json", "HEAD"], env, tmp_path
    )
    assert code == 0, err
    assert json.loads(out)["commit"] == mine.rev_parse("HEAD") != other.rev_parse("HEAD")
