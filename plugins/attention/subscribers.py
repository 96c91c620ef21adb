"""Email subscribers for the SMTP sender: a small SQLite store in the state directory.

Addresses are validated and normalised (lower case, IDNA domain) so duplicates merge. Removing an
address keeps it as *suppressed*: an import never adds it back, only an explicit ``add`` does.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import re
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from attention.atomic import atomic_open

logger = logging.getLogger(__name__)

STATE_DIR_ENV = "ATTENTION_STATE_DIR"
DEFAULT_STATE_DIR = ".attention"
DB_NAME = "subscribers.sqlite"
SCHEMA_VERSION = 1

ACTIVE = "active"
SUPPRESSED = "unsubscribed"

# Dot-atom local part (RFC 5322, ASCII only: no SMTPUTF8) and a dotted host name.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class InvalidAddress(ValueError):
    """An email address that cannot be used."""


def state_dir() -> Path:
    """The directory for local state: ``$ATTENTION_STATE_DIR`` or ``.attention/``."""
    return Path(os.environ.get(STATE_DIR_ENV) or DEFAULT_STATE_DIR)


def normalize_address(raw: str) -> str:
    """Return the canonical form of an address, or raise :class:`InvalidAddress` saying why."""
    address = (raw or "").strip()
    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    if not address:
        raise InvalidAddress("empty address")
    if address.count("@") != 1:
        raise InvalidAddress(f"{raw!r}: an address needs exactly one @")
    local, domain = address.rsplit("@", 1)
    if len(local) > 64 or not _LOCAL.match(local):
        raise InvalidAddress(f"{raw!r}: the part before @ is not a valid ASCII local part")
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidAddress(f"{raw!r}: the domain is not valid ({exc})") from None
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise InvalidAddress(f"{raw!r}: the domain is not a valid host name")
    normalized = f"{local.lower()}@{domain}"
    if len(normalized) > 254:
        raise InvalidAddress(f"{raw!r}: longer than 254 characters")
    return normalized


@dataclass(frozen=True)
class Subscriber:
    """One address with its status and its private unsubscribe token."""

    email: str
    name: str
    status: str
    token: str
    added_at: str


@dataclass
class ImportReport:
    """What an import did, line by line."""

    added: int = 0
    merged: int = 0
    suppressed: int = 0
    invalid: list[str] = field(default_factory=list)


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class SubscriberStore:
    """Subscribers in ``<state dir>/subscribers.sqlite``."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else state_dir() / DB_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._migrate()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            return
        with self._transaction():
            self._db.execute(
                """CREATE TABLE IF NOT EXISTS subscribers (
                    email TEXT PRIMARY KEY,
                    name TEXT NOT NULL DEFAULT '',
                    status TEXT NOT NULL CHECK (status IN ('active', 'unsubscribed')),
                    token TEXT NOT NULL UNIQUE,
                    added_at TEXT NOT NULL,
                    unsubscribed_at TEXT
                )"""
            )
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __enter__(self) -> SubscriberStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, address: str, name: str = "") -> bool:
        """Add or re-activate ``address`` (explicit consent). True when it was not active."""
        email = normalize_address(address)
        with self._transaction():
            row = self._db.execute(
                "SELECT status FROM subscribers WHERE email = ?", (email,)
            ).fetchone()
            if row is None:
                self._insert(email, name)
                return True
            name = _clean_name(name)
            self._db.execute(
                "UPDATE subscribers SET status = 'active', unsubscribed_at = NULL,"
                " name = CASE WHEN ? != '' THEN ? ELSE name END WHERE email = ?",
                (name, name, email),
            )
            return row[0] != ACTIVE

    def _insert(self, email: str, name: str, status: str = ACTIVE, token: str = "") -> None:
        """Insert a new row; ``token`` (from an export) is kept when it is well formed and free."""
        if not (_TOKEN.match(token) and not self._token_taken(token)):
            token = secrets.token_urlsafe(18)
        now = _now()
        self._db.execute(
            "INSERT INTO subscribers (email, name, status, token, added_at, unsubscribed_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (email, _clean_name(name), status, token, now, now if status == SUPPRESSED else None),
        )

    def _token_taken(self, token: str) -> bool:
        return bool(
            self._db.execute("SELECT 1 FROM subscribers WHERE token = ?", (token,)).fetchone()
        )

    def remove(self, address_or_token: str) -> bool:
        """Suppress an address (given as address or unsubscribe token). True when it was active."""
        key = address_or_token.strip()
        with self._transaction():
            if "@" in key:
                key = normalize_address(key)
                where = "email = ?"
            else:
                where = "token = ?"
            cursor = self._db.execute(
                f"UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?"
                f" WHERE {where} AND status = 'active'",
                (_now(), key),
            )
            return cursor.rowcount > 0

    def import_rows(self, rows: Iterable[tuple[str, str] | CsvRow]) -> ImportReport:
        """Add ``(address, name)`` pairs or :class:`CsvRow` rows in one transaction.

        Suppressed addresses stay suppressed; a row marked ``unsubscribed`` (an export's
        status column) is kept or made suppressed, never active. Invalid rows are reported
        (with their line number when known) and the rest imported.
        """
        report = ImportReport()
        with self._transaction():
            for item in rows:
                row = item if isinstance(item, CsvRow) else CsvRow(0, item[0], item[1] or "")
                try:
                    email = normalize_address(row.address)
                except InvalidAddress as exc:
                    report.invalid.append(f"line {row.line}: {exc}" if row.line else str(exc))
                    continue
                unsubscribed = row.status.strip().lower() == SUPPRESSED
                found = self._db.execute(
                    "SELECT status FROM subscribers WHERE email = ?", (email,)
                ).fetchone()
                if found is None:
                    self._insert(email, row.name, SUPPRESSED if unsubscribed else ACTIVE, row.token)
                    if unsubscribed:
                        report.suppressed += 1
                    else:
                        report.added += 1
                elif found[0] == SUPPRESSED:
                    report.suppressed += 1
                elif unsubscribed:
                    self._db.execute(
                        "UPDATE subscribers SET status = 'unsubscribed', unsubscribed_at = ?"
                        " WHERE email = ?",
                        (_now(), email),
                    )
                    report.suppressed += 1
                else:
                    report.merged += 1
        return report

    def import_csv(self, path: Path | str) -> ImportReport:
        """Import a CSV with an ``email`` column (and optional ``name``), or addresses alone."""
        return self.import_rows(read_csv(Path(path)))

    def export_csv(self, path: Path | str, include_suppressed: bool = True) -> int:
        """Write ``email,name,status,added_at,token`` to ``path`` atomically; return the row
        count. An import of the file keeps the statuses and the unsubscribe tokens."""
        count = 0
        with atomic_open(Path(path), "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["email", "name", "status", "added_at", "token"])
            for sub in self.all(include_suppressed=include_suppressed):
                writer.writerow([sub.email, sub.name, sub.status, sub.added_at, sub.token])
                count += 1
        return count

    def all(self, include_suppressed: bool = False) -> Iterator[Subscriber]:
        """Subscribers in the order they were added."""
        sql = "SELECT email, name, status, token, added_at FROM subscribers"
        if not include_suppressed:
            sql += " WHERE status = 'active'"
        for row in self._db.execute(sql + " ORDER BY rowid").fetchall():
            yield Subscriber(*row)

    def get(self, address: str) -> Subscriber | None:
        """The subscriber with this address, if any."""
        row = self._db.execute(
            "SELECT email, name, status, token, added_at FROM subscribers WHERE email = ?",
            (normalize_address(address),),
        ).fetchone()
        return Subscriber(*row) if row else None

    def count(self) -> dict[str, int]:
        """Counts per status: ``{"active": n, "unsubscribed": m}``."""
        counts = {ACTIVE: 0, SUPPRESSED: 0}
        for status, n in self._db.execute(
            "SELECT status, count(*) FROM subscribers GROUP BY status"
        ):
            counts[status] = n
        return counts


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> sqlite3.Connection:
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def _clean_name(name: str) -> str:
    """A display name on one line: runs of whitespace (line breaks too) become one space."""
    return " ".join((name or "").split())


@dataclass(frozen=True)
class CsvRow:
    """One data row of a subscriber CSV, with its line number in the file."""

    line: int
    address: str
    name: str = ""
    status: str = ""
    token: str = ""


# Header names (lower case, spaces folded) for each column, as common exports spell them.
EMAIL_HEADERS = ("email", "e-mail", "email address", "e-mail address", "mail", "address",
                 "אימייל", "מייל", "דוא\"ל", "דוא״ל", "indirizzo email")  # fmt: skip
NAME_HEADERS = ("name", "full name", "display name", "שם", "שם מלא", "nome")
FIRST_HEADERS = ("first name", "firstname", "שם פרטי")
LAST_HEADERS = ("last name", "lastname", "surname", "שם משפחה")


def read_csv(path: Path) -> Iterator[CsvRow]:
    """Rows of a CSV file with or without a header row (``,``, ``;`` or tab separated).

    A header is recognised by its column names (``email``, ``Email Address``, ``E-mail``,
    ``אימייל`` …; ``name`` or first and last name; ``status`` and ``token`` from an export).
    Without one, the columns are address then name.
    """
    with path.open(newline="", encoding="utf-8-sig") as fh:
        first = fh.readline()
        fh.seek(0)
        delimiter = max((",", ";", "\t"), key=first.count) if first.strip() else ","
        rows = csv.reader(fh, delimiter=delimiter)
        header = next(rows, None)
        if header is None:
            return
        names = [" ".join(cell.replace("\ufeff", "").split()).lower() for cell in header]

        def column(choices: tuple[str, ...]) -> int | None:
            return next((names.index(c) for c in choices if c in names), None)

        email_col = column(EMAIL_HEADERS)
        if email_col is None and not any("@" in cell for cell in header):
            email_col = next((i for i, n in enumerate(names) if "mail" in n), None)
        data: list[tuple[int, list[str]]] = []
        if email_col is None:  # no header: address, name
            email_col, name_col = 0, 1
            first_col = last_col = status_col = token_col = None
            data.append((1, header))
        else:
            name_col = column(NAME_HEADERS)
            first_col, last_col = column(FIRST_HEADERS), column(LAST_HEADERS)
            status_col, token_col = column(("status",)), column(("token",))
        end = rows.line_num
        for line, row in chain(data, _numbered(rows, end)):
            if not row or not any(cell.strip() for cell in row):
                continue
            name = _cell(row, name_col)
            if not name and (first_col is not None or last_col is not None):
                name = f"{_cell(row, first_col)} {_cell(row, last_col)}"
            yield CsvRow(
                line=line,
                address=_cell(row, email_col),
                name=_clean_name(name),
                status=_cell(row, status_col),
                token=_cell(row, token_col).strip(),
            )


def _numbered(rows: Any, end: int) -> Iterator[tuple[int, list[str]]]:
    """``(first line, row)`` from a csv reader whose last record ended on line ``end``."""
    for row in rows:
        yield end + 1, row
        end = rows.line_num


def _cell(row: list[str], col: int | None) -> str:
    return row[col] if col is not None and col < len(row) else ""
