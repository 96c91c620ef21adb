"""The email edition, built by a real Pelican build of fixture digests with the repo's theme."""

from __future__ import annotations

import html as html_module
import json
import logging
import re
from html.parser import HTMLParser

import pytest

from _email_support import SmtpServer
from attention.email.plaintext import html_to_text
from attention.email.transform import break_long_lines, mark_directions
from attention.send.base import UNSUBSCRIBE_PLACEHOLDER, load_edition
from attention.send.sendlog import SendLog
from attention.send.smtp import SmtpConfig, SmtpSender
from attention.subscribers import SubscriberStore
from browser import DESKTOP, PHONE, browser_fixture, new_page_fixture  # noqa: F401  (fixtures)
from sitebuild import build, write_article
from test_html_validity import validate

SITE = "https://news.example.org"
KEY = "7-creators-and-search"
ITALIAN_KEY = "11-gdo-retail-media"
WRAPPER_ROWS = ("topbar", "masthead", "content", "readmore", "footer")

DIGEST = """\
Title: קשב #7: יוצרים, חיפוש ומה שביניהם
Date: 2026-11-27T08:00:00+02:00
Lang: he
Slug: creators-and-search
Issue: 7
Category: digest
Tags: creators, ai-search
Summary: גיליון בדיקה על יוצרים ועל חיפוש.

פתיחה קצרה בעברית בלבד, בלי מילה אחת באנגלית.

**בגיליון:**

- [יוצרים](#creators)
- [חיפוש](#search)

## יוצרים {{#creators}}

LinkedIn משיקה כלי חדש ליוצרים, והשאלה היא מי ירוויח ממנו יותר: הפלטפורמה או הכותבים.

כותבים רבים עוברים ל-Substack ול-Ghost כדי להחזיק ברשימת התפוצה בעצמם.

![גרף צמיחה של יוצרים](https://cdn.example.org/charts/creators.png)

## חיפוש {{#search}}

[התקציר המלא]({{filename}}/briefs/2026/11/search-brief.md) מסביר את המספרים, וגם
[המחקר המקורי](https://research.example.com/zero-click) זמין לקריאה.

| מדד | לפני | אחרי |
| --- | --- | --- |
| קליקים | 100 | 62 |

{filler}
"""

BRIEF = """\
Title: תקציר: חיפוש בלי קליקים
Date: 2026-11-25T10:00:00+02:00
Lang: he
Slug: search-brief
Category: brief
Summary: תקציר לבדיקה.

טקסט התקציר.
"""

TRANSLATION = """\
Title: Attention #7: Creators, search and what lies between
Date: 2026-11-27T08:00:00+02:00
Lang: en
Translation: true
Slug: creators-and-search
Issue: 7
Category: digest
Summary: A test issue about creators and search.

A short English opening for the translated issue.
"""

# Italian, not a translation: its own issue, so the plain <issue>-<slug> folder.
ITALIAN = """\
Title: Attenzione #11: la GDO scopre il retail media
Date: 2026-12-25T08:00:00+02:00
Lang: it
Slug: gdo-retail-media
Issue: 11
Category: digest
Summary: Un numero di prova in italiano.

Un'apertura breve, tutta in italiano.
"""

DRAFT = """\
Title: קשב #8: טיוטה
Date: 2026-12-04T08:00:00+02:00
Lang: he
Slug: draft-issue
Issue: 8
Category: digest
Status: draft
Summary: טיוטה.

עדיין בכתיבה.
"""

HUGE = """\
Title: קשב #9: גיליון ארוך מדי
Date: 2026-12-11T08:00:00+02:00
Lang: he
Slug: too-long
Issue: 9
Category: digest
Summary: ארוך.

{body}
"""


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def tags(html: str, name: str) -> list[dict[str, str]]:
    parser = _Collect()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if tag == name]


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("email-site")
    content = root / "content"
    write_article(content, "digests/7-creators-and-search.md", DIGEST.format(filler=""))
    write_article(content, "digests/7-creators-and-search.en.md", TRANSLATION)
    write_article(content, "digests/8-draft-issue.md", DRAFT)
    write_article(content, "digests/11-gdo-retail-media.md", ITALIAN)
    paragraph = "פסקה ארוכה שחוזרת על עצמה כדי לנפח את הגיליון מעבר לתקציב. " * 12
    write_article(content, "digests/9-too-long.md", HUGE.format(body="\n\n".join([paragraph] * 80)))
    write_article(content, "briefs/2026/11/search-brief.md", BRIEF)
    capture = _LogCapture()
    log = logging.getLogger("attention.email.edition")
    log.addHandler(capture)
    try:
        output = build(content, root / "output", SITEURL=SITE, RELATIVE_URLS=False)
        published = build(content, root / "publish", "publishconf.py", SITEURL=SITE)
    finally:
        log.removeHandler(capture)
    return output, published, capture.messages


@pytest.fixture(scope="module")
def edition(built):
    output, _published, _log = built
    folder = output / "email" / KEY
    return (
        (folder / "index.html").read_text(encoding="utf-8"),
        (folder / "index.txt").read_text(encoding="utf-8"),
        json.loads((folder / "edition.json").read_text(encoding="utf-8")),
    )


def test_every_digest_gets_an_edition_folder_and_translations_a_language_suffix(built):
    output, published, _log = built
    names = sorted(p.name for p in (output / "email").iterdir())
    assert names == [ITALIAN_KEY, KEY, f"{KEY}-en", "8-draft-issue", "9-too-long"]
    # A production build writes no drafts, so no draft edition either.
    assert sorted(p.name for p in (published / "email").iterdir()) == [
        ITALIAN_KEY,
        KEY,
        f"{KEY}-en",
        "9-too-long",
    ]
    for name in names:
        assert {p.name for p in (output / "email" / name).iterdir()} == {
            "index.html",
            "index.txt",
            "edition.json",
        }


def test_meta_tells_the_sender_subject_issue_language_status_and_url(edition, built):
    _html, _text, meta = edition
    assert meta["subject"] == "קשב #7: יוצרים, חיפוש ומה שביניהם"
    assert (meta["issue"], meta["lang"], meta["status"]) == (7, "he", "published")
    assert meta["url"] == f"{SITE}/digests/{KEY}/"
    draft = json.loads((built[0] / "email" / "8-draft-issue" / "edition.json").read_text())
    assert draft["status"] == "draft"


def test_html_is_a_600px_table_with_rtl_inline_on_body_and_tables(edition):
    html, _text, _meta = edition
    assert re.search(r'<html lang="he" dir="rtl">', html)
    [body] = tags(html, "body")
    assert "direction: rtl" in body["style"] and "text-align: right" in body["style"]
    tables = tags(html, "table")
    [container] = [t for t in tables if "container" in t.get("class", "")]
    assert "max-width: 600px" in container["style"] and "width: 100%" in container["style"]
    # Outlook for Windows ignores max-width: it alone reads a fixed 600 px table in a
    # conditional comment.
    assert re.search(r'<!--\[if mso\]><table role="presentation" align="center" width="600"', html)
    for table in tables[:2]:
        assert table["dir"] == "rtl" and table["role"] == "presentation"
        assert "direction: rtl" in table["style"] and "text-align: right" in table["style"]
    rows = [td for td in tags(html, "td") if td.get("class") in WRAPPER_ROWS]
    assert len(rows) == len(WRAPPER_ROWS)
    for cell in rows:
        assert "direction: rtl" in cell["style"] and "text-align: right" in cell["style"]


def test_css_is_inlined_and_only_media_queries_stay_in_style(edition):
    html, _text, _meta = edition
    for p in tags(html, "p"):
        assert "margin" in p.get("style", ""), p
    style_blocks = re.findall(r"<style>(.*?)</style>", html, re.S)
    leftover = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", "".join(style_blocks))
    assert leftover.strip() == ""
    assert "@media (prefers-color-scheme: dark)" in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="robots" content="noindex">' in html


def test_mixed_script_paragraphs_get_a_dir_that_keeps_hebrew_right_to_left(edition):
    html, _text, _meta = edition
    paragraphs = {re.sub(r"<[^>]+>", "", m.group(2))[:12]: m.group(1)
                  for m in re.finditer(r"<p([^>]*)>(.*?)</p>", html, re.S)}  # fmt: skip
    # Starts in Latin but is Hebrew: dir="auto" would lay it out left-to-right.
    assert 'dir="rtl"' in paragraphs["LinkedIn משי"]
    assert 'dir="auto"' in paragraphs["כותבים רבים "]
    assert "dir=" not in paragraphs["פתיחה קצרה ב"]


def test_images_have_width_and_alt(edition):
    html, _text, _meta = edition
    [img] = tags(html, "img")
    assert img["alt"] == "גרף צמיחה של יוצרים"
    assert int(img["width"]) <= 552
    assert img["src"] == "https://cdn.example.org/charts/creators.png"


def test_links_are_absolute_view_in_browser_and_one_unsubscribe_placeholder(edition):
    html, text, _meta = edition
    hrefs = [a["href"] for a in tags(html, "a")]
    assert all(h.startswith(("https://", "mailto:")) or h == UNSUBSCRIBE_PLACEHOLDER for h in hrefs)
    assert f"{SITE}/digests/{KEY}/" in hrefs  # view in browser
    assert f"{SITE}/digests/{KEY}/#creators" in hrefs  # the table of contents
    assert f"{SITE}/2026/11/search-brief/" in hrefs  # {filename} link resolved
    assert hrefs.count(UNSUBSCRIBE_PLACEHOLDER) == 1
    assert text.count(UNSUBSCRIBE_PLACEHOLDER) == 1
    assert "גיליון #7" in html and "27 בנובמבר 2026" in html


def test_text_part_says_the_same_with_links_as_numbered_footnotes(edition):
    html, text, _meta = edition
    for sentence in ("LinkedIn משיקה כלי חדש ליוצרים", "כותבים רבים עוברים ל-Substack"):
        assert sentence in html
        assert sentence in " ".join(text.split())
    assert "התקציר המלא [1]" in text
    assert f"[1] {SITE}/2026/11/search-brief/" in text
    assert "[2] https://research.example.com/zero-click" in text
    assert "#creators" not in text  # the issue's own table of contents gets no footnotes
    assert "<p" not in text and "</a>" not in text


def test_every_paragraph_of_the_html_is_in_the_text_part(edition):
    html, text, _meta = edition
    content = html.split('class="content"', 1)[1].split('class="readmore"', 1)[0]
    flat_text = " ".join(re.sub(r" \[\d+\]", "", text).split())
    paragraphs = re.findall(r"<(?:p|li|h2)\b[^>]*>(.*?)</(?:p|li|h2)>", content, re.S)
    assert len(paragraphs) >= 6
    for inner in paragraphs:
        words = " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", inner)).split())
        assert words in flat_text, words


def test_english_translation_is_left_to_right(built):
    html = (built[0] / "email" / f"{KEY}-en" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en" dir="ltr">' in html
    assert "direction: ltr" in tags(html, "body")[0]["style"]
    assert "View in your browser" in html
    meta = json.loads((built[0] / "email" / f"{KEY}-en" / "edition.json").read_text("utf-8"))
    assert (meta["lang"], meta["translation"], meta["issue"]) == ("en", True, 7)
    assert meta["url"] == f"{SITE}/en/digests/{KEY}/"


def test_italian_digest_that_is_not_a_translation_gets_the_plain_issue_slug_folder(built):
    output = built[0]
    assert not (output / "email" / f"{ITALIAN_KEY}-it").exists()
    html = (output / "email" / ITALIAN_KEY / "index.html").read_text(encoding="utf-8")
    assert '<html lang="it" dir="ltr">' in html
    meta = json.loads((output / "email" / ITALIAN_KEY / "edition.json").read_text("utf-8"))
    assert (meta["key"], meta["lang"], meta["translation"]) == (ITALIAN_KEY, "it", False)
    assert load_edition(output, "11").key == ITALIAN_KEY


def test_every_edition_is_valid_html_for_the_nu_checker(built):
    output = built[0]
    editions = sorted((output / "email").glob("*/index.html"))
    assert len(editions) == 5
    result = validate(*map(str, editions))
    assert result.returncode == 0, result.stdout + result.stderr


def test_oversized_edition_is_a_build_warning_with_name_and_size(built):
    _output, _published, messages = built
    warnings = [m for m in messages if "over the 90 KB budget" in m]
    assert warnings and all(m.startswith("email: 9-too-long is ") for m in warnings)
    assert not any(KEY in m for m in warnings)
    size = json.loads((built[0] / "email" / "9-too-long" / "edition.json").read_text())
    assert size["html_bytes"] > 90 * 1024


def test_html_lines_fit_8bit_smtp(edition):
    html, text, _meta = edition
    assert max(len(line.encode()) for line in (html + text).splitlines()) <= 998


def test_built_edition_goes_out_over_smtp_with_rtl_and_a_personal_unsubscribe(built, tmp_path):
    edition = load_edition(built[0], "7")
    assert edition.key == KEY
    with SubscriberStore(tmp_path / "subs.sqlite") as store, SmtpServer() as server:
        store.add("reader@example.org")
        config = SmtpConfig(host="127.0.0.1", port=server.port, security="none", rate=0,
                            from_addr="news@example.org",
                            unsubscribe_url="https://news.example.org/u?t={token}")  # fmt: skip
        with SendLog(tmp_path / "log.sqlite") as log:
            summary = SmtpSender(config, log).deliver_to(edition, list(store.all()))
        token = store.get("reader@example.org").token
        [msg] = server.handler.parsed()
    assert summary.sent == 1
    html = msg.get_body(("html",)).get_content()
    assert '<html lang="he" dir="rtl">' in html
    assert f'href="https://news.example.org/u?t={token}"' in html
    assert msg["Subject"] == "קשב #7: יוצרים, חיפוש ומה שביניהם"


@pytest.mark.browser
def test_chromium_lays_the_edition_out_right_to_left_at_600px_and_on_a_phone(built, new_page):
    url = (built[0] / "email" / KEY / "index.html").as_uri()
    page = new_page(DESKTOP)
    page.goto(url)
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.evaluate("document.querySelector('table.container').offsetWidth") == 600
    mixed = page.locator("p", has_text="LinkedIn משיקה כלי חדש")
    assert mixed.evaluate("p => getComputedStyle(p).direction") == "rtl"
    assert mixed.evaluate("p => getComputedStyle(p).textAlign") in ("right", "start")
    phone = new_page(PHONE, color_scheme="dark")
    phone.goto(url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(21, 20, 15)"  # the dark-mode colours apply


def test_mark_directions_leaves_single_script_blocks_alone():
    html = "<p>רק עברית</p><p>English only</p><li>Meta מוסיפה מודעות</li>"
    assert mark_directions(html, "rtl") == (
        '<p>רק עברית</p><p>English only</p><li dir="rtl">Meta מוסיפה מודעות</li>'
    )


def test_long_lines_break_at_spaces_but_not_inside_pre():
    line = "מילה " * 400
    out = break_long_lines(f"<p>{line}</p><pre>{'x ' * 600}</pre>", limit=200)
    first, pre = out.split("<pre>")
    assert max(len(x.encode()) for x in first.splitlines()) <= 200
    assert "\n" not in pre
    assert first.split() == f"<p>{line}</p>".split()


def test_plaintext_numbers_each_distinct_link_once():
    text = html_to_text(
        '<p>א <a href="https://a.example/">ראשון</a> ב <a href="https://b.example/">שני</a>'
        ' ג <a href="https://a.example/">שוב</a></p><ol><li>one</li><li>two</li></ol>'
    )
    assert "ראשון [1] ב שני [2] ג שוב [1]" in text
    assert "1. one" in text and "2. two" in text
    assert text.endswith("[1] https://a.example/\n[2] https://b.example/\n")


def test_wrap_matches_textwrap_on_folded_text() -> None:
    import random
    import textwrap

    from attention.email.plaintext import wrap

    rng = random.Random(7)
    words = ["קשב", "LinkedIn", "מודעות", "a", "https://example.com/" + "x" * 90, "ב-Google,"]
    for _ in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 60)))
        first, rest = rng.choice([("", ""), ("- ", "  "), ("> 1. ", ">    ")])
        expected = textwrap.fill(
            text,
            width=76,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )
        assert wrap(text, 76, first, rest) == expected


def test_images_keep_unquoted_attributes_and_percent_widths_scale_to_the_column():
    from attention.email.transform import CONTENT_WIDTH, fit_images

    unquoted = fit_images("<img src=https://cdn.example.org/a.png alt=גרף width=300 loading=lazy>")
    assert 'src="https://cdn.example.org/a.png"' in unquoted
    assert 'alt="גרף"' in unquoted and 'width="300"' in unquoted
    full = fit_images('<img src="a.png" alt="x" width="100%">')
    half = fit_images("<img src='a.png' alt='a \"quoted\" word' width='50%'>")
    assert f'width="{CONTENT_WIDTH}"' in full
    assert f'width="{CONTENT_WIDTH // 2}"' in half
    assert 'alt="a &quot;quoted&quot; word"' in half
    assert 'alt=""' in fit_images("<img src='a.png' alt=''>")


def test_unquoted_and_srcset_links_become_absolute_too():
    from attention.email.transform import absolutize

    page = "https://news.example.org/digests/7/"
    out = absolutize(
        '<a href=/about/>about</a> <img src=chart.png srcset="chart@2x.png 2x, /c3.png 3x">', page
    )
    assert 'href="https://news.example.org/about/"' in out
    assert 'src="https://news.example.org/digests/7/chart.png"' in out
    assert (
        'srcset="https://news.example.org/digests/7/chart@2x.png 2x,'
        ' https://news.example.org/c3.png 3x"' in out
    )


LATIN_FIRST = """\
Title: LinkedIn משיקה כלי חדש ליוצרים, ומה זה אומר לכותבים
Date: 2026-12-18T08:00:00+02:00
Lang: he
Slug: linkedin-first
Issue: 10
Category: digest
Summary: כותרת שפותחת באנגלית.

גוף קצר בעברית.
"""


def test_hebrew_title_opening_with_a_latin_name_stays_right_to_left(tmp_path):
    # dir="auto" takes the first strong letter: "LinkedIn" would make the whole title LTR.
    content = tmp_path / "content"
    write_article(content, "digests/10-linkedin-first.md", LATIN_FIRST)
    output = build(content, tmp_path / "output", SITEURL=SITE, RELATIVE_URLS=False)
    html = (output / "email" / "10-linkedin-first" / "index.html").read_text(encoding="utf-8")
    [h1] = tags(html, "h1")
    assert h1["dir"] == "rtl"
