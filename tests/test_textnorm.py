"""Normalisation of words for trend counting: Hebrew prefixes, elisions, lemmas, stopwords."""

from __future__ import annotations

import pytest

from attention.textnorm import Normalizer, raw_tokens


@pytest.mark.parametrize(
    "written", ["בלינקדאין", "ללינקדאין", "ולינקדאין", "שבלינקדאין", "והלינקדאין", "לינקדאין"]
)
def test_hebrew_prefixes_fold_onto_an_attested_word(written: str) -> None:
    normalizer = Normalizer(attested=["לינקדאין"])
    assert normalizer.term(written, "he") == "לינקדאין"


def test_hebrew_prefix_is_kept_when_the_stripped_form_is_not_attested() -> None:
    normalizer = Normalizer(attested=["פייסבוק"])
    assert normalizer.term("מדיה", "he") == "מדיה"  # "דיה" is not a word in this corpus
    assert normalizer.term("בפייסבוק", "he") == "פייסבוק"


def test_known_hebrew_word_is_never_cut_even_if_a_shorter_word_is_attested() -> None:
    normalizer = Normalizer(attested=["לון", "ריתמוס"])
    assert normalizer.term("מלון", "he") == "מלון"


def test_hebrew_inflections_meet_at_the_lemma() -> None:
    normalizer = Normalizer()
    assert normalizer.term("הרשתות", "he") == normalizer.term("רשתות", "he")


def test_italian_elisions_are_removed() -> None:
    normalizer = Normalizer()
    assert normalizer.terms("l'intelligenza dell'algoritmo nell'ultima", "it") == [
        "intelligenza",
        "algoritmo",
        "ultima",
    ]


def test_english_possessive_and_plural_fold_onto_the_word() -> None:
    normalizer = Normalizer()
    assert normalizer.term("LinkedIn's", "en") == "linkedin"
    assert normalizer.term("platforms", "en") == "platform"
    assert normalizer.term("piattaforme", "it") == "piattaforma"


def test_lemma_that_rewrites_the_word_is_refused() -> None:
    normalizer = Normalizer()
    assert normalizer.term("media", "en") == "media"  # not "medium"


def test_acronym_survives_while_the_same_lowercase_stopword_goes() -> None:
    normalizer = Normalizer()
    assert normalizer.term("AI", "en") == "ai"
    assert normalizer.term("ai", "it") == ""  # Italian "ai" = "to the"


@pytest.mark.parametrize(
    ("text", "language"),
    [("the of and with", "en"), ("il di che per della", "it"), ("של את על עם", "he")],
)
def test_stopwords_of_each_language_are_dropped(text: str, language: str) -> None:
    assert Normalizer().terms(text, language) == []


def test_hebrew_prefix_glued_to_a_latin_name_splits_off() -> None:
    assert raw_tokens("בLinkedIn ו-Meta") == ["ב", "LinkedIn", "ו", "Meta"]
    assert Normalizer().terms("בLinkedIn ו-Meta", "he") == ["linkedin", "meta"]


def test_words_with_digits_stay_whole_and_bare_numbers_go() -> None:
    assert Normalizer().terms("B2B budgets in 2026", "en") == ["b2b", "budget"]


def test_niqqud_does_not_split_a_hebrew_word() -> None:
    assert len(raw_tokens("בְּלִינְקְדְּאִין")) == 1
    assert Normalizer(attested=["לינקדאין"]).terms("בְּלִינְקְדְּאִין", "he") == ["לינקדאין"]


@pytest.mark.parametrize(
    ("token", "language", "expected"),
    [
        ("AI", "it", "ai"),  # capitals: the acronym in any language
        ("ai", "en", "ai"),
        ("Ai", "en-GB", "ai"),
        ("ai", "he", "ai"),  # Latin "ai" inside Hebrew text
        ("ai", "it", ""),  # Italian "ai" = "to the"
        ("Ai", "it", ""),  # "Ai creator piace…": still the preposition
        ("ai", "fr", ""),  # French "j'ai": not the acronym either
    ],
)
def test_lowercase_ai_is_the_acronym_only_in_english_and_hebrew_text(
    token: str, language: str, expected: str
) -> None:
    assert Normalizer().term(token, language) == expected


@pytest.mark.parametrize(
    ("token", "language", "written"),
    [
        ("Dell'Intelligenza", "it", "Intelligenza"),
        ("l'intelligenza", "it", "intelligenza"),
        ("LinkedIn's", "en", "LinkedIn"),
        ("Overviews", "en", "Overviews"),
        ("המסחר", "he", "מסחר"),
        ("למסחר", "he", "מסחר"),
        ("החברתי", "he", "חברתי"),
        ("מלון", "he", "מלון"),  # "לון" is not the same word
    ],
)
def test_written_form_drops_hebrew_prefix_and_elision_but_keeps_case(
    token: str, language: str, written: str
) -> None:
    assert Normalizer().written(token, language) == written
