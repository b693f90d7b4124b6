"""The two untagged catalog layouts -> :class:`~catalog_diff.model.snapshot.Package`. Pure: no I/O.

Before tag folders (``_cache/<tag>/<package>/specs.md``), each package had a folder
``_cache/<package>/`` with one ``spec-N.json`` per binary and a list of them: ``index.md``
in the oldest layout, ``specs.md`` in the middle one (see
``tests/fixtures/catalog-samples/NOTES.md``). :func:`parse_index_md` and
:func:`parse_flat_specs_md` read the list into a :class:`LegacyIndex`,
:func:`parse_spec_json` reads one spec file, and :func:`assemble` builds the
:class:`Package` the rest of the program knows, with a :class:`Problem` for every listed
spec file that is missing or unreadable, so a history can reach back to the first commit.

The untagged layouts describe a single build cache and name no tag. They are filed under
:data:`IMPLICIT_TAG` (``develop``): the later tag lists (``_data/tags.yaml``) name
``develop`` first, as the rolling cache, and filing the old files there lets a history
compare the last untagged commit with the first tagged one like with like, instead of
reporting every package as removed from one tag and added to another. This is a
convention of catalog-diff; the old files say nothing about it.

The old layouts know no stacks: every spec read here has ``stacks == ()``. Spec files
that are not listed are not part of the catalog and are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import Any

import orjson

from ..errors import ParseError
from ..layout import FLAT_SPECS_MD, IMPLICIT_TAG, INDEX_MD, LIST_FILE, unsafe_name
from ..model.snapshot import Meta, Package, Problem, Spec
from .bulk import loads as json_loads
from .frontmatter import front_matter, too_large
from .specs import normalise_compiler, normalise_variant, sort_specs


@dataclass(frozen=True, slots=True)
class LegacyIndex:
    """What an ``index.md`` or an untagged ``specs.md`` says about its package.

    ``entries`` pairs each full spec string with its spec file name, in file order; a
    spec string listed with two files appears twice. ``name`` is the ``title`` (empty if
    the file has none); ``versions`` and ``compilers`` are the ``meta`` lists as written
    (the oldest layout does not sort them). ``kind`` is :data:`INDEX_MD` or
    :data:`FLAT_SPECS_MD`.
    """

    name: str
    versions: tuple[str, ...]
    compilers: tuple[str, ...]
    entries: tuple[tuple[str, str], ...]
    kind: str = INDEX_MD


# ---- the oldest layout: index.md -------------------------------------------------------


def parse_index_md(data: bytes, path: str) -> LegacyIndex:
    """Parse an oldest-layout ``_cache/<pkg>/index.md``. Raises :class:`ParseError`.

    The file is not YAML (the spec strings are double-quoted without escaping the quotes
    inside them, as in ``- "zlib@1.2.11%xl@16.1 fflags="-qzerosize" ...": spec-50.json``),
    so it is read line by line: the file name follows the *last* ``": `` of an entry and
    the spec string runs from the first ``"`` up to it.
    """
    values: dict[str, str] = {}
    entries: list[tuple[str, str]] = []
    current = ""  # the key whose block list the next "- " line belongs to
    for number, line in _front_matter_lines(data, path):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped == "-" or stripped.startswith("- "):
            if current != "spec_files":
                raise ParseError(path, f"line {number}: list item outside spec_files")
            entries.append(_index_entry(stripped[1:].strip(), number, path))
            continue
        key, sep, value = line.partition(":")
        if not sep or line[0].isspace() or not key.strip():
            raise ParseError(path, f"line {number}: expected 'key: value', got {_clip(line)}")
        key, value = key.strip(), value.strip()
        if key in values:
            raise ParseError(path, f"line {number}: {key} appears twice")
        if key == "spec_files" and value:
            raise ParseError(path, f"line {number}: spec_files must be a block list")
        values[key] = value
        current = key
    if "spec_files" not in values:
        raise ParseError(path, "spec_files is missing")
    meta: object = {}
    if "meta" in values:
        try:
            meta = json_loads(values["meta"])
        except orjson.JSONDecodeError as exc:
            raise ParseError(path, f"meta is not one line of JSON: {exc}") from exc
    versions, compilers = _meta_lists(meta, path)
    title = _unquote(values.get("title", ""))
    return LegacyIndex(title, versions, compilers, tuple(entries), kind=INDEX_MD)


def _front_matter_lines(data: bytes, path: str) -> list[tuple[int, str]]:
    """The lines between the two ``---`` fences, with their 1-based line numbers."""
    too_large(data, path)
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ParseError(path, f"not UTF-8 (byte {exc.start})") from exc
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines[0].rstrip() != "---":
        raise ParseError(path, "no front matter (first line is not '---')")
    for end in range(1, len(lines)):
        if lines[end].rstrip() == "---":
            return list(enumerate(lines[1:end], start=2))
    raise ParseError(path, "front matter has no closing '---'")


def _index_entry(item: str, number: int, path: str) -> tuple[str, str]:
    """``"<spec string>": spec-N.json`` -> ``(spec string, file name)``."""
    cut = item.rfind('": ')
    if not item.startswith('"') or cut < 1:
        raise ParseError(path, f'line {number}: expected - "<spec>": <file>, got {_clip(item)}')
    spec, name = item[1:cut].strip(), _unquote(item[cut + 3 :].strip())
    if not spec:
        raise ParseError(path, f"line {number}: empty spec string")
    return spec, _file_name(name, f"line {number}", path)


def _unquote(value: str) -> str:
    """Drop one pair of surrounding quotes (JSON-decoded when it is a JSON string)."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        if value[0] == '"':
            try:
                decoded = json.loads(value)
            except ValueError:
                return value[1:-1]
            return decoded if isinstance(decoded, str) else value[1:-1]
        return value[1:-1].replace("''", "'")
    return value


def _clip(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _file_name(name: str, where: str, path: str) -> str:
    """A spec file name must be a plain name inside the package folder."""
    if not name or "/" in name or "\\" in name or name in (".", "..") or unsafe_name(name):
        raise ParseError(path, f"{where}: {name!r} is not a spec file name")
    return name


def _meta_lists(meta: object, path: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``meta`` -> its ``versions`` and ``compilers`` lists, as written."""
    if not isinstance(meta, dict):
        raise ParseError(path, "meta must be a mapping")
    out: list[tuple[str, ...]] = []
    for key in ("versions", "compilers"):
        value = meta.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ParseError(path, f"meta.{key} must be a list of strings")
        out.append(tuple(value))
    return out[0], out[1]


# ---- the middle layout: untagged specs.md ------------------------------------------------


def parse_flat_specs_md(data: bytes, path: str) -> LegacyIndex:
    """Parse a middle-layout ``_cache/<pkg>/specs.md``. Raises :class:`ParseError`.

    These files are valid YAML; they are read with the safe loader of
    :func:`catalog_diff.parse.frontmatter.front_matter` (which also refuses YAML aliases).
    ``spec_files`` and ``spec_names`` must be lists of strings of the same length.
    """
    matter = front_matter(data, path)
    files = _yaml_strings(matter, "spec_files", path)
    names = _yaml_strings(matter, "spec_names", path)
    if len(files) != len(names):
        raise ParseError(path, f"{len(files)} spec_files but {len(names)} spec_names")
    title = matter.get("title", "")
    if not isinstance(title, str):
        raise ParseError(path, "title must be a string")
    versions, compilers = _meta_lists(matter.get("meta", {}), path)
    entries = tuple(
        (spec.strip(), _file_name(name.strip(), f"spec_files[{i}]", path))
        for i, (spec, name) in enumerate(zip(names, files, strict=True))
    )
    return LegacyIndex(title, versions, compilers, entries, kind=FLAT_SPECS_MD)


def _yaml_strings(matter: Mapping[str, Any], key: str, path: str) -> list[str]:
    if key not in matter:
        raise ParseError(path, f"{key} is missing")
    value = matter[key]
    if value is None:  # "spec_files:" with no items
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParseError(path, f"{key} must be a list of strings")
    return value


# ---- spec-N.json -------------------------------------------------------------------------


def parse_spec_json(data: bytes, path: str, package: str) -> Spec:
    """One ``spec-N.json`` -> the :class:`Spec` of its node named ``package``.

    Reads the ``{"spec": {"_meta": ..., "nodes": [...]}}`` shape (spec.json v2 and later)
    and the older ``{"spec": [{"<name>": {...}}, ...]}`` one. ``hash`` is the DAG hash;
    a ``full_hash`` is kept in ``extra``. Raises :class:`ParseError`.
    """
    too_large(data, path)
    try:
        document = json_loads(data)
    except orjson.JSONDecodeError as exc:
        raise ParseError(path, f"not JSON: {exc}") from exc
    nodes = _nodes(document, path)
    mine = [node for node in nodes if node.get("name") == package]
    if not mine:
        names = ", ".join(sorted(str(node.get("name")) for node in nodes)[:5]) or "none"
        raise ParseError(path, f"no node named {package!r} (nodes: {names})")
    if len(mine) > 1:
        raise ParseError(path, f"{len(mine)} nodes named {package!r}")
    return _node_spec(mine[0], f"node {package!r}", path)


def _nodes(document: object, path: str) -> list[dict[str, Any]]:
    """The node mappings of a spec document, each with its ``name``."""
    if not isinstance(document, dict) or "spec" not in document:
        raise ParseError(path, "unknown spec.json shape: no top-level 'spec'")
    spec = document["spec"]
    if isinstance(spec, dict) and isinstance(spec.get("nodes"), list):
        nodes: list[dict[str, Any]] = spec["nodes"]
        if all(isinstance(node, dict) for node in nodes):
            return nodes
        raise ParseError(path, "spec.nodes must be a list of mappings")
    if isinstance(spec, list):  # spec.json v1: [{"<name>": {...node...}}, ...]
        out: list[dict[str, Any]] = []
        for item in spec:
            if not (isinstance(item, dict) and len(item) == 1):
                raise ParseError(path, "spec list items must be one-key mappings")
            ((name, node),) = item.items()
            if not isinstance(node, dict):
                raise ParseError(path, f"spec list item {name!r} is not a mapping")
            out.append({**node, "name": name})
        return out
    raise ParseError(path, "unknown spec.json shape: 'spec' has neither 'nodes' nor a list")


def _node_spec(node: Mapping[str, Any], where: str, path: str) -> Spec:
    digest = _text(node, "hash", where, path)
    version = _text(node, "version", where, path)
    arch = _mapping(node, "arch", where, path)
    target: object = arch.get("target")
    if isinstance(target, dict):  # a microarchitecture: {"name": "power9le", ...}
        target = _text(target, "name", f"{where}: arch.target", path)
    elif not isinstance(target, str):
        raise ParseError(path, f"{where}: arch.target is missing or not a string/mapping")
    compiler = _mapping(node, "compiler", where, path)
    raw_compiler = (
        f"{_text(compiler, 'name', f'{where}: compiler', path)}"
        f"@{_text(compiler, 'version', f'{where}: compiler', path)}"
    )
    raw_variants = tuple(_variants(node.get("parameters", {}), where, path))
    extra: tuple[tuple[str, object], ...] = ()
    if "full_hash" in node:
        extra = (("full_hash", _text(node, "full_hash", where, path)),)
    return Spec(
        hash=digest,
        versions=(version,),
        compiler=normalise_compiler(raw_compiler),
        os=_text(arch, "platform_os", f"{where}: arch", path),
        platform=_text(arch, "platform", f"{where}: arch", path),
        target=target.strip(),
        variants=tuple(sorted({normalise_variant(v) for v in raw_variants})),
        stacks=(),
        raw_compiler=raw_compiler,
        raw_variants=raw_variants,
        extra=extra,
    )


def _text(mapping: Mapping[str, Any], key: str, where: str, path: str) -> str:
    """``mapping[key]``, which must be a non-empty string (surrounding space dropped)."""
    if key not in mapping:
        raise ParseError(path, f"{where}: {key} is missing")
    value = mapping[key]
    if not isinstance(value, str) or not value.strip():
        raise ParseError(path, f"{where}: {key} must be a non-empty string")
    if unsafe_name(value):
        raise ParseError(path, f"{where}: {key} holds control characters")
    return value.strip()


def _mapping(node: Mapping[str, Any], key: str, where: str, path: str) -> Mapping[str, Any]:
    value = node.get(key)
    if value is None:
        raise ParseError(path, f"{where}: {key} is missing")
    if not isinstance(value, dict):
        raise ParseError(path, f"{where}: {key} must be a mapping")
    return value


def _variants(parameters: object, where: str, path: str) -> list[str]:
    """``parameters`` -> variant strings, in file order.

    ``true``/``false`` -> ``+name``/``~name``; a list -> ``name=a,b`` (omitted when empty,
    as spec strings omit empty flags); a string or number -> ``name=value``.
    """
    if not isinstance(parameters, dict):
        raise ParseError(path, f"{where}: parameters must be a mapping")
    out: list[str] = []
    for key, value in parameters.items():
        if value is True or value is False:
            out.append(("+" if value else "~") + key)
        elif isinstance(value, list):
            if not all(_is_scalar(v) for v in value):
                raise ParseError(path, f"{where}: parameters.{key} must hold strings")
            if value:
                out.append(f"{key}={','.join(str(v) for v in value)}")
        elif _is_scalar(value):
            out.append(f"{key}={value}")
        else:
            raise ParseError(path, f"{where}: parameters.{key} has an unknown shape")
    if any(unsafe_name(v) for v in out):
        raise ParseError(path, f"{where}: parameters hold control characters")
    return out


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


# ---- a package ---------------------------------------------------------------------------


def assemble(
    index: LegacyIndex, spec_files: Mapping[str, bytes], folder: str
) -> tuple[Package, list[Problem]]:
    """Build the :class:`Package` of ``folder`` (``_cache/<pkg>``) from its index.

    ``spec_files`` maps file names (``spec-N.json``) to bytes. Each listed file that is
    missing, listed twice or unreadable becomes a :class:`Problem` naming the file; the
    other specs still make up the package. Each spec's ``extra`` gains ``spec_file`` and
    ``spec_string`` (keys sorted, as in :mod:`catalog_diff.parse.package`).
    """
    folder = folder.rstrip("/")
    folder_name = folder.rsplit("/", 1)[-1]
    name = index.name or folder_name
    path = f"{folder}/{LIST_FILE.get(index.kind, 'index.md')}"
    problems: list[Problem] = []
    if index.name and index.name != folder_name:
        problems.append(Problem(path, f"title {index.name!r} differs from folder {folder_name!r}"))
    specs: list[Spec] = []
    listed: set[str] = set()
    for spec_string, file_name in index.entries:
        file_path = f"{folder}/{file_name}"
        if file_name in listed:
            problems.append(Problem(file_path, f"listed twice in {path}; read once"))
            continue
        listed.add(file_name)
        data = spec_files.get(file_name)
        if data is None:
            problems.append(
                Problem(file_path, f"spec file missing (listed in {path} for {spec_string!r})")
            )
            continue
        try:
            spec = parse_spec_json(data, file_path, name)
        except ParseError as exc:
            problems.append(Problem(exc.path, exc.reason))
            continue
        more = (("spec_file", file_name), ("spec_string", spec_string))
        specs.append(replace(spec, extra=tuple(sorted(spec.extra + more, key=itemgetter(0)))))
    meta = Meta(compilers=index.compilers, versions=index.versions)
    package = Package(tag=IMPLICIT_TAG, name=name, path=path, specs=sort_specs(specs), meta=meta)
    return package, problems
