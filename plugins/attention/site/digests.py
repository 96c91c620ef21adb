"""Build-time digest extras: the briefs a digest cites, and drafts' leftover placeholders."""

from __future__ import annotations

import logging
import os
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from attention.canonical import canonical_url
from attention.draft_text import LABELS, PLACEHOLDERS

logger = logging.getLogger(__name__)

DIGEST_CATEGORY = "digest"

_HREF = re.compile(r"""\bhref\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
_INTERNAL = re.compile(r"^[{|](filename|article)[}|](.*)$")


def _category(content: Any) -> str:
    category = getattr(content, "category", None)
    return str(getattr(category, "slug", None) or category or "")


def _link_keys(content: Any) -> tuple[str, ...]:
    """The strings a digest can use to link ``content`` (a brief)."""
    keys = []
    source_url = getattr(content, "sourceurl", None) or content.metadata.get("sourceurl")
    if source_url:
        keys.append(canonical_url(str(source_url)))
    relative = str(getattr(content, "relative_source_path", "") or "").replace(os.sep, "/")
    if relative:
        keys.append(f"source:{posixpath.normpath(relative)}")
    url = str(getattr(content, "url", "") or "")
    if url:
        keys.append(f"url:{url.strip('/')}")
    return tuple(keys)


def cited_link_keys(raw_html: str, source_dir: str, siteurl: str = "") -> list[str]:
    """Keys of the links in a digest's HTML (before Pelican resolves ``{filename}`` links)."""
    keys = []
    base = siteurl.rstrip("/")
    for _, href in _HREF.findall(raw_html):
        href = href.strip()
        internal = _INTERNAL.match(href)
        if internal:
            target = internal[2].split("#", 1)[0]
            path = target.lstrip("/") if target.startswith("/") else f"{source_dir}/{target}"
            keys.append(f"source:{posixpath.normpath(path)}")
            continue
        if base and href.startswith(base + "/"):
            keys.append(f"url:{href[len(base) + 1 :].split('#', 1)[0].strip('/')}")
        elif href.startswith("/"):
            keys.append(f"url:{href.split('#', 1)[0].strip('/')}")
        keys.append(canonical_url(href))
    return keys


def link_cited_briefs(generators: Sequence[Any]) -> None:
    """``all_generators_finalized``: set ``cited_briefs`` on every digest (and translation).

    A brief is cited when the digest links its ``SourceURL`` or the brief itself
    (``{filename}`` link or its site URL). Only published briefs count; order is link order.
    """
    articles = [
        item
        for generator in generators
        for name in ("articles", "translations", "drafts", "drafts_translations")
        for item in getattr(generator, name, ()) or ()
    ]
    briefs = [
        a for a in articles if _category(a) == "brief" and getattr(a, "status", "") == "published"
    ]
    by_key: dict[str, Any] = {}
    for brief in briefs:
        for key in _link_keys(brief):
            by_key.setdefault(key, brief)
    for digest in articles:
        if _category(digest) != DIGEST_CATEGORY:
            continue
        relative = str(getattr(digest, "relative_source_path", "") or "").replace(os.sep, "/")
        keys = cited_link_keys(
            getattr(digest, "_content", "") or "",
            posixpath.dirname(relative),
            str(digest.settings.get("SITEURL", "")),
        )
        cited = [by_key[key] for key in keys if key in by_key]
        digest.cited_briefs = list(dict.fromkeys(cited))


def draft_placeholders_in(text: str) -> list[str]:
    """The draft's placeholder texts (in any language) still present in ``text``."""
    found: list[str] = []
    for labels in LABELS.values():
        found += [labels[name] for name in PLACEHOLDERS if labels[name] in text]
    return list(dict.fromkeys(found))


def warn_leftover_placeholders(generators: Sequence[Any]) -> None:
    """``all_generators_finalized``: warn about a published digest still holding placeholders.

    They would reach the page, the feeds and every subscriber's inbox.
    """
    for generator in generators:
        published = [*getattr(generator, "articles", ()), *getattr(generator, "translations", ())]
        for digest in published:
            if _category(digest) != DIGEST_CATEGORY:
                continue
            try:
                found = draft_placeholders_in(Path(digest.source_path).read_text("utf-8"))
            except OSError:
                continue
            if found:
                logger.warning(
                    "digest: %s is published with the draft's placeholder text still in it: %s",
                    getattr(digest, "relative_source_path", digest.source_path),
                    "; ".join(found),
                )
