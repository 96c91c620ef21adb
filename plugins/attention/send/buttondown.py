"""Create a Buttondown email (draft, or scheduled) from an edition through Buttondown's API.

``POST /v1/emails`` with ``Authorization: Token <key>``. The status is always explicit (``draft``
or ``scheduled`` with a ``publish_date``): Buttondown's older API versions treat an email without a
status as one to send at once. The key comes from ``$BUTTONDOWN_API_KEY`` only.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from attention.send.base import UNSUBSCRIBE_PLACEHOLDER, Edition, SendSummary

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.buttondown.com/v1"
# Buttondown's per-subscriber unsubscribe link (template variable).
BUTTONDOWN_UNSUBSCRIBE = "{{ unsubscribe_url }}"
# Buttondown renders bodies as Django-style templates, which have no escape character: a literal
# ``{{``, ``{%`` or ``{#`` is written as ``{% templatetag … %}``.
_TEMPLATE_OPENERS = re.compile(r"\{[{%#]")
_TEMPLATETAG = {
    "{{": "{% templatetag openvariablebrace %}",
    "{%": "{% templatetag openblock %}",
    "{#": "{% templatetag opencomment %}",
}


def _for_buttondown_template(text: str) -> str:
    """Keep template syntax quoted in the content literal; then insert the unsubscribe tag."""
    text = _TEMPLATE_OPENERS.sub(lambda m: _TEMPLATETAG[m.group(0)], text)
    return text.replace(UNSUBSCRIBE_PLACEHOLDER, BUTTONDOWN_UNSUBSCRIBE)


class ButtondownError(RuntimeError):
    """Buttondown refused a request or the key is missing."""


@dataclass(frozen=True)
class ButtondownConfig:
    """The API key and base URL (``$BUTTONDOWN_API_URL`` exists for tests and proxies)."""

    api_key: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ButtondownConfig:
        env = os.environ if env is None else env
        key = env.get("BUTTONDOWN_API_KEY", "")
        if not key:
            raise ButtondownError("missing Buttondown settings: BUTTONDOWN_API_KEY")
        return cls(
            api_key=key, api_url=(env.get("BUTTONDOWN_API_URL") or DEFAULT_API_URL).rstrip("/")
        )


def email_payload(edition: Edition, send_at: dt.datetime | None = None) -> dict[str, object]:
    """The JSON body of ``POST /v1/emails`` for this edition."""
    payload: dict[str, object] = {
        "subject": edition.subject,
        "body": _for_buttondown_template(edition.html),
        "status": "draft",
    }
    if edition.url:
        payload["canonical_url"] = edition.url
    if send_at is not None:
        payload["status"] = "scheduled"
        payload["publish_date"] = send_at.isoformat()
    return payload


class ButtondownChannel:
    """Creates one Buttondown email per edition."""

    name = "buttondown"

    def __init__(self, config: ButtondownConfig, send_at: dt.datetime | None = None) -> None:
        self.config = config
        self.send_at = send_at

    def payload(self, edition: Edition) -> dict[str, object]:
        """The JSON body this channel posts for ``edition``."""
        return email_payload(edition, self.send_at)

    def deliver(self, edition: Edition, *, dry_run: bool = False) -> SendSummary:
        """Create the email; with ``dry_run`` only report what would be sent."""
        summary = SendSummary()
        payload = self.payload(edition)
        if dry_run:
            summary.notes.append(
                f"dry run: would POST {self.config.api_url}/emails ({payload['status']})"
            )
            return summary
        response = httpx.post(
            f"{self.config.api_url}/emails",
            json=payload,
            headers={"Authorization": f"Token {self.config.api_key}"},
            timeout=self.config.timeout,
        )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 400 or not isinstance(body, dict):
            detail = body.get("detail") if isinstance(body, dict) else None
            raise ButtondownError(
                f"Buttondown could not create the email: HTTP {response.status_code} "
                f"{detail or response.text[:200]}"
            )
        status = body.get("status", payload["status"])
        summary.remote_id, summary.remote_status = str(body.get("id", "")), str(status)
        summary.notes.append(f"Buttondown email {body.get('id', '?')} created ({status})")
        return summary
