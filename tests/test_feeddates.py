"""Feed dates feedparser gets wrong: Israeli zones and non-English month names."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from attention.feeddates import parse_feed_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 20 Oct 2026 10:00:00 IDT", datetime(2026, 10, 20, 7, 0, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 10:00:00 IST", datetime(2026, 11, 20, 8, 0, tzinfo=UTC)),
        ("יום ה׳, 19 נובמבר 2026 21:15:00 +0200", datetime(2026, 11, 19, 19, 15, tzinfo=UTC)),
        ("19 נוב׳ 2026 21:15 IST", datetime(2026, 11, 19, 19, 15, tzinfo=UTC)),
        ("mer, 18 nov 2026 12:00:00 +0100", datetime(2026, 11, 18, 11, 0, tzinfo=UTC)),
        ("lunedì, 16 marzo 2026 10:00:00 +01:00", datetime(2026, 3, 16, 9, 0, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 08:30:00 GMT", datetime(2026, 11, 20, 8, 30, tzinfo=UTC)),
        ("2026-11-20T08:30:00+02:00", datetime(2026, 11, 20, 6, 30, tzinfo=UTC)),
        ("2026-11-20", datetime(2026, 11, 20, tzinfo=UTC)),
    ],
)
def test_parse_feed_date_reads_israeli_zones_and_foreign_months(
    text: str, expected: datetime
) -> None:
    assert parse_feed_date(text) == expected


@pytest.mark.parametrize("text", ["", None, "yesterday", "Fri, 20 Nov 2026 08:30:00 XYZ"])
def test_parse_feed_date_gives_up_rather_than_guessing(text: str | None) -> None:
    assert parse_feed_date(text) is None


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00:00+03:00", "9999-12-31T23:30:00-05:00", "Fri, 31 Dec 9999 23:30 EST"],
)
def test_parse_feed_date_out_of_range_gives_none_instead_of_raising(text: str) -> None:
    assert parse_feed_date(text) is None


def test_parse_feed_date_gives_up_at_once_on_a_huge_date_string() -> None:
    # the RFC 822 pattern backtracks quadratically on a long run of dots: 20k took seconds
    started = time.monotonic()
    assert parse_feed_date("1 a" + "." * 50_000 + "x") is None
    assert time.monotonic() - started < 0.5
