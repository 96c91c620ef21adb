"""Bad input fails the build with one clear line; good edge cases still build."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from attention.site.buildcheck import BuildError
from sitebuild import REPO, build, build_cli, write_article

GOOD = """Title: קשב #9: בדיקה
Date: 2026-11-20T08:00:00+02:00
Lang: he
Slug: {slug}
Issue: {issue}
Category: digest
Tags: linkedin
Authors: מיכל ברק

גוף הגיליון.
"""


def brief(title: str = "A brief", extra: str = "", slug: str = "a-brief") -> str:
    return f"Title: {title}\nDate: 2026-11-20 10:00\nLang: en\nSlug: {slug}\n{extra}\nBody text.\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    directory = tmp_path / "content"
    write_article(directory, "digests/9-test.md", GOOD.format(slug="test", issue=9))
    return directory


def failing_build(content: Path, output: Path, caplog: pytest.LogCaptureFixture) -> str:
    caplog.set_level(logging.ERROR)
    with pytest.raises(BuildError):
        build(content, output)
    return "\n".join(record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("source", "field"),
    [
        (brief().replace("2026-11-20 10:00", "2026-13-45 25:99"), "Date:"),
        (brief().replace("Date: 2026-11-20 10:00\n", ""), "Date:"),
        (brief().replace("Lang: en", "Lang: klingon"), "Lang:"),
        (brief().replace("Title: A brief\n", ""), "Title:"),
        (brief(title="תקציר בעברית").replace("Slug: a-brief\n", ""), "Slug:"),
        (brief().replace("Slug: a-brief", "Slug: Not ASCII שלום"), "Slug:"),
        (brief(title="!!! ???").replace("Slug: a-brief\n", ""), "Slug:"),
        (brief(extra="Authors: דנה כהן"), "Authors:"),
        (brief(extra="Category: digest"), "Issue:"),
        (brief(extra="Category: digest\nIssue: seven"), "Issue:"),
    ],
)
def test_bad_metadata_fails_the_build_naming_file_and_field(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, source: str, field: str
) -> None:
    write_article(content, "briefs/bad-one.md", source)
    messages = failing_build(content, tmp_path / "out", caplog)
    lines = [line for line in messages.splitlines() if "bad-one.md" in line and field in line]
    assert lines, messages
    assert "Traceback" not in messages
    assert not (tmp_path / "out" / "index.html").exists()


def test_bad_metadata_fails_the_pelican_command_with_one_line(
    content: Path, tmp_path: Path
) -> None:
    write_article(
        content, "briefs/bad-date.md", brief().replace("2026-11-20 10:00", "yesterday-ish")
    )
    result = build_cli(content, tmp_path / "out")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "bad-date.md: Date:" in " ".join(output.split())
    assert "Traceback" not in output


def test_colliding_slugs_fail_naming_both_files(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_article(content, "briefs/one.md", brief(slug="same"))
    write_article(content, "briefs/two.md", brief(title="Another", slug="same"))
    messages = failing_build(content, tmp_path / "out", caplog)
    assert "one.md" in messages and "two.md" in messages and "Slug:" in messages


def test_empty_content_still_builds(tmp_path: Path) -> None:
    empty = tmp_path / "content"
    empty.mkdir()
    output = build(empty, tmp_path / "out")
    assert (output / "index.html").is_file()
    assert (output / "feeds" / "all.atom.xml").is_file()


def test_publish_build_writes_no_draft(tmp_path: Path) -> None:
    output = build(REPO / "content", tmp_path / "out", conf="publishconf.py")
    assert not (output / "drafts").exists()
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".xml", ".json"}:
            assert "linkedin-newsletter-analytics" not in path.read_text(encoding="utf-8"), path
    index = (output / "index.html").read_text(encoding="utf-8")
    assert 'href="https://attention.example.org/theme/css/site.css"' in index
    robots = (output / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://attention.example.org/sitemap.xml" in robots


def test_draft_digest_is_not_written_by_a_publish_build(content: Path, tmp_path: Path) -> None:
    draft = GOOD.format(slug="draft-one", issue=10).replace("Tags:", "Status: draft\nTags:")
    write_article(content, "digests/10-draft-one.md", draft)
    output = build(content, tmp_path / "out", conf="publishconf.py")
    assert not list(output.rglob("*draft-one*"))


def test_pagination_of_tag_x2_does_not_overwrite_tag_x22(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for number in range(25):
        write_article(
            content,
            f"briefs/b{number}.md",
            brief(title=f"Brief {number}", slug=f"b{number}", extra="Tags: x2"),
        )
    write_article(content, "briefs/other.md", brief(title="Other", slug="other", extra="Tags: x22"))
    output = build(content, tmp_path / "out")
    assert (output / "tag" / "x2" / "page" / "2" / "index.html").is_file()
    x22 = (output / "tag" / "x22" / "index.html").read_text(encoding="utf-8")
    assert "Other" in x22 and "Brief 0" not in x22


def test_escaped_markup_in_title_and_summary_never_becomes_markup(tmp_path: Path) -> None:
    """`striptags` unescapes entities: every place that strips must escape again."""
    content = tmp_path / "content"
    hostile = "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    write_article(
        content,
        "briefs/hostile.md",
        f"Title: Hi {hostile}\nDate: 2026-11-20 10:00\nLang: en\nSlug: hostile\n"
        f"Summary: Sum {hostile}\n\nBody.\n",
    )
    output = build(content, tmp_path / "out")
    for page in output.rglob("*.html"):
        assert "<script>alert(1)" not in page.read_text(encoding="utf-8"), page
