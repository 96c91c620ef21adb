"""Our Markdown reader reads exactly what Pelican's reads, with one reused Markdown instance."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from pelican.readers import MarkdownReader

from attention.site.reader import AttentionMarkdownReader
from sitebuild import REPO, site_settings


def _load_bench_generator():
    spec = importlib.util.spec_from_file_location("bench_build", REPO / "bench" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


generate = _load_bench_generator()


def sources(tmp_path: Path) -> list[Path]:
    """The sample content plus synthetic posts (headings, lists, links, footnote-free)."""
    generate(tmp_path / "synthetic", 40)
    files = sorted((REPO / "content").rglob("*.md")) + sorted(tmp_path.rglob("*.md"))
    extra = tmp_path / "footnotes.md"
    extra.write_text(
        "Title: Notes\nSlug: notes\nLang: en\nSummary: *short* summary\n\n"
        "Text[^1] and an *abbr*.\n\n[^1]: The note.\n\n*[abbr]: abbreviation\n",
        encoding="utf-8",
    )
    return [extra, *files, extra]


def test_shared_markdown_instance_reads_like_a_fresh_one(tmp_path: Path) -> None:
    settings = site_settings(REPO / "content", tmp_path / "out")
    ours = AttentionMarkdownReader(settings)
    assert len(sources(tmp_path)) > 40
    for path in sources(tmp_path):
        expected_content, expected_meta = MarkdownReader(settings).read(str(path))
        content, meta = ours.convert(str(path))
        assert content == expected_content, path
        assert {k: str(v) for k, v in meta.items()} == {
            k: str(v) for k, v in expected_meta.items()
        }, path


@pytest.mark.parametrize("repeat", [2])
def test_metadata_is_read_again_after_a_formatted_summary(tmp_path: Path, repeat: int) -> None:
    settings = site_settings(REPO / "content", tmp_path / "out")
    ours = AttentionMarkdownReader(settings)
    path = tmp_path / "a.md"
    path.write_text("Title: A\nSlug: a\nSummary: one *two*\n\nBody.\n", encoding="utf-8")
    for _ in range(repeat):
        _, meta = ours.convert(str(path))
        assert meta["title"] == "A" and "<em>two</em>" in meta["summary"]


def test_article_without_authors_gets_the_default_authors_slug_from_slugs(tmp_path: Path) -> None:
    settings = site_settings(REPO / "content", tmp_path / "out")
    assert settings["SLUGS"][settings["AUTHOR"]] == "michal-barak"
    path = tmp_path / "stub.md"
    path.write_text("Title: T\nSlug: t\nLang: he\n\nגוף.\n", encoding="utf-8")
    _, meta = AttentionMarkdownReader(settings).read(str(path))
    assert meta["author"].name == settings["AUTHOR"]
    assert meta["author"].slug == "michal-barak"
