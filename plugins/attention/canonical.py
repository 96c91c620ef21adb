"""Canonical forms used for deduplication: URLs without tracking noise, titles without styling."""

from __future__ import annotations

import logging
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

logger = logging.getLogger(__name__)

# Query parameters that only say where a click came from; never part of a story's identity.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs", "oly_")
TRACKING_NAMES = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "igsh",
        "mkt_tok",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "_ga",
        "_gl",
        "spm",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_param(name: str) -> bool:
    """True for click-tracking parameters: ``utm_*``, ``fbclid``, ``gclid``, ``mc_*``, ``ref``…"""
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """``url`` with a lower-case scheme and host, no default port, fragment or tracking parameters.

    The path and the order of the remaining parameters are kept (they can be meaningful).
    A string that is not an absolute http(s) URL is returned stripped but otherwise unchanged.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(name)
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


_WORD = re.compile(r"\w+", re.UNICODE)
_SITE_SUFFIX = re.compile(r"\s+[|\-–—:]\s+[^|\-–—:]{1,40}$")
MIN_TITLE_KEY_WORDS = 4


def title_key(title: str) -> str:
    """A key under which near-identical titles of the same story meet; "" when too short to trust.

    Case, accents/niqqud, punctuation, spacing, bidi marks and a trailing `` | Site name`` are
    ignored. Titles of fewer than four words give "" so that "Weekly roundup" never folds stories.
    """
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text)
    trimmed = _SITE_SUFFIX.sub("", text)
    if len(_WORD.findall(trimmed)) >= MIN_TITLE_KEY_WORDS:
        text = trimmed
    words = [word.casefold() for word in _WORD.findall(text)]
    if len(words) < MIN_TITLE_KEY_WORDS:
        return ""
    return " ".join(words)
