"""ISO weeks (``2025-W46``) and the weekly snapshot format.

Shared by the trends analysis (which writes ``content/data/trends.json``) and the build-time
Trends page (which reads it); kept apart so the build does not import the analysis.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")
# Version of the JSON snapshot the Trends page reads; bump when its shape changes.
SNAPSHOT_VERSION = 1


class WeekError(ValueError):
    """A week string is not an ISO week such as ``2025-W46``."""


def week_of(moment: datetime | date) -> str:
    """The ISO week of a date or (UTC) datetime, e.g. ``2025-W46``."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date() if moment.tzinfo else moment.date()
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(week: str) -> date:
    """The Monday of an ISO week string; :class:`WeekError` when it is not a real ISO week."""
    match = WEEK_RE.match(week.strip()) if isinstance(week, str) else None
    if not match:
        raise WeekError(f"unknown week {week!r}: expected an ISO week like 2025-W46")
    year, number = int(match[1]), int(match[2])
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise WeekError(f"unknown week {week!r}: {year} has no week {number}") from None
    return monday


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of an ISO week as UTC datetimes (Monday 00:00 to next Monday 00:00)."""
    monday = week_monday(week)
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return start, start + timedelta(days=7)


def shift_week(week: str, weeks: int) -> str:
    """The ISO week ``weeks`` after (negative: before) ``week``."""
    return week_of(week_monday(week) + timedelta(weeks=weeks))


def weeks_ending(week: str, count: int) -> tuple[str, ...]:
    """``count`` consecutive ISO weeks, oldest first, the last one being ``week``."""
    return tuple(shift_week(week, offset) for offset in range(1 - count, 1))
