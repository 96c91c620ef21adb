"""The sample site, built for real by Pelican: page types, languages, dates, feeds, links."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from linkcheck import broken_links
from sitebuild import REPO, build_cli

HEBREW_DIGEST = "digests/3-zero-click-search-threads-business-linkedin-creators/index.html"
ENGLISH_DIGEST = "en/digests/2-newsletters-retail-media-tiktok-search-shopping-agents/index.html"
ITALIAN_DIGEST = "digests/4-ai-mode-italiano-podcast-video-retail-media-gdo/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built by the `pelican` command on a machine with only the C locale."""
    output = tmp_path_factory.mktemp("site")
    result = build_cli(REPO / "content", output, env={"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
    assert result.returncode == 0, result.stdout + result.stderr
    return output


def read(site: Path, relative: str) -> str:
    return (site / relative).read_text(encoding="utf-8")


def html_lang_dir(page: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', page)
    assert match, "no <html lang dir>"
    return match.group(1), match.group(2)


@pytest.mark.parametrize(
    "relative",
    [
        "index.html",
        HEBREW_DIGEST,
        ENGLISH_DIGEST,
        ITALIAN_DIGEST,
        "2026/11/zero-click-study/index.html",
        "about/index.html",
        "en/about/index.html",
        "subscribe/index.html",
        "issues/index.html",
        "archives/index.html",
        "archives/2026/index.html",
        "archives/2026/11/index.html",
        "tags/index.html",
        "tag/linkedin/index.html",
        "categories/index.html",
        "category/digest/index.html",
        "authors/index.html",
        "author/michal-barak/index.html",
        "404.html",
        "sitemap.xml",
        "feeds/all.atom.xml",
        "feeds/all.rss.xml",
        "feeds/all.json",
        "feeds/he.atom.xml",
        "feeds/category/digest.atom.xml",
        "feeds/tag/linkedin.rss.xml",
    ],
)
def test_every_page_type_is_written(site: Path, relative: str) -> None:
    assert (site / relative).is_file()


@pytest.mark.parametrize(
    ("relative", "lang", "direction"),
    [
        (HEBREW_DIGEST, "he", "rtl"),
        ("index.html", "he", "rtl"),
        (ENGLISH_DIGEST, "en", "ltr"),
        ("en/about/index.html", "en", "ltr"),
        (ITALIAN_DIGEST, "it", "ltr"),
    ],
)
def test_html_lang_and_dir_follow_the_content_language(
    site: Path, relative: str, lang: str, direction: str
) -> None:
    assert html_lang_dir(read(site, relative)) == (lang, direction)


def test_hebrew_dates_and_reading_time_without_an_os_locale(site: Path) -> None:
    page = read(site, HEBREW_DIGEST)
    assert "6 בנוב׳ 2026" in page
    assert re.search(r"זמן קריאה \S+ דקות|זמן קריאה דקה", page)


def test_english_and_italian_dates_and_reading_time(site: Path) -> None:
    assert "Oct 30, 2026" in read(site, ENGLISH_DIGEST)
    assert re.search(r"\d+ min read", read(site, ENGLISH_DIGEST))
    italian = read(site, ITALIAN_DIGEST)
    assert "13 nov 2026" in italian
    assert re.search(r"\d+ minuti di lettura", italian)


def test_digest_has_issue_number_toc_and_subscribe_boxes(site: Path) -> None:
    page = read(site, HEBREW_DIGEST)
    assert "גיליון #3" in page
    assert 'class="toc"' in page and 'href="#zero-click"' in page
    assert page.count('class="subscribe-box"') == 2


def test_translation_is_linked_both_ways(site: Path) -> None:
    hebrew = read(
        site, "digests/2-newsletters-retail-media-tiktok-search-shopping-agents/index.html"
    )
    english = read(site, ENGLISH_DIGEST)
    assert 'hreflang="en"' in hebrew
    assert 'hreflang="he"' in english


def test_hebrew_paragraph_opening_with_a_brand_stays_rtl(site: Path) -> None:
    page = read(site, HEBREW_DIGEST)
    paragraph = re.search(r"<p[^>]*>LinkedIn <a", page)
    assert paragraph and "dir=" not in paragraph.group(0)


@pytest.mark.parametrize(
    ("feed", "language"),
    [
        ("feeds/all.atom.xml", "he"),
        ("feeds/all.rss.xml", "he"),
        ("feeds/he.atom.xml", "he"),
        ("feeds/en.atom.xml", "en"),
        ("feeds/en.rss.xml", "en"),
        ("feeds/it.atom.xml", "it"),
    ],
)
def test_feeds_parse_and_carry_their_language(site: Path, feed: str, language: str) -> None:
    parsed = feedparser.parse((site / feed).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == language
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.get("author")
        body = entry.content[0].value if "content" in entry else entry.summary
        assert len(body) > 200
        assert "<script" not in body


def test_feeds_hold_no_draft(site: Path) -> None:
    for feed in (site / "feeds").rglob("*.xml"):
        assert "linkedin-newsletter-analytics" not in feed.read_text(encoding="utf-8")


def test_json_feed_is_valid_json_feed(site: Path) -> None:
    document = json.loads(read(site, "feeds/all.json"))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["language"] == "he"
    assert all(item["content_html"] and item["authors"] for item in document["items"])


def test_sitemap_alternates_use_href(site: Path) -> None:
    sitemap = read(site, "sitemap.xml")
    alternates = re.findall(r"<xhtml:link [^>]+/>", sitemap)
    assert alternates
    assert all(' href="' in link and " ref=" not in link for link in alternates)
    assert "linkedin-newsletter-analytics" not in sitemap


def test_every_internal_link_resolves(site: Path) -> None:
    assert broken_links(site) == []


def test_subscribe_page_has_a_real_form_and_feed_links(site: Path) -> None:
    page = read(site, "subscribe/index.html")
    assert 'action="https://buttondown.com/api/emails/embed-subscribe/' in page
    assert 'type="email"' in page and "<label" in page
    assert 'tabindex="-1" autocomplete="off"' in page  # the honeypot
    assert "ההרשמה מאושרת במייל" in page
    assert "feeds/all.atom.xml" in page


def test_no_third_party_requests_in_pages(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', text), page


def test_home_leads_with_the_latest_digest_in_the_site_language(site: Path) -> None:
    home = read(site, "index.html")
    latest = home.split('class="latest"', 1)[1].split("</section>", 1)[0]
    assert "קשב #3" in latest


def test_sitemap_lists_only_pages_that_exist(site: Path) -> None:
    locations = re.findall(
        r"<loc>http://127\.0\.0\.1:8000/([^<]*)</loc>", read(site, "sitemap.xml")
    )
    assert "trends/" in locations and "search/" in locations
    for location in locations:
        target = site / location / "index.html" if location.endswith("/") or not location else None
        assert target is None or target.is_file(), location


def test_navigation_links_the_subscribe_page_in_the_readers_language(site: Path) -> None:
    english = read(site, ENGLISH_DIGEST)
    assert 'href="../../../en/subscribe/"' in english
    assert html_lang_dir(read(site, "en/subscribe/index.html")) == ("en", "ltr")
    assert html_lang_dir(read(site, "it/subscribe/index.html")) == ("it", "ltr")
    assert 'href="../../subscribe/"' in read(site, HEBREW_DIGEST)


def test_sample_trends_page_shows_a_chart_per_topic(site: Path) -> None:
    page = read(site, "trends/index.html")
    assert page.count('class="sparkline"') >= 4
    assert page.count("<title id=") == page.count('class="sparkline"')  # text for each chart


def test_a_post_is_updated_only_when_its_source_says_modified(site: Path) -> None:
    # Not the file's mtime: a fresh checkout would mark every post as updated at every deploy.
    atom = ET.parse(site / "feeds" / "all.atom.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = atom.findall("a:entry", ns)
    assert entries
    for entry in entries:
        published = entry.findtext("a:published", namespaces=ns)
        updated = entry.findtext("a:updated", namespaces=ns)
        assert updated in (None, published), entry.findtext("a:title", namespaces=ns)
    digest = next((site / "digests").glob("3-*/index.html")).read_text("utf-8")
    assert "article:modified_time" not in digest
    stated = {
        line.split(":", 1)[1].strip()[:10]
        for source in (REPO / "content").rglob("*.md")
        for line in source.read_text("utf-8").splitlines()
        if line.startswith("Date:")
    }
    lastmods = set(re.findall(r"<lastmod>(\d{4}-\d{2}-\d{2})", read(site, "sitemap.xml")))
    assert lastmods and lastmods <= stated, lastmods - stated
