"""Search: Pagefind index of the built site, Hebrew prefixes, the search page in a real browser."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from attention.site.searchterms import mark_prefixes, mark_word, split_prefix
from browser import PHONE, REPO, browser_fixture, new_page_fixture, site_fixture  # noqa: F401


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("בפודקאסטים", ("ב", "פודקאסטים")),
        ("ולפודקאסט", ("ול", "פודקאסט")),
        ("שבפודקאסט", ("שב", "פודקאסט")),
        ("מהזמן", ("מה", "זמן")),
        ("וכשהמותג", ("וכשה", "מותג")),
        ("כלב", ("", "כלב")),  # "לב" alone is too short to be a stem
        ("ושם", ("", "ושם")),
        ("TikTok", ("", "TikTok")),
    ],
)
def test_split_prefix_takes_the_longest_cluster_that_leaves_a_stem(word, expected):
    assert split_prefix(word) == expected


def test_mark_prefixes_touches_text_only_never_tags_scripts_or_titles():
    html = (
        '<html lang="he"><head><title>בפודקאסטים</title></head>'
        '<body><p class="בלוג" title="ולפודקאסט">האזנה בפודקאסטים</p>'
        "<script>const s = 'בפודקאסטים';</script><p>ולפודקאסט</p></body></html>"
    )
    marked = mark_prefixes(html)
    assert "<title>בפודקאסטים</title>" in marked
    assert 'class="בלוג" title="ולפודקאסט"' in marked
    assert "const s = 'בפודקאסטים';" in marked
    assert "בפודקאסטים_פודקאסטים</p>" in marked
    assert "<p>ולפודקאסט_פודקאסט</p>" in marked
    assert mark_word("פודקאסט") == "פודקאסט"


def test_indexing_writes_the_bundle_and_leaves_pages_unchanged(site):
    page = site.output / "2026" / "11" / "listening-index-fixture" / "index.html"
    assert "בהסכתים" in page.read_text("utf-8")
    assert "_הסכת" not in page.read_text("utf-8")  # the marks go to the index only
    entry = json.loads((site.output / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert entry["languages"], "Pagefind wrote no language index"
    # Listing pages are not content: only articles and pages are indexed.
    assert sum(lang["page_count"] for lang in entry["languages"].values()) < 30


def test_search_command_refuses_a_directory_that_is_not_a_built_site(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "attention.search", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2
    assert "not a built site" in result.stderr


def _search(page, site, query: str) -> list[dict[str, str]]:
    page.goto(site.url("search/"))
    page.wait_for_selector("html[data-search-ready]")
    page.fill("#search-query", query)
    page.press("#search-query", "Enter")
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    return page.eval_on_selector_all(
        "#search-results li",
        "items => items.map(li => ({href: li.querySelector('a').getAttribute('href'),"
        " title: li.querySelector('a').textContent, excerpt: li.querySelector('p').textContent,"
        " html: li.querySelector('p').innerHTML, lang: li.lang}))",
    )


@pytest.mark.browser
def test_hebrew_search_finds_a_word_that_appears_only_with_prefixes(site, new_page):
    page = new_page()
    results = _search(page, site, "הסכת")
    hrefs = [r["href"] for r in results]
    assert any("listening-index-fixture" in href for href in hrefs), hrefs
    fixture = next(r for r in results if "listening-index-fixture" in r["href"])
    # The reader sees the words as written, with the match highlighted.
    assert "בהסכתים" in fixture["excerpt"] or "ולהסכת" in fixture["excerpt"]
    assert "_" not in fixture["excerpt"] + fixture["title"]
    assert "<mark>" in fixture["html"]


@pytest.mark.browser
def test_hebrew_search_strips_prefixes_from_the_query_too(site, new_page):
    page = new_page()
    typed = _search(page, site, "ולהסכתים")
    assert any("listening-index-fixture" in r["href"] for r in typed)
    # The sample digest #1 writes "הפודקאסט", "שפודקאסט", "ופודקאסטים", never the bare word.
    sample = _search(page, site, "פודקאסט")
    assert any("/digests/1-" in r["href"] for r in sample), sample
    plural = _search(page, site, "פודקאסטים")
    assert any("/digests/1-" in r["href"] for r in plural), plural


@pytest.mark.browser
def test_search_box_in_the_header_leads_to_results_on_a_phone(site, new_page):
    page = new_page(viewport=PHONE)
    page.goto(site.url("about/"))
    page.fill("#site-search", "TikTok")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search/?q=TikTok")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    assert page.input_value("#search-query") == "TikTok"
    langs = page.eval_on_selector_all("#search-results li", "items => items.map(li => li.lang)")
    assert "he" in langs
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal scroll with results on a phone"


@pytest.mark.browser
def test_search_for_nonsense_says_nothing_was_found(site, new_page):
    page = new_page()
    # Starts with "ב": Pagefind alone would match the "ב" of "ב-Google" as a stem of it.
    assert _search(page, site, "בקסקסקס") == []
    assert page.text_content("#search-status") == "לא נמצאו תוצאות."
    assert _search(page, site, "azzzz") == []


@pytest.mark.browser
def test_latin_word_after_a_hyphenated_hebrew_prefix_is_found(site, new_page):
    # Digest #3 writes Google only as "ב-Google"; the relevance filter must keep it.
    page = new_page()
    results = _search(page, site, "Google")
    assert any("/digests/3-" in r["href"] for r in results), [r["href"] for r in results]


@pytest.mark.browser
def test_a_plural_query_finds_the_singular_with_its_final_letter(site, new_page):
    # The fixture says only "בתוף" (in a drum); "תופים" -> "תוף" needs the final פ -> ף.
    page = new_page()
    results = _search(page, site, "תופים")
    assert any("listening-index-fixture" in r["href"] for r in results), results


@pytest.mark.browser
def test_an_english_reader_gets_an_english_search_page_with_english_results_first(site, new_page):
    page = new_page()
    page.goto(site.url("en/about/"))
    page.fill("#site-search", "newsletter")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/en/search/?q=newsletter")
    page.wait_for_function("document.querySelectorAll('#search-results li').length > 1")
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    assert page.text_content("label[for=search-query]") == "Search the site"
    langs = page.eval_on_selector_all("#search-results li", "items => items.map(li => li.lang)")
    assert langs[0] == "en" and "he" in langs, langs
    assert langs == sorted(langs, key=lambda lang: lang != "en"), langs
