"""Text normalisation for trend counting: tokens, stopwords, lemmas, Hebrew prefixes, elisions.

Hebrew writes the prepositions and articles ב ה ו כ ל מ ש (and chains such as וה, שב, ול) as
prefixes of the next word: "בלינקדאין" and "ללינקדאין" are both "לינקדאין". Stripping them
blindly turns ordinary words into nonsense ("מלון" is not "לון"), so the rule here is
conservative: a word the lemmatizer knows is left to the lemmatizer (simplemma knows "הרשתות"
and "מלון"); an unknown word loses a prefix only when the stripped form is itself attested,
either in the corpus as a standalone word or in a topic alias.

Latin-script words are folded for both English and Italian: Italian elisions ("l'", "dell'",
"nell'") and English possessives ("LinkedIn's") are removed, and a lemma is accepted only when it
merely trims an inflection ("platforms" -> "platform", "piattaforme" -> "piattaforma"), never
when it rewrites the word ("media" -> "medium", "AI" -> "be").

"AI" is the one word where English and Italian collide: Italian "ai" is "to the" ("Bonus ai
negozi"), English headlines and Hebrew text write the acronym as "AI" and sometimes "ai" or "Ai".
So: "AI" in capitals is the acronym in every language (Italian writes the preposition in lower
case, or "Ai" at the start of a title); "ai"/"Ai" is the acronym only in English and Hebrew
entries, where it cannot be anything else; in Italian (and any other language, e.g. French
"j'ai") it stays a stopword. A title written all in capitals in Italian is the known blind spot.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from itertools import pairwise

import simplemma

logger = logging.getLogger(__name__)


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


HEBREW_LETTERS = "\u05d0-\u05ea"
NIQQUD = "\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7"  # points and cantillation
_HEBREW_WORD = rf"[{HEBREW_LETTERS}][{HEBREW_LETTERS}{NIQQUD}]*"
_TOKEN_RE = re.compile(
    rf"{_HEBREW_WORD}(?:['\u05f3\"\u05f4]{_HEBREW_WORD})*['\u05f3]?"
    r"|[^\W_\u0590-\u05ff]+(?:['\u2019\u02bc][^\W_\u0590-\u05ff]+)*"
)
_HEBREW_RE = re.compile(rf"[{HEBREW_LETTERS}]")
_NIQQUD_RE = re.compile(rf"[{NIQQUD}]")
_APOSTROPHES = "'\u2019\u02bc"

# Prefix chains, longest first: optional ו, optional ש / כש, optional one of ה ב כ ל מ.
_HEBREW_PREFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            vav + she + letter
            for vav in ("", "ו")
            for she in ("", "ש", "כש")
            for letter in ("", "ה", "ב", "כ", "ל", "מ")
            if vav + she + letter
        },
        key=len,
        reverse=True,
    )
)
MIN_STEM = 3
LOWERCASE_AI_LANGUAGES = frozenset({"en", "he"})
# Where a phrase cannot continue: punctuation between two words, a spaced dash, a full stop
# that ends a sentence, a quotation mark at a word's edge (צה"ל keeps its inner one).
_PHRASE_BREAK = re.compile(
    r"[,;:!?|()\[\]{}/\u201c\u201d\u201e\u00ab\u00bb\u2026\u2013\u2014]"
    r"|\s-\s|\.(?=\s|$)|(?:^|(?<=\s))\"|\"(?=\s|$)"
)

ITALIAN_ELISIONS = _wordset(
    "l d un dell all dall nell sull coll quell bell sant c m t s v n tutt buon nessun"
    " quest grand po"
)
ENGLISH_CLITICS = frozenset({"s", "t", "ll", "re", "ve", "d", "m"})

STOPWORDS_EN = _wordset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its just me more
    most my no nor not now of off on once only or other our out over own same she should so some
    such than that the their them then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    new says say said get gets got make makes made way ways week weeks year years day days time
    one two three first last next best top now here via amid still back big how's what's
    report reports update updates news today yesterday tomorrow vs per like just inside
    behind across around without within"""
)
STOPWORDS_IT = _wordset(
    """a ad al allo alla ai agli alle anche avere aveva c che chi ci come con contro cosa cui da dal
    dallo dalla dai dagli dalle de del dello della dei degli delle di dove e ed è era essere fa
    fra gli ha hanno ho i il in io la le lei li lo loro lui ma me mi molto ne nei negli nel nello
    nella nelle no noi non nostro o per perché più poi quale quando quanto quella quelle quelli
    quello questa queste questi questo se sei si sia siamo sono su sul sullo sulla sui sugli
    sulle suo sua suoi sue tra tu tutti tutto un una uno vi voi già ancora oggi ieri domani
    nuovo nuova nuovi nuove anno anni settimana giorno giorni ecco cos come mentre dopo prima
    sempre solo stato stata fare"""
)
STOPWORDS_HE = _wordset(
    """של את על עם זה זו זאת הוא היא הם הן אני אנחנו אתה את אתם לא כן גם או אבל כי אם רק כל
    יש אין היה היתה הייתה היו יהיה להיות מה מי איך למה מתי איפה כמו יותר פחות מאוד עוד כבר
    אחד אחת שני שתי שלו שלה שלהם שלנו אלה אלו אותו אותה אותם לו לה להם לנו בין אחרי לפני
    תחת מול בלי בגלל כדי אז עכשיו היום אתמול מחר שבוע השבוע שנה השנה חדש חדשה חדשים חדשות
    הזה הזאת האלה זהו כך ככה אך ואת וגם ולא שלא מן אל עד אצל"""
)
STOPWORDS_LATIN = STOPWORDS_EN | STOPWORDS_IT


def is_hebrew(token: str) -> bool:
    """True when the token is written in Hebrew script."""
    return bool(_HEBREW_RE.match(token))


def raw_tokens(text: str) -> list[str]:
    """Split text into word tokens (case kept); Hebrew and Latin runs are separate tokens.

    "בLinkedIn" gives "ב" and "LinkedIn"; "ב-LinkedIn" the same; "dell'AI" stays one token
    (elisions are removed by :class:`Normalizer`). A pointed Hebrew word stays one token (its
    niqqud is dropped by :class:`Normalizer`).
    """
    return _TOKEN_RE.findall(text)


def token_runs(text: str) -> list[list[str]]:
    """The raw tokens of ``text`` in runs that punctuation separates (joined: ``raw_tokens``).

    "Threads ads: first results" gives [["Threads", "ads"], ["first", "results"]].
    """
    return [_TOKEN_RE.findall(chunk) for chunk in _PHRASE_BREAK.split(text)]


def adjacent_pairs(text: str) -> list[tuple[str, str]]:
    """Pairs of raw tokens written next to each other with no punctuation between them.

    "Threads ads: first results" gives ("Threads", "ads"), ("first", "results") but not
    ("ads", "first"). The candidates for two-word phrases.
    """
    return [pair for run in token_runs(text) for pair in pairwise(run)]


def _strip_apostrophes(token: str) -> str:
    """Drop an Italian elided article or an English clitic (any case; the case is kept)."""
    for mark in _APOSTROPHES:
        if mark in token:
            head, _, tail = token.partition(mark)
            if head.lower() in ITALIAN_ELISIONS and tail:
                return _strip_apostrophes(tail)
            if tail.lower() in ENGLISH_CLITICS:
                return head
            return head + tail
    return token


def _trims_inflection(word: str, lemma: str) -> bool:
    """True when ``lemma`` only trims or swaps a short ending of ``word`` ("testing" -> "test")."""
    if len(word) < 4 or len(lemma) < MIN_STEM or len(lemma) > len(word):
        return False
    keep = len(word) - (3 if len(word) >= 6 else 2)
    return lemma[:keep] == word[:keep]


class Normalizer:
    """Maps raw tokens to the terms counted by :mod:`attention.trends`.

    ``attested`` is the set of raw standalone words seen in the corpus plus every alias word:
    a Hebrew prefix is stripped only when what remains is in it. Results are cached per
    (token, language) on the instance, so a whole corpus costs one lemmatizer call per word.
    """

    def __init__(self, attested: Iterable[str] = ()) -> None:
        self.attested: set[str] = {word.lower() for word in attested}
        self._cache: dict[tuple[str, str], str] = {}
        self._written: dict[tuple[str, str], str] = {}

    def attest(self, words: Iterable[str]) -> None:
        """Add standalone words (raw tokens) to the attested vocabulary."""
        self.attested.update(_NIQQUD_RE.sub("", word.lower()) for word in words)
        self._cache.clear()
        self._written.clear()

    def term(self, token: str, language: str = "en") -> str:
        """The normalised form of one raw token, or "" when it is a stopword or too short.

        An all-capitals Latin token is an acronym ("AI", "US"): kept, never a stopword. Lower-case
        "ai" is the acronym only in English and Hebrew entries (see the module docstring).
        """
        key = (token, language)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._normalise(token, language)
        return cached

    def terms(self, text: str, language: str = "en") -> list[str]:
        """Normalised, stopword-free terms of a text, in order."""
        out = []
        for token in raw_tokens(text):
            term = self.term(token, language)
            if term:
                out.append(term)
        return out

    def written(self, token: str, language: str = "en") -> str:
        """The token as written, minus what :meth:`term` folds away around the word itself.

        Italian elided articles and English clitics go, and a Hebrew prefix goes when what remains
        is a word (known or attested) with the same term ("המסחר" -> "מסחר", "מלון" stays). The
        case and inflection are kept ("AI Overviews"): this is what a reader is shown.
        """
        key = (token, language)
        cached = self._written.get(key)
        if cached is None:
            cached = self._written[key] = self._written_form(token, language)
        return cached

    def _written_form(self, token: str, language: str) -> str:
        if not is_hebrew(token):
            return _strip_apostrophes(token)
        word = _NIQQUD_RE.sub("", token).rstrip("'\u05f3")
        term = self.term(token, language)
        if term:
            for prefix in _HEBREW_PREFIXES:
                stem = word[len(prefix) :]
                if not word.startswith(prefix) or len(stem) < MIN_STEM:
                    continue
                attested = stem in self.attested or simplemma.is_known(stem, lang="he")
                if attested and self._hebrew(stem) == term:
                    return stem
        return word

    def _normalise(self, token: str, language: str) -> str:
        if token.isdigit():
            return ""
        if is_hebrew(token):
            return self._hebrew(_NIQQUD_RE.sub("", token).rstrip("'\u05f3"))
        acronym = _strip_apostrophes(token)
        if len(acronym) >= 2 and acronym.isupper():
            return acronym.lower()
        token = _strip_apostrophes(token.lower())
        if token == "ai" and language.partition("-")[0].lower() in LOWERCASE_AI_LANGUAGES:
            return token
        if len(token) < 2 or token in STOPWORDS_LATIN:
            return ""
        lang = "it" if language.startswith("it") else "en"
        lemma = simplemma.lemmatize(token, lang=lang)
        return lemma if lemma != token and _trims_inflection(token, lemma) else token

    def _hebrew(self, token: str) -> str:
        if len(token) < 2 or token in STOPWORDS_HE:
            return ""
        if not simplemma.is_known(token, lang="he"):
            for prefix in _HEBREW_PREFIXES:
                stem = token[len(prefix) :]
                if token.startswith(prefix) and len(stem) >= MIN_STEM and stem in self.attested:
                    return self._hebrew(stem)
        lemma = simplemma.lemmatize(token, lang="he")
        return "" if lemma in STOPWORDS_HE else lemma
