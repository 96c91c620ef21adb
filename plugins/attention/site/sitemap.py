"""sitemap.xml with valid ``hreflang`` alternates (``href=``) linking translations, and the
robots.txt that points crawlers at it."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import quoteattr

from pelican.generators import Generator

logger = logging.getLogger(__name__)

DEV_SITEURL = "http://127.0.0.1:8000"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# Site-wide pages that are not articles or pages, by their URL.
LISTINGS = ("issues/", "archives/", "tags/", "categories/", "authors/", "trends/", "search/")


def absolute(siteurl: str, url: str) -> str:
    return f"{siteurl.rstrip('/')}/{url.lstrip('/')}"


def _lastmod(content: Any) -> str:
    date = getattr(content, "modified", None) or getattr(content, "date", None)
    return date.date().isoformat() if date else ""


def url_entries(context: dict[str, Any], siteurl: str) -> Iterable[str]:
    """One ``<url>`` element per published article, page and translation, plus index pages."""
    yield _url(absolute(siteurl, ""), "", ())
    for listing in LISTINGS:
        yield _url(absolute(siteurl, listing), "", ())
    contents = [
        *context.get("articles", []),
        *context.get("translations", []),
        *context.get("pages", []),
    ]
    contents.extend(t for page in context.get("pages", []) for t in page.translations)
    for content in contents:
        if getattr(content, "status", "published") != "published":
            continue
        family = [content, *getattr(content, "translations", [])]
        alternates = (
            tuple((member.lang, absolute(siteurl, member.url)) for member in family)
            if len(family) > 1
            else ()
        )
        yield _url(absolute(siteurl, content.url), _lastmod(content), alternates)


def _url(loc: str, lastmod: str, alternates: tuple[tuple[str, str], ...]) -> str:
    parts = [f"<url><loc>{_escape(loc)}</loc>"]
    if lastmod:
        parts.append(f"<lastmod>{lastmod}</lastmod>")
    for lang, href in alternates:
        parts.append(
            f'<xhtml:link rel="alternate" hreflang={quoteattr(lang)} href={quoteattr(href)}/>'
        )
    parts.append("</url>")
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def robots_txt(siteurl: str) -> str:
    """Allow everything and name the sitemap by its absolute URL."""
    return f"User-agent: *\nAllow: /\nSitemap: {absolute(siteurl, 'sitemap.xml')}\n"


class SitemapGenerator(Generator):
    """Writes ``sitemap.xml`` at the root of the output."""

    def generate_context(self) -> None:
        """Nothing to add."""

    def generate_output(self, writer: Any) -> None:
        siteurl = self.context.get("SITEURL") or DEV_SITEURL
        body = "\n".join(url_entries(self.context, siteurl))
        document = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">\n{body}\n</urlset>\n'
        )
        path = os.path.join(self.output_path, "sitemap.xml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(document)
        # A robots.txt of the site's own (a static file) is copied after this and wins.
        with open(os.path.join(self.output_path, "robots.txt"), "w", encoding="utf-8") as handle:
            handle.write(robots_txt(siteurl))
        logger.info("attention: wrote sitemap.xml")


def get_generators(_pelican: Any) -> type[Generator]:
    """``get_generators`` receiver."""
    return SitemapGenerator
