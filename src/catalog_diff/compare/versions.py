"""Spack's version order for the version strings found in the catalog. Pure (the comparison
classifies version moves with it; the release notes sort with it).

Spack's version strings are free-form: ``3.10.1``, ``0.9.0rc3``, ``2.26-t9b_atlas``,
``2023.08.14.0-free``, ``8.9.7.29-12``, ``2022-10-14``, ``develop``. :func:`version_key`
turns each into a sort key that orders them the way Spack orders concrete versions. The
rules below are Spack's, as written in spack/spack ``lib/spack/spack/version/common.py``
and ``version_types.py`` (``SEGMENT_REGEX``, ``parse_string_components``,
``VersionStrComponent``, ``StandardVersion``, ``GitVersion``) and checked by its
``lib/spack/spack/test/versions.py``; this module is an independent implementation of them.

- A version is split into runs of digits and runs of ASCII letters; the separators
  (``.``, ``-``, ``_``) only split, so ``2022-10-14`` is ``2022, 10, 14`` and ``2.0``,
  ``2_0`` and ``2-0`` are the same version.
- Numbers compare as numbers (``3.9 < 3.10 < 3.10.1``, ``10.0001`` equals ``10.1``); words
  compare as text, case-sensitively and by code point (``R`` < ``a``); a word is older than
  any number in the same place (``1b.fc17 < 1.fc17``, ``xyz.4 < 2``, ``v2.0 < 1.0``).
- A version that is a prefix of another is older: ``1.0 < 1.0a1 < 1.0.dev1 < 1.0pre <
  1.0.1``. So ``a``, ``b``, ``dev``, ``pre`` and ``p`` are ordinary words, newer than the
  version they follow (``2.0.1 < 2.0.1a``, ``5.5p1 < 5.5p2 < 5.5p10``).
- The words ``stable < nightly < trunk < head < master < main < develop`` (exactly these
  spellings, lower case) are infinity components, newer than any number or word in the
  same place: ``99999 < develop``, ``1.1 < 1.develop < 2.1``, ``develop < develop.1``.
  ``Develop`` and ``mydevelopmentnightmare`` are ordinary words.
- Pre-releases: when the version ends in ``alpha``, ``beta``, ``rc`` or ``final``
  (optionally followed by one number) after at least one other component, that ending is
  taken off and compared after the rest: ``6.0alpha < 6.0alpha0 < 6.0alpha1 < 6.0beta <
  6.0rc < 6.0rc2 < 6.0``; ``6.0final`` equals ``6.0``. The word alone (``rc``, ``alpha1``)
  is ordinary.
- Git versions: ``git.<ref>=<version>`` and ``<ref>=<version>`` (also with a 40-digit
  commit) sort at ``<version>``, just after the plain ``<version>`` and before anything
  newer; two of them at the same version are ordered by ref. A git ref with no version
  assigned (``git.<ref>``, a bare 40-digit commit, ``git.<ref>=1.0:2.0``) sorts after every
  other version, by ref, as Spack stores them.

What catalog-diff adds, because reports must be byte-identical across runs:

- versions Spack calls equal (``1.0``, ``1_0``, ``1.00``, ``1.0final``) are ordered by
  their text, so no two distinct strings compare equal and the order is total;
- characters Spack rejects in a version (anything but ASCII letters, digits, ``.``, ``-``,
  ``_`` and ``=``) are treated as separators instead of being an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: One release component: (class, number or infinity rank, word).
Component = tuple[int, int, str]
#: The whole key: (git tier, release components, pre-release, git rank, ref, text).
VersionKey = tuple[int, tuple[Component, ...], tuple[int, ...], int, str, str]

_SEGMENT = re.compile(r"[0-9]+|[A-Za-z]+")
_COMMIT = re.compile(r"[0-9a-f]{40}")

#: Infinity words, oldest first (Spack's ``infinity_versions``).
_INFINITY = ("stable", "nightly", "trunk", "head", "master", "main", "develop")
_INFINITY_RANK = {word: rank for rank, word in enumerate(_INFINITY)}
#: Pre-release words and their rank; a release without one ranks as ``final``.
_PRE_RELEASE = {"alpha": 0, "beta": 1, "rc": 2, "final": 3}
_FINAL = (_PRE_RELEASE["final"],)

#: Component classes, oldest first: a word, a number, an infinity word.
_WORD, _NUMBER, _BRANCH = range(3)
#: Git tiers: plain versions and git refs with a version, then refs without one.
_ASSIGNED, _UNASSIGNED = range(2)


def _component(segment: str) -> Component:
    if segment.isdigit():
        return (_NUMBER, int(segment), "")
    rank = _INFINITY_RANK.get(segment)
    if rank is not None:
        return (_BRANCH, rank, "")
    return (_WORD, 0, segment)


def _standard(text: str) -> tuple[tuple[Component, ...], tuple[int, ...]]:
    """The release components and the pre-release part of a plain version."""
    segments: list[str] = _SEGMENT.findall(text)
    pre: tuple[int, ...] = _FINAL
    if len(segments) >= 3 and segments[-2] in _PRE_RELEASE and segments[-1].isdigit():
        pre = (_PRE_RELEASE[segments[-2]], int(segments[-1]))
        segments = segments[:-2]
    elif len(segments) >= 2 and segments[-1] in _PRE_RELEASE:
        pre = (_PRE_RELEASE[segments[-1]],)
        segments = segments[:-1]
    return tuple(_component(s) for s in segments), pre


def _git_ref(version: str) -> tuple[str, str | None] | None:
    """(ref, assigned version or None) when the string is a git version, else None."""
    prefixed = version.startswith("git.")
    if not (prefixed or "=" in version[1:] or _COMMIT.fullmatch(version)):
        return None
    rest = version[4:] if prefixed else version
    ref, sep, assigned = rest.partition("=")
    if not sep or ":" in assigned:
        return ref, None
    return ref, assigned


def version_key(version: str) -> VersionKey:
    """A sort key for one version string (see the module's documentation)."""
    git = _git_ref(version)
    if git is None:
        release, pre = _standard(version)
        return (_ASSIGNED, release, pre, 0, "", version)
    ref, assigned = git
    if assigned is None:
        return (_UNASSIGNED, (), (), 1, ref, version)
    release, pre = _standard(assigned)
    return (_ASSIGNED, release, pre, 1, ref, version)


def sort_versions(versions: Iterable[str]) -> list[str]:
    """The distinct versions, oldest first."""
    return sorted(set(versions), key=version_key)


def newest(versions: Iterable[str]) -> str | None:
    """The newest of some versions, None when there are none."""
    return max(versions, key=version_key, default=None)


__all__ = ["newest", "sort_versions", "version_key"]
