"""The series of ``catalog-diff trends`` as data: JSON (``catalog-diff schema trends``)
and CSV rows of ``chart,series,start,end,value``. Values are the index's own (the JSON
writes hidden characters as escapes, :func:`.escape.json_dumps`); a CSV cell is made inert
for a terminal and for a spreadsheet (:func:`csv_cell`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from ..model.trends import Series, Trends
from .escape import json_dumps, text
from .json import problem_entry

SCHEMA_VERSION = 1


def _ref(value: Any) -> dict[str, str] | None:
    return (
        None
        if value is None
        else {"commit": value.commit, "date": value.date, "subject": value.subject}
    )


def as_data(trends: Trends) -> dict[str, Any]:
    """The series as plain data (the JSON report; ``catalog-diff schema trends``)."""

    def series(items: Sequence[Series]) -> list[dict[str, Any]]:
        return [
            {"name": s.name, "points": [{"day": d, "value": v} for d, v in s.points]} for s in items
        ]

    return {
        "schema_version": SCHEMA_VERSION,
        "selection": {
            "tag": trends.tag,
            "stacks": list(trends.stacks),
            "since": trends.since,
            "until": trends.until,
            "bucket": trends.bucket,
        },
        "first": _ref(trends.first),
        "last": _ref(trends.last),
        "commits": trends.commits,
        "days": list(trends.days),
        "stack_specs": series(trends.stack_specs),
        "tag_packages": series(trends.tag_packages),
        "tag_specs": series(trends.tag_specs),
        "changes": [
            {
                "period": b.period,
                "start": b.start,
                "gained": b.gained,
                "lost": b.lost,
                "rebuilt": b.rebuilt,
                "commits": b.commits,
            }
            for b in trends.changes
        ],
        "presence": [
            {
                "kind": s.kind,
                "value": s.value,
                "present_at_end": s.present_at_end,
                "intervals": [{"first": _ref(i.first), "last": _ref(i.last)} for i in s.intervals],
            }
            for s in trends.spans
        ],
        "churn": [{"stack": name, "rebuilt": v} for name, v in trends.churn],
        "problems": [problem_entry(p) for p in trends.problems],
    }


def render_json(trends: Trends) -> str:
    return json_dumps(as_data(trends)) + "\n"


def csv_cell(value: object) -> str:
    """A CSV cell: the visible substitutions, and a value a spreadsheet would take for a
    formula (``=``, ``+``, ``-``, ``@`` first) prefixed with ``'``."""
    shown = text(value)
    return "'" + shown if shown[:1] in ("=", "+", "-", "@") else shown


def week_end(monday: str) -> str:
    """The Sunday of the ISO week starting on ``monday``."""
    return (dt.date.fromisoformat(monday) + dt.timedelta(days=6)).isoformat()


def render_csv(trends: Trends) -> str:
    """Every series as rows of ``chart,series,start,end,value`` (a point: start = end)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["chart", "series", "start", "end", "value"])
    for chart, items in (
        ("stack-specs", trends.stack_specs),
        ("tag-packages", trends.tag_packages),
        ("tag-specs", trends.tag_specs),
    ):
        for s in items:
            for day, value in s.points:
                writer.writerow([chart, csv_cell(s.name), day, day, value])
    for b in trends.changes:
        last = b.start if trends.bucket == "day" else week_end(b.start)
        for name in ("gained", "lost", "rebuilt"):
            writer.writerow(["changes", name, b.start, last, getattr(b, name)])
    for span in trends.spans:
        for i in span.intervals:
            writer.writerow(
                [
                    f"presence-{span.kind}",
                    csv_cell(span.value),
                    i.first.date[:10],
                    i.last.date[:10],
                    1,
                ]
            )
    for name, value in trends.churn:
        writer.writerow(["churn", csv_cell(name), "", "", value])
    return out.getvalue()
