"""The SMTP sender against a real aiosmtpd server on loopback."""

from __future__ import annotations

import asyncio
import os
import random
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from _email_support import HEBREW_SUBJECT, RecordingHandler, SmtpServer, write_edition
from attention.send.base import UNSUBSCRIBE_PLACEHOLDER, load_edition
from attention.send.message import Envelope, MessageFactory
from attention.send.sendlog import SendLog, SendLogBusy
from attention.send.smtp import SmtpConfig, SmtpSender
from attention.subscribers import SubscriberStore

UNSUB_URL = "https://example.org/unsubscribe?t={token}"


@pytest.fixture
def server():
    with SmtpServer() as srv:
        yield srv


@pytest.fixture
def edition(tmp_path: Path):
    write_edition(tmp_path / "output")
    return load_edition(tmp_path / "output", "3")


@pytest.fixture
def store(tmp_path: Path):
    with SubscriberStore(tmp_path / "state" / "subscribers.sqlite") as subs:
        yield subs


def _config(server: SmtpServer, **overrides: object) -> SmtpConfig:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "security": "none",
        "from_addr": "קשב <news@example.org>",
        "reply_to": "editor@example.org",
        "rate": 0,
        "pool": 3,
        "timeout": 5,
        "backoff": 0.05,
        "max_attempts": 4,
        "unsubscribe_url": UNSUB_URL,
    }
    values.update(overrides)
    return SmtpConfig(**values)  # type: ignore[arg-type]


def _send(server, edition, store, tmp_path, **overrides):
    with SendLog(tmp_path / "state" / "sendlog.sqlite") as log:
        sender = SmtpSender(_config(server, **overrides), log)
        return sender.deliver_to(edition, list(store.all()))


def test_message_carries_headers_both_parts_and_personal_unsubscribe(
    server, edition, store, tmp_path
):
    store.add("dana@example.org", "דנה")
    summary = _send(server, edition, store, tmp_path)
    assert summary.sent == 1 and not summary.failed
    [msg] = server.handler.parsed()
    token = store.get("dana@example.org").token
    assert msg["To"].addresses[0].addr_spec == "dana@example.org"
    assert msg["From"].addresses[0].addr_spec == "news@example.org"
    assert msg["Reply-To"] == "editor@example.org"
    assert msg["Message-ID"].startswith("<3-ai-search.") and msg["Date"]
    unsubscribe = msg["List-Unsubscribe"]
    assert "<mailto:news@example.org?subject=unsubscribe%20" in unsubscribe
    assert f"<https://example.org/unsubscribe?t={token}>" in unsubscribe
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for sentence in ("גוגל מרחיבה את סקירות ה-AI לעברית", "WhatsApp Channels"):
        assert sentence in text and sentence in html
    assert f"https://example.org/unsubscribe?t={token}" in text
    assert f'href="https://example.org/unsubscribe?t={token}"' in html
    assert UNSUBSCRIBE_PLACEHOLDER not in text + html


def test_hebrew_subject_is_rfc2047_encoded(server, edition, store, tmp_path):
    store.add("reader@example.org")
    _send(server, edition, store, tmp_path)
    [(_rcpts, raw)] = server.handler.messages
    head = raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # every header is 7-bit
    subject_lines = head.split(b"\r\nSubject: ", 1)[1].split(b"\r\n")
    folded = [subject_lines[0]]
    for line in subject_lines[1:]:
        if line[:1] not in (b" ", b"\t"):
            break
        folded.append(line)
    raw_subject = b"\r\n".join(folded).decode("ascii")
    assert "=?utf-8?b?" in raw_subject.lower()
    assert str(make_header(decode_header(raw_subject))) == HEBREW_SUBJECT


def test_html_part_keeps_rtl_on_the_body(server, edition, store, tmp_path):
    store.add("reader@example.org")
    _send(server, edition, store, tmp_path)
    html = server.handler.parsed()[0].get_body(("html",)).get_content()
    assert '<html lang="he" dir="rtl">' in html
    assert 'style="direction: rtl; text-align: right;' in html


def test_server_answering_451_for_a_while_then_accepting_gets_everyone_once(
    server, edition, store, tmp_path
):
    for n in range(6):
        store.add(f"r{n}@example.org")
    server.handler.tempfail_until = time.monotonic() + 0.4
    summary = _send(server, edition, store, tmp_path, max_attempts=8)
    assert server.handler.tempfails > 0
    assert summary.sent == 6 and not summary.failed
    assert server.handler.per_recipient() == {f"r{n}@example.org": 1 for n in range(6)}


def test_550_for_one_recipient_is_recorded_and_the_rest_are_sent(server, edition, store, tmp_path):
    for n in range(5):
        store.add(f"r{n}@example.org")
    server.handler.refuse["r2@example.org"] = "550 5.1.1 No such mailbox"
    summary = _send(server, edition, store, tmp_path)
    assert summary.sent == 4
    assert list(summary.failed) == ["r2@example.org"]
    assert summary.failed["r2@example.org"].startswith("550")
    assert set(server.handler.per_recipient()) == {f"r{n}@example.org" for n in (0, 1, 3, 4)}
    with SendLog(tmp_path / "state" / "sendlog.sqlite") as log:
        assert log.entries("3-ai-search")["r2@example.org"].status == "failed"


def test_second_run_skips_everyone_already_sent(server, edition, store, tmp_path):
    for n in range(4):
        store.add(f"r{n}@example.org")
    _send(server, edition, store, tmp_path)
    store.add("late@example.org")
    again = _send(server, edition, store, tmp_path)
    assert (again.sent, again.skipped) == (1, 4)
    assert sum(server.handler.per_recipient().values()) == 5


def test_unreachable_server_stops_the_run_without_marking_anyone(edition, store, tmp_path):
    from _email_support import free_port

    store.add("r@example.org")
    with SendLog(tmp_path / "sendlog.sqlite") as log:
        config = SmtpConfig(
            host="127.0.0.1", port=free_port(), security="none", from_addr="n@example.org",
            backoff=0.01, max_attempts=2, timeout=2,
        )  # fmt: skip
        summary = SmtpSender(config, log).deliver_to(edition, list(store.all()))
        assert summary.aborted and "cannot connect" in summary.aborted
        assert log.entries("3-ai-search") == {}


def test_base64_bodies_when_8bit_is_not_offered_decode_to_the_same_text(edition, store):
    store.add("r@example.org")
    sub = next(store.all())
    envelope = Envelope("news@example.org", unsubscribe_url=UNSUB_URL)
    _id, raw8 = MessageFactory(edition, envelope, eightbit=True).build(sub)
    _id, raw64 = MessageFactory(edition, envelope, eightbit=False).build(sub)
    assert b"Content-Transfer-Encoding: base64" in raw64
    body = raw64.split(b"\r\n\r\n", 1)[1]
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    raw64.decode("ascii")
    m8, m64 = (message_from_bytes(r, policy=policy.default) for r in (raw8, raw64))
    for kind in ("plain", "html"):
        eight, b64 = (m.get_body((kind,)).get_content().replace("\r\n", "\n") for m in (m8, m64))
        assert eight == b64


def test_handed_messages_count_as_sent_on_the_next_run(server, edition, store, tmp_path):
    store.add("a@example.org")
    store.add("b@example.org")
    path = tmp_path / "state" / "sendlog.sqlite"
    with SendLog(path) as log:  # a run killed right after a's final dot left the process
        log.mark_sending("3-ai-search", "a@example.org", "<x@example.org>", "try1")
        log.handed_marker("3-ai-search", "a@example.org", "try1")()
    summary = _send(server, edition, store, tmp_path)
    assert (summary.sent, summary.skipped, summary.unconfirmed) == (1, 1, 1)
    assert server.handler.per_recipient() == {"b@example.org": 1}


def test_journal_line_of_an_earlier_attempt_does_not_mark_a_retry_handed(tmp_path):
    path = tmp_path / "sendlog.sqlite"
    with SendLog(path) as log:  # dot of try 1 refused with 451, try 2 killed before its dot
        log.mark_sending("e", "r@example.org", "<m@example.org>", "try1")
        log.handed_marker("e", "r@example.org", "try1")()
        log.mark_sending("e", "r@example.org", "<m@example.org>", "try2")
    with SendLog(path) as log:
        assert log.entries("e")["r@example.org"].status == "sending"


def test_a_second_sender_on_the_same_log_is_refused(tmp_path):
    with SendLog(tmp_path / "sendlog.sqlite"), pytest.raises(SendLogBusy):
        SendLog(tmp_path / "sendlog.sqlite")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with Debian's openssl."""
    if not shutil.which("openssl"):
        pytest.skip("needs Debian's openssl to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_starttls_and_login_then_send(edition, store, tmp_path, certificate):
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.login)
        ok = (auth_data.login, auth_data.password) == (b"news", b"s3cret")
        return AuthResult(success=ok, handled=False)

    store.add("r@example.org")
    options = {"tls_context": context, "require_starttls": True, "authenticator": authenticate}
    with SmtpServer(**options, auth_exclude_mechanism=["LOGIN"]) as srv:
        good = _config(srv, security="starttls", user="news", password="s3cret", cafile=str(cert))
        with SendLog(tmp_path / "log.sqlite") as log:
            assert SmtpSender(good, log).deliver_to(edition, list(store.all())).sent == 1
        bad = _config(srv, security="starttls", user="news", password="wrong", cafile=str(cert))
        with SendLog(tmp_path / "log2.sqlite") as log:
            summary = SmtpSender(bad, log).deliver_to(edition, list(store.all()))
        untrusted = _config(srv, security="starttls", user="news", password="s3cret")
        with SendLog(tmp_path / "log3.sqlite") as log:
            refused = SmtpSender(untrusted, log).deliver_to(edition, list(store.all()))
    assert summary.aborted.startswith("SMTP login refused by 127.0.0.1: 535")
    assert "TLS certificate not trusted" in refused.aborted
    assert len(srv.handler.messages) == 1 and set(logins) == {b"news"}


KILL_SCRIPT = """
import sys
from attention.cli import main
sys.exit(main(["send", "3", "--via", "smtp", "--output", sys.argv[1], "--settings", "none.py",
               "--no-progress"]))
"""


@pytest.mark.slow
def test_resume_after_kill_9_gives_exactly_one_message_per_subscriber(server, tmp_path: Path):
    output = tmp_path / "output"
    write_edition(output)
    state = tmp_path / "state"
    recipients = [f"reader{n:04d}@example.org" for n in range(400)]
    with SubscriberStore(state / "subscribers.sqlite") as subs:
        subs.import_rows((r, "") for r in recipients)
    env = os.environ | {
        "ATTENTION_STATE_DIR": str(state),
        "ATTENTION_SMTP_HOST": "127.0.0.1",
        "ATTENTION_SMTP_PORT": str(server.port),
        "ATTENTION_SMTP_SECURITY": "none",
        "ATTENTION_EMAIL_FROM": "news@example.org",
        "ATTENTION_SMTP_RATE": "250",
        "ATTENTION_SMTP_POOL": "3",
    }
    rng = random.Random(20261122)

    def start() -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", KILL_SCRIPT, str(output)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_until(condition) -> None:
        deadline = time.monotonic() + 20
        while not condition():
            assert time.monotonic() < deadline, "the sender never got going"
            time.sleep(0.005)

    journal = state / "sendlog.sqlite.handed"

    def recorded_as_handed(held: list[str]) -> bool:
        text = journal.read_text("utf-8", errors="replace") if journal.exists() else ""
        return all(f"\t{recipient}\t" in text for recipient in held)

    # The kills land at moments the server sets up, never in the one window the send log
    # documents (the microseconds between a final dot leaving and its journal record, where a
    # duplicate is possible): a kill there is a matter of luck, and a test must not depend on it.
    handler = server.handler
    # Kill 1: after a random number of messages, with every connection of the pool waiting
    # for the 250 of a message the server has taken: a log written only on 250 would send
    # all three again.
    handler.hold_all_replies_after = rng.randint(20, 200)
    proc = start()
    wait_until(lambda: len(handler.held_replies) == 3 or proc.poll() is not None)
    wait_until(lambda: recorded_as_handed(handler.held_replies) or proc.poll() is not None)
    assert proc.poll() is None, "the first run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=20)
    handler.release()
    # Kill 2: one connection waits for the 250 of a message the server has taken; the two
    # others wait for the reply to RCPT, before their message went out.
    before = len(handler.messages)
    handler.reply_held.clear()
    handler.hold_next_reply = True
    handler.hold_rcpt_after_held = True
    proc = start()
    wait_until(lambda: handler.reply_held.is_set() or proc.poll() is not None)
    wait_until(lambda: handler.held_rcpts == 2 or proc.poll() is not None)
    wait_until(lambda: recorded_as_handed(handler.held_for) or proc.poll() is not None)
    assert proc.poll() is None and len(handler.messages) > before
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=20)
    handler.release()
    final = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(output)], env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert final.returncode == 0, final.stderr
    counts = server.handler.per_recipient()
    assert sorted(counts) == recipients, "missing recipients"
    assert [r for r, n in counts.items() if n > 1] == [], "duplicates"


LONG_HEBREW_NAME = "קשב — התקציר השבועי על מגמות בשיווק ברשתות החברתיות ובטכנולוגיה"


def test_long_hebrew_display_names_fold_into_short_encoded_words(server, edition, store, tmp_path):
    store.add("dana@example.org", "דנה " + LONG_HEBREW_NAME)
    _send(server, edition, store, tmp_path, from_addr=f"{LONG_HEBREW_NAME} <news@example.org>")
    [(_rcpts, raw)] = server.handler.messages
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    # RFC 2047: an encoded word is at most 75 characters; the name's lines stay under 78.
    words = re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", head)
    assert words and max(len(w) for w in words) <= 75
    names = re.search(r"\r\nFrom: .*?\r\n(?! )|^From: .*?\r\n(?! )", head, re.S).group(0)
    names += re.search(r"\r\nTo: .*?\r\n(?! )", head, re.S).group(0)
    assert max(len(line) for line in names.split("\r\n")) <= 78
    decoded = str(make_header(decode_header(names.replace("\r\n", ""))))
    assert f"From: {LONG_HEBREW_NAME} <news@example.org>" in decoded
    assert f"To: דנה {LONG_HEBREW_NAME} <dana@example.org>" in decoded
    # Python's own parser keeps the space between encoded words: words stay whole all the same.
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["From"].addresses[0].display_name.split() == LONG_HEBREW_NAME.split()
    assert msg["From"].addresses[0].addr_spec == "news@example.org"


def test_line_break_in_a_subscriber_name_cannot_add_a_header(server, edition, store, tmp_path):
    # A CSV cell can hold a line break (Alt+Enter in a spreadsheet, or a hostile signup form).
    store.import_rows([("dana@example.org", "Dana\nBcc: spy@example.net")])
    _send(server, edition, store, tmp_path)
    [(_rcpts, raw)] = server.handler.messages
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in head.replace(b"\r\n", b"")
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["Bcc"] is None
    assert msg["To"].addresses[0].addr_spec == "dana@example.org"


def test_long_hebrew_subject_folds_into_encoded_words_of_at_most_75(
    server, edition, store, tmp_path
):
    store.add("reader@example.org")
    _send(server, edition, store, tmp_path)
    [(_rcpts, raw)] = server.handler.messages
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    words = re.findall(r"=\?[^?]+\?[bBqQ]\?[^?]*\?=", head)
    assert len(words) > 1 and max(len(w) for w in words) <= 75
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == HEBREW_SUBJECT


class _BusySMTP(SMTP):
    """Greets with 421 once ``limit`` sessions are open, as relays that cap connections do."""

    open_sessions = 0
    limit = 2
    refused = 0

    async def _handle_client(self) -> None:
        cls = type(self)
        if cls.open_sessions >= cls.limit:
            cls.refused += 1
            await self.push("421 4.7.0 Too many connections from your host")
            self.transport.close()
            return
        cls.open_sessions += 1
        try:
            await super()._handle_client()
        finally:
            cls.open_sessions -= 1


def test_server_capping_connections_below_the_pool_still_gets_everyone_once(
    edition, store, tmp_path
):
    for n in range(12):
        store.add(f"r{n}@example.org")
    busy = SmtpServer()
    controller = busy.controller
    controller.factory = lambda: _BusySMTP(busy.handler, **controller.SMTP_kwargs)
    with busy as srv:
        summary = _send(srv, edition, store, tmp_path, pool=4, max_attempts=2, backoff=0.01)
        counts = srv.handler.per_recipient()
    assert _BusySMTP.refused > 0
    assert summary.aborted is None and summary.sent == 12 and not summary.failed
    assert counts == {f"r{n}@example.org": 1 for n in range(12)}


class _ClosingSMTP(SMTP):
    """Answers 451 to the first message's final dot, then refuses every new connection."""

    closed = False

    async def _handle_client(self) -> None:
        if type(self).closed:
            await self.push("421 4.3.2 Shutting down for maintenance")
            self.transport.close()
            return
        await super()._handle_client()


class _RefuseThenClose(RecordingHandler):
    refuse_next = True

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_next:
            self.refuse_next, _ClosingSMTP.closed = False, True
            return "451 4.3.0 Local problem, try again later"
        return await super().handle_DATA(server, session, envelope)


def test_message_refused_at_the_dot_before_the_server_went_away_is_sent_on_the_next_run(
    edition, store, tmp_path
):
    store.add("dana@example.org")
    _ClosingSMTP.closed = False
    down = SmtpServer()
    down.handler = _RefuseThenClose()
    down.controller = Controller(down.handler, hostname="127.0.0.1", port=down.port)
    down.controller.factory = lambda: _ClosingSMTP(down.handler, **down.controller.SMTP_kwargs)
    with down:
        first = _send(down, edition, store, tmp_path, pool=1, max_attempts=2, backoff=0.01)
        assert first.aborted and first.sent == 0 and down.handler.messages == []
        _ClosingSMTP.closed = False  # the server is back, and takes everything now
        again = _send(down, edition, store, tmp_path, pool=1)
        assert down.handler.per_recipient() == {"dana@example.org": 1}
    assert (again.sent, again.skipped) == (1, 0)


def test_edition_with_a_hebrew_slug_is_sent_with_an_ascii_message_id(server, store, tmp_path):
    write_edition(tmp_path / "output", "5-חיפוש-בלי-קליקים", issue=5)  # `Slug:` in Hebrew
    edition = load_edition(tmp_path / "output", "5")
    store.add("reader@example.org")
    summary = _send(server, edition, store, tmp_path)
    assert summary.sent == 1 and summary.aborted is None
    [(_rcpts, raw)] = server.handler.messages
    message_id = message_from_bytes(raw, policy=policy.default)["Message-ID"]
    assert message_id.isascii() and re.fullmatch(r"<[^<>@\s]+@example\.org>", message_id)


class _SlowToAnswer(RecordingHandler):
    """Takes its time over the first message (content scanning under load), then says 250."""

    delay = 1.5

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
            first, self.delay = self.delay, 0
        await asyncio.sleep(first)
        return "250 2.0.0 Accepted"


def test_slow_answer_to_the_final_dot_is_waited_for_not_sent_again(edition, store, tmp_path):
    # RFC 5321 4.5.3.2.6: a client waits 10 minutes for the reply to the final dot. Giving up
    # after the ordinary command time-out and retrying delivers the message twice.
    store.add("dana@example.org")
    slow = SmtpServer()
    slow.handler = _SlowToAnswer()
    slow.controller = Controller(slow.handler, hostname="127.0.0.1", port=slow.port)
    with slow:
        summary = _send(slow, edition, store, tmp_path, pool=1, timeout=0.5, backoff=0.01)
        time.sleep(1.2)  # let a first copy still being answered land too
        counts = slow.handler.per_recipient()
    assert summary.sent == 1 and not summary.failed
    assert counts == {"dana@example.org": 1}


def test_unsubscribe_url_with_a_brace_other_than_token_or_email_is_a_settings_error():
    from attention.send.smtp import ConfigError

    settings = {"EMAIL_SMTP_HOST": "127.0.0.1", "EMAIL_FROM": "news@example.org"}
    url = "https://example.org/u?t={token}&utm={campaign}"
    with pytest.raises(ConfigError, match="EMAIL_UNSUBSCRIBE_URL"):
        SmtpConfig.from_settings(settings | {"EMAIL_UNSUBSCRIBE_URL": url}, env={})
    good = "https://example.org/u?t={token}&e={email}"
    config = SmtpConfig.from_settings(settings | {"EMAIL_UNSUBSCRIBE_URL": good}, env={})
    assert config.unsubscribe_url == good


class _Timestamping(RecordingHandler):
    """Notes when each message's final dot reached the server (monotonic clock, same process)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.arrivals.append(time.monotonic())
        return await super().handle_DATA(server, session, envelope)


def test_configured_rate_spaces_messages_across_the_whole_pool(edition, store, tmp_path):
    # A limiter shared by the pool hands out one slot per 1/rate seconds from the moment the run
    # starts, so the k-th message (0-based) cannot reach the server before k/rate seconds have
    # passed. Only lower bounds: a slow machine makes the run longer, never shorter.
    rate, count = 10.0, 12
    for n in range(count):
        store.add(f"r{n}@example.org")
    timed = SmtpServer()
    timed.handler = _Timestamping()
    timed.controller = Controller(timed.handler, hostname="127.0.0.1", port=timed.port)
    settings = {
        "EMAIL_SMTP_HOST": "127.0.0.1",
        "EMAIL_SMTP_PORT": timed.port,
        "EMAIL_SMTP_SECURITY": "none",
        "EMAIL_FROM": "news@example.org",
        "EMAIL_SMTP_RATE": rate,
        "EMAIL_SMTP_POOL": 4,
    }
    config = SmtpConfig.from_settings(settings, env={})
    assert (config.rate, config.pool) == (rate, 4)
    with timed, SendLog(tmp_path / "state" / "sendlog.sqlite") as log:
        started = time.monotonic()
        summary = SmtpSender(config, log).deliver_to(edition, list(store.all()))
        arrivals = sorted(timed.handler.arrivals)
    assert summary.sent == count and not summary.failed
    assert len(arrivals) == count
    slack = 0.005  # clock granularity, nothing more
    early = [
        f"message {k} after {at - started:.3f} s, not before {k / rate:.3f} s"
        for k, at in enumerate(arrivals)
        if at - started < k / rate - slack
    ]
    assert not early, "faster than the configured rate: " + "; ".join(early)
