"""SQLite state: feeds (conditional-GET validators, health, backoff), entries, stubs written.

One file, ``.attention/state.sqlite`` by default, in WAL mode; the schema version lives in
``PRAGMA user_version``. Every change that must stay consistent happens in one transaction, so a
run killed at any moment (even ``kill -9``) leaves a state the next run can complete.

Cross-feed duplicates are folded when an entry is added: an entry whose canonical URL, or whose
near-identical title (within a few days), matches an earlier *primary* entry records that entry as
its primary. :meth:`Store.entries_between` returns primaries only, each with ``also_in`` naming the
other sources that carried the story.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from .canonical import canonical_url, title_key
from .config import state_dir
from .records import Entry

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
STATE_FILE = "state.sqlite"
TITLE_FOLD_WINDOW = timedelta(days=3)

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS feeds (
    url            TEXT PRIMARY KEY,      -- the URL as configured (stable key)
    name           TEXT NOT NULL,
    current_url    TEXT NOT NULL,         -- where we fetch now (after a permanent redirect)
    etag           TEXT,
    last_modified  TEXT,
    status         TEXT NOT NULL DEFAULT 'new',
    reason         TEXT NOT NULL DEFAULT '',
    error_count    INTEGER NOT NULL DEFAULT 0,
    next_check     REAL,                  -- epoch seconds; NULL = whenever
    last_checked   REAL,
    last_ok        REAL,
    entries_seen   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS entries (
    identity          TEXT PRIMARY KEY,
    feed_url          TEXT NOT NULL,
    source_name       TEXT NOT NULL,
    title             TEXT NOT NULL,
    link              TEXT NOT NULL,
    canonical_url     TEXT NOT NULL,
    title_key         TEXT NOT NULL,
    published         REAL NOT NULL,
    language          TEXT NOT NULL,
    summary_html      TEXT NOT NULL DEFAULT '',
    summary_text      TEXT NOT NULL DEFAULT '',
    tags              TEXT NOT NULL DEFAULT '[]',
    weight            REAL NOT NULL DEFAULT 1.0,
    date_guessed      INTEGER NOT NULL DEFAULT 0,
    primary_identity  TEXT,               -- NULL for a primary; else the entry it folds into
    first_seen        REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_canonical ON entries(canonical_url);
CREATE INDEX IF NOT EXISTS entries_title_key ON entries(title_key, published);
CREATE INDEX IF NOT EXISTS entries_published ON entries(published);
CREATE INDEX IF NOT EXISTS entries_primary ON entries(primary_identity);
CREATE TABLE IF NOT EXISTS stubs (
    identity        TEXT PRIMARY KEY,     -- the primary entry this stub is for
    path            TEXT NOT NULL UNIQUE, -- relative to the content directory
    slug            TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,        -- pending | written | edited | deleted
    sha256          TEXT,                 -- hash of what we last wrote (NULL until written)
    pending_sha256  TEXT,                 -- hash of the text we are about to write
    pending_text    TEXT,                 -- that text, so a killed run can be completed
    updated         REAL NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class FeedState:
    """What we remember about one configured feed."""

    url: str
    name: str
    current_url: str
    etag: str | None = None
    last_modified: str | None = None
    status: str = "new"
    reason: str = ""
    error_count: int = 0
    next_check: datetime | None = None
    last_checked: datetime | None = None
    last_ok: datetime | None = None
    entries_seen: int = 0


@dataclass(frozen=True, slots=True)
class StubRecord:
    """A stub we planned or wrote for a primary entry."""

    identity: str
    path: str
    slug: str
    state: str
    sha256: str | None
    pending_sha256: str | None
    pending_text: str | None


@dataclass(frozen=True, slots=True)
class Added:
    """Outcome of :meth:`Store.add_entry`: ``new`` is False for an identity already stored;
    ``primary`` is the identity of the entry this one folds into (None when it is a primary)."""

    new: bool
    primary: str | None


def default_state_path(root: Path | None = None) -> Path:
    """``$ATTENTION_STATE_DIR/state.sqlite`` or ``<root or cwd>/.attention/state.sqlite``."""
    return state_dir(root) / STATE_FILE


def _ts(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("datetimes stored in the state must be timezone-aware")
    return moment.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The SQLite state. Use :meth:`open`; it is a context manager that closes the connection."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._db = connection
        self.path = path

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) the state at ``path``; ``":memory:"`` for a throwaway one."""
        if str(path) == ":memory:":
            connection = sqlite3.connect(":memory:", isolation_level=None)
            store = cls(connection, None)
        else:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, isolation_level=None, timeout=30)
            store = cls(connection, path)
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.row_factory = sqlite3.Row
        store._migrate()
        return store

    def close(self) -> None:
        """Close the connection (idempotent)."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"{self.path}: state schema {version} is newer than this program ({SCHEMA_VERSION})"
            )
        if version < 1:
            self._db.executescript(
                f"BEGIN IMMEDIATE;\n{_SCHEMA_V1}\nPRAGMA user_version={SCHEMA_VERSION};\nCOMMIT;"
            )

    @property
    def schema_version(self) -> int:
        """The ``PRAGMA user_version`` of the open database."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    class _Transaction:
        def __init__(self, db: sqlite3.Connection) -> None:
            self._db = db

        def __enter__(self) -> None:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
                self._owner = True
            else:
                self._owner = False

        def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
            if not self._owner:
                return
            if exc_type is None:
                self._db.execute("COMMIT")
            else:
                self._db.execute("ROLLBACK")

    def transaction(self) -> Store._Transaction:
        """``with store.transaction():`` groups writes into one atomic commit (nestable)."""
        return Store._Transaction(self._db)

    # -- feeds -----------------------------------------------------------------------------

    def feed(self, url: str) -> FeedState | None:
        """The remembered state of the feed configured as ``url``, if any."""
        row = self._db.execute("SELECT * FROM feeds WHERE url = ?", (url,)).fetchone()
        return None if row is None else self._feed_from_row(row)

    def feeds(self) -> list[FeedState]:
        """Every feed we have state for, by name."""
        rows = self._db.execute("SELECT * FROM feeds ORDER BY name COLLATE NOCASE").fetchall()
        return [self._feed_from_row(row) for row in rows]

    def save_feed(self, state: FeedState) -> None:
        """Insert or replace the state of one feed."""
        self._db.execute(
            """INSERT INTO feeds (url, name, current_url, etag, last_modified, status, reason,
                   error_count, next_check, last_checked, last_ok, entries_seen)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET name=excluded.name,
                   current_url=excluded.current_url, etag=excluded.etag,
                   last_modified=excluded.last_modified, status=excluded.status,
                   reason=excluded.reason, error_count=excluded.error_count,
                   next_check=excluded.next_check, last_checked=excluded.last_checked,
                   last_ok=excluded.last_ok, entries_seen=excluded.entries_seen""",
            (
                state.url,
                state.name,
                state.current_url,
                state.etag,
                state.last_modified,
                state.status,
                state.reason,
                state.error_count,
                _ts(state.next_check),
                _ts(state.last_checked),
                _ts(state.last_ok),
                state.entries_seen,
            ),
        )

    @staticmethod
    def _feed_from_row(row: sqlite3.Row) -> FeedState:
        return FeedState(
            url=row["url"],
            name=row["name"],
            current_url=row["current_url"],
            etag=row["etag"],
            last_modified=row["last_modified"],
            status=row["status"],
            reason=row["reason"],
            error_count=row["error_count"],
            next_check=_dt(row["next_check"]),
            last_checked=_dt(row["last_checked"]),
            last_ok=_dt(row["last_ok"]),
            entries_seen=row["entries_seen"],
        )

    # -- entries ---------------------------------------------------------------------------

    def has_entry(self, identity: str) -> bool:
        """True when an entry with this identity is stored."""
        row = self._db.execute("SELECT 1 FROM entries WHERE identity = ?", (identity,)).fetchone()
        return row is not None

    def upsert_entry(self, entry: Entry) -> bool:
        """Store ``entry`` unless its identity is known; True if it was new."""
        return self.add_entry(entry).new

    def add_entry(self, entry: Entry, *, seen_at: datetime | None = None) -> Added:
        """Store ``entry`` (folding it into an earlier primary when it is the same story)."""
        with self.transaction():
            row = self._db.execute(
                "SELECT primary_identity FROM entries WHERE identity = ?", (entry.identity,)
            ).fetchone()
            if row is not None:
                return Added(new=False, primary=row["primary_identity"])
            canonical = entry.canonical_url or canonical_url(entry.link)
            key = title_key(entry.title)
            primary = self._find_primary(entry, canonical, key)
            self._db.execute(
                """INSERT INTO entries (identity, feed_url, source_name, title, link,
                       canonical_url, title_key, published, language, summary_html,
                       summary_text, tags, weight, date_guessed, primary_identity, first_seen)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    entry.identity,
                    entry.feed_url,
                    entry.source_name,
                    entry.title,
                    entry.link,
                    canonical,
                    key,
                    _ts(entry.published),
                    entry.language,
                    entry.summary_html,
                    entry.summary_text,
                    json.dumps(list(entry.tags), ensure_ascii=False),
                    entry.weight,
                    int(entry.date_guessed),
                    primary,
                    _ts(seen_at or _now()),
                ),
            )
        return Added(new=True, primary=primary)

    def _find_primary(self, entry: Entry, canonical: str, key: str) -> str | None:
        if canonical:
            # within one feed a shared link is no proof of one story (every item of a podcast
            # or newsletter may link to its home page): there the title must match too
            row = self._db.execute(
                """SELECT identity FROM entries WHERE canonical_url = ?
                   AND primary_identity IS NULL AND (feed_url != ? OR title = ?)
                   ORDER BY first_seen LIMIT 1""",
                (canonical, entry.feed_url, entry.title),
            ).fetchone()
            if row is not None:
                return str(row["identity"])
        if key:
            published = _ts(entry.published) or 0.0
            window = TITLE_FOLD_WINDOW.total_seconds()
            row = self._db.execute(
                """SELECT identity FROM entries WHERE title_key = ? AND primary_identity IS NULL
                   AND published BETWEEN ? AND ? ORDER BY first_seen LIMIT 1""",
                (key, published - window, published + window),
            ).fetchone()
            if row is not None:
                return str(row["identity"])
        return None

    def entry(self, identity: str) -> Entry | None:
        """One stored entry (``also_in`` filled for a primary)."""
        row = self._db.execute("SELECT * FROM entries WHERE identity = ?", (identity,)).fetchone()
        if row is None:
            return None
        entry = self._entry_from_row(row)
        if row["primary_identity"] is None:
            entry = replace(entry, also_in=tuple(self._also_in([entry]).get(identity, ())))
        return entry

    def entries_between(self, start: datetime, end: datetime) -> list[Entry]:
        """Primary entries published in ``[start, end)``, oldest first, duplicates folded."""
        rows = self._db.execute(
            """SELECT * FROM entries WHERE primary_identity IS NULL
               AND published >= ? AND published < ? ORDER BY published, identity""",
            (_ts(start), _ts(end)),
        ).fetchall()
        entries = [self._entry_from_row(row) for row in rows]
        also = self._also_in(entries)
        return [replace(e, also_in=tuple(also.get(e.identity, ()))) for e in entries]

    def sources_of(self, identity: str) -> list[tuple[str, str]]:
        """``(source name, link)`` of a primary entry and of every entry folded into it."""
        rows = self._db.execute(
            """SELECT source_name, link FROM entries WHERE identity = ? OR primary_identity = ?
               ORDER BY primary_identity IS NOT NULL, first_seen, identity""",
            (identity, identity),
        ).fetchall()
        seen: set[str] = set()
        out: list[tuple[str, str]] = []
        for row in rows:
            if row["source_name"] not in seen:
                seen.add(row["source_name"])
                out.append((row["source_name"], row["link"]))
        return out

    def _also_in(self, entries: Iterable[Entry]) -> dict[str, list[str]]:
        by_id = {e.identity: e for e in entries}
        out: dict[str, list[str]] = {}
        ids = list(by_id)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"""SELECT primary_identity, source_name FROM entries
                    WHERE primary_identity IN ({marks}) ORDER BY first_seen, identity""",
                chunk,
            ).fetchall()
            for row in rows:
                primary = row["primary_identity"]
                names = out.setdefault(primary, [])
                name = row["source_name"]
                if name != by_id[primary].source_name and name not in names:
                    names.append(name)
        return out

    @staticmethod
    def _entry_from_row(row: sqlite3.Row) -> Entry:
        return Entry(
            identity=row["identity"],
            feed_url=row["feed_url"],
            source_name=row["source_name"],
            title=row["title"],
            link=row["link"],
            published=datetime.fromtimestamp(row["published"], UTC),
            language=row["language"],
            summary_html=row["summary_html"],
            summary_text=row["summary_text"],
            tags=tuple(json.loads(row["tags"])),
            weight=row["weight"],
            date_guessed=bool(row["date_guessed"]),
            canonical_url=row["canonical_url"],
        )

    # -- stubs -----------------------------------------------------------------------------

    def stub(self, identity: str) -> StubRecord | None:
        """The stub planned or written for a primary entry, if any."""
        row = self._db.execute("SELECT * FROM stubs WHERE identity = ?", (identity,)).fetchone()
        return None if row is None else self._stub_from_row(row)

    def pending_stubs(self) -> list[StubRecord]:
        """Stubs planned but not yet confirmed on disk (left over by a killed run)."""
        rows = self._db.execute(
            "SELECT * FROM stubs WHERE pending_sha256 IS NOT NULL ORDER BY path"
        ).fetchall()
        return [self._stub_from_row(row) for row in rows]

    def slug_taken(self, slug: str) -> bool:
        """True when a stub already uses ``slug``."""
        row = self._db.execute("SELECT 1 FROM stubs WHERE slug = ?", (slug,)).fetchone()
        return row is not None

    def stub_slugs(self) -> set[str]:
        """Every slug a stub uses or has used."""
        return {row[0] for row in self._db.execute("SELECT slug FROM stubs")}

    def path_taken(self, path: str) -> bool:
        """True when a stub already uses ``path``."""
        row = self._db.execute("SELECT 1 FROM stubs WHERE path = ?", (path,)).fetchone()
        return row is not None

    def plan_stub(self, identity: str, path: str, slug: str, text: str, sha256: str) -> None:
        """Record the text we are about to write for ``identity`` (new or updated stub)."""
        self._db.execute(
            """INSERT INTO stubs
                   (identity, path, slug, state, pending_sha256, pending_text, updated)
               VALUES (?, ?, ?, 'pending', ?, ?, ?)
               ON CONFLICT(identity) DO UPDATE SET pending_sha256=excluded.pending_sha256,
                   pending_text=excluded.pending_text, updated=excluded.updated""",
            (identity, path, slug, sha256, text, _ts(_now())),
        )

    def mark_stub(self, identity: str, state: str, sha256: str | None = None) -> None:
        """Settle a stub: ``written`` (with the hash now on disk), ``edited`` or ``deleted``."""
        if state == "written":
            self._db.execute(
                """UPDATE stubs SET state='written', sha256=?, pending_sha256=NULL,
                       pending_text=NULL, updated=? WHERE identity=?""",
                (sha256, _ts(_now()), identity),
            )
        else:
            self._db.execute(
                """UPDATE stubs SET state=?, pending_sha256=NULL, pending_text=NULL, updated=?
                   WHERE identity=?""",
                (state, _ts(_now()), identity),
            )

    def stubs(self) -> Iterator[StubRecord]:
        """Every stub record, by path."""
        for row in self._db.execute("SELECT * FROM stubs ORDER BY path"):
            yield self._stub_from_row(row)

    @staticmethod
    def _stub_from_row(row: sqlite3.Row) -> StubRecord:
        return StubRecord(
            identity=row["identity"],
            path=row["path"],
            slug=row["slug"],
            state=row["state"],
            sha256=row["sha256"],
            pending_sha256=row["pending_sha256"],
            pending_text=row["pending_text"],
        )
