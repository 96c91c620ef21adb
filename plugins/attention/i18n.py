"""Language-aware formatting with Babel: dates, reading time, text direction, UI strings.

Nothing here depends on the operating system's locales (a fresh Debian has only C.UTF-8).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from functools import lru_cache
from itertools import filterfalse

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.units import format_unit

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"
WORDS_PER_MINUTE = 220
_WORD = re.compile(r"\w+", re.UNICODE)
_TAG = re.compile(r"<[^>]+>")

# Interface strings of the theme and the email edition, per language.
UI_STRINGS: dict[str, dict[str, str]] = {
    "he": {
        "reading_time": "זמן קריאה {duration}",
        "subscribe": "הרשמה",
        "subscribe_title": "רוצים את קשב בתיבת הדואר?",
        "subscribe_lead": "גיליון אחד בשבוע, ביום שישי בבוקר. בלי ספאם.",
        "email_label": "כתובת דוא״ל",
        "subscribe_button": "להרשמה",
        "subscribe_confirm": "ההרשמה מאושרת במייל, ואפשר לבטל אותה בכל רגע.",
        "subscribe_feeds": "מעדיפים קורא פידים? כל התוכן זמין גם ב-RSS וב-Atom:",
        "subscribe_none": "עדיין אין כאן רשימת תפוצה במייל. אפשר להירשם דרך קורא פידים:",
        "skip": "דילוג לתוכן",
        "home": "בית",
        "issues": "גיליונות",
        "archives": "ארכיון",
        "tags": "תגיות",
        "categories": "קטגוריות",
        "authors": "כותבים",
        "about": "אודות",
        "search": "חיפוש",
        "trends": "מגמות",
        "latest_issue": "הגיליון האחרון",
        "recent": "עוד מהזמן האחרון",
        "read_issue": "לקריאת הגיליון",
        "in_this_issue": "בגיליון הזה",
        "previous": "הקודם",
        "next": "הבא",
        "newer": "חדשים יותר",
        "older": "ישנים יותר",
        "page": "עמוד {number} מתוך {count}",
        "issue": "גיליון #{number}",
        "by": "מאת",
        "translations": "התרגום",
        "source": "מקור",
        "feeds": "פידים",
        "not_found_title": "הדף לא נמצא",
        "not_found_text": "הקישור שבור או שהדף עבר. אפשר לחזור לדף הבית או לחפש.",
        "all_issues": "כל הגיליונות",
        "by_year": "לפי שנה וחודש",
        "posts_count": "{count} פוסטים",
        "cited_briefs": "תקצירים שמוזכרים בגיליון",
        "share": "שיתוף",
        "copy_link": "העתקת קישור",
        "nav": "ניווט ראשי",
        "empty": "עדיין אין כאן פוסטים.",
        "search_label": "חיפוש באתר",
        "search_button": "חיפוש",
        "search_placeholder": "למשל: פודקאסט",
        "search_results": "{count} תוצאות",
        "search_none": "לא נמצאו תוצאות.",
        "search_needs_js": "החיפוש צריך JavaScript. אפשר לעיין בארכיון.",
        "share_on": "שיתוף ב-{network}",
        "share_email": "שליחה במייל",
        "copied": "הקישור הועתק",
        "comments": "תגובות",
    },
    "en": {
        "reading_time": "{duration} read",
        "subscribe": "Subscribe",
        "subscribe_title": "Get Attention in your inbox",
        "subscribe_lead": "One issue a week, on Friday morning. No spam.",
        "email_label": "Email address",
        "subscribe_button": "Subscribe",
        "subscribe_confirm": "You confirm your subscription by email, and can cancel it any time.",
        "subscribe_feeds": "Prefer a feed reader? Everything is in RSS and Atom too:",
        "subscribe_none": "There is no email list here yet. Subscribe with a feed reader:",
        "skip": "Skip to content",
        "home": "Home",
        "issues": "Issues",
        "archives": "Archives",
        "tags": "Tags",
        "categories": "Categories",
        "authors": "Authors",
        "about": "About",
        "search": "Search",
        "trends": "Trends",
        "latest_issue": "Latest issue",
        "recent": "Recently",
        "read_issue": "Read the issue",
        "in_this_issue": "In this issue",
        "previous": "Previous",
        "next": "Next",
        "newer": "Newer",
        "older": "Older",
        "page": "Page {number} of {count}",
        "issue": "Issue #{number}",
        "by": "By",
        "translations": "Also in",
        "source": "Source",
        "feeds": "Feeds",
        "not_found_title": "Page not found",
        "not_found_text": "The link is broken or the page moved. Try the home page or search.",
        "all_issues": "All issues",
        "by_year": "By year and month",
        "posts_count": "{count} posts",
        "cited_briefs": "Briefs cited in this issue",
        "share": "Share",
        "copy_link": "Copy link",
        "nav": "Main navigation",
        "empty": "No posts yet.",
        "search_label": "Search the site",
        "search_button": "Search",
        "search_placeholder": "e.g. podcast",
        "search_results": "{count} results",
        "search_none": "No results.",
        "search_needs_js": "Search needs JavaScript. The archive lists every post.",
        "share_on": "Share on {network}",
        "share_email": "Send by email",
        "copied": "Link copied",
        "comments": "Comments",
    },
    "it": {
        "reading_time": "{duration} di lettura",
        "subscribe": "Iscriviti",
        "subscribe_title": "Ricevi Attenzione nella tua casella",
        "subscribe_lead": "Un numero a settimana, il venerdì mattina. Niente spam.",
        "email_label": "Indirizzo email",
        "subscribe_button": "Iscriviti",
        "subscribe_confirm": "L'iscrizione si conferma via email e si annulla in ogni momento.",
        "subscribe_feeds": "Preferisci un lettore di feed? Tutto è anche in RSS e Atom:",
        "subscribe_none": "Non c'è ancora una newsletter via email. Usa un lettore di feed:",
        "skip": "Vai al contenuto",
        "home": "Home",
        "issues": "Numeri",
        "archives": "Archivio",
        "tags": "Tag",
        "categories": "Categorie",
        "authors": "Autori",
        "about": "Chi siamo",
        "search": "Cerca",
        "trends": "Tendenze",
        "latest_issue": "L'ultimo numero",
        "recent": "Di recente",
        "read_issue": "Leggi il numero",
        "in_this_issue": "In questo numero",
        "previous": "Precedente",
        "next": "Successivo",
        "newer": "Più recenti",
        "older": "Meno recenti",
        "page": "Pagina {number} di {count}",
        "issue": "Numero #{number}",
        "by": "Di",
        "translations": "Anche in",
        "source": "Fonte",
        "feeds": "Feed",
        "not_found_title": "Pagina non trovata",
        "not_found_text": "Il link è rotto o la pagina è stata spostata. Torna alla home o cerca.",
        "all_issues": "Tutti i numeri",
        "by_year": "Per anno e mese",
        "posts_count": "{count} articoli",
        "cited_briefs": "Brevi citate in questo numero",
        "share": "Condividi",
        "copy_link": "Copia link",
        "nav": "Navigazione principale",
        "empty": "Ancora nessun articolo.",
        "search_label": "Cerca nel sito",
        "search_button": "Cerca",
        "search_placeholder": "es. podcast",
        "search_results": "{count} risultati",
        "search_none": "Nessun risultato.",
        "search_needs_js": "La ricerca richiede JavaScript. L'archivio elenca tutti gli articoli.",
        "share_on": "Condividi su {network}",
        "share_email": "Invia per email",
        "copied": "Link copiato",
        "comments": "Commenti",
    },
}


# Strings of the email edition and of the Trends page, per language (same fallback rules).
CATALOGUES: dict[str, dict[str, dict[str, str]]] = {
    "email": {
        "he": {
            "view_in_browser": "לקריאה בדפדפן",
            "read_on_site": "לגיליון המלא באתר",
            "why": "קיבלת את המייל הזה כי נרשמת ל{name}.",
            "unsubscribe": "להסרה מרשימת התפוצה",
            "links": "קישורים:",
        },
        "en": {
            "view_in_browser": "View in your browser",
            "read_on_site": "Read the issue on the site",
            "why": "You are receiving this because you subscribed to {name}.",
            "unsubscribe": "Unsubscribe",
            "links": "Links:",
        },
        "it": {
            "view_in_browser": "Leggi nel browser",
            "read_on_site": "Leggi il numero sul sito",
            "why": "Ricevi questa email perché ti sei iscritto a {name}.",
            "unsubscribe": "Annulla l'iscrizione",
            "links": "Link:",
        },
    },
    "trends": {
        "he": {
            "lead": "הנושאים שעולים השבוע ביותר מקורות מהרגיל, ומה קרה להם ב־{n} השבועות האחרונים.",
            "empty": "אין עדיין נתוני מגמות. הם יופיעו אחרי ההרצה הבאה של attention fetch.",
            "week": "שבוע {week} ({start})",
            "sources_n": "{n} מקורות",
            "change": "שינוי מול הממוצע",
            "chart_text": "{topic}: מספר המקורות בכל שבוע, מהשבוע הישן ({first}) לחדש ({last}): "
            "{counts}",
            "no_topics": "אף נושא לא הגיע השבוע למספר המקורות המינימלי.",
            "updated": "עודכן: {date}",
            "discovered": "נושא שזוהה אוטומטית",
        },
        "en": {
            "lead": "Topics that more sources than usual wrote about, and their last {n} weeks.",
            "empty": "No trend data yet. It appears after the next run of attention fetch.",
            "week": "Week {week} ({start})",
            "sources_n": "{n} sources",
            "change": "Change vs average",
            "chart_text": "{topic}: sources per week, oldest ({first}) to newest ({last}): "
            "{counts}",
            "no_topics": "No topic reached the minimum number of sources this week.",
            "updated": "Updated: {date}",
            "discovered": "discovered automatically",
        },
        "it": {
            "lead": "I temi di cui hanno scritto più fonti del solito, e le loro ultime {n} "
            "settimane.",
            "empty": "Ancora nessun dato sulle tendenze: arriverà con il prossimo attention fetch.",
            "week": "Settimana {week} ({start})",
            "sources_n": "{n} fonti",
            "change": "Variazione sulla media",
            "chart_text": "{topic}: fonti per settimana, dalla più vecchia ({first}) alla più "
            "recente ({last}): {counts}",
            "no_topics": "Nessun tema ha raggiunto il numero minimo di fonti questa settimana.",
            "updated": "Aggiornato: {date}",
            "discovered": "individuato automaticamente",
        },
    },
}


@lru_cache(maxsize=64)
def is_known_language(lang: str) -> bool:
    """True when Babel knows ``lang`` (e.g. ``he``, ``en``, ``it``)."""
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


@lru_cache(maxsize=64)
def text_direction(lang: str | None) -> str:
    """Return ``"rtl"`` or ``"ltr"`` for a language code, from Babel's locale data."""
    if not lang or not is_known_language(lang):
        return "ltr"
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"


def localdate(value: dt.date | dt.datetime, lang: str | None, fmt: str = "medium") -> str:
    """Format a date in ``lang`` with Babel: Hebrew "12 בספט׳ 2025", English "Sep 12, 2025"."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return _format_day(day, _locale_name(lang), fmt)


@lru_cache(maxsize=4096)
def _format_day(day: dt.date, locale: str, fmt: str) -> str:
    # Listings show the same dates over and over: Babel's formatting is worth caching.
    return format_date(day, format=fmt, locale=locale)


def reading_minutes(html_or_text: str) -> int:
    """Minutes needed to read a text (HTML tags ignored), at least one."""
    return max(1, math.ceil(word_count(_TAG.sub(" ", html_or_text)) / WORDS_PER_MINUTE))


def word_count(text: str) -> int:
    """The number of ``\\w+`` runs in ``text``.

    Most whitespace-separated tokens are one run (``str.isalnum`` is ``\\w`` without ``_``);
    only the others (punctuation, "ב-Instagram") go through the regex: half the cost of
    matching every letter of every post with it.
    """
    tokens = text.split()
    rest = list(filterfalse(str.isalnum, tokens))
    return len(tokens) - len(rest) + len(_WORD.findall(" ".join(rest)))


@lru_cache(maxsize=512)
def reading_time_label(minutes: int, lang: str | None) -> str:
    """ "זמן קריאה 9 דקות", "9 min read", "9 minuti di lettura"."""
    locale = _locale_name(lang)
    length = "short" if locale == "en" else "long"
    duration = format_unit(minutes, "duration-minute", length=length, locale=locale)
    return translate("reading_time", lang, duration=duration)


def translate(key: str, lang: str | None, **values: object) -> str:
    """The interface string ``key`` in ``lang`` (English when missing), formatted with values."""
    strings = UI_STRINGS.get(_locale_name(lang), UI_STRINGS[FALLBACK_LANGUAGE])
    text = strings.get(key) or UI_STRINGS[FALLBACK_LANGUAGE].get(key, key)
    return text.format(**values) if values else text


def catalogue(name: str, lang: str | None) -> dict[str, str]:
    """All strings of catalogue ``name`` (``email``, ``trends``) in ``lang``, English if missing."""
    strings = CATALOGUES[name]
    return strings.get(_locale_name(lang)) or strings[FALLBACK_LANGUAGE]


def _locale_name(lang: str | None) -> str:
    return lang if lang and is_known_language(lang) else FALLBACK_LANGUAGE
