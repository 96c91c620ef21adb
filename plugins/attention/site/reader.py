"""Attention's Markdown reader: Pelican's, plus metadata checks, digest URLs and reading time.

A file with bad metadata is reported in one line naming the file and the field, and the build
fails once every file has been read (see :mod:`attention.site.buildcheck`).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from attention.bidi import anchor_latin_punctuation, mark_block_directions
from attention.i18n import reading_minutes, text_direction
from attention.site import metadata as checks
from attention.site.navigation import toc_items

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGES = ("he", "en", "it")
# Where Python-Markdown's meta extension registers its preprocessor (Pelican deregisters it
# while converting formatted metadata such as Summary, so we put it back between files).
META_PREPROCESSOR_PRIORITY = 27


class AttentionMarkdownReader(MarkdownReader):
    """Markdown reader that validates metadata and adds ``issue`` and ``reading_time``.

    It also reuses one ``Markdown`` instance for every file (reset between files) where
    Pelican builds a new one per file: loading the extensions is a sixth of reading time.
    """

    _shared_markdown: Markdown | None = None

    def process_metadata(self, name: str, value: Any) -> Any:
        """Pelican's processing, with errors that name the field."""
        try:
            return super().process_metadata(name, value)
        except ValueError as error:
            raise checks.MetadataError(f"{name.capitalize()}: {error}") from None

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Read one file; on bad metadata log one line naming file and field, then re-raise."""
        try:
            content, metadata = self.convert(source_path)
            self._complete(source_path, content, metadata)
            lang = metadata.get("lang") or self.settings.get("DEFAULT_LANG")
            direction = text_direction(lang)
            content = mark_block_directions(content, direction)
            if direction == "rtl" and metadata.get("summary"):
                metadata["summary"] = anchor_latin_punctuation(metadata["summary"])
        except checks.MetadataError as error:
            logger.error("%s: %s", _display_path(source_path, self.settings), error)
            raise
        return content, metadata

    def convert(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Pelican's Markdown reading (HTML and processed metadata) on the shared instance."""
        self._source_path = source_path
        self._md = self._markdown()
        with pelican_open(source_path) as text:
            content = self._md.convert(text)
        metadata = self._parse_metadata(self._md.Meta) if hasattr(self._md, "Meta") else {}
        return content, metadata

    def _markdown(self) -> Markdown:
        markdown = self._shared_markdown
        if markdown is None:
            markdown = self._shared_markdown = Markdown(**self.settings["MARKDOWN"])
            self._meta_preprocessor = markdown.preprocessors["meta"]
            return markdown
        markdown.reset()
        if "meta" not in markdown.preprocessors:
            markdown.preprocessors.register(
                self._meta_preprocessor, "meta", META_PREPROCESSOR_PRIORITY
            )
        return markdown

    def _complete(self, source_path: str, content: str, metadata: dict[str, Any]) -> None:
        languages = tuple(self.settings.get("ATTENTION_LANGUAGES", DEFAULT_LANGUAGES))
        checks.check_title(metadata)
        checks.check_date(metadata, is_article=_is_article(source_path, self.settings))
        checks.check_language(metadata, languages)
        checks.check_slug(metadata)
        slugs = self.settings.get("SLUGS", {})
        default_author = self.settings.get("AUTHOR")
        if not metadata.get("author") and not metadata.get("authors") and default_author in slugs:
            # Pelican would slugify the default AUTHOR itself ("mykhl-brk"): a second author page.
            metadata["author"] = self.process_metadata("author", default_author)
        for author in metadata.get("authors", []) or []:
            _apply_slug(author, "Authors", slugs)
        if "author" in metadata:
            _apply_slug(metadata["author"], "Author", slugs)
        for tag in metadata.get("tags", []) or []:
            _apply_slug(tag, "Tags", slugs)
        if "category" in metadata:
            _apply_slug(metadata["category"], "Category", slugs)
        issue = checks.parse_issue(metadata)
        if issue is not None:
            metadata["issue"] = issue
            if "url" not in metadata and "slug" in metadata:
                _set_digest_location(metadata, issue, self.settings)
        metadata["reading_time"] = reading_minutes(content)
        if issue is not None:
            metadata["toc_items"] = toc_items(content)


def _apply_slug(wrapper: Any, field: str, slugs: dict[str, str]) -> None:
    slug = checks.taxonomy_slug(str(wrapper.name), field, slugs)
    if slug is not None:
        wrapper.slug = slug


def _set_digest_location(metadata: dict[str, Any], issue: int, settings: dict[str, Any]) -> None:
    """Digests live at ``digests/<issue>-<slug>/``; translations under their language."""
    path = f"digests/{issue}-{metadata['slug']}/"
    if str(metadata.get("translation", "")).lower() == "true":
        path = f"{metadata.get('lang', settings.get('DEFAULT_LANG'))}/{path}"
    status = str(metadata.get("status", "published"))
    if status == "draft":
        if not settings.get("DRAFT_SAVE_AS"):
            return
        path = f"drafts/{path}"
    metadata["url"] = path
    metadata["save_as"] = f"{path}index.html"


def _is_article(source_path: str, settings: dict[str, Any]) -> bool:
    """True for a file under one of ``ARTICLE_PATHS`` and not under ``PAGE_PATHS``."""
    root = os.path.abspath(settings.get("PATH", "."))
    relative = os.path.relpath(os.path.abspath(source_path), root).replace(os.sep, "/")

    def under(folders: list[str]) -> bool:
        return any(
            relative.startswith(folder.rstrip("/") + "/") or not folder for folder in folders
        )

    if under(settings.get("PAGE_PATHS", ["pages"])):
        return False
    return under(settings.get("ARTICLE_PATHS", [""]))


def _display_path(source_path: str, settings: dict[str, Any]) -> str:
    base = os.path.dirname(os.path.abspath(settings.get("PATH", ".")))
    path = os.path.abspath(source_path)
    return os.path.relpath(path, base) if path.startswith(base) else source_path


def add_reader(readers: Any) -> None:
    """``readers_init`` receiver: use our reader for Markdown files."""
    for extension in AttentionMarkdownReader.file_extensions:
        readers.reader_classes[extension] = AttentionMarkdownReader
