"""Version ordering: Spack's own order, checked against the cases of Spack's version tests
and against the catalog's real version strings, with ties broken by text."""

from __future__ import annotations

import functools
import random
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog_diff.release.versions import newest, sort_versions, version_key

#: Where the Spack cases come from: spack/spack, this file, the named test functions.
SPACK_TESTS = "lib/spack/spack/test/versions.py"

#: (older, newer) pairs asserted with ``assert_ver_lt`` / ``assert_ver_gt`` in SPACK_TESTS.
#: Spack spells a concrete version ``=1.0``; the ``=`` is left out here.
SPACK_LESS = [
    # test_string_prefix
    ("xsdk-0.2.0", "xsdk-0.3"),
    # test_two_segments, test_three_segments
    ("1.0", "2.0"),
    ("2.0", "2.0.1"),
    # test_develop
    ("1.0", "develop"),
    ("1.1", "1.develop"),
    ("1.0", "1.develop"),
    ("0.5", "0.5.develop"),
    ("1.develop", "2.1"),
    ("1.develop.1", "1.develop.2"),
    ("develop.1", "develop.2"),
    ("9.0", "master"),
    ("9.0", "head"),
    ("9.0", "trunk"),
    ("9.0", "develop"),
    ("master", "develop"),
    ("head", "master"),
    ("trunk", "head"),
    ("system", "9.0"),
    ("mydevelopmentnightmare", "1.1"),
    ("1.mydevelopmentnightmare", "1.1"),
    # test_alpha
    ("2.0.1", "2.0.1a"),
    # test_patch
    ("5.5p1", "5.5p2"),
    ("5.5p1", "5.5p10"),
    # test_num_alpha_with_no_separator
    ("10xyz", "10.1xyz"),
    ("xyz10", "xyz10.1"),
    # test_alpha_with_dots
    ("xyz.4", "8"),
    ("xyz.4", "2"),
    # test_nums_and_patch
    ("5.5p2", "5.6p1"),
    ("5.6p1", "6.5p1"),
    # test_prereleases
    ("6.0alpha", "6.0alpha0"),
    ("6.0alpha0", "6.0alpha1"),
    ("6.0alpha1", "6.0alpha2"),
    ("6.0alpha2", "6.0beta"),
    ("6.0beta", "6.0beta0"),
    ("6.0beta0", "6.0beta1"),
    ("6.0beta1", "6.0beta2"),
    ("6.0beta2", "6.0rc"),
    ("6.0rc", "6.0rc0"),
    ("6.0rc0", "6.0rc1"),
    ("6.0rc1", "6.0rc2"),
    ("6.0rc2", "6.0"),
    # test_alpha_beta: not pre-releases, ordinary words
    ("10a1", "10b2"),
    ("10a2", "10b2"),
    # test_double_alpha
    ("1.0a", "1.0aa"),
    # test_padded_numbers, test_close_numbers, test_date_stamps
    ("10.0001", "10.0039"),
    ("4.999.9", "5.0"),
    ("20101121", "20101122"),
    # test_rpm_oddities
    ("1b.fc17", "1.fc17"),
    ("1.fc17", "1g.fc17"),
    # test_total_order_versions_and_ranges (the concrete versions)
    ("1.2", "git.ref=1.2"),
    ("git.ref=1.2", "1.3"),
    ("1.2", "git.ref=1.3"),
]

#: Pairs asserted with ``assert_ver_eq`` in SPACK_TESTS (test_develop, test_underscores,
#: test_padded_numbers) and Spack's ``final`` pre-release word (lib/spack/spack/version/
#: common.py, STRING_TO_PRERELEASE): the same version to Spack, a text tie-break here.
SPACK_EQUAL = [
    ("2.0", "2_0"),
    ("2-0", "2_0"),
    ("10.0001", "10.1"),
    ("6.0", "6.0final"),
    ("git.ref=1.0", "git.ref=1.00"),
]

#: The edge cases the old order got wrong, each in increasing order by Spack's rules.
#: Sources: SPACK_TESTS test_prereleases, test_alpha, test_alpha_beta, test_patch (only
#: ``alpha``, ``beta``, ``rc`` are pre-releases), test_develop and common.py's
#: ``infinity_versions`` (``nightly``; ``develop-*`` is develop then more), test_rpm_oddities
#: and test_alpha_with_dots (a word before a number is older: ``v2.0``); letter case:
#: words compare as text and only the lower-case spellings are infinity words.
EDGE_ORDERS = [
    ["1.0alpha2", "1.0beta2", "1.0rc1", "1.0rc2", "1.0", "1.0a1", "1.0b1", "1.0.dev1",
     "1.0pre", "1.0pre1", "1.0.1"],
    ["99999", "stable", "nightly", "trunk", "head", "master", "main", "develop",
     "develop-branch", "develop-2024"],
    ["v2.0", "0.9", "1.0", "2.0"],
    ["DEVELOP", "Develop", "R2016a", "1.0", "develop", "develop1"],
    ["1.0rc", "1.0", "1.0RC1", "1.0Rc1"],
    ["rc", "rc1", "1rc", "1"],
]  # fmt: skip

#: Increasing orders from the catalog (tests/fixtures/catalog-samples) and a few others.
CATALOG_ORDERS = [
    ["3.9", "3.10", "3.10.1", "3.11"],
    ["0.9.0rc3", "0.9.0", "0.9.1"],
    ["2.0-rc1", "2.0", "2.0.1"],
    ["1.1.1", "1.1.1a", "1.1.1w", "1.1.2"],  # openssl's letters are post-releases
    ["2.26", "2.26-t9b_atlas", "2.27"],
    ["2023.08.14.0", "2023.08.14.0-free", "2023.08.14.1", "2024.01.01.0"],
    ["8.9.5.30-12", "8.9.7.29-11", "8.9.7.29-12", "9.2.0.82-12"],
    ["2022-9-30", "2022-10-14", "2023-01-02"],
    ["2024.03.001", "2025.01.001"],
    ["4.3.01", "4.5.01"],
    ["1.14.5", "1.14.6"],
]

#: Git versions (SPACK_TESTS test_total_order_versions_and_ranges, test_version_git_vs_base;
#: version_types.py GitVersion: by assigned version then ref, unassigned refs last).
GIT_ORDERS = [
    ["1.2", "git.abc=1.2", "git.abd=1.2", "1.2.1", "1.3", "git.abc=1.3"],
    ["develop", "a" * 40 + "=develop", "git." + "a" * 40 + "=develop", "b" * 40 + "=develop"],
    ["1.0", "feature=1.1", "git.1.x=2.0", "git.1.x", "a" * 40, "git.main"],
]


def spack_equal(a: str, b: str) -> bool:
    """Equal but for the text tie-break, the key's last element."""
    return version_key(a)[:-1] == version_key(b)[:-1]


@pytest.mark.parametrize(("older", "newer"), SPACK_LESS, ids=[f"{a}<{b}" for a, b in SPACK_LESS])
def test_spack_pairs(older: str, newer: str) -> None:
    assert version_key(older) < version_key(newer)
    assert not spack_equal(older, newer)
    assert sort_versions([newer, older]) == [older, newer]
    assert newest([newer, older]) == newest([older, newer]) == newer


@pytest.mark.parametrize(("a", "b"), SPACK_EQUAL, ids=[f"{a}={b}" for a, b in SPACK_EQUAL])
def test_spack_equal_pairs_tie_by_text(a: str, b: str) -> None:
    assert spack_equal(a, b)
    assert version_key(a) != version_key(b)
    assert sort_versions([b, a]) == sorted([a, b])


@pytest.mark.parametrize("ordered", EDGE_ORDERS + CATALOG_ORDERS + GIT_ORDERS, ids=lambda o: o[0])
def test_known_orders(ordered: list[str]) -> None:
    shuffled = list(ordered)
    random.Random(4).shuffle(shuffled)
    assert sort_versions(shuffled) == ordered
    assert sort_versions(reversed(ordered)) == ordered


def test_catalog_versions_sort_numerically() -> None:
    # meta "versions" in the catalog are sorted as strings; these are the real ones of python.
    meta = ["3.10.16", "3.11.11", "3.12.9", "3.13.2", "3.6.15", "3.7.17", "3.8.20", "3.9.21"]
    assert sort_versions(meta) == [
        "3.6.15", "3.7.17", "3.8.20", "3.9.21", "3.10.16", "3.11.11", "3.12.9", "3.13.2",
    ]  # fmt: skip


def test_equal_versions_are_still_ordered_by_text() -> None:
    assert sort_versions(["1.00", "1-0", "1.0"]) == ["1-0", "1.0", "1.00"]
    assert version_key("1.0") != version_key("1.00")


def test_newest() -> None:
    assert newest(["1.14.5", "1.8.23", "1.12.3"]) == "1.14.5"
    assert newest(["1.0rc1", "1.0"]) == "1.0"
    assert newest(["1.0", "1.0a1"]) == "1.0a1"
    assert newest(["9.9", "nightly"]) == "nightly"
    assert newest([]) is None


def test_duplicates_are_dropped() -> None:
    assert sort_versions(["1.0", "1.0", "0.9"]) == ["0.9", "1.0"]


def test_characters_spack_rejects_only_separate() -> None:
    assert spack_equal("1.0+2", "1.0.2")
    assert sort_versions(["1.0+2", "1.0.1", "1.0.3"]) == ["1.0.1", "1.0+2", "1.0.3"]


# An independent, pairwise statement of Spack's rules (a cmp function, no sort key), to check
# that the key gives the same order on random strings.
def _spack_cmp(a: str, b: str) -> int:
    def parts(text: str) -> tuple[list[str], list[int]]:
        if text.startswith("git.") or "=" in text[1:]:
            raise AssertionError("git versions are not generated here")
        segs = re.findall(r"[0-9]+|[A-Za-z]+", text)
        ranks = {"alpha": 0, "beta": 1, "rc": 2, "final": 3}
        if len(segs) > 2 and segs[-2] in ranks and segs[-1].isdigit():
            return segs[:-2], [ranks[segs[-2]], int(segs[-1])]
        if len(segs) > 1 and segs[-1] in ranks:
            return segs[:-1], [ranks[segs[-1]]]
        return segs, [3]

    def sign(x: Any, y: Any) -> int:
        return int(x > y) - int(x < y)

    infinity = ["stable", "nightly", "trunk", "head", "master", "main", "develop"]

    def cmp_seg(x: str, y: str) -> int:
        cls_x = 2 if x in infinity else 1 if x.isdigit() else 0
        cls_y = 2 if y in infinity else 1 if y.isdigit() else 0
        if cls_x != cls_y:
            return sign(cls_x, cls_y)
        if cls_x == 2:
            return sign(infinity.index(x), infinity.index(y))
        if cls_x == 1:
            return sign(int(x), int(y))
        return sign(x, y)

    (ra, pa), (rb, pb) = parts(a), parts(b)
    for x, y in zip(ra, rb, strict=False):
        if c := cmp_seg(x, y):
            return c
    return sign(len(ra), len(rb)) or sign(pa, pb) or sign(a, b)


words = st.sampled_from(
    ["a", "b", "rc", "alpha", "beta", "final", "dev", "pre", "develop", "main", "nightly",
     "Develop", "v", "p", "0", "1", "2", "01", "10", "9"]
)  # fmt: skip
separators = st.sampled_from(["", ".", "-", "_", "+"])
spack_like = st.lists(st.tuples(words, separators), max_size=5).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@given(st.lists(spack_like, max_size=8))
def test_key_agrees_with_pairwise_rules(values: list[str]) -> None:
    expected = sorted(set(values), key=functools.cmp_to_key(_spack_cmp))
    assert sort_versions(values) == expected


versions = st.text(alphabet="0123456789.-_=:abcdrvxzDR", min_size=0, max_size=12) | st.builds(
    "git.{}".format, st.text(alphabet="0123456789.=:abc", max_size=8)
)


@given(st.lists(versions, max_size=20), st.randoms())
def test_order_does_not_depend_on_input_order(values: list[str], rnd: random.Random) -> None:
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert sort_versions(shuffled) == sort_versions(values)


@given(versions, versions)
def test_distinct_strings_never_tie(a: str, b: str) -> None:
    assert (version_key(a) == version_key(b)) == (a == b)


@given(versions, versions)
def test_any_two_strings_compare_one_way(a: str, b: str) -> None:
    # Keys of any two strings are comparable (no int-vs-str TypeError) and antisymmetric.
    ka, kb = version_key(a), version_key(b)
    assert (ka < kb) + (kb < ka) + (ka == kb) == 1
