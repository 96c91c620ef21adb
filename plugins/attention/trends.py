"""What is rising across sources, week by week: pure functions over entries and topics.

1. Entries are folded into *stories*: the same canonical URL is one story; within an ISO week,
   titles that are identical or near-identical (Jaccard >= 0.8 over their words) are one story.
   A story counts once, for the source that published it first (copies are listed, not counted).
2. Each story's title and summary become normalised terms (:mod:`attention.textnorm`). A term
   sequence in either matching an alias of a watch-list topic is a mention of that topic; every
   other term of three or more letters *in the title* is a discovered topic (summaries add
   too much noise, and cost, to discover from). So is every two-word *phrase* of the title: two
   adjacent words, no punctuation between them, neither a stopword, each normalised like a
   single term ("L'intelligenza artificiale" and "intelligenza artificiale" are one phrase, so
   are "המסחר החברתי" and "מסחר חברתי"); a phrase that is (part of) a watch-list alias is left
   to its topic.
3. Per topic and week, the count is the number of distinct sources with a story mentioning it.
   The score of week *w* is ``(s - b) / sqrt(b + 1)`` where *s* is the count in *w* and *b* the
   mean count over the ``baseline_weeks`` weeks before it (weeks before the corpus starts are
   not counted). A watch-list topic needs ``min_sources`` sources and a discovered term one more
   (two sources sharing an ordinary word is a coincidence, not a trend); ties go to the heavier
   sources (the sum of their feed weights), then to watch-list topics, then by name.
   Phrases need the same sources as discovered terms. A discovered word that occurs almost only
   inside a ranked phrase (the phrase is in at least ``PHRASE_SHARE`` of the word's stories that
   week: "retail" inside "retail media") is not listed on its own; otherwise both are.

Everything returned keeps its evidence: a :class:`Trend` lists its sources and stories and can
explain its score in one sentence.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

from attention.atomic import atomic_write
from attention.canonical import canonical_url
from attention.records import Entry
from attention.textnorm import Normalizer, is_hebrew, raw_tokens, token_runs
from attention.weekly import (
    SNAPSHOT_VERSION,
    week_bounds,
    week_monday,
    week_of,
    weeks_ending,
)

logger = logging.getLogger(__name__)

HISTORY_WEEKS = 12
NEAR_DUPLICATE_JACCARD = 0.8
MIN_TITLE_WORDS = 3
MIN_NEAR_DUPLICATE_WORDS = 4
_SUFFIX_MARKS = (" | ", " - ", " \u2013 ", " \u2014 ", ": ")
_SITE_SUFFIX = re.compile(r"\s+[|\-\u2013\u2014:]\s+[^|\-\u2013\u2014:]{1,40}$")
MIN_TERM_LENGTH = 3
DISCOVERED_EXTRA_SOURCES = 1
PHRASE_SHARE = 0.75
SUMMARY_CHARS = 600

WATCH = "topic"
TERM = "term"
PHRASE = "phrase"


class TopicLike(Protocol):
    """What trends needs of a watch-list topic (``attention.config.Topic`` fits)."""

    name: str
    aliases: list[str]


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Story:
    """One story: the entry that counts plus the syndicated copies and near-duplicates folded in."""

    entry: Entry
    copies: tuple[Entry, ...] = ()
    week: str = ""

    def __post_init__(self) -> None:
        if not self.week:
            object.__setattr__(self, "week", week_of(self.entry.published))

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source that carried the story, the counted one first."""
        names = [self.entry.source_name]
        names += [copy.source_name for copy in self.copies]
        names += list(self.entry.also_in)
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class Trend:
    """A topic in one week, with its score and the evidence behind it."""

    key: str
    topic: str
    kind: str
    week: str
    sources: tuple[str, ...]
    baseline: float
    score: float
    weight: float
    stories: tuple[Story, ...]
    baseline_weeks: int = 0

    @property
    def source_count(self) -> int:
        return len(self.sources)

    @property
    def change(self) -> float:
        """Sources this week minus the baseline mean."""
        return self.source_count - self.baseline

    def explain(self) -> str:
        """One sentence: the count, who, the baseline and the score."""
        return (
            f"{self.topic}: {self.source_count} sources in {self.week} "
            f"({', '.join(self.sources)}) against a baseline of {self.baseline:.1f} over "
            f"{self.baseline_weeks} weeks; score {self.score:.2f}, "
            f"{len(self.stories)} stories"
        )


@dataclass(frozen=True)
class TrendReport:
    """The ranked trends of one week, the week's stories and the weekly counts behind them."""

    week: str
    weeks: tuple[str, ...]
    trends: tuple[Trend, ...]
    stories: tuple[Story, ...]
    series: dict[str, tuple[int, ...]] = field(default_factory=dict)
    baseline_weeks: int = 6
    min_sources: int = 2

    def top(self, count: int) -> tuple[Trend, ...]:
        return self.trends[:count]

    def by_topic(self, name: str) -> Trend | None:
        """The trend whose display name is ``name`` (case-insensitive), if it ranked."""
        folded = name.casefold()
        return next((t for t in self.trends if t.topic.casefold() == folded), None)


# ---------------------------------------------------------------- folding


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _precedence(entry: Entry) -> tuple[datetime, float, str, str]:
    return (entry.published, -entry.weight, entry.source_name, entry.identity)


def fold_stories(entries: Iterable[Entry], normalizer: Normalizer | None = None) -> list[Story]:
    """Fold syndicated copies and near-duplicates; newest story first.

    Same canonical URL -> one story (across weeks). Then, within an ISO week, the same title key
    or titles whose normalised words (no stopwords, lemmas) overlap by Jaccard >= 0.8 -> one
    story. The earliest entry (then the heaviest source) is the one that counts.
    """
    normalizer = normalizer or Normalizer()
    items = sorted(entries, key=_precedence)
    union = _UnionFind(len(items))
    first_by_url: dict[str, int] = {}
    for index, entry in enumerate(items):
        url = _url_key(entry.link)
        if url:
            union.union(first_by_url.setdefault(url, index), index)

    weeks = _weeks_of(items)
    by_week: dict[str, list[int]] = defaultdict(list)
    for index, week in enumerate(weeks):
        by_week[week].append(index)
    for members in by_week.values():
        _fold_titles(items, members, union, normalizer)

    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(items)):
        groups[union.find(index)].append(index)
    stories = [
        Story(
            entry=items[group[0]],
            copies=tuple(items[i] for i in group[1:]),
            week=weeks[group[0]],
        )
        for group in groups.values()
    ]
    stories.sort(key=lambda story: _precedence(story.entry), reverse=True)
    return stories


def _url_key(link: str) -> str:
    """``canonical_url(link)``, skipping the parse for the common already-canonical link."""
    if not link:
        return ""
    if "?" not in link and "#" not in link and link.startswith(("https://", "http://")):
        slash = link.find("/", link.index("//") + 2)
        host = link[: slash if slash > 0 else len(link)]
        plain = ":" not in host[6:] and "@" not in host and not host.endswith(".")
        if slash > 0 and host.islower() and plain:
            return link
    return canonical_url(link)


def _weeks_of(entries: Sequence[Entry]) -> list[str]:
    """The ISO week of each entry (one calendar computation per distinct day)."""
    by_day: dict[date, str] = {}
    weeks = []
    for entry in entries:
        day = entry.published.astimezone(UTC).date()
        week = by_day.get(day)
        if week is None:
            week = by_day[day] = week_of(day)
        weeks.append(week)
    return weeks


def _strip_site_suffix(title: str) -> str:
    """``"Story title | Site"`` -> ``"Story title"`` when enough words remain."""
    if not any(mark in title for mark in _SUFFIX_MARKS):
        return title
    trimmed = _SITE_SUFFIX.sub("", title)
    return trimmed if len(trimmed.split()) >= MIN_NEAR_DUPLICATE_WORDS else title


def _fold_titles(
    items: Sequence[Entry], members: list[int], union: _UnionFind, normalizer: Normalizer
) -> None:
    """Union titles whose word bags are equal or differ by one word, if Jaccard >= 0.8.

    Each bag is indexed under itself and under every bag one word smaller (a deletion
    neighbourhood), so two titles that differ by one added, dropped or changed word meet under a
    shared key without comparing every pair; the Jaccard check then confirms the match.
    """
    first_by_key: dict[int, int] = {}
    bags: dict[int, frozenset[str]] = {}
    for index in members:
        entry = items[index]
        bag = frozenset(normalizer.terms(_strip_site_suffix(entry.title), entry.language))
        if len(bag) < MIN_TITLE_WORDS:
            continue  # "Weekly roundup" from two sources is not one story
        bags[index] = bag
        # A bag's key is the sum of its words' hashes; "one word fewer" keys subtract one.
        hashes = [hash(word) for word in bag]
        total = sum(hashes)
        keys = [total]
        if len(bag) >= MIN_NEAR_DUPLICATE_WORDS:
            keys += [total - h for h in hashes]
        for key in keys:
            first = first_by_key.setdefault(key, index)
            if first == index or union.find(first) == union.find(index):
                continue
            other = bags[first]
            if other == bag or len(other & bag) >= NEAR_DUPLICATE_JACCARD * len(other | bag):
                union.union(first, index)


# ---------------------------------------------------------------- topics


@dataclass(frozen=True, slots=True)
class _Alias:
    key: str
    terms: tuple[str, ...]


class TopicMatcher:
    """Finds watch-list topics (by alias, any script) and discovered terms in a story's text."""

    def __init__(self, topics: Sequence[TopicLike], normalizer: Normalizer) -> None:
        self.normalizer = normalizer
        self.names: dict[str, str] = {}
        self._single: dict[str, set[str]] = defaultdict(set)
        self._multi: dict[str, list[_Alias]] = defaultdict(list)
        self.alias_terms: set[str] = set()
        self.alias_pairs: set[tuple[str, str]] = set()
        self._term_keys: dict[str, str] = {}
        for topic in topics:
            key = f"{WATCH}:{topic.name}"
            self.names[key] = topic.name
            for alias in dict.fromkeys([topic.name, *topic.aliases]):
                language = "he" if is_hebrew(alias.strip()[:1] or "a") else "en"
                terms = tuple(normalizer.terms(alias, language))
                if not terms:
                    logger.warning("trends: alias %r of topic %r has no words", alias, topic.name)
                    continue
                self.alias_terms.update(terms)
                self.alias_pairs.update(pairwise(terms))
                if len(terms) == 1:
                    self._single[terms[0]].add(key)
                else:
                    self._multi[terms[0]].append(_Alias(key, terms))

    def match(self, terms: Sequence[str], discover: bool = True) -> set[str]:
        """Topic keys mentioned by a term sequence: ``topic:<name>`` and ``term:<term>``."""
        present = set(terms)
        found: set[str] = set()
        for term in present & self._single.keys():
            found.update(self._single[term])
        for term in present & self._multi.keys():
            for alias in self._multi[term]:
                size = len(alias.terms)
                if any(
                    tuple(terms[i : i + size]) == alias.terms
                    for i, t in enumerate(terms)
                    if t == term
                ):
                    found.add(alias.key)
        if discover:
            keys = self._term_keys
            for term in present:
                key = keys.get(term)
                if key is None:
                    key = keys[term] = self._discovered_key(term)
                if key:
                    found.add(key)
        return found

    def phrase_key(self, first: str, second: str) -> str:
        """``phrase:<first> <second>`` for two adjacent terms, "" when it is not a phrase."""
        if not first or not second or first == second or (first, second) in self.alias_pairs:
            return ""
        return f"{PHRASE}:{first} {second}"

    def _discovered_key(self, term: str) -> str:
        if len(term) < MIN_TERM_LENGTH or term in self.alias_terms or term.isdigit():
            return ""
        return f"{TERM}:{term}"


def alias_words(topics: Sequence[TopicLike]) -> set[str]:
    """Every raw word of every topic name and alias (attested for Hebrew prefix stripping)."""
    return {
        word
        for topic in topics
        for text in [topic.name, *topic.aliases]
        for word in raw_tokens(text)
    }


# ---------------------------------------------------------------- scoring


def score(count: int, baseline: float) -> float:
    """Rise of ``count`` against ``baseline``: ``(s - b) / sqrt(b + 1)``."""
    return (count - baseline) / math.sqrt(baseline + 1.0)


@dataclass
class Mentions:
    """Who mentioned what, per week, over a window of weeks (the input of every ranking)."""

    window: tuple[str, ...]
    stories: list[Story]
    texts: list[tuple[Story, list[str], list[str]]]
    normalizer: Normalizer
    names: dict[str, str]
    by_topic: dict[str, dict[str, dict[str, float]]]
    stories_of: dict[tuple[str, str], list[Story]]
    title_runs: dict[int, list[list[str]]] = field(default_factory=dict)
    pair_keys: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)
    _phrase_weeks: dict[str, dict[str, list[Story]]] = field(default_factory=dict, repr=False)

    @property
    def first_week(self) -> str | None:
        return min((story.week for story in self.stories), default=None)

    def count(self, key: str, week: str) -> int:
        return len(self.by_topic.get(key, {}).get(week, ()))

    def stories_with(self, key: str, week: str) -> list[Story]:
        """The stories of ``week`` mentioning ``key``, newest first."""
        if not key.startswith(PHRASE):
            return self.stories_of.get((key, week), [])
        return self._phrase_stories(week).get(key, [])

    def _phrase_stories(self, week: str) -> dict[str, list[Story]]:
        # Phrases are many and mostly never rank, so their stories are looked up only on demand.
        cached = self._phrase_weeks.get(week)
        if cached is not None:
            return cached
        found: dict[str, list[Story]] = defaultdict(list)
        for story, _, _ in self.texts:
            if story.week != week:
                continue
            known = self.pair_keys.get(story.entry.language, {})
            keys = {
                known.get(pair, "")
                for run in self.title_runs.get(id(story.entry), ())
                for pair in pairwise(run)
            }
            for key in keys - {""}:
                found[key].append(story)
        self._phrase_weeks[week] = found
        return found


class _TermMap(dict[str, str]):
    """raw token -> normalised term for one language; fills itself from the normalizer."""

    def __init__(self, normalizer: Normalizer, language: str) -> None:
        super().__init__()
        self.normalizer = normalizer
        self.language = language

    def __missing__(self, token: str) -> str:
        term = self[token] = self.normalizer.term(token, self.language)
        return term


def count_mentions(
    entries: Iterable[Entry],
    topics: Sequence[TopicLike],
    window: Sequence[str],
    *,
    discover: bool = True,
) -> Mentions:
    """Fold the entries of ``window`` (consecutive ISO weeks) into stories and count mentions."""
    start, _ = week_bounds(window[0])
    _, end = week_bounds(window[-1])
    in_window = [e for e in entries if start <= e.published.astimezone(UTC) < end]
    normalizer = Normalizer(alias_words(topics))
    runs_of = {id(entry): token_runs(entry.title) for entry in in_window}
    tokens_of = {
        id(entry): (_joined(runs_of[id(entry)]), raw_tokens(entry.summary_text[:SUMMARY_CHARS]))
        for entry in in_window
    }
    vocabulary: set[str] = set()
    for title_tokens, summary_tokens in tokens_of.values():
        vocabulary.update(title_tokens)
        vocabulary.update(summary_tokens)
    normalizer.attest(vocabulary)
    stories = fold_stories(in_window, normalizer)
    texts = [(story, *tokens_of[id(story.entry)]) for story in stories]
    matcher = TopicMatcher(topics, normalizer)

    by_topic: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    stories_of: dict[tuple[str, str], list[Story]] = defaultdict(list)
    term_maps: dict[str, _TermMap] = {}
    pair_keys: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
    for story, title_tokens, summary_tokens in texts:
        language = story.entry.language
        term_map = term_maps.get(language) or term_maps.setdefault(
            language, _TermMap(normalizer, language)
        )
        title_terms = [term for term in map(term_map.__getitem__, title_tokens) if term]
        summary_terms = [term for term in map(term_map.__getitem__, summary_tokens) if term]
        story_week = story.week
        source = story.entry.source_name
        weight = story.entry.weight
        keys = matcher.match(title_terms, discover=discover)
        keys |= matcher.match(summary_terms, discover=False)
        if discover:
            known = pair_keys[language]
            phrases: set[str] = set()
            for run in runs_of[id(story.entry)]:
                for pair in pairwise(run):
                    key = known.get(pair)
                    if key is None:
                        first, second = term_map[pair[0]], term_map[pair[1]]
                        key = known[pair] = matcher.phrase_key(first, second)
                    if key:
                        phrases.add(key)
            for key in phrases:
                per_source = by_topic[key][story_week]
                if per_source.get(source, -1.0) < weight:
                    per_source[source] = weight
            phrases.clear()
        for key in keys:
            per_source = by_topic[key][story_week]
            if per_source.get(source, -1.0) < weight:
                per_source[source] = weight
            stories_of[(key, story_week)].append(story)
    return Mentions(
        window=tuple(window),
        stories=stories,
        texts=texts,
        normalizer=normalizer,
        names=dict(matcher.names),
        by_topic=by_topic,
        stories_of=stories_of,
        title_runs={id(story.entry): runs_of[id(story.entry)] for story in stories},
        pair_keys=dict(pair_keys),
    )


def _joined(runs: list[list[str]]) -> list[str]:
    return runs[0] if len(runs) == 1 else [token for run in runs for token in run]


def rank_week(
    mentions: Mentions, week: str, *, baseline_weeks: int = 6, min_sources: int = 2
) -> list[Trend]:
    """The topics of ``week`` with enough sources, best first (see the module docstring)."""
    first_week = mentions.first_week or week
    earlier = weeks_ending(week, baseline_weeks + 1)[:-1]
    baseline_span = [w for w in earlier if w >= first_week]
    trends = []
    for key, weeks in mentions.by_topic.items():
        current = weeks.get(week)
        needed = min_sources if key.startswith(WATCH) else min_sources + DISCOVERED_EXTRA_SOURCES
        if not current or len(current) < needed:
            continue
        counts = [len(weeks.get(w, ())) for w in baseline_span]
        baseline = sum(counts) / len(counts) if counts else 0.0
        trends.append(
            Trend(
                key=key,
                topic=mentions.names.get(key, key.partition(":")[2]),
                kind=key.partition(":")[0],
                week=week,
                sources=tuple(sorted(current, key=lambda name: (-current[name], name))),
                baseline=baseline,
                score=score(len(current), baseline),
                weight=sum(current.values()),
                stories=tuple(mentions.stories_with(key, week)),
                baseline_weeks=len(baseline_span),
            )
        )
    trends.sort(key=lambda t: (-t.score, -t.weight, t.kind != WATCH, t.topic))
    return _with_display_names(_without_words_inside_phrases(trends), mentions)


def _without_words_inside_phrases(trends: list[Trend]) -> list[Trend]:
    """Drop a discovered word when a ranked phrase holds ``PHRASE_SHARE`` of its stories."""
    ranked = {trend.key: trend for trend in trends}
    covered: set[str] = set()
    for phrase in trends:
        if phrase.kind != PHRASE:
            continue
        for word in phrase.key.partition(":")[2].split(" "):
            lone = ranked.get(f"{TERM}:{word}")
            if lone is not None and len(phrase.stories) >= PHRASE_SHARE * len(lone.stories):
                covered.add(lone.key)
    return [trend for trend in trends if trend.key not in covered]


def analyse(
    entries: Iterable[Entry],
    topics: Sequence[TopicLike],
    week: str,
    *,
    baseline_weeks: int = 6,
    min_sources: int = 2,
    history_weeks: int = HISTORY_WEEKS,
    discover: bool = True,
) -> TrendReport:
    """Rank the topics of ``week`` from ``entries`` (any span; only the window is used).

    The window is ``max(history_weeks, baseline_weeks + 1)`` weeks ending with ``week``.
    ``series`` holds the weekly source counts over the last ``history_weeks`` weeks for every
    ranked topic and every watch-list topic.
    """
    week_monday(week)
    window = weeks_ending(week, max(history_weeks, baseline_weeks + 1))
    mentions = count_mentions(entries, topics, window, discover=discover)
    trends = rank_week(mentions, week, baseline_weeks=baseline_weeks, min_sources=min_sources)
    history = window[-history_weeks:]
    keys = [t.key for t in trends] + list(mentions.names)
    series = {key: tuple(mentions.count(key, w) for w in history) for key in dict.fromkeys(keys)}
    return TrendReport(
        week=week,
        weeks=history,
        trends=tuple(trends),
        stories=tuple(story for story in mentions.stories if story.week == week),
        series=series,
        baseline_weeks=baseline_weeks,
        min_sources=min_sources,
    )


def _with_display_names(trends: list[Trend], mentions: Mentions) -> list[Trend]:
    """Name a discovered term or phrase by its most common written form ("OpenAI", "AI Overviews").

    For a term only forms that spell the term itself qualify, so a Hebrew term keeps its
    prefix-free form. A phrase is shown as its two words were written, minus Hebrew prefixes and
    Italian elisions (:meth:`Normalizer.written`), so "L'intelligenza artificiale" counts as
    "intelligenza artificiale" and "המסחר החברתי" as "מסחר חברתי"; the commonest form wins.
    """
    wanted = {t.key for t in trends if t.kind in (TERM, PHRASE)}
    if not wanted:
        return trends
    week = trends[0].week
    normalizer = mentions.normalizer
    phrases = any(key.startswith(PHRASE) for key in wanted)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for story, title_tokens, _ in mentions.texts:
        if story.week != week:
            continue
        language = story.entry.language
        for token in title_tokens:
            term = normalizer.term(token, language)
            key = f"{TERM}:{term}"
            if key in wanted and token.lower() == term:
                forms[key][token] += 1
        if not phrases:
            continue
        known = mentions.pair_keys.get(language, {})
        for run in mentions.title_runs.get(id(story.entry), ()):
            for pair in pairwise(run):
                key = known.get(pair, "")
                if key in wanted:
                    written = [normalizer.written(word, language) for word in pair]
                    forms[key][" ".join(written)] += 1
    renamed = []
    for trend in trends:
        if forms.get(trend.key):
            trend = replace(trend, topic=forms[trend.key].most_common(1)[0][0])
        renamed.append(trend)
    return renamed


# ---------------------------------------------------------------- snapshot for the site


def snapshot(
    entries: Iterable[Entry],
    topics: Sequence[TopicLike],
    week: str,
    *,
    recent_weeks: int = 4,
    per_week: int = 10,
    baseline_weeks: int = 6,
    min_sources: int = 2,
    history_weeks: int = HISTORY_WEEKS,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """The JSON-ready weekly counts the Trends page reads (the build itself stays offline).

    ``weeks`` are the last ``history_weeks`` ISO weeks ending with ``week``; ``ranking`` maps
    each of the last ``recent_weeks`` weeks to its top ``per_week`` topics; ``series`` has the
    weekly source counts of every topic that ranked in one of them, oldest week first.
    """
    week_monday(week)
    reach = max(history_weeks, recent_weeks + baseline_weeks)
    mentions = count_mentions(entries, topics, weeks_ending(week, reach))
    history = weeks_ending(week, history_weeks)
    ranking: dict[str, list[dict[str, Any]]] = {}
    topics_out: dict[str, dict[str, Any]] = {}
    for recent in weeks_ending(week, recent_weeks):
        trends = rank_week(mentions, recent, baseline_weeks=baseline_weeks, min_sources=min_sources)
        ranking[recent] = []
        for rank, trend in enumerate(trends[:per_week], start=1):
            ranking[recent].append(
                {
                    "rank": rank,
                    "key": trend.key,
                    "topic": trend.topic,
                    "kind": trend.kind,
                    "sources": trend.source_count,
                    "baseline": round(trend.baseline, 2),
                    "score": round(trend.score, 3),
                    "source_names": list(trend.sources),
                }
            )
            topics_out.setdefault(trend.key, {"topic": trend.topic, "kind": trend.kind})
    for key, info in topics_out.items():
        info["counts"] = [mentions.count(key, w) for w in history]
    moment = generated_at or datetime.now(UTC)
    return {
        "version": SNAPSHOT_VERSION,
        "generated_at": moment.astimezone(UTC).isoformat(timespec="seconds"),
        "latest_week": week,
        "weeks": list(history),
        "ranking": ranking,
        "series": topics_out,
    }


def write_snapshot(path: Path, data: dict[str, Any]) -> Path:
    """Write the snapshot atomically (temp file + ``os.replace``); return the path."""
    path = Path(path)
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    logger.info("trends: snapshot of %d topics written to %s", len(data["series"]), path)
    return path
