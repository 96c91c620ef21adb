"""Load tests/fixtures/trends/corpus.yml into Entry records (shared by the trends tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from attention.records import Entry
from attention.weekly import week_monday

CORPUS = Path(__file__).parent / "fixtures" / "trends" / "corpus.yml"


@dataclass(frozen=True)
class Topic:
    name: str
    aliases: list[str]


def load_corpus(path: Path = CORPUS) -> tuple[list[Entry], list[Topic], str]:
    """(entries, topics, target week) of the fixture corpus."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = data["sources"]
    entries = []
    for item in data["entries"]:
        source = sources[item["source"]]
        for week in item["weeks"]:
            monday = week_monday(week)
            published = datetime(monday.year, monday.month, monday.day, 9, tzinfo=UTC)
            published += timedelta(days=item.get("day", 0))
            link = item["link"].replace("{week}", week.lower())
            entries.append(
                Entry(
                    identity=f"{item['source']}|{link}",
                    feed_url=f"https://{item['source'].replace(' ', '').lower()}.example/feed",
                    source_name=item["source"],
                    title=item["title"],
                    link=link,
                    published=published,
                    language=source["language"],
                    summary_text=item.get("summary", ""),
                    weight=source["weight"],
                )
            )
    topics = [Topic(t["name"], list(t.get("aliases", []))) for t in data["topics"]]
    return entries, topics, data["target"]
