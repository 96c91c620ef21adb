"""The plain-text part of an email, derived from the same HTML: links become numbered footnotes.

## Heading            ->  Heading
                           -------
<a href="u">text</a>  ->  text [1]      ...      [1] u
<li>item</li>         ->  - item   (or "1. item" in an ordered list)
<img alt="x">         ->  [x]
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

logger = logging.getLogger(__name__)

WIDTH = 76
_BLOCKS = {"p", "div", "section", "article", "header", "footer", "table", "tr", "blockquote",
           "figure", "figcaption", "ul", "ol", "li", "pre", "hr", "h1", "h2", "h3", "h4", "h5",
           "h6", "dl", "dt", "dd", "br"}  # fmt: skip
_SKIP = {"script", "style", "head", "title", "template"}
_SPACES = re.compile(r"[ \t\r\n\f]+")
# The plain HTML a digest is made of: text runs and tags with simple attributes. A document with
# anything else (comments, declarations, a stray "<", quotes holding "<" or ">", script/style)
# goes through html.parser instead, which handles all of HTML the same way.
_SIMPLE_TOKEN = re.compile(
    r"""[^<]+|<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*"""
    r"""(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'=<>`]+))?)*)\s*(/?)>"""
)
_SIMPLE_ATTR = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
)
_RAW_TEXT = {"script", "style"}


def wrap(text: str, width: int, first_indent: str = "", indent: str = "") -> str:
    """Greedy word wrap of single-spaced ``text``; long words are never broken.

    Gives what ``textwrap.fill(..., break_long_words=False, break_on_hyphens=False)`` gives for
    text whose whitespace is already folded, at a fraction of the cost (every digest's text part
    is wrapped on every build).
    """
    if "  " in text or text.startswith(" ") or text.endswith(" "):
        return _wrap_words(text, width, first_indent, indent)
    # Single spaces: cut each line at the last space that fits, a line at a time.
    lines: list[str] = []
    start, prefix = 0, first_indent
    while True:
        room = width - len(prefix)
        if len(text) - start <= room:
            break
        cut = text.rfind(" ", start, start + room + 1) if room >= 0 else -1
        if cut < 0:  # the first word alone is too long: it gets a line of its own
            cut = text.find(" ", start)
            if cut < 0:
                break
        lines.append(prefix + text[start:cut])
        start, prefix = cut + 1, indent
    lines.append(prefix + text[start:])
    return "\n".join(lines)


def _wrap_words(text: str, width: int, first_indent: str, indent: str) -> str:
    """:func:`wrap` word by word, for text with runs of spaces."""
    lines: list[str] = []
    line = first_indent
    fresh = True
    for word in text.split(" "):
        if not word:
            continue
        if fresh:
            line += word
            fresh = False
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = indent + word
    lines.append(line)
    return "\n".join(lines)


@dataclass
class _List:
    ordered: bool
    number: int = 0
    pending: bool = False  # the item's marker is not written yet


class _TextBuilder(HTMLParser):
    """Collects blocks of text and the links met on the way."""

    def __init__(self, skip_prefix: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self._skip_prefix = skip_prefix
        self.blocks: list[str] = []
        self.links: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._pre = 0
        self._href: list[str | None] = []
        self._lists: list[_List] = []
        self._heading: str | None = None
        self._quote = 0

    # -- structure ----------------------------------------------------------------------------
    def _flush(self) -> None:
        raw = "".join(self._current)
        self._current = []
        if self._pre:
            text = raw.strip("\n")
        elif "  " in raw or "\n" in raw or "\t" in raw or "\r" in raw or "\f" in raw:
            text = _SPACES.sub(" ", raw).strip()
        else:
            text = raw.strip()  # (folding spaces would change nothing)
        if not text:
            return
        if self._heading:
            underline = "=" if self._heading in ("h1", "h2") else "-"
            text = f"{text}\n{underline * min(len(text), WIDTH)}"
        elif not self._pre:
            indent = "  " * max(0, len(self._lists) - 1)
            prefix = hang = ""
            if self._lists:
                current = self._lists[-1]
                marker = f"{current.number}. " if current.ordered else "- "
                hang = " " * len(marker)
                if current.pending:
                    prefix, current.pending = marker, False
                else:
                    prefix = hang
            quote = "> " * self._quote
            text = wrap(text, WIDTH, quote + indent + prefix, quote + indent + hang)
        self.blocks.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
            return
        values = dict(attrs)
        if tag in _BLOCKS:
            self._flush()
        if tag in ("ul", "ol"):
            self._lists.append(_List(ordered=tag == "ol"))
        elif tag == "li" and self._lists:
            self._lists[-1].number += 1
            self._lists[-1].pending = True
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = tag
        elif tag == "pre":
            self._pre += 1
        elif tag == "blockquote":
            self._quote += 1
        elif tag == "a":
            self._href.append(values.get("href"))
        elif tag == "img":
            alt = (values.get("alt") or "").strip()
            if alt:
                self._current.append(f"[{alt}]")
        elif tag == "hr":
            self.blocks.append("-" * 20)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if tag == "a" and self._href:
            href = self._href.pop()
            internal = self._skip_prefix and href and href.startswith(self._skip_prefix)
            if href and not href.startswith("#") and not internal:
                self._current.append(f" [{self._note(href)}]")
            return
        if tag in _BLOCKS:
            self._flush()
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = None
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)
        elif tag == "blockquote":
            self._quote = max(0, self._quote - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def _note(self, href: str) -> int:
        """The footnote number of ``href`` (one number per distinct URL)."""
        if href in self.links:
            return self.links.index(href) + 1
        self.links.append(href)
        return len(self.links)

    def close(self) -> None:
        super().close()
        self._flush()


def _simple_tokens(html: str) -> list[re.Match[str]] | None:
    """The text runs and tags of ``html``, or None when it holds anything beyond them."""
    tokens = []
    position = 0
    for token in _SIMPLE_TOKEN.finditer(html):
        if token.start() != position:
            return None
        if token[2] and (token[2].lower() in _RAW_TEXT or (token[1] and (token[3] or token[4]))):
            return None  # raw text, or an end tag with attributes or a slash
        tokens.append(token)
        position = token.end()
    return tokens if position == len(html) else None


def _attributes(text: str) -> list[tuple[str, str | None]]:
    """``(name, value)`` pairs as html.parser gives them: lower-case names, unescaped values."""
    pairs: list[tuple[str, str | None]] = []
    for found in _SIMPLE_ATTR.finditer(text):
        value = next((v for v in found.group(2, 3, 4) if v is not None), None)
        pairs.append((found[1].lower(), unescape(value) if value else value))
    return pairs


def _feed_simple(builder: _TextBuilder, tokens: list[re.Match[str]]) -> None:
    """Drive ``builder`` over pre-split tokens, calling the handlers html.parser would call."""
    for token in tokens:
        tag = token[2]
        if not tag:
            builder.handle_data(unescape(token[0]))
            continue
        tag = tag.lower()
        if token[1]:
            builder.handle_endtag(tag)
            continue
        attributes = _attributes(token[3]) if tag in ("a", "img") else []
        builder.handle_starttag(tag, attributes)
        if token[4]:  # <br/>: html.parser reports a start and an end
            builder.handle_endtag(tag)
    builder._flush()


def html_to_text(html: str, notes_heading: str = "", skip_prefix: str = "") -> str:
    """Plain text of ``html`` with numbered link footnotes at the end.

    Links to ``#fragments`` (and to ``skip_prefix…``, e.g. the page's own sections) get none.
    """
    builder = _TextBuilder(skip_prefix)
    tokens = _simple_tokens(html)
    if tokens is None:
        builder.feed(html)
        builder.close()
    else:  # the usual case, several times faster than html.parser
        _feed_simple(builder, tokens)
    text = "\n\n".join(builder.blocks)
    if builder.links:
        notes = "\n".join(f"[{n}] {url}" for n, url in enumerate(builder.links, 1))
        heading = f"{notes_heading}\n" if notes_heading else ""
        text = f"{text}\n\n{heading}{notes}"
    return text.strip() + "\n"
