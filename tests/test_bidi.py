"""Blocks of mixed Hebrew/Latin text get the direction of their dominant script."""

from attention.bidi import dominant_direction, mark_block_directions


def test_hebrew_sentence_opening_with_a_brand_is_rtl() -> None:
    assert dominant_direction("LinkedIn משיקה כלי חדש ליוצרים.") == "rtl"


def test_english_quote_in_a_hebrew_article_is_marked_ltr() -> None:
    html = "<p>מיכל כתבה:</p><blockquote><p>Search is now an answer engine.</p></blockquote>"
    marked = mark_block_directions(html, "rtl")
    assert '<p dir="ltr">Search is now' in marked
    assert "<p>מיכל כתבה:</p>" in marked


def test_existing_dir_is_kept_and_neutral_text_untouched() -> None:
    html = '<p dir="rtl">Hello</p><p>2026 — 15%</p>'
    assert mark_block_directions(html, "rtl") == html


def test_hebrew_paragraph_in_an_english_page_is_marked_rtl() -> None:
    assert mark_block_directions("<li>שלום לכולם, Daniel</li>", "ltr") == (
        '<li dir="rtl">שלום לכולם, Daniel</li>'
    )


def test_period_between_two_latin_words_stays_with_the_hebrew_sentence() -> None:
    html = "<p>לא להעתיק את מה שמפרסמים ב-Instagram. Threads מתגמלת שיחה.</p>"
    marked = mark_block_directions(html, "rtl")
    assert "ב-Instagram.\u200f Threads" in marked


def test_anchoring_never_touches_tags_urls_or_decimals() -> None:
    html = '<p>גרסה 3.5 של <a href="https://example.com/a. b">ChatGPT</a>. זהו.</p>'
    marked = mark_block_directions(html, "rtl")
    assert 'href="https://example.com/a. b"' in marked
    assert "3.5" in marked


def test_english_block_in_a_hebrew_page_gets_no_marks() -> None:
    html = "<p>Search is now an answer engine. Plan for it.</p>"
    assert "\u200f" not in mark_block_directions(html, "rtl")


def test_short_hebrew_heading_full_of_brand_names_stays_rtl() -> None:
    assert dominant_direction("Gen Z מחפשים ב-TikTok", "rtl") == "rtl"
    html = "<h2>Gen Z מחפשים ב-TikTok</h2><li>ChatGPT ו-Gemini מול Google Search Console</li>"
    assert "dir=" not in mark_block_directions(html, "rtl")


def test_english_sentence_with_a_hebrew_name_stays_ltr() -> None:
    assert dominant_direction("Written this week by מיכל ברק for Attention readers.") == "ltr"
