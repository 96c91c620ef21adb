"""Jinja filters and globals for the theme: Babel dates, direction, reading time, labels."""

from __future__ import annotations

import logging
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache

from attention import i18n
from attention.site.fragments import FragmentCache
from attention.site.subscribe import subscribe_form

logger = logging.getLogger(__name__)

#: Key of the build's compiled-template cache in the context Pelican shares among generators.
CODE_CACHE_KEY = "ATTENTION_COMPILED_TEMPLATES"


class BuildCodeCache(BytecodeCache):
    """Compiled templates kept in memory for one build and shared by its generators.

    Pelican gives every generator its own Jinja environment, so ``base.html`` and its partials
    were compiled once for the articles, once for the search pages and once for the Trends page.
    A template is reused only while its source is unchanged (Jinja checks a checksum).
    """

    def __init__(self) -> None:
        self._code: dict[tuple[str, str], Any] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[(bucket.key, bucket.checksum)] = bucket.code


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
    context = getattr(generator, "context", None)
    if isinstance(context, dict):
        env.bytecode_cache = context.setdefault(CODE_CACHE_KEY, BuildCodeCache())
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
