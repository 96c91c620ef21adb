"""Site feeds carry full content, and only safe content: a real build with a hostile body."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sitebuild import build, write_article

ATOM = "{http://www.w3.org/2005/Atom}"
SAFE_SCHEMES = ("http://", "https://", "mailto:")

# Raw HTML is legal in Markdown: a careless paste (or a hostile one) reaches the article body.
HOSTILE_BRIEF = """Title: Embeds that should never reach a feed reader
Date: 2026-11-20 10:00
Lang: en
Slug: hostile-embeds
Tags: embeds

Plain words survive with a [harmless link](https://example.org/harmless) and **bold** text.

<script>alert("script-tag")</script>

<p>A chart <img src="https://example.org/chart.png" alt="weekly chart"
onerror="alert('onerror')"> below.</p>

<p><a href="javascript:alert('javascript-link')">tempting link text</a></p>

<p><a href=" JaVaScRiPt:alert('mixed-case')">second tempting link</a></p>

<iframe src="https://tracker.example/frame"></iframe>

<p style="width: expression(alert('style-expression'))">Paragraph that had a style.</p>

<div onclick="alert('onclick')">Clickable block text.</div>

<p><a href="mailto:editor@example.org">write to the editor</a></p>
"""

CALM_BRIEF = """Title: A calm brief in Hebrew
Date: 2026-11-19 10:00
Lang: he
Slug: calm-brief

תקציר רגיל בלי שום דבר מסוכן, עם [קישור](https://example.org/calm).
"""


class _Markup(HTMLParser):
    """Collects every tag and attribute of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


def _markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def _bodies(feed: Path) -> list[str]:
    """The HTML bodies of a feed file, read as written (feedparser would sanitize them itself)."""
    if feed.suffix == ".json":
        return [item["content_html"] for item in json.loads(feed.read_text("utf-8"))["items"]]
    root = ET.parse(feed).getroot()
    if root.tag == f"{ATOM}feed":
        return [node.text or "" for node in root.iter(f"{ATOM}content")]
    return [node.text or "" for node in root.iter("description") if node is not root]


@pytest.fixture(scope="module")
def hostile_bodies(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The hostile brief's body in every feed that carries it, keyed by feed path."""
    content = tmp_path_factory.mktemp("content")
    write_article(content, "briefs/2026/11/hostile-embeds.md", HOSTILE_BRIEF)
    write_article(content, "briefs/2026/11/calm-brief.md", CALM_BRIEF)
    output = build(content, tmp_path_factory.mktemp("site"))
    found = {}
    for feed in sorted((output / "feeds").rglob("*")):
        if feed.suffix not in (".xml", ".json"):
            continue
        for body in _bodies(feed):
            if "harmless link" in body:
                found[feed.relative_to(output).as_posix()] = body
    return found


def test_hostile_brief_reaches_every_kind_of_feed(hostile_bodies: dict[str, str]) -> None:
    expected = {
        f"feeds/{name}.{kind}"
        for name in ("all", "en", "tag/embeds", "category/brief")
        for kind in ("atom.xml", "rss.xml")
    } | {"feeds/all.json", "feeds/en.json"}
    assert expected <= set(hostile_bodies)


def test_feed_content_has_no_script_handler_javascript_link_iframe_or_style(
    hostile_bodies: dict[str, str],
) -> None:
    for feed, body in hostile_bodies.items():
        markup = _markup(body)
        assert not {"script", "iframe", "style", "object", "embed"} & set(markup.tags), feed
        for tag, name, value in markup.attributes:
            assert not name.startswith("on"), f"{feed}: <{tag} {name}>"
            assert name != "style", f"{feed}: <{tag} style>"
            if name in ("href", "src"):
                assert value.strip().lower().startswith(SAFE_SCHEMES), f"{feed}: {name}={value}"
        # nothing of the removed code is left as text either
        assert "alert(" not in body and "expression(" not in body, feed
        assert "tracker.example" not in body, feed


def test_feed_content_keeps_the_harmless_text_and_links(hostile_bodies: dict[str, str]) -> None:
    for feed, body in hostile_bodies.items():
        markup = _markup(body)
        links = {value for tag, name, value in markup.attributes if (tag, name) == ("a", "href")}
        assert {"https://example.org/harmless", "mailto:editor@example.org"} <= links, feed
        assert ("img", "src", "https://example.org/chart.png") in markup.attributes, feed
        assert ("img", "alt", "weekly chart") in markup.attributes, feed
        assert "strong" in markup.tags, feed
        for text in (
            "tempting link text",
            "second tempting link",
            "Paragraph that had a style.",
            "Clickable block text.",
        ):
            assert text in body, f"{feed}: {text!r} lost"
