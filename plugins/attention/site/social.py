"""Social cards: Open Graph and Twitter meta, JSON-LD, and share links for the templates.

``install`` (a ``generator_init`` receiver) adds the Jinja global ``social_card(item, lang)``:
an article or page gets a full card; ``None`` gets the site's card. URLs are absolute when
``SITEURL`` is (``publishconf.py``); development builds have only root-relative ones.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import escape

from attention.site.share import ShareLink, share_links

logger = logging.getLogger(__name__)

#: The default share image (rendered from ``content/images/share-default.svg``), 1200×630.
DEFAULT_SHARE_IMAGE = {"path": "theme/images/share-default.png", "width": 1200, "height": 630}
OG_LOCALES = {"he": "he_IL", "en": "en_US", "it": "it_IT"}
DESCRIPTION_CHARS = 200
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(value: Any, limit: int | None = None) -> str:
    """Markup-free, single-spaced text, cut at a word boundary to ``limit`` characters."""
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", str(value or "")))).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
    return text


def absolute_url(siteurl: str, path: str) -> str:
    """``path`` under ``siteurl``; root-relative when there is no SITEURL."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", path):
        return path
    return f"{siteurl.rstrip('/')}/{path.lstrip('/')}"


def json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>`` or ``&`` characters."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class SocialCard:
    """What ``partials/social_meta.html`` and ``partials/share.html`` render."""

    title: str
    description: str
    url: str
    image: str
    image_alt: str
    meta: list[tuple[str, str, str]] = field(default_factory=list)
    json_ld: str | None = None
    head_html: str = ""
    share: list[ShareLink] = field(default_factory=list)


def _image(item: Any, settings: dict[str, Any]) -> tuple[str, int | None, int | None]:
    own = getattr(item, "image", None) if item is not None else None
    siteurl = settings.get("SITEURL", "")
    if own:
        return absolute_url(siteurl, str(own)), None, None
    default = {**DEFAULT_SHARE_IMAGE, **(settings.get("SHARE_IMAGE") or {})}
    return absolute_url(siteurl, default["path"]), default.get("width"), default.get("height")


def _is_article(item: Any) -> bool:
    from pelican.contents import Article  # the plugin runs inside Pelican

    return isinstance(item, Article)


def _modified(item: Any) -> Any:
    """The ``Modified:`` date written by the author (never the file's mtime), or None; with the
    site's time zone, as Pelican sets it on the article (the raw metadata may have none)."""
    if "modified" not in (getattr(item, "metadata", None) or {}):
        return None
    return getattr(item, "modified", None) or item.metadata["modified"]


def _tag_labels(item: Any, lang: str, settings: dict[str, Any]) -> list[str]:
    labels = settings.get("TAXONOMY_LABELS", {})
    names = []
    for tag in getattr(item, "tags", None) or []:
        per_language = labels.get(getattr(tag, "slug", str(tag)), {})
        names.append(per_language.get(lang) or str(tag))
    return names


def _article_json_ld(item: Any, card: SocialCard, lang: str, settings: dict[str, Any]) -> str:
    site_name = settings.get("NEWSLETTER_NAME", {}).get(lang) or settings.get("SITENAME", "")
    siteurl = settings.get("SITEURL", "")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        # A numbered digest is the newsletter's news issue; a brief is a post.
        "@type": "NewsArticle" if getattr(item, "issue", None) else "BlogPosting",
        "headline": card.title[:110],
        "description": card.description,
        "inLanguage": lang,
        "url": card.url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": card.url},
        "image": [card.image],
        "datePublished": item.date.isoformat(),
        "dateModified": (_modified(item) or item.date).isoformat(),
        "author": [
            {"@type": "Person", "name": str(author)} for author in getattr(item, "authors", [])
        ],
        "publisher": {
            "@type": "Organization",
            "name": site_name,
            "logo": {"@type": "ImageObject", "url": card.image},
            **({"url": absolute_url(siteurl, "")} if siteurl else {}),
        },
    }
    keywords = _tag_labels(item, lang, settings)
    if keywords:
        data["keywords"] = keywords
    if getattr(item, "issue", None):
        data["isPartOf"] = {"@type": "Periodical", "name": site_name}
    return json_for_script(data)


def social_card(item: Any, lang: str, settings: dict[str, Any]) -> SocialCard:
    """The card for an article, a page, or (``item`` None) the site itself."""
    siteurl = settings.get("SITEURL", "")
    site_name = settings.get("NEWSLETTER_NAME", {}).get(lang) or settings.get("SITENAME", "")
    image, width, height = _image(item, settings)
    if item is None:
        title = str(settings.get("SITENAME", ""))
        description = plain_text(settings.get("SITESUBTITLE", ""), DESCRIPTION_CHARS)
        url = absolute_url(siteurl, "")
    else:
        title = plain_text(item.title)
        description = plain_text(
            getattr(item, "summary", None) or getattr(item, "content", ""), DESCRIPTION_CHARS
        )
        url = absolute_url(siteurl, item.url)
    is_article = _is_article(item)
    image_alt = settings.get("SHARE_IMAGE_ALT") or site_name
    meta: list[tuple[str, str, str]] = [
        ("property", "og:type", "article" if is_article else "website"),
        ("property", "og:site_name", site_name),
        ("property", "og:title", title),
        ("property", "og:description", description),
        ("property", "og:url", url),
        ("property", "og:locale", OG_LOCALES.get(lang, lang)),
    ]
    for translation in getattr(item, "translations", None) or []:
        meta.append(("property", "og:locale:alternate", OG_LOCALES.get(translation.lang, "")))
    meta.append(("property", "og:image", image))
    if width and height:
        meta += [("property", "og:image:width", str(width))]
        meta += [("property", "og:image:height", str(height))]
    meta.append(("property", "og:image:alt", image_alt))
    if is_article:
        meta.append(("property", "article:published_time", item.date.isoformat()))
        modified = _modified(item)
        if modified:
            meta.append(("property", "article:modified_time", modified.isoformat()))
        meta += [("property", "article:tag", tag) for tag in _tag_labels(item, lang, settings)]
    meta += [
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
        ("name", "twitter:image", image),
        ("name", "twitter:image:alt", image_alt),
    ]
    card = SocialCard(
        title=title,
        description=description,
        url=url,
        image=image,
        image_alt=image_alt,
        meta=[entry for entry in meta if entry[2]],
    )
    if not is_article:
        return card
    return replace(
        card,
        json_ld=_article_json_ld(item, card, lang, settings),
        share=share_links(title, url),
    )


def head_html(card: SocialCard) -> str:
    """The ``<meta>`` tags and JSON-LD script of a card, escaped, ready for ``<head>``."""
    lines = [f'<meta {attr}="{key}" content="{escape(value)}">' for attr, key, value in card.meta]
    if card.json_ld:
        lines.append(f'<script type="application/ld+json">{card.json_ld}</script>')
    return "\n".join(lines)


def install(generator: Any) -> None:
    """``generator_init`` receiver: the ``social_card(item, lang)`` Jinja global."""
    env = getattr(generator, "env", None)
    if env is None:
        return
    settings = generator.settings
    # An article asks for its card twice (meta in <head>, share links in the body): build it once.
    cards: dict[tuple[int, str], tuple[Any, SocialCard]] = {}

    def card(item: Any = None, lang: str | None = None) -> SocialCard:
        language = lang or settings.get("DEFAULT_LANG", "en")
        key = (id(item), language)
        cached = cards.get(key)
        if cached is None or cached[0] is not item:
            built = social_card(item, language, settings)
            built = replace(built, head_html=head_html(built))
            cached = cards[key] = (item, built)
        return cached[1]

    env.globals["social_card"] = card
