"""Reading order: previous/next links and a digest's table of contents."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

_H2 = re.compile(r'<h2[^>]*\sid="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")


def toc_items(content_html: str) -> list[tuple[str, str]]:
    """(anchor, heading text) for every ``<h2 id=…>`` in a digest's HTML."""
    return [
        (anchor, html.unescape(_TAG.sub("", heading)).strip())
        for anchor, heading in _H2.findall(content_html)
    ]


def series_key(article: Any) -> tuple[bool, str]:
    """Articles are chained with others of the same kind (digest or not) and language."""
    return (getattr(article, "issue", None) is not None, getattr(article, "lang", ""))


def link_neighbours(articles: Sequence[Any]) -> None:
    """Set ``prev_article`` (older) and ``next_article`` (newer) within each series: digests by
    issue number (a digest opened late for an earlier week still follows the one before it),
    other articles by date."""
    series: dict[tuple[bool, str], list[Any]] = {}
    for article in sorted(articles, key=lambda a: (getattr(a, "issue", None) or 0, a.date)):
        series.setdefault(series_key(article), []).append(article)
    for chain in series.values():
        for index, article in enumerate(chain):
            article.prev_article = chain[index - 1] if index > 0 else None
            article.next_article = chain[index + 1] if index + 1 < len(chain) else None


def latest_digest(digests: Sequence[Any], default_lang: str) -> Any | None:
    """The newest digest in the site's language, else the newest of any language."""
    in_site_language = [d for d in digests if getattr(d, "lang", default_lang) == default_lang]
    return (in_site_language or list(digests) or [None])[0]


def freeze_locations(contents: Sequence[Any]) -> None:
    """Compute each ``url``/``save_as`` once: Pelican re-expands the URL pattern on every access,
    and listings access it thousands of times."""
    for content in contents:
        content.override_url = content.url
        content.override_save_as = content.save_as


def finalize_articles(generator: Any) -> None:
    """``article_generator_finalized`` receiver: neighbours and frozen URLs."""
    everything = [*generator.articles, *generator.translations]
    link_neighbours(everything)
    digests = sorted(
        (a for a in generator.articles if getattr(a, "issue", None)),
        key=lambda a: (a.issue, a.date),
        reverse=True,
    )
    generator.context["digests"] = digests
    generator.context["latest_digest"] = latest_digest(digests, generator.settings["DEFAULT_LANG"])
    freeze_locations([*everything, *generator.drafts, *generator.drafts_translations])


def page_urls(pages: Sequence[Any]) -> dict[str, str]:
    """``"<slug>:<lang>"`` -> URL for every page and page translation."""
    return {f"{page.slug}:{page.lang}": page.url for page in pages}


def finalize_pages(generator: Any) -> None:
    """``page_generator_finalized`` receiver: ``PAGE_URLS`` for links to a page in a language."""
    pages = [*generator.pages, *generator.translations, *generator.hidden_pages]
    generator.context["PAGE_URLS"] = page_urls(pages)
