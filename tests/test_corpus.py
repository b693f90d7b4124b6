"""The bad-input corpus (tests/corpus/cases.yaml), run through the real command line.

Each case builds a real git repository of two commits (pinned identities and dates): a
good neighbour package (cmake, which really changed between the two weekly samples) next
to the case's bad file. ``diff`` then runs in text, Markdown and JSON, and with
``--strict``; ``lint`` audits the new side. Every case checks the exit code, that stderr
is one line naming the revision and the path, that the bad file is listed under problems
in every format, that the neighbour's change is reported exactly as without the bad file,
and that no traceback, control character or stray file appears. See the manifest's header
for the keys of a case.
"""

from __future__ import annotations

import codecs
import ctypes
import gzip
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from click.testing import CliRunner

from catalog_diff.cli import main
from catalog_diff.layout import INVISIBLE, UNSAFE, printable, problem_key
from gitrepo import SAMPLES, GitRepoBuilder
from htmlcheck import check_page

HIDDEN = re.compile(f"{UNSAFE.pattern}|{INVISIBLE.pattern}")

CORPUS = Path(__file__).parent / "corpus"
# cases.yaml holds the file-level cases; cases-<area>.yaml files add those of one area each.
CASES: list[dict[str, Any]] = [
    case
    for part in sorted(CORPUS.glob("cases*.yaml"))
    for case in yaml.safe_load(part.read_text("utf-8")) or []
]

OLD, NEW = "develop-2025-03-23", "develop-2025-03-30"
PACKAGES = ("bc", "cmake")
BC = "_cache/develop/bc/specs.md"
CACHE = "_cache"
DEFAULT_ARGS = ["--repo", "{repo}", "HEAD~1", "HEAD"]
DATES = ("2025-03-23T06:00:00+00:00", "2025-03-30T06:00:00+00:00")
FORMATS = ("text", "markdown", "json")


def sample(name: str) -> bytes:
    tag_dir, package = name.split("/")
    return (SAMPLES / "cache" / tag_dir / package / "specs.md").read_bytes()


def side_files(tag_dir: str) -> dict[str, bytes]:
    return {f"_cache/develop/{p}/specs.md": sample(f"{tag_dir}/{p}") for p in PACKAGES}


# ---- generated files ---------------------------------------------------------------------


def _lines() -> list[bytes]:
    return sample(f"{NEW}/bc").split(b"\n")


def _with_spec_details(value: bytes) -> bytes:
    lines = _lines()
    return b"\n".join([*lines[:5], b"spec_details: " + value, *lines[6:]])


def make_nested() -> bytes:
    return _with_spec_details(b"[" * 100_000 + b"]" * 100_000)


def make_nested_open() -> bytes:
    return _with_spec_details(b"[" * 100_000)


def make_huge() -> bytes:
    """A well-formed file of 50 MB: one spec repeated with distinct hashes."""
    lines = _lines()
    spec = orjson.loads(lines[5][len(b"spec_details: ") :])[0]
    template = orjson.dumps({**spec, "hash": "@" * 32})
    head, tail = template.split(b"@" * 32)
    count = 50_000_000 // len(template) + 1
    specs = b", ".join(head + b"%032d" % i + tail for i in range(count))
    return b"\n".join([*lines[:5], b"spec_details: [" + specs + b"]", *lines[6:]])


def make_big_yaml() -> bytes:
    """2 MB of front matter that only YAML reads (single-quoted strings; spec_details not
    the last line, so that no shortcut takes that line alone as JSON)."""
    lines = _lines()
    spec = lines[5][len(b"spec_details: [") : lines[5].index(b"}, {") + 1].replace(b'"', b"'")
    specs = b"spec_details: [" + b", ".join([spec] * 8000) + b"]"
    return b"\n".join([*lines[:5], specs, b"sitemap: false", b"---"])


def make_nested_yaml() -> bytes:
    """100,000 nested [ ] off the JSON path (spec_details not the last line)."""
    lines = _lines()
    nested = b"spec_details: " + b"[" * 100_000 + b"]" * 100_000
    return b"\n".join([*lines[:5], nested, b"sitemap: false", b"---"])


def make_binary() -> bytes:
    rng = random.Random(6)
    return b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(64 * 1024))


# ---- snapshot files (cases-limits.yaml) ------------------------------------------------------

SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "develop-2025-03-30.json"


def make_snapshot_too_many_specs() -> bytes:
    """A small gzip file whose text holds 4,000,001 "hash" strings: over the spec limit,
    refused before anything is parsed."""
    head = b'{"format":"catalog-diff snapshot","version":1,"x":['
    return gzip.compress(head + b'"hash",' * 4_000_000 + b'"hash"]}', mtime=0)


def make_snapshot_bad_crc() -> bytes:
    packed = bytearray(gzip.compress(SNAPSHOT.read_bytes(), mtime=0))
    packed[-8] ^= 0xFF  # the CRC-32 of the trailer
    return bytes(packed)


def make_snapshot_truncated_gzip() -> bytes:
    packed = gzip.compress(SNAPSHOT.read_bytes(), mtime=0)
    return packed[: len(packed) // 2]


def make_snapshot_bad_package_line() -> bytes:
    """The layout catalog-diff writes, one package line missing a colon."""
    text = SNAPSHOT.read_bytes()
    lines = text.split(b"\n")
    lines[5] = lines[5].replace(b'"name":', b'"name"', 1)
    return b"\n".join(lines)


MAKERS: dict[str, Callable[[], bytes]] = {
    "snapshot-too-many-specs": make_snapshot_too_many_specs,
    "snapshot-bad-crc": make_snapshot_bad_crc,
    "snapshot-truncated-gzip": make_snapshot_truncated_gzip,
    "snapshot-bad-package-line": make_snapshot_bad_package_line,
    "nested": make_nested,
    "nested-open": make_nested_open,
    "nested-yaml": make_nested_yaml,
    "huge": make_huge,
    "big-yaml": make_big_yaml,
    "binary": make_binary,
}


def case_bytes(case: dict[str, Any]) -> bytes | None:
    if case.get("make"):
        return MAKERS[case["make"]]()
    if case.get("file"):
        return (CORPUS / "files" / case["file"]).read_bytes()
    return None


def case_path(case: dict[str, Any]) -> str:
    path: str = case.get("path", BC)
    if case.get("escapes"):  # \xNN and \n written as escapes: raw bytes in the file name
        raw, _ = codecs.escape_decode(path.encode("utf-8"))  # type: ignore[attr-defined]
        path = os.fsdecode(raw)
    return path


def extra_files(case: dict[str, Any]) -> dict[str, bytes]:
    out = {}
    for path, source in (case.get("extra") or {}).items():
        if source.startswith("sample:"):
            out[path] = sample(source.removeprefix("sample:"))
        else:
            out[path] = (CORPUS / "files" / source).read_bytes()
    return out


# ---- building a case -----------------------------------------------------------------------


@dataclass
class Built:
    """Where a case's catalog is and how the command line names its two sides."""

    repo: Path
    args: list[str]  # what follows "diff" (and "lint" takes args[:-2] + [new side])
    old: str  # how the error line names each side's revision
    new: str
    locked: tuple[Path, ...] = ()  # folders made unlistable (mode 000), opened again after


def _two_commits(repo: GitRepoBuilder, case: dict[str, Any], last: Callable[[], None]) -> None:
    data, path, side = case_bytes(case), case_path(case), case.get("side", "new")
    old = side_files(OLD)
    if data is not None and side == "old":
        old[path] = data
    repo.write(old)
    repo.commit("develop 2025-03-23", date=DATES[0])
    new = side_files(NEW)
    if data is not None and side == "new":
        new[path] = data
    if path != BC and side == "old":
        repo.delete([path])
    repo.write(new | extra_files(case))
    last()


# ---- what cannot be read: special files, unlistable folders, links at the top ---------------


def make_special(at: Path, kind: str) -> None:
    """Put something that is no regular file at ``at``: a FIFO, a socket, a character
    device (a copy of /dev/null's numbers), a folder, or a folder nobody may list."""
    at.parent.mkdir(parents=True, exist_ok=True)
    if at.is_file():
        at.unlink()
    if kind == "fifo":
        os.mkfifo(at)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(at))
    elif kind == "device":
        os.mknod(at, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    elif kind == "folder":
        at.mkdir()
        (at / "inside.md").write_bytes(sample(f"{NEW}/bc"))
    else:
        assert kind == "locked", kind
        at.mkdir(exist_ok=True)
        at.chmod(0)


def build_directories(case: dict[str, Any], tmp: Path) -> Built:
    """Two directories (no git): both sides' files, ``both`` on each side, then
    ``special`` ({path: kind}, see make_special) on the new side."""
    old, new = tmp / "old", tmp / "new"
    both = extra_files({"extra": case.get("both") or {}})
    for root, files in ((old, side_files(OLD)), (new, side_files(NEW))):
        for rel, data in (files | both).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
    for folder in case.get("empty_folders", []):
        (new / folder).mkdir(parents=True)
    locked = []
    for rel, kind in (case.get("special") or {}).items():
        make_special(new / rel, kind)
        if kind == "locked":
            locked.append(new / rel)
    if case.get("cache_link"):  # _cache itself a symbolic link to a real catalog
        (new / "real").mkdir()
        (new / CACHE).rename(new / "real" / CACHE)
        (new / CACHE).symlink_to(new / "real" / CACHE)
    return Built(new, [str(old), str(new)], str(old), str(new), tuple(locked))


def build_top_link(case: dict[str, Any], tmp: Path) -> Built:
    """A repository whose new commit turns ``at`` (``_cache`` or a tag folder, which
    the old commit has) into a symbolic link or a submodule."""
    repo = GitRepoBuilder(tmp / "catalog")
    at, kind = case["at"], case["kind"]
    files = side_files(OLD) | extra_files({"extra": case.get("both") or {}})
    repo.write(files)
    repo.commit("develop 2025-03-23", date=DATES[0])
    repo.write(side_files(NEW))
    moved = {rel for rel in files if rel.startswith(f"{at}/")}
    elsewhere = {rel.replace(at, "moved", 1): (repo.path / rel).read_bytes() for rel in moved}
    repo.delete(moved)
    repo.write(elsewhere)
    if kind == "symlink":
        shutil.rmtree(repo.path / at)
        repo.symlink(at, os.path.relpath(repo.path / "moved", (repo.path / at).parent))
        repo.commit("develop 2025-03-30", date=DATES[1])
    else:
        shutil.rmtree(repo.path / at)
        repo.git("add", "-A", date=DATES[1])
        repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},{at}")
        repo.git("commit", "-q", "--no-verify", "-m", "gitlink", date=DATES[1])
    return Built(repo.path, _args(DEFAULT_ARGS, repo.path, tmp), "HEAD~1", "HEAD")


def build_snapshot_side(case: dict[str, Any], tmp: Path) -> Built:
    """The new side is a snapshot file saved by ``catalog-diff snapshot`` from a commit
    where ``at`` is a symbolic link: saved whole with its problems, and exit 3."""
    inner = build_top_link(case, tmp) if case.get("kind") else None
    if inner is None:
        repo = GitRepoBuilder(tmp / "catalog")
        _two_commits(repo, case, lambda: _link_and_commit(repo, case))
        inner = Built(repo.path, [], "HEAD~1", "HEAD")
    saved = tmp / "new-snapshot.json"
    code, _, err = run(["snapshot", "--repo", str(inner.repo), "HEAD", "-o", str(saved)], None, tmp)
    assert code == 3 and saved.is_file(), (code, err)
    one_error_line(err.splitlines()[-1] + "\n")
    doc = json.loads(saved.read_bytes())
    assert doc["problems"] and (doc.get("broken") or doc.get("unlisted_tags")), doc["problems"]
    args = ["--repo", str(inner.repo), "HEAD~1", str(saved)]
    return Built(inner.repo, args, "HEAD~1", str(saved))


def _link_and_commit(repo: GitRepoBuilder, case: dict[str, Any]) -> None:
    at = case.get("at", BC)
    if at == "_cache/develop/bc":  # the folder itself becomes the link
        repo.delete([BC])
        (repo.path / at).rmdir()
    repo.symlink(at, case["target"])
    repo.commit("develop 2025-03-30", date=DATES[1])


def build_tree_at_file(case: dict[str, Any], tmp: Path) -> Built:
    """A commit where bc's specs.md is a folder (git: a tree) holding a real file."""
    repo = GitRepoBuilder(tmp / "catalog")

    def tree_and_commit() -> None:
        repo.delete([BC])
        repo.write({f"{BC}/specs.md": sample(f"{NEW}/bc")})
        repo.commit("develop 2025-03-30", date=DATES[1])

    _two_commits(repo, case, tree_and_commit)
    return Built(repo.path, _args(DEFAULT_ARGS, repo.path, tmp), "HEAD~1", "HEAD")


def build_snapshot_file(case: dict[str, Any], tmp: Path) -> Built:
    """The old side a real snapshot file, the new side the case's bytes as `name`."""
    tmp.mkdir(parents=True, exist_ok=True)
    old, new = tmp / "old.json", tmp / case.get("name", "new.json")
    old.write_bytes(SNAPSHOT.read_bytes())
    new.write_bytes(case_bytes(case) or b"")
    return Built(tmp, [str(old), str(new)], str(old), str(new))


def build(case: dict[str, Any], tmp: Path) -> Built:
    setup = case.get("setup")
    if setup == "special":
        return build_directories(case, tmp)
    if setup == "top-link":
        return build_top_link(case, tmp)
    if setup == "snapshot-side":
        return build_snapshot_side(case, tmp)
    if setup == "tree-at-file":
        return build_tree_at_file(case, tmp)
    if setup == "snapshot-file":
        return build_snapshot_file(case, tmp)
    default = ["--repo", "{repo}", "HEAD~1", "HEAD"]
    repo = GitRepoBuilder(tmp / (case.get("name") or "catalog"))

    def commit() -> None:
        repo.commit("develop 2025-03-30", date=DATES[1])

    if setup == "empty-repository":
        pass
    elif setup == "directories":
        old, new = tmp / "old", tmp / "new"
        for root, files in ((old, side_files(OLD)), (new, side_files(NEW))):
            for rel, data in files.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_bytes(data)
        for folder in case.get("empty_folders", []):
            (new / folder).mkdir(parents=True)
        return Built(new, [str(old), str(new)], str(old), str(new))
    elif setup == "symlink":
        _two_commits(repo, case, lambda: _link_and_commit(repo, case))
    elif setup == "submodule":

        def gitlink_and_commit() -> None:
            if case["at"] == BC:
                repo.delete([BC])
            repo.git("add", "-A", date=DATES[1])
            repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},{case['at']}")
            repo.git("commit", "-q", "--no-verify", "-m", "gitlink", date=DATES[1])

        _two_commits(repo, case, gitlink_and_commit)
    elif setup == "cache-missing":

        def drop_cache() -> None:
            repo.delete(side_files(NEW))
            repo.write({"README.md": b"# the catalog moved\n"})
            commit()

        _two_commits(repo, case, drop_cache)
    elif setup == "shadow":

        def shadow_and_commit() -> None:
            repo.write(shadow_files(case, repo))
            commit()

        _two_commits(repo, case, shadow_and_commit)
        args = _args(case.get("args", default), repo.path, tmp)
        old_sha = repo.rev_parse("HEAD~1")
        return Built(repo.path, [a.replace("{old}", old_sha) for a in args], "HEAD~1", "HEAD")
    elif setup is not None and setup.startswith("index-"):
        _two_commits(repo, case, commit)
        index_setup(setup, case, repo, tmp)
    elif setup == "shallow-clone":
        _two_commits(repo, case, commit)
        clone = tmp / "shallow"
        subprocess.run(
            ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone)],
            env=repo.env(),
            check=True,
            capture_output=True,
            timeout=300,
        )
        assert (clone / ".git" / "shallow").is_file()
        return Built(clone, _args(default, clone, tmp), "HEAD~1", "HEAD")
    elif setup in GIT_SETUPS:
        _two_commits(repo, case, commit)
        where = GIT_SETUPS[setup](repo, case, tmp)
        return Built(where, _args(case.get("args", default), where, tmp), "HEAD~1", "HEAD")
    elif setup in REVISIONS:
        _two_commits(repo, case, commit)
        args = ["--repo", str(repo.path), REVISIONS[setup], "HEAD"]
        return Built(repo.path, args, REVISIONS[setup], "HEAD")
    else:
        assert setup in (None, "repo-name"), setup
        _two_commits(repo, case, commit)
    return Built(repo.path, _args(case.get("args", default), repo.path, tmp), "HEAD~1", "HEAD")


def shadow_files(case: dict[str, Any], repo: GitRepoBuilder) -> dict[str, bytes]:
    """Files named like a revision, committed at the repository's top, each standing for
    the old side: a snapshot file of HEAD (the old commit, when this runs), or with
    ``shadow_dir``, a folder holding a copy of its catalog. ``{old}`` in a name is the old
    commit's SHA."""
    from catalog_diff.api import snapshot
    from catalog_diff.sources.snapshotfile import dumps

    old = repo.rev_parse("HEAD")
    files: dict[str, bytes] = {}
    for name in case["shadow"]:
        name = name.replace("{old}", old)
        if case.get("shadow_dir"):
            files |= {f"{name}/{rel}": data for rel, data in side_files(OLD).items()}
        else:
            files[name] = dumps(snapshot("rev:HEAD", repo=str(repo.path)))
    return files


# ---- repositories that git reads differently (test_gitsafe.py has the full checks) ---------


def hostile_config(repo: GitRepoBuilder, case: dict[str, Any], tmp: Path) -> Path:
    """The repository's configuration names a program wherever git could run one; each
    would leave a file PWNED in the case's folder."""
    program = tmp / "payload.sh"
    program.write_text(f'#!/bin/sh\ntouch "{tmp}/PWNED"\nexit 1\n')
    program.chmod(0o755)
    hooks = tmp / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "reference-transaction", "post-index-change", "pre-auto-gc"):
        (hooks / hook).symlink_to(program)
    for key in (
        "core.fsmonitor",
        "core.pager",
        "diff.external",
        "gpg.program",
        "core.sshCommand",
        "credential.helper",
        "diff.payload.textconv",
        "filter.payload.clean",
        "filter.payload.smudge",
    ):
        repo.git("config", key, str(program))
    repo.git("config", "core.hooksPath", str(hooks))
    repo.git("config", "log.showSignature", "true")
    (repo.path / ".git" / "info" / "attributes").write_text("* diff=payload filter=payload\n")
    return repo.path


def partial_clone(repo: GitRepoBuilder, case: dict[str, Any], tmp: Path) -> Path:
    """A ``--filter=blob:none`` clone holding every blob but the one at ``path`` on the
    new side (fetched while the clone is made; catalog-diff itself never fetches)."""
    repo.git("config", "uploadpack.allowFilter", "true")
    clone = tmp / "partial"
    subprocess.run(
        ["git", "clone", "-q", "--filter=blob:none", "--no-checkout", f"file://{repo.path}", clone],
        env=repo.env(),
        check=True,
        capture_output=True,
        timeout=120,
    )
    lacking = repo.rev_parse(f"HEAD:{case_path(case)}")
    for rev in ("HEAD~1", "HEAD"):
        for path in side_files(NEW):
            oid = repo.rev_parse(f"{rev}:{path}")
            if oid != lacking:
                subprocess.run(
                    ["git", "cat-file", "blob", oid],
                    cwd=clone,
                    env=repo.env(),
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
    return clone


def _corrupt(repo: GitRepoBuilder, oid: str) -> None:
    loose = repo.path / ".git" / "objects" / oid[:2] / oid[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not zlib")


def corrupt_commit(repo: GitRepoBuilder, case: dict[str, Any], tmp: Path) -> Path:
    _corrupt(repo, repo.rev_parse("HEAD"))
    return repo.path


def corrupt_blob(repo: GitRepoBuilder, case: dict[str, Any], tmp: Path) -> Path:
    _corrupt(repo, repo.rev_parse(f"HEAD:{case_path(case)}"))
    return repo.path


def corrupt_pack(repo: GitRepoBuilder, case: dict[str, Any], tmp: Path) -> Path:
    """Every object packed, then the second half of the pack's data inverted."""
    repo.git("repack", "-adq")
    [pack] = (repo.path / ".git" / "objects" / "pack").glob("*.pack")
    data = bytearray(pack.read_bytes())
    for i in range(len(data) // 2, len(data) - 20):
        data[i] ^= 0xFF
    pack.chmod(0o644)
    pack.write_bytes(bytes(data))
    return repo.path


def sha256_repository(repo: GitRepoBuilder, case: dict[str, Any], tmp: Path) -> Path:
    """The same two commits in a repository of SHA-256 object ids."""
    twin = GitRepoBuilder(tmp / "sha256", object_format="sha256")
    _two_commits(twin, case, lambda: twin.commit("develop 2025-03-30", date=DATES[1]))
    return twin.path


GIT_SETUPS: dict[str, Callable[[GitRepoBuilder, dict[str, Any], Path], Path]] = {
    "hostile-config": hostile_config,
    "partial-clone": partial_clone,
    "corrupt-commit": corrupt_commit,
    "corrupt-blob": corrupt_blob,
    "corrupt-pack": corrupt_pack,
    "sha256": sha256_repository,
}

#: Old-side revisions too odd to write in the manifest.
REVISIONS = {
    "revision-100kb": "HEAD" * 25_600,
    "revision-not-utf8": os.fsdecode(b"ma\xffin\xfe"),
}


# ---- history-index cases (cases-index.yaml): the index file at {tmp}/index.sqlite --------


def _build_index(repo: Path, index: Path) -> None:
    result = CliRunner().invoke(main, ["index", "-q", "--repo", str(repo), "--index", str(index)])
    assert result.exit_code == 0, result.stderr


def index_setup(setup: str, case: dict[str, Any], repo: GitRepoBuilder, tmp: Path) -> None:
    """Make the index file of an index case go wrong as ``setup`` says."""
    index = tmp / "index.sqlite"
    if setup == "index-foreign":  # a database of another program, any user_version
        conn = sqlite3.connect(index)
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute(f"PRAGMA user_version = {int(case['user_version'])}")
        conn.commit()
        conn.close()
    elif setup == "index-not-a-database":
        index.write_bytes(b"not a database at all\n" * 64)
    elif setup == "index-directory":
        index.mkdir()
    elif setup == "index-damaged":  # the root page of package_spans overwritten
        _build_index(repo.path, index)
        conn = sqlite3.connect(index)
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'package_spans'")
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.close()
        with index.open("r+b") as file:
            file.seek((root[0] - 1) * size)
            file.write(b"\xff" * size)
    elif setup == "index-other-repository":  # built for a copy of the repository
        other = tmp / "copy"
        shutil.copytree(repo.path, other)
        _build_index(other, index)
    elif setup == "index-rewritten":  # built, then the last commit amended
        _build_index(repo.path, index)
        repo.git("commit", "-q", "--amend", "-m", "amended", date=DATES[1])
    elif setup == "index-side-branch":  # built on HEAD; branch side leaves it at HEAD~1
        _build_index(repo.path, index)
        repo.git("checkout", "-q", "-b", "side", "HEAD~1")
        repo.write({"README.md": b"a side branch\n"})
        repo.commit("side", date=DATES[1])
        repo.git("checkout", "-q", "main")
    elif setup == "index-built":  # nothing wrong with the file (the arguments are)
        _build_index(repo.path, index)
    else:
        assert setup == "index-fresh", setup


def _args(template: list[str], repo: Path, tmp: Path) -> list[str]:
    return [a.replace("{repo}", str(repo)).replace("{tmp}", str(tmp)) for a in template]


# ---- running the command line --------------------------------------------------------------


#: Linux capabilities that let root read and list whatever the mode bits say.
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2
_PR_CAPBSET_DROP = 24


def _without_dac_override() -> None:
    """In the child, before exec: drop the capabilities that let root ignore mode bits
    (from the bounding set: exec then grants root the rest only), so that a folder of
    mode 000 is as unlistable to root as to anyone."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run(args: list[str], via: str | None, cwd: Path) -> tuple[int, str, str]:
    if via in ("subprocess", "unprivileged"):
        done = subprocess.run(
            [sys.executable, "-m", "catalog_diff", *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            timeout=300,
            env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            preexec_fn=(
                _without_dac_override if via == "unprivileged" and os.geteuid() == 0 else None
            ),
        )
        # Both streams must be valid UTF-8, whatever the input held.
        return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def text_block(report: str, head: str) -> str:
    """The lines of a package's section of a text report (up to the next blank line)."""
    lines = report.splitlines()
    start = lines.index(head)
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


def markdown_block(report: str, head: str) -> str:
    """A package's section of a Markdown report (up to the next heading)."""
    lines = report.splitlines()
    start = lines.index(head)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return "\n".join(lines[start:end])


def outside_code(line: str) -> str:
    """A Markdown line without its code spans."""
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", line)


def entry(report: dict[str, Any], name: str, tag: str = "develop") -> dict[str, Any] | None:
    found = [p for p in report["packages"] if (p["tag"], p["name"]) == (tag, name)]
    assert len(found) <= 1
    return found[0] if found else None


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The reports of the clean pair (no bad file), to hold each case's report against."""
    tmp = tmp_path_factory.mktemp("clean")
    built = build({"id": "clean"}, tmp)
    out = {}
    for fmt in FORMATS:
        code, report, err = run(["diff", "--format", fmt, *built.args], None, tmp)
        assert (code, err) == (0, ""), err
        out[fmt] = report
    data = json.loads(out["json"])
    return {
        "cmake": entry(data, "cmake"),
        "bc": entry(data, "bc"),
        "text": text_block(out["text"], "develop/cmake  changed"),
        "markdown": markdown_block(out["markdown"], "### `develop/cmake` changed"),
    }


def one_error_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("catalog-diff: error: "), err
    assert "Traceback" not in err
    return err


def assert_clean_output(text: str) -> None:
    """No control character (but newlines), no traceback, whatever the input held."""
    assert "Traceback" not in text
    assert not UNSAFE.search(text.replace("\n", "")), [c for c in text if UNSAFE.match(c)][:5]


# ---- the corpus ----------------------------------------------------------------------------


def test_the_corpus_is_large_and_well_formed() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)) >= 80
    for case in CASES:
        expect = case["expect"]
        assert expect["outcome"] in ("problem", "ok", "fatal", "usage"), case["id"]
        assert case.get("what"), case["id"]
        if expect["outcome"] != "ok":
            assert expect.get("message"), case["id"]
        if case.get("file"):
            assert (CORPUS / "files" / case["file"]).is_file(), case["id"]
    used = {case["file"] for case in CASES if case.get("file")}
    used |= {s for case in CASES for s in (case.get("extra") or {}).values()}
    assert {p.name for p in (CORPUS / "files").iterdir()} <= used


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case(
    case: dict[str, Any],
    reference: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # where an executed payload or an option would write
    built = build(case, tmp_path / "case")
    if case.get("cwd"):  # run from the repository's top, or from inside its .git
        monkeypatch.chdir(built.repo / {"repo": ".", "git-dir": ".git"}[case["cwd"]])
    for folder in built.locked:  # opened again for the clean-up, whatever happens
        request.addfinalizer(lambda folder=folder: folder.chmod(0o755))
    expect = case["expect"]
    via = case.get("via")
    reports = {}
    command = case.get("command", ["diff"])  # index cases: log, history, when or index
    for fmt in FORMATS if command != ["index"] else ["text"]:
        formats = ["--format", fmt] if command != ["index"] else []
        code, out, err = run([*command, *formats, *built.args], via, work)
        assert_clean_output(out)
        assert_clean_output(err)
        reports[fmt] = (code, out, err)
    if expect["outcome"] in ("fatal", "usage"):
        check_fatal(case, built, reports)
    else:
        check_report(case, built, reports, reference)
    if command == ["diff"]:
        check_strict(case, built, reports)
        check_html(case, built, reports, work)
    if "lint" in expect:
        check_lint(case, built)
    assert list(work.iterdir()) == [], "something was written where it must not be"
    assert not list(tmp_path.rglob("PWNED")) and not Path("PWNED").exists()
    assert not (tmp_path / "case" / "x").exists()


def check_fatal(case: dict[str, Any], built: Built, reports: dict[str, Any]) -> None:
    expect = case["expect"]
    want = 2 if expect["outcome"] == "usage" else 3
    for fmt, (code, out, err) in reports.items():
        assert (code, out) == (want, ""), (fmt, code, err)
        one_error_line(err)
        assert expect["message"] in err, err
        assert expect.get("revision", "") in err


def check_report(
    case: dict[str, Any], built: Built, reports: dict[str, Any], reference: dict[str, Any]
) -> None:
    expect = case["expect"]
    problem = expect["outcome"] == "problem"
    shown = expect.get("shown", case_path(case))
    revision = built.old if case.get("side") == "old" else built.new
    for fmt, (code, out, err) in reports.items():
        if problem:
            assert code == 3, (fmt, code, err)
            one_error_line(err)
            side = case.get("side", "new")
            head = f"catalog-diff: error: {side} {revision}: {shown}: {expect['message']}"
            assert err.startswith(head), (err, head)
            # Listed under problems, in every format.
            paths = [p["path"] for p in json.loads(out)["problems"]] if fmt == "json" else out
            assert shown in paths, fmt
        else:
            assert code == 0, (fmt, code, err)
            # Nothing but warnings (a meta that disagrees with its specs, say).
            assert all(line.startswith("catalog-diff: warning: ") for line in err.splitlines())
    text, markdown, data = (reports[f][1] for f in FORMATS)
    data = json.loads(data)
    # The neighbour's change is reported exactly as without the bad file.
    assert entry(data, "cmake") == reference["cmake"]
    assert reference["text"] in text
    assert reference["markdown"] in markdown
    key = problem_key(shown) if problem else None
    if problem:
        assert [p["path"] for p in data["problems"]] == [shown], data["problems"]
        assert data["problems"][0]["message"].startswith(expect["message"])
        assert data["summary"]["problems"] == 1
        if key is not None:
            found = entry(data, key[1], key[0])
            assert found is None, "a broken package is neither added nor removed"
    else:
        assert data["problems"] == []
    bc = expect.get("bc")
    if bc == "same" or (problem and key != ("develop", "bc")):
        assert entry(data, "bc") == reference["bc"]
    elif isinstance(bc, dict):
        found = entry(data, "bc")
        assert found is not None and found["status"] == bc["status"]
        for kind in ("added", "removed"):
            if kind in bc:
                assert len(found["specs"][kind]) == bc[kind]
    for name, status in (expect.get("packages") or {}).items():
        found = entry(data, name)
        assert found is not None and found["status"] == status, name
        # Shown with the visible substitutions (names.printable) in text and Markdown.
        seen = printable(name)
        assert f"develop/{seen}" in text
        assert seen in markdown or seen.replace("|", "\\|") in markdown
        assert not HIDDEN.search(text.replace("\n", "") + markdown.replace("\n", ""))
        for line in markdown.splitlines():
            rest = outside_code(line)
            assert "<script" not in rest and "<img" not in rest, line
    for tag in expect.get("tags_added", []):
        assert tag in [t["tag"] for t in data["tags"]["added"]]
        assert tag in text
    if "tags_removed" in expect:  # exactly these (an unreadable tag folder is none of them)
        assert [t["tag"] for t in data["tags"]["removed"]] == expect["tags_removed"]
        assert [t["tag"] for t in data["tags"]["added"]] == expect.get("tags_added", [])


def check_html(case: dict[str, Any], built: Built, reports: dict[str, Any], work: Path) -> None:
    """The HTML report: the JSON report's outcome, the page's rules kept (no element or
    attribute from an input, no link out), the bad file and every odd name shown as
    text."""
    code, out, err = run(["diff", "--format", "html", *built.args], case.get("via"), work)
    assert (code, err) == reports["json"][0::2], (code, err)
    expect = case["expect"]
    if expect["outcome"] in ("fatal", "usage"):
        assert out == ""
        return
    assert_clean_output(out)
    text = check_page(out).all_text
    if expect["outcome"] == "problem":
        assert expect.get("shown", case_path(case)) in text
    for name in expect.get("packages") or {}:
        assert f"develop/{printable(name)}" in text


def check_strict(case: dict[str, Any], built: Built, reports: dict[str, Any]) -> None:
    """--strict: any problem is fatal (the same line, no report); else nothing changes."""
    code, out, err = run(
        ["diff", "--format", "json", "--strict", *built.args], case.get("via"), Path.cwd()
    )
    before = reports["json"]
    if case["expect"]["outcome"] == "ok":
        assert (code, out, err) == before
        return
    assert (code, out) == (2 if case["expect"]["outcome"] == "usage" else 3, "")
    assert one_error_line(err) == before[2] or case["expect"]["outcome"] in ("fatal", "usage")


def check_lint(case: dict[str, Any], built: Built) -> None:
    """What ``lint`` finds at the new side; its exit code follows from the findings."""
    expected = set(case["expect"]["lint"])
    args = [*built.args[:-2], built.args[-1]] if "--repo" in built.args else [built.args[-1]]
    code, out, err = run(["lint", "--format", "json", *args], case.get("via"), Path.cwd())
    assert_clean_output(out)
    found = {f["code"] for f in json.loads(out)["findings"]}
    assert found == expected, json.loads(out)["findings"]
    want = 3 if "unreadable-file" in expected else 1 if expected else 0
    assert code == want, err
    if want == 3:
        one_error_line(err)
