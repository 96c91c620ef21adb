"""Make a digest's web HTML fit for an email body.

Links and images become absolute (an email has no base URL), in-page anchors point at the web
page, images get ``width`` and ``alt``, mixed Hebrew/Latin blocks get a safe ``dir``, and long
lines are broken at spaces so the message can travel as 8-bit text (SMTP lines ≤ 998 bytes).
"""

from __future__ import annotations

import html
import logging
import re
from urllib.parse import urljoin

from attention.bidi import dominant_direction

logger = logging.getLogger(__name__)

CONTENT_WIDTH = 552  # 600 px container minus 24 px padding on each side
MAX_LINE_BYTES = 800

_HREF_SRC = re.compile(
    r"""(\s(?:href|src|srcset)\s*=\s*)(?:(["'])(.*?)\2|([^\s"'=<>`]+))""", re.I | re.S
)
_IMG = re.compile(r"<img\b([^>]*?)\s*/?>", re.I | re.S)
# name, then a "double", 'single' or unquoted value, or none (a boolean attribute).
_ATTR = re.compile(
    r"""\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""", re.S
)
# ``[^<]*(?:<(?!/\1>)[^<]*)*`` is ``.*?`` up to the first closing tag, skipping text in runs.
_BLOCK = re.compile(
    r"<(p|li|h[1-6]|td|th|blockquote|figcaption)(\s[^>]*)?>([^<]*(?:<(?!/\1>)[^<]*)*)</\1>", re.I
)
_TAG = re.compile(r"<[^>]+>")
_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_LTR = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")
_STRONG = re.compile(_RTL.pattern[:-1] + _LTR.pattern[1:])
_DANGEROUS = re.compile(r"<(script|iframe|object|embed|form)\b.*?</\1\s*>", re.I | re.S)
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.I | re.S)


def absolutize(content: str, page_url: str) -> str:
    """Resolve every ``href``/``src`` against the page's absolute URL; ``#x`` → ``page#x``."""

    def fix(match: re.Match[str]) -> str:
        prefix, _quote, quoted, bare = match.groups()
        raw = html.unescape(quoted if quoted is not None else bare).strip()
        if raw.startswith(("mailto:", "tel:")) or not page_url:
            return match.group(0)
        if prefix.strip().lower().startswith("srcset"):  # "url 2x, url 3x"
            candidates = (c.strip().split(None, 1) for c in raw.split(",") if c.strip())
            url = ", ".join(" ".join([urljoin(page_url, c[0]), *c[1:]]) for c in candidates)
        else:
            url = urljoin(page_url, raw)
        return f'{prefix}"{html.escape(url, quote=True)}"'

    return _HREF_SRC.sub(fix, content)


def fit_images(content: str, width: int = CONTENT_WIDTH) -> str:
    """Every ``<img>`` gets ``alt`` (empty if none), a ``width`` ≤ the column and fluid style."""

    def fix(match: re.Match[str]) -> str:
        attrs: dict[str, str | None] = {}
        for found in _ATTR.finditer(match.group(1)):
            quoted = [v for v in found.group(2, 3, 4) if v is not None]
            name, value = found.group(1), quoted[0] if quoted else None
            attrs[name.lower()] = None if value is None else value.replace('"', "&quot;")
        given = (attrs.get("width") or "").strip()
        current = int(re.sub(r"\D", "", given) or 0)
        if given.endswith("%"):  # a share of the column, not pixels
            current = width * min(current, 100) // 100
        attrs["width"] = str(min(current, width) if current else width)
        attrs.setdefault("alt", "")
        attrs.pop("height", None)  # the width changed; let the ratio decide
        style = (attrs.get("style") or "").rstrip("; ")
        fluid = "display: block; max-width: 100%; height: auto; border: 0"
        attrs["style"] = f"{style}; {fluid}" if style else fluid
        rendered = " ".join(k if v is None else f'{k}="{v}"' for k, v in attrs.items())
        return f"<img {rendered}>"

    return _IMG.sub(fix, content)


def mark_directions(content: str, base_direction: str) -> str:
    """Give every block that mixes scripts a ``dir`` the email clients can honour.

    ``dir="auto"`` when the first strong letter agrees with the block's majority script, an
    explicit ``dir`` when it does not ("LinkedIn משיקה…" is Hebrew even though it opens in Latin).
    """

    def mark(match: re.Match[str]) -> str:
        tag, attributes, inner = match.group(1), match.group(2) or "", match.group(3)
        if " dir=" in attributes.lower():
            return match.group(0)
        value = mixed_direction(html.unescape(_TAG.sub("", inner)), base_direction)
        if value is None:
            return match.group(0)
        return f'<{tag}{attributes} dir="{value}">{inner}</{tag}>'

    return _BLOCK.sub(mark, content)


def mixed_direction(text: str, base_direction: str) -> str | None:
    """The ``dir`` for text that mixes scripts (None when it does not): ``auto`` when the first
    strong letter agrees with the majority script, else the majority's direction."""
    if not (_RTL.search(text) and _LTR.search(text)):
        return None
    majority = dominant_direction(text, base_direction) or base_direction
    first = _STRONG.search(text)
    first_dir = "rtl" if first and _RTL.match(first.group(0)) else "ltr"
    return "auto" if first_dir == majority else majority


def drop_active_content(content: str) -> str:
    """Remove elements email clients strip anyway (scripts, frames, forms)."""
    return _DANGEROUS.sub("", content)


def break_long_lines(document: str, limit: int = MAX_LINE_BYTES) -> str:
    """Break lines longer than ``limit`` bytes at a space (outside ``<pre>``).

    A space and a line break are the same whitespace to HTML, in text and between attributes.
    """
    parts = _PRE.split(document)
    for i in range(0, len(parts), 2):  # even parts are outside <pre>
        parts[i] = "\n".join(_wrap_line(line, limit) for line in parts[i].split("\n"))
    return "".join(parts)


def _wrap_line(line: str, limit: int) -> str:
    if len(line) * 4 <= limit or len(line.encode("utf-8")) <= limit:
        return line  # (a character is at most 4 bytes: most lines need no encoding to tell)
    out: list[str] = []
    rest = line
    while len(rest.encode("utf-8")) > limit:
        # The longest prefix under the limit in bytes, then its last space.
        cut = len(rest.encode("utf-8")[:limit].decode("utf-8", "ignore"))
        space = rest.rfind(" ", 0, cut)
        if space <= 0:
            space = rest.find(" ", cut)
            if space < 0:
                break
        out.append(rest[:space])
        rest = rest[space + 1 :]
    out.append(rest)
    return "\n".join(out)


def prepare_content(content: str, page_url: str, direction: str) -> str:
    """All of the above, in order, for the digest's body HTML."""
    content = drop_active_content(content)
    content = absolutize(content, page_url)
    content = fit_images(content)
    return mark_directions(content, direction)
