"""Create a listmonk campaign from an edition through listmonk's HTTP API.

``POST /api/campaigns`` with the HTML body, the plain-text ``altbody``, the target lists and an
optional ``send_at``; with ``send_at`` the campaign is then moved to ``scheduled``
(``PUT /api/campaigns/{id}/status``), otherwise it stays a draft to review in listmonk.
Credentials come from the environment only: ``LISTMONK_URL``, ``LISTMONK_USER``, ``LISTMONK_TOKEN``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from attention.send.base import UNSUBSCRIBE_PLACEHOLDER, Edition, SendSummary

logger = logging.getLogger(__name__)

# listmonk's per-subscriber unsubscribe link (Go template function).
LISTMONK_UNSUBSCRIBE = "{{ UnsubscribeURL }}"


class ListmonkError(RuntimeError):
    """listmonk refused a request or is misconfigured; the message says which."""


class CampaignNotScheduled(ListmonkError):
    """listmonk created the campaign but refused to schedule it: it waits there as a draft."""

    def __init__(self, message: str, campaign_id: str) -> None:
        super().__init__(message)
        self.campaign_id = campaign_id


@dataclass(frozen=True)
class ListmonkConfig:
    """Where the listmonk instance is and which lists receive the campaign."""

    url: str
    user: str
    token: str = field(repr=False)
    lists: tuple[int, ...]
    from_email: str = ""
    template_id: int | None = None
    tags: tuple[str, ...] = field(default=("attention",))
    timeout: float = 30.0

    @classmethod
    def from_env(
        cls,
        settings: Mapping[str, object],
        env: Mapping[str, str] | None = None,
        lists: list[int] | None = None,
    ) -> ListmonkConfig:
        """``LISTMONK_URL/USER/TOKEN`` from the environment; lists from ``lists``,
        ``$LISTMONK_LISTS`` ("1,2") or the ``EMAIL_LISTMONK_LISTS`` setting."""
        env = os.environ if env is None else env
        missing = [
            name
            for name in ("LISTMONK_URL", "LISTMONK_USER", "LISTMONK_TOKEN")
            if not env.get(name)
        ]
        if not lists:
            raw = env.get("LISTMONK_LISTS") or settings.get("EMAIL_LISTMONK_LISTS") or ()
            try:
                if isinstance(raw, str):
                    lists = [int(x) for x in raw.split(",") if x.strip()]
                else:
                    lists = [int(x) for x in raw]  # type: ignore[union-attr]
            except ValueError:
                raise ListmonkError("LISTMONK_LISTS must be list ids like 1,2") from None
        if not lists:
            missing.append("LISTMONK_LISTS (or EMAIL_LISTMONK_LISTS, or --list)")
        if missing:
            raise ListmonkError(f"missing listmonk settings: {', '.join(missing)}")
        template = settings.get("EMAIL_LISTMONK_TEMPLATE_ID")
        return cls(
            url=env["LISTMONK_URL"].rstrip("/"),
            user=env["LISTMONK_USER"],
            token=env["LISTMONK_TOKEN"],
            lists=tuple(lists),
            from_email=str(settings.get("EMAIL_FROM") or ""),
            template_id=int(template) if template else None,  # type: ignore[arg-type]
        )


def _for_go_template(text: str) -> str:
    """Keep literal ``{{`` in the content from being read as a Go template action."""
    text = text.replace("{{", '{{ "{{" }}')
    return text.replace(UNSUBSCRIBE_PLACEHOLDER, LISTMONK_UNSUBSCRIBE)


def campaign_payload(
    edition: Edition, config: ListmonkConfig, send_at: dt.datetime | None = None
) -> dict[str, object]:
    """The JSON body of ``POST /api/campaigns`` for this edition."""
    payload: dict[str, object] = {
        "name": f"{edition.key}",
        "subject": edition.subject,
        "lists": list(config.lists),
        "type": "regular",
        "content_type": "html",
        "messenger": "email",
        "body": _for_go_template(edition.html),
        "altbody": _for_go_template(edition.text),
        "tags": [*config.tags, *([f"issue-{edition.issue}"] if edition.issue else [])],
    }
    if config.from_email:
        payload["from_email"] = config.from_email
    if config.template_id is not None:
        payload["template_id"] = config.template_id
    if send_at is not None:
        payload["send_at"] = send_at.isoformat()
        payload["send_later"] = True
    return payload


class ListmonkChannel:
    """Creates (and optionally schedules) one campaign per edition."""

    name = "listmonk"

    def __init__(self, config: ListmonkConfig, send_at: dt.datetime | None = None) -> None:
        self.config = config
        self.send_at = send_at

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.config.url,
            headers={"Authorization": f"token {self.config.user}:{self.config.token}"},
            timeout=self.config.timeout,
        )

    def payload(self, edition: Edition) -> dict[str, object]:
        """The JSON body this channel posts for ``edition``."""
        return campaign_payload(edition, self.config, self.send_at)

    def deliver(self, edition: Edition, *, dry_run: bool = False) -> SendSummary:
        """Create the campaign; with ``dry_run`` only report what would be sent."""
        summary = SendSummary()
        payload = self.payload(edition)
        if dry_run:
            lists = list(self.config.lists)
            summary.notes.append(f"dry run: would POST {self.config.url}/api/campaigns to {lists}")
            return summary
        with self._client() as client:
            data = _check(client.post("/api/campaigns", json=payload), "create the campaign")
            campaign_id = data["id"]
            status = data.get("status", "draft")
            if self.send_at is not None:
                try:
                    data = _check(
                        client.put(
                            f"/api/campaigns/{campaign_id}/status", json={"status": "scheduled"}
                        ),
                        f"schedule campaign {campaign_id}",
                    )
                except ListmonkError as exc:
                    raise CampaignNotScheduled(
                        f"{exc}; campaign {campaign_id} was created and waits in listmonk as a"
                        " draft: schedule it there",
                        str(campaign_id),
                    ) from None
                status = data.get("status", "scheduled")
        summary.remote_id, summary.remote_status = str(campaign_id), str(status)
        summary.notes.append(f"listmonk campaign {campaign_id} created ({status})")
        return summary

    def send_test(self, edition: Edition, address: str) -> str:
        """Create the campaign as a draft and send one test message to ``address``."""
        payload = campaign_payload(edition, self.config)
        with self._client() as client:
            data = _check(client.post("/api/campaigns", json=payload), "create the campaign")
            campaign_id = data["id"]
            _check(
                client.post(
                    f"/api/campaigns/{campaign_id}/test", json={**payload, "subscribers": [address]}
                ),
                f"send a test of campaign {campaign_id}",
            )
        return f"listmonk campaign {campaign_id} (draft): test sent to {address}"


def _check(response: httpx.Response, doing: str) -> dict:
    """The ``data`` of a listmonk reply, or :class:`ListmonkError` with listmonk's message."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400:
        message = body.get("message") if isinstance(body, dict) else None
        detail = message or response.text[:200]
        raise ListmonkError(f"listmonk could not {doing}: HTTP {response.status_code} {detail}")
    data = body.get("data") if isinstance(body, dict) else None
    if data is True:  # e.g. POST /api/campaigns/{id}/test
        return {}
    if not isinstance(data, dict):
        raise ListmonkError(f"listmonk could not {doing}: unexpected reply {response.text[:200]!r}")
    return data
