"""The weekly digest draft: ``content/digests/<number>-<yyyy>-w<ww>.md`` from a trend report.

The draft is Markdown the writer edits: metadata (``Status: draft``), an intro placeholder, the
"trends this week" table (the first table in the file), one ``##`` section per top topic with its
candidate entries, then other items. Feed text is escaped so it can never add metadata, Markdown
structure, HTML or attribute lists.

Never clobber: the draft carries ``Draft-Hash:``, the SHA-256 of everything else in the file as it
was written. A later run rewrites the file only while that still matches (nobody touched it) and
the file is still a draft; otherwise the writer's version stays as it is.
"""

from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from attention.atomic import atomic_write
from attention.draft_text import LABELS
from attention.records import Entry
from attention.trends import (
    HISTORY_WEEKS,
    Story,
    Trend,
    TrendReport,
    analyse,
    snapshot,
    write_snapshot,
)
from attention.weekly import shift_week, week_bounds, week_monday, week_of

logger = logging.getLogger(__name__)

HASH_FIELD = "Draft-Hash"
DIGEST_CATEGORY = "digest"
OTHER_ITEMS_LIMIT = 40
ENTRIES_PER_TOPIC = 12
_META_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):\s?(.*)$")
_HASH_LINE = re.compile(rf"^{HASH_FIELD}:.*\n", re.MULTILINE)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


@dataclass(frozen=True, slots=True)
class DigestResult:
    """What :func:`write_draft` did.

    ``action`` is ``created``, ``refreshed``, ``kept-edited`` or ``kept-published``.
    """

    path: Path
    number: int
    action: str

    @property
    def wrote(self) -> bool:
        return self.action in ("created", "refreshed")


# ---------------------------------------------------------------- reading existing digests


def read_metadata(path: Path) -> dict[str, str]:
    """The ``Key: value`` header of a Markdown source (keys lower-cased), up to the first blank."""
    metadata: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            match = _META_LINE.match(line.rstrip("\n"))
            if not match:
                break
            metadata[match[1].lower()] = match[2].strip()
    return metadata


def _issue_of(path: Path) -> int | None:
    try:
        raw = read_metadata(path).get("issue", "")
    except (OSError, UnicodeDecodeError) as exc:
        logger.warning("digest: cannot read %s: %s", path, exc)
        return None
    try:
        return int(raw.lstrip("#"))
    except ValueError:
        if raw:
            logger.warning("digest: %s: Issue: %r is not a number; ignored", path, raw)
        return None


def next_issue_number(digests_dir: Path) -> int:
    """One more than the highest ``Issue:`` among the digests (published and drafts)."""
    numbers = [n for p in sorted(digests_dir.glob("*.md")) if (n := _issue_of(p)) is not None]
    return max(numbers, default=0) + 1


def week_slug(week: str) -> str:
    """The ASCII slug of a week's draft: ``2026-W47`` -> ``2026-w47``."""
    week_monday(week)
    return week.lower()


def find_week_draft(digests_dir: Path, week: str) -> Path | None:
    """The digest already opened for ``week``: its ``Week:`` (kept when the writer renames the
    slug) or its ``Slug:`` names the week. Translations (``*.en.md``) are not candidates."""
    slug = week_slug(week)
    for path in sorted(digests_dir.glob("*.md")):
        if path.name.count(".") > 1:
            continue
        try:
            metadata = read_metadata(path)
        except (OSError, UnicodeDecodeError):
            continue
        if metadata.get("week", "").upper() == week.upper() or metadata.get("slug") == slug:
            return path
    return None


# ---------------------------------------------------------------- Markdown rendering


def one_line(text: str) -> str:
    """Collapse control characters and line breaks into single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def md_text(text: str) -> str:
    """Feed text as inert Markdown: one line, HTML and Markdown syntax escaped."""
    text = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_url(url: str) -> str | None:
    """An http(s) URL safe inside ``(...)``, or None for anything else (javascript:, data:...)."""
    url = one_line(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def anchor_id(trend: Trend, used: set[str]) -> str:
    """An ASCII ``{#id}`` for a topic section: ``topic-linkedin``, else ``topic-<hash>``."""
    base = re.sub(r"[^a-z0-9]+", "-", trend.topic.lower()).strip("-")
    if not base:
        base = hashlib.sha1(trend.topic.encode("utf-8")).hexdigest()[:8]
    candidate = f"topic-{base}"
    while candidate in used:
        candidate = f"{candidate}-{len(used) + 1}"
    used.add(candidate)
    return candidate


def _entry_line(story: Story, labels: Mapping[str, str]) -> str:
    entry = story.entry
    title = md_text(entry.title) or md_text(entry.link)
    url = md_url(entry.canonical_url or entry.link)  # no utm_*/fbclid in the issue
    head = f"[{title}]({url})" if url else title
    line = f"- {head} — {md_text(entry.source_name)} · {md_text(entry.language)}"
    others = [name for name in story.sources if name != entry.source_name]
    if others:
        line += f" ({labels['also']}{md_text(', '.join(others))})"
    return line


def _why(trend: Trend, labels: Mapping[str, str]) -> str:
    """The evidence line under a topic heading: which sources, against which baseline."""
    text = labels["why"].format(
        n=trend.source_count,
        names=", ".join(trend.sources),
        weeks=trend.baseline_weeks,
        baseline=f"{trend.baseline:.1f}",
    )
    return f"*{md_text(text)}*"


def _change(trend: Trend) -> str:
    """``+5.8 (0.2 → 6)`` inside a left-to-right isolate, so it reads the same in RTL pages."""
    return f"\u2066{trend.change:+.1f} ({trend.baseline:.1f} → {trend.source_count})\u2069"


def _story_order(story: Story) -> tuple[float, float]:
    return (-story.entry.weight, -story.entry.published.timestamp())


def render_body(report: TrendReport, top: Sequence[Trend], labels: Mapping[str, str]) -> str:
    """The Markdown after the metadata: intro, trends table, topic sections, other items."""
    lines = [labels["intro"], ""]
    if not report.stories:
        lines += [
            f"## {labels['trends']} {{#trends}}",
            "",
            labels["empty"].format(week=report.week),
        ]
        return "\n".join(lines) + "\n"
    used: set[str] = {"trends", "other"}
    anchors = [anchor_id(trend, used) for trend in top]
    lines += [f"## {labels['trends']} {{#trends}}", ""]
    if top:
        lines += [
            f"| {labels['rank']} | {labels['topic']} | {labels['sources']} | {labels['change']} |",
            "|---:|---|---:|---|",
        ]
        for rank, (trend, anchor) in enumerate(zip(top, anchors, strict=True), start=1):
            topic = f"[{md_text(trend.topic)}](#{anchor})"
            lines.append(f"| {rank} | {topic} | {trend.source_count} | {_change(trend)} |")
    else:
        lines.append(labels["no_trends"].format(min=report.min_sources))
    shown: set[int] = set()
    for trend, anchor in zip(top, anchors, strict=True):
        lines += ["", f"## {md_text(trend.topic)} {{#{anchor}}}", "", labels["commentary"], ""]
        lines += [_why(trend, labels), ""]
        for story in sorted(trend.stories, key=_story_order)[:ENTRIES_PER_TOPIC]:
            lines.append(_entry_line(story, labels))
            shown.add(id(story))
    others = [story for story in report.stories if id(story) not in shown]
    if others:
        lines += ["", f"## {labels['other']} {{#other}}", ""]
        for story in sorted(others, key=_story_order)[:OTHER_ITEMS_LIMIT]:
            lines.append(_entry_line(story, labels))
    return "\n".join(lines) + "\n"


def draft_date(week: str) -> datetime:
    """The draft's ``Date:``: Friday 08:00 UTC of its week (the usual sending day)."""
    monday = week_monday(week)
    return datetime(monday.year, monday.month, monday.day, 8, tzinfo=UTC) + timedelta(days=4)


def render_draft(report: TrendReport, number: int, settings: Any) -> str:
    """The whole draft file, ``Draft-Hash:`` included. ``settings`` is ``DigestSettings``."""
    language = settings.language if settings.language in LABELS else "en"
    labels = LABELS[language]
    top = report.top(settings.top_topics)
    name = settings.name.get(language) or next(iter(settings.name.values()), "Digest")
    topic_names = ", ".join(trend.topic for trend in top[:3]) or report.week
    title = one_line(
        settings.title_template.format_map({"name": name, "number": number, "topics": topic_names})
    )
    slug = week_slug(report.week)
    header = [
        f"Title: {title}",
        f"Date: {draft_date(report.week).isoformat()}",
        f"Lang: {language}",
        f"Slug: {slug}",
        f"Week: {report.week}",
        f"Issue: {number}",
        "Category: digest",
        "Tags: digest, trends",
        f"Summary: {labels['summary']}",
        "Status: draft",
    ]
    text = "\n".join(header) + "\n\n" + render_body(report, top, labels)
    return _with_hash(text)


def content_hash(text: str) -> str:
    """SHA-256 of a draft without its ``Draft-Hash:`` line."""
    return hashlib.sha256(_HASH_LINE.sub("", text, count=1).encode("utf-8")).hexdigest()


def _with_hash(text: str) -> str:
    head, _, body = text.partition("\n\n")
    return f"{head}\n{HASH_FIELD}: {content_hash(text)}\n\n{body}"


def is_untouched(text: str) -> bool:
    """True when the file is exactly what :func:`render_draft` wrote (hash still matches)."""
    match = re.search(rf"^{HASH_FIELD}:\s*([0-9a-f]{{64}})\s*$", text, re.MULTILINE)
    return bool(match) and match[1] == content_hash(text)


# ---------------------------------------------------------------- writing


def write_draft(report: TrendReport, digests_dir: Path, settings: Any) -> DigestResult:
    """Create or refresh the week's draft; never overwrite an edited or published digest."""
    digests_dir = Path(digests_dir)
    existing = find_week_draft(digests_dir, report.week) if digests_dir.is_dir() else None
    if existing is None:
        number = next_issue_number(digests_dir) if digests_dir.is_dir() else 1
        path = digests_dir / f"{number}-{week_slug(report.week)}.md"
        atomic_write(path, render_draft(report, number, settings))
        logger.info("digest: opened issue #%d for %s at %s", number, report.week, path)
        return DigestResult(path, number, "created")

    current = existing.read_text(encoding="utf-8")
    metadata = read_metadata(existing)
    number = _issue_of(existing) or next_issue_number(digests_dir)
    if metadata.get("status", "").lower() != "draft":
        logger.info("digest: %s is published; left as it is", existing)
        return DigestResult(existing, number, "kept-published")
    if not is_untouched(current):
        logger.info("digest: %s was edited; left as it is", existing)
        return DigestResult(existing, number, "kept-edited")
    fresh = render_draft(report, number, settings)
    if fresh != current:
        atomic_write(existing, fresh)
    logger.info("digest: refreshed untouched draft %s", existing)
    return DigestResult(existing, number, "refreshed")


# ---------------------------------------------------------------- the weekly run

SNAPSHOT_PATH = Path("data") / "trends.json"


def open_weekly_digest(
    config: Any, entries: Sequence[Entry], week: str, content_dir: Path
) -> tuple[DigestResult, TrendReport]:
    """Rank ``week`` from ``entries`` and create or refresh its draft under ``content/digests``."""
    settings = config.digest
    report = analyse(
        entries,
        config.topics,
        week,
        baseline_weeks=settings.baseline_weeks,
        min_sources=settings.min_sources,
    )
    return write_draft(report, Path(content_dir) / "digests", settings), report


def refresh_snapshot(config: Any, entries: Sequence[Entry], week: str, content_dir: Path) -> Path:
    """Write ``content/data/trends.json`` (weekly counts for the Trends page) for ``week``."""
    settings = config.digest
    data = snapshot(
        entries,
        config.topics,
        week,
        baseline_weeks=settings.baseline_weeks,
        min_sources=settings.min_sources,
    )
    return write_snapshot(Path(content_dir) / SNAPSHOT_PATH, data)


def entries_for_window(store: Any, week: str, weeks: int = HISTORY_WEEKS + 8) -> list[Entry]:
    """The store's entries (duplicates folded) from ``weeks`` weeks up to the end of ``week``."""
    start, _ = week_bounds(shift_week(week, 1 - weeks))
    _, end = week_bounds(week)
    return store.entries_between(start, end)


def refresh_trends_from_store(
    config: Any, store: Any, content_dir: Path, now: datetime | None = None
) -> Path | None:
    """After a fetch: rewrite the Trends snapshot for the current week; never fails the fetch."""
    week = week_of(now or datetime.now(UTC))
    try:
        return refresh_snapshot(config, entries_for_window(store, week), week, content_dir)
    except (OSError, sqlite3.Error) as exc:
        logger.warning("trends: snapshot not written under %s: %s", content_dir, exc)
        return None
