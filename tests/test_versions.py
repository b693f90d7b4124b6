"""Version ordering: numeric parts as numbers, pre-releases first, Spack's odd spellings
sorted the same way every time."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog_diff.versions import newest, sort_versions, version_key

#: Each list is in increasing order.
ORDERED = [
    ["3.9", "3.10", "3.10.1", "3.11"],
    ["1.0.dev0", "1.0a1", "1.0alpha2", "1.0b1", "1.0beta2", "1.0pre1", "1.0rc1", "1.0rc2", "1.0"],
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
    ["99999", "stable", "trunk", "head", "master", "main", "develop"],
    ["git.abcdef=1.2", "1.3"],
]


@pytest.mark.parametrize("ordered", ORDERED, ids=lambda o: o[0])
def test_known_orders(ordered: list[str]) -> None:
    shuffled = list(ordered)
    random.Random(4).shuffle(shuffled)
    assert sort_versions(shuffled) == ordered


def test_catalog_versions_sort_numerically() -> None:
    # meta "versions" in the catalog are sorted as strings; these are the real ones of python.
    meta = ["3.10.16", "3.11.11", "3.12.9", "3.13.2", "3.6.15", "3.7.17", "3.8.20", "3.9.21"]
    assert sort_versions(meta) == [
        "3.6.15", "3.7.17", "3.8.20", "3.9.21", "3.10.16", "3.11.11", "3.12.9", "3.13.2",
    ]


def test_equal_versions_are_still_ordered_by_text() -> None:
    assert sort_versions(["1.00", "1-0", "1.0"]) == ["1-0", "1.0", "1.00"]
    assert version_key("1.0") != version_key("1.00")


def test_newest() -> None:
    assert newest(["1.14.5", "1.8.23", "1.12.3"]) == "1.14.5"
    assert newest(["1.0rc1", "1.0"]) == "1.0"
    assert newest([]) is None


def test_duplicates_are_dropped() -> None:
    assert sort_versions(["1.0", "1.0", "0.9"]) == ["0.9", "1.0"]


versions = st.text(alphabet="0123456789.-_abcdrvxz", min_size=0, max_size=12)


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
