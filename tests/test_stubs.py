"""Draft stubs: Pelican-readable, injection-proof, atomic, and never clobbering an author."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pelican.readers import MarkdownReader
from pelican.settings import DEFAULT_CONFIG

from attention.config import Source
from attention.parse import parse_feed
from attention.records import Entry
from attention.store import Store
from attention.stubs import (
    TAKE_MARKER,
    StubWriter,
    atomic_write,
    base_slug,
    render_stub,
    sha256_text,
    unique_slug,
)

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
FETCHED = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ALLOWED_KEYS = {
    "title",
    "date",
    "lang",
    "slug",
    "tags",
    "category",
    "source",
    "sourceurl",
    "alsoin",
    "dategussed",
    "dateguessed",
    "status",
}


def pelican_read(path: Path) -> tuple[str, dict]:
    settings = copy.deepcopy(DEFAULT_CONFIG)
    settings["MARKDOWN"] = {"extension_configs": {"markdown.extensions.meta": {}}}
    return MarkdownReader(settings).read(str(path))


def hostile_entries() -> list[Entry]:
    source = Source(name="Evil", url="https://evil.example/f", language="en")
    return parse_feed(
        (FIXTURES / "hostile.xml").read_bytes(),
        source=source,
        feed_key="https://evil.example/f",
        fetched_at=FETCHED,
    ).entries


def make_entry(**overrides: object) -> Entry:
    fields: dict[str, object] = {
        "identity": "guid:1",
        "feed_url": "https://a.example/feed",
        "source_name": "Alpha",
        "title": "Messaging apps become the new storefront",
        "link": "https://a.example/2026/11/messaging?utm_source=rss",
        "published": datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
        "language": "en",
        "summary_text": "Brands sell inside chat threads.",
        "tags": ("Social Media", "tech"),
        "canonical_url": "https://a.example/2026/11/messaging",
    }
    fields.update(overrides)
    return Entry(**fields)  # type: ignore[arg-type]


def test_stub_is_read_by_pelican_as_a_draft_brief(tmp_path: Path) -> None:
    entry = make_entry()
    path = tmp_path / "stub.md"
    path.write_text(render_stub(entry, "messaging-apps", [("Alpha", entry.link)]), "utf-8")
    content, meta = pelican_read(path)
    assert meta["title"] == "Messaging apps become the new storefront"
    assert meta["status"] == "draft"
    assert meta["category"].name == "brief"
    assert meta["slug"] == "messaging-apps"
    assert meta["lang"] == "en"
    assert [t.name for t in meta["tags"]] == ["social-media", "tech"]
    assert meta["date"].isoformat() == "2026-11-20T06:00:00+00:00"
    assert meta["sourceurl"] == "https://a.example/2026/11/messaging"
    assert "Brands sell inside chat threads." in content
    assert TAKE_MARKER in content


def test_hostile_feed_cannot_inject_metadata_markup_templates_or_paths(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        writer = StubWriter(store, tmp_path / "content")
        with store.transaction():
            for entry in hostile_entries():
                store.upsert_entry(entry)
                writer.plan_new(entry)
        outcomes = writer.flush()
    assert len(outcomes) == 5
    files = sorted((tmp_path / "content" / "briefs").rglob("*.md"))
    assert len(files) == 5
    assert not (Path("/tmp") / "pwn.html").exists()
    for path in files:
        assert path.resolve().is_relative_to((tmp_path / "content" / "briefs").resolve())
        text = path.read_text("utf-8")
        header, _, _body = text.partition("\n\n")
        lines = header.splitlines()
        keys = [line.split(":", 1)[0].lower() for line in lines]
        assert set(keys) <= ALLOWED_KEYS, keys
        assert len(keys) == len(set(keys))
        assert keys.count("status") == 1 and "Status: draft" in lines
        for bad in ("{{", "{%", "\u202e", "<script", "onerror", "javascript:", "data:text"):
            assert bad not in text, (bad, path.name)
        assert not text.startswith("---")
        content, meta = pelican_read(path)
        assert meta["status"] == "draft"
        assert "save_as" not in meta
        assert len(meta["title"]) <= 200 * 6  # entities may lengthen, never a new line
        assert "<script" not in content and "onerror" not in content


def test_hostile_stubs_build_with_pelican_without_script_or_template_code(
    tmp_path: Path,
) -> None:
    from sitebuild import build

    content = tmp_path / "content"
    with Store.open(tmp_path / "s.sqlite") as store:
        writer = StubWriter(store, content)
        with store.transaction():
            for entry in hostile_entries():
                store.upsert_entry(entry)
                writer.plan_new(entry)
        writer.flush()
    output = build(content, tmp_path / "output")
    pages = sorted((output / "drafts").rglob("index.html"))
    assert len(pages) == 5
    for page in pages:
        html = page.read_text("utf-8")
        assert "<script>alert" not in html and "onerror" not in html
        assert "javascript:" not in html
    templated = next(p for p in pages if "7-7" in p.parent.name).read_text("utf-8")
    assert "7*7" in templated and "and 49 with" not in templated  # never evaluated


def test_long_title_is_cut_and_slug_stays_short() -> None:
    long = next(e for e in hostile_entries() if e.title.startswith("Very long"))
    text = render_stub(long, base_slug(long), [])
    title_line = text.splitlines()[0]
    assert len(title_line) <= len("Title: ") + 200
    assert title_line.endswith("…")
    assert len(base_slug(long)) <= 60


def test_non_latin_title_gets_ascii_slug_from_url_or_hash() -> None:
    from_url = make_entry(
        title="שיווק במשפיענים", canonical_url="https://x.example/influencer-video"
    )
    assert base_slug(from_url) == "influencer-video"
    numeric = make_entry(title="שיווק במשפיענים", canonical_url="https://x.example/items/4101")
    assert base_slug(numeric).startswith("brief-")
    assert base_slug(numeric).isascii()


def test_slug_collision_gets_a_suffix() -> None:
    taken = {"messaging-apps-become-the-new-storefront"}
    slug = unique_slug(make_entry(), taken.__contains__)
    assert slug.startswith("messaging-apps-become-the-new-storefront-")
    assert slug not in taken and slug.isascii()


def test_slug_chosen_by_an_author_in_another_file_is_not_reused(tmp_path: Path) -> None:
    content = tmp_path / "content"
    mine = content / "briefs" / "my-notes.md"
    mine.parent.mkdir(parents=True)
    mine.write_text(
        "Title: Mine\nSlug: messaging-apps-become-the-new-storefront\n\nbody\n", "utf-8"
    )
    with Store.open(tmp_path / "s.sqlite") as store:
        relative = _write_one(store, content, make_entry())
    assert Path(relative).stem.startswith("messaging-apps-become-the-new-storefront-")


def test_atomic_write_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.md"
    atomic_write(target, "hello")
    atomic_write(target, "again")
    assert target.read_text() == "again"
    assert [p.name for p in target.parent.iterdir()] == ["b.md"]


def _write_one(store: Store, content: Path, entry: Entry) -> str:
    writer = StubWriter(store, content)
    with store.transaction():
        store.upsert_entry(entry)
        relative = writer.plan_new(entry)
    writer.flush()
    return relative


def test_edited_stub_is_never_rewritten(tmp_path: Path) -> None:
    content = tmp_path / "content"
    with Store.open(tmp_path / "s.sqlite") as store:
        relative = _write_one(store, content, make_entry())
        path = content / relative
        edited = path.read_text("utf-8").replace("_Your take", "My real take, keep it. _Your")
        path.write_text(edited, "utf-8")
        writer = StubWriter(store, content)
        with store.transaction():
            store.upsert_entry(
                make_entry(identity="guid:2", source_name="Beta", feed_url="https://b/feed")
            )
            writer.plan_refresh("guid:1")
        outcomes = writer.flush()
        assert [o.action for o in outcomes] == ["kept-edited"]
        assert path.read_text("utf-8") == edited


def test_unedited_stub_is_updated_to_list_the_second_source(tmp_path: Path) -> None:
    content = tmp_path / "content"
    with Store.open(tmp_path / "s.sqlite") as store:
        relative = _write_one(store, content, make_entry())
        writer = StubWriter(store, content)
        with store.transaction():
            store.upsert_entry(
                make_entry(identity="guid:2", source_name="Beta", feed_url="https://b/feed")
            )
            assert writer.plan_refresh("guid:1")
        assert [o.action for o in writer.flush()] == ["updated"]
        text = (content / relative).read_text("utf-8")
        assert "AlsoIn: Beta" in text
        record = store.stub("guid:1")
        assert record is not None and record.sha256 == sha256_text(text)


def test_deleted_stub_is_not_recreated(tmp_path: Path) -> None:
    content = tmp_path / "content"
    with Store.open(tmp_path / "s.sqlite") as store:
        relative = _write_one(store, content, make_entry())
        (content / relative).unlink()
        writer = StubWriter(store, content)
        with store.transaction():
            store.upsert_entry(
                make_entry(identity="guid:2", source_name="Beta", feed_url="https://b/feed")
            )
            writer.plan_refresh("guid:1")
        assert [o.action for o in writer.flush()] == ["kept-deleted"]
        assert not (content / relative).exists()


def test_pending_stub_left_by_a_killed_run_is_completed(tmp_path: Path) -> None:
    content = tmp_path / "content"
    with Store.open(tmp_path / "s.sqlite") as store:
        writer = StubWriter(store, content)
        entry = make_entry()
        with store.transaction():
            store.upsert_entry(entry)
            relative = writer.plan_new(entry)
        # the run dies here: planned in the store, nothing on disk, plus a stray temp file
        (content / relative).parent.mkdir(parents=True)
        (content / relative).parent.joinpath(".attention-x.tmp").write_text("half")
        outcomes = StubWriter(store, content).complete_pending()
        assert [o.action for o in outcomes] == ["written"]
        assert [p.name for p in (content / relative).parent.iterdir()] == [Path(relative).name]
        assert store.pending_stubs() == []


@pytest.mark.parametrize("lang", ["he", "en", "it"])
def test_take_placeholder_is_in_the_entry_language(lang: str) -> None:
    text = render_stub(make_entry(language=lang), "slug-one", [])
    assert f"Lang: {lang}" in text
    assert text.index(TAKE_MARKER) < len(text) - 10
