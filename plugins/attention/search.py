"""Build the offline Pagefind search index for a built site: ``python -m attention.search output``.

Runs after Pelican (``make html``). Hebrew pages are indexed through a copy whose prefixed words
carry an invisible split point (see :mod:`attention.site.searchterms`), so a search for a bare
word also finds its prefixed forms. The HTML files on disk are never changed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

logger = logging.getLogger(__name__)

BUNDLE_DIR = "pagefind"
#: Pages without this attribute are not content (the API indexes whatever it is given).
BODY_MARK = "data-pagefind-body"
#: Parts of an indexed page that are not its content.
EXCLUDE = (".subscribe-box", ".meta", ".share", ".toc", ".post-nav", ".comments")


def _url_for(site: Path, page: Path) -> str:
    """The site-relative URL Pagefind reports for ``page`` (``a/b/index.html`` -> ``/a/b/``)."""
    rel = page.relative_to(site).as_posix()
    if rel == "index.html":
        return "/"
    if rel.endswith("/index.html"):
        return "/" + rel[: -len("index.html")]
    return "/" + rel


def _pages(site: Path) -> list[Path]:
    """HTML pages to index: everything except Pagefind's own bundle and drafts."""
    pages = []
    for page in sorted(site.rglob("*.html")):
        parts = page.relative_to(site).parts
        if parts[0] in (BUNDLE_DIR, "drafts"):
            continue
        pages.append(page)
    return pages


async def build_index(site: Path) -> int:
    """Index every page of ``site`` into ``site/pagefind``; return the number of pages indexed."""
    from attention.site.searchterms import mark_prefixes

    staging = site / f".{BUNDLE_DIR}-new"
    shutil.rmtree(staging, ignore_errors=True)
    config = IndexConfig(
        output_path=str(staging),
        # One index for he/en/it: a reader finds every language from any page. Pagefind has no
        # Hebrew stemmer anyway; English and Italian words still match by prefix.
        force_language="he",
        exclude_selectors=list(EXCLUDE),
    )
    indexed = 0
    async with PagefindIndex(config=config) as index:
        for page in _pages(site):
            try:
                html = page.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                logger.error("%s: cannot read for the search index: %s", page, exc)
                continue
            if BODY_MARK not in html:
                continue  # listings, tag pages, the search page itself
            url = _url_for(site, page)
            result = await index.add_html_file(content=mark_prefixes(html), url=url)
            if result.get("page_word_count", 0):
                indexed += 1
    _swap_in(staging, site / BUNDLE_DIR)
    return indexed


def _swap_in(staging: Path, bundle: Path) -> None:
    """Replace the old bundle with the new one; a failed run leaves the old bundle in place."""
    retired = bundle.with_name(f".{bundle.name}-old")
    shutil.rmtree(retired, ignore_errors=True)
    if bundle.exists():
        os.replace(bundle, retired)
    os.replace(staging, bundle)
    shutil.rmtree(retired, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: index the site directory given as the only argument."""
    parser = argparse.ArgumentParser(prog="python -m attention.search", description=__doc__)
    parser.add_argument("site", nargs="?", default="output", help="built site (default: output)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    site = Path(args.site)
    if not (site / "index.html").is_file():
        logger.error("%s: not a built site (no index.html); run pelican first", site)
        return 2
    count = asyncio.run(build_index(site))
    logger.info("search index: %d pages indexed into %s", count, site / BUNDLE_DIR)
    return 0


if __name__ == "__main__":
    sys.exit(main())
