"""Trends benchmark: score N synthetic entries over 8 ISO weeks, against a word-count baseline.

Usage: python bench/trends.py [N] [--rounds R]

Generates N entries (Hebrew with prefixes, English, Italian; 60 sources; 10% syndicated copies;
watch-list topics in several scripts) spread over 8 weeks, then times, side by side and
alternating, (a) the baseline: lower-casing and counting every word of every title and summary
per week, the least any trend computation must do; (b) ``attention.trends.analyse`` for the last
week (folding, normalisation, topic matching, discovery, scoring). Best round of each, in CPU
seconds (``time.process_time``), so other work on a shared machine does not count.
Last line: ``trends N=20000: A s``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from attention.records import Entry
from attention.trends import analyse
from attention.weekly import week_of

WEEKS = 8


def _words(text: str) -> list[str]:
    return text.split()


LAST_MONDAY = datetime(2026, 11, 16, tzinfo=UTC)
HEBREW = _words(
    "השבוע פלטפורמות מפרסמים קהל תוכן יוצרים חיפוש מודעות נתונים מותג שיווק רשת "
    "ניוזלטר פודקאסט וידאו קצר משתמשים מגמה עלייה ירידה מחקר סקר תקציב אלגוריתם פיד "
    "המלצות מעורבות חשיפה קליקים המרה לקוחות חנות מסחר אפליקציה עדכון כלי ישראל עולמי "
    "שוק תחרות פרטיות"
)
ENGLISH = _words(
    "platforms advertisers audience content creators search ads data brand marketing "
    "network newsletter podcast short video users trend growth decline study survey "
    "budget algorithm feed recommendations engagement reach clicks conversion "
    "customers store commerce app tool"
)
ITALIAN = _words(
    "piattaforme inserzionisti pubblico contenuti creatori ricerca annunci dati "
    "marchio rete podcast video utenti tendenza crescita calo studio sondaggio budget "
    "algoritmo consigli coinvolgimento clic conversione clienti negozio commercio app "
    "strumento mercato"
)
BRANDS = {
    "he": ["לינקדאין", "בלינקדאין", "ללינקדאין", "פייסבוק", "בפייסבוק", "טיקטוק", "בטיקטוק"],
    "en": ["LinkedIn", "LinkedIn's", "Facebook", "Meta", "TikTok", "Threads", "YouTube"],
    "it": ["LinkedIn", "Facebook", "TikTok", "dell'AI", "l'intelligenza artificiale"],
}
WORDS = {"he": HEBREW, "en": ENGLISH, "it": ITALIAN}


@dataclass(frozen=True)
class Topic:
    name: str
    aliases: list[str]


TOPICS = [
    Topic("LinkedIn", ["לינקדאין"]),
    Topic("Facebook", ["פייסבוק", "Meta", "מטא"]),
    Topic("TikTok", ["טיקטוק"]),
    Topic("Threads", ["ת'רדס"]),
    Topic("YouTube", ["יוטיוב"]),
    Topic("AI", ["בינה מלאכותית", "intelligenza artificiale"]),
]


def synthetic_entries(count: int, seed: int = 7) -> list[Entry]:
    """``count`` entries over 8 weeks; every tenth is a syndicated copy of an earlier story."""
    rng = random.Random(seed)
    sources = [(f"source-{n}", ("he", "en", "it")[n % 3], 0.5 + (n % 4) / 2) for n in range(60)]
    entries: list[Entry] = []
    for number in range(count):
        name, language, weight = rng.choice(sources)
        published = (
            LAST_MONDAY
            - timedelta(weeks=rng.randrange(WEEKS))
            + timedelta(minutes=rng.randrange(7 * 24 * 60))
        )
        if entries and number % 10 == 9:
            original = rng.choice(entries[-50:])
            entries.append(
                Entry(
                    identity=f"{name}|{number}",
                    feed_url=f"https://{name}.example/feed",
                    source_name=name,
                    title=original.title,
                    link=original.link + "?utm_source=syndication",
                    published=original.published + timedelta(hours=2),
                    language=original.language,
                    summary_text=original.summary_text,
                    weight=weight,
                )
            )
            continue
        words = WORDS[language]
        title = [rng.choice(words) for _ in range(rng.randint(6, 11))]
        if rng.random() < 0.4:
            title.insert(rng.randrange(len(title)), rng.choice(BRANDS[language]))
        summary = " ".join(rng.choice(words) for _ in range(rng.randint(20, 40)))
        entries.append(
            Entry(
                identity=f"{name}|{number}",
                feed_url=f"https://{name}.example/feed",
                source_name=name,
                title=" ".join(title),
                link=f"https://{name}.example/story/{number}",
                published=published,
                language=language,
                summary_text=summary,
                weight=weight,
            )
        )
    return entries


def baseline(entries: list[Entry]) -> int:
    """Count every lower-cased word per week: the floor under any trend computation."""
    per_week: dict[str, Counter[str]] = {}
    for entry in entries:
        counter = per_week.setdefault(week_of(entry.published), Counter())
        counter.update(f"{entry.title} {entry.summary_text}".lower().split())
    return sum(len(c) for c in per_week.values())


def ours(entries: list[Entry]) -> int:
    report = analyse(entries, TOPICS, week_of(LAST_MONDAY), baseline_weeks=6, min_sources=2)
    return len(report.trends)


def timed(function, entries: list[Entry]) -> tuple[float, int]:
    """CPU seconds of one call (steadier than wall time on a shared machine) and its result."""
    start = time.process_time()
    result = function(entries)
    return time.process_time() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    entries = synthetic_entries(args.count)
    best_base = best_ours = float("inf")
    trends = 0
    for round_number in range(1, args.rounds + 1):
        base_time, _ = timed(baseline, entries)
        ours_time, trends = timed(ours, entries)
        best_base, best_ours = min(best_base, base_time), min(best_ours, ours_time)
        print(f"round {round_number}: baseline {base_time:.3f} s, trends {ours_time:.3f} s")
    print(f"ranked topics in the last week: {trends}")
    print(f"ratio trends/baseline: {best_ours / best_base:.1f}")
    print(f"trends N={args.count}: {best_ours:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
