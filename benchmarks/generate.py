#!/usr/bin/env python3
"""Deterministic generator of a synthetic Spack build-cache catalog git repository.

The output is shaped like the public catalog (spack/cache.spack.io): one file per
(tag, package) at ``_cache/<tag>/<package>/specs.md`` holding a 7-line front-matter
block (title, layout, categories, meta JSON, spec_details JSON, no trailing newline).

Usage::

    python benchmarks/generate.py OUTDIR [--packages 1500] [--commits 60]
        [--scale 1.0] [--seed 1] [--frozen-tags 5]
    python benchmarks/verify_catalog.py OUTDIR     # read back and check every file

History: ``day-000`` holds ``develop`` plus the frozen tags (``v0.23.0``, ``v0.23.1``
and weekly ``develop-2024-MM-DD`` copies of earlier develop states).  Each following
daily commit ``day-NNN`` rewrites 2-25% of the develop files (one "worst day" rewrites
33%) and adds/removes a few packages; every 7th commit also snapshots develop into a
new weekly tag ``develop-2025-MM-DD``.  Commits are built with ``git fast-import``
with pinned identity and dates, so equal arguments give equal commit SHAs.  No work
tree is checked out; read the catalog from the object store (``git show day-060:...``).
Metadata (commit SHAs, worst day, totals) is written to ``OUTDIR/.git/bench.json``.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HASH_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
IDENT = "bench <bench@example.invalid>"
WORST_FRACTION = 0.33

Config = tuple[str, str, str, tuple[str, ...]]  # os, platform, target, compilers
# The vocabularies are data tables, one per line (see pyproject.toml).
# fmt: off
_UBU = ("ubuntu22.04", "linux", "x86_64_v3", ("gcc@11.4.0",))
_UBU_ARM = ("ubuntu22.04", "linux", "aarch64", ("gcc@11.4.0",))
_UBU24 = ("ubuntu24.04", "linux", "x86_64_v3", ("gcc@13.2.0",))
_MAC = ("sequoia", "darwin", "aarch64", ("apple-clang@16.0.0",))
# stack -> (selection weight, possible configurations)
STACKS: dict[str, tuple[int, list[Config]]] = {
    "e4s": (10, [_UBU]),
    "e4s-neoverse-v2": (5, [("ubuntu22.04", "linux", "neoverse_v2", ("gcc@11.4.0",))]),
    "e4s-oneapi": (4, [_UBU[:3] + (("intel-oneapi-compilers@2024.2.1", "gcc@11.4.0"),)]),
    "e4s-rocm-external": (3, [_UBU]),
    "e4s-cray-rhel": (3, [("rhel8", "linux", "zen4", ("cce@18.0.0", "gcc@11.1.0"))]),
    "data-vis-sdk": (2, [("ubuntu20.04", "linux", "x86_64_v3", ("gcc@11.1.0",))]),
    "hep": (3, [_UBU]),
    "radiuss": (3, [_UBU[:3] + (("gcc@11.4.0", "llvm@14.0.0"),)]),
    "radiuss-aws": (2, [("amzn2", "linux", "x86_64_v4", ("gcc@12.3.0",))]),
    "radiuss-aws-aarch64": (2, [("amzn2", "linux", "aarch64", ("gcc@12.3.0",))]),
    "aws-pcluster-neoverse_v1": (2, [("amzn2", "linux", "neoverse_v1", ("gcc@12.3.0",))]),
    "aws-pcluster-x86_64_v4": (2, [("amzn2", "linux", "x86_64_v4", ("gcc@12.3.0",))]),
    "ml-linux-x86_64-cpu": (3, [_UBU]),
    "ml-linux-x86_64-cuda": (3, [_UBU]),
    "ml-linux-aarch64-cpu": (2, [_UBU_ARM]),
    "ml-linux-aarch64-cuda": (2, [_UBU_ARM]),
    "tutorial": (1, [_UBU[:3] + (("gcc@11.4.0", "gcc@12.3.0"),), _MAC]),
    "build_systems": (1, [_UBU24, _MAC]),
    "developer-tools-x86_64_v3-linux-gnu": (2, [_UBU24]),
}
STACK_NAMES = list(STACKS)
STACK_WEIGHTS = [STACKS[s][0] for s in STACK_NAMES]
COMPILER_BUMP = {"gcc@11.1.0": "gcc@11.4.0", "gcc@11.4.0": "gcc@12.3.0",
                 "gcc@12.3.0": "gcc@13.2.0", "llvm@14.0.0": "gcc@12.3.0"}
FLAGS = ["+shared", "~static", "+pic", "~ipo", "+mpi", "~mpi", "+openmp", "~openmp", "+fortran", "~debug", "+examples", "~docs", "+python", "~cuda", "~rocm", "+hdf5", "+zlib", "~X", "+threads", "libs=shared,static", "build_type=Release", "cxxstd=17", "generator=ninja", "patches:=0d98e93,4c24573", "+int64", "~tests", "+lapack", "precision=double", "~netcdf", "+bzip2", "dev_path=none", "+blas"]
SYLLABLES = ["ab", "al", "ar", "ba", "be", "bo", "ca", "co", "da", "de", "di", "el", "en", "fa", "fi", "ga", "go", "ha", "ka", "la", "li", "lo", "ma", "me", "mi", "na", "ne", "no", "pa", "pi", "ra", "re", "ri", "sa", "se", "so", "ta", "te", "ti", "to", "va", "vi", "xa", "za", "zo", "qu", "ix", "ul", "ox", "yl"]
WORDS = ["hdf", "mpi", "blas", "fft", "mesh", "solver", "trace", "parse", "yaml", "json", "xml", "graph", "sparse", "ode", "grid", "viz", "io", "net", "http", "crypt", "zip", "math", "stat", "plot", "data", "test", "util", "tools", "core", "bio", "geo", "phys", "chem", "flow", "kit", "cache", "lint", "sim", "tensor", "image"]
PREFIXES = [("py-", 35), ("r-", 10), ("perl-", 5), ("lib", 8), ("", 42)]
# fmt: on


def meta_of(specs: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``meta`` object of a package file: sorted unions and per-stack counts."""
    by_stack: dict[str, int] = {}
    for s in specs:
        for st in s["stacks"]:
            by_stack[st] = by_stack.get(st, 0) + 1
    meta: dict[str, Any] = {
        k: sorted({s[f] for s in specs})
        for k, f in [
            ("compilers", "compiler"),
            ("oss", "os"),
            ("platforms", "platform"),
            ("targets", "target"),
        ]
    }
    meta.update(
        num_specs=len(specs),
        num_specs_by_stack=by_stack,
        stacks=sorted(by_stack),
        versions=sorted({v for s in specs for v in s["versions"]}),
    )
    return meta


class Spec:
    """One immutable spec; ``js`` is its json.dumps(sort_keys=True) text."""

    __slots__ = ("d", "js")

    def __init__(self, d: dict[str, Any]) -> None:
        self.d = d
        self.js = json.dumps(d, sort_keys=True)

    def replace(self, **changes: Any) -> Spec:
        return Spec({**self.d, **changes})


class Pkg:
    """A package state; never mutated once built (copies are shared between snapshots)."""

    __slots__ = ("_body", "name", "profile", "specs")

    def __init__(self, name: str, profile: dict[str, Any], specs: list[Spec]) -> None:
        self.name = name
        self.profile = profile
        self.specs = sorted(specs, key=lambda s: s.d["hash"])
        self._body: str | None = None

    def body(self) -> str:
        """The meta and spec_details lines (independent of the tag)."""
        if self._body is None:
            meta = meta_of([s.d for s in self.specs])
            self._body = (
                "meta: "
                + json.dumps(meta, sort_keys=True)
                + "\nspec_details: ["
                + ", ".join(s.js for s in self.specs)
                + "]"
            )
        return self._body

    def render(self, tag: str) -> bytes:
        return (
            f'---\ntitle: "{self.name}"\nlayout: cache\ncategories: [package, {tag}]\n'
            f"{self.body()}\n---"
        ).encode()


Catalog = dict[str, Pkg]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used_names: set[str] = set()

    # -- vocabulary -------------------------------------------------------------
    def new_hash(self) -> str:  # 160 random bits in lowercase RFC 4648 base32 = 32 chars
        return base64.b32encode(self.rng.getrandbits(160).to_bytes(20, "big")).decode().lower()

    def new_name(self) -> str:
        rng = self.rng
        while True:
            prefix = rng.choices([p for p, _ in PREFIXES], [w for _, w in PREFIXES])[0]
            parts = [
                rng.choice(WORDS)
                if rng.random() < 0.5
                else "".join(rng.choices(SYLLABLES, k=rng.randint(2, 3)))
                for _ in range(rng.choices([1, 2, 3], [50, 40, 10])[0])
            ]
            name = prefix + ("" if prefix == "lib" else "-").join(parts)
            if rng.random() < 0.08:
                name += str(rng.randint(2, 9))
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def new_version(self, prev: str | None) -> str:
        rng = self.rng
        if prev is None:
            if rng.random() < 0.1:
                return f"20{rng.randint(18, 24)}.{rng.randint(1, 12):02d}"
            return f"{rng.randint(0, 6)}.{rng.randint(0, 20)}.{rng.randint(0, 12)}"
        head, _, last = prev.rpartition(".")
        return f"{head}.{int(last) + 1}" if head else f"{int(last) + 1}"

    def new_profile(self, name: str) -> dict[str, Any]:
        rng, n_stacks = self.rng, self.rng.randint(2, 6)
        stacks: list[str] = []
        while len(stacks) < n_stacks:
            if (s := rng.choices(STACK_NAMES, STACK_WEIGHTS)[0]) not in stacks:
                stacks.append(s)
        bs = (
            "python_pip"
            if name.startswith("py-")
            else "r"
            if name.startswith("r-")
            else "perl"
            if name.startswith("perl-")
            else rng.choice(["cmake", "cmake", "autotools", "makefile", "meson", "generic"])
        )
        flags = sorted(set(rng.sample(FLAGS, rng.randint(4, 13))))
        versions = [self.new_version(None)]
        versions += [self.new_version(versions[-1]) for _ in range(rng.randint(0, 2))]
        return {
            "stacks": stacks,
            "variants": [f"build_system={bs}"] + flags,
            "versions": versions,
            "noarch": rng.random() < 0.08,
        }

    def new_spec(self, prof: dict[str, Any]) -> Spec:
        rng = self.rng
        stacks = prof["stacks"]
        primary = rng.choices(stacks, [STACKS[s][0] for s in stacks])[0]
        configs = STACKS[primary][1]
        os_, platform, target, compilers = (
            configs[-1] if len(configs) > 1 and rng.random() < 0.15 else configs[0]
        )
        others = [s for s in stacks if s != primary]
        extra = rng.sample(others, min(len(others), rng.choice([0, 0, 1, 1, 2])))
        variants = list(prof["variants"])
        if "cuda" in primary:
            variants += ["+cuda", f"cuda_arch:={rng.choice(['80', '90', '70,80'])}"]
        elif "rocm" in primary:
            variants += ["+rocm", "amdgpu_target:=gfx90a"]
        if len(variants) > 2 and rng.random() < 0.3:  # per-config variant toggle
            i = rng.randrange(1, len(variants))
            v = variants[i]
            variants[i] = "~" + v[1:] if v[0] == "+" else "+" + v[1:] if v[0] == "~" else v
        vers = prof["versions"]
        return Spec(
            {
                "compiler": "none" if prof["noarch"] else rng.choice(compilers),
                "hash": self.new_hash(),
                "os": os_,
                "platform": platform,
                "size": "-",
                "stacks": sorted(["root", primary] + extra),
                "target": target,
                "variants": variants,
                "versions": [vers[-1] if rng.random() < 0.7 else rng.choice(vers)],
            }
        )

    def new_pkg(self) -> Pkg:
        name = self.new_name()
        prof = self.new_profile(name)
        n = min(400, max(1, round(self.rng.lognormvariate(math.log(10), 1.0))))
        return Pkg(name, prof, [self.new_spec(prof) for _ in range(n)])

    # -- evolution ----------------------------------------------------------------
    def mutate_pkg(self, pkg: Pkg) -> Pkg:
        """Return a changed copy of pkg (content always differs)."""
        rng = self.rng
        prof, specs = pkg.profile, list(pkg.specs)
        ops = rng.choices(
            ["rebuild", "stacks", "add", "remove", "compiler", "version"],
            [5, 3, 2, 2.5, 0.4, 0.8],
            k=rng.choice([1, 1, 2]),
        )
        if "rebuild" not in ops and "add" not in ops:
            ops.append("rebuild")  # guarantees a visible change
        for op in ops:
            if op == "rebuild":
                for i in rng.sample(
                    range(len(specs)), max(1, round(len(specs) * rng.uniform(0.1, 1.0)))
                ):
                    specs[i] = specs[i].replace(hash=self.new_hash())
            elif op == "stacks":
                for i in rng.sample(range(len(specs)), max(1, len(specs) // 4)):
                    st = [s for s in specs[i].d["stacks"] if s != "root"]
                    free = [s for s in prof["stacks"] if s not in st]
                    if len(st) > 1 and (not free or len(st) >= 3 or rng.random() < 0.5):
                        st.remove(rng.choice(st))
                    elif free:
                        st.append(rng.choice(free))
                    specs[i] = specs[i].replace(stacks=sorted(st + ["root"]))
            elif op == "add":
                specs += [self.new_spec(prof) for _ in range(rng.randint(1, 3))]
            elif op == "remove" and len(specs) > 1:
                for i in sorted(
                    rng.sample(range(len(specs)), min(len(specs) - 1, rng.randint(1, 3))),
                    reverse=True,
                ):
                    del specs[i]
            elif op == "compiler":
                old = rng.choice(specs).d["compiler"]
                if old in COMPILER_BUMP:
                    specs = [
                        s.replace(compiler=COMPILER_BUMP[old], hash=self.new_hash())
                        if s.d["compiler"] == old
                        else s
                        for s in specs
                    ]
            elif op == "version":
                prof = {
                    **prof,
                    "versions": prof["versions"][-2:] + [self.new_version(prof["versions"][-1])],
                }
                newest = prof["versions"][-1]
                specs = [
                    s.replace(versions=[newest], hash=self.new_hash()) if rng.random() < 0.6 else s
                    for s in specs
                ]
        return Pkg(pkg.name, prof, specs)

    def evolve(self, cat: Catalog, frac: float) -> tuple[set[str], set[str]]:
        """Mutate cat in place; return (written names, deleted names)."""
        rng = self.rng
        names = list(cat)
        chosen = rng.sample(names, max(1, round(frac * len(names))))
        for n in chosen:
            cat[n] = self.mutate_pkg(cat[n])
        chosen_set = set(chosen)
        removed = rng.sample(
            [n for n in names if n not in chosen_set],
            min(rng.randint(0, 3), len(names) - len(chosen)),
        )
        for n in removed:
            del cat[n]
        written = set(chosen)
        for _ in range(rng.randint(0, 3)):
            p = self.new_pkg()
            cat[p.name] = p
            written.add(p.name)
        return written, set(removed)

    def day_fraction(self) -> float:  # ordinary days: 2-25% of develop, mode 6%
        return self.rng.triangular(0.02, 0.25, 0.06)


def date_of(day: int) -> dt.datetime:
    return EPOCH + dt.timedelta(days=day)


def frozen_plan(n: int) -> tuple[int, dict[int, str]]:
    """Pre-history length and {pre-history step: frozen tag name}."""
    n_weekly = max(0, n - 2)
    length = 7 * n_weekly + 14
    plan = dict(list({0: "v0.23.0", 6: "v0.23.1"}.items())[: min(n, 2)])
    for j in range(n_weekly):
        step = length - 7 * (j + 1)
        plan[step] = "develop-" + date_of(step - length).strftime("%Y-%m-%d")
    return length, plan


def fi_files(tag: str, pkgs: list[Pkg]) -> bytes:
    """fast-import ``M`` commands writing the given packages' files under ``tag``."""
    return b"".join(
        b"M 100644 inline _cache/%s/%s/specs.md\ndata %d\n%s\n"
        % (tag.encode(), p.name.encode(), len(data), data)
        for p in pkgs
        for data in [p.render(tag)]
    )


def fi_commit(day: int, msg: str) -> bytes:
    """Header of the fast-import commit ``day`` (mark day+1, parent mark day)."""
    ts = int(date_of(day).timestamp())
    parent = f"from :{day}\n" if day else ""
    return (
        f"commit refs/heads/main\nmark :{day + 1}\nauthor {IDENT} {ts} +0000\n"
        f"committer {IDENT} {ts} +0000\ndata {len(msg)}\n{msg}\n{parent}"
    ).encode()


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.invalid",
        GIT_AUTHOR_DATE="2025-01-01T00:00:00+00:00",
        GIT_COMMITTER_DATE="2025-01-01T00:00:00+00:00",
    )
    return env


def start_repository(out: Path) -> subprocess.Popen[bytes]:
    """A new repository at ``out`` and a ``git fast-import`` writing into it."""
    env = git_env()
    if (out / ".git" / "bench.json").exists():  # only ever replace our own output
        shutil.rmtree(out)
    elif out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} exists, is not empty and was not made by this script")
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True, env=env)
    fi = subprocess.Popen(
        ["git", "-c", "commit.gpgsign=false", "fast-import", "--quiet"],
        cwd=out,
        stdin=subprocess.PIPE,
        env=env,
    )
    assert fi.stdin is not None
    return fi


def repack(out: Path) -> dict[str, Any]:
    """Repack as a fresh clone is packed: one pack, deltas recomputed with git's default
    depth and window (``git repack -a -d -f``), references packed. fast-import's own pack
    deltas each blob against the previous version of its path only, which gives long
    chains that no clone has; timing git on them would flatter catalog-diff."""
    env = git_env()
    t0 = time.monotonic()
    subprocess.run(["git", "repack", "-a", "-d", "-f", "-q"], cwd=out, check=True, env=env)
    subprocess.run(["git", "pack-refs", "--all"], cwd=out, check=True, env=env)
    secs = time.monotonic() - t0
    packs = list((out / ".git" / "objects" / "pack").glob("*.pack"))
    return {
        "repacked": "git repack -a -d -f",
        "repack_seconds": round(secs, 1),
        "pack_bytes": sum(p.stat().st_size for p in packs),
    }


def generate(
    out: Path, packages: int, commits: int, seed: int, n_frozen: int, shape: str = "weekly"
) -> dict[str, Any]:
    gen = Generator(seed)
    rng = gen.rng
    env = git_env()
    fi = start_repository(out)
    assert fi.stdin is not None

    develop: Catalog = {p.name: p for p in (gen.new_pkg() for _ in range(packages))}
    pre_len, plan = frozen_plan(n_frozen)
    frozen: dict[str, Catalog] = {}
    for step in range(pre_len + 1):
        if step in plan:
            frozen[plan[step]] = dict(develop)
        if step < pre_len:
            gen.evolve(develop, gen.day_fraction())

    fi.stdin.write(fi_commit(0, "catalog day 000: initial import\n"))
    sizes = {}  # packages per tag; snapshots are dropped once written to bound memory
    for t, cat in {"develop": develop, **frozen}.items():
        fi.stdin.write(fi_files(t, [cat[n] for n in sorted(cat)]))
        sizes[t] = len(cat)
    fi.stdin.write(b"\n")
    frozen_names, files_changed = list(frozen), [sum(sizes.values())]
    del frozen

    # The weekly shape adds a weekly tag every 7th day; the frozen one keeps the tags of
    # day-000 fixed, so that every later commit changes develop only.
    weekly = list(range(7, commits + 1, 7)) if shape == "weekly" else []
    # the worst day avoids weekly-tag commits
    candidates = [i for i in range(1, commits + 1) if i not in weekly] or weekly
    worst = rng.choice(candidates) if candidates else None
    fractions: list[float] = [1.0]
    for day in range(1, commits + 1):
        frac = WORST_FRACTION if day == worst else gen.day_fraction()
        written, removed = gen.evolve(develop, frac)
        msg = f"catalog day {day:03d}: {len(written)} written, {len(removed)} deleted\n"
        tag = "develop-" + date_of(day).strftime("%Y-%m-%d") if day in weekly else ""
        fi.stdin.write(fi_commit(day, msg + (f"\nnew tag {tag}\n" if tag else "")))
        fi.stdin.write(fi_files("develop", [develop[n] for n in sorted(written)]))
        fi.stdin.write(
            b"".join(b"D _cache/develop/%s/specs.md\n" % n.encode() for n in sorted(removed))
        )
        if tag:  # weekly snapshot of develop
            sizes[tag] = len(develop)
            fi.stdin.write(fi_files(tag, [develop[n] for n in sorted(develop)]))
        fi.stdin.write(b"\n")
        fractions.append(round(frac, 4))
        files_changed.append(len(written) + len(removed) + (len(develop) if tag else 0))
    for day in range(commits + 1):
        fi.stdin.write(f"reset refs/tags/day-{day:03d}\nfrom :{day + 1}\n\n".encode())
    fi.stdin.close()
    if fi.wait() != 0:
        raise SystemExit("git fast-import failed")

    refs = [f"day-{d:03d}" for d in range(commits + 1)]
    shas = subprocess.run(
        ["git", "rev-parse", *refs], cwd=out, env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    counts = [len(p.specs) for p in develop.values()]
    total, nbytes = sum(counts), sum(len(s.js) for p in develop.values() for s in p.specs)
    info: dict[str, Any] = {
        "shape": shape,
        "seed": seed,
        "packages_arg": packages,
        "commits_arg": commits,
        "frozen_tags": frozen_names,
        "commit_refs": refs,
        "commits": shas,
        "worst_day": worst,
        "rewrite_fraction": fractions,
        "files_changed": files_changed,
        "packages_per_tag": {**sizes, "develop": len(develop)},
        "develop_packages": len(develop),
        "develop_specs": total,
        "median_specs_per_package": statistics.median(counts),
        "mean_bytes_per_spec": round(nbytes / max(1, total), 1),
    }
    info.update(repack(out))
    (out / ".git" / "bench.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path, help="output repository (replaced if it exists)")
    ap.add_argument("--packages", type=int, default=1500)
    ap.add_argument("--commits", type=int, default=60)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies --packages")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--frozen-tags",
        type=int,
        default=None,
        help="tags already in day-000 (default 5; 13 with --shape frozen)",
    )
    ap.add_argument(
        "--shape",
        choices=["weekly", "frozen", "scale"],
        default="weekly",
        help="weekly: a new weekly tag every 7th day; frozen: the tags of day-000 never "
        "change, later days change develop only; scale: the real catalog's whole life "
        "(see scale.py, which takes its own options after --shape scale)",
    )
    argv = sys.argv[1:] if argv is None else argv
    pairs = list(zip(argv, [*argv[1:], ""], strict=True))
    if ("--shape", "scale") in pairs or "--shape=scale" in argv:
        import scale  # benchmarks/scale.py, beside this file, reads its own options

        rest = [
            x
            for i, x in enumerate(argv)
            if x != "--shape=scale"
            and not (
                pairs[i] == ("--shape", "scale") or (i and pairs[i - 1] == ("--shape", "scale"))
            )
        ]
        return scale.main(rest)
    a = ap.parse_args(argv)
    frozen = a.frozen_tags if a.frozen_tags is not None else (13 if a.shape == "frozen" else 5)
    t0 = time.monotonic()
    info = generate(
        a.outdir, max(1, round(a.packages * a.scale)), a.commits, a.seed, frozen, a.shape
    )
    print(
        f"generated {a.outdir} ({a.shape}): {info['develop_packages']} packages, "
        f"{info['develop_specs']} specs in develop, {len(info['commits'])} commits, "
        f"{len(info['packages_per_tag'])} tags, worst day {info['worst_day']}, "
        f"median {info['median_specs_per_package']} specs/pkg, "
        f"mean {info['mean_bytes_per_spec']} B/spec, pack {info['pack_bytes'] / 2**20:.0f} MiB, "
        f"{time.monotonic() - t0:.1f}s (repack {info['repack_seconds']}s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
