"""Dates as users type them: ``2025-03-01`` or a full ISO 8601 time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..errors import UsageError


def parse_date(text: str) -> int:
    """``2025-03-01`` (the end of that day, UTC) or an ISO 8601 time -> Unix seconds.

    A bare date means the whole day: "at 2025-03-01" is the state once that day is over.
    A time without an offset is taken as UTC.
    """
    text = text.strip()
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
            return int((day + timedelta(days=1)).timestamp()) - 1
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"{text!r} is not a date (use YYYY-MM-DD or ISO 8601)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())
