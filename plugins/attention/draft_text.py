"""The fixed text of a digest draft, per language (headings, placeholders, notes).

The draft writer (:mod:`attention.digest`) uses all of it; the build
(:mod:`attention.site.digests`) looks for the placeholders a writer forgot to replace.
"""

from __future__ import annotations

# Placeholders the writer is expected to replace before publishing.
PLACEHOLDERS = ("intro", "summary", "commentary")

LABELS: dict[str, dict[str, str]] = {
    "he": {
        "intro": "_(פתיחה: שניים־שלושה משפטים על השבוע.)_",
        "summary": "טיוטה: סיכום הגיליון ייכתב כאן.",
        "trends": "מגמות השבוע",
        "rank": "#",
        "topic": "נושא",
        "sources": "מקורות",
        "change": "שינוי מול הבסיס",
        "commentary": "_(פרשנות: מה זה אומר לקוראים?)_",
        "other": "עוד השבוע",
        "also": "גם ב־",
        "empty": "לא נאספו פריטים לשבוע {week}. הריצו `attention fetch` ונסו שוב, "
        "או כתבו את הגיליון ידנית.",
        "no_trends": "אין השבוע נושא שמופיע ב־{min} מקורות לפחות.",
        "why": "{n} מקורות: {names}; ממוצע {weeks} השבועות הקודמים: {baseline}",
    },
    "en": {
        "intro": "_(Intro: two or three sentences on the week.)_",
        "summary": "Draft: the issue summary goes here.",
        "trends": "Trends this week",
        "rank": "#",
        "topic": "Topic",
        "sources": "Sources",
        "change": "Change vs baseline",
        "commentary": "_(Commentary: what does this mean for readers?)_",
        "other": "Other items",
        "also": "also in ",
        "empty": "No entries were fetched for {week}. Run `attention fetch` and try again, "
        "or write this issue by hand.",
        "no_trends": "No topic reached {min} sources this week.",
        "why": "{n} sources: {names}; mean of the previous {weeks} weeks: {baseline}",
    },
    "it": {
        "intro": "_(Introduzione: due o tre frasi sulla settimana.)_",
        "summary": "Bozza: qui va il sommario del numero.",
        "trends": "Le tendenze della settimana",
        "rank": "#",
        "topic": "Tema",
        "sources": "Fonti",
        "change": "Variazione sulla media",
        "commentary": "_(Commento: che cosa significa per chi legge?)_",
        "other": "Altre notizie",
        "also": "anche su ",
        "empty": "Nessuna notizia raccolta per la settimana {week}. Lancia `attention fetch` e "
        "riprova, oppure scrivi il numero a mano.",
        "no_trends": "Nessun tema ha raggiunto {min} fonti questa settimana.",
        "why": "{n} fonti: {names}; media delle {weeks} settimane precedenti: {baseline}",
    },
}
