"""The devserver's setting: every build ends with a fresh search index, other builds have none."""

from __future__ import annotations

import json
from pathlib import Path

from attention.search_on_build import SETTING
from sitebuild import REPO, build, write_article

BRIEF = """Title: Search while writing
Date: 2026-11-20 10:00
Lang: en
Slug: search-while-writing

The word {word} should be findable right after a rebuild.
"""


def _indexed_pages(output: Path) -> int:
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    return sum(language["page_count"] for language in entry["languages"].values())


def test_build_with_the_setting_indexes_and_rebuild_refreshes(tmp_path: Path) -> None:
    content, output = tmp_path / "content", tmp_path / "output"
    write_article(content, "briefs/first.md", BRIEF.format(word="marmalade"))
    build(content, output, ATTENTION_SEARCH_ON_BUILD=True)
    assert _indexed_pages(output) == 1
    write_article(content, "briefs/second.md", BRIEF.format(word="quince").replace("writing", "2"))
    build(content, output, ATTENTION_SEARCH_ON_BUILD=True)  # what an autoreload rebuild does
    assert _indexed_pages(output) == 2


def test_ordinary_build_leaves_indexing_to_make_html(tmp_path: Path) -> None:
    content, output = tmp_path / "content", tmp_path / "output"
    write_article(content, "briefs/first.md", BRIEF.format(word="marmalade"))
    build(content, output)
    assert (output / "feeds" / "all.atom.xml").is_file()  # the plugin did run
    assert not (output / "pagefind").exists()


def test_make_devserver_turns_the_setting_on() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ndevserver:", 1)[1].split("\n\n", 1)[0]
    assert f"-e {SETTING}=true" in recipe
