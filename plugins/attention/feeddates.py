"""Feed dates feedparser gets wrong: Israeli zones and non-English day and month names.

feedparser reads an unknown zone such as ``IDT`` (UTC+3) or ``IST`` (UTC+2) as UTC, a silent
2–3 hour error, and gives up on ``Fri, 20 nov 2026`` in Italian or ``20 נוב׳ 2026`` in Hebrew.
:func:`parse_feed_date` handles RFC 822 style dates with those zones and month names (taken from
Babel's locale data, never the OS locale) and ISO 8601; anything else is left to feedparser.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from babel import Locale

logger = logging.getLogger(__name__)

MAX_DATE_CHARS = 120
MONTH_LOCALES = ("en", "he", "it", "fr", "de", "es", "pt", "nl")

# Zone abbreviations seen in feeds. IST is Israel Standard Time here (a Hebrew-first product);
# feedparser itself does not know it at all.
ZONES: dict[str, int] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "IST": 2 * 60,
    "IDT": 3 * 60,
    "IDST": 3 * 60,
    "EET": 2 * 60,
    "EEST": 3 * 60,
    "CET": 60,
    "CEST": 2 * 60,
    "MET": 60,
    "MEST": 2 * 60,
    "WET": 0,
    "WEST": 60,
    "BST": 60,
    "MSK": 3 * 60,
    "EST": -5 * 60,
    "EDT": -4 * 60,
    "CST": -6 * 60,
    "CDT": -5 * 60,
    "MST": -7 * 60,
    "MDT": -6 * 60,
    "PST": -8 * 60,
    "PDT": -7 * 60,
    "JST": 9 * 60,
}

_RFC822ISH = re.compile(
    r"""^\s*
    (?P<day>\d{1,2})[\s\-/.]+
    (?P<month>[^\W\d_][^\s\-/,]*)[\s\-/.,]+
    (?P<year>\d{2,4})
    (?:[\sT,]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\.\d+)?)?
    \s*(?P<zone>[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?
    \s*$""",
    re.VERBOSE,
)


def _fold(word: str) -> str:
    """Month-name key: case-folded, without dots, geresh or apostrophes."""
    return word.casefold().replace(".", "").replace("׳", "").replace("'", "").strip()


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Month names and abbreviations in every language we read, folded -> month number."""
    names: dict[str, int] = {}
    for code in MONTH_LOCALES:
        locale = Locale.parse(code)
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in locale.months[context][width].items():
                    names.setdefault(_fold(name), int(number))
    # short forms feeds write without the geresh or with three letters
    for name, number in list(names.items()):
        if len(name) > 3:
            names.setdefault(name[:3], number)
    return names


def _strip_day_name(text: str) -> str:
    """Drop a leading day name ("Fri,", "יום ו׳,", "ven.,"): whatever precedes the first comma
    when it holds no digit."""
    head, sep, tail = text.partition(",")
    if sep and not any(ch.isdigit() for ch in head):
        return tail
    return text


def _zone(token: str | None) -> timezone | None:
    if not token:
        return UTC
    if token[0] in "+-":
        digits = token[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        return timezone(timedelta(minutes=minutes if token[0] == "+" else -minutes))
    offset = ZONES.get(token.upper())
    if offset is None:
        return None
    return timezone(timedelta(minutes=offset))


def parse_feed_date(text: str | None) -> datetime | None:
    """A timezone-aware UTC datetime from a feed's date string, or None when not understood."""
    if not text or not text.strip():
        return None
    text = " ".join(text.split())
    if len(text) > MAX_DATE_CHARS:  # no real date is this long; the pattern would crawl
        return None
    iso = _parse_iso(text)
    if iso is not None:
        return iso
    match = _RFC822ISH.match(_strip_day_name(text))
    if not match:
        return None
    month = month_names().get(_fold(match["month"]))
    zone = _zone(match["zone"])
    if month is None or zone is None:
        return None
    year = int(match["year"])
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        moment = datetime(
            year,
            month,
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
            tzinfo=zone,
        ).astimezone(UTC)
    except (ValueError, OverflowError):  # out of range, also after the move to UTC
        return None
    return moment


def _parse_iso(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        return None
