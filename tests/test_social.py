"""Social cards, JSON-LD, share links and comments, read from real Pelican builds."""

from __future__ import annotations

import json
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from attention.site.share import NETWORKS, share_href
from attention.site.social import json_for_script, plain_text
from browser import REPO, build_site

SITEURL = "https://attention.example.org"


class PageFacts(HTMLParser):
    """The head meta, JSON-LD blocks, script sources and links of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.meta: dict[str, list[str]] = {}
        self.json_ld: list[str] = []
        self.scripts: list[str] = []
        self.share: dict[str, str] = {}
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "meta" and ("property" in a or "name" in a):
            key = a.get("property") or a.get("name", "")
            self.meta.setdefault(key, []).append(a.get("content", ""))
        elif tag == "script":
            self._in_json_ld = a.get("type") == "application/ld+json"
            if a.get("src"):
                self.scripts.append(a["src"])
        elif tag == "a" and a.get("data-network"):
            self.share[a["data-network"]] = a.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld.append(data)


def facts(path: Path) -> PageFacts:
    parser = PageFacts()
    parser.feed(path.read_text("utf-8"))
    return parser


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The sample site built as for production: absolute URLs."""
    out = tmp_path_factory.mktemp("published")
    return build_site(REPO / "content", out, SITEURL=SITEURL, RELATIVE_URLS=False)


def article_pages(site: Path) -> list[Path]:
    pages = [p for p in site.rglob("index.html") if "/20" in str(p) or "/digests/" in str(p)]
    return [p for p in pages if "archives" not in p.parts and "drafts" not in p.parts]


def test_every_article_has_open_graph_twitter_and_json_ld(published: Path):
    pages = article_pages(published)
    assert len(pages) >= 10
    for page in pages:
        found = facts(page)
        for key in ("og:title", "og:description", "og:url", "og:image", "twitter:card"):
            assert found.meta.get(key, [""])[0], f"{page}: no {key}"
        assert found.meta["og:type"] == ["article"], page
        assert found.meta["twitter:card"] == ["summary_large_image"]
        assert found.meta["og:url"][0].startswith(SITEURL + "/"), page
        assert found.meta["og:image"][0].startswith(SITEURL + "/"), page
        assert len(found.json_ld) == 1, f"{page}: expected one JSON-LD block"
        data = json.loads(found.json_ld[0])
        assert data["inLanguage"] == found.lang
        assert data["headline"] == found.meta["og:title"][0][:110]
        assert data["url"] == found.meta["og:url"][0]
        kind = "NewsArticle" if "/digests/" in str(page) else "BlogPosting"
        assert data["@type"] == kind, page


def test_a_digest_card_speaks_the_digest_language(published: Path):
    english = next(published.glob("en/digests/2-*/index.html"))
    found = facts(english)
    assert found.lang == "en"
    assert found.meta["og:locale"] == ["en_US"]
    assert "he_IL" in found.meta["og:locale:alternate"]
    assert found.meta["og:site_name"] == ["Attention"]
    data = json.loads(found.json_ld[0])
    assert data["publisher"]["name"] == "Attention"
    assert data["isPartOf"]["@type"] == "Periodical"


def test_pages_and_the_home_page_get_a_website_card_without_json_ld(published: Path):
    for page in (published / "index.html", published / "about" / "index.html"):
        found = facts(page)
        assert found.meta["og:type"] == ["website"]
        assert found.meta["og:image"][0] == f"{SITEURL}/theme/images/share-default.png"
        assert found.json_ld == []


def test_share_links_are_plain_links_for_every_network_with_the_article_url(published: Path):
    page = next(published.glob("digests/1-*/index.html"))
    found = facts(page)
    url = found.meta["og:url"][0]
    title = found.meta["og:title"][0]
    assert set(found.share) == {*NETWORKS, "copy"}
    hosts = {network: urlsplit(href).netloc for network, href in found.share.items()}
    assert hosts["whatsapp"] == "wa.me"
    assert hosts["linkedin"] == "www.linkedin.com"
    assert hosts["x"] == "x.com"
    assert hosts["facebook"] == "www.facebook.com"
    assert hosts["telegram"] == "t.me"
    assert found.share["email"].startswith("mailto:?")
    for network in NETWORKS:
        query = parse_qs(urlsplit(found.share[network]).query)
        values = [value for values in query.values() for value in values]
        assert any(url in value for value in values), f"{network}: {query}"
    assert parse_qs(urlsplit(found.share["x"]).query)["text"] == [title]
    # No third-party script anywhere on the page: only our own files.
    assert found.scripts
    assert all(not urlsplit(src).netloc or src.startswith(SITEURL) for src in found.scripts)


def test_share_href_encodes_hebrew_and_rejects_unknown_networks():
    href = share_href("telegram", "קשב #1 & עוד", "https://example.org/a b/")
    query = parse_qs(urlsplit(href).query)
    assert query == {"url": ["https://example.org/a b/"], "text": ["קשב #1 & עוד"]}
    with pytest.raises(ValueError, match="unknown share network 'myspace'"):
        share_href("myspace", "t", "u")


def test_json_ld_cannot_close_its_script_element():
    text = json_for_script({"headline": "</script><script>alert(1)</script> & more"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["headline"].startswith("</script>")


def test_plain_text_descriptions_drop_markup_and_cut_at_a_word():
    assert plain_text("<p>שלום &amp; <b>עולם</b></p>") == "שלום & עולם"
    cut = plain_text("מילה " * 100, 30)
    assert len(cut) <= 30 and cut.endswith("מילה…")


def test_default_share_image_is_a_small_1200x630_png():
    image = REPO / "theme" / "static" / "images" / "share-default.png"
    data = image.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 630)
    assert len(data) < 100_000


def test_comments_are_off_by_default_and_giscus_appears_only_when_configured(
    published: Path, tmp_path: Path
):
    for page in published.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "giscus" not in text and "remark42" not in text, page
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    out = build_site(
        content,
        tmp_path / "out",
        COMMENTS={
            "provider": "giscus",
            "repo": "example/attention",
            "repo_id": "R_1",
            "category": "Comments",
            "category_id": "C_1",
        },
    )
    article = next(out.glob("digests/1-*/index.html")).read_text("utf-8")
    assert 'src="https://giscus.app/client.js"' in article
    assert 'data-repo="example/attention"' in article and 'data-lang="he"' in article
    assert "giscus" not in (out / "about" / "index.html").read_text("utf-8")

    remark = build_site(
        content,
        tmp_path / "remark",
        COMMENTS={"provider": "remark42", "host": "https://c.example.org", "site_id": "kashev"},
    )
    article = next(remark.glob("en/digests/2-*/index.html")).read_text("utf-8")
    assert '<script src="https://c.example.org/web/embed.js" defer></script>' in article
    config = article.split("window.remark_config = ", 1)[1].split(";</script>", 1)[0]
    assert json.loads(config)["locale"] == "en"


def test_modified_date_is_the_authors_with_the_site_time_zone(tmp_path: Path):
    content = tmp_path / "content"
    (content / "briefs").mkdir(parents=True)
    (content / "briefs" / "fixed.md").write_text(
        "Title: A corrected brief\nDate: 2026-11-18 09:00\nModified: 2026-11-21 10:30\n"
        "Lang: en\nSlug: a-corrected-brief\n\nBody text, corrected.\n",
        "utf-8",
    )
    (content / "briefs" / "untouched.md").write_text(
        "Title: An untouched brief\nDate: 2026-11-19 09:00\nLang: en\nSlug: an-untouched-brief"
        "\n\nBody text.\n",
        "utf-8",
    )
    site = build_site(content, tmp_path / "out", SITEURL=SITEURL, RELATIVE_URLS=False)
    fixed = facts(next(site.rglob("a-corrected-brief/index.html")))
    # November in Asia/Jerusalem is UTC+2: a naive Modified: gets the site's zone
    assert fixed.meta["article:modified_time"] == ["2026-11-21T10:30:00+02:00"]
    assert json.loads(fixed.json_ld[0])["dateModified"] == "2026-11-21T10:30:00+02:00"
    untouched = facts(next(site.rglob("an-untouched-brief/index.html")))
    assert "article:modified_time" not in untouched.meta
    data = json.loads(untouched.json_ld[0])
    assert data["dateModified"] == data["datePublished"] == "2026-11-19T09:00:00+02:00"
