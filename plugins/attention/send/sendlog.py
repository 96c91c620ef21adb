"""The send log: one row per (edition, recipient) that makes an SMTP send resumable.

States, each recorded before the next step:

* ``sending`` (SQLite commit): the whole body is with the server, the final ``.`` is not sent;
* ``handed``: the final ``.`` is in the kernel's socket buffer; from here the server gets it
  even if this process is killed (the kernel still delivers buffered bytes). Recorded by one
  ``write(2)`` of ``edition<TAB>recipient`` to an append-only journal beside the database: a
  system call of a few microseconds, where an SQLite commit takes tens. The journal is folded
  into the database (and emptied) when the next run opens the log;
* ``sent`` (SQLite commit, ``synchronous=FULL``): the server answered 250;
* ``failed``: refused (5xx) or given up after retries, with the server's words.

A re-run skips ``sent`` and ``handed`` and sends everything else. A kill -9 therefore duplicates
a message only if it lands between the ``.`` leaving our process and the journal write (a few
microseconds; up to a few milliseconds when the sending thread must wait for the GIL or for a
busy CPU on its way back from the socket call), and loses one only if the server refuses that
very ``.`` (4xx/5xx at end of data) while the process dies before recording it. A power cut
can lose unsynced journal lines: those recipients get the message again, nobody is skipped.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from attention.subscribers import state_dir

logger = logging.getLogger(__name__)

DB_NAME = "sendlog.sqlite"
SCHEMA_VERSION = 2
SENDING = "sending"
HANDED = "handed"
SENT = "sent"
FAILED = "failed"
PENDING = "pending"  # a campaign row: the create call went out, its answer not yet seen


class SendLogBusy(RuntimeError):
    """Another process holds the send log."""


@dataclass(frozen=True)
class LogEntry:
    """The state of one (edition, recipient) pair."""

    status: str
    attempts: int
    reason: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class SendLog:
    """``<state dir>/sendlog.sqlite``; safe to share between the sender's threads."""

    def __init__(self, path: Path | str | None = None, synchronous: str = "FULL") -> None:
        self.path = Path(path) if path else state_dir() / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._synchronous = synchronous
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.execute("PRAGMA busy_timeout=10000")
        if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            self._db.execute(
                """CREATE TABLE IF NOT EXISTS sends (
                    edition TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('sending', 'handed', 'sent', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    message_id TEXT NOT NULL DEFAULT '',
                    try_id TEXT NOT NULL DEFAULT '',
                    reason TEXT NOT NULL DEFAULT '',
                    updated_at TEXT NOT NULL,
                    PRIMARY KEY (edition, recipient)
                ) WITHOUT ROWID"""
            )
            self._db.execute(
                """CREATE TABLE IF NOT EXISTS campaigns (
                    edition TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    remote_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (edition, channel)
                ) WITHOUT ROWID"""
            )
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self.journal_path = self.path.with_name(self.path.name + ".handed")
        self._journal = os.open(self.journal_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._journal, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._journal)
            self._db.close()
            raise SendLogBusy(
                f"{self.path}: another `attention send` is running with this send log"
            ) from None
        self._fold_journal()

    def _fold_journal(self) -> None:
        """Turn journal lines into ``handed`` rows, then empty the journal.

        A line counts only for the very attempt that wrote it (``try_id``): after a refusal at
        the final dot and a retry that was cut short, the old line must not mark it handed.
        """
        raw = self.journal_path.read_bytes()
        rows = []
        for line in raw.decode("utf-8", "replace").splitlines():
            fields = line.split("\t")
            if len(fields) == 3:
                edition, recipient, try_id = fields
                rows.append((_now(), edition, recipient, try_id))
        if rows:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "UPDATE sends SET status = 'handed', updated_at = ?"
                " WHERE edition = ? AND recipient = ? AND try_id = ? AND status = 'sending'",
                rows,
            )
            self._db.execute("COMMIT")
        os.truncate(self.journal_path, 0)

    def close(self) -> None:
        """Close the database and the journal."""
        with self._lock:
            os.close(self._journal)
            self._db.close()

    def __enter__(self) -> SendLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def entries(self, edition: str) -> dict[str, LogEntry]:
        """Every recipient recorded for ``edition``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT recipient, status, attempts, reason FROM sends WHERE edition = ?",
                (edition,),
            ).fetchall()
        return {r: LogEntry(status, attempts, reason) for r, status, attempts, reason in rows}

    def mark_sending(self, edition: str, recipient: str, message_id: str, try_id: str) -> None:
        """Record that the final ``.`` of attempt ``try_id`` is about to go.

        Committed without an fsync of its own: a kill -9 cannot undo a committed write, and the
        next ``sent`` commit syncs it too.
        """
        with self._lock:
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "INSERT INTO sends"
                " (edition, recipient, status, attempts, message_id, try_id, updated_at)"
                " VALUES (?, ?, 'sending', 1, ?, ?, ?)"
                " ON CONFLICT (edition, recipient) DO UPDATE SET status = 'sending',"
                " attempts = attempts + 1, message_id = excluded.message_id,"
                " try_id = excluded.try_id, updated_at = excluded.updated_at",
                (edition, recipient, message_id, try_id, _now()),
            )
            self._db.execute(f"PRAGMA synchronous={self._synchronous}")

    def handed_marker(self, edition: str, recipient: str, try_id: str) -> Callable[[], object]:
        """A ready-made call recording that the final ``.`` of ``try_id`` left this process.

        It is one ``write(2)`` of a pre-encoded line to the journal: it survives a kill -9 as
        soon as it returns (the bytes are in the OS's cache), needs no lock (``O_APPEND`` lines
        do not interleave) and does no work that could widen the window after the ``.``.
        """
        line = f"{edition}\t{recipient}\t{try_id}\n".encode()
        return partial(os.write, self._journal, line)

    def disown(self, edition: str, recipient: str, try_id: str) -> None:
        """The server refused the final ``.`` of ``try_id``: its journal line must not mark the
        recipient handed if the run ends before another attempt (no-op for other attempts)."""
        with self._lock:
            self._db.execute(
                "UPDATE sends SET try_id = '', updated_at = ?"
                " WHERE edition = ? AND recipient = ? AND try_id = ? AND status = 'sending'",
                (_now(), edition, recipient, try_id),
            )

    def mark_sent(self, edition: str, recipient: str) -> None:
        """Record the server's acceptance (committed before returning)."""
        with self._lock:
            self._db.execute(
                "UPDATE sends SET status = 'sent', reason = '', updated_at = ?"
                " WHERE edition = ? AND recipient = ?",
                (_now(), edition, recipient),
            )

    def mark_failed(self, edition: str, recipient: str, reason: str) -> None:
        """Record a failure with the server's words; a later run tries again."""
        with self._lock:
            self._db.execute(
                "INSERT INTO sends (edition, recipient, status, attempts, reason, updated_at)"
                " VALUES (?, ?, 'failed', 1, ?, ?)"
                " ON CONFLICT (edition, recipient) DO UPDATE SET status = 'failed',"
                " reason = excluded.reason, updated_at = excluded.updated_at",
                (edition, recipient, reason, _now()),
            )

    def campaign(self, edition: str, channel: str) -> tuple[str, str, str] | None:
        """``(remote id, status, created at)`` of the campaign made for ``edition``, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT remote_id, status, created_at FROM campaigns"
                " WHERE edition = ? AND channel = ?",
                (edition, channel),
            ).fetchone()
        return (str(row[0]), str(row[1]), str(row[2])) if row else None

    def record_campaign(self, edition: str, channel: str, remote_id: str, status: str) -> None:
        """Remember the campaign a provider created for ``edition`` (the latest one wins)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO campaigns (edition, channel, remote_id, status, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (edition, channel, remote_id, status, _now()),
            )

    def mark_campaign_pending(self, edition: str, channel: str) -> None:
        """Record, before the provider's create call, that one may be about to exist.

        If the reply is lost (time-out, dropped connection) the campaign may exist with no id
        here; this row makes the next run stop and ask instead of creating a second one.
        """
        self.record_campaign(edition, channel, "", PENDING)

    def restore_campaign(
        self, edition: str, channel: str, earlier: tuple[str, str, str] | None
    ) -> None:
        """Undo :meth:`mark_campaign_pending` when the provider refused: nothing was created."""
        with self._lock:
            if earlier is None:
                self._db.execute(
                    "DELETE FROM campaigns WHERE edition = ? AND channel = ? AND status = ?",
                    (edition, channel, PENDING),
                )
            else:
                self._db.execute(
                    "INSERT OR REPLACE INTO campaigns"
                    " (edition, channel, remote_id, status, created_at) VALUES (?, ?, ?, ?, ?)",
                    (edition, channel, *earlier),
                )

    def counts(self, edition: str) -> dict[str, int]:
        """Rows per status for ``edition``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT status, count(*) FROM sends WHERE edition = ? GROUP BY status", (edition,)
            ).fetchall()
        return {SENDING: 0, HANDED: 0, SENT: 0, FAILED: 0} | dict(rows)
