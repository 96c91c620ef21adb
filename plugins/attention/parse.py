"""Feed bytes -> :class:`attention.records.Entry` (feedparser on the bytes, with the headers).

feedparser is only the parser: it gets the body we fetched plus the response headers (content
type for the declared encoding, content location for relative links). A feed with minor XML
errors is kept when entries were recovered, and the result says so. Text is cleaned here once:
HTML through nh3 (no script, style, iframe, event handler, ``javascript:`` or ``data:`` URL),
plain text without control or bidi-override characters. Dates go through
:mod:`attention.feeddates` first (Israeli zones, non-English month names).
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import nh3

from .canonical import canonical_url
from .config import Source
from .feeddates import parse_feed_date
from .records import Entry

logger = logging.getLogger(__name__)

# feedparser asks xml.sax for the "drv_libxml2" driver first; it is never installed, and the
# failed import walks sys.path on every parse (~20% of parse time). Expat is what it falls back to.
feedparser.api.PREFERRED_XML_PARSERS = []

MAX_TITLE_CHARS = 300
MAX_SUMMARY_CHARS = 20_000
MAX_LINK_CHARS = 2_048
MAX_UNESCAPE_ROUNDS = 4
FUTURE_SLACK = timedelta(days=1)

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "cite",
        "code",
        "em",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "q": {"cite"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

# C0/C1 controls (but tab/newline are whitespace), bidi embeddings/overrides/isolates, line and
# paragraph separators, BOM. Marks that are needed for Hebrew (RLM/LRM, ZWJ/ZWNJ) are kept.
UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ufff9-\ufffb]"
)


# Charsets web servers put on every text response by default (Apache's AddDefaultCharset): they
# say nothing about the feed, and Latin-1 decodes any bytes, so it would win over the encoding the
# feed declares itself and turn a windows-1255 or UTF-8 Hebrew feed into mojibake.
SERVER_DEFAULT_CHARSETS = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1"})
_HTTP_CHARSET = re.compile(r";\s*charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*\sencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class ParseError(Exception):
    """The body is not a feed we can use; the message is one line for the status table."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """Entries of one feed; ``warning`` is set when they were recovered from a broken document."""

    title: str
    entries: list[Entry]
    recovered: bool = False
    warning: str = ""


def clean_text(text: str, limit: int | None = None) -> str:
    """Plain, single-line, bidi-safe text: no markup, controls or direction overrides.

    Markup is stripped until none is left, so that text escaped twice in the feed
    (``&amp;lt;script&amp;gt;``) cannot turn back into a tag when a template unescapes it.
    """
    for _ in range(MAX_UNESCAPE_ROUNDS):
        plain = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
        if plain == text:
            break
        text = plain
    else:
        text = plain.replace("<", "‹").replace(">", "›")
    # line breaks of any kind (U+2028, U+2029, NEL…) part words; then the invisible controls go
    text = " ".join(unicodedata.normalize("NFC", text).split())
    text = " ".join(UNSAFE_CHARS.sub("", text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def clean_html(fragment: str) -> str:
    """Feed HTML reduced to a small safe subset (nh3); links get ``rel="noopener nofollow"``."""
    fragment = UNSAFE_CHARS.sub("", fragment)
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript"},
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener nofollow",
        strip_comments=True,
    )


def safe_link(raw: str | None, base: str) -> str:
    """An absolute http(s) URL, or "" for anything else (``javascript:``, ``data:``, junk, or
    longer than :data:`MAX_LINK_CHARS`)."""
    if not raw or len(raw) > MAX_LINK_CHARS:
        return ""
    raw = UNSAFE_CHARS.sub("", raw).strip()
    if any(ch.isspace() for ch in raw):
        return ""
    try:
        absolute = urljoin(base, raw) if base.startswith(("http://", "https://")) else raw
        parts = urlsplit(absolute)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return absolute if len(absolute) <= MAX_LINK_CHARS else ""


def parse_feed(
    body: bytes,
    *,
    source: Source,
    feed_key: str,
    headers: Mapping[str, str] | None = None,
    final_url: str = "",
    fetched_at: datetime,
    max_items: int = 50,
) -> ParsedFeed:
    """Parse ``body`` into entries of ``source``; raise :class:`ParseError` if it is no feed."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    if final_url.startswith(("http://", "https://")):
        response_headers.setdefault("content-location", final_url)
    response_headers = _without_default_charset(body, response_headers)
    document = feedparser.parse(
        io.BytesIO(body), response_headers=response_headers, sanitize_html=False
    )
    entries_raw = list(document.get("entries", []))
    problem = document.get("bozo_exception") if document.get("bozo") else None
    if not entries_raw and not document.get("version"):
        raise ParseError(_not_a_feed_reason(body, response_headers, problem))
    if not entries_raw and problem is not None and not _is_encoding_notice(problem):
        raise ParseError(f"broken feed, no entries recovered: {_describe(problem)}")
    base = final_url if final_url.startswith(("http://", "https://")) else ""
    shared = _shared_guids(entries_raw)
    entries: list[Entry] = []
    for raw in entries_raw:
        entry = _entry(
            raw, source=source, feed_key=feed_key, base=base, fetched_at=fetched_at, shared=shared
        )
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: e.published, reverse=True)
    recovered = problem is not None and not _is_encoding_notice(problem)
    warning = f"recovered from a broken feed: {_describe(problem)}" if recovered else ""
    too_long = sum(1 for raw in entries_raw if len(str(raw.get("link") or "")) > MAX_LINK_CHARS)
    if too_long:
        note = (
            f"{too_long} link{'s' if too_long > 1 else ''} over {MAX_LINK_CHARS} characters dropped"
        )
        warning = f"{warning}; {note}" if warning else note
    title = clean_text(str(document.get("feed", {}).get("title", "")), MAX_TITLE_CHARS)
    return ParsedFeed(
        title=title, entries=entries[:max_items], recovered=recovered, warning=warning
    )


def _shared_guids(entries_raw: list[Any]) -> set[str]:
    """GUIDs that different items of one document carry (a CMS giving every item the site's
    address): no identity, or all those stories would be stored as one."""
    stories: dict[str, set[tuple[str, str]]] = {}
    for raw in entries_raw:
        guid = str(raw.get("id", ""))
        if guid:
            stories.setdefault(guid, set()).add((str(raw.get("link")), str(raw.get("title"))))
    return {clean_text(guid, 1000) for guid, told in stories.items() if len(told) > 1}


def _entry(
    raw: Mapping[str, Any],
    *,
    source: Source,
    feed_key: str,
    base: str,
    fetched_at: datetime,
    shared: set[str],
) -> Entry | None:
    title = clean_text(str(raw.get("title", "")), MAX_TITLE_CHARS)
    link = safe_link(raw.get("link"), base) or _enclosure_link(raw, base)
    summary_source = ""
    content = raw.get("content") or []
    if content:
        summary_source = str(content[0].get("value", ""))
    summary_source = str(raw.get("summary", "")) or summary_source
    summary_html = clean_html(summary_source[:MAX_SUMMARY_CHARS])
    summary_text = clean_text(summary_html)
    if not title:
        title = clean_text(summary_text, 80)
    if not title and not link:
        return None
    published, guessed = _published(raw, fetched_at)
    canonical = canonical_url(link) if link else ""
    guid = clean_text(str(raw.get("id", "")), 1000)
    if guid and guid not in shared:
        identity = _identity(feed_key, "guid", guid)
    elif canonical:
        identity = _identity(feed_key, "link", canonical)
    else:
        # only what stays put: a summary like "3 comments" changes nightly, a guessed date is
        # the fetch time
        stable = title if guessed else f"{title}\n{published.isoformat()}"
        identity = _identity(feed_key, "hash", stable)
    return Entry(
        identity=identity,
        feed_url=feed_key,
        source_name=source.name,
        title=title,
        link=link,
        published=published,
        language=source.language,
        summary_html=summary_html,
        summary_text=summary_text,
        tags=tuple(source.tags),
        weight=source.weight,
        date_guessed=guessed,
        canonical_url=canonical,
    )


def _enclosure_link(raw: Mapping[str, Any], base: str) -> str:
    """The first usable enclosure URL: a podcast item often links to nothing but its audio."""
    for enclosure in raw.get("enclosures") or []:
        link = safe_link(enclosure.get("href"), base)
        if link:
            return link
    return ""


def _without_default_charset(body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """Drop a server-default Latin-1 charset when the document declares another encoding."""
    content_type = headers.get("content-type", "")
    http = _HTTP_CHARSET.search(content_type)
    declared = _XML_ENCODING.match(body.removeprefix(b"\xef\xbb\xbf")[:512])
    if not http or not declared or http[1].lower() not in SERVER_DEFAULT_CHARSETS:
        return headers
    if declared[1].decode("ascii").lower() in SERVER_DEFAULT_CHARSETS:
        return headers
    return {**headers, "content-type": content_type[: http.start()].strip()}


def _identity(feed_key: str, kind: str, value: str) -> str:
    digest = hashlib.sha256(f"{feed_key}\n{value}".encode()).hexdigest()[:32]
    return f"{kind}:{digest}"


def _published(raw: Mapping[str, Any], fetched_at: datetime) -> tuple[datetime, bool]:
    for key in ("published", "updated", "created"):
        moment = parse_feed_date(raw.get(key))
        if moment is None:
            parsed = raw.get(f"{key}_parsed")
            if parsed:
                try:
                    moment = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
                except (ValueError, OverflowError):  # feedparser's year 0 or 10000
                    moment = None
        if moment is not None:
            if moment > fetched_at + FUTURE_SLACK:
                return fetched_at, True
            return moment, False
    return fetched_at, True


def _is_encoding_notice(problem: BaseException) -> bool:
    """feedparser flags a mislabelled but decodable charset; that is no reason to warn."""
    return isinstance(
        problem,
        feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType,
    )


def _describe(problem: BaseException | None) -> str:
    if problem is None:
        return "unknown problem"
    text = " ".join(str(problem).split())
    return text[:160] or type(problem).__name__


def _not_a_feed_reason(
    body: bytes, headers: Mapping[str, str], problem: BaseException | None
) -> str:
    head = body[:512].lstrip().lower()
    if "html" in headers.get("content-type", "") or head.startswith((b"<!doctype html", b"<html")):
        return "not a feed: got an HTML page"
    if not body.strip():
        return "not a feed: empty body"
    if problem is not None:
        return f"not a feed: {_describe(problem)}"
    return "not a feed: no RSS, Atom or RDF document found"
