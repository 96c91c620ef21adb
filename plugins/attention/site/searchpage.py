"""The search page in every site language: ``search/`` (default language) and ``<lang>/search/``.

Each page searches the one Pagefind index of the whole site; results in the page's language come
first (``theme/static/js/search.js``).
"""

from __future__ import annotations

import logging
from typing import Any

from pelican.generators import Generator

logger = logging.getLogger(__name__)

DEFAULT_SAVE_AS = "search/index.html"


def search_path(lang: str, default_lang: str) -> str:
    """The search page's URL path for ``lang`` ("search/" or "en/search/")."""
    return "search/" if lang == default_lang else f"{lang}/search/"


class SearchPagesGenerator(Generator):
    """Writes one search page per language in ``ATTENTION_LANGUAGES``."""

    def generate_context(self) -> None:
        """Nothing to add to the shared context."""

    def generate_output(self, writer: Any) -> None:
        settings = self.settings
        default = settings.get("DEFAULT_LANG", "he")
        languages = settings.get("ATTENTION_LANGUAGES") or (default,)
        template = self.get_template("search")
        for lang in languages:
            url = search_path(lang, default)
            save_as = (
                settings.get("SEARCH_SAVE_AS", DEFAULT_SAVE_AS)
                if lang == default
                else f"{url}index.html"
            )
            writer.write_file(
                save_as,
                template,
                self.context,
                relative_urls=settings.get("RELATIVE_URLS", False),
                page_name="search",
                page_lang=lang,
                url=url,
            )
            logger.debug("attention: wrote %s", save_as)


def get_generators(_pelican: Any) -> type[Generator]:
    """``get_generators`` receiver."""
    return SearchPagesGenerator
