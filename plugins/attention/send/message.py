"""Per-recipient MIME messages, built fast from one prepared edition.

Everything that is the same for every recipient (subject in RFC 2047, From, Reply-To, Date, the
MIME skeleton) is encoded once; per recipient only ``To``, ``Message-ID``, the unsubscribe headers
and the unsubscribe link inside the two body parts change. Bodies go as ``8bit`` (UTF-8 lines of at
most 998 bytes, for a server that offers 8BITMIME) or else as ``base64``.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import html
import logging
import re
import secrets
from dataclasses import dataclass
from email.header import Header
from urllib.parse import quote

from attention.send.base import UNSUBSCRIBE_PLACEHOLDER, Edition
from attention.subscribers import Subscriber

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 998
CRLF = b"\r\n"
# Header() folds at 78 by default, which lets an encoded word reach 76 characters: RFC 2047
# allows 75.
MAX_HEADER_LINE = 76


@dataclass(frozen=True)
class Envelope:
    """Who a message is from and how a recipient leaves the list."""

    from_addr: str  # "Name <address>" or a bare address
    reply_to: str = ""
    unsubscribe_mailto: str = ""  # an address; defaults to the From address
    unsubscribe_url: str = ""  # https template with {token} (and optionally {email})

    @property
    def sender_address(self) -> str:
        """The bare From address (for MAIL FROM)."""
        return email.utils.parseaddr(self.from_addr)[1]


def _format_address(value: str, header_name: str) -> str:
    name, addr = email.utils.parseaddr(value)
    return _address(name, addr, header_name)


def _address(name: str, addr: str, header_name: str) -> str:
    """``name <addr>`` for a header: a non-ASCII name as RFC 2047 words of at most 75
    characters, one per folded line (``formataddr`` makes one word of any length); a line
    break in a name cannot end the header."""
    name = " ".join(name.split())
    if name.isascii():
        return email.utils.formataddr((name, addr))
    words = [f"=?utf-8?b?{base64.b64encode(c).decode()}?=" for c in _name_chunks(name)]
    words.append(f"<{addr}>")
    lines = [words[0]]
    for word in words[1:]:
        used = len(lines[-1]) + (len(header_name) + 2 if len(lines) == 1 else 1)
        if used + 1 + len(word) <= 78:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\r\n ".join(lines)


def _name_chunks(name: str, limit: int = 45) -> list[bytes]:
    """UTF-8 pieces of ``name`` of at most ``limit`` bytes (75-character encoded words), cut
    after a space where one fits, so a reader that wrongly keeps the folding whitespace
    between encoded words still shows whole words."""
    chunks: list[bytes] = []
    current = ""
    for word in name.split(" "):
        piece = f"{current} {word}" if current else word
        if len(piece.encode()) < limit:  # room for the space that ends it
            current = piece
            continue
        if current:
            chunks.append((current + " ").encode())
        current = word
        while len(current.encode()) > limit:  # one word longer than a whole chunk
            cut = len(current.encode()[:limit].decode("utf-8", "ignore"))
            chunks.append(current[:cut].encode())
            current = current[cut:]
    chunks.append(current.encode())
    return chunks


def _crlf_lines(text: str) -> bytes:
    """UTF-8 bytes with CRLF line ends and a final line break."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return CRLF.join(line.encode("utf-8") for line in lines) + CRLF


def unsubscribe_links(envelope: Envelope, subscriber: Subscriber) -> tuple[str, str]:
    """``(https URL or "", mailto URL)`` for this subscriber."""
    url = ""
    if envelope.unsubscribe_url:
        url = envelope.unsubscribe_url.format(
            token=quote(subscriber.token, safe=""), email=quote(subscriber.email, safe="")
        )
    mailbox = envelope.unsubscribe_mailto or envelope.sender_address
    return url, f"mailto:{mailbox}?subject={quote(f'unsubscribe {subscriber.token}')}"


def message_id_for(edition: str, recipient: str, domain: str) -> str:
    """A Message-ID fixed per (edition, recipient): a message sent again keeps its ID."""
    digest = hashlib.sha256(f"{edition}\0{recipient}".encode()).hexdigest()[:24]
    # A header is ASCII: a Hebrew ``Slug:`` leaves only its ASCII part (the hash keeps it unique).
    label = re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9-]", "", edition)).strip("-") or "edition"
    return f"<{label}.{digest}@{domain}>"


class MessageFactory:
    """Builds the bytes of each recipient's message for one edition."""

    def __init__(
        self,
        edition: Edition,
        envelope: Envelope,
        *,
        eightbit: bool = True,
        max_url_length: int = 300,
        date: str | None = None,
    ) -> None:
        self.edition = edition
        self.envelope = envelope
        self.domain = envelope.sender_address.rpartition("@")[2] or "localhost"
        self._boundary = f"=_attention_{secrets.token_hex(12)}"
        head = [
            f"From: {_format_address(envelope.from_addr, 'From')}",
        ]
        if envelope.reply_to:
            head.append(f"Reply-To: {_format_address(envelope.reply_to, 'Reply-To')}")
        subject = Header(edition.subject, "utf-8", MAX_HEADER_LINE, "Subject").encode(
            linesep="\r\n"
        )
        head += [
            f"Subject: {subject}",
            f"Date: {date or email.utils.formatdate(localtime=False, usegmt=True)}",
            f"Content-Language: {edition.lang}",
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{self._boundary}"',
        ]
        self._head = "\r\n".join(head).encode("ascii") + CRLF
        # An unsubscribe URL longer than the placeholder can push a line past 998 bytes.
        growth = max(0, max_url_length - len(UNSUBSCRIBE_PLACEHOLDER))
        text_bytes = _crlf_lines(edition.text)
        html_bytes = _crlf_lines(edition.html)
        longest = max(len(line) for line in (text_bytes + html_bytes).split(CRLF))
        self.eightbit = eightbit and longest + growth <= MAX_LINE_BYTES
        encoding = b"8bit" if self.eightbit else b"base64"
        self._parts = [
            (b"text/plain", encoding, text_bytes.split(UNSUBSCRIBE_PLACEHOLDER.encode())),
            (b"text/html", encoding, html_bytes.split(UNSUBSCRIBE_PLACEHOLDER.encode())),
        ]

    def build(self, subscriber: Subscriber, message_id: str = "") -> tuple[str, bytes]:
        """``(Message-ID, message bytes)`` for one recipient (the ID fixed per recipient unless
        one is given)."""
        message_id = message_id or message_id_for(self.edition.key, subscriber.email, self.domain)
        url, mailto = unsubscribe_links(self.envelope, subscriber)
        links = f"<{mailto}>,\r\n <{url}>" if url else f"<{mailto}>"
        to = _address(subscriber.name, subscriber.email, "To")
        head = [f"To: {to}", f"Message-ID: {message_id}", f"List-Unsubscribe: {links}"]
        if url:
            head.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        out = [self._head, "\r\n".join(head).encode("ascii"), CRLF, CRLF]
        link = url or mailto
        fills = {b"text/plain": link.encode("ascii"), b"text/html": html.escape(link).encode()}
        boundary = self._boundary.encode("ascii")
        for content_type, encoding, pieces in self._parts:
            out += [
                b"--" + boundary + CRLF,
                b"Content-Type: " + content_type + b'; charset="utf-8"' + CRLF,
                b"Content-Transfer-Encoding: " + encoding + CRLF,
                CRLF,
            ]
            body = fills[content_type].join(pieces)
            if self.eightbit:
                # The CRLF before a boundary belongs to the boundary: keep the last line break.
                out += [body, CRLF]
            else:
                out.append(base64.encodebytes(body).replace(b"\n", CRLF))
        out.append(b"--" + boundary + b"--" + CRLF)
        return message_id, b"".join(out)
