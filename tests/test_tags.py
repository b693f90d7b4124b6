"""Tag names of any shape: develop, weekly develop-YYYY-MM-DD, vX.Y.Z and release names
such as v2025.11.0; release-notes with NEW alone picks the tag NEW follows."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from catalog_diff.cli import main
from catalog_diff.release.tags import TagKind, previous_tag, tag_key, tag_kind
from gitrepo import GitRepoBuilder, sample_tree


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("develop", TagKind.DEVELOP),
        ("develop-2025-03-30", TagKind.WEEKLY),
        ("develop-2025-13-01", TagKind.PLAIN),  # no such date
        ("develop-latest", TagKind.PLAIN),
        ("v0.23.1", TagKind.RELEASE),
        ("v1.0.0", TagKind.RELEASE),
        ("v2025.11.0", TagKind.RELEASE),
        ("v1.0.0-rc1", TagKind.RELEASE),
        ("0.23.1", TagKind.PLAIN),
        ("vnext", TagKind.PLAIN),
        ("e4s-24.11", TagKind.PLAIN),
    ],
)
def test_tag_kinds(name: str, kind: TagKind) -> None:
    assert tag_kind(name) is kind


def test_tags_sort_releases_by_version_then_weeks_by_date_then_the_rest_by_name() -> None:
    names = [
        "v2025.11.0",
        "zeta",
        "develop",
        "v0.23.1",
        "develop-2025-03-30",
        "v0.9.0",
        "v1.0.0",
        "alpha",
        "v0.23.0",
        "develop-2025-03-23",
        "v1.0.0-rc1",
    ]
    assert sorted(names, key=tag_key) == [
        "v0.9.0",
        "v0.23.0",
        "v0.23.1",
        "v1.0.0-rc1",
        "v1.0.0",
        "v2025.11.0",
        "develop-2025-03-23",
        "develop-2025-03-30",
        "develop",
        "alpha",
        "zeta",
    ]


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ("v0.23.1", "v0.23.0"),
        ("v0.23.0", "v0.9.0"),  # by version, not by text ("v0.9.0" > "v0.23.0" as text)
        ("v2025.11.0", "v1.0.0"),
        ("v1.0.0", "v1.0.0-rc1"),
        ("v0.9.0", None),
        ("develop-2025-03-30", "develop-2025-03-23"),
        ("develop-2025-03-23", None),
        ("develop", None),
        ("alpha", None),
    ],
)
def test_previous_tag(new: str, expected: str | None) -> None:
    tags = [
        "v0.9.0",
        "v0.23.0",
        "v0.23.1",
        "v1.0.0-rc1",
        "v1.0.0",
        "v2025.11.0",
        "develop-2025-03-23",
        "develop-2025-03-30",
        "develop",
        "alpha",
    ]
    assert previous_tag(new, tags) == expected


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> GitRepoBuilder:
    """Real release and weekly tag folders in one commit, plus v2025.11.0: the v0.23.1
    files under a release name of the newer style."""
    repo = GitRepoBuilder(tmp_path_factory.mktemp("tags") / "catalog")
    files = sample_tree("v0.22.2") | sample_tree("v0.23.0") | sample_tree("v0.23.1")
    files |= sample_tree("v0.23.1", as_tag="v2025.11.0")
    files |= sample_tree("develop-2025-03-23") | sample_tree("develop-2025-03-30")
    files |= sample_tree("develop-2025-03-30", as_tag="develop")
    repo.write(files)
    repo.commit("tags", date="2025-04-01T06:00:00+00:00")
    return repo


def test_release_notes_with_new_alone_follows_the_previous_release(
    catalog: GitRepoBuilder,
) -> None:
    repo = ("--repo", str(catalog.path))
    code, alone, err = run("release-notes", *repo, "v0.23.1")
    assert (code, err) == (0, "")
    code, both, _ = run("release-notes", *repo, "v0.23.0", "v0.23.1")
    assert code == 0
    assert alone == both
    assert alone.startswith("# Release notes: v0.23.0 → v0.23.1\n")


def test_a_release_name_follows_the_newest_release(catalog: GitRepoBuilder) -> None:
    code, out, err = run("release-notes", "--repo", str(catalog.path), "v2025.11.0")
    assert (code, err) == (0, "")
    assert out.startswith("# Release notes: v0.23.1 → v2025.11.0\n")
    assert "0 new, 0 removed, 0 changed, 30 unchanged" in out


def test_a_weekly_tag_follows_the_previous_week(catalog: GitRepoBuilder) -> None:
    code, out, err = run("release-notes", "--repo", str(catalog.path), "develop-2025-03-30")
    assert (code, err) == (0, "")
    assert out.startswith("# Release notes: develop-2025-03-23 → develop-2025-03-30\n")


@pytest.mark.parametrize("new", ["v0.22.2", "develop"])
def test_no_previous_tag_is_one_line_asking_for_old(catalog: GitRepoBuilder, new: str) -> None:
    code, out, err = run("release-notes", "--repo", str(catalog.path), new)
    assert (code, out) == (2, "")
    assert (
        err == f"catalog-diff: error: no release or weekly tag before {new!r} at HEAD: give OLD\n"
    )


def test_diff_compares_tags_of_any_shape(catalog: GitRepoBuilder) -> None:
    args = ("diff", "--repo", str(catalog.path), "HEAD", "HEAD")
    code, out, err = run(*args, "--old-tag", "v0.23.1", "--new-tag", "v2025.11.0")
    assert (code, err) == (0, "")
    assert "No differences." in out
    code, out, _ = run(*args, "--old-tag", "develop-2025-03-30", "--new-tag", "develop")
    assert code == 0 and "No differences." in out
