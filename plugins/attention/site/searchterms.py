"""Hebrew prefixes for the search index.

Hebrew glues one-letter words to the next word: "בפודקאסטים" is "ב" (in) + "פודקאסטים". Pagefind
has no Hebrew stemmer, so a search for "פודקאסט" would miss that word. Pagefind does index the
parts of a word joined by ``_`` as well as the whole word, and matches query prefixes, so the copy
of each page handed to the indexer repeats the stem of a prefixed word after ``_``
("בפודקאסטים_פודקאסטים"). The page on disk is untouched; the search page cuts the ``_stem``
tail from excerpts and titles (``theme/static/js/search.js``, which also strips the same
prefixes from the query).
"""

from __future__ import annotations

import re

JOINER = "_"
#: Letters of the Hebrew alphabet (no points), one word is a run of these.
HEBREW_LETTERS = "\u05d0-\u05ea"
#: A remainder shorter than this stays glued: "כלב" (dog) is not "כ" + "לב" (heart).
MIN_STEM = 3
# One optional "ו" (and), then "ש"/"כש" (that/when), then one of "ב ל כ מ ה" or "מה" (from the).
_CLUSTER = re.compile("ו?(?:כש|ש)?(?:מה|[בלכמה])?")
_WORD = re.compile(f"[{HEBREW_LETTERS}]+")
_TAG = re.compile(r"(<[^>]*>)")
_RAW_TEXT = {"script", "style", "textarea", "title"}


def split_prefix(word: str) -> tuple[str, str]:
    """Split ``word`` into (prefix cluster, stem); the cluster is "" when nothing fits.

    The longest grammatical cluster that leaves a stem of at least ``MIN_STEM`` letters wins.
    """
    match = _CLUSTER.match(word)
    cluster = match.group(0) if match else ""
    while cluster and len(word) - len(cluster) < MIN_STEM:
        cluster = cluster[:-1]
        # Shortening must still leave a grammatical cluster ("וש" -> "ו", "מה" -> "מ").
        if not _CLUSTER.fullmatch(cluster):
            cluster = cluster[:-1]
    return cluster, word[len(cluster) :]


def mark_word(word: str) -> str:
    """``word`` followed by ``JOINER`` and its stem ("בפודקאסטים_פודקאסטים"), or unchanged.

    The whole word comes first so excerpts read naturally once the ``_stem`` tail is cut; the
    cluster itself is never an indexed part (Pagefind matches an indexed word that is a prefix
    of the query, so a lone "ב" would match every query starting with "ב").
    """
    cluster, stem = split_prefix(word)
    return f"{word}{JOINER}{stem}" if cluster else word


def mark_text(text: str) -> str:
    """Mark every Hebrew word in a run of plain text."""
    return _WORD.sub(lambda m: mark_word(m.group(0)), text)


def mark_prefixes(html: str) -> str:
    """Return ``html`` with Hebrew prefixes marked in text nodes (never in tags or raw text)."""
    out: list[str] = []
    raw_until: str | None = None
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            tag = name.group(1).lower() if name else ""
            if raw_until is None and tag in _RAW_TEXT and not piece.startswith("</"):
                raw_until = tag
            elif raw_until == tag and piece.startswith("</"):
                raw_until = None
            out.append(piece)
        elif raw_until is None:
            out.append(mark_text(piece))
        else:
            out.append(piece)
    return "".join(out)
