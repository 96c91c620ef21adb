"""Attention: the Pelican plugin (``register``) and the ``attention`` command.

Build-time receivers are plain module-level functions connected here; the build only reads
``content/`` and writes ``output/`` (it never touches the network).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def register() -> None:
    """Connect Attention's build-time receivers to Pelican's signals."""
    from pelican import signals  # imported here: the CLI does not need Pelican

    from attention import search_on_build, trends_page
    from attention.site import (
        buildcheck,
        digests,
        feeds,
        navigation,
        reader,
        searchpage,
        sitemap,
        social,
        templating,
    )

    signals.readers_init.connect(reader.add_reader)
    signals.generator_init.connect(templating.install)
    signals.generator_init.connect(social.install)
    signals.article_generator_finalized.connect(navigation.finalize_articles)
    signals.page_generator_finalized.connect(navigation.finalize_pages)
    signals.all_generators_finalized.connect(buildcheck.check_build)
    signals.get_generators.connect(feeds.get_generators)
    signals.get_generators.connect(sitemap.get_generators)
    signals.get_generators.connect(searchpage.get_generators)
    signals.all_generators_finalized.connect(digests.link_cited_briefs)
    signals.all_generators_finalized.connect(digests.warn_leftover_placeholders)
    signals.get_generators.connect(trends_page.get_generators)
    signals.finalized.connect(search_on_build.index_after_build)  # devserver only (a setting)

    from attention.email import edition

    signals.all_generators_finalized.connect(edition.write_editions)
