#!/usr/bin/env python3
"""Side-by-side timing runner: catalog-diff against git on a synthetic catalog.

Usage::

    python benchmarks/run.py [--repo DIR] [--runs 5] [--generate] [--scale 1]
                             [--out benchmarks/RESULTS.md] [--quick] [--only GROUP]

DIR is a repository made by ``benchmarks/generate.py`` (it needs ``.git/bench.json``).
With ``--generate``, or when ``--repo`` is not given or does not exist, generate.py is
run first (into DIR, or a temporary folder removed at the end) with ``--scale``.
``--quick`` is a smoke test: 3 runs and fewer groups. ``--only GROUP`` (repeatable)
runs just those groups (and the start-up one), for the figures of one change.

Every figure is a whole process (interpreter start-up included), timed with
``time.perf_counter`` from spawn to reap.  The commands of a group run round-robin, one
run of each per round (the first command rotates every round), after one untimed
warm-up round.  That warm-up round also measures peak resident memory, running each
process under ``/usr/bin/time -f %M`` (the largest of the process and of the children
it waited for; not a sum); timed runs are spawned directly.  Without /usr/bin/time it
falls back to ``os.wait4``'s ru_maxrss, which Linux raises to the spawning runner's own
peak at exec (the header then states that floor).  A "floor" row is two git processes
joined through Python (no shell): ``git diff-tree`` or ``git ls-tree`` lists the blobs,
and one ``git cat-file --batch`` reads each distinct blob once; it is timed as one unit
(start of the first to end of the second), its memory is the larger of the two.  All
commands run with git configuration ignored and bytecode cached in a temporary folder.

The Markdown table goes to standard output and to ``--out``, between the markers of
run.py's block (the rest of the file is kept: see sections.py).  To add a group, write a
function ``(ctx: Context) -> list[Group]`` and append it to ``GROUP_BUILDERS``.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sections import write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ZERO = b"0" * 40
# No git configuration; no PYTHON* variables (main() adds a PYTHONPYCACHEPREFIX, so that
# bytecode is cached even where PYTHONDONTWRITEBYTECODE was set, without writing to src/).
ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PYTHON"))},
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}

TIME = "/usr/bin/time"
HAVE_TIME = os.access(TIME, os.X_OK)
# (with_rss) -> (seconds, peak RSS in KiB or None)
Measure = Callable[[bool], "tuple[float, int | None]"]


# --------------------------------------------------------------------------- running
def _spawn(argv: list[str], rss: bool, **kw: object) -> subprocess.Popen[bytes]:
    """Start ``argv``; with ``rss``, under /usr/bin/time -f %M when that exists."""
    if rss and HAVE_TIME:
        argv = [TIME, "-f", "%M", *argv]
    return subprocess.Popen(argv, env=ENV, **kw)  # type: ignore[call-overload, no-any-return]


#: CPU seconds (user + system) of each process reaped since :func:`measure` last cleared
#: it: the process and the children it waited for (git's, for catalog-diff).
CPU: list[float] = []


def _reap(proc: subprocess.Popen[bytes], err: IO[bytes], rss: bool) -> int | None:
    """Wait with os.wait4, fail loudly on a non-zero exit, return the peak RSS in KiB.

    wait4's ru_maxrss alone is not the command's: the kernel folds the high-water RSS of
    the spawning process (this runner) into it at exec, so it is only the fallback.
    """
    _, status, usage = os.wait4(proc.pid, 0)
    CPU.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    text = err.read().decode(errors="replace")
    if proc.returncode != 0:
        argv = proc.args if isinstance(proc.args, list) else [str(proc.args)]
        raise SystemExit(f"run.py: {shlex.join(argv)} exited {proc.returncode}\n{text[-2000:]}")
    if not rss:
        return None
    if HAVE_TIME:
        return int(text.rstrip().rsplit("\n", 1)[-1])
    return int(usage.ru_maxrss)


def single(argv: list[str]) -> Measure:
    """Measure one process, standard output discarded."""

    def run(rss: bool) -> tuple[float, int | None]:
        with tempfile.TemporaryFile() as err:
            t0 = time.perf_counter()
            kib = _reap(
                _spawn(argv, rss, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err),
                err,
                rss,
            )
            return time.perf_counter() - t0, kib

    return run


def diff_tree_ids(out: Iterable[bytes]) -> Iterable[bytes]:
    """Both sides' blob ids of ``git diff-tree -r`` lines (``:m m old new S\\tpath``)."""
    for line in out:
        old, new = line.split(b"\t", 1)[0].split()[2:4]
        yield from (x for x in (old, new) if x != ZERO)


def ls_tree_ids(out: Iterable[bytes]) -> Iterable[bytes]:
    """Blob ids of ``git ls-tree -r`` lines (``mode blob oid\\tpath``)."""
    for line in out:
        meta = line.split(b"\t", 1)[0].split()
        if meta[1] == b"blob":
            yield meta[2]


def pipeline(
    lister: list[str], ids: Callable[[Iterable[bytes]], Iterable[bytes]], repo: str
) -> Measure:
    """Measure ``lister | (distinct ids) | git cat-file --batch`` as one unit."""
    cat = ["git", "-C", repo, "cat-file", "--batch"]

    def run(rss: bool) -> tuple[float, int | None]:
        with tempfile.TemporaryFile() as err1, tempfile.TemporaryFile() as err2:
            t0 = time.perf_counter()
            first = _spawn(
                lister, rss, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err1
            )
            second = _spawn(cat, rss, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err2)
            assert first.stdout is not None and second.stdin is not None
            seen: set[bytes] = set()
            for oid in ids(first.stdout):
                if oid not in seen:
                    seen.add(oid)
                    second.stdin.write(oid + b"\n")
            first.stdout.close()
            kib1 = _reap(first, err1, rss)
            second.stdin.close()
            kib2 = _reap(second, err2, rss)
            secs = time.perf_counter() - t0
            return secs, (max(kib1, kib2) if kib1 and kib2 else None)

    return run


def git_out(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", repo, *args], env=ENV, check=True, capture_output=True, text=True
    ).stdout


# --------------------------------------------------------------------------- groups
@dataclass
class Command:
    label: str  # shown in the table (R stands for the repository)
    measure: Measure
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # CPU seconds of each timed run
    rss: int = 0  # KiB, from the warm-up run
    cli_args: list[str] | None = None  # a catalog-diff run: its arguments (memory per spec)
    target: float | None = None  # the ratio to the group's first row it must stay within
    target_name: str = ""  # the target's line in the summary


@dataclass
class Group:
    title: str
    commands: list[Command]  # the first one is the reference of the ratios
    notes: list[str] = field(default_factory=list)


@dataclass
class Context:
    repo: str
    info: dict[str, Any]  # bench.json
    cli: str  # the catalog-diff executable
    python: str  # the interpreter of that venv
    quick: bool
    last: str = ""  # the last commit's ref
    notes: list[str] = field(default_factory=list)  # catalog facts for the header
    shape: str = "weekly"  # bench.json's shape: weekly, frozen or scale
    groups: list[Group] = field(default_factory=list)
    memory: list[tuple[str, float, float]] = field(default_factory=list)  # (what, KiB, limit)
    specs: dict[str, int] = field(default_factory=dict)  # specs per tag at the last commit

    def ref(self, n: int) -> str:
        """The n-th commit's ref (``day-000`` or ``day-0000``)."""
        refs: list[str] = self.info["commit_refs"]
        return refs[n]


def diff_group(
    ctx: Context,
    title: str,
    a: str,
    b: str,
    target: float | None = None,
    what: str = "",
    tags: tuple[str, str] | None = None,
) -> Group:
    """git diff (reference), catalog-diff's text and JSON reports, and the floor.

    With ``tags``, the two sides are two tag folders of the same commit ``a == b``
    (``--old-tag``/``--new-tag``) and git compares the two folders' trees.
    """
    r = ctx.repo
    if tags is None:
        git_args = [a, b, "--", "_cache"]
        opts: list[str] = []
        shown = f"{a} {b}"
    else:
        git_args = [f"{a}:_cache/{tags[0]}", f"{b}:_cache/{tags[1]}"]
        opts = ["--old-tag", tags[0], "--new-tag", tags[1]]
        shown = f"{a} {b} --old-tag {tags[0]} --new-tag {tags[1]}"
    rows = git_out(r, "diff-tree", "-r", "--no-renames", *git_args).splitlines()
    blobs = {x.decode() for x in diff_tree_ids(line.encode() for line in rows)}
    cmds = [
        Command(f"git -C R diff {' '.join(git_args)}", single(["git", "-C", r, "diff", *git_args])),
    ]
    for fmt in ("text", "json"):
        args = ["diff", a, b, *opts, "--format", fmt, "--repo", r, "-q", "-o", os.devnull]
        cmds.append(
            Command(
                f"catalog-diff diff {shown} --format {fmt} --repo R -q -o /dev/null",
                single([ctx.cli, *args]),
                cli_args=args,
                target=target,
                target_name=f"{what} ({fmt})" if what else "",
            )
        )
    if tags is None:
        cmds.append(
            Command(
                f"floor: git diff-tree -r --no-renames {a} {b} -- _cache | git cat-file --batch",
                pipeline(
                    ["git", "-C", r, "diff-tree", "-r", "--no-renames", a, b, "--", "_cache"],
                    diff_tree_ids,
                    r,
                ),
            )
        )
    return Group(
        f"{title}: {a} vs {b}" if tags is None else f"{title}: {tags[0]} vs {tags[1]} at {a}",
        cmds,
        [f"{len(rows)} files changed, {len(blobs)} distinct blobs read by the floor"],
    )


def group_consecutive(ctx: Context) -> list[Group]:
    n = len(ctx.info["commit_refs"]) - 1
    mid = max(1, n // 2)
    if ctx.shape == "scale":  # the last day that writes no tag (a weekly day copies develop)
        tagged = {*ctx.info["weekly_tags"].values(), *ctx.info["release_tags"].values()}
        mid = max(i for i in range(1, n + 1) if ctx.ref(i) not in tagged)
    what = "consecutive daily diff within 5x `git diff`"
    return [diff_group(ctx, "Consecutive days", ctx.ref(mid - 1), ctx.ref(mid), 5.0, what)]


def group_worst(ctx: Context) -> list[Group]:
    if ctx.quick or ctx.shape == "scale":
        return []
    w = int(ctx.info["worst_day"])
    what = "worst day within 4x `git diff`"
    return [diff_group(ctx, "Worst day", ctx.ref(w - 1), ctx.ref(w), 4.0, what)]


def group_far(ctx: Context) -> list[Group]:
    if ctx.quick or ctx.shape == "scale":
        return []
    what = "60 days apart within 2.5x `git diff`"
    if ctx.shape == "frozen":
        what = "60 days apart, only develop changed, within 2.5x `git diff`"
    title = "First vs last day" + (" (develop only changes)" if ctx.shape == "frozen" else "")
    return [diff_group(ctx, title, ctx.ref(0), ctx.last, 2.5, what)]


def group_weekly_tags(ctx: Context) -> list[Group]:
    """Scale: two weekly tag folders at the last commit, a week apart and a year apart."""
    if ctx.shape != "scale":
        return []
    weekly = list(ctx.info["weekly_tags"])
    pairs = [(weekly[-2], weekly[-1], "one week apart")]
    if not ctx.quick and len(weekly) > 53:
        pairs.append((weekly[-53], weekly[-1], "a year apart"))
    return [
        diff_group(
            ctx,
            f"Two weekly tags, {how}",
            ctx.last,
            ctx.last,
            None,
            "",
            (old, new),
        )
        for old, new, how in pairs
    ]


def group_snapshot(ctx: Context) -> list[Group]:
    r, last = ctx.repo, ctx.last
    groups = []
    whole = [None] if not ctx.quick and ctx.shape != "scale" else []
    for tag in [*whole, "develop"]:
        prefix = "_cache" if tag is None else f"_cache/{tag}"
        opt = [] if tag is None else ["--tag", tag]
        cmds = [
            Command(
                f"floor: git ls-tree -r {last} -- {prefix} | git cat-file --batch",
                pipeline(["git", "-C", r, "ls-tree", "-r", last, "--", prefix], ls_tree_ids, r),
            ),
            Command(
                shlex.join(
                    ["catalog-diff", "snapshot", last, *opt, "--repo", "R", "-q", "-o", "/dev/null"]
                ),
                single([ctx.cli, "snapshot", last, *opt, "--repo", r, "-q", "-o", os.devnull]),
                cli_args=["snapshot", last, *opt, "--repo", r, "-q", "-o", os.devnull],
                target=3.0,
                target_name="whole snapshot within 3x ls-tree + cat-file ("
                + ("all tags" if tag is None else tag)
                + ")",
            ),
        ]
        groups.append(
            Group(f"Whole-snapshot load ({'all tags' if tag is None else tag}): {last}", cmds)
        )
    return groups


def group_startup(ctx: Context) -> list[Group]:
    return [
        Group(
            "Start-up",
            [
                Command(".venv/bin/python -c pass", single([ctx.python, "-c", "pass"])),
                # the named dependencies' own import cost: the floor under any command that
                # parses its options with click and opens the repository with GitPython
                *(
                    Command(
                        f'.venv/bin/python -c "import {mods}"',
                        single([ctx.python, "-c", f"import {mods}"]),
                    )
                    for mods in ("click", "git", "click, git, yaml")
                ),
                Command("catalog-diff --version", single([ctx.cli, "--version"])),
            ],
        )
    ]


def group_index(ctx: Context) -> list[Group]:
    """The history index: a first build against ``git log -p`` of the same range, a
    first build of half the history (memory must not grow with history length), and an
    up-to-date re-run against ``python -c pass``."""
    if ctx.shape == "scale":  # the history index has its own scale runs
        return []
    r, last = ctx.repo, ctx.last
    half = ctx.ref(max(1, (len(ctx.info["commit_refs"]) - 1) // 2))
    work = Path(tempfile.mkdtemp(prefix="catalog-diff-bench-index-"))
    atexit.register(shutil.rmtree, work, True)
    ready = str(work / "ready.sqlite")
    subprocess.run(
        [ctx.cli, "index", last, "--repo", r, "--index", ready, "-q"], env=ENV, check=True
    )

    def build(rev: str, name: str) -> Command:
        target = str(work / name)
        return Command(
            f"catalog-diff index {rev} --repo R --index F --rebuild -q",
            single([ctx.cli, "index", rev, "--repo", r, "--index", target, "--rebuild", "-q"]),
        )

    first = Group(
        f"History index, first build: root..{last}",
        [
            Command(
                f"git -C R log -p --first-parent {last}",
                single(["git", "-C", r, "log", "-p", "--first-parent", last]),
            ),
            build(last, "full.sqlite"),
            build(half, "half.sqlite"),
        ],
        [f"the {half} row indexes half the history: its peak memory should match the full one"],
    )
    again = Group(
        f"History index, up-to-date re-run: {last}",
        [
            Command(".venv/bin/python -c pass", single([ctx.python, "-c", "pass"])),
            Command(
                f"catalog-diff index {last} --repo R --index F -q",
                single([ctx.cli, "index", last, "--repo", r, "--index", ready, "-q"]),
            ),
        ],
    )
    return [first, again] if not ctx.quick else [again]


# Add more groups here, in the order they should appear.
GROUP_BUILDERS: list[Callable[[Context], list[Group]]] = [
    group_consecutive,
    group_worst,
    group_far,
    group_weekly_tags,
    group_snapshot,
    group_index,
]
GROUP_NAMES = {build.__name__.removeprefix("group_"): build for build in GROUP_BUILDERS}


def measure(group: Group, runs: int) -> None:
    cmds = group.commands
    for cmd in cmds:  # warm-up round (page cache, .pyc files), which measures memory
        cmd.rss = cmd.measure(True)[1] or 0
    for i in range(runs):
        for j in range(len(cmds)):
            cmd = cmds[(i + j) % len(cmds)]
            CPU.clear()
            cmd.times.append(cmd.measure(False)[0])
            cmd.cpu.append(sum(CPU))


# --------------------------------------------------------------------------- report
def read_proc(path: str, key: str) -> str:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.split(":")[0].strip() == key:
                return line.split(":", 1)[1].strip()
    return "unknown"


def count_specs(repo: str, rev: str, prefix: str = "_cache") -> dict[str, int]:
    """Specs per tag at ``rev``: occurrences of ``"hash": "`` in each file."""
    rows = [
        line.split("\t", 1)
        for line in git_out(repo, "ls-tree", "-r", rev, "--", prefix).splitlines()
    ]
    entries = [(meta.split()[2], path.split("/")[1]) for meta, path in rows]
    oids = sorted({oid for oid, _ in entries})
    proc = subprocess.Popen(
        ["git", "-C", repo, "cat-file", "--batch"],
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin = proc.stdin

    def feed() -> None:  # streamed, so that this runner's own RSS stays small
        stdin.write("".join(o + "\n" for o in oids).encode())
        stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    per_blob = {}
    for oid in oids:
        size = int(proc.stdout.readline().split()[2])
        per_blob[oid] = proc.stdout.read(size + 1).count(b'"hash": "')
    writer.join()
    if proc.wait() != 0:
        raise SystemExit("run.py: git cat-file failed")
    tags: dict[str, int] = {}
    for oid, tag in entries:
        tags[tag] = tags.get(tag, 0) + per_blob[oid]
    return tags


def generate_command(info: dict[str, Any]) -> str:
    """The generate.py command that made a catalog (from its bench.json)."""
    if info.get("shape") == "scale":
        return shlex.join(
            [
                "python",
                "benchmarks/generate.py",
                "R",
                "--shape",
                "scale",
                *info.get("arguments", []),
            ]
        )
    shape = info.get("shape", "weekly")
    return (
        f"python benchmarks/generate.py R --packages {info['packages_arg']} --commits "
        f"{info['commits_arg']} --seed {info['seed']} "
        f"--frozen-tags {len(info['frozen_tags'])}"
        + (f" --shape {shape}" if shape != "weekly" else "")
    )


def header(ctxs: list[Context], argv: list[str], runs: int) -> list[str]:
    ctx = ctxs[0]
    ver = subprocess.run([ctx.cli, "--version"], capture_output=True, text=True).stdout
    pyver = subprocess.run(
        [ctx.python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    mem = read_proc("/proc/meminfo", "MemTotal")
    mem_gib = f"{int(mem.split()[0]) / 2**20:.1f} GiB" if mem != "unknown" else mem
    cpu = read_proc("/proc/cpuinfo", "model name")
    now = dt.datetime.now(dt.timezone.utc)
    if HAVE_TIME:
        rss_note = "from the warm-up run under `/usr/bin/time -f %M`"
    else:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rss_note = (
            f"from os.wait4 in the warm-up run (no /usr/bin/time: figures below "
            f"this runner's own {own:.1f} MiB mean nothing)"
        )
    return [
        "# catalog-diff benchmark results",
        "",
        f"Generated by `benchmarks/run.py` on {now:%Y-%m-%d %H:%M} UTC.",
        "",
        "## Machine",
        "",
        f"- CPUs: {os.cpu_count()} ({cpu}); memory: {mem_gib}; "
        f"{platform.system()} {platform.release()}",
        f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(the machine is shared with other jobs)",
        f"- Python {pyver} (venv), {git_out(ctx.repo, '--version').strip()}, {ver.strip()}",
        "",
        "## Reproduce",
        "",
        *[f"    {generate_command(c.info).replace(' R ', f' {c.repo} ')}" for c in ctxs],
        f"    python benchmarks/run.py {shlex.join(argv)}".rstrip(),
        "",
        "## Method",
        "",
        f"Whole processes, {runs} timed run{'s' if runs > 1 else ''} each after one "
        "warm-up, the commands of a "
        "group alternating round-robin. Times in seconds; ratio = median / median of the "
        f"group's first row; peak RSS {rss_note}. Floor rows pass the listed blob ids "
        "through Python to one `git cat-file --batch`, each distinct blob once. Git "
        "configuration: none (GIT_CONFIG_GLOBAL=/dev/null, GIT_CONFIG_NOSYSTEM=1). "
        "Environment: PYTHON* variables removed, PYTHONPYCACHEPREFIX set to a temporary "
        "folder (bytecode is written on the warm-up run and reused). Every catalog is "
        "repacked as a fresh clone is (`git repack -a -d -f`, git's default depth and "
        "window) before it is timed.",
        "",
    ]


def catalog_lines(ctx: Context) -> list[str]:
    info = ctx.info
    pack = info.get("pack_bytes")
    return [
        f"## Shape: {ctx.shape}",
        "",
        f"- R = `{ctx.repo}`, made by `{generate_command(info)}` "
        f"(main = `{git_out(ctx.repo, 'rev-parse', 'main').strip()}`)"
        + (f"; one pack of {pack / 2**20:,.0f} MiB" if pack else ""),
        *[f"- {n}" for n in ctx.notes],
        "",
    ]


def summary(ctxs: list[Context]) -> list[str]:
    """One line per target: the ratio (median, and min-max over the runs) per shape."""
    names: dict[str, dict[str, str]] = {}
    for ctx in ctxs:
        for g in ctx.groups:
            ref = g.commands[0].times
            for c in g.commands:
                if c.target is None or not c.target_name:
                    continue
                med = statistics.median(c.times) / statistics.median(ref)
                lo, hi = min(c.times) / max(ref), max(c.times) / min(ref)
                cpu = statistics.median(c.cpu) / max(1e-9, statistics.median(g.commands[0].cpu))
                ok = "met" if med <= c.target else "NOT met"
                names.setdefault(c.target_name, {})[ctx.shape] = (
                    f"{med:.2f}x ({lo:.2f}-{hi:.2f}) {ok}; CPU {cpu:.2f}x"
                )
        for what, kib, limit in ctx.memory:
            ok = "met" if kib <= limit else "NOT met"
            names.setdefault(what, {})[ctx.shape] = (
                f"{kib / 1024:.1f} MiB, limit {limit / 1024:.1f} MiB: {ok}"
            )
    shapes = [c.shape for c in ctxs]
    lines = [
        "## Targets",
        "",
        "Ratio of medians of wall-clock time to the group's reference row; in brackets "
        "the extremes (fastest run against the reference's slowest, slowest against its "
        "fastest); then the ratio of medians of CPU time (user + system, the process and "
        "the git it ran), which a machine shared with other jobs disturbs far less.",
        "",
        "| target | " + " | ".join(shapes) + " |",
        "|---|" + "---|" * len(shapes),
    ]
    for name, per in names.items():
        lines.append(f"| {name} | " + " | ".join(per.get(s, "-") for s in shapes) + " |")
    return [*lines, ""]


def table(group: Group) -> list[str]:
    ref = statistics.median(group.commands[0].times)
    ref_cpu = max(1e-9, statistics.median(group.commands[0].cpu))
    width = max(len(c.label) + 2 + c.label.count("|") for c in group.commands)
    notes = [*(f"{n}." for n in group.notes), ""] if group.notes else []
    lines = [
        f"### {group.title}",
        "",
        *notes,
        f"| {'command':<{width}} | median s |  min s |  max s |   ratio | CPU s | CPU ratio "
        "| peak RSS MiB |",
        f"|{'-' * (width + 2)}|---------:|-------:|-------:|--------:|------:|----------:"
        "|-------------:|",
    ]
    for c in group.commands:
        med, rss = statistics.median(c.times), c.rss / 1024
        label = "`" + c.label.replace("|", "\\|") + "`"
        lines.append(
            f"| {label:<{width}} | {med:8.3f} | {min(c.times):6.3f} "
            f"| {max(c.times):6.3f} | {med / ref:6.2f}x | {statistics.median(c.cpu):5.3f} "
            f"| {statistics.median(c.cpu) / ref_cpu:8.2f}x | {rss:12.1f} |"
        )
    return [*lines, ""]


#: Runs catalog-diff in this interpreter and writes its own peak RSS (VmHWM, KiB) to the
#: file named by the first argument: the process alone, without the git it runs.
OWN_PEAK = """
import atexit, sys
out = sys.argv.pop(1)
def peak():
    with open("/proc/self/status") as f:
        kib = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
    with open(out, "w") as f:
        f.write(kib)
atexit.register(peak)
sys.argv[0] = "catalog-diff"
from catalog_diff.entry import main
sys.exit(main())
"""


def own_peak_kib(python: str, args: list[str]) -> int | None:
    """catalog-diff's own peak RSS for ``args`` (None where /proc is missing)."""
    if not Path("/proc/self/status").exists():
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".kib") as out:
        subprocess.run(
            [python, "-c", OWN_PEAK, out.name, *args],
            env=ENV,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return int(Path(out.name).read_text() or 0) or None


def bare_peak_kib(python: str) -> int | None:
    """The interpreter's own peak RSS doing nothing (``python -c pass``, measured the same
    way)."""
    if not Path("/proc/self/status").exists():
        return None
    done = subprocess.run(
        [python, "-c", "print(open('/proc/self/status').read())"],
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(
        next(line.split()[1] for line in done.stdout.splitlines() if line.startswith("VmHWM:"))
    )


def diff_memory_lines(ctx: Context) -> list[str]:
    """Peak memory of a diff against the snapshot of its larger side (each catalog-diff's
    own VmHWM): the target is at most twice."""
    out: list[str] = []
    for g in ctx.groups:
        for c in g.commands:
            args = c.cli_args
            if args is None or args[0] != "diff" or "json" not in args or "--old-tag" in args:
                continue
            if "Worst" not in g.title and "First" not in g.title:
                continue
            diff = own_peak_kib(ctx.python, args)
            sides = [
                own_peak_kib(ctx.python, ["snapshot", rev, "--repo", ctx.repo, "-q", "-o", "-"])
                for rev in args[1:3]
            ]
            if diff is None or None in sides:
                continue
            larger = max(x for x in sides if x is not None)
            what = f"peak memory of a diff at most 2x its larger side's snapshot ({g.title})"
            what = what.split(":")[0] + ")"
            ctx.memory.append((what, diff, 2 * larger))
            out.append(
                f"- `{c.label}`: own peak RSS {diff / 1024:.1f} MiB; `catalog-diff snapshot` "
                f"of each side: {', '.join(f'{x / 1024:.1f}' for x in sides if x)} MiB "
                f"({diff / larger:.2f}x the larger)"
            )
    return ["### Memory of a diff against a snapshot", "", *out, ""] if out else []


def memory_lines(ctx: Context, groups: list[Group], specs: dict[str, int]) -> list[str]:
    out = ["### Memory per spec", ""]
    bare = bare_peak_kib(ctx.python)
    for g in groups:
        for c in g.commands:
            if c.cli_args is None or c.cli_args[0] != "snapshot":
                continue
            n = specs["develop"] if "--tag" in c.cli_args else sum(specs.values())
            held = own_peak_kib(ctx.python, c.cli_args)
            empty = own_peak_kib(ctx.python, [*c.cli_args, "--package", "no-such-package"])
            if held is None or empty is None or bare is None:
                out.append(f"- `{c.label}`: not measured (no /proc/self/status)")
                continue
            per = (held - empty) * 1024 / n
            out.append(
                f"- `{c.label}`: own peak RSS {held / 1024:.1f} MiB for {n} specs; "
                f"above the interpreter's ({bare / 1024:.1f} MiB for `python -c pass`): "
                f"{(held - bare) * 1024 / n:,.0f} bytes per spec; above the same "
                f"command holding no spec ({empty / 1024:.1f} MiB with `--package "
                f"no-such-package`: modules, listing): {per:,.0f} bytes per spec"
            )
    return [
        *out,
        "",
        "Own peak RSS is the process's VmHWM at exit, without the git processes "
        "it runs (the table's column is the largest of the process and its "
        "children: for a snapshot, often git's, whose mapped pack files count). "
        'Specs are counted as occurrences of `"hash": "` in every file at '
        "the measured commit (a file copied into several tags counts once per "
        "tag).",
        "",
    ]


# --------------------------------------------------------------------------- main
def prepare(repo: Path, cli: str, python: str, quick: bool) -> Context:
    """The context of one catalog: repacked (as a clone is) if it is not yet, and its
    facts for the report."""
    meta = repo / ".git" / "bench.json"
    info = json.loads(meta.read_text())
    if not info.get("repacked"):
        sys.path.insert(0, str(HERE))
        from generate import repack

        print(f"run.py: repacking {repo} as a clone is", file=sys.stderr)
        info.update(repack(repo))
        meta.write_text(json.dumps(info, indent=1) + "\n")
    ctx = Context(str(repo.resolve()), info, cli, python, quick)
    ctx.shape = info.get("shape", "weekly")
    ctx.last = info["commit_refs"][-1]
    refs = info["commit_refs"]
    if ctx.shape == "scale":
        specs = count_specs(ctx.repo, ctx.last, "_cache/develop")
        ctx.notes += [
            f"{len(refs)} commits (`{refs[0]}` .. `{ctx.last}`), one a day",
            *[f"layout {k}: `{v[0]}` .. `{v[1]}`" for k, v in info["layouts"].items()],
            f"{len(info['weekly_tags'])} weekly tags and {len(info['release_tags'])} "
            f"release tags at {ctx.last}",
            f"develop at {ctx.last}: {info['develop_packages']} packages, "
            f"{info['develop_specs']} specs (bench.json; {specs.get('develop', 0)} counted)",
            f"made in {info['total_seconds']:.0f} s (fast-import {info['import_seconds']:.0f} s, "
            f"repack {info['repack_seconds']:.0f} s)",
        ]
        return ctx
    specs = count_specs(ctx.repo, ctx.last)
    paths = len(git_out(ctx.repo, "ls-tree", "-r", ctx.last, "--", "_cache").splitlines())
    ctx.specs = specs
    ctx.notes += [
        f"{len(refs)} commits (`{refs[0]}` .. `{ctx.last}`), worst day "
        f"{info['worst_day']}; {len(specs)} tags at {ctx.last}"
        + (", all of them already in the first commit" if ctx.shape == "frozen" else ""),
        f"develop at {ctx.last}: {info['develop_packages']} packages, "
        f"{info['develop_specs']} specs (bench.json; {specs.get('develop', 0)} counted)",
        f"all tags at {ctx.last}: {paths} files, {sum(specs.values())} specs (counted)",
    ]
    return ctx


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--repo",
        type=Path,
        action="append",
        help="catalog made by generate.py (repeat it: one section each; default: the "
        "weekly and the frozen shape, generated into a temporary folder)",
    )
    ap.add_argument("--runs", type=int, default=None, help="timed runs (default 5; quick 3)")
    ap.add_argument("--generate", action="store_true", help="run generate.py first")
    ap.add_argument("--scale", type=float, default=1.0, help="generate.py --scale")
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--quick", action="store_true", help="3 runs, fewer groups")
    ap.add_argument(
        "--only",
        action="append",
        choices=sorted(GROUP_NAMES),
        metavar="GROUP",
        help="run only this group (repeatable; start-up always runs): "
        + ", ".join(sorted(GROUP_NAMES)),
    )
    a = ap.parse_args(argv)
    runs = a.runs if a.runs is not None else (3 if a.quick else 5)
    if runs < 1:
        ap.error("--runs must be at least 1")
    cli, python = (str(ROOT / ".venv" / "bin" / x) for x in ("catalog-diff", "python"))
    if not (os.access(cli, os.X_OK) and os.access(python, os.X_OK)):
        ap.error(f"{cli} not found: create the venv first (see README.md)")
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as tmp:
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        wanted = a.repo or [Path(tmp) / "weekly", Path(tmp) / "frozen"]
        ctxs = []
        for repo in wanted:
            if a.generate or not (repo / ".git" / "bench.json").exists():
                shape = "frozen" if repo.name.endswith("frozen") else "weekly"
                print(f"run.py: generating {repo} ({shape}, scale {a.scale})", file=sys.stderr)
                subprocess.run(
                    [
                        sys.executable,
                        str(HERE / "generate.py"),
                        str(repo),
                        "--scale",
                        str(a.scale),
                        "--shape",
                        shape,
                    ],
                    check=True,
                )
            ctxs.append(prepare(repo, cli, python, a.quick))
        chosen = {GROUP_NAMES[name] for name in a.only or GROUP_NAMES}
        body: list[str] = []
        for ctx in ctxs:
            ctx.groups = [g for build in GROUP_BUILDERS if build in chosen for g in build(ctx)]
            for g in ctx.groups:
                print(f"run.py: {ctx.shape}: {g.title} ...", file=sys.stderr)
                measure(g, runs)
            body += catalog_lines(ctx)
            for g in ctx.groups:
                body += table(g)
            body += diff_memory_lines(ctx)
            if ctx.specs:
                body += memory_lines(ctx, ctx.groups, ctx.specs)
        start = group_startup(ctxs[0])
        for g in start:
            measure(g, runs)
            body += ["## Start-up", "", *table(g)[2:]]
        lines = [*header(ctxs, argv, runs), *summary(ctxs), *body]
        lines.append(f"Total run time: {time.perf_counter() - t_start:.0f} s.")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    # Only run.py's own block of the file: index_run.py's block and the notes around
    # them stay (see sections.py).
    write_section(a.out, "run.py", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
