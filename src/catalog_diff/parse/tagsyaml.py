"""``_data/tags.yaml``, the catalog's list of tags and the stacks each one is built
from. Pure: bytes in, data out (a located :class:`ParseError` on bad input)."""

from __future__ import annotations

from ..errors import ParseError
from ..layout import MAX_FILE_BYTES
from .frontmatter import safe_yaml

#: Where the catalog lists its tags.
TAGS_YAML = "_data/tags.yaml"


def parse_tags_stacks(data: bytes) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each tag of ``_data/tags.yaml`` (a list of ``{name: <tag>, stacks: [...]}``) with
    the stacks it lists, in file order; a tag without a ``stacks`` list lists none. Read
    with the safe YAML loader, aliases refused. Raises :class:`ParseError`."""
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(TAGS_YAML, f"too large: more than {MAX_FILE_BYTES >> 20} MiB")
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise ParseError(TAGS_YAML, f"not UTF-8 (byte {exc.start})") from exc
    loaded = safe_yaml(text, TAGS_YAML)
    if not isinstance(loaded, list):
        raise ParseError(TAGS_YAML, "must be a list of tags ('- name: <tag>')")
    tags = []
    for i, item in enumerate(loaded):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise ParseError(TAGS_YAML, f"entry {i + 1} has no name")
        stacks = item.get("stacks") if isinstance(item, dict) else None
        if stacks is not None and not (
            isinstance(stacks, list) and all(isinstance(s, str) for s in stacks)
        ):
            raise ParseError(TAGS_YAML, f"entry {i + 1} ({name.strip()}): stacks is not a list")
        tags.append((name.strip(), tuple(s.strip() for s in stacks or ())))
    return tuple(tags)


def parse_tags_yaml(data: bytes) -> list[str]:
    """The tag names of ``_data/tags.yaml``, in file order (see
    :func:`parse_tags_stacks`)."""
    return [name for name, _ in parse_tags_stacks(data)]


__all__ = ["TAGS_YAML", "parse_tags_stacks", "parse_tags_yaml"]
