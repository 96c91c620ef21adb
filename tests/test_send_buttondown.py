"""Buttondown channel: contract tests against a local server implementing POST /v1/emails."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from _email_support import HEBREW_SUBJECT, write_edition
from attention.send.base import UNSUBSCRIBE_PLACEHOLDER, load_edition
from attention.send.buttondown import ButtondownChannel, ButtondownConfig, ButtondownError

KEY = "bd-test-key"


class FakeButtondown(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, dict, dict]]

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.loads(raw)
        self.requests.append((self.command, self.path, dict(self.headers), body))
        if self.headers.get("Authorization") != f"Token {KEY}":
            self._reply(401, {"detail": "Invalid token."})
        elif self.path != "/v1/emails":
            self._reply(404, {"detail": "Not found."})
        elif not body.get("subject"):
            self._reply(400, {"code": "subject_invalid", "detail": "subject is required"})
        elif body.get("status") == "scheduled" and not body.get("publish_date"):
            self._reply(400, {"code": "publish_date_missing", "detail": "publish date required"})
        else:
            # Like Buttondown's older API versions: no status means send it now.
            status = body.get("status", "about_to_send")
            self._reply(201, {"id": "em_123", "status": status, "subject": body["subject"]})


@pytest.fixture(scope="module")
def buttondown_server():
    handler = type("Handler", (FakeButtondown,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture
def buttondown(buttondown_server):
    buttondown_server[0].requests.clear()
    return buttondown_server


@pytest.fixture
def edition(tmp_path: Path):
    write_edition(tmp_path / "output")
    return load_edition(tmp_path / "output", "3")


def test_email_is_created_as_an_explicit_draft_with_buttondowns_unsubscribe(buttondown, edition):
    handler, url = buttondown
    config = ButtondownConfig.from_env({"BUTTONDOWN_API_KEY": KEY, "BUTTONDOWN_API_URL": url})
    summary = ButtondownChannel(config).deliver(edition)
    assert summary.notes == ["Buttondown email em_123 created (draft)"]
    [(method, path, headers, body)] = handler.requests
    assert (method, path) == ("POST", "/v1/emails")
    assert headers["Authorization"] == f"Token {KEY}"
    assert body["status"] == "draft"
    assert body["subject"] == HEBREW_SUBJECT
    assert 'href="{{ unsubscribe_url }}"' in body["body"]
    assert UNSUBSCRIBE_PLACEHOLDER not in body["body"]
    assert body["canonical_url"] == "https://example.org/digests/3-ai-search/"


def test_send_at_creates_a_scheduled_email(buttondown, edition):
    handler, url = buttondown
    config = ButtondownConfig(api_key=KEY, api_url=url)
    when = dt.datetime(2026, 11, 27, 5, 0, tzinfo=dt.UTC)
    summary = ButtondownChannel(config, send_at=when).deliver(edition)
    assert summary.notes == ["Buttondown email em_123 created (scheduled)"]
    body = handler.requests[0][3]
    assert (body["status"], body["publish_date"]) == ("scheduled", "2026-11-27T05:00:00+00:00")


def test_wrong_key_reports_buttondowns_detail(buttondown, edition):
    _handler, url = buttondown
    with pytest.raises(ButtondownError, match="HTTP 401 Invalid token"):
        ButtondownChannel(ButtondownConfig(api_key="nope", api_url=url)).deliver(edition)


def test_dry_run_sends_nothing(buttondown, edition):
    handler, url = buttondown
    summary = ButtondownChannel(ButtondownConfig(api_key=KEY, api_url=url)).deliver(
        edition, dry_run=True
    )
    assert handler.requests == [] and "dry run" in summary.notes[0]


def test_missing_key_is_named():
    with pytest.raises(ButtondownError, match="missing Buttondown settings: BUTTONDOWN_API_KEY"):
        ButtondownConfig.from_env({})


def render_like_buttondown(body: str, context: dict[str, str]) -> str:
    """A small Django-style renderer: ``{{ var }}``, ``{% templatetag … %}``, ``{# … #}``;
    any other tag is an error, as an unknown tag is for Buttondown's template engine."""
    bits = {"openvariablebrace": "{{", "openblock": "{%", "opencomment": "{#"}

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("{{"):
            return context.get(token[2:-2].strip(), "")
        if token.startswith("{#"):
            return ""
        words = token[2:-2].split()
        if len(words) == 2 and words[0] == "templatetag" and words[1] in bits:
            return bits[words[1]]
        raise ValueError(f"invalid block tag {token!r}")

    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", one, body)


def test_literal_template_syntax_in_a_digest_reaches_readers_unchanged(buttondown, tmp_path):
    handler, url = buttondown
    folder = write_edition(tmp_path / "output")
    quoted = "<p>Liquid: {{ customer.name }}, {% if vip %}VIP{% endif %}, {# note #}</p>"
    html = (folder / "index.html").read_text(encoding="utf-8").replace("<h1>", quoted + "<h1>")
    (folder / "index.html").write_text(html, encoding="utf-8")
    edition = load_edition(tmp_path / "output", "3")
    ButtondownChannel(ButtondownConfig(api_key=KEY, api_url=url)).deliver(edition)
    body = handler.requests[0][3]["body"]
    rendered = render_like_buttondown(body, {"unsubscribe_url": "https://bd.example/u/xyz"})
    assert quoted in rendered
    assert 'href="https://bd.example/u/xyz"' in rendered
