"""Build-time email editions: ``output/email/<issue>-<slug>/`` for every digest.

A translation shares its original's issue number and slug, so its folder adds the language:
``<issue>-<slug>-<lang>/``. A digest that is simply written in another language (not a
translation) gets the plain ``<issue>-<slug>/`` like any other.

Each folder holds ``index.html`` (600 px table layout, CSS inlined with css-inline, RTL repeated
inline for Gmail, valid HTML for the Nu checker), ``index.txt`` (the same content as text, links
as numbered footnotes) and ``edition.json`` (what ``attention send`` needs: subject, issue,
language, status, URL). The source is the digest's own HTML, the one the web page shows. An
edition over the size budget (``EMAIL_MAX_BYTES``, 90 KB: Gmail clips at 102 KB) is a build
warning naming the digest.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import css_inline
import jinja2
from markupsafe import Markup

from attention import i18n
from attention.atomic import atomic_write
from attention.email.plaintext import html_to_text
from attention.email.transform import break_long_lines, mixed_direction, prepare_content
from attention.send.base import UNSUBSCRIBE_PLACEHOLDER

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 90 * 1024
DIGEST_CATEGORY = "digest"

_TAG = re.compile(r"<[^>]+>")


def is_digest(article: Any) -> bool:
    """A digest: category ``digest`` with an issue number."""
    category = getattr(article, "category", None)
    slug = getattr(category, "slug", None) or str(category or "")
    return slug == DIGEST_CATEGORY and article.metadata.get("issue") is not None


def is_translation(article: Any) -> bool:
    """True for a digest marked ``Translation: true`` (Pelican's own marker)."""
    return str(article.metadata.get("translation", "")).lower() == "true"


def edition_key(article: Any) -> str:
    """``<issue>-<slug>``, plus ``-<lang>`` for a translation (it shares issue and slug with its
    original; any other digest has a slug of its own, which the build checks)."""
    key = f"{int(article.metadata['issue'])}-{article.slug}"
    return f"{key}-{article.lang}" if is_translation(article) else key


def plain(markup: str) -> str:
    """Text of a little HTML (titles, summaries)."""
    return " ".join(html.unescape(_TAG.sub(" ", markup or "")).split())


class EditionRenderer:
    """Renders editions with the Jinja templates in ``theme/templates/email/``."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        folder = settings.get("EMAIL_TEMPLATES") or os.path.join(
            settings.get("THEME", ""), "templates", "email"
        )
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        self.site_url = email_site_url(settings)
        self.default_lang = str(settings.get("DEFAULT_LANG") or "he")
        self.max_bytes = int(settings.get("EMAIL_MAX_BYTES") or DEFAULT_MAX_BYTES)
        self.inliner = css_inline.CSSInliner(
            keep_at_rules=True, load_remote_stylesheets=False, apply_width_attributes=False
        )

    def context(self, article: Any) -> dict[str, Any]:
        """Everything the two templates need for one digest."""
        lang = getattr(article, "lang", None) or self.default_lang
        direction = i18n.text_direction(lang)
        base = self.site_url.rstrip("/")
        web_url = f"{base}/{article.url}" if base else article.url
        names = self.settings.get("NEWSLETTER_NAME") or {}
        newsletter = names.get(lang) or str(self.settings.get("SITENAME", ""))
        strings = {k: v.format(name=newsletter) for k, v in i18n.catalogue("email", lang).items()}
        issue = int(article.metadata["issue"])
        minutes = article.metadata.get("reading_time")
        content = article.get_content(base) if base else article.content
        return {
            "lang": lang,
            "dir": direction,
            "start": "right" if direction == "rtl" else "left",
            "end": "left" if direction == "rtl" else "right",
            "title": plain(article.title),
            "title_dir": mixed_direction(plain(article.title), direction) or "auto",
            "subject": plain(article.title),
            "preheader": plain(getattr(article, "summary", "") or "")[:200],
            "issue": issue,
            "issue_label": i18n.translate("issue", lang, number=issue),
            "date": i18n.localdate(article.date, lang, "long"),
            "reading": i18n.reading_time_label(int(minutes), lang) if minutes else "",
            "web_url": web_url,
            "site_url": f"{base}/" if base else "",
            "newsletter": newsletter,
            "contact": self.settings.get("CONTACT_EMAIL", ""),
            "strings": strings,
            "content": Markup(prepare_content(content, web_url if base else "", direction)),
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        }

    def render(self, article: Any) -> tuple[str, str, dict[str, Any]]:
        """``(html, text, context)`` for one digest."""
        ctx = self.context(article)
        page = self.env.get_template("edition.html").render(ctx)
        page = break_long_lines(self.inliner.inline(page))
        own_sections = f"{ctx['web_url']}#"
        body = html_to_text(str(ctx["content"]), ctx["strings"]["links"], own_sections)
        text = self.env.get_template("edition.txt").render({**ctx, "body": body.rstrip()})
        return page, text.rstrip() + "\n", ctx

    def write(self, article: Any, output_path: Path) -> Path:
        """Write one edition folder atomically (file by file); return the folder."""
        key = edition_key(article)
        page, text, ctx = self.render(article)
        folder = output_path / "email" / key
        folder.mkdir(parents=True, exist_ok=True)
        meta = {
            "key": key,
            "issue": ctx["issue"],
            "slug": article.slug,
            "lang": ctx["lang"],
            "title": ctx["title"],
            "subject": ctx["subject"],
            "status": str(getattr(article, "status", "published")),
            "translation": is_translation(article),
            "url": ctx["web_url"],
            "date": article.date.isoformat(),
            "html_bytes": len(page.encode("utf-8")),
        }
        _write_if_changed(folder / "index.html", page)
        _write_if_changed(folder / "index.txt", text)
        _write_if_changed(folder / "edition.json", json.dumps(meta, ensure_ascii=False, indent=1))
        size = meta["html_bytes"]
        if size > self.max_bytes:
            logger.warning(
                "email: %s is %.1f KB, over the %d KB budget (Gmail clips messages at 102 KB): %s",
                key,
                size / 1024,
                self.max_bytes // 1024,
                getattr(article, "source_path", key),
            )
        return folder


def _write_if_changed(path: Path, text: str) -> None:
    """Atomic write, skipped when the file already holds exactly ``text``: a rebuild leaves the
    editions that did not change alone (no temp file, no rename, the old mtime)."""
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return
    except OSError:
        pass
    atomic_write(path, text)


def email_site_url(settings: dict[str, Any]) -> str:
    """The absolute base of links in an email: ``SITEURL`` when it is absolute (production),
    else ``EMAIL_SITEURL`` (development builds use relative URLs for the site itself)."""
    site = str(settings.get("SITEURL") or "")
    if site.startswith(("https://", "http://")):
        return site.rstrip("/")
    return str(settings.get("EMAIL_SITEURL") or "").rstrip("/")


def digests_to_send(generator: Any) -> Iterable[Any]:
    """The digests of an articles generator, drafts only when the build writes drafts."""
    settings = generator.settings
    include_drafts = settings.get("EMAIL_INCLUDE_DRAFTS")
    if include_drafts is None:
        include_drafts = bool(settings.get("DRAFT_SAVE_AS"))
    groups = [generator.articles, generator.translations]
    if include_drafts:
        groups += [getattr(generator, "drafts", []), getattr(generator, "drafts_translations", [])]
    for group in groups:
        for article in group:
            if is_digest(article):
                yield article


def write_editions(generators: list[Any]) -> None:
    """``all_generators_finalized`` receiver: one email edition per digest."""
    for generator in generators:
        if not hasattr(generator, "translations") or not hasattr(generator, "articles"):
            continue
        settings = generator.settings
        if settings.get("EMAIL_EDITIONS") is False:
            return
        renderer = EditionRenderer(settings)
        if not renderer.site_url:
            logger.warning(
                "email: neither SITEURL nor EMAIL_SITEURL is an absolute URL;"
                " links in the email editions stay relative"
            )
        output = Path(generator.output_path)
        count = 0
        for article in digests_to_send(generator):
            try:
                renderer.write(article, output)
                count += 1
            except (jinja2.TemplateError, OSError, ValueError) as exc:
                logger.error(
                    "email: cannot build the edition of %s: %s",
                    getattr(article, "source_path", article),
                    exc,
                )
        logger.info("email: %d edition(s) in %s", count, output / "email")
