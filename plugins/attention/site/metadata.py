"""Checks on an article's or page's metadata, with messages that name the field.

Pure functions over the metadata dict that Pelican's readers produce; the reader
(:mod:`attention.site.reader`) calls them and turns a failure into one log line naming the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

ASCII_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DIGEST_CATEGORY = "digest"


class MetadataError(ValueError):
    """A source file's metadata is wrong; the message names the field and what to do."""


def is_ascii_slug(value: str) -> bool:
    """True for a lower-case ASCII slug such as ``zero-click-search``."""
    return bool(ASCII_SLUG.match(value))


def check_title(metadata: Mapping[str, Any]) -> None:
    """A title is required and must not be blank."""
    title = str(metadata.get("title", "")).strip()
    if not title:
        raise MetadataError("Title: missing (every article and page needs a `Title:` line)")


def check_date(metadata: Mapping[str, Any], *, is_article: bool) -> None:
    """An article needs a ``Date:``: a date taken from the file's mtime would change with every
    checkout, and with it the post's place in the feeds and archives."""
    if is_article and not metadata.get("date"):
        raise MetadataError(
            "Date: missing (every article needs a `Date:` line, e.g. `Date: 2026-11-20 09:00`)"
        )


def check_language(metadata: Mapping[str, Any], languages: tuple[str, ...]) -> None:
    """``Lang:`` must be one of the site's languages."""
    lang = metadata.get("lang")
    if lang is not None and lang not in languages:
        raise MetadataError(f"Lang: {lang!r} is not one of the site's languages {list(languages)}")


def check_slug(metadata: Mapping[str, Any]) -> None:
    """An explicit slug must be ASCII; a title that is not ASCII needs an explicit slug."""
    slug = metadata.get("slug")
    if slug is not None:
        if not is_ascii_slug(str(slug)):
            raise MetadataError(
                f"Slug: {slug!r} is not an ASCII slug (lower-case letters, digits and hyphens)"
            )
        return
    title = str(metadata.get("title", ""))
    if title.isascii() and not re.search(r"[A-Za-z0-9]", title):
        raise MetadataError("Slug: the title gives an empty slug; add an explicit ASCII `Slug:`")
    if not title.isascii():
        raise MetadataError(
            "Slug: missing; a title that is not in Latin letters needs an explicit ASCII "
            "`Slug:` (e.g. `Slug: zero-click-search`)"
        )


def parse_issue(metadata: Mapping[str, Any]) -> int | None:
    """The digest issue number as an int; digests must have one, others may not."""
    raw = metadata.get("issue")
    category = metadata.get("category")
    is_digest = category is not None and str(category) == DIGEST_CATEGORY
    if raw is None:
        if is_digest:
            raise MetadataError("Issue: missing (a digest needs `Issue: <number>`)")
        return None
    try:
        number = int(str(raw).strip().lstrip("#"))
    except ValueError:
        raise MetadataError(f"Issue: {raw!r} is not a whole number") from None
    if number < 1:
        raise MetadataError(f"Issue: {number} must be 1 or more")
    return number


def taxonomy_slug(name: str, field: str, slugs: Mapping[str, str]) -> str | None:
    """The ASCII slug for an author, tag or category name, or None to let Pelican slugify.

    Names in Latin letters are slugified by Pelican; other names must be listed in ``SLUGS``.
    """
    if name in slugs:
        slug = slugs[name]
        if not is_ascii_slug(slug):
            raise MetadataError(f"{field}: SLUGS[{name!r}] = {slug!r} is not an ASCII slug")
        return slug
    if name.isascii():
        return None
    raise MetadataError(
        f"{field}: {name!r} needs an ASCII slug for its URL: add it to SLUGS in pelicanconf.py"
    )
