"""Jinja filters and globals for the theme: Babel dates, direction, reading time, labels."""

from __future__ import annotations

import logging
from typing import Any

from attention import i18n
from attention.site.fragments import FragmentCache
from attention.site.subscribe import subscribe_form

logger = logging.getLogger(__name__)


def taxonomy_label(name: Any, lang: str | None, labels: dict[str, dict[str, str]]) -> str:
    """The display label of a tag or category (by slug) in ``lang``, or its own name."""
    slug = getattr(name, "slug", None) or str(name)
    per_language = labels.get(slug) or labels.get(str(name))
    if per_language:
        return per_language.get(lang or "", per_language.get("en", str(name)))
    return str(getattr(name, "name", name))


def content_language(item: Any, default: str) -> str:
    """The language of an article or page, or the site's default."""
    return getattr(item, "lang", None) or default


def install(generator: Any) -> None:
    """``generator_init`` receiver: add Attention's filters and globals to the Jinja env."""
    env = getattr(generator, "env", None)
    if env is None:
        return
    settings = generator.settings
    labels = settings.get("TAXONOMY_LABELS", {})
    # Templates do not change during a build: no stat() of every template on every page.
    env.auto_reload = False
    env.add_extension(FragmentCache)
    env.filters.update(
        localdate=i18n.localdate,
        direction=i18n.text_direction,
        reading_time=i18n.reading_time_label,
        label=lambda name, lang=None: taxonomy_label(name, lang, labels),
    )
    env.globals.update(
        t=i18n.translate,
        subscribe_form=subscribe_form(settings.get("SUBSCRIBE")),
        newsletter_name=settings.get("NEWSLETTER_NAME", {}),
    )
