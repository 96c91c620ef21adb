"""The weekly digest draft: numbering, layout, never-clobber, bad input, the command."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import markdown
import pytest

from attention import cli
from attention.config import DigestSettings
from attention.digest import (
    find_week_draft,
    is_untouched,
    next_issue_number,
    read_metadata,
    render_draft,
    write_draft,
)
from attention.records import Entry
from attention.store import Store
from attention.trends import TrendReport, analyse, week_of
from trends_corpus import CORPUS, load_corpus

WEEK = "2026-W47"


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Entry], list, str]:
    return load_corpus()


@pytest.fixture(scope="module")
def report(corpus: tuple[list[Entry], list, str]) -> TrendReport:
    entries, topics, week = corpus
    return analyse(entries, topics, week)


def _digest(directory: Path, name: str, issue: int, status: str = "") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = f"Status: {status}\n" if status else ""
    path.write_text(
        f"Title: Issue {issue}\nDate: 2026-11-01T08:00:00+00:00\nLang: he\nSlug: s{issue}\n"
        f"Issue: {issue}\nCategory: digest\n{extra}\nBody.\n",
        encoding="utf-8",
    )
    return path


def test_next_issue_number_continues_from_published_digests_and_drafts(tmp_path: Path) -> None:
    _digest(tmp_path, "3-three.md", 3)
    _digest(tmp_path, "2-two.en.md", 2)
    _digest(tmp_path, "7-seven.md", 7, status="draft")
    (tmp_path / "notes.md").write_text("no metadata here\n", encoding="utf-8")
    assert next_issue_number(tmp_path) == 8
    assert next_issue_number(tmp_path / "missing") == 1


def test_draft_has_metadata_then_trends_table_first_then_topic_sections(
    report: TrendReport,
) -> None:
    text = render_draft(report, 12, DigestSettings())
    meta = {
        k.lower(): v for k, v in re.findall(r"^([A-Za-z-]+): (.*)$", text.split("\n\n")[0], re.M)
    }
    assert meta["status"] == "draft" and meta["issue"] == "12" and meta["lang"] == "he"
    assert meta["slug"] == "2026-w47" and meta["category"] == "digest"
    assert meta["title"].startswith("קשב #12: LinkedIn")
    assert datetime.fromisoformat(meta["date"]).isoformat() == meta["date"]
    table_lines = [line for line in text.splitlines() if line.startswith("|")]
    assert table_lines[0] == "| # | נושא | מקורות | שינוי מול הבסיס |"
    assert table_lines[2].startswith("| 1 | [LinkedIn](#topic-linkedin) | 6 | \u2066+5.8 (0.2")
    headings = re.findall(r"^## (.*) \{#([a-z0-9-]+)\}$", text, re.M)
    assert headings[0] == ("מגמות השבוע", "trends")
    assert headings[1] == ("LinkedIn", "topic-linkedin")
    assert len(headings) == 1 + 4 + 1  # trends, the four ranked topics, other items
    assert text.index("| 1 |") < text.index("## LinkedIn")
    linkedin = text.split("## LinkedIn", 1)[1].split("\n## ", 1)[0]
    assert "[עדכון בלינקדאין: פיד וידאו נפרד למשתמשים בישראל](https://shivuk.example/" in linkedin
    assert "— Bottega Digitale · it" in linkedin
    other = text.split("{#other}", 1)[1]
    assert "רשת המלונות השיקה מועדון לקוחות דיגיטלי" in other
    pinterest = [line for line in text.splitlines() if "Pinterest tests shoppable" in line]
    assert pinterest and all("Wire Five" in line for line in pinterest)


def test_draft_in_english_and_italian_uses_the_configured_language(report: TrendReport) -> None:
    english = render_draft(report, 3, DigestSettings(language="en"))
    assert "## Trends this week {#trends}" in english and "Title: Attention #3:" in english
    italian = render_draft(report, 3, DigestSettings(language="it"))
    assert "Title: Attenzione #3:" in italian and "## Altre notizie {#other}" in italian


def test_week_without_entries_gives_a_draft_that_says_so(tmp_path: Path) -> None:
    empty = analyse([], [], WEEK)
    result = write_draft(empty, tmp_path, DigestSettings(language="en"))
    text = result.path.read_text(encoding="utf-8")
    assert result.action == "created" and "Status: draft" in text
    assert "No entries were fetched for 2026-W47" in text
    assert "|" not in text.split("\n\n", 1)[1]


def test_digest_never_overwrites_an_edited_draft(tmp_path: Path, report: TrendReport) -> None:
    first = write_draft(report, tmp_path, DigestSettings())
    edited = first.path.read_text(encoding="utf-8").replace(
        "_(פתיחה: שניים־שלושה משפטים על השבוע.)_", "השבוע כולם דיברו על לינקדאין."
    )
    first.path.write_text(edited, encoding="utf-8")
    again = write_draft(analyse([], [], WEEK), tmp_path, DigestSettings())
    assert again.action == "kept-edited" and again.path == first.path
    assert first.path.read_text(encoding="utf-8") == edited


def test_running_twice_in_a_week_refreshes_only_the_untouched_draft(
    tmp_path: Path, corpus: tuple[list[Entry], list, str]
) -> None:
    entries, topics, week = corpus
    _digest(tmp_path, "4-four.md", 4)
    early = analyse(entries[:20], topics, week)
    first = write_draft(early, tmp_path, DigestSettings())
    assert first.number == 5 and first.path.name == "5-2026-w47.md"
    second = write_draft(analyse(entries, topics, week), tmp_path, DigestSettings())
    assert (second.action, second.number, second.path) == ("refreshed", 5, first.path)
    text = first.path.read_text(encoding="utf-8")
    assert "## LinkedIn {#topic-linkedin}" in text and is_untouched(text)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["4-four.md", "5-2026-w47.md"]


def test_published_digest_of_the_week_is_left_alone(tmp_path: Path, report: TrendReport) -> None:
    first = write_draft(report, tmp_path, DigestSettings())
    published = "\n".join(
        line
        for line in first.path.read_text(encoding="utf-8").splitlines()
        if not line.startswith("Status:")
    )
    first.path.write_text(published, encoding="utf-8")
    assert write_draft(report, tmp_path, DigestSettings()).action == "kept-published"
    assert first.path.read_text(encoding="utf-8") == published
    assert find_week_draft(tmp_path, WEEK) == first.path


def test_feed_text_cannot_inject_metadata_markup_or_links(tmp_path: Path) -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    hostile = [
        Entry(
            identity=f"x{n}",
            feed_url=f"https://evil{n}.example/feed",
            source_name=f"Evil {n}\nStatus: published",
            title=[
                "Threads news\nStatus: published\n<script>alert(1)</script> {: onclick=x} "
                "[click](javascript:alert(1)) | pipe ## heading",
                "Bravo closes its office",
                "Charlie merges with Delta",
            ][n],
            link="javascript:alert(1)" if n == 0 else f"https://evil{n}.example/a b)(",
            published=monday,
            language="en",
        )
        for n in range(3)
    ]
    report = analyse(hostile, [], WEEK)
    text = write_draft(report, tmp_path, DigestSettings(language="en")).path.read_text("utf-8")
    assert read_metadata(tmp_path / "1-2026-w47.md")["status"] == "draft"
    assert len(re.findall(r"^Status:", text, re.M)) == 1
    assert all(
        not line.startswith(("<", "#", "{")) or line.startswith("## ") for line in text.splitlines()
    )
    html = markdown.markdown(text.split("\n\n", 1)[1], extensions=["extra", "attr_list"])
    assert "<script" not in html and not re.search(r"<[^>]*onclick", html)
    assert 'href="javascript' not in html and "<h2>heading" not in html
    assert "(https://evil1.example/a%20b%29%28)" in text


def test_digest_command_writes_the_draft_and_the_snapshot(
    tmp_path: Path, corpus: tuple[list[Entry], list, str], capsys: pytest.CaptureFixture[str]
) -> None:
    entries, _, week = corpus
    state = tmp_path / "state.sqlite"
    with Store.open(state) as store:
        for entry in entries:
            store.upsert_entry(entry)
    config = tmp_path / "feeds.yml"
    topics = CORPUS.read_text(encoding="utf-8").split("topics:\n", 1)[1].split("entries:", 1)[0]
    config.write_text("sources: []\ntopics:\n" + topics, encoding="utf-8")
    content = tmp_path / "content"
    argv = ["digest", "--week", week, "--config", str(config), "--content", str(content)]
    assert cli.main([*argv, "--state", str(state)]) == 0
    out = capsys.readouterr().out
    assert "opened issue #1" in out and "LinkedIn: 6 sources" in out
    draft = content / "digests" / "1-2026-w47.md"
    assert "| 1 | [LinkedIn](#topic-linkedin) | 6 |" in draft.read_text(encoding="utf-8")
    assert (content / "data" / "trends.json").is_file()
    assert cli.main([*argv, "--state", str(state)]) == 0
    assert "refreshed the untouched draft of issue #1" in capsys.readouterr().out


@pytest.mark.parametrize("week", ["2026-W60", "last week", "2026-47"])
def test_unknown_week_is_one_clear_error(
    tmp_path: Path, week: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["digest", "--week", week, "--content", str(tmp_path), "--state", str(tmp_path / "s")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"unknown week {week!r}" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "digests").exists()


def test_corpus_fixture_declares_its_expectations() -> None:
    header = textwrap.dedent(CORPUS.read_text(encoding="utf-8").split("target:", 1)[0])
    assert "LinkedIn jumps" in header


def test_fetch_refreshes_the_trends_snapshot_for_the_current_week(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    stamp = now.strftime("%a, %d %b %Y %H:%M:%S +0000")
    items = "".join(
        f"<item><title>LinkedIn story number {word}</title>"
        f"<link>https://feed.example/{word}</link><pubDate>{stamp}</pubDate></item>"
        for word in ("alpha", "bravo")
    )
    feed = tmp_path / "feed.xml"
    feed.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>',
        encoding="utf-8",
    )
    config = tmp_path / "feeds.yml"
    config.write_text(
        f"sources:\n  - {{name: Local, url: {feed}, language: en}}\n"
        "topics:\n  - {name: LinkedIn, aliases: [לינקדאין]}\n",
        encoding="utf-8",
    )
    content = tmp_path / "content"
    argv = ["fetch", "--config", str(config), "--content", str(content)]
    assert cli.main([*argv, "--state", str(tmp_path / "state.sqlite")]) == 0
    data = json.loads((content / "data" / "trends.json").read_text(encoding="utf-8"))
    assert data["latest_week"] == week_of(now)
    assert len(data["weeks"]) == 12


def test_draft_whose_slug_the_writer_changed_is_still_this_weeks_draft(
    tmp_path: Path, report: TrendReport
) -> None:
    first = write_draft(report, tmp_path, DigestSettings())
    renamed = tmp_path / "5-linkedin-video.md"
    text = first.path.read_text(encoding="utf-8").replace("Slug: 2026-w47", "Slug: linkedin-video")
    renamed.write_text(text, encoding="utf-8")
    first.path.unlink()
    again = write_draft(report, tmp_path, DigestSettings())
    assert (again.action, again.path) == ("kept-edited", renamed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["5-linkedin-video.md"]


def test_unwritable_content_directory_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "content"
    blocker.write_text("a file where the content directory should be", encoding="utf-8")
    config = tmp_path / "feeds.yml"
    config.write_text("sources: []\n", encoding="utf-8")
    argv = ["digest", "--week", WEEK, "--content", str(blocker), "--config", str(config)]
    assert cli.main([*argv, "--state", str(tmp_path / "state.sqlite")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "content" in err and len(err.splitlines()) == 1


def test_draft_links_stories_without_the_feeds_tracking_parameters(tmp_path: Path) -> None:
    link = "https://news.example/story?id=7&utm_source=rss&fbclid=abc#comments"
    entry = Entry(
        identity="t1",
        feed_url="https://news.example/feed",
        source_name="News",
        title="A story with tracking in its link",
        link=link,
        published=datetime(2026, 11, 17, 9, tzinfo=UTC),
        language="en",
        canonical_url="https://news.example/story?id=7",
    )
    text = render_draft(analyse([entry], [], WEEK), 1, DigestSettings(language="en"))
    assert "](https://news.example/story?id=7)" in text
    assert "utm_source" not in text and "fbclid" not in text


def test_build_warns_about_a_published_digest_still_holding_draft_placeholders(
    tmp_path: Path, report: TrendReport, caplog: pytest.LogCaptureFixture
) -> None:
    from sitebuild import build

    content = tmp_path / "content"
    draft = write_draft(report, content / "digests", DigestSettings()).path
    text = draft.read_text(encoding="utf-8").replace("Status: draft\n", "")
    draft.write_text(text.replace("_(פתיחה: שניים־שלושה משפטים על השבוע.)_", "פתיחה."), "utf-8")
    with caplog.at_level("WARNING", logger="attention.site.digests"):
        build(content, tmp_path / "output")
    [warning] = [r.getMessage() for r in caplog.records if r.name == "attention.site.digests"]
    assert "digests/1-2026-w47.md is published with the draft's placeholder" in warning
    assert "_(פרשנות: מה זה אומר לקוראים?)_" in warning and "טיוטה: סיכום" in warning
    assert "פתיחה: שניים" not in warning
