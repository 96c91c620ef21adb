"""Send an edition to the subscriber list over SMTP: a pool of connections, a rate, retries.

Temporary failures (4xx replies, dropped connections, time-outs) are retried with exponential
backoff on a fresh connection; permanent ones (5xx) are recorded for that recipient and the run
goes on. Every message is logged in the :class:`~attention.send.sendlog.SendLog` so a run that
is killed can be started again: recipients already ``sent`` are skipped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import random
import re
import secrets
import smtplib
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from attention.atomic import atomic_write_bytes
from attention.send.base import Edition, SendSummary
from attention.send.message import Envelope, MessageFactory, unsubscribe_links
from attention.send.sendlog import HANDED, SENT, SendLog
from attention.subscribers import Subscriber, normalize_address

logger = logging.getLogger(__name__)

SECURITY_MODES = ("starttls", "ssl", "none")
SWITCH_INTERVAL = 0.0002  # seconds
FINAL_REPLY_TIMEOUT = 600.0  # seconds to wait for the answer to the final dot (RFC 5321 4.5.3.2.6)
TEMPORARY_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)


class ConfigError(ValueError):
    """SMTP settings that are missing or wrong; the message names them."""


class SendAborted(RuntimeError):
    """The server cannot be used at all (unreachable, login refused)."""


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send. Build it with :meth:`from_settings`."""

    host: str
    from_addr: str
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = field(default="", repr=False)
    reply_to: str = ""
    rate: float = 20.0  # messages per second over the whole pool; 0 = no limit
    pool: int = 4
    timeout: float = 30.0
    max_attempts: int = 5
    backoff: float = 1.0  # seconds before the first retry, doubled each time (capped at 60)
    unsubscribe_mailto: str = ""
    unsubscribe_url: str = ""
    cafile: str = ""  # extra CA bundle to trust (a private relay's own certificate)

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, object], env: Mapping[str, str] | None = None
    ) -> SmtpConfig:
        """Read ``EMAIL_*`` settings, overridden by ``ATTENTION_SMTP_*`` environment variables.

        The user name and password come from the environment only. Raises :class:`ConfigError`
        naming every missing or invalid setting in one line.
        """
        env = os.environ if env is None else env

        def pick(env_name: str, setting: str, default: object = "") -> object:
            if env.get(env_name, "") != "":
                return env[env_name]
            value = settings.get(setting)
            return default if value in (None, "") else value

        host = str(pick("ATTENTION_SMTP_HOST", "EMAIL_SMTP_HOST"))
        from_addr = str(pick("ATTENTION_EMAIL_FROM", "EMAIL_FROM"))
        missing = []
        if not host:
            missing.append("EMAIL_SMTP_HOST (or $ATTENTION_SMTP_HOST)")
        if not from_addr:
            missing.append("EMAIL_FROM (or $ATTENTION_EMAIL_FROM)")
        if missing:
            raise ConfigError(f"missing SMTP settings: {', '.join(missing)}")
        security = str(pick("ATTENTION_SMTP_SECURITY", "EMAIL_SMTP_SECURITY", "starttls")).lower()
        problems = []
        if security not in SECURITY_MODES:
            problems.append(f"EMAIL_SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}")
        try:
            normalize_address(Envelope(from_addr).sender_address)
        except ValueError as exc:
            problems.append(f"EMAIL_FROM is not a valid address: {exc}")
        try:
            default_port = 465 if security == "ssl" else 587
            port = int(pick("ATTENTION_SMTP_PORT", "EMAIL_SMTP_PORT", default_port))
            rate = float(pick("ATTENTION_SMTP_RATE", "EMAIL_SMTP_RATE", 20.0))
            pool = int(pick("ATTENTION_SMTP_POOL", "EMAIL_SMTP_POOL", 4))
        except (TypeError, ValueError) as exc:
            problems.append(f"SMTP port, rate and pool must be numbers ({exc})")
            port, rate, pool = 0, 0.0, 1
        if pool < 1:
            problems.append("EMAIL_SMTP_POOL must be at least 1")
        url = str(pick("ATTENTION_UNSUBSCRIBE_URL", "EMAIL_UNSUBSCRIBE_URL"))
        if url and (not url.startswith("https://") or "{token}" not in url):
            problems.append("EMAIL_UNSUBSCRIBE_URL must be an https:// URL containing {token}")
        elif url:
            try:  # every message fills it in; a stray {name} would stop the send midway
                url.format(token="t", email="e")
            except (KeyError, IndexError, ValueError) as exc:
                problems.append(
                    f"EMAIL_UNSUBSCRIBE_URL may hold only {{token}} and {{email}} (not {exc})"
                )
        if problems:
            raise ConfigError("bad SMTP settings: " + "; ".join(problems))
        return cls(
            host=host,
            from_addr=from_addr,
            port=port,
            security=security,
            user=env.get("ATTENTION_SMTP_USER", ""),
            password=env.get("ATTENTION_SMTP_PASSWORD", ""),
            reply_to=str(pick("ATTENTION_EMAIL_REPLY_TO", "EMAIL_REPLY_TO")),
            rate=rate,
            pool=pool,
            timeout=float(settings.get("EMAIL_SMTP_TIMEOUT") or 30.0),
            max_attempts=int(settings.get("EMAIL_SMTP_MAX_ATTEMPTS") or 5),
            backoff=float(settings.get("EMAIL_SMTP_BACKOFF") or 1.0),
            unsubscribe_mailto=str(
                pick("ATTENTION_UNSUBSCRIBE_MAILTO", "EMAIL_UNSUBSCRIBE_MAILTO")
            ),
            unsubscribe_url=url,
            cafile=str(pick("ATTENTION_SMTP_CAFILE", "EMAIL_SMTP_CAFILE")),
        )

    @property
    def envelope(self) -> Envelope:
        """The From / Reply-To / unsubscribe part of the settings."""
        return Envelope(
            from_addr=self.from_addr,
            reply_to=self.reply_to,
            unsubscribe_mailto=self.unsubscribe_mailto,
            unsubscribe_url=self.unsubscribe_url,
        )


class RateLimiter:
    """At most ``rate`` acquisitions per second across threads (0 = unlimited)."""

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._next = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            time.sleep(slot - now)


class _Crew:
    """How many workers still run, so that one the server will not connect can hand its work
    back to the others (relays often cap connections per client below our pool size)."""

    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._alive = size

    def leave_if_done(self, work: queue.SimpleQueue[Subscriber]) -> bool:
        """Leave when the queue is empty (checked under the lock a hand-back takes)."""
        with self._lock:
            if not work.empty():
                return False
            self._alive -= 1
            return True

    def hand_back(self, work: queue.SimpleQueue[Subscriber], sub: Subscriber) -> bool:
        """Requeue ``sub`` and leave, if another worker still runs; False for the last one."""
        with self._lock:
            if self._alive <= 1:
                return False
            work.put(sub)
            self._alive -= 1
            return True


class _Temporary(Exception):
    """A failure worth retrying on a fresh connection."""


class _Permanent(Exception):
    """A failure to record for this recipient only."""


Progress = Callable[[str, str], None]  # (recipient, "sent" | "failed")


class SmtpSender:
    """Delivers one edition to a list of subscribers, resumably."""

    name = "smtp"

    def __init__(self, config: SmtpConfig, log: SendLog) -> None:
        self.config = config
        self.log = log

    # -- connections -------------------------------------------------------------------------
    def connect(self) -> smtplib.SMTP:
        """Open and (when configured) secure and authenticate one connection."""
        cfg = self.config
        conn: smtplib.SMTP | None = None
        try:
            if cfg.security == "ssl":
                conn = smtplib.SMTP_SSL(
                    cfg.host, cfg.port, timeout=cfg.timeout, context=self._tls()
                )
            else:
                conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            # The final "." goes in its own small write: without this, Nagle's algorithm holds it
            # back until the body is acknowledged (tens of milliseconds per message).
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.ehlo()
            if cfg.security == "starttls":
                conn.starttls(context=self._tls())
                conn.ehlo()
            if cfg.user:
                conn.login(cfg.user, cfg.password)
            return conn
        except smtplib.SMTPAuthenticationError as exc:
            _close(conn)
            raise SendAborted(f"SMTP login refused by {cfg.host}: {_reply(exc)}") from None
        except smtplib.SMTPNotSupportedError as exc:
            _close(conn)
            raise SendAborted(f"{cfg.host}:{cfg.port}: {exc}") from None
        except ssl.SSLCertVerificationError as exc:
            _close(conn)
            raise SendAborted(
                f"{cfg.host}:{cfg.port}: TLS certificate not trusted ({exc.verify_message});"
                " EMAIL_SMTP_CAFILE can name the CA of a private relay"
            ) from None
        except BaseException:
            _close(conn)
            raise

    def _tls(self) -> ssl.SSLContext:
        """Certificate-checking TLS, trusting ``cafile`` too when one is configured."""
        return ssl.create_default_context(cafile=self.config.cafile or None)

    def _connect_patiently(self) -> smtplib.SMTP:
        """Connect, retrying with backoff; :class:`SendAborted` when the server stays away."""
        cfg = self.config
        for attempt in range(1, cfg.max_attempts + 1):
            try:
                return self.connect()
            except (smtplib.SMTPException, OSError) as exc:
                if attempt == cfg.max_attempts:
                    raise SendAborted(
                        f"cannot connect to SMTP server {cfg.host}:{cfg.port}: {_describe(exc)}"
                    ) from None
                time.sleep(min(60.0, cfg.backoff * 2 ** (attempt - 1)))
        raise AssertionError("unreachable")

    def _supports_8bit(self) -> bool:
        conn = self._connect_patiently()
        try:
            return conn.has_extn("8bitmime")
        finally:
            _close(conn, polite=True)

    # -- the run -------------------------------------------------------------------------------
    def deliver_to(
        self,
        edition: Edition,
        subscribers: list[Subscriber],
        *,
        progress: Progress | None = None,
    ) -> SendSummary:
        """Send ``edition`` to every subscriber not yet logged as sent for it."""
        summary = SendSummary()
        done = self.log.entries(edition.key)
        todo = []
        for sub in subscribers:
            entry = done.get(sub.email)
            if entry and entry.status in (SENT, HANDED):
                summary.skipped += 1
                summary.unconfirmed += entry.status == HANDED
                continue
            todo.append(sub)
        if summary.unconfirmed:
            logger.warning(
                "send: %d message(s) were handed to the server just before the last run stopped,"
                " without its answer; counted as sent",
                summary.unconfirmed,
            )
        if not todo:
            return summary
        try:
            eightbit = self._supports_8bit()
        except SendAborted as exc:
            summary.aborted = str(exc)
            return summary
        envelope = self.config.envelope
        longest_url = max(len(link) for sub in todo for link in unsubscribe_links(envelope, sub))
        factory = MessageFactory(edition, envelope, eightbit=eightbit, max_url_length=longest_url)
        work: queue.SimpleQueue[Subscriber] = queue.SimpleQueue()
        for sub in todo:
            work.put(sub)
        limiter = RateLimiter(self.config.rate)
        stop = threading.Event()
        size = min(self.config.pool, len(todo))
        crew = _Crew(size)
        workers = [
            threading.Thread(
                target=self._worker,
                args=(factory, work, limiter, stop, summary, progress, crew),
                name=f"smtp-{i}",
                daemon=True,
            )
            for i in range(size)
        ]
        # A worker returning from the final "." must get the interpreter back at once to record
        # it: a short switch interval bounds that wait (process-wide, restored afterwards).
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, SWITCH_INTERVAL))
        try:
            for thread in workers:
                thread.start()
            for thread in workers:
                thread.join()
        finally:
            sys.setswitchinterval(switch)
        return summary

    def _worker(
        self,
        factory: MessageFactory,
        work: queue.SimpleQueue[Subscriber],
        limiter: RateLimiter,
        stop: threading.Event,
        summary: SendSummary,
        progress: Progress | None,
        crew: _Crew,
    ) -> None:
        conn: smtplib.SMTP | None = None
        edition = factory.edition.key
        mail_options = ["BODY=8BITMIME"] if factory.eightbit else []
        try:
            while not stop.is_set():
                try:
                    sub = work.get_nowait()
                except queue.Empty:
                    if crew.leave_if_done(work):
                        return
                    continue
                message_id, data = factory.build(sub)
                attempt = 0
                while True:
                    attempt += 1
                    try_id = secrets.token_hex(6)
                    try:
                        if conn is None:
                            conn = self._connect_patiently()
                        limiter.acquire()
                        _send_one(
                            conn,
                            factory.envelope.sender_address,
                            sub.email,
                            data,
                            mail_options,
                            before_dot=partial(
                                self.log.mark_sending, edition, sub.email, message_id, try_id
                            ),
                            after_dot=self.log.handed_marker(edition, sub.email, try_id),
                        )
                        self.log.mark_sent(edition, sub.email)
                        summary.record_sent()
                        outcome = "sent"
                        break
                    except _Permanent as exc:
                        self._fail(edition, sub.email, str(exc), summary)
                        outcome = "failed"
                        break
                    except (_Temporary, *TEMPORARY_ERRORS) as exc:
                        _close(conn)
                        conn = None
                        if isinstance(exc, _Temporary):  # refused, perhaps at the final dot
                            self.log.disown(edition, sub.email, try_id)
                        reason = str(exc) if isinstance(exc, _Temporary) else _describe(exc)
                        if attempt >= self.config.max_attempts:
                            self._fail(
                                edition,
                                sub.email,
                                f"gave up after {attempt} tries: {reason}",
                                summary,
                            )
                            outcome = "failed"
                            break
                        delay = min(60.0, self.config.backoff * 2 ** (attempt - 1))
                        logger.debug("send: %s: %s; retry in %.2fs", sub.email, reason, delay)
                        time.sleep(delay * random.uniform(0.8, 1.2))
                    except SendAborted as exc:
                        if crew.hand_back(work, sub):
                            logger.warning("send: %s; going on with fewer connections", exc)
                            return
                        summary.aborted = str(exc)
                        stop.set()
                        return
                if progress:
                    progress(sub.email, outcome)
        except Exception as exc:  # a bug or a broken send log: stop everyone, say why
            logger.exception("send: worker stopped")
            summary.aborted = f"internal error: {exc!r}"
            stop.set()
        finally:
            _close(conn, polite=True)

    def _fail(self, edition: str, recipient: str, reason: str, summary: SendSummary) -> None:
        logger.debug("send: %s failed: %s", recipient, reason)
        self.log.mark_failed(edition, recipient, reason)
        summary.record_failed(recipient, reason)

    def send_test(self, edition: Edition, address: str) -> str:
        """Send one message to ``address`` without touching the send log; return its Message-ID."""
        sub = Subscriber(normalize_address(address), "", "active", "test", "")
        conn = self.connect()
        try:
            eightbit = conn.has_extn("8bitmime")
            factory = MessageFactory(edition, self.config.envelope, eightbit=eightbit)
            # A Message-ID of its own: Gmail drops a message whose ID the mailbox already has,
            # so a test sharing the real send's ID would hide the edition (or a second test).
            message_id = f"<test.{secrets.token_hex(12)}@{factory.domain}>"
            message_id, data = factory.build(sub, message_id=message_id)
            options = ["BODY=8BITMIME"] if factory.eightbit else []
            _send_one(conn, factory.envelope.sender_address, sub.email, data, options)
        finally:
            _close(conn, polite=True)
        return message_id


_LEADING_DOT = re.compile(rb"(?m)^\.")


def _send_one(
    conn: smtplib.SMTP,
    sender: str,
    recipient: str,
    data: bytes,
    mail_options: list[str],
    before_dot: Callable[[], None] | None = None,
    after_dot: Callable[[], object] | None = None,
) -> None:
    """One MAIL/RCPT/DATA transaction; raise _Temporary or _Permanent on a refusal.

    The body goes out in full first; ``before_dot`` runs just before the final ``.`` that asks
    the server to accept it and ``after_dot`` right after it left this process, before the
    reply: a crash between the two is the only moment the caller cannot tell what happened.
    """
    conn.ehlo_or_helo_if_needed()
    code, reply = conn.mail(sender, mail_options)
    if code != 250:
        _refused(conn, code, reply)
    code, reply = conn.rcpt(recipient)
    if code not in (250, 251):
        _refused(conn, code, reply)
    code, reply = conn.docmd("DATA")
    if code != 354:
        _refused(conn, code, reply)
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    conn.send(body)
    if before_dot is not None:
        before_dot()
    conn.sock.sendall(b".\r\n")
    if after_dot is not None:
        after_dot()
    # The server may scan the message before it answers: giving up after the command time-out
    # and retrying is how a message gets delivered twice.
    conn.sock.settimeout(max(conn.timeout, FINAL_REPLY_TIMEOUT))
    try:
        code, reply = conn.getreply()
    finally:
        if conn.sock is not None:
            conn.sock.settimeout(conn.timeout)
    if code != 250:
        _refused(conn, code, reply)


def _refused(conn: smtplib.SMTP, code: int, reply: bytes) -> None:
    """Raise for a refusal: 5xx is permanent for this recipient, anything else temporary."""
    text = f"{code} {reply.decode('utf-8', 'replace')}".strip()
    if code == -1 or code == 421:
        raise _Temporary(text)  # the server is closing the connection
    _reset(conn)
    raise (_Permanent if 500 <= code < 600 else _Temporary)(text)


def _reply(exc: smtplib.SMTPResponseException) -> str:
    """The server's reply as ``535 authentication failed``."""
    msg = exc.smtp_error
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    return f"{exc.smtp_code} {text}".strip()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "time-out"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _reset(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        conn.rset()


def _close(conn: smtplib.SMTP | None, polite: bool = False) -> None:
    if conn is None:
        return
    try:
        if polite:
            conn.quit()
        else:
            conn.close()
    except (smtplib.SMTPException, OSError):
        conn.close()


def write_dry_run(
    edition: Edition,
    subscribers: list[Subscriber],
    envelope: Envelope,
    folder: Path,
) -> int:
    """Write each recipient's message as ``<folder>/<n>-<address>.eml``; return the count."""
    folder.mkdir(parents=True, exist_ok=True)
    factory = MessageFactory(edition, envelope, eightbit=True)
    for n, sub in enumerate(subscribers, 1):
        _id, data = factory.build(sub)
        safe = sub.email.replace("/", "_")  # "/" is valid before the @
        atomic_write_bytes(folder / f"{n:05d}-{safe}.eml", data)
    return len(subscribers)
