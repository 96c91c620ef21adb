"""Parsing fixture feeds into Entry records: formats, encodings, dates, hostile content."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from attention.config import Source
from attention.parse import ParseError, clean_html, clean_text, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FETCHED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def parse(name: str, language: str = "en", **kwargs: object):
    source = Source(name="Fixture", url="https://feeds.test.example/x", language=language)
    return parse_feed(
        (FIXTURES / name).read_bytes(),
        source=source,
        feed_key="https://feeds.test.example/x",
        fetched_at=FETCHED,
        **kwargs,  # type: ignore[arg-type]
    )


def test_rss2_entries_with_relative_link_resolved_against_final_url() -> None:
    feed = parse("rss2.xml", final_url="https://wire.test.example/feed.xml")
    assert [e.title for e in feed.entries][:2] == [
        "Podcast ad spend grows for the fifth straight quarter",
        "Retail media networks sign up smaller brands",
    ]
    assert feed.entries[1].link == "https://wire.test.example/2026/11/retail-media-small-brands"
    assert 'href="https://wire.test.example/radio"' in feed.entries[0].summary_html
    assert not feed.recovered


def test_atom_entry_prefers_published_and_strips_title_markup() -> None:
    feed = parse("atom.xml")
    first = feed.entries[0]
    assert first.title == "Search assistants change how shoppers compare prices"
    assert first.published == datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    assert first.summary_text == "Comparison queries moved into chat interfaces."


def test_rdf_feed_is_read() -> None:
    feed = parse("rdf.xml", language="it")
    assert len(feed.entries) == 1
    assert feed.entries[0].language == "it"
    assert feed.entries[0].published == datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def test_windows_1255_feed_comes_out_as_correct_hebrew() -> None:
    feed = parse("hebrew-1255.xml", language="he")
    assert feed.title == "חדשות בקידוד ישן"
    assert feed.entries[0].title == "שיווק במשפיענים עובר לסרטונים קצרים"
    assert "סרטונים של עד דקה" in feed.entries[0].summary_text


def test_windows_1255_declared_only_in_http_header() -> None:
    body = (FIXTURES / "hebrew-1255.xml").read_bytes().replace(b' encoding="windows-1255"', b"")
    source = Source(name="S", url="https://feeds.test.example/y", language="he")
    feed = parse_feed(
        body,
        source=source,
        feed_key="k",
        headers={"Content-Type": "application/rss+xml; charset=windows-1255"},
        fetched_at=FETCHED,
    )
    assert feed.entries[0].title == "שיווק במשפיענים עובר לסרטונים קצרים"


def test_israeli_zones_and_foreign_month_names_give_true_utc() -> None:
    by_link = {e.link.rsplit("/", 1)[1]: e for e in parse("idt-dates.xml", "he").entries}
    assert by_link["summer"].published == datetime(2026, 10, 20, 7, 0, tzinfo=UTC)  # IDT = +3
    assert by_link["winter"].published == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # IST = +2
    assert by_link["hebrew-month"].published == datetime(2026, 11, 19, 19, 15, tzinfo=UTC)
    assert by_link["italian-date"].published == datetime(2026, 11, 18, 11, 0, tzinfo=UTC)
    assert not by_link["summer"].date_guessed


def test_entry_without_date_gets_fetch_time_and_a_flag() -> None:
    undated = next(e for e in parse("idt-dates.xml", "he").entries if e.link.endswith("undated"))
    assert undated.published == FETCHED
    assert undated.date_guessed


def test_truncated_xml_keeps_recovered_entries_and_says_so() -> None:
    feed = parse("truncated.xml")
    assert feed.recovered
    assert "recovered from a broken feed" in feed.warning
    assert next(e.title for e in feed.entries) == "Complete item before the cut"


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(ParseError, match="HTML page"):
        parse("not-a-feed.html", headers={"Content-Type": "text/html"})


def test_empty_body_is_not_a_feed() -> None:
    source = Source(name="S", url="https://x.example/", language="en")
    with pytest.raises(ParseError, match="empty"):
        parse_feed(b"", source=source, feed_key="k", fetched_at=FETCHED)


def test_hostile_feed_is_neutralised() -> None:
    entries = {e.identity: e for e in parse("hostile.xml").entries}
    assert len(entries) == 5
    for entry in entries.values():
        assert "\n" not in entry.title and "\u202e" not in entry.title
        assert len(entry.title) <= 300
        html = entry.summary_html.lower()
        for bad in ("<script", "onerror", "onclick", "javascript:", "data:", "<iframe", "<style"):
            assert bad not in html
        assert not entry.link.startswith("javascript")
    breakout = next(e for e in entries.values() if e.title.startswith("Breakout"))
    assert breakout.title == 'Breakout "quoted" attempt'
    assert "script" not in breakout.summary_text and "alert" not in breakout.summary_text
    injected = next(e for e in entries.values() if e.title.startswith("Innocent"))
    assert injected.link == ""  # javascript: link dropped, not kept


def test_identity_prefers_guid_and_is_stable() -> None:
    first = parse("rss2.xml").entries
    again = parse("rss2.xml").entries
    assert [e.identity for e in first] == [e.identity for e in again]
    assert all(e.identity.startswith("guid:") for e in first)


def test_max_items_keeps_the_newest() -> None:
    feed = parse("rss2.xml", max_items=1)
    assert [e.title for e in feed.entries] == [
        "Podcast ad spend grows for the fifth straight quarter"
    ]


def test_clean_html_removes_scripts_handlers_and_bad_urls() -> None:
    out = clean_html(
        '<p onmouseover="x()">hi<script>bad()</script><a href="javascript:x">a</a>'
        '<img src="data:image/png;base64,AAAA" onerror="y()"><iframe src="//x"></iframe></p>'
    )
    assert out == '<p>hi<a rel="noopener nofollow">a</a></p>'


def test_dates_at_the_ends_of_the_calendar_do_not_lose_the_feed() -> None:
    feed = parse("odd-dates.xml")
    by_link = {e.link.rsplit("/", 1)[-1]: e for e in feed.entries}
    assert set(by_link) == {"year-one", "year-9999", "moon", "normal"}
    assert by_link["moon"].published == datetime(1969, 7, 20, 20, 17, tzinfo=UTC)
    assert not by_link["moon"].date_guessed
    assert by_link["normal"].published == datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    for odd in ("year-one", "year-9999"):  # unusable dates: the fetch time, flagged
        assert by_link[odd].published == FETCHED and by_link[odd].date_guessed


@pytest.mark.parametrize(
    "content_type", ["text/xml; charset=ISO-8859-1", "application/rss+xml; charset=us-ascii"]
)
def test_server_default_charset_does_not_override_the_feeds_own_declaration(
    content_type: str,
) -> None:
    # a web server's default Latin-1 label on a windows-1255 feed must not turn it into mojibake
    feed = parse("hebrew-1255.xml", language="he", headers={"Content-Type": content_type})
    assert feed.entries[0].title == "שיווק במשפיענים עובר לסרטונים קצרים"
    assert feed.title == "חדשות בקידוד ישן"


def test_unicode_line_separators_in_a_title_become_spaces_not_glue() -> None:
    # U+2028 / U+2029 / NEL never start a metadata line, and the words on either side stay apart
    title = clean_text("Ads\u2028Status: published\u2029Slug: x\x85Tail \u202eend")
    assert title == "Ads Status: published Slug: x Tail end"


def test_a_guid_shared_by_different_items_is_not_their_identity() -> None:
    # the store keeps one entry per identity: with the GUID, three stories would become one
    feed = parse("shared-guid.xml")
    identities = {e.link.rsplit("/", 1)[1]: e.identity for e in feed.entries}
    assert len(set(identities.values())) == 3
    assert len(feed.entries) == 4  # the item listed twice keeps one identity


def test_podcast_item_with_only_an_enclosure_links_to_the_enclosure() -> None:
    feed = parse("podcast-enclosure.xml")
    by_title = {e.title: e for e in feed.entries}
    enclosed = by_title["Episode 12: why brands buy host-read ads"]
    assert enclosed.link == "https://Media.Audio.Test.Example/ep12.mp3?utm_source=rss"
    assert enclosed.canonical_url == "https://media.audio.test.example/ep12.mp3"
    # an item that has a <link> keeps it; the enclosure does not replace it
    linked = by_title["Episode 11: measuring audio attention"]
    assert linked.link == "https://audio.test.example/episodes/11"


def test_absurdly_long_link_is_treated_as_missing_with_a_note() -> None:
    huge = "https://long.test.example/" + "a" * 200_000
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Long</title>'
        f"<item><title>A story with an absurd link</title><link>{huge}</link>"
        "<pubDate>Thu, 19 Nov 2026 09:00:00 GMT</pubDate></item>"
        "<item><title>A story with a normal link</title>"
        "<link>https://long.test.example/normal</link>"
        "<pubDate>Wed, 18 Nov 2026 09:00:00 GMT</pubDate></item>"
        "</channel></rss>"
    ).encode()
    source = Source(name="Long", url="https://long.test.example/feed", language="en")
    feed = parse_feed(body, source=source, feed_key=source.url, fetched_at=FETCHED)
    absurd, normal = feed.entries
    assert absurd.title == "A story with an absurd link"
    assert absurd.link == "" and absurd.canonical_url == ""
    assert normal.link == "https://long.test.example/normal"
    assert "1 link over 2048 characters dropped" in feed.warning
    assert not feed.recovered
