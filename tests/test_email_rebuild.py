"""A rebuild leaves unchanged email editions alone and rewrites the ones that changed."""

from __future__ import annotations

from pathlib import Path

from sitebuild import build, write_article

DIGEST = """\
Title: קשב #4: בדיקת בנייה חוזרת
Date: 2026-10-02T08:00:00+02:00
Lang: he
Slug: rebuild-check
Issue: 4
Category: digest
Summary: גיליון קצר לבדיקה.

פסקה אחת על LinkedIn ועל [מחקר](https://research.example.com/a) חדש.
"""


def test_rebuild_keeps_unchanged_editions_and_rewrites_changed_ones(tmp_path: Path):
    content, output = tmp_path / "content", tmp_path / "output"
    write_article(content / "digests", "4.md", DIGEST)
    (content / "pages").mkdir(parents=True, exist_ok=True)
    build(content, output)
    folder = output / "email" / "4-rebuild-check"
    files = [folder / name for name in ("index.html", "index.txt", "edition.json")]
    before = {path: (path.stat().st_ino, path.read_bytes()) for path in files}

    build(content, output)
    assert {path: (path.stat().st_ino, path.read_bytes()) for path in files} == before

    (folder / "index.txt").write_text("edited by hand\n", encoding="utf-8")
    write_article(content / "digests", "4.md", DIGEST.replace("פסקה אחת", "פסקה מעודכנת"))
    build(content, output)
    assert "פסקה מעודכנת" in (folder / "index.html").read_text(encoding="utf-8")
    assert "פסקה מעודכנת" in (folder / "index.txt").read_text(encoding="utf-8")
    assert not list(folder.glob(".attention-*"))  # no temp file left behind
