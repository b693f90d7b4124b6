#!/usr/bin/env python3
"""The real catalog's whole life, synthetic: the scale mode of ``generate.py``.

Usage::

    python benchmarks/generate.py OUTDIR --shape scale [--days 1500] [--packages 1200]
        [--specs 60000] [--start-packages 300] [--oldest-days 60] [--middle-days 60]
        [--releases 10] [--seed 1]

One commit a day (``day-0000`` ... ``day-1499``, ``main`` at the last), written with one
``git fast-import`` and repacked as a clone is (``git repack -a -d -f``):

- days ``0 .. oldest-days - 1``: the oldest layout, ``_cache/<pkg>/index.md`` listing one
  ``spec-N.json`` per spec (pretty-printed spec.json v2, one node);
- the next ``middle-days``: the middle layout, ``_cache/<pkg>/specs.md`` (``spec_files``
  and ``spec_names`` block lists) beside the same ``spec-N.json`` files. The switch is
  one commit that replaces every ``index.md`` with a ``specs.md``;
- then tag folders, ``_cache/<tag>/<pkg>/specs.md`` (the format of ``generate.py``): the
  switch is one commit that removes the untagged folders and writes ``_cache/develop``.
  From then on, every 7th day also copies develop into a weekly tag
  ``develop-YYYY-MM-DD`` (about 200 by the end), and ``--releases`` days spread over the
  tag era copy it into a release tag (``v0.16.0`` ...). Tags, once written, never change.

``develop`` grows linearly from ``--start-packages`` packages of about 15 specs to
``--packages`` packages and ``--specs`` specs. Each day rewrites 2-25% of its packages
(mode 6%) as ``generate.py`` does (rebuilds, stack changes, specs added or removed,
compiler and version bumps), adds the packages and specs the growth asks for, and
deletes a package now and then. ``OUTDIR/.git/bench.json`` records the commits, the
weekly and release tags with the day that wrote them, the layout eras and the sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from generate import Generator, Pkg, Spec, git_env, repack, start_repository

EPOCH = dt.datetime(2021, 3, 1, tzinfo=dt.timezone.utc)
IDENT = "bench <bench@example.invalid>"
RELEASES = [
    "v0.16.0", "v0.16.1", "v0.17.0", "v0.17.1", "v0.18.0", "v0.18.1", "v0.19.0", "v0.20.0",
    "v0.21.0", "v0.22.0", "v0.22.1", "v0.23.0",
]  # fmt: skip


def day_date(day: int) -> dt.datetime:
    return EPOCH + dt.timedelta(days=day)


class Legacy:
    """The untagged layouts: stable ``spec-N.json`` names per package, the files' text."""

    def __init__(self) -> None:
        self.numbers: dict[str, dict[str, int]] = {}  # package -> spec hash -> N
        self.next: dict[str, int] = {}
        self.json_cache: dict[str, bytes] = {}

    def number(self, pkg: str, digest: str) -> int:
        nums = self.numbers.setdefault(pkg, {})
        if digest not in nums:
            nums[digest] = self.next.get(pkg, 0)
            self.next[pkg] = nums[digest] + 1
        return nums[digest]

    @staticmethod
    def compiler(spec: Spec) -> tuple[str, str]:
        name, _, version = spec.d["compiler"].partition("@")
        return (name, version) if version else ("gcc", "4.8.5")  # "none": no compiler then

    def spec_string(self, name: str, spec: Spec) -> str:
        d = spec.d
        cname, cver = self.compiler(spec)
        flags = "".join(v for v in d["variants"] if v[0] in "+~")
        keyed = "".join(f" {v.replace(':=', '=')}" for v in d["variants"] if v[0] not in "+~")
        return (
            f"{name}@{d['versions'][0]}%{cname}@{cver}{flags}{keyed} "
            f"arch={d['platform']}-{d['os']}-{d['target']}"
        )

    def spec_json(self, name: str, spec: Spec) -> bytes:
        key = spec.d["hash"]
        if key not in self.json_cache:
            d = spec.d
            params: dict[str, Any] = {}
            for v in d["variants"]:
                if v[0] in "+~":
                    params[v[1:]] = v[0] == "+"
                else:
                    k, _, val = v.replace(":=", "=").partition("=")
                    params[k] = val.split(",") if "," in val else val
            for flag in ("cflags", "cppflags", "cxxflags", "fflags", "ldflags", "ldlibs"):
                params.setdefault(flag, [])
            cname, cver = self.compiler(spec)
            node = {
                "name": name,
                "version": d["versions"][0],
                "arch": {"platform": d["platform"], "platform_os": d["os"], "target": d["target"]},
                "compiler": {"name": cname, "version": cver},
                "namespace": "builtin",
                "parameters": params,
                "hash": key,
                "full_hash": key[::-1],
            }
            doc = {"spec": {"_meta": {"version": 2}, "nodes": [node]}}
            self.json_cache[key] = json.dumps(doc, indent=4).encode()
        return self.json_cache[key]

    def list_file(self, pkg: Pkg, kind: str) -> tuple[str, bytes]:
        """(file name, text) of the package's ``index.md`` or untagged ``specs.md``."""
        entries = [
            (self.spec_string(pkg.name, s), f"spec-{self.number(pkg.name, s.d['hash'])}.json")
            for s in pkg.specs
        ]
        versions = list(dict.fromkeys(v for s in pkg.specs for v in s.d["versions"]))
        compilers = list(dict.fromkeys("@".join(self.compiler(s)) for s in pkg.specs))
        head = f'---\ntitle: "{pkg.name}"\nlayout: cache\ncategory: package\n'
        if kind == "index":
            meta = json.dumps({"versions": versions, "compilers": compilers})
            body = "".join(f' - "{spec}": {file}\n' for spec, file in entries)
            return "index.md", f"{head}meta: {meta}\nspec_files:\n{body}\n---".encode()
        meta = json.dumps({"versions": sorted(versions), "compilers": sorted(compilers)})
        files = "".join(f" - {file}\n" for _, file in entries)
        names = "".join(" - '" + spec.replace("'", "''") + "'\n" for spec, _ in entries)
        text = f"{head}meta: {meta}\nspec_files: \n{files}spec_names:\n{names}---"
        return "specs.md", text.encode()

    def write(self, pkg: Pkg, old: Pkg | None, kind: str) -> bytes:
        """fast-import commands: the package's list file and its new spec files; the spec
        files of specs it no longer has are deleted."""
        folder = f"_cache/{pkg.name}"
        out = []
        before = {s.d["hash"] for s in old.specs} if old is not None else set()
        now = {s.d["hash"] for s in pkg.specs}
        for digest in sorted(before - now):
            n = self.numbers[pkg.name].pop(digest)
            out.append(f"D {folder}/spec-{n}.json\n".encode())
        for s in pkg.specs:
            if s.d["hash"] not in before:
                data = self.spec_json(pkg.name, s)
                n = self.number(pkg.name, s.d["hash"])
                out.append(fi_blob(f"{folder}/spec-{n}.json", data))
        name, data = self.list_file(pkg, kind)
        out.append(fi_blob(f"{folder}/{name}", data))
        return b"".join(out)


def fi_blob(path: str, data: bytes) -> bytes:
    return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)


def fi_commit(day: int, msg: str) -> bytes:
    ts = int(day_date(day).timestamp())
    parent = f"from :{day}\n" if day else ""
    return (
        f"commit refs/heads/main\nmark :{day + 1}\nauthor {IDENT} {ts} +0000\n"
        f"committer {IDENT} {ts} +0000\ndata {len(msg)}\n{msg}\n{parent}"
    ).encode()


class Growth:
    """Targets for develop on a day: packages, and specs per package."""

    def __init__(self, days: int, start: int, end: int, specs: int) -> None:
        self.days, self.start, self.end = days, start, end
        self.per_end = specs / end
        self.per_start = min(15.0, self.per_end)

    def share(self, day: int) -> float:
        return day / max(1, self.days - 1)

    def packages(self, day: int) -> int:
        return round(self.start + (self.end - self.start) * self.share(day))

    def per_package(self, day: int) -> float:
        return self.per_start + (self.per_end - self.per_start) * self.share(day)


def new_pkg(gen: Generator, mean: float) -> Pkg:
    name = gen.new_name()
    prof = gen.new_profile(name)
    sigma = 0.9  # lognormal: mean = median * exp(sigma^2 / 2)
    n = min(400, max(1, round(gen.rng.lognormvariate(math.log(mean) - sigma**2 / 2, sigma))))
    return Pkg(name, prof, [gen.new_spec(prof) for _ in range(n)])


def generate_scale(
    out: Path,
    *,
    days: int,
    packages: int,
    specs: int,
    start_packages: int,
    oldest_days: int,
    middle_days: int,
    releases: int,
    seed: int,
) -> dict[str, Any]:
    t0 = time.monotonic()
    gen = Generator(seed)
    rng = gen.rng
    growth = Growth(days, start_packages, packages, specs)
    tag_start = oldest_days + middle_days
    span = max(1, days - tag_start)
    release_days = {
        tag_start + (k * span) // releases + span // (2 * releases) + 3: RELEASES[k % len(RELEASES)]
        for k in range(releases)
    }
    fi = start_repository(out)
    stdin = fi.stdin
    assert stdin is not None
    legacy = Legacy()
    develop = {
        p.name: p for p in (new_pkg(gen, growth.per_package(0)) for _ in range(start_packages))
    }
    total = sum(len(p.specs) for p in develop.values())
    weekly: dict[str, int] = {}
    written_releases: dict[str, int] = {}
    sizes: dict[str, int] = {}
    tag_files = tag_bytes = 0

    def layout(day: int) -> str:
        return "index" if day < oldest_days else "flat" if day < tag_start else "tags"

    for day in range(days):
        kind = layout(day)
        changed: dict[str, Pkg | None] = {}  # name -> previous state (None: new)
        removed: list[str] = []
        if day:
            names = list(develop)
            chosen = rng.sample(names, max(1, round(gen.day_fraction() * len(names))))
            for n in chosen:
                changed[n] = develop[n]
                develop[n] = gen.mutate_pkg(develop[n])
            rest = [n for n in names if n not in changed]
            removed = rng.sample(rest, min(len(rest), rng.choice([0, 0, 0, 1, 1, 2])))
            for n in removed:
                del develop[n]
            while len(develop) < growth.packages(day) + rng.randint(0, 1):
                p = new_pkg(gen, growth.per_package(day))
                develop[p.name] = p
                changed[p.name] = None
            total = sum(len(p.specs) for p in develop.values())
            deficit = round(growth.packages(day) * growth.per_package(day)) - total
            grow = [n for n, old in changed.items() if old is not None]
            for _ in range(min(max(0, deficit), 40 * len(grow))):
                n = rng.choice(grow)
                p = develop[n]
                develop[n] = Pkg(n, p.profile, [*p.specs, gen.new_spec(p.profile)])
                total += 1
        tag = ""
        if kind == "tags" and day > tag_start and (day - tag_start) % 7 == 0:
            tag = "develop-" + day_date(day).strftime("%Y-%m-%d")
        release = release_days.get(day, "") if kind == "tags" else ""
        msg = f"catalog day {day:04d}: {len(changed)} written, {len(removed)} deleted\n"
        msg += "".join(f"\nnew tag {t}\n" for t in (tag, release) if t)
        stdin.write(fi_commit(day, msg))
        if day == 0 or (kind == "flat" and day == oldest_days):
            for n in sorted(develop):  # the first commit, or the switch to specs.md
                if day:
                    stdin.write(f"D _cache/{n}/index.md\n".encode())
                old = changed.get(n, develop[n]) if day else None
                stdin.write(legacy.write(develop[n], old, kind))
            for n in sorted(removed):
                stdin.write(f"D _cache/{n}\n".encode())
                legacy.numbers.pop(n, None)
        elif kind == "tags" and day == tag_start:  # the switch to tag folders
            stdin.write(b"deleteall\n")
            for n in sorted(develop):
                stdin.write(fi_blob(f"_cache/develop/{n}/specs.md", develop[n].render("develop")))
        elif kind == "tags":
            for n in sorted(changed):
                stdin.write(fi_blob(f"_cache/develop/{n}/specs.md", develop[n].render("develop")))
            stdin.write(b"".join(b"D _cache/develop/%s\n" % n.encode() for n in sorted(removed)))
        else:
            for n in sorted(changed):
                stdin.write(legacy.write(develop[n], changed[n], kind))
            for n in sorted(removed):
                stdin.write(f"D _cache/{n}\n".encode())
                legacy.numbers.pop(n, None)
        for t in (tag, release):
            if t:
                for n in sorted(develop):
                    data = develop[n].render(t)
                    tag_bytes += len(data)
                    stdin.write(fi_blob(f"_cache/{t}/{n}/specs.md", data))
                tag_files += len(develop)
                sizes[t] = len(develop)
                (weekly if t == tag else written_releases)[t] = day
        stdin.write(b"\n")
        if day == tag_start:
            legacy.json_cache.clear()
    for day in range(days):
        stdin.write(f"reset refs/tags/day-{day:04d}\nfrom :{day + 1}\n\n".encode())
    stdin.close()
    if fi.wait() != 0:
        raise SystemExit("git fast-import failed")
    import_secs = time.monotonic() - t0
    refs = [f"day-{d:04d}" for d in range(days)]
    shas = subprocess.run(
        ["git", "rev-parse", refs[0], refs[-1]],
        cwd=out,
        env=git_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    counts = sorted(len(p.specs) for p in develop.values())
    info: dict[str, Any] = {
        "shape": "scale",
        "seed": seed,
        "days": days,
        "commit_refs": refs,
        "first_commit": shas[0],
        "last_commit": shas[1],
        "layouts": {
            "index.md + spec-N.json": [refs[0], refs[oldest_days - 1]],
            "untagged specs.md + spec-N.json": [refs[oldest_days], refs[tag_start - 1]],
            "tag folders": [refs[tag_start], refs[-1]],
        },
        "weekly_tags": {t: refs[d] for t, d in weekly.items()},
        "release_tags": {t: refs[d] for t, d in written_releases.items()},
        "packages_per_tag": {**sizes, "develop": len(develop)},
        "develop_packages": len(develop),
        "develop_specs": sum(counts),
        "median_specs_per_package": counts[len(counts) // 2],
        "tag_copy_files": tag_files,
        "tag_copy_bytes": tag_bytes,
        "import_seconds": round(import_secs, 1),
    }
    info.update(repack(out))
    info["total_seconds"] = round(time.monotonic() - t0, 1)
    (out / ".git" / "bench.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path, help="output repository (replaced if it exists)")
    ap.add_argument("--days", type=int, default=1500)
    ap.add_argument("--packages", type=int, default=1200, help="develop packages at the end")
    ap.add_argument("--specs", type=int, default=60000, help="develop specs at the end")
    ap.add_argument("--start-packages", type=int, default=300)
    ap.add_argument("--oldest-days", type=int, default=60, help="days in index.md layout")
    ap.add_argument("--middle-days", type=int, default=60, help="days in untagged specs.md")
    ap.add_argument("--releases", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if not (a.oldest_days > 0 and a.middle_days > 0 and a.oldest_days + a.middle_days < a.days):
        ap.error("need 0 < --oldest-days, 0 < --middle-days and their sum below --days")
    argv = sys.argv[1:] if argv is None else argv
    info = generate_scale(
        a.outdir,
        days=a.days,
        packages=a.packages,
        specs=a.specs,
        start_packages=a.start_packages,
        oldest_days=a.oldest_days,
        middle_days=a.middle_days,
        releases=a.releases,
        seed=a.seed,
    )
    info["arguments"] = [x for x in argv if x != str(a.outdir)]
    (a.outdir / ".git" / "bench.json").write_text(json.dumps(info, indent=1) + "\n")
    print(
        f"generated {a.outdir} (scale): {len(info['commit_refs'])} commits, "
        f"{len(info['weekly_tags'])} weekly tags, {len(info['release_tags'])} releases, "
        f"develop {info['develop_packages']} packages / {info['develop_specs']} specs, "
        f"pack {info['pack_bytes'] / 2**30:.2f} GiB; import {info['import_seconds']}s, "
        f"repack {info['repack_seconds']}s, total {info['total_seconds']}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
