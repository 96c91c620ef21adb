"""Bidi-safe text: the direction a block of mixed Hebrew/Latin text should be laid out in.

``dir="auto"`` takes the first strong character, so a Hebrew sentence that opens with a brand
name ("LinkedIn משיקה…") would be laid out left-to-right. We count strong characters instead
and mark only the blocks whose direction (see :func:`dominant_direction`) differs from the
page's.
"""

from __future__ import annotations

import re

# Runs of strong letters: counting run lengths is far cheaper than matching letter by letter.
_RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]+")
_LTR_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+")
# A block up to its first closing tag; ``[^<]*(?:<(?!/\1>)[^<]*)*`` is ``.*?`` that skips text in
# runs instead of testing for ``</tag>`` after every character.
_BLOCK = re.compile(
    r"<(p|li|h[1-6]|td|th|dd|dt|figcaption)(\s[^>]*)?>([^<]*(?:<(?!/\1>)[^<]*)*)</\1>", re.I
)
_TAG = re.compile(r"<[^>]+>")
_MARKUP = re.compile(r"(<[^>]+>)")
# Clause punctuation right after a Latin word, before a space: "ב-Instagram. Threads מתגמלת".
_LATIN_THEN_PUNCTUATION = re.compile(r"([A-Za-z0-9][\"'”’)\]]?[.,;:!?]+)(?=\s)")
RLM = "\u200f"
RTL_KEEPS_RTL = 0.08
RTL_TURNS_RTL = 0.5


def dominant_direction(text: str, base_direction: str = "ltr") -> str | None:
    """``"rtl"`` or ``"ltr"`` for a block of text on a ``base_direction`` page; None when the
    text has no strong letters.

    Not a plain majority: a Hebrew sentence often has more Latin letters than Hebrew ones
    ("Gen Z מחפשים ב-TikTok", "ChatGPT ו-Gemini מול Google Search Console"), while an English
    sentence rarely holds Hebrew beyond a name. So on a right-to-left page a block turns
    left-to-right only when Hebrew/Arabic letters are under ``RTL_KEEPS_RTL`` of its letters,
    and on a left-to-right page it turns right-to-left only from ``RTL_TURNS_RTL``.
    """
    if base_direction == "rtl":
        # Enough Hebrew/Arabic for right-to-left whatever the Latin count (there are at most
        # len(text) letters): stop counting there, usually within the first few words.
        enough, rtl = RTL_KEEPS_RTL * len(text), 0
        for run in _RTL_LETTER.finditer(text):
            rtl += run.end() - run.start()
            if rtl >= enough:
                return "rtl"
    else:
        rtl = sum(map(len, _RTL_LETTER.findall(text)))
    ltr = sum(map(len, _LTR_LETTER.findall(text)))
    if rtl == ltr == 0:
        return None
    threshold = RTL_KEEPS_RTL if base_direction == "rtl" else RTL_TURNS_RTL
    return "rtl" if rtl >= threshold * (rtl + ltr) else "ltr"


def anchor_latin_punctuation(html: str) -> str:
    """In right-to-left text, keep punctuation after a Latin word on the Hebrew side.

    Between two Latin words ("ב-Instagram. Threads מתגמלת") the bidi algorithm folds the
    period into one left-to-right run and shows it between them. A right-to-left mark after
    it ends the run there. Only text is touched, never tags or attributes.
    """
    if "<" not in html:
        return _LATIN_THEN_PUNCTUATION.sub(rf"\1{RLM}", html)
    parts = _MARKUP.split(html)
    for index in range(0, len(parts), 2):
        if parts[index]:
            parts[index] = _LATIN_THEN_PUNCTUATION.sub(rf"\1{RLM}", parts[index])
    return "".join(parts)


def mark_block_directions(html: str, base_direction: str) -> str:
    """Add ``dir`` to blocks whose text runs against ``base_direction``; anchor punctuation
    after Latin words in right-to-left blocks (see :func:`anchor_latin_punctuation`)."""

    if base_direction != "rtl" and html.isascii():
        return html  # no right-to-left letter anywhere: nothing runs against the page
    opposite = _LTR_LETTER if base_direction == "rtl" else _RTL_LETTER

    def mark(match: re.Match[str]) -> str:
        tag, attributes, inner = match.group(1), match.group(2) or "", match.group(3)
        if " dir=" in attributes:
            return match.group(0)
        text = _TAG.sub("", inner) if "<" in inner else inner
        if not opposite.search(text):
            return match.group(0)
        direction = dominant_direction(text, base_direction) or base_direction
        if direction == "rtl":
            inner = anchor_latin_punctuation(inner)
        if direction == base_direction:
            return f"<{tag}{attributes}>{inner}</{tag}>"
        return f'<{tag}{attributes} dir="{direction}">{inner}</{tag}>'

    return _BLOCK.sub(mark, html)
