"""Typed records that cross module borders (fetch -> parse -> store -> stubs / trends / digest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """One feed item, parsed, sanitized and canonicalised.

    ``published`` is always timezone-aware UTC; ``date_guessed`` is True when the feed gave no
    usable date and the fetch time was used instead. ``also_in`` names the other sources that
    carried the same story; ``canonical_url`` is ``link`` without tracking parameters or fragment.
    """

    identity: str
    feed_url: str
    source_name: str
    title: str
    link: str
    published: datetime
    language: str
    summary_html: str = ""
    summary_text: str = ""
    tags: tuple[str, ...] = ()
    weight: float = 1.0
    date_guessed: bool = False
    also_in: tuple[str, ...] = field(default=())
    canonical_url: str = ""
