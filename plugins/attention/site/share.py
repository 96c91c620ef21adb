"""Share links: plain URLs to each network's own share page, no third-party scripts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

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


def share_href(network: str, title: str, url: str) -> str:
    """The share URL for one network; ``title`` and ``url`` are percent-encoded."""
    if network not in NETWORKS:
        raise ValueError(f"unknown share network {network!r}; known: {', '.join(NETWORKS)}")
    return _hrefs(quote(title, safe=""), quote(url, safe=""))[network]


def _hrefs(title: str, url: str) -> dict[str, str]:
    """Every network's share URL from an already percent-encoded title and URL."""
    return {
        "whatsapp": f"https://wa.me/?text={title}%20{url}",
        "linkedin": f"https://www.linkedin.com/sharing/share-offsite/?url={url}",
        "x": f"https://x.com/intent/post?text={title}&url={url}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={url}",
        "telegram": f"https://t.me/share/url?url={url}&text={title}",
        "email": f"mailto:?subject={title}&body={url}",
    }


def share_links(title: str, url: str) -> list[ShareLink]:
    """Share links for every network in ``NETWORKS``."""
    hrefs = _hrefs(quote(title, safe=""), quote(url, safe=""))
    return [
        ShareLink(network=network, name=NAMES.get(network), href=hrefs[network])
        for network in NETWORKS
    ]
