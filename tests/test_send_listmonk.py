"""listmonk channel: contract tests against a local server implementing listmonk's campaign API."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from _email_support import HEBREW_SUBJECT, write_edition
from attention.send.base import UNSUBSCRIBE_PLACEHOLDER, load_edition
from attention.send.listmonk import ListmonkChannel, ListmonkConfig, ListmonkError

USER, TOKEN = "attention-api", "s3cret-token"
REQUIRED = {"name", "subject", "lists", "type", "content_type", "body"}


class FakeListmonk(BaseHTTPRequestHandler):
    """POST /api/campaigns, PUT /api/campaigns/{id}/status, POST /api/campaigns/{id}/test."""

    requests: list[tuple[str, str, dict, dict]]
    campaigns: dict[int, dict]

    def log_message(self, *args: object) -> None:
        pass

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(f"{USER}:{TOKEN}".encode()).decode()
        ok = header in (f"token {USER}:{TOKEN}", basic)
        if not ok:
            self._reply(403, {"message": "invalid API credentials"})
        return ok

    def _reply(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.loads(raw) if raw else {}
        self.requests.append((self.command, self.path, dict(self.headers), body))
        return body

    def do_POST(self) -> None:
        body = self._body()
        if not self._authorised():
            return
        if self.path == "/api/campaigns":
            missing = REQUIRED - body.keys()
            if missing or not isinstance(body["lists"], list):
                self._reply(400, {"message": f"missing {sorted(missing)}"})
                return
            cid = len(self.campaigns) + 1
            self.campaigns[cid] = {**body, "id": cid, "status": "draft"}
            self._reply(200, {"data": self.campaigns[cid]})
        elif self.path.endswith("/test"):
            self._reply(200, {"data": True} if body.get("subscribers") else {"message": "x"})
        else:
            self._reply(404, {"message": "not found"})

    def do_PUT(self) -> None:
        body = self._body()
        if not self._authorised():
            return
        cid = int(self.path.split("/")[3])
        if body.get("status") == "scheduled" and not self.campaigns[cid].get("send_at"):
            self._reply(400, {"message": "send_at date should be set"})
            return
        self.campaigns[cid]["status"] = body["status"]
        self._reply(200, {"data": self.campaigns[cid]})


@pytest.fixture(scope="module")
def listmonk_server():
    handler = type("Handler", (FakeListmonk,), {"requests": [], "campaigns": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def listmonk(listmonk_server):
    handler, _url = listmonk_server
    handler.requests.clear()
    handler.campaigns.clear()
    return listmonk_server


@pytest.fixture
def edition(tmp_path: Path):
    write_edition(tmp_path / "output")
    return load_edition(tmp_path / "output", "3")


def _config(url: str, token: str = TOKEN) -> ListmonkConfig:
    env = {"LISTMONK_URL": url, "LISTMONK_USER": USER, "LISTMONK_TOKEN": token}
    return ListmonkConfig.from_env({"EMAIL_FROM": "קשב <news@example.org>"}, env, lists=[3, 5])


def test_campaign_is_created_as_a_draft_with_html_altbody_lists_and_auth(listmonk, edition):
    handler, url = listmonk
    summary = ListmonkChannel(_config(url)).deliver(edition)
    assert summary.notes == ["listmonk campaign 1 created (draft)"]
    [(method, path, headers, body)] = handler.requests
    assert (method, path) == ("POST", "/api/campaigns")
    assert headers["Authorization"] == f"token {USER}:{TOKEN}"
    assert body["subject"] == HEBREW_SUBJECT
    assert body["lists"] == [3, 5] and body["type"] == "regular"
    assert body["content_type"] == "html" and body["from_email"] == "קשב <news@example.org>"
    assert '<html lang="he" dir="rtl">' in body["body"]
    assert 'href="{{ UnsubscribeURL }}"' in body["body"]
    assert "הסרה מהרשימה: {{ UnsubscribeURL }}" in body["altbody"]
    assert UNSUBSCRIBE_PLACEHOLDER not in body["body"] + body["altbody"]
    assert "send_at" not in body


def test_send_at_schedules_the_campaign(listmonk, edition):
    handler, url = listmonk
    when = dt.datetime(2026, 11, 27, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    summary = ListmonkChannel(_config(url), send_at=when).deliver(edition)
    assert summary.notes == ["listmonk campaign 1 created (scheduled)"]
    (_m, _p, _h, create), (method, path, _h2, status) = handler.requests
    assert create["send_at"] == "2026-11-27T07:00:00+02:00"
    assert (method, path, status) == ("PUT", "/api/campaigns/1/status", {"status": "scheduled"})


def test_refused_credentials_give_listmonks_own_message(listmonk, edition):
    _handler, url = listmonk
    with pytest.raises(ListmonkError, match="HTTP 403 invalid API credentials"):
        ListmonkChannel(_config(url, token="wrong")).deliver(edition)


def test_literal_braces_in_content_cannot_become_template_actions(listmonk, edition):
    handler, url = listmonk
    tricky = edition.__class__(**{**edition.__dict__, "text": "price {{ .Subscriber.Email }}"})
    ListmonkChannel(_config(url)).deliver(tricky)
    assert handler.requests[0][3]["altbody"] == 'price {{ "{{" }} .Subscriber.Email }}'


def test_missing_credentials_are_named_in_one_line():
    with pytest.raises(ListmonkError) as err:
        ListmonkConfig.from_env({}, {"LISTMONK_URL": "http://x"})
    assert str(err.value) == (
        "missing listmonk settings: LISTMONK_USER, LISTMONK_TOKEN, "
        "LISTMONK_LISTS (or EMAIL_LISTMONK_LISTS, or --list)"
    )


def test_to_creates_a_draft_and_sends_one_test(listmonk, edition):
    handler, url = listmonk
    note = ListmonkChannel(_config(url)).send_test(edition, "me@example.org")
    assert "test sent to me@example.org" in note
    assert handler.requests[1][1] == "/api/campaigns/1/test"
    assert handler.requests[1][3]["subscribers"] == ["me@example.org"]
