"""Full-content feeds: Atom, RSS and JSON Feed for everything, per language, category and tag.

Pelican's own feeds carry no language; these set ``xml:lang`` (Atom) and ``<language>`` (RSS),
name the author, and carry sanitized full content with absolute links.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from feedgenerator import Atom1Feed, Rss201rev2Feed, get_tag_uri
from markupsafe import Markup
from pelican.generators import Generator
from pelican.utils import set_date_tzinfo

logger = logging.getLogger(__name__)

FEED_DIR = "feeds"
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "width", "height"},
    "*": {"id", "dir", "lang"},
}


@dataclass(frozen=True)
class FeedSpec:
    """One feed: where it goes (without extension), its title and items."""

    path: str
    title: str
    items: Sequence[Any]


@dataclass(frozen=True)
class FeedEntry:
    """What every feed format says about one article, in plain text where a feed wants text."""

    title: str
    summary: str
    link: str
    unique_id: str
    categories: tuple[str, ...]
    author: str
    published: Any
    updated: Any


class FeedItems:
    """Per-article feed data computed once and shared by every feed the article appears in."""

    def __init__(self, siteurl: str, timezone: str) -> None:
        self.siteurl = siteurl
        self.timezone = timezone
        self._content: dict[int, str] = {}
        self._entries: dict[int, FeedEntry] = {}

    def entry(self, article: Any) -> FeedEntry:
        """Title, summary, link, id, categories, author and dates of ``article``."""
        key = id(article)
        if key not in self._entries:
            link = self.link(article)
            self._entries[key] = FeedEntry(
                title=Markup(article.title).striptags(),
                summary=Markup(getattr(article, "summary", "")).striptags(),
                link=link,
                unique_id=get_tag_uri(link, article.date),
                categories=(str(article.category), *map(str, getattr(article, "tags", []))),
                author=author_name(article),
                published=self.date(article),
                updated=set_date_tzinfo(article.modified, self.timezone)
                if hasattr(article, "modified")
                else None,
            )
        return self._entries[key]

    def content(self, article: Any) -> str:
        """Sanitized full content with links made absolute."""
        key = id(article)
        if key not in self._content:
            html = article.get_content(self.siteurl)
            self._content[key] = nh3.clean(
                html,
                attributes=ALLOWED_ATTRIBUTES,
                link_rel=None,
                url_schemes={"http", "https", "mailto"},
            )
        return self._content[key]

    def link(self, article: Any) -> str:
        base = self.siteurl.rstrip("/")
        return f"{base}/{article.url}" if base else article.url

    def date(self, article: Any) -> Any:
        return set_date_tzinfo(article.date, self.timezone)


def feed_language(items: Iterable[Any], default: str) -> str:
    """The language most items are in (the site's default for an empty feed)."""
    counts = Counter(getattr(item, "lang", default) for item in items)
    return counts.most_common(1)[0][0] if counts else default


def author_name(article: Any) -> str:
    authors = getattr(article, "authors", None) or []
    return ", ".join(str(author) for author in authors)


def feed_specs(context: dict[str, Any], settings: dict[str, Any]) -> list[FeedSpec]:
    """Every feed the site offers, with its items newest first."""
    limit = settings.get("ATTENTION_FEED_MAX_ITEMS", 20)
    # Category and tag feeds follow one subject; they need fewer items than the main feeds.
    narrow = settings.get("ATTENTION_TAXONOMY_FEED_MAX_ITEMS", 10)
    originals = sorted(context.get("articles", []), key=lambda a: a.date, reverse=True)
    every = sorted(
        [*originals, *context.get("translations", [])], key=lambda a: a.date, reverse=True
    )
    specs = [FeedSpec(f"{FEED_DIR}/all", "", originals[:limit])]
    for lang in settings.get("ATTENTION_LANGUAGES", (settings["DEFAULT_LANG"],)):
        items = [a for a in every if a.lang == lang]
        specs.append(FeedSpec(f"{FEED_DIR}/{lang}", lang, items[:limit]))
    for category, articles in context.get("categories", []):
        specs.append(
            FeedSpec(f"{FEED_DIR}/category/{category.slug}", category.name, articles[:narrow])
        )
    for tag, articles in context.get("tags", []):
        ordered = sorted(articles, key=lambda a: a.date, reverse=True)
        specs.append(FeedSpec(f"{FEED_DIR}/tag/{tag.slug}", tag.name, ordered[:narrow]))
    return specs


def _xml_feed(
    feed_class: Callable[..., Any], spec: FeedSpec, items: FeedItems, context: dict[str, Any]
) -> Any:
    settings_lang = context["DEFAULT_LANG"]
    sitename = context["SITENAME"]
    title = f"{sitename} — {spec.title}" if spec.title else sitename
    base = items.siteurl.rstrip("/")
    extension = "atom.xml" if feed_class is Atom1Feed else "rss.xml"
    feed = feed_class(
        title=title,
        link=f"{base}/" if base else "/",
        feed_url=f"{base}/{spec.path}.{extension}",
        description=context.get("SITESUBTITLE", ""),
        subtitle=context.get("SITESUBTITLE"),
        language=feed_language(spec.items, settings_lang),
        author_name=context.get("AUTHOR"),
    )
    is_atom = feed_class is Atom1Feed
    for article in spec.items:
        entry = items.entry(article)
        content = items.content(article)
        feed.add_item(
            title=entry.title,
            link=entry.link,
            unique_id=entry.unique_id,
            description=entry.summary if is_atom else content,
            content=content if is_atom else None,
            categories=list(entry.categories),
            author_name=entry.author,
            pubdate=entry.published,
            updateddate=entry.updated,
        )
    return feed


def json_feed(spec: FeedSpec, items: FeedItems, context: dict[str, Any]) -> dict[str, Any]:
    """A JSON Feed 1.1 document for ``spec``."""
    base = items.siteurl.rstrip("/")
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": context["SITENAME"] + (f" — {spec.title}" if spec.title else ""),
        "home_page_url": f"{base}/",
        "feed_url": f"{base}/{spec.path}.json",
        "description": context.get("SITESUBTITLE", ""),
        "language": feed_language(spec.items, context["DEFAULT_LANG"]),
        "items": [_json_item(article, items, context["DEFAULT_LANG"]) for article in spec.items],
    }


def _json_item(article: Any, items: FeedItems, default_lang: str) -> dict[str, Any]:
    entry = items.entry(article)
    return {
        "id": entry.link,
        "url": entry.link,
        "title": entry.title,
        "content_html": items.content(article),
        "summary": entry.summary,
        "date_published": entry.published.isoformat(),
        "authors": [{"name": str(a)} for a in getattr(article, "authors", [])],
        "tags": [str(t) for t in getattr(article, "tags", [])],
        "language": getattr(article, "lang", default_lang),
    }


def _write(output_path: str, relative: str, text: str) -> None:
    path = os.path.join(output_path, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


class FeedsGenerator(Generator):
    """Writes every feed of :func:`feed_specs` as Atom, RSS and (for the main ones) JSON Feed."""

    def generate_context(self) -> None:
        """Nothing to add: feeds are built from the articles generator's context."""

    def generate_output(self, writer: Any) -> None:
        items = FeedItems(self.context.get("SITEURL", ""), self.settings.get("TIMEZONE", "UTC"))
        specs = feed_specs(self.context, self.settings)
        for spec in specs:
            for feed_class, extension in ((Atom1Feed, "atom.xml"), (Rss201rev2Feed, "rss.xml")):
                feed = _xml_feed(feed_class, spec, items, self.context)
                # Built in memory and written at once: thousands of small writes cost more.
                text = feed.writeString("utf-8")
                _write(self.output_path, f"{spec.path}.{extension}", text)
            if spec.path.count("/") == 1:  # all + per language
                document = json_feed(spec, items, self.context)
                text = json.dumps(document, ensure_ascii=False, indent=1)
                _write(self.output_path, f"{spec.path}.json", text)
        logger.info("attention: wrote %d feeds", len(specs))


def get_generators(_pelican: Any) -> type[Generator]:
    """``get_generators`` receiver."""
    return FeedsGenerator
