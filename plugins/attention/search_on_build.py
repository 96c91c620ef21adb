"""Rebuild the search index at the end of every Pelican build, when asked to.

``make html`` indexes once after Pelican (``python -m attention.search output``). The
autoreloading ``make devserver`` has no step after a rebuild, so it sets
``ATTENTION_SEARCH_ON_BUILD`` and this ``finalized`` receiver indexes after each one. Off by
default: the index takes about two seconds, which ordinary builds and the tests do not pay.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SETTING = "ATTENTION_SEARCH_ON_BUILD"


def index_after_build(pelican: Any) -> None:
    """``finalized`` receiver: index ``OUTPUT_PATH`` when the setting is on."""
    if not pelican.settings.get(SETTING):
        return
    from attention.search import BUNDLE_DIR, build_index  # Pagefind only when it is used

    site = Path(pelican.settings["OUTPUT_PATH"])
    count = asyncio.run(build_index(site))
    logger.info("attention: search index: %d pages indexed into %s", count, site / BUNDLE_DIR)
