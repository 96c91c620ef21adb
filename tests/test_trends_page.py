"""The Trends page: a real Pelican build reads the snapshot and draws a sparkline per topic."""

from __future__ import annotations

import functools
import http.server
import json
import logging
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pelican import signals

from attention.config import DigestSettings
from attention.digest import write_draft
from attention.site.digests import cited_link_keys
from attention.trends import analyse, snapshot, write_snapshot
from attention.trends_page import load_snapshot, page_context, sparkline
from browser import DESKTOP, PHONE, browser_fixture, new_page_fixture  # noqa: F401  (fixtures)
from sitebuild import REPO, build
from trends_corpus import load_corpus


def _content(tmp: Path, with_snapshot: bool) -> Path:
    content = tmp / "content"
    shutil.copytree(REPO / "content", content, ignore=shutil.ignore_patterns("trends.json"))
    if with_snapshot:
        entries, topics, week = load_corpus()
        write_snapshot(content / "data" / "trends.json", snapshot(entries, topics, week))
        write_draft(analyse(entries, topics, week), content / "digests", DigestSettings())
    return content


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """One build of the sample site plus the corpus snapshot; records each digest's citations."""
    tmp = tmp_path_factory.mktemp("trends-site")
    cited: dict[str, list[str]] = {}

    def record(_generator: Any, content: Any) -> None:
        if hasattr(content, "cited_briefs"):
            cited[content.slug] = [brief.slug for brief in content.cited_briefs]

    signals.article_generator_write_article.connect(record)
    try:
        output = build(_content(tmp, True), tmp / "output")
    finally:
        signals.article_generator_write_article.disconnect(record)
    return output, cited


def test_trends_page_renders_top_topics_with_an_accessible_sparkline_each(
    built: tuple[Path, dict[str, list[str]]],
) -> None:
    html = (built[0] / "trends" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="he" dir="rtl">' in html
    assert "<h1>מגמות</h1>" in html
    latest = html.split('id="week-2026-w47"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<li class="trend">(.*?)</li>', latest, re.S)
    assert "<bdi>LinkedIn</bdi>" in rows[0] and "6 מקורות" in rows[0]
    charts = re.findall(r'<svg class="sparkline" role="img" aria-labelledby="([^"]+)"', latest)
    assert len(charts) == len(rows) > 3
    title = re.search(rf'<title id="{charts[0]}">([^<]*)</title>', latest)
    assert title and title[1].endswith("0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 6")
    points = re.search(r'<polyline points="([^"]+)"', latest)
    assert points and len(points[1].split()) == 12
    assert html.count('class="trends-week"') == 4  # the four most recent weeks


def test_digest_draft_builds_as_a_draft_page_with_its_trends_table(
    built: tuple[Path, dict[str, list[str]]],
) -> None:
    drafts = list((built[0] / "drafts").rglob("*2026-w47*/index.html"))
    assert len(drafts) == 1
    html = drafts[0].read_text(encoding="utf-8")
    assert '<h2 id="trends">' in html and "<table>" in html
    assert '<a href="#topic-linkedin">LinkedIn</a>' in html
    assert not list((built[0] / "digests").glob("*2026-w47*"))  # drafts stay out of the archive


def test_trends_page_without_a_snapshot_says_there_is_no_data_yet(tmp_path: Path) -> None:
    output = build(_content(tmp_path, False), tmp_path / "output")
    html = (output / "trends" / "index.html").read_text(encoding="utf-8")
    assert "אין עדיין נתוני מגמות" in html and "<svg" not in html


def test_broken_snapshot_is_named_once_and_the_build_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = _content(tmp_path, False)
    (content / "data").mkdir(exist_ok=True)
    (content / "data" / "trends.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="attention.trends_page"):
        output = build(content, tmp_path / "output")
    assert "אין עדיין נתוני מגמות" in (output / "trends" / "index.html").read_text("utf-8")
    warnings = [r.getMessage() for r in caplog.records if r.name == "attention.trends_page"]
    assert len(warnings) == 1 and "trends.json" in warnings[0]


def test_english_site_gets_an_ltr_trends_page(tmp_path: Path) -> None:
    content = _content(tmp_path, True)
    output = build(content, tmp_path / "output", DEFAULT_LANG="en")
    html = (output / "trends" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in html and "<h1>Trends</h1>" in html
    assert "LinkedIn: sources per week, oldest (2026-W36) to newest (2026-W47)" in html


def test_published_digest_exposes_the_briefs_it_cites(
    built: tuple[Path, dict[str, list[str]]],
) -> None:
    cited = built[1]
    assert cited["zero-click-search-threads-business-linkedin-creators"] == [
        "zero-click-study",
        "threads-business-tools",
    ]
    assert all(not slugs or isinstance(slugs, list) for slugs in cited.values())


def test_cited_links_match_relative_filename_links_and_source_urls() -> None:
    html = (
        '<a href="{filename}../briefs/2026/11/a.md#x">a</a>'
        "<a href='https://example.com/story?utm_source=x'>b</a>"
        '<a href="https://site.example/briefs/b/">c</a>'
    )
    keys = cited_link_keys(html, "digests", "https://site.example")
    assert "source:briefs/2026/11/a.md" in keys
    assert "https://example.com/story" in keys
    assert "url:briefs/b" in keys


def test_sparkline_puts_zero_at_the_bottom_and_the_peak_at_the_top() -> None:
    line = sparkline([0, 2, 4], width=100, height=20)
    coords = [tuple(map(float, p.split(","))) for p in line.points.split()]
    assert coords[0][1] == 17 and coords[-1][1] == 3  # 3 px padding
    assert coords[0][0] < coords[1][0] < coords[2][0]
    assert (line.last_x, line.last_y) == coords[-1]
    assert sparkline([0, 0]).points  # an all-zero series still draws a flat line


def test_page_context_orders_weeks_newest_first(tmp_path: Path) -> None:
    entries, topics, week = load_corpus()
    path = write_snapshot(tmp_path / "t.json", snapshot(entries, topics, week))
    data = load_snapshot(path)
    assert data is not None and json.loads(path.read_text("utf-8"))["latest_week"] == week
    context = page_context(data, "it")
    assert context["trend_weeks"][0]["week"] == "2026-W47"
    assert context["trend_weeks"][0]["heading"].startswith("Settimana \u20662026-W47\u2069")
    assert load_snapshot(tmp_path / "missing.json") is None


@pytest.fixture(scope="module")
def served(built: tuple[Path, dict[str, list[str]]]) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built[0]))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_trends_page_is_readable_in_a_real_browser(
    served: str,
    new_page: Any,
    viewport: dict[str, int],
) -> None:
    page = new_page(viewport=viewport)
    page.goto(served + "trends/")
    chart = page.get_by_role("img", name=re.compile(r"^LinkedIn: .*, 6$")).first
    box = chart.bounding_box()
    assert box and box["width"] >= 100 and box["height"] >= 20
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"


def test_trends_page_and_digest_draft_are_valid_html(
    built: tuple[Path, dict[str, list[str]]],
) -> None:
    from test_html_validity import validate

    pages = [built[0] / "trends" / "index.html", *(built[0] / "drafts" / "digests").rglob("*.html")]
    assert len(pages) == 2
    result = validate(*map(str, pages))
    assert result.returncode == 0, result.stdout + result.stderr
