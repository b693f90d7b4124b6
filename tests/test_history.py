"""The history index against answers read straight from git, commit by commit.

The repository (:func:`historytruth.build_history`) is built from the real samples; every
answer of ``log``, ``history`` and ``when`` is compared with what comparing consecutive
snapshots (each loaded from git by :func:`catalog_diff.api.snapshot`) gives. Then the
index itself: built in steps, interrupted (in process, and a real ``catalog-diff index``
killed with SIGKILL), or by two runs at once, it must hold exactly what one
uninterrupted build holds.
"""

from __future__ import annotations

import fcntl
import json
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from git import GitCommandError

import catalog_diff.history.ingest as ingest
import catalog_diff.history.ingeststate as ingeststate
from catalog_diff import api
from catalog_diff.compare.aliases import NO_ALIASES
from catalog_diff.compare.pairing import compare_packages
from catalog_diff.git.repository import GitRepository
from catalog_diff.history.index import HistoryIndex
from catalog_diff.render.audit_json import history_dict, log_dict, when_dict
from gitrepo import SAMPLES, GitRepoBuilder
from historytruth import (
    DEVELOP,
    WEEKLY_TAG,
    Truth,
    build_history,
    commit_count,
    dump,
    integrity,
    log_view,
    sample,
)
from procs import TIMEOUT, waiting_in_sleep

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[GitRepoBuilder, list[str]]:
    return build_history(tmp_path_factory.mktemp("history") / "catalog")


@pytest.fixture(scope="module")
def truth(catalog: tuple[GitRepoBuilder, list[str]]) -> Truth:
    return Truth.read(catalog[0].path)


@pytest.fixture(scope="module")
def built(
    catalog: tuple[GitRepoBuilder, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """One uninterrupted build of the whole history."""
    path = tmp_path_factory.mktemp("built") / "index.sqlite"
    opened, stats = api.open_index(repo=str(catalog[0].path), index=str(path))
    opened.close()
    assert stats is not None and stats.commits == len(catalog[1])
    return path


@pytest.fixture
def index(catalog: tuple[GitRepoBuilder, list[str]], built: Path) -> Iterator[HistoryIndex]:
    opened, _ = api.open_index(repo=str(catalog[0].path), index=str(built), update=False)
    with opened:
        yield opened


def build(repo: Path, path: Path, revision: str = "HEAD") -> dict[str, Any]:
    opened, _ = api.open_index(repo=str(repo), index=str(path), revision=revision)
    opened.close()
    return dump(path)


# ---- the scenario is what the tests claim ------------------------------------------------


def test_the_history_holds_each_kind_of_change(truth: Truth) -> None:
    """Guards the scenario itself: the answers below would be weak tests without these."""
    assert len(truth.commits) == 12
    assert {n for t, n in truth.snapshots[0].packages if t == "develop"} == set(DEVELOP)
    assert len({c.timestamp for c in truth.commits}) == 12
    assert [len(s.problems) for s in truth.snapshots] == [0] * 7 + [1, 0, 0, 0, 0]
    assert truth.presence("ccache", "develop", "target", "x86_64_v3") == (
        [True] * 3 + [False] * 6 + [True] * 3
    )
    # The format-only rewrite changed the bytes of both files and nothing else.
    before, after = truth.snapshots[4], truth.snapshots[5]
    for name in ("bc", "adol-c"):
        path = f"_cache/develop/{name}/specs.md"
        assert truth.blobs[4][path] != truth.blobs[5][path]
        assert before.packages[("develop", name)].specs == after.packages[("develop", name)].specs
    assert truth.blobs[5] == truth.blobs[6]  # the README commit touches no catalog file
    # bc's spec_details is no longer the front matter's last line; adol-c's still is.
    shown = {
        name: subprocess.run(
            ["git", "-C", str(truth.repo), "show", f"{truth.commits[5].sha}:{path}"],
            capture_output=True,
            check=True,
            timeout=300,
        ).stdout.split(b"\n")
        for name, path in (
            ("bc", "_cache/develop/bc/specs.md"),
            ("adol-c", "_cache/develop/adol-c/specs.md"),
        )
    }
    assert shown["bc"][-2].startswith(b"meta: ") and shown["bc"][-3].startswith(b"spec_details: ")
    assert shown["adol-c"][-2].startswith(b"spec_details: ")


# ---- the index's record of the commits ---------------------------------------------------


def test_commits_are_git_first_parent_history(truth: Truth, index: HistoryIndex) -> None:
    rows = [(c.seq, c.sha, c.date, c.timestamp, c.subject, c.layout) for c in index.commits()]
    expected = [
        (i, c.sha, c.date, c.timestamp, c.subject, "tagged") for i, c in enumerate(truth.commits)
    ]
    assert rows == expected


# ---- log ---------------------------------------------------------------------------------


def test_log_is_each_commit_against_its_parent(truth: Truth, index: HistoryIndex) -> None:
    report = log_dict(api.log(index, aliases=NO_ALIASES))
    assert log_view(report["commits"]) == truth.log_json()
    assert all(c["layout"] == "tagged" and c["layout_change"] is None for c in report["commits"])


def test_log_of_a_format_only_rewrite_and_of_a_readme_commit_is_empty(
    truth: Truth, index: HistoryIndex
) -> None:
    by_subject = {c["subject"]: c for c in log_dict(api.log(index, aliases=NO_ALIASES))["commits"]}
    for subject in ("develop: bc and adol-c rewritten, same specs", "docs: README"):
        entry = by_subject[subject]
        assert entry["packages"] == [] and entry["problems"] == []
        assert set(entry["summary"].values()) == {0}


@pytest.mark.parametrize(
    ("tag", "glob"),
    [("develop", None), ("v0.23.0", None), (WEEKLY_TAG, None), (None, "g*"), ("develop", "c*")],
)
def test_log_of_a_tag_or_some_packages(
    truth: Truth, index: HistoryIndex, tag: str | None, glob: str | None
) -> None:
    expected = truth.log_json(tag, glob)
    assert expected  # something was selected
    assert (
        log_view(log_dict(api.log(index, aliases=NO_ALIASES, tag=tag, package=glob))["commits"])
        == expected
    )


def test_log_between_two_commits_and_dates(truth: Truth, index: HistoryIndex) -> None:
    shas = [c.sha for c in truth.commits]
    full = truth.log_json()  # newest first
    got = log_view(
        log_dict(api.log(index, aliases=NO_ALIASES, first=shas[2], last=shas[8]))["commits"]
    )
    assert [c["commit"] for c in got] == shas[8:2:-1]
    assert got == full[3:9]
    stamps = [c.timestamp for c in truth.commits]
    got = log_view(
        log_dict(api.log(index, aliases=NO_ALIASES, since=stamps[3], until=stamps[5]))["commits"]
    )
    assert [c["commit"] for c in got] == [shas[5], shas[4], shas[3]]
    assert [
        c["commit"] for c in log_dict(api.log(index, aliases=NO_ALIASES, limit=2))["commits"]
    ] == shas[:-3:-1]


# ---- history -----------------------------------------------------------------------------


def names(truth: Truth) -> list[str]:
    return sorted({name for _, name in truth.packages()})


def test_history_of_every_package_in_every_tag(truth: Truth, index: HistoryIndex) -> None:
    checked = 0
    for name in names(truth):
        for tag in [None, *sorted({t for t, n in truth.packages() if n == name})]:
            report = history_dict(
                api.history(index, name, aliases=NO_ALIASES, tag=tag, transient_window=1)
            )
            expected = truth.history_json_events(name, tag)
            got = [
                {k: e[k] for k in ("commit", "date", "subject", "change")} for e in report["events"]
            ]
            assert got == expected, (name, tag)
            # An event without a change names the file that could not be read.
            for event in report["events"]:
                if event["change"] is None:
                    assert event["problem"].startswith(f"_cache/develop/{name}/specs.md: ")
                else:
                    assert event["problem"] is None
            checked += len(expected)
    assert checked > 40


def test_history_around_a_broken_file_never_claims_a_removal(
    truth: Truth, index: HistoryIndex
) -> None:
    events = api.history(index, "gotcha", aliases=NO_ALIASES, tag="develop").events
    shas = [c.sha for c in truth.commits]
    assert [(e.commit.commit, e.change is None) for e in events] == [
        (shas[0], False),
        (shas[7], True),
        (shas[8], False),
    ]
    assert "no closing '---'" in (events[1].problem or "")
    # Once readable again, the change is told against the last readable content.
    key = ("develop", "gotcha")
    last_readable = truth.snapshots[6].packages[key]
    assert key in truth.snapshots[7].broken
    assert events[2].change == compare_packages(
        "develop", "gotcha", last_readable, truth.snapshots[8].packages[key]
    )


def test_history_between_dates(truth: Truth, index: HistoryIndex) -> None:
    stamps = [c.timestamp for c in truth.commits]
    events = api.history(index, "gcc", aliases=NO_ALIASES, since=stamps[1], until=stamps[10]).events
    assert [e.commit.commit for e in events] == [truth.commits[i].sha for i in (1, 4)]


# ---- when --------------------------------------------------------------------------------


def queries(truth: Truth, tag: str, name: str) -> list[tuple[str, str]]:
    """Every target, stack, compiler and version the package ever had, and some hashes."""
    found: set[tuple[str, str]] = set()
    for snap in truth.snapshots:
        package = snap.packages.get((tag, name))
        for spec in package.specs if package else ():
            found.add(("target", spec.target))
            found.update(("stack", s) for s in spec.stacks)
            found.add(("compiler", spec.compiler))
            found.update(("version", v) for v in spec.versions)
        if package and package.specs:
            found.add(("hash", package.specs[0].hash))
            found.add(("hash", "/" + package.specs[-1].hash[:7]))
    return sorted(found)


def test_when_for_every_facet_value_of_every_package(truth: Truth, index: HistoryIndex) -> None:
    checked = 0
    for tag, name in sorted(truth.packages()):
        for kind, value in [*queries(truth, tag, name), ("target", "zen9")]:
            report = when_dict(api.when(index, name, kind, value, tag=tag, transient_window=1))
            problems = report.pop("problems")
            assert report == truth.when_json(name, tag, kind, value), (tag, name, kind, value)
            broken = truth.broken_at(name, tag)
            assert [p["commit"] for p in problems] == [truth.commits[i].sha for i in broken]
            checked += 1
    assert checked > 500


@pytest.mark.parametrize(
    ("name", "kind", "value", "runs", "at_end"),
    [
        ("libcatalyst", "target", "x86_64_v4", [(0, 0)], False),
        ("gcc", "stack", "developer-tools-aarch64-linux-gnu", [(0, 0)], False),
        ("hdf5", "version", "1.14.6", [(1, 11)], True),
        ("libcatalyst", "compiler", "oneapi@=2024.2.1", [(0, 0)], False),
        ("libcatalyst", "compiler", "intel-oneapi-compilers@2024.2.1", [(1, 11)], True),
        ("libcatalyst", "compiler", "gcc@=12.4.0", [(0, 11)], True),
        ("ccache", "target", "x86_64_v3", [(0, 2), (9, 11)], True),
        ("gotcha", "stack", "e4s", [(0, 6), (8, 11)], True),
        ("cuda", "compiler", "none", [(10, 11)], True),
        ("qt", "version", "5.14.2", [(9, 11)], True),
        ("hdf5", "target", "zen9", [], False),
    ],
)
def test_when_known_answers(
    truth: Truth,
    index: HistoryIndex,
    name: str,
    kind: str,
    value: str,
    runs: list[tuple[int, int]],
    at_end: bool,
) -> None:
    """A few answers written out by hand (the scenario's story), besides the derived ones."""
    presence = api.when(index, name, kind, value, tag="develop", transient_window=1)
    got = [(i.first.commit, i.last.commit) for i in presence.intervals]
    assert got == [(truth.commits[a].sha, truth.commits[b].sha) for a, b in runs]
    assert presence.present_at_end is at_end


def test_when_a_hash_survives_a_format_only_rewrite(truth: Truth, index: HistoryIndex) -> None:
    first = json.loads(
        sample("develop-2025-03-23", "bc").split(b"\nspec_details: ")[1].split(b"\n")[0]
    )
    presence = api.when(index, "bc", "hash", first[0]["hash"], tag="develop")
    assert [(i.first.commit, i.last.commit) for i in presence.intervals] == [
        (truth.commits[0].sha, truth.commits[-1].sha)
    ]


def test_the_public_history_function_is_still_the_function() -> None:
    # Exported as package_history: catalog_diff.history is the subpackage.
    import catalog_diff
    import catalog_diff.history.index

    assert catalog_diff.package_history is api.history
    assert catalog_diff.compare_snapshots is catalog_diff.compare.pairing.compare


# ---- building the index in steps, interrupted, or twice at once -------------------------


def test_index_built_in_two_steps_equals_one_build(
    catalog: tuple[GitRepoBuilder, list[str]], built: Path, tmp_path: Path
) -> None:
    repo, shas = catalog
    whole = dump(built)
    assert whole["commits"]["rows"] and whole["package_spans"]["rows"]
    assert whole["spec_lists"]["rows"] and whole["specs"]["rows"] and whole["tag_spans"]["rows"]
    for k, sha in enumerate(shas[:-1]):
        path = tmp_path / f"step-{k}.sqlite"
        partial = build(repo.path, path, sha)
        assert len(partial["commits"]["rows"]) == k + 1
        assert build(repo.path, path) == whole, k


@pytest.mark.parametrize("one_by_one", [20_000, 1, 0], ids=["asked", "read-all-soon", "read-all"])
def test_index_built_one_commit_at_a_time_equals_one_build(
    catalog: tuple[GitRepoBuilder, list[str]],
    built: Path,
    tmp_path: Path,
    one_by_one: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each run reads the open spans it needs as it asks for them, or (past the limit)
    all at once: either way, the index of a whole build."""
    monkeypatch.setattr(ingeststate, "ONE_BY_ONE", one_by_one)
    repo, shas = catalog
    path = tmp_path / "each.sqlite"
    for sha in shas:
        build(repo.path, path, sha)
    assert dump(path) == dump(built)
    assert integrity(path) == "ok"


def test_an_index_started_at_a_later_commit_agrees_from_there_on(
    catalog: tuple[GitRepoBuilder, list[str]], truth: Truth, tmp_path: Path
) -> None:
    repo, shas = catalog
    opened, _ = api.open_index(
        repo=str(repo.path), index=str(tmp_path / "ranged.sqlite"), revision=f"{shas[3]}..HEAD"
    )
    with opened:
        assert [c.sha for c in opened.commits()] == shas[3:]
        got = log_view(log_dict(api.log(opened, aliases=NO_ALIASES))["commits"])
        # Every commit after the first one; the first one is where the index starts,
        # not a commit that added the whole catalog (it is left out of the log).
        assert got == truth.log_json()[:-4]
        assert opened.indexed_from() == opened.commits()[0]
        presence = api.when(opened, "ccache", "target", "x86_64_v3", tag="develop")
        assert [(i.first.commit, i.last.commit) for i in presence.intervals] == [
            (shas[9], shas[11])
        ]


def test_update_at_the_tip_does_nothing(
    catalog: tuple[GitRepoBuilder, list[str]], built: Path
) -> None:
    before = dump(built)
    opened, stats = api.open_index(repo=str(catalog[0].path), index=str(built))
    opened.close()
    assert stats is not None and (stats.commits, stats.contents_parsed) == (0, 0)
    assert dump(built) == before


class Stop(KeyboardInterrupt):
    """Raised from the progress callback: an interruption between two transactions."""


def test_interrupted_ingest_resumes_to_the_same_index(
    catalog: tuple[GitRepoBuilder, list[str]],
    built: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, shas = catalog
    monkeypatch.setattr(ingest, "CHUNK_BLOBS", 5)
    small_chunks = tmp_path / "small.sqlite"
    assert build(repo.path, small_chunks) == dump(built)

    path = tmp_path / "interrupted.sqlite"
    counts = []
    for _ in range(len(shas) + 1):
        batches = 0

        def progress(done: int, total: int) -> None:
            nonlocal batches
            batches += 1
            if batches == 1:  # one transaction per run, then stop
                raise Stop

        try:
            opened, _ = api.open_index(repo=str(repo.path), index=str(path), progress=progress)
        except (Stop, GitCommandError) as exc:
            # A GitCommandError here is the bug test_closing_a_blob_stream_early_is_quiet
            # shows: the next batch's `git cat-file` was still running, and stopping it
            # raised instead of letting the interruption through.
            assert isinstance(exc, Stop) or isinstance(exc.__context__, Stop), exc
            counts.append(commit_count(path))
            assert integrity(path) == "ok"
            continue
        opened.close()
        break
    else:
        pytest.fail("the index never finished")
    # Several interruptions, each after one more transaction was committed.
    assert counts == sorted(set(counts)) and counts[0] > 0 and counts[-1] <= len(shas), counts
    assert len([n for n in counts if n < len(shas)]) >= 3, counts
    assert dump(path) == dump(built)


def test_closing_a_blob_stream_early_is_quiet(truth: Truth) -> None:
    oids = sorted({oid for ids in truth.blobs for oid in ids.values()})
    sizes = subprocess.run(
        ["git", "-C", str(truth.repo), "cat-file", "--batch-check=%(objectsize)"],
        input="\n".join(oids) + "\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.split()
    assert sum(map(int, sizes)) > 4 * 65536  # more than a pipe holds: git is still writing
    with (
        GitRepository(str(truth.repo)) as repo,
        pytest.raises(Stop),
        repo.read_blobs(oids, ahead=1) as stream,
    ):
        next(stream)
        raise Stop


# ---- real processes: killed, and running at once ----------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """A synthetic catalog big enough for several transactions of the default size, and
    one uninterrupted index of it (in a process of its own)."""
    folder = tmp_path_factory.mktemp("generated")
    repo = folder / "repo"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            str(repo),
            "--packages",
            "700",
            "--commits",
            "40",
            "--frozen-tags",
            "2",
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    reference = folder / "reference.sqlite"
    done = run_index(repo, reference)
    assert done.returncode == 0, done.stderr
    changes = subprocess.run(
        ["git", "-C", str(repo), "log", "--first-parent", "--raw", "--format=", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.count("\n:")
    assert changes > 2 * ingest.CHUNK_BLOBS  # several transactions
    total = commit_count(reference)
    assert total is not None and total > 10
    return repo, reference, total


def index_command(repo: Path, path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "catalog_diff",
        "index",
        "--repo",
        str(repo),
        "--index",
        str(path),
    ]


def run_index(repo: Path, path: Path, *revision: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*index_command(repo, path), *revision],
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )


def kill_when(proc: subprocess.Popen[str], path: Path, ready: Any) -> int | None:
    """SIGKILL ``proc`` as soon as ``ready(commit count)``; the count then, or None when the
    process ended first."""
    deadline = time.monotonic() + TIMEOUT
    while proc.poll() is None:
        count = commit_count(path)
        if count is not None and ready(count):
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=TIMEOUT)
            return count
        assert time.monotonic() < deadline, "the index run never ended"
        time.sleep(0.001)
    proc.communicate(timeout=TIMEOUT)
    return None


def test_killed_while_the_first_transaction_is_prepared_an_index_resumes(
    generated: tuple[Path, Path, int], tmp_path: Path
) -> None:
    """Killed as soon as the schema is there and no commit is (where the kill lands
    depends on the machine; wherever it lands, the run resumes to the same index)."""
    repo, reference, _ = generated
    path = tmp_path / "killed-first.sqlite"
    first = subprocess.Popen(index_command(repo, path), stderr=subprocess.PIPE, text=True)
    at = kill_when(first, path, lambda n: n == 0)
    assert first.returncode == -signal.SIGKILL or at is None
    if path.exists():
        assert integrity(path) == "ok"
    done = run_index(repo, path)
    assert done.returncode == 0, done.stderr
    assert dump(path) == dump(reference)
    assert integrity(path) == "ok"


def test_killed_between_two_transactions_an_index_resumes(
    generated: tuple[Path, Path, int], tmp_path: Path
) -> None:
    """Some commits are in (a run indexed half the history); a run to the end has prepared
    its first transaction and waits for the write lock, held here; killed there, it
    leaves the index as the first run left it, and the next run resumes to the same index
    as one uninterrupted build."""
    repo, reference, total = generated
    path = tmp_path / "killed-between.sqlite"
    half = total // 2
    done = run_index(repo, path, f"HEAD~{total - half}")
    assert done.returncode == 0, done.stderr
    assert commit_count(path) == half
    held = sqlite3.connect(path, isolation_level=None)
    try:
        held.execute("BEGIN IMMEDIATE")
        second = subprocess.Popen(index_command(repo, path), stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + TIMEOUT
            while not waiting_in_sleep(second.pid):  # in SQLite, waiting for the lock
                assert second.poll() is None, second.communicate(timeout=TIMEOUT)
                assert time.monotonic() < deadline, "the run never waited for the lock"
        finally:
            second.send_signal(signal.SIGKILL)
            second.communicate(timeout=TIMEOUT)
    finally:
        held.execute("ROLLBACK")
        held.close()
    assert second.returncode == -signal.SIGKILL
    assert integrity(path) == "ok"
    assert commit_count(path) == half
    done = run_index(repo, path)
    assert done.returncode == 0, done.stderr
    assert dump(path) == dump(reference)
    assert integrity(path) == "ok"


def test_two_index_runs_at_once_build_one_index(
    generated: tuple[Path, Path, int], tmp_path: Path
) -> None:
    repo, reference, _ = generated
    for attempt in range(3):
        path = tmp_path / f"twice-{attempt}.sqlite"
        procs = [
            subprocess.Popen(index_command(repo, path), stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        results = [(p.communicate(timeout=TIMEOUT)[1], p.returncode) for p in procs]
        assert [code for _, code in results] == [0, 0], results
        assert integrity(path) == "ok"
        assert dump(path) == dump(reference)


def test_a_run_started_during_another_waits_and_indexes_nothing_twice(
    generated: tuple[Path, Path, int], tmp_path: Path
) -> None:
    repo, reference, total = generated
    path = tmp_path / "waiting.sqlite"
    first = subprocess.Popen(index_command(repo, path), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + TIMEOUT
    while commit_count(path) is None and first.poll() is None:
        assert time.monotonic() < deadline, "the first run never created the index"
        time.sleep(0.001)  # the schema is there: the first run is indexing
    second = run_index(repo, path)
    _, first_err = first.communicate(timeout=TIMEOUT)
    assert (first.returncode, second.returncode) == (0, 0), (first_err, second.stderr)
    assert f"{total} new commits" in first_err
    # Whether or not it had to wait for the lock, the second run found everything done.
    assert "already up to date" in second.stderr, second.stderr
    assert dump(path) == dump(reference)


def test_a_run_waits_for_the_lock_and_says_so(
    catalog: tuple[GitRepoBuilder, list[str]], built: Path, tmp_path: Path
) -> None:
    """Another run holding the index's lock (taken here, the way a run takes it) makes
    ``index`` say it waits, and wait; once the lock is free it indexes everything."""
    path = tmp_path / "locked.sqlite"
    with Path(f"{path}.lock").open("a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.Popen(
            index_command(catalog[0].path, path), stderr=subprocess.PIPE, text=True
        )
        try:
            assert proc.stderr is not None
            ready, _, _ = select.select([proc.stderr], [], [], 60)
            assert ready, "nothing on stderr"
            line = proc.stderr.readline()
            assert line == "catalog-diff: waiting for another index run to finish\n"
            assert proc.poll() is None  # still waiting
            assert commit_count(path) == 0
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            _, rest = proc.communicate(timeout=TIMEOUT)
        assert proc.returncode == 0, rest
    assert "12 new commits" in rest
    assert dump(path) == dump(built)


# ---- the older layouts -------------------------------------------------------------------

LEGACY = SAMPLES / "legacy" / "index-md" / "_cache"


def saved_index(name: str) -> dict[str, bytes]:
    """``_cache/<name>/index.md`` listing only the spec files saved next to it, and those."""
    folder = LEGACY / name
    saved = {p.name: p.read_bytes() for p in folder.glob("spec-*.json")}
    lines = (folder / "index.md").read_bytes().split(b"\n")
    kept = [
        line
        for line in lines
        if not line.startswith(b' - "') or line.rsplit(b": ", 1)[1].decode() in saved
    ]
    files = {f"_cache/{name}/index.md": b"\n".join(kept)}
    files.update({f"_cache/{name}/{n}": data for n, data in saved.items()})
    return files


def current_layout(name: str, specs: list[dict[str, Any]]) -> bytes:
    """A minimal ``_cache/develop/<name>/specs.md`` of the current layout."""
    meta = {
        "compilers": sorted({s["compiler"] for s in specs}),
        "num_specs": len(specs),
        "num_specs_by_stack": {"root": len(specs)},
        "oss": sorted({s["os"] for s in specs}),
        "platforms": sorted({s["platform"] for s in specs}),
        "stacks": ["root"],
        "targets": sorted({s["target"] for s in specs}),
        "versions": sorted({v for s in specs for v in s["versions"]}),
    }
    lines = [
        "---",
        f'title: "{name}"',
        "layout: cache",
        "categories: [package, develop]",
        "meta: " + json.dumps(meta, sort_keys=True),
        "spec_details: " + json.dumps(specs, sort_keys=True),
        "---",
    ]
    return "\n".join(lines).encode()


def spec_of(document: dict[str, Any], name: str) -> dict[str, Any]:
    """A current-layout spec written from a saved ``spec-N.json`` (one node, read here)."""
    (node,) = [n for n in document["spec"]["nodes"] if n["name"] == name]
    arch = node["arch"]
    target = arch["target"] if isinstance(arch["target"], str) else arch["target"]["name"]
    variants = []
    for key, value in sorted(node["parameters"].items()):
        if isinstance(value, bool):
            variants.append(("+" if value else "~") + key)
        elif isinstance(value, list):
            if value:
                variants.append(f"{key}={','.join(value)}")
        else:
            variants.append(f"{key}={value}")
    compiler = node["compiler"]
    return {
        "compiler": f"{compiler['name']}@{compiler['version']}",
        "hash": node["hash"],
        "os": arch["platform_os"],
        "platform": arch["platform"],
        "size": "-",
        "stacks": ["root"],
        "target": target,
        "variants": variants,
        "versions": [node["version"]],
    }


def test_layout_change_is_reported_once_not_as_every_package_replaced(tmp_path: Path) -> None:
    names = sorted(p.name for p in LEGACY.iterdir())
    repo = GitRepoBuilder(tmp_path / "catalog")
    old_files: dict[str, bytes] = {}
    for name in names:
        old_files.update(saved_index(name))
    repo.write(old_files)
    old = repo.commit("catalog, oldest layout", date="2020-06-01T00:00:00+00:00")
    repo.delete(old_files)
    for name in names:
        specs = [
            spec_of(json.loads(data), name)
            for path, data in sorted(old_files.items())
            if path.startswith(f"_cache/{name}/spec-")
        ]
        repo.write({f"_cache/develop/{name}/specs.md": current_layout(name, specs)})
    new = repo.commit("catalog, tagged layout", date="2020-06-02T00:00:00+00:00")

    opened, _ = api.open_index(repo=str(repo.path), index=str(tmp_path / "index.sqlite"))
    with opened:
        assert [(c.sha, c.layout) for c in opened.commits()] == [
            (old, "untagged-index"),
            (new, "tagged"),
        ]
        report = log_dict(api.log(opened))
        changes = [c["layout_change"] for c in report["commits"]]
        assert changes == [{"old": "untagged-index", "new": "tagged"}, None]
        moved = report["commits"][0]
        assert moved["problems"] == []
        assert moved["packages"] == []  # the same specs: no package removed, added or changed
        assert moved["summary"]["packages_added"] == moved["summary"]["packages_removed"] == 0
        first = report["commits"][1]
        assert first["tags"]["added"] == [{"tag": "develop", "packages": 3, "specs": 7}]
        for name in names:
            events = api.history(opened, name).events
            assert [(e.commit.commit, e.change and e.change.status.value) for e in events] == [
                (old, "added")
            ]
        zlib = api.when(opened, "zlib", "target", "power9le", tag="develop")
        assert [(i.first.commit, i.last.commit) for i in zlib.intervals] == [(old, new)]
        assert zlib.present_at_end
