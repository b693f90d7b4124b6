"""Writing a snapshot file: a whole catalog, normalised, in one JSON file (gzip for
``.gz``), as :mod:`catalog_diff.sources.snapshotfile` reads it back.

Writing is deterministic: sorted keys, sorted packages, and a gzip header without a
timestamp, so the same snapshot always gives the same bytes; a file is written whole or
not at all.
"""

from __future__ import annotations

import gzip
from collections import Counter
from collections.abc import Iterator
from typing import BinaryIO

import orjson

from ..errors import UsageError
from ..model.snapshot import Snapshot, Spec
from ..process.output import replacing

#: What a snapshot file says it is, and the version of its format.
FORMAT = "catalog-diff snapshot"
VERSION = 1


def dumps(snapshot: Snapshot) -> bytes:
    """Serialise a complete snapshot (JSON bytes, one package per line)."""
    return b"".join(chunks(snapshot))


def chunks(snapshot: Snapshot) -> Iterator[bytes]:
    """The bytes of :func:`dumps`, a package at a time (a whole catalog's file is over
    100 MB: written in pieces, it is never held whole)."""
    if not snapshot.complete:
        raise UsageError("only a complete snapshot can be saved (this one was read in part)")
    info = snapshot.info
    head = {
        "format": FORMAT,
        "version": VERSION,
        "source": {
            "kind": info.kind.value,
            "source": info.source,
            "revision": info.revision,
            "commit": info.commit,
            "date": info.date,
        },
        "tags": sorted(snapshot.tags),
        "problems": [
            {"path": p.path, "message": p.message}
            for p in sorted(snapshot.problems, key=lambda p: (p.path, p.message))
        ],
    }
    if snapshot.selected_tag is not None or snapshot.selected_packages:
        # A snapshot of part of the catalog says so (absent: the whole catalog).
        head["selection"] = {
            "tag": snapshot.selected_tag,
            "packages": list(snapshot.selected_packages),
        }
    # What the problems leave unknown: packages that could not be read, and folders of
    # _cache/ that could not be listed (a diff of this file keeps them problems). Written
    # only when there are some: a clean snapshot's bytes are as they always were.
    if snapshot.broken:
        head["broken"] = [{"tag": tag, "name": name} for tag, name in sorted(snapshot.broken)]
    if snapshot.unlisted_tags:
        head["unlisted_tags"] = sorted(snapshot.unlisted_tags)
    yield orjson.dumps(head, option=orjson.OPT_SORT_KEYS)[:-1] + b',"packages":['
    keys = sorted(snapshot.packages)
    # Packages that share their specs (a frozen tag's copies) share their serialisation,
    # kept until the last of them is written.
    uses = Counter(id(package.specs) for package in snapshot.packages.values())
    specs_json: dict[int, bytes] = {}
    last = len(keys) - 1
    for i, key in enumerate(keys):
        package = snapshot.packages[key]
        shared = id(package.specs)
        specs = specs_json.get(shared)
        if specs is None:
            specs = orjson.dumps([_spec_record(spec) for spec in package.specs])
        uses[shared] -= 1
        if uses[shared]:
            specs_json[shared] = specs
        else:
            specs_json.pop(shared, None)
        # Every key in sorted order, as OPT_SORT_KEYS would write them.
        yield b"".join(
            (
                b'\n{"blob":',
                orjson.dumps(package.oid),
                b',"name":',
                orjson.dumps(package.name),
                b',"path":',
                orjson.dumps(package.path),
                b',"specs":',
                specs,
                b',"tag":',
                orjson.dumps(package.tag),
                b"}," if i < last else b"}",
            )
        )
    yield b"\n]}\n"


def _spec_record(spec: Spec) -> dict[str, object]:
    """:meth:`Spec.as_dict` with its keys in sorted order and tuples left as they are:
    the same JSON, written without sorting or copying."""
    return {
        "compiler": spec.compiler,
        "hash": spec.hash,
        "os": spec.os,
        "platform": spec.platform,
        "stacks": spec.stacks,
        "target": spec.target,
        "variants": spec.variants,
        "versions": spec.versions,
    }


def write(path: str, snapshot: Snapshot) -> None:
    """Write the snapshot to ``path`` (gzip when it ends in ``.gz``), a package at a time.

    A regular file is written whole or not at all (see
    :func:`catalog_diff.process.output.replacing`): an error or an interruption half-way
    leaves what was there before. Anything else (``/dev/null``, a pipe) is written in
    place.
    """
    with replacing(path) as f:
        write_to(f, path.endswith(".gz"), snapshot)


def write_to(f: BinaryIO, gz: bool, snapshot: Snapshot) -> None:
    """The snapshot file's bytes, into an open binary file (gzip when ``gz``)."""
    if gz:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as packed:
            packed.writelines(chunks(snapshot))
    else:
        f.writelines(chunks(snapshot))
