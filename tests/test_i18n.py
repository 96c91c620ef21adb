"""Dates, reading time and direction from Babel, independent of the OS locale."""

from __future__ import annotations

import datetime as dt

import pytest

from attention import i18n


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("he", "12 בספט׳ 2025"), ("en", "Sep 12, 2025"), ("it", "12 set 2025")],
)
def test_localdate_formats_in_the_content_language(lang: str, expected: str) -> None:
    assert i18n.localdate(dt.datetime(2025, 9, 12, 8, 30), lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("he", "זמן קריאה 9 דקות"), ("en", "9 min read"), ("it", "9 minuti di lettura")],
)
def test_reading_time_label_per_language(lang: str, expected: str) -> None:
    assert i18n.reading_time_label(9, lang) == expected


def test_reading_minutes_counts_words_not_markup() -> None:
    words = " ".join(["מילה"] * 440)
    assert i18n.reading_minutes(f"<p class='x'>{words}</p>") == 2
    assert i18n.reading_minutes("<p></p>") == 1


@pytest.mark.parametrize(("lang", "direction"), [("he", "rtl"), ("en", "ltr"), ("it", "ltr")])
def test_text_direction_from_babel(lang: str, direction: str) -> None:
    assert i18n.text_direction(lang) == direction


def test_unknown_language_falls_back_to_english_strings() -> None:
    assert i18n.translate("subscribe", "xx") == "Subscribe"
    assert i18n.text_direction("xx") == "ltr"


def test_every_language_has_every_interface_string() -> None:
    keys = set(i18n.UI_STRINGS["en"])
    for lang, strings in i18n.UI_STRINGS.items():
        assert set(strings) == keys, lang


def test_every_catalogue_is_complete_in_every_language() -> None:
    for name, languages in i18n.CATALOGUES.items():
        keys = set(languages["en"])
        assert set(languages) == {"he", "en", "it"}, name
        for lang, strings in languages.items():
            assert set(strings) == keys, (name, lang)
    assert i18n.catalogue("email", "xx") == i18n.CATALOGUES["email"]["en"]
