"""Shared test support for the email tests: a recording SMTP server and a small built edition."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from attention.send.base import UNSUBSCRIBE_PLACEHOLDER

HEBREW_SUBJECT = "קשב #3: חיפוש עם AI, ערוצי וואטסאפ ופודקאסטים בווידאו"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RecordingHandler:
    """Keeps every accepted message; can refuse chosen recipients or answer 451 for a while,
    and can hold replies back to stop a sender's connections at chosen points."""

    HOLD_SECONDS = 30

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse: dict[str, str] = {}
        self.tempfail_until = 0.0
        self.tempfails = 0
        # Accept the next message but hold back its 250 reply: the sender waits, as over a slow
        # network, in the window between its final dot and the server's answer.
        self.hold_next_reply = False
        self.reply_held = threading.Event()
        self.held_for: list[str] = []  # the recipients of the message whose reply is held
        # Once this many messages are in, hold the 250 of every further message.
        self.hold_all_replies_after: int | None = None
        self.held_replies: list[str] = []  # recipients of the messages held that way
        # Once a reply is held by hold_next_reply, hold every further RCPT reply too: the other
        # connections stop before sending their message.
        self.hold_rcpt_after_held = False
        self.held_rcpts = 0

    def release(self) -> None:
        """Stop holding replies from now on (those already held stay held until they time out)."""
        with self.lock:
            self.hold_next_reply = False
            self.hold_all_replies_after = None
            self.hold_rcpt_after_held = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        with self.lock:
            hold = self.hold_rcpt_after_held and self.reply_held.is_set()
            self.held_rcpts += hold
        if hold:
            await asyncio.sleep(self.HOLD_SECONDS)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if time.monotonic() < self.tempfail_until:
                self.tempfails += 1
                return "451 4.3.0 Try again later"
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
            hold, self.hold_next_reply = self.hold_next_reply, False
            if hold:
                self.held_for = list(envelope.rcpt_tos)
            after = self.hold_all_replies_after
            if after is not None and len(self.messages) > after:
                self.held_replies.extend(envelope.rcpt_tos)
                hold = True
        if hold:
            self.reply_held.set()
            await asyncio.sleep(self.HOLD_SECONDS)
        return "250 2.0.0 Accepted"

    def parsed(self) -> list[EmailMessage]:
        with self.lock:
            return [message_from_bytes(raw, policy=policy.default) for _r, raw in self.messages]

    def per_recipient(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.lock:
            for rcpts, _raw in self.messages:
                for rcpt in rcpts:
                    counts[rcpt] = counts.get(rcpt, 0) + 1
        return counts


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with a :class:`RecordingHandler`."""

    def __init__(self, **smtp_options: object) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **smtp_options
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


EDITION_HTML = """<!DOCTYPE html>
<html lang="he" dir="rtl">
<head><meta charset="utf-8"><title>{subject}</title></head>
<body style="direction: rtl; text-align: right; margin: 0;">
<table role="presentation" dir="rtl" style="max-width: 600px; direction: rtl; text-align: right;">
<tr><td>
<h1>{subject}</h1>
<p dir="auto">השבוע: גוגל מרחיבה את סקירות ה-AI לעברית,
ו-WhatsApp Channels עוברים את ה-100 מיליון.</p>
<p dir="auto"><a href="https://example.org/digests/3-ai-search/">לקריאה באתר</a></p>
<p><a href="{unsubscribe}">הסרה מהרשימה</a></p>
</td></tr>
</table>
</body>
</html>
"""

EDITION_TEXT = """{subject}

השבוע: גוגל מרחיבה את סקירות ה-AI לעברית, ו-WhatsApp Channels עוברים את ה-100 מיליון.

לקריאה באתר [1]

הסרה מהרשימה: {unsubscribe}

[1] https://example.org/digests/3-ai-search/
"""


def write_edition(
    output: Path,
    key: str = "3-ai-search",
    *,
    subject: str = HEBREW_SUBJECT,
    issue: int = 3,
    status: str = "published",
    lang: str = "he",
    translation: bool = False,
) -> Path:
    """Write a built edition folder the way the build does; return it."""
    folder = output / "email" / key
    folder.mkdir(parents=True, exist_ok=True)
    fill = {"subject": subject, "unsubscribe": UNSUBSCRIBE_PLACEHOLDER}
    (folder / "index.html").write_text(EDITION_HTML.format(**fill), encoding="utf-8")
    (folder / "index.txt").write_text(EDITION_TEXT.format(**fill), encoding="utf-8")
    meta = {
        "key": key,
        "issue": issue,
        "subject": subject,
        "lang": lang,
        "status": status,
        "translation": translation,
        "url": f"https://example.org/digests/{key}/",
    }
    (folder / "edition.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return folder
