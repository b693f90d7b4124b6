"""Version-aware ordering of the version strings found in the catalog. Pure.

Spack's version strings are free-form: ``3.10.1``, ``0.9.0rc3``, ``2.26-t9b_atlas``,
``2023.08.14.0-free``, ``8.9.7.29-12``, ``2022-10-14``, ``develop``. :func:`version_key`
turns each into a sort key that gives a total, deterministic order:

- a version is split into runs of digits and runs of letters; the separators (``.``,
  ``-``, ``_``, ``+``, ...) only split, so ``2022-10-14`` is ``2022, 10, 14``;
- numbers compare as numbers: ``3.9 < 3.10 < 3.10.1``;
- a pre-release word (``dev``, ``alpha``/``a``, ``beta``/``b``, ``pre``/``preview``,
  ``rc``) sorts before the end of the version, so ``1.0.dev1 < 1.0a1 < 1.0b2 < 1.0rc1 <
  1.0``; ``a`` and ``b`` count as pre-release words only when a number follows them;
- any other word sorts after the end of the version and before a number:
  ``1.0 < 1.0-free < 1.0.1``, words compared without regard to case;
- a version made of a branch name Spack treats as newer than any release (``develop``,
  ``main``, ``master``, ``head``, ``trunk``, ``stable``) sorts after every numbered
  version, ``develop`` last;
- ``git.<ref>=<version>`` sorts as ``<version>``;
- versions equal under these rules (``1.0`` and ``1.00``, ``1-0``) are ordered by their
  text, so no two distinct strings compare equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A component of a key: (class, number or rank, word).
Component = tuple[int, int, str]
#: The whole key: the components, then the original text as the last tie-breaker.
VersionKey = tuple[tuple[Component, ...], str]

_TOKEN = re.compile(r"\d+|[A-Za-z]+")

_PRE_RELEASE = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "pre": 3, "preview": 3, "rc": 4}
_NEEDS_NUMBER = {"a", "b"}
#: Branch versions, newer than every release, in increasing order.
_INFINITY = {"stable": 0, "trunk": 1, "head": 2, "master": 3, "main": 4, "develop": 5}

_PRE, _END, _WORD, _NUMBER, _BRANCH = range(5)
_END_COMPONENT: Component = (_END, 0, "")


def _components(text: str) -> tuple[Component, ...]:
    tokens = _TOKEN.findall(text)
    if len(tokens) == 1 and tokens[0].lower() in _INFINITY:
        return ((_BRANCH, _INFINITY[tokens[0].lower()], ""), _END_COMPONENT)
    if tokens and tokens[0] in ("v", "V") and len(tokens) > 1 and tokens[1].isdigit():
        tokens = tokens[1:]
    out: list[Component] = []
    for i, token in enumerate(tokens):
        if token.isdigit():
            out.append((_NUMBER, int(token), ""))
            continue
        word = token.lower()
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word in _PRE_RELEASE and (word not in _NEEDS_NUMBER or following.isdigit()):
            out.append((_PRE, _PRE_RELEASE[word], ""))
        else:
            out.append((_WORD, 0, word))
    out.append(_END_COMPONENT)
    return tuple(out)


def version_key(version: str) -> VersionKey:
    """A sort key for one version string (see the module's documentation)."""
    compared = version
    if version.startswith("git.") and "=" in version:
        compared = version.split("=", 1)[1]
    return (_components(compared), version)


def sort_versions(versions: Iterable[str]) -> list[str]:
    """The distinct versions, oldest first."""
    return sorted(set(versions), key=version_key)


def newest(versions: Iterable[str]) -> str | None:
    """The newest of some versions, None when there are none."""
    return max(versions, key=version_key, default=None)


__all__ = ["newest", "sort_versions", "version_key"]
