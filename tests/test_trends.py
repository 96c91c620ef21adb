"""Trends over the trilingual fixture corpus (tests/fixtures/trends/corpus.yml) and small cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from attention.records import Entry
from attention.trends import (
    TrendReport,
    analyse,
    fold_stories,
    score,
)
from attention.weekly import WeekError, week_bounds, week_monday, week_of, weeks_ending
from trends_corpus import CORPUS, Topic, load_corpus


@pytest.fixture(scope="module")
def report() -> TrendReport:
    entries, topics, week = load_corpus()
    return analyse(entries, topics, week, baseline_weeks=6, min_sources=2)


def _entry(source: str, title: str, when: datetime, link: str = "", **extra: object) -> Entry:
    return Entry(
        identity=f"{source}|{title}|{link}",
        feed_url=f"https://{source}.example/feed",
        source_name=source,
        title=title,
        link=link or f"https://{source}.example/{abs(hash(title))}",
        published=when,
        language=str(extra.pop("language", "en")),
        **extra,  # type: ignore[arg-type]
    )


def test_topic_written_with_hebrew_prefixes_and_in_latin_script_is_one_topic(
    report: TrendReport,
) -> None:
    linkedin = report.by_topic("LinkedIn")
    assert linkedin is not None
    assert set(linkedin.sources) == {
        "Shivuk Yomi",  # בלינקדאין
        "Rosh Gadol",  # ללינקדאין
        "Kesher Digital",  # ללינקדאין
        "Pixel Post",  # LinkedIn's
        "Bottega Digitale",  # L'algoritmo di LinkedIn
        "Signal and Noise",
    }
    assert not any("לינקדאין" in trend.topic for trend in report.trends if trend is not linkedin)


def test_story_syndicated_by_five_feeds_counts_as_one_story(report: TrendReport) -> None:
    pinterest = [s for s in report.stories if "Pinterest" in s.entry.title]
    assert len(pinterest) == 1
    assert set(pinterest[0].sources) == {
        f"Wire {n}" for n in ("One", "Two", "Three", "Four", "Five")
    }
    assert report.by_topic("Pinterest") is None  # one story = one source < min_sources
    assert report.series["topic:Pinterest"][-1] == 1


def test_topic_that_jumps_ranks_above_one_that_rises_and_one_that_is_steady(
    report: TrendReport,
) -> None:
    names = [trend.topic for trend in report.trends]
    assert names[0] == "LinkedIn"
    assert names.index("LinkedIn") < names.index("TikTok") < names.index("Facebook")
    facebook = report.by_topic("Facebook")
    assert facebook is not None
    assert facebook.source_count == 4 and facebook.baseline == pytest.approx(4.0)
    assert facebook.score == pytest.approx(0.0)


def test_every_trend_lists_its_sources_and_entries(report: TrendReport) -> None:
    tiktok = report.by_topic("TikTok")
    assert tiktok is not None
    assert tiktok.source_count == 3
    assert {story.entry.source_name for story in tiktok.stories} == set(tiktok.sources)
    sentence = tiktok.explain()
    assert "3 sources in 2026-W47" in sentence and "Rosh Gadol" in sentence
    assert "baseline of 1.0 over 6 weeks" in sentence


def test_series_counts_distinct_sources_per_week_over_twelve_weeks(report: TrendReport) -> None:
    assert report.weeks == weeks_ending("2026-W47", 12)
    assert report.series["topic:LinkedIn"][-4:] == (1, 0, 0, 6)
    assert report.series["topic:Facebook"][-7:] == (4,) * 7
    assert report.series["topic:AI"] == (0,) * 12  # watch topics get a series even when silent


def test_discovered_terms_rank_beside_watch_topics(report: TrendReport) -> None:
    terms = {trend.topic: trend for trend in report.trends if trend.kind == "term"}
    assert "B2B" in terms  # Hebrew, English and Italian titles
    assert set(terms["B2B"].sources) == {"Kesher Digital", "Signal and Noise", "Bottega Digitale"}
    assert "reach" not in terms  # two sources sharing an ordinary word is not a trend
    assert "לון" not in terms and "מלון" not in terms  # a single source only
    assert "סרטון" not in terms  # only in summaries: not discovered from there


def test_ordinary_words_are_not_cut_into_nonsense(report: TrendReport) -> None:
    assert not {"לון", "דיה", "לונות"} & {trend.topic for trend in report.trends}


def test_min_sources_filters_and_ties_go_to_heavier_sources() -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    entries = [
        _entry("heavy-a", "Threads opens its API", monday, weight=3.0),
        _entry("heavy-b", "Developers welcome Threads API access", monday, weight=3.0),
        _entry("light-a", "Bluesky adds starter packs for brands", monday, weight=0.5),
        _entry("light-b", "Agencies try Bluesky starter packs", monday, weight=0.5),
        _entry("solo", "Mastodon instance closes", monday, weight=9.0),
    ]
    topics = [Topic("Threads", []), Topic("Bluesky", []), Topic("Mastodon", [])]
    report = analyse(entries, topics, "2026-W47", discover=False)
    assert [t.topic for t in report.trends] == ["Threads", "Bluesky"]
    assert report.trends[0].score == report.trends[1].score


def test_near_identical_titles_fold_but_recurring_short_titles_do_not() -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    entries = [
        _entry("a", "Google tests AI summaries in Shopping ads", monday),
        _entry("b", "Google is testing AI summaries in Shopping ads", monday + timedelta(hours=3)),
        _entry("c", "Weekly roundup", monday),
        _entry("d", "Weekly roundup", monday),
    ]
    stories = fold_stories(entries)
    assert sorted(len(s.copies) for s in stories) == [0, 0, 1]
    folded = next(s for s in stories if s.copies)
    assert folded.entry.source_name == "a"  # the earliest copy is the one that counts


def test_same_url_with_tracking_parameters_is_one_story() -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    entries = [
        _entry("a", "One headline", monday, link="https://x.example/story"),
        _entry("b", "Another headline", monday, link="https://X.example/story?utm_source=b#top"),
    ]
    assert len(fold_stories(entries)) == 1


def test_baseline_ignores_weeks_before_the_corpus_starts() -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    entries = [
        _entry("a", "Snapchat lens contest opens", monday),
        _entry("b", "Brands enter the Snapchat contest for lenses with prizes", monday),
    ]
    trend = analyse(entries, [Topic("Snapchat", [])], "2026-W47").by_topic("Snapchat")
    assert trend is not None and trend.baseline == 0 and trend.baseline_weeks == 0
    assert trend.score == pytest.approx(score(2, 0))


def test_week_without_entries_gives_an_empty_report() -> None:
    report = analyse([], [Topic("LinkedIn", ["לינקדאין"])], "2026-W47")
    assert report.trends == () and report.stories == ()


@pytest.mark.parametrize("bad", ["2025-W54", "2025-W53", "2025-46", "W46", "2025-W4", "", "next"])
def test_unknown_week_string_is_one_clear_error(bad: str) -> None:
    with pytest.raises(WeekError, match="unknown week"):
        week_monday(bad)


def test_iso_week_helpers_agree() -> None:
    assert week_monday("2026-W53") == date(2026, 12, 28)
    start, end = week_bounds("2025-W01")
    assert start == datetime(2024, 12, 30, tzinfo=UTC) and end - start == timedelta(days=7)
    assert week_of(datetime(2026, 11, 22, 23, 59, tzinfo=UTC)) == "2026-W47"


# ---------------------------------------------------------------- phrases and "AI"


@pytest.fixture(scope="module")
def phrases() -> TrendReport:
    entries, topics, week = load_corpus(CORPUS.with_name("phrases.yml"))
    return analyse(entries, topics, week, baseline_weeks=6, min_sources=2)


def test_phrase_corpus_ranks_phrases_words_and_topics_as_expected(phrases: TrendReport) -> None:
    assert [(t.topic, t.kind, t.source_count) for t in phrases.trends] == [
        ("AI Overviews", "phrase", 4),  # score 4.0, the heavier sources
        ("retail media", "phrase", 4),  # score 4.0
        ("AI", "topic", 6),  # (6 - 1) / sqrt(2); ties with "ads", watch list first
        ("ads", "term", 6),
        ("Threads", "topic", 3),
        ("Threads ads", "phrase", 3),
        ("intelligenza artificiale", "phrase", 3),
        ("מסחר חברתי", "phrase", 3),
    ]


def test_phrase_replaces_words_that_occur_almost_only_inside_it(phrases: TrendReport) -> None:
    shown = {trend.topic for trend in phrases.trends}
    assert {"retail media", "AI Overviews", "intelligenza artificiale", "מסחר חברתי"} <= shown
    lone = {"retail", "media", "overview", "intelligenza", "artificiale", "מסחר", "חברתי"}
    assert not lone & shown
    retail = phrases.by_topic("retail media")
    assert retail is not None
    assert set(retail.sources) == {"Feedline", "Growth Desk", "Pixel Post", "Rete Oggi"}
    assert len(retail.stories) == 4


def test_word_used_mostly_outside_its_phrase_is_kept_beside_it(phrases: TrendReport) -> None:
    ads, threads_ads = phrases.by_topic("ads"), phrases.by_topic("Threads ads")
    assert ads is not None and threads_ads is not None
    assert ads.source_count == 6 and threads_ads.source_count == 3


def test_phrase_is_shown_in_its_most_common_written_form(phrases: TrendReport) -> None:
    overviews = phrases.by_topic("AI Overviews")
    assert overviews is not None and overviews.topic == "AI Overviews"  # not "ai overviews"
    assert set(overviews.sources) == {
        "Signal and Noise",
        "Pixel Post",
        "Kesher Digital",
        "Feedline",
    }
    # Hebrew prefixes (המסחר החברתי, למסחר) and Italian elisions (L', Dell') are not displayed
    assert phrases.by_topic("מסחר חברתי") is not None
    assert phrases.by_topic("intelligenza artificiale") is not None


def test_phrase_that_is_a_watch_list_alias_counts_only_for_its_topic() -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    titles = {
        "a": "הבינה המלאכותית נכנסת למשרדי הפרסום",
        "b": "מדריך: בינה מלאכותית לבעלי חנויות",
        "c": "כך משתמשים בבינה מלאכותית בקמפיין",
    }
    entries = [_entry(s, t, monday, language="he") for s, t in titles.items()]
    report = analyse(entries, [Topic("AI", ["בינה מלאכותית"])], "2026-W47")
    assert [(t.topic, t.source_count) for t in report.trends] == [("AI", 3)]


def test_phrase_needs_one_source_more_than_a_watch_topic() -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    entries = [
        _entry("a", "Creator fund doubles payouts", monday),
        _entry("b", "Inside the new creator fund", monday),
        _entry("c", "Creator fund rules explained", monday, language="en"),
    ]
    three = analyse(entries, [], "2026-W47")
    assert [t.topic for t in three.trends] == ["Creator fund"]  # "creator", "fund" folded in
    two = analyse(entries[:2], [], "2026-W47")
    assert two.trends == ()


def test_phrase_never_spans_punctuation() -> None:
    monday = datetime(2026, 11, 16, 9, tzinfo=UTC)
    titles = [
        "Podcasts, video grow across markets",
        "Agencies agree on podcasts: video grows in Q4",
        "After podcasts; video grows for retailers",
    ]
    entries = [_entry(s, t, monday) for s, t in zip("abc", titles, strict=True)]
    report = analyse(entries, [], "2026-W47")
    assert {(t.topic, t.kind) for t in report.trends} == {
        ("video grows", "phrase"),
        ("podcast", "term"),  # no "podcast video" phrase: a comma, colon or semicolon between
    }


def test_lowercase_ai_is_topic_ai_in_english_and_hebrew_but_never_in_italian(
    phrases: TrendReport,
) -> None:
    ai = phrases.by_topic("AI")
    assert ai is not None
    assert set(ai.sources) == {
        "Pixel Post",  # "AI"
        "Signal and Noise",  # "AI Overviews"
        "Kesher Digital",  # "AI" inside Hebrew
        "Feedline",  # "what ai overviews mean", English
        "Rosh Gadol",  # "כלי ai חדש", Latin lower case inside Hebrew
        "Shivuk Yomi",  # the alias הבינה המלאכותית
    }
    # "Ai creator piace…" and "Bonus ai negozi…" are Italian for "to the"
    assert not {"Sociale Settimanale", "Bottega Digitale"} & set(ai.sources)
