"""Bidi-safe text: the direction a block of mixed Hebrew/Latin text should be laid out in.

``dir="auto"`` takes the first strong character, so a Hebrew sentence that opens with a brand
name ("LinkedIn משיקה…") would be laid out left-to-right. We count strong characters instead
and mark only the blocks whose dominant direction differs from the page's.
"""

from __future__ import annotations

import re

# Runs of strong letters: counting run lengths is far cheaper than matching letter by letter.
_RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]+")
_LTR_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+")
_BLOCK = re.compile(r"<(p|li|h[1-6]|td|th|dd|dt|figcaption)(\s[^>]*)?>(.*?)</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def dominant_direction(text: str) -> str | None:
    """``"rtl"`` or ``"ltr"`` by majority of strong letters; None when there are none."""
    rtl = sum(map(len, _RTL_LETTER.findall(text)))
    ltr = sum(map(len, _LTR_LETTER.findall(text)))
    if rtl == ltr == 0:
        return None
    return "rtl" if rtl >= ltr else "ltr"


def mark_block_directions(html: str, base_direction: str) -> str:
    """Add ``dir`` to block elements whose text runs against ``base_direction``."""

    opposite = _LTR_LETTER if base_direction == "rtl" else _RTL_LETTER

    def mark(match: re.Match[str]) -> str:
        tag, attributes, inner = match.group(1), match.group(2) or "", match.group(3)
        if " dir=" in attributes:
            return match.group(0)
        text = _TAG.sub("", inner) if "<" in inner else inner
        if not opposite.search(text):
            return match.group(0)
        direction = dominant_direction(text)
        if direction is None or direction == base_direction:
            return match.group(0)
        return f'<{tag}{attributes} dir="{direction}">{inner}</{tag}>'

    return _BLOCK.sub(mark, html)
