"""The history tests' catalog, and answers computed without the history index.

:func:`build_history` makes a real git repository of twelve commits from the real samples
(see ``STEPS``). :class:`Truth` reads each of its commits straight from git with
:func:`catalog_diff.api.snapshot` and derives what ``log``, ``history`` and ``when`` must
answer, commit by commit, so the index's answers can be checked against it. :func:`dump`
reads every table of an index file, for comparing two builds.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import pathname2url

from catalog_diff import api
from catalog_diff.compare.pairing import compare, compare_packages
from catalog_diff.model.snapshot import Snapshot, SourceInfo, SourceKind, Spec
from catalog_diff.render.json import package_entry, to_dict
from gitrepo import SAMPLES, GitRepoBuilder

OLD_WEEK = "develop-2025-03-23"
NEW_WEEK = "develop-2025-03-30"
WEEKLY_TAG = "develop-2025-03-30"

#: The develop packages of the first commit (taken from the 2025-03-23 snapshot).
DEVELOP = (
    "adol-c",
    "bc",
    "cairo",
    "ccache",
    "chapel",
    "cuda",
    "gcc",
    "gotcha",
    "hdf5",
    "kokkos",
    "libcatalyst",
    "qt",
    "zlib-ng",
)
#: The v0.23.0 packages of the first commit.
RELEASE = ("bc", "cairo", "cuda", "gotcha", "libquo", "zfp")


def sample(tag_dir: str, package: str) -> bytes:
    return (SAMPLES / "cache" / tag_dir / package / "specs.md").read_bytes()


def retag(data: bytes, tag: str) -> bytes:
    """The same file with its ``categories`` line naming ``tag`` (what a frozen copy does)."""
    new, count = re.subn(
        rb"(?m)^categories: \[package, [^\]\n]*\]$", f"categories: [package, {tag}]".encode(), data
    )
    assert count == 1, data[:200]
    return new


def develop_file(tag_dir: str, package: str) -> bytes:
    return retag(sample(tag_dir, package), "develop")


def reformat(data: bytes, swap_lines: bool) -> bytes:
    """The same specs written differently: keys and lists in reverse order, ``@=`` as ``@``.

    With ``swap_lines`` the ``spec_details`` line also comes before ``meta``, so that it is
    no longer the last line of the front matter.
    """
    lines = data.decode("utf-8").split("\n")
    out = []
    for line in lines:
        key, sep, value = line.partition(": ")
        if sep and key == "meta":
            meta = json.loads(value)
            line = "meta: " + json.dumps(dict(reversed(meta.items())))
        elif sep and key == "spec_details":
            specs = []
            for spec in reversed(json.loads(value)):
                spec["compiler"] = spec["compiler"].replace("@=", "@")
                spec["stacks"] = list(reversed(spec["stacks"]))
                spec["variants"] = list(reversed(spec["variants"]))
                specs.append(dict(reversed(spec.items())))
            line = "spec_details: " + json.dumps(specs, separators=(",", ":"))
        out.append(line)
    if swap_lines:
        i = next(n for n, line in enumerate(out) if line.startswith("meta: "))
        j = next(n for n, line in enumerate(out) if line.startswith("spec_details: "))
        out[i], out[j] = out[j], out[i]
    new = "\n".join(out).encode("utf-8")
    assert new != data
    return new


def develop_path(package: str, tag: str = "develop") -> str:
    return f"_cache/{tag}/{package}/specs.md"


@dataclass(frozen=True)
class Step:
    """One commit of the test history: files written, files deleted."""

    subject: str
    date: str
    write: Callable[[GitRepoBuilder], dict[str, bytes]] = lambda repo: {}
    delete: Callable[[GitRepoBuilder], list[str]] = lambda repo: []


def _first(repo: GitRepoBuilder) -> dict[str, bytes]:
    files = {develop_path(p): develop_file(OLD_WEEK, p) for p in DEVELOP}
    files.update({develop_path(p, "v0.23.0"): sample("v0.23.0", p) for p in RELEASE})
    return files


def _weekly(repo: GitRepoBuilder) -> dict[str, bytes]:
    folder = repo.path / "_cache" / "develop"
    return {
        develop_path(p.name, WEEKLY_TAG): retag((p / "specs.md").read_bytes(), WEEKLY_TAG)
        for p in sorted(folder.iterdir())
        if (p / "specs.md").is_file()
    }


def _reformatted(repo: GitRepoBuilder) -> dict[str, bytes]:
    bc = (repo.path / develop_path("bc")).read_bytes()
    adol = (repo.path / develop_path("adol-c")).read_bytes()
    return {develop_path("bc"): reformat(bc, True), develop_path("adol-c"): reformat(adol, False)}


def _truncated(repo: GitRepoBuilder) -> dict[str, bytes]:
    data = (repo.path / develop_path("gotcha")).read_bytes()
    return {develop_path("gotcha"): data[: len(data) * 2 // 3]}


def _newer(*packages: str) -> Callable[[GitRepoBuilder], dict[str, bytes]]:
    return lambda repo: {develop_path(p): develop_file(NEW_WEEK, p) for p in packages}


def _weekly_paths(repo: GitRepoBuilder) -> list[str]:
    folder = repo.path / "_cache" / WEEKLY_TAG
    return [
        develop_path(p.name, WEEKLY_TAG)
        for p in sorted(folder.iterdir())
        if (p / "specs.md").is_file()
    ]


#: The history: every kind of change the index has to follow, each commit on its own date.
#: C2 and C3 fall on the same UTC day (2025-04-02 and 2025-04-03 at +02:00 are both
#: before the end of 2025-04-03 UTC), to test bare dates.
STEPS: tuple[Step, ...] = (
    Step("catalog: develop and v0.23.0", "2025-04-01T06:00:00+00:00", _first),
    Step(
        "develop: gcc, hdf5, libcatalyst rebuilt",
        "2025-04-02T06:00:00+00:00",
        _newer("gcc", "hdf5", "libcatalyst"),
    ),
    Step("develop: add sensei", "2025-04-02T23:30:00+00:00", _newer("sensei")),
    Step(
        "develop: remove ccache",
        "2025-04-04T00:30:00+02:00",
        delete=lambda repo: [develop_path("ccache")],
    ),
    Step(f"tag {WEEKLY_TAG}", "2025-04-05T06:00:00+00:00", _weekly),
    Step("develop: bc and adol-c rewritten, same specs", "2025-04-06T06:00:00+00:00", _reformatted),
    Step(
        "docs: README",
        "2025-04-07T06:00:00+00:00",
        lambda repo: {"README.md": b"The Spack build cache catalog.\n"},
    ),
    Step("develop: gotcha (truncated upload)", "2025-04-08T06:00:00+00:00", _truncated),
    Step("develop: gotcha fixed", "2025-04-09T06:00:00+00:00", _newer("gotcha")),
    Step(
        "develop: ccache back; kokkos and qt rebuilt",
        "2025-04-10T06:00:00+00:00",
        _newer("ccache", "kokkos", "qt"),
    ),
    Step(
        "v0.23.0: drop libquo; develop: cuda rebuilt",
        "2025-04-11T06:00:00+00:00",
        _newer("cuda"),
        lambda repo: [develop_path("libquo", "v0.23.0")],
    ),
    Step(f"remove {WEEKLY_TAG}", "2025-04-12T06:00:00+00:00", delete=_weekly_paths),
)


def build_history(path: Path) -> tuple[GitRepoBuilder, list[str]]:
    """The repository of :data:`STEPS`; its commit SHAs, oldest first."""
    repo = GitRepoBuilder(path)
    shas = []
    for step in STEPS:
        repo.write(step.write(repo))
        repo.delete(step.delete(repo))
        shas.append(repo.commit(step.subject, date=step.date))
    return repo, shas


# ---- answers computed from the commits ---------------------------------------------------


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    date: str  # committer date, strict ISO 8601, as git prints it
    timestamp: int
    subject: str


def git_commits(repo: Path) -> list[CommitInfo]:
    """First-parent history of HEAD, oldest first, as git itself reports it."""
    out = subprocess.run(
        [
            "git",
            "-C",
            str(repo),
            "log",
            "--first-parent",
            "--reverse",
            "--format=%H%x00%cI%x00%ct%x00%s",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    rows = [line.split("\x00") for line in out.splitlines()]
    return [CommitInfo(sha, date, int(stamp), subject) for sha, date, stamp, subject in rows]


def blob_ids(repo: Path, sha: str) -> dict[str, str]:
    """``{path: blob id}`` of every file below ``_cache/`` at a commit."""
    out = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "-z", sha, "--", "_cache"],
        capture_output=True,
        check=True,
        timeout=300,
    ).stdout
    ids = {}
    for entry in out.split(b"\x00"):
        if entry:
            meta, _, path = entry.partition(b"\t")
            ids[path.decode()] = meta.split()[2].decode()
    return ids


def matches(kind: str, value: str, spec: Spec) -> bool:
    """What ``when --<kind> <value>`` looks for, written out here (not taken from the code)."""
    if kind == "target":
        return spec.target == value
    if kind == "stack":
        return value in spec.stacks
    if kind == "compiler":
        return spec.compiler == value.replace("@=", "@")
    if kind == "version":
        return value in spec.versions
    if kind == "hash":
        return spec.hash.startswith(value.lstrip("/"))
    raise ValueError(kind)


def empty_snapshot() -> Snapshot:
    return Snapshot(
        info=SourceInfo(kind=SourceKind.GIT, source="(nothing)"), packages={}, tags=frozenset()
    )


@dataclass
class Truth:
    """Every commit of a repository, read straight from git (no index)."""

    repo: Path
    commits: list[CommitInfo]
    snapshots: list[Snapshot]
    blobs: list[dict[str, str]]

    @classmethod
    def read(cls, repo: Path) -> Truth:
        commits = git_commits(repo)
        snaps = [api.snapshot(c.sha, repo=str(repo)) for c in commits]
        return cls(repo, commits, snaps, [blob_ids(repo, c.sha) for c in commits])

    def packages(self) -> set[tuple[str, str]]:
        """Every (tag, package) seen at some commit, readable or not."""
        keys: set[tuple[str, str]] = set()
        for snap in self.snapshots:
            keys |= set(snap.packages) | set(snap.broken)
        return keys

    # ---- when ------------------------------------------------------------------------

    def presence(self, package: str, tag: str, kind: str, value: str) -> list[bool]:
        """Per commit: is ``kind`` = ``value`` in the package (a broken file: no)."""
        out = []
        for snap in self.snapshots:
            found = snap.packages.get((tag, package))
            out.append(found is not None and any(matches(kind, value, s) for s in found.specs))
        return out

    def broken_at(self, package: str, tag: str) -> list[int]:
        """The commits at which the package's file could not be read."""
        return [i for i, s in enumerate(self.snapshots) if (tag, package) in s.broken]

    def when_json(self, package: str, tag: str, kind: str, value: str) -> dict[str, Any]:
        """What ``when --format json --transient-window 1`` must print, except
        ``problems`` (see broken_at): the raw view, every absence ending a presence (no
        absence in :data:`STEPS` is one commit long, so none is bridged)."""
        present = self.presence(package, tag, kind, value)
        runs: list[list[int]] = []
        for i, here in enumerate(present):
            if not here:
                continue
            if runs and runs[-1][1] == i - 1:
                runs[-1][1] = i
            else:
                runs.append([i, i])
        intervals = [{"first": self.ref(a), "last": self.ref(b)} for a, b in runs]
        return {
            "schema_version": 1,
            "package": package,
            "tag": tag,
            "query": {kind: value},
            "transient_gaps": [],
            "first_seen": intervals[0]["first"] if intervals else None,
            "last_seen": intervals[-1]["last"] if intervals else None,
            # Unknown when the package's file at the end could not be read.
            "present_at_end": (
                None
                if self.broken_at(package, tag)[-1:] == [len(self.commits) - 1]
                else bool(present) and present[-1]
            ),
            "intervals": intervals,
            "end": self.ref(len(self.commits) - 1),  # HEAD: the revision asked by default
            "indexed_from": None,
        }

    def ref(self, i: int) -> dict[str, str]:
        c = self.commits[i]
        return {"commit": c.sha, "date": c.date, "subject": c.subject}

    # ---- history ---------------------------------------------------------------------

    def history_events(self, package: str, tag: str | None = None) -> list[tuple[int, str, Any]]:
        """``(commit number, tag, change or problem path)`` for every commit that changed
        the package, oldest first and by tag: a readable change is a PackageChange, and a
        change of the file while it (before or after) could not be read is a problem."""
        tags = sorted({t for t, p in self.packages() if p == package and tag in (None, t)})
        events = []
        # The last readable content before an unreadable stretch: once the file is readable
        # again, the change is told against it.
        good: dict[str, Any] = dict.fromkeys(tags)
        for i, snap in enumerate(self.snapshots):
            before = self.snapshots[i - 1] if i else empty_snapshot()
            for t in tags:
                key = (t, package)
                path = f"_cache/{t}/{package}/specs.md"
                if key not in before.packages and key not in before.broken:
                    good[t] = None
                changed_file = self.blobs[i].get(path) != (
                    self.blobs[i - 1].get(path) if i else None
                )
                if key in snap.broken or (key in before.broken and good[t] is None):
                    if changed_file:
                        events.append((i, t, "problem"))
                    continue
                old = good[t] if key in before.broken else before.packages.get(key)
                new = snap.packages.get(key)
                change = None if old is new is None else compare_packages(t, package, old, new)
                if change is not None:
                    events.append((i, t, change))
                good[t] = new
        return events

    def history_json_events(self, package: str, tag: str | None = None) -> list[dict[str, Any]]:
        out = []
        for i, _, change in self.history_events(package, tag):
            entry: dict[str, Any] = dict(self.ref(i))
            entry["change"] = None if change == "problem" else package_entry(change)
            out.append(entry)
        return out

    # ---- log -------------------------------------------------------------------------

    def selected(self, tag: str | None, glob: str | None) -> list[Snapshot]:
        """The snapshots restricted as ``log --tag/--package`` restricts them: tags to
        ``tag``, packages (and their problems) to ``tag`` and ``glob``."""

        def keep(key: tuple[str, str]) -> bool:
            return tag in (None, key[0]) and (glob is None or fnmatch.fnmatchcase(key[1], glob))

        def key_of(path: str) -> tuple[str, str]:
            parts = path.split("/")
            return parts[1], parts[2]

        return [
            Snapshot(
                info=s.info,
                packages={k: p for k, p in s.packages.items() if keep(k)},
                tags=frozenset(t for t in s.tags if tag in (None, t)),
                problems=tuple(p for p in s.problems if keep(key_of(p.path))),
                broken=frozenset(k for k in s.broken if keep(k)),
            )
            for s in self.snapshots
        ]

    def log_json(self, tag: str | None = None, glob: str | None = None) -> list[dict[str, Any]]:
        """What ``log --format json`` must list, newest first (with a tag or a pattern:
        only the commits that changed something selected)."""
        snaps = self.selected(tag, glob)
        out = []
        for i in reversed(range(len(snaps))):
            before = snaps[i - 1] if i else empty_snapshot()
            comparison = compare(before, snaps[i])
            if (tag or glob) and not (comparison.has_differences or comparison.problems):
                continue
            report = to_dict(comparison)
            entry = dict(self.ref(i))
            entry.update({k: report[k] for k in ("summary", "tags", "packages")})
            entry["problem_paths"] = sorted(p["path"] for p in report["problems"])
            entry["problem_sides"] = sorted(p["side"] for p in report["problems"])
            out.append(entry)
        return out


def log_view(commits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A ``log`` report's commits in the shape of :meth:`Truth.log_json`."""
    out = []
    for c in commits:
        entry = {k: c[k] for k in ("commit", "date", "subject", "summary", "tags", "packages")}
        entry["problem_paths"] = sorted(p["path"] for p in c["problems"])
        entry["problem_sides"] = sorted(p["side"] for p in c["problems"])
        out.append(entry)
    return out


def select(packages: list[dict[str, Any]], glob: str) -> list[dict[str, Any]]:
    return [p for p in packages if fnmatch.fnmatchcase(p["name"], glob)]


# ---- the index file, whole -------------------------------------------------------------


def dump(path: Path | str) -> dict[str, Any]:
    """Every row of every table of an index file, in a fixed order, and its user_version.

    Every column is kept, the ids of ``package_contents``, ``spec_lists``, ``specs`` and
    ``package_spans`` too (they are assigned in commit order, so they are the same however
    the build was split); only SQLite's hidden rowid of the tables without an id column is
    left out.
    """
    conn = sqlite3.connect(f"file:{pathname2url(str(Path(path).resolve()))}?mode=ro", uri=True)
    try:
        out: dict[str, Any] = {"user_version": conn.execute("PRAGMA user_version").fetchone()[0]}
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            order = ", ".join(columns)
            rows = conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
            out[table] = {"columns": columns, "rows": rows}
    finally:
        conn.close()
    return out


def integrity(path: Path | str) -> str:
    conn = sqlite3.connect(f"file:{pathname2url(str(Path(path).resolve()))}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def commit_count(path: Path | str) -> int | None:
    """Rows of ``commits`` as a reader sees them now; None while the table is not there."""
    try:
        uri = f"file:{pathname2url(str(Path(path).resolve()))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=0.05)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM commits").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None
