"""Previous/next links on article pages: digests chain with digests, briefs with briefs of the
same language, and the first and last of a chain have no link on their missing side."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest

from sitebuild import REPO, build, write_article

DIGEST_1 = "digests/1-ai-overviews-whatsapp-channels-video-podcasts/"
DIGEST_2 = "digests/2-newsletters-retail-media-tiktok-search-shopping-agents/"
DIGEST_3 = "digests/3-zero-click-search-threads-business-linkedin-creators/"
ENGLISH_DIGEST_2 = "en/" + DIGEST_2
ITALIAN_DIGEST_4 = "digests/4-ai-mode-italiano-podcast-video-retail-media-gdo/"
# The published Hebrew briefs of the sample content, oldest first (Date: order).
HEBREW_BRIEFS = [
    "2026/10/ai-overviews-ctr-drop/",
    "2026/10/whatsapp-channels-subscriptions/",
    "2026/10/retail-media-supermarkets/",
    "2026/11/zero-click-study/",
    "2026/11/threads-business-tools/",
    "2026/11/tiktok-search-ads-israel/",
]
ENGLISH_BRIEF = "en/2026/10/newsletter-sponsorship-rates/"


class _PostNav(HTMLParser):
    """The ``rel="prev"`` / ``rel="next"`` links of the page at ``url``, as site paths."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.base = f"https://site.test/{url}"
        self.links: dict[str, list[str]] = {"prev": [], "next": []}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("rel") in self.links:
            target = urljoin(self.base, found.get("href") or "")  # relative URLs in dev builds
            self.links[str(found["rel"])].append(target.removeprefix("https://site.test/"))


def post_nav(site: Path, url: str) -> dict[str, list[str]]:
    parser = _PostNav(url)
    parser.feed((site / url / "index.html").read_text(encoding="utf-8"))
    return parser.links


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO / "content", tmp_path_factory.mktemp("site"))


def test_middle_digest_links_the_previous_and_next_issue(site: Path) -> None:
    assert post_nav(site, DIGEST_2) == {"prev": [DIGEST_1], "next": [DIGEST_3]}


def test_first_and_last_digest_lack_the_missing_side(site: Path) -> None:
    assert post_nav(site, DIGEST_1) == {"prev": [], "next": [DIGEST_2]}
    assert post_nav(site, DIGEST_3) == {"prev": [DIGEST_2], "next": []}


def test_digest_alone_in_its_language_links_nowhere(site: Path) -> None:
    # The English translation of #2 and the Italian #4 must not jump into Hebrew issues.
    assert post_nav(site, ENGLISH_DIGEST_2) == {"prev": [], "next": []}
    assert post_nav(site, ITALIAN_DIGEST_4) == {"prev": [], "next": []}


def test_briefs_chain_with_briefs_of_their_language_in_date_order(site: Path) -> None:
    for index, url in enumerate(HEBREW_BRIEFS):
        expected = {
            "prev": HEBREW_BRIEFS[index - 1 : index] if index else [],
            "next": HEBREW_BRIEFS[index + 1 : index + 2],
        }
        assert post_nav(site, url) == expected, url


def test_last_brief_does_not_link_to_a_draft(site: Path) -> None:
    # linkedin-newsletter-analytics is a newer draft: it must not be anyone's "next".
    for url in HEBREW_BRIEFS:
        links = post_nav(site, url)
        assert not any("linkedin-newsletter-analytics" in link for link in links["next"]), url


def test_english_brief_links_neither_to_hebrew_briefs_nor_to_digests(site: Path) -> None:
    assert post_nav(site, ENGLISH_BRIEF) == {"prev": [], "next": []}


def _digest(issue: int, date: str) -> str:
    return (
        f"Title: קשב #{issue}: גיליון לבדיקה\nDate: {date}\nLang: he\nSlug: issue-{issue}\n"
        f"Issue: {issue}\nCategory: digest\nAuthors: מיכל ברק\n\nגוף הגיליון.\n"
    )


def test_digest_written_late_for_an_earlier_week_keeps_issue_order(tmp_path: Path) -> None:
    # `attention digest --week` for a past week gives the next number but that week's date.
    content = tmp_path / "content"
    write_article(content, "digests/1-issue-1.md", _digest(1, "2026-10-02T08:00:00+03:00"))
    write_article(content, "digests/2-issue-2.md", _digest(2, "2026-10-16T08:00:00+03:00"))
    write_article(content, "digests/3-issue-3.md", _digest(3, "2026-10-09T08:00:00+03:00"))
    site = build(content, tmp_path / "out")
    assert post_nav(site, "digests/2-issue-2/") == {
        "prev": ["digests/1-issue-1/"],
        "next": ["digests/3-issue-3/"],
    }
