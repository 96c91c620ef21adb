"""Hebrew prefixes for the search index (filled in below)."""

from __future__ import annotations


def mark_prefixes(html: str) -> str:
    """Return ``html`` unchanged (placeholder)."""
    return html
