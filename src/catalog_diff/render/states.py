"""What the reports of ``show`` share (:mod:`.audit_text`, :mod:`.audit_markdown`,
:mod:`.audit_json`): apart from :mod:`.common`, so that a diff's report does not import
the history model.
"""

from __future__ import annotations

from ..model.history import CatalogState, PackageState
from ..model.snapshot import FACETS

#: The facets a :class:`~catalog_diff.model.history.PackageState` carries (``show``
#: lists them), in the order of the model's table.
STATE_FACETS: tuple[str, ...] = tuple(f for f in FACETS if f in PackageState.__dataclass_fields__)


def packages_by_tag(state: CatalogState) -> dict[str, list[PackageState]]:
    """``show``'s packages by tag, tags in order and each tag's packages by name (a tag
    with no package is there, empty)."""
    by_tag: dict[str, list[PackageState]] = {tag: [] for tag in state.tags}
    for package in sorted(state.packages, key=lambda p: (p.tag, p.name)):
        by_tag.setdefault(package.tag, []).append(package)
    return {tag: by_tag[tag] for tag in sorted(by_tag)}
