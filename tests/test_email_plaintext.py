"""The plain-text part's fast paths give exactly what the general ones give."""

from __future__ import annotations

from attention.email.plaintext import _simple_tokens, html_to_text, wrap

DIGEST_HTML = (
    '<h2 id="s1">חיפוש &amp; AI</h2>\n'
    '<p dir="rtl">השבוע <a href="https://example.com/a?x=1&amp;y=2">LinkedIn</a> משיקה כלי חדש'
    " ליוצרים, ו-Google מעדכנת את Search Console. " + "מילה " * 40 + "</p>\n"
    "<ul>\n<li>ראשון <a href='#s1'>בעמוד</a></li>\n<li>שני<br/>שורה</li>\n</ul>\n"
    '<p><img src=/images/chart.png alt="גרף &quot;צמיחה&quot;"> <a HREF=https://x.org/b>B</a></p>'
)


def test_digest_html_takes_the_fast_path_and_reads_as_html_parser_reads_it():
    assert _simple_tokens(DIGEST_HTML) is not None
    # A comment sends the whole document through html.parser; the text must not change.
    assert _simple_tokens(DIGEST_HTML + "<!-- end -->") is None
    fast = html_to_text(DIGEST_HTML, "קישורים", "https://x.org/d/#")
    general = html_to_text(DIGEST_HTML + "<!-- end -->", "קישורים", "https://x.org/d/#")
    assert fast == general
    assert "[1] https://example.com/a?x=1&y=2" in fast
    assert '[גרף "צמיחה"]' in fast


def test_wrap_cuts_single_spaced_text_as_the_word_by_word_wrap_does():
    words = ["קשב", "TikTok", "x" * 30, "ב-Instagram.", "y" * 90, "a"]
    text = " ".join(words[i % len(words)] for i in range(60))
    for width, first, rest in ((76, "", ""), (20, "- ", "  "), (10, "> > 1. ", "> >    ")):
        single = wrap(text, width, first, rest)
        spaced = wrap(text.replace(" ", "  "), width, first, rest)  # the word-by-word path
        assert single == spaced
    lines = wrap(text, 20, "- ", "  ").split("\n")
    assert lines[:3] == ["- קשב TikTok", "  " + "x" * 30, "  ב-Instagram."]
