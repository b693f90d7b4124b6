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

The Markdown table goes to standard output and to ``--out``.  To add a group, write a
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


def _reap(proc: subprocess.Popen[bytes], err: IO[bytes], rss: bool) -> int | None:
    """Wait with os.wait4, fail loudly on a non-zero exit, return the peak RSS in KiB.

    wait4's ru_maxrss alone is not the command's: the kernel folds the high-water RSS of
    the spawning process (this runner) into it at exec, so it is only the fallback.
    """
    _, status, usage = os.wait4(proc.pid, 0)
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
    rss: int = 0  # KiB, from the warm-up run
    cli_args: list[str] | None = None  # a catalog-diff run: its arguments (memory per spec)


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
    last: str = ""  # day-N
    notes: list[str] = field(default_factory=list)  # catalog facts for the header


def day(n: int) -> str:
    return f"day-{n:03d}"


def diff_group(ctx: Context, title: str, a: str, b: str) -> Group:
    r = ctx.repo
    rows = git_out(r, "diff-tree", "-r", "--no-renames", a, b, "--", "_cache").splitlines()
    blobs = {x.decode() for x in diff_tree_ids(line.encode() for line in rows)}
    cmds = [
        Command(
            f"git -C R diff {a} {b} -- _cache",
            single(["git", "-C", r, "diff", a, b, "--", "_cache"]),
        ),
        Command(
            f"catalog-diff diff {a} {b} --repo R -q -o /dev/null",
            single([ctx.cli, "diff", a, b, "--repo", r, "-q", "-o", os.devnull]),
        ),
        Command(
            f"floor: git diff-tree -r --no-renames {a} {b} -- _cache | git cat-file --batch",
            pipeline(
                ["git", "-C", r, "diff-tree", "-r", "--no-renames", a, b, "--", "_cache"],
                diff_tree_ids,
                r,
            ),
        ),
    ]
    return Group(
        f"{title}: {a} vs {b}",
        cmds,
        [f"{len(rows)} files changed, {len(blobs)} distinct blobs read by the floor"],
    )


def group_consecutive(ctx: Context) -> list[Group]:
    mid = max(1, (len(ctx.info["commit_refs"]) - 1) // 2)
    return [diff_group(ctx, "Consecutive days", day(mid - 1), day(mid))]


def group_worst(ctx: Context) -> list[Group]:
    w = int(ctx.info["worst_day"])
    return [] if ctx.quick else [diff_group(ctx, "Worst day", day(w - 1), day(w))]


def group_far(ctx: Context) -> list[Group]:
    return [] if ctx.quick else [diff_group(ctx, "First vs last day", day(0), ctx.last)]


def group_snapshot(ctx: Context) -> list[Group]:
    r, last = ctx.repo, ctx.last
    groups = []
    for tag in ([None] if not ctx.quick else []) + ["develop"]:
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
                Command("catalog-diff --version", single([ctx.cli, "--version"])),
            ],
        )
    ]


def group_index(ctx: Context) -> list[Group]:
    """The history index: a first build against ``git log -p`` of the same range, a
    first build of half the history (memory must not grow with history length), and an
    up-to-date re-run against ``python -c pass``."""
    r, last = ctx.repo, ctx.last
    half = day(max(1, (len(ctx.info["commit_refs"]) - 1) // 2))
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
    group_snapshot,
    group_index,
    group_startup,
]
GROUP_NAMES = {build.__name__.removeprefix("group_"): build for build in GROUP_BUILDERS}


def measure(group: Group, runs: int) -> None:
    cmds = group.commands
    for cmd in cmds:  # warm-up round (page cache, .pyc files), which measures memory
        cmd.rss = cmd.measure(True)[1] or 0
    for i in range(runs):
        for j in range(len(cmds)):
            cmd = cmds[(i + j) % len(cmds)]
            cmd.times.append(cmd.measure(False)[0])


# --------------------------------------------------------------------------- report
def read_proc(path: str, key: str) -> str:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.split(":")[0].strip() == key:
                return line.split(":", 1)[1].strip()
    return "unknown"


def count_specs(repo: str, rev: str) -> dict[str, int]:
    """Specs per tag at ``rev``: occurrences of ``"hash": "`` in each file."""
    rows = [
        line.split("\t", 1)
        for line in git_out(repo, "ls-tree", "-r", rev, "--", "_cache").splitlines()
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


def header(ctx: Context, argv: list[str], runs: int) -> list[str]:
    info = ctx.info
    ver = subprocess.run([ctx.cli, "--version"], capture_output=True, text=True).stdout
    pyver = subprocess.run(
        [ctx.python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    mem = read_proc("/proc/meminfo", "MemTotal")
    mem_gib = f"{int(mem.split()[0]) / 2**20:.1f} GiB" if mem != "unknown" else mem
    cpu = read_proc("/proc/cpuinfo", "model name")
    gen = (
        f"python benchmarks/generate.py R --packages {info['packages_arg']} --commits "
        f"{info['commits_arg']} --seed {info['seed']} "
        f"--frozen-tags {len(info['frozen_tags'])}"
    )
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
        f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"- Python {pyver} (venv), {git_out(ctx.repo, '--version').strip()}, {ver.strip()}",
        "",
        "## Catalog",
        "",
        f"- R = `{ctx.repo}`, made by `{gen}` (main = `{info['commits'][-1]}`)",
        *[f"- {n}" for n in ctx.notes],
        "",
        "## Reproduce",
        "",
        f"    {gen}",
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
        "folder (bytecode is written on the warm-up run and reused).",
        "",
    ]


def table(group: Group) -> list[str]:
    ref = statistics.median(group.commands[0].times)
    width = max(len(c.label) + 2 + c.label.count("|") for c in group.commands)
    notes = [*(f"{n}." for n in group.notes), ""] if group.notes else []
    lines = [
        f"### {group.title}",
        "",
        *notes,
        f"| {'command':<{width}} | median s |  min s |  max s |   ratio | peak RSS MiB |",
        f"|{'-' * (width + 2)}|---------:|-------:|-------:|--------:|-------------:|",
    ]
    for c in group.commands:
        med, rss = statistics.median(c.times), c.rss / 1024
        label = "`" + c.label.replace("|", "\\|") + "`"
        lines.append(
            f"| {label:<{width}} | {med:8.3f} | {min(c.times):6.3f} "
            f"| {max(c.times):6.3f} | {med / ref:6.2f}x | {rss:12.1f} |"
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
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, help="catalog made by generate.py")
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
        repo = a.repo if a.repo is not None else Path(tmp) / "catalog"
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        if a.generate or not (repo / ".git" / "bench.json").exists():
            print(f"run.py: generating {repo} (scale {a.scale})", file=sys.stderr)
            subprocess.run(
                [sys.executable, str(HERE / "generate.py"), str(repo), "--scale", str(a.scale)],
                check=True,
            )
        info = json.loads((repo / ".git" / "bench.json").read_text())
        ctx = Context(str(repo.resolve()), info, cli, python, a.quick)
        ctx.last = info["commit_refs"][-1]
        specs = count_specs(ctx.repo, ctx.last)
        paths = len(git_out(ctx.repo, "ls-tree", "-r", ctx.last, "--", "_cache").splitlines())
        ctx.notes += [
            f"{len(info['commit_refs'])} commits (`day-000` .. `{ctx.last}`), worst day "
            f"{info['worst_day']}; {len(specs)} tags at {ctx.last}",
            f"develop at {ctx.last}: {info['develop_packages']} packages, "
            f"{info['develop_specs']} specs (bench.json; {specs.get('develop', 0)} counted)",
            f"all tags at {ctx.last}: {paths} files, {sum(specs.values())} specs (counted)",
        ]
        chosen = {GROUP_NAMES[name] for name in a.only or GROUP_NAMES} | {group_startup}
        groups = [g for build in GROUP_BUILDERS if build in chosen for g in build(ctx)]
        for g in groups:
            print(f"run.py: {g.title} ...", file=sys.stderr)
            measure(g, runs)
        lines = header(ctx, argv, runs)
        for g in groups:
            lines += table(g)
        lines += memory_lines(ctx, groups, specs)
        lines.append(f"Total run time: {time.perf_counter() - t_start:.0f} s.")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
