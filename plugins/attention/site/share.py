"""Share links: plain URLs to each network's own share page, no third-party scripts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

#: Networks in the order they are shown (WhatsApp first: it is how Israeli readers share).
NETWORKS = ("whatsapp", "linkedin", "x", "facebook", "telegram", "email")
NAMES = {
    "whatsapp": "WhatsApp",
    "linkedin": "LinkedIn",
    "x": "X",
    "facebook": "Facebook",
    "telegram": "Telegram",
}


@dataclass(frozen=True)
class ShareLink:
    """One share target: ``network`` key, display ``name`` (None for email) and ``href``."""

    network: str
    name: str | None
    href: str


def _query(params: dict[str, str]) -> str:
    return urlencode(params, quote_via=quote)


def share_href(network: str, title: str, url: str) -> str:
    """The share URL for one network; ``title`` and ``url`` are percent-encoded."""
    if network == "whatsapp":
        return "https://wa.me/?" + _query({"text": f"{title} {url}"})
    if network == "linkedin":
        return "https://www.linkedin.com/sharing/share-offsite/?" + _query({"url": url})
    if network == "x":
        return "https://x.com/intent/post?" + _query({"text": title, "url": url})
    if network == "facebook":
        return "https://www.facebook.com/sharer/sharer.php?" + _query({"u": url})
    if network == "telegram":
        return "https://t.me/share/url?" + _query({"url": url, "text": title})
    if network == "email":
        return "mailto:?" + _query({"subject": title, "body": url})
    raise ValueError(f"unknown share network {network!r}; known: {', '.join(NETWORKS)}")


def share_links(title: str, url: str) -> list[ShareLink]:
    """Share links for every network in ``NETWORKS``."""
    return [
        ShareLink(network=network, name=NAMES.get(network), href=share_href(network, title, url))
        for network in NETWORKS
    ]
