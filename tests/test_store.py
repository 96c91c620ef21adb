"""SQLite state: schema versioning, entries with folded duplicates, feed health, stubs."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from attention.records import Entry
from attention.store import SCHEMA_VERSION, FeedState, Store

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def entry(identity: str, source: str, title: str, link: str, hours: float = 0) -> Entry:
    return Entry(
        identity=identity,
        feed_url=f"https://{source.lower()}.example/feed",
        source_name=source,
        title=title,
        link=link,
        published=T0 + timedelta(hours=hours),
        language="en",
        tags=("tech",),
    )


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / ".attention" / "state.sqlite") as opened:
        yield opened


def test_new_database_is_wal_and_versioned(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Store.open(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(RuntimeError, match="newer"):
        Store.open(path)


def test_upsert_entry_is_true_only_the_first_time(store: Store) -> None:
    e = entry("a", "Alpha", "Messaging apps become the new storefront", "https://s.example/1")
    assert store.upsert_entry(e) is True
    assert store.upsert_entry(e) is False


def test_same_canonical_url_from_two_feeds_folds_into_one(store: Store) -> None:
    store.upsert_entry(entry("a", "Alpha", "One title here today", "https://S.example/1?utm_x=1"))
    store.upsert_entry(entry("b", "Beta", "Different words entirely here", "https://s.example/1#c"))
    found = store.entries_between(T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert [e.identity for e in found] == ["a"]
    assert found[0].also_in == ("Beta",)
    assert store.sources_of("a") == [
        ("Alpha", "https://S.example/1?utm_x=1"),
        ("Beta", "https://s.example/1#c"),
    ]


def test_near_identical_title_folds_only_within_days(store: Store) -> None:
    store.upsert_entry(entry("a", "Alpha", "Regulators look at AI-written reviews", "https://a/1"))
    store.upsert_entry(
        entry("b", "Beta", "Regulators look at AI written reviews | Beta", "https://b/2", 2)
    )
    store.upsert_entry(
        entry("c", "Gamma", "Regulators look at AI-written reviews", "https://c/3", 24 * 10)
    )
    found = store.entries_between(T0 - timedelta(days=1), T0 + timedelta(days=30))
    assert [(e.identity, e.also_in) for e in found] == [("a", ("Beta",)), ("c", ())]


def test_entries_between_is_half_open_and_utc(store: Store) -> None:
    store.upsert_entry(entry("a", "Alpha", "First story of the week", "https://a/1", 0))
    store.upsert_entry(entry("b", "Alpha", "Second story of the week", "https://a/2", 5))
    found = store.entries_between(T0, T0 + timedelta(hours=5))
    assert [e.identity for e in found] == ["a"]
    assert found[0].published.tzinfo is not None
    assert found[0].published == T0
    assert found[0].tags == ("tech",)


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.entries_between(datetime(2026, 1, 1), datetime(2026, 2, 1))


def test_feed_state_round_trip(store: Store) -> None:
    state = FeedState(
        url="https://x/feed",
        name="X",
        current_url="https://x/new-feed",
        etag='"abc"',
        last_modified="Fri, 20 Nov 2026 08:00:00 GMT",
        status="error",
        reason="HTTP 500",
        error_count=3,
        next_check=T0,
        last_checked=T0,
    )
    store.save_feed(state)
    assert store.feed("https://x/feed") == state
    assert store.feeds() == [state]


def test_transaction_rolls_back_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert_entry(entry("a", "Alpha", "Rolled back story title", "https://a/1"))
        raise RuntimeError("boom")
    assert not store.has_entry("a")


def test_stub_plan_and_settle(store: Store) -> None:
    store.upsert_entry(entry("a", "Alpha", "A story with a stub", "https://a/1"))
    store.plan_stub("a", "briefs/2026/11/a-story.md", "a-story", "text", "h1")
    assert [s.identity for s in store.pending_stubs()] == ["a"]
    assert store.slug_taken("a-story") and store.path_taken("briefs/2026/11/a-story.md")
    store.mark_stub("a", "written", "h1")
    record = store.stub("a")
    assert record is not None and record.state == "written" and record.sha256 == "h1"
    assert store.pending_stubs() == []


def test_one_feed_whose_items_all_link_to_its_home_page_keeps_every_story(store: Store) -> None:
    # a podcast or newsletter feed: distinct GUIDs and titles, one shared link
    home = "https://show.example/"
    titles = [
        "Episode 41: retail media budgets move again",
        "Episode 42: creators sign with agencies directly",
        "Episode 43: search ads inside chat assistants",
    ]
    added = [
        store.add_entry(entry(f"ep{i}", "Show", t, home, hours=i)) for i, t in enumerate(titles)
    ]
    assert [a.primary for a in added] == [None, None, None]
    # the same item given a new GUID by its feed is still one story
    again = store.add_entry(entry("ep0-new-guid", "Show", titles[0], home, hours=0))
    assert again.primary == "ep0"
    # and another feed carrying it folds into it as before
    assert store.add_entry(entry("x", "Other", titles[1], home, hours=1)).primary
