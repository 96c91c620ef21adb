"""The subscribe form: which endpoint it posts to and which fields it sends, per provider.

``SUBSCRIBE`` in pelicanconf.py chooses the provider:

- ``{"provider": "buttondown", "username": "..."}``
- ``{"provider": "listmonk", "url": "https://lists.example.org", "lists": ["<list uuid>", ...]}``
- ``{"provider": "mailchimp", "action": "https://<dc>.list-manage.com/subscribe/post?u=U&id=ID"}``
- ``{"provider": "form", "action": "https://example.org/subscribe"}``

With no provider the page explains how to subscribe by feed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubscribeForm:
    """What the template needs to render a real HTML form for the provider."""

    provider: str
    action: str
    email_field: str = "email"
    honeypot_field: str = "website"
    hidden: tuple[tuple[str, str], ...] = field(default=())


class SubscribeSettingsError(ValueError):
    """``SUBSCRIBE`` is incomplete; the message names the missing key."""


def subscribe_form(settings: dict[str, Any] | None) -> SubscribeForm | None:
    """Build the form description from ``SUBSCRIBE``, or None when no provider is configured."""
    if not settings or not settings.get("provider"):
        return None
    provider = str(settings["provider"]).lower()
    builder = _BUILDERS.get(provider)
    if builder is None:
        raise SubscribeSettingsError(
            f"SUBSCRIBE.provider: {provider!r} is not one of {sorted(_BUILDERS)}"
        )
    return builder(settings)


def _require(settings: dict[str, Any], key: str) -> str:
    value = settings.get(key)
    if not value:
        raise SubscribeSettingsError(
            f"SUBSCRIBE.{key}: missing for provider {settings['provider']!r}"
        )
    return str(value)


def _buttondown(settings: dict[str, Any]) -> SubscribeForm:
    username = _require(settings, "username")
    action = settings.get("action") or (
        f"https://buttondown.com/api/emails/embed-subscribe/{username}"
    )
    return SubscribeForm(provider="buttondown", action=action, hidden=(("embed", "1"),))


def _listmonk(settings: dict[str, Any]) -> SubscribeForm:
    url = _require(settings, "url").rstrip("/")
    lists = settings.get("lists") or []
    if not lists:
        raise SubscribeSettingsError("SUBSCRIBE.lists: listmonk needs at least one list UUID")
    hidden = tuple(("l", str(uuid)) for uuid in lists)
    # listmonk's public form treats a filled `nonce` field as a bot.
    return SubscribeForm(
        provider="listmonk",
        action=f"{url}/subscription/form",
        honeypot_field="nonce",
        hidden=hidden,
    )


def _mailchimp(settings: dict[str, Any]) -> SubscribeForm:
    action = _require(settings, "action")
    query = parse_qs(urlsplit(action).query)
    user, list_id = query.get("u", [""])[0], query.get("id", [""])[0]
    honeypot = f"b_{user}_{list_id}" if user and list_id else "website"
    return SubscribeForm(
        provider="mailchimp", action=action, email_field="EMAIL", honeypot_field=honeypot
    )


def _generic(settings: dict[str, Any]) -> SubscribeForm:
    return SubscribeForm(provider="form", action=_require(settings, "action"))


_BUILDERS = {
    "buttondown": _buttondown,
    "listmonk": _listmonk,
    "mailchimp": _mailchimp,
    "form": _generic,
}
