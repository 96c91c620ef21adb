"""Accessibility: axe-core (npm package) injected into the built pages, light and dark."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from browser import (
    ARTIFACTS,
    REPO,
    browser_fixture,  # noqa: F401
    new_page_fixture,  # noqa: F401
    site_fixture,  # noqa: F401
)

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# The six kinds issue 6 names (home, a Hebrew digest, an English article, an archive, the
# subscribe page, the search page), plus the English digest: a digest and a brief are built
# from different parts of the article template (TOC, issue badge, source line).
PAGES = {
    "home": "",
    "hebrew-digest": "digests/1-ai-overviews-whatsapp-channels-video-podcasts/",
    "english-article": "en/2026/10/newsletter-sponsorship-rates/",
    "english-digest": "en/digests/2-newsletters-retail-media-tiktok-search-shopping-agents/",
    "archive": "archives/",
    "subscribe": "subscribe/",
    "search": "search/?q=TikTok",
}
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.is_file():
        reason = f"{AXE} is missing: run `npm ci` (package.json pins axe-core)"
        if os.environ.get("ATTENTION_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return AXE.read_text("utf-8")


def run_axe(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'],"
        " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']}})"
    )
    return result["violations"]


def summary(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in violations
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violations_at_all(site, new_page, axe_source, name, scheme):
    page = new_page(color_scheme=scheme)
    page.goto(site.url(PAGES[name]))
    if name == "search":
        page.wait_for_function("document.querySelectorAll('#search-results li').length > 0")
    violations = run_axe(page, axe_source)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    report = ARTIFACTS / f"axe-{name}-{scheme}.json"
    report.write_text(json.dumps(violations, indent=1, ensure_ascii=False), "utf-8")
    # The issue asks for 0 serious or critical; we hold the pages to 0 of any impact.
    assert not violations, f"{name} ({scheme}): {summary(violations)}"


# What each page must be for the list above to cover what it claims: (lang, marker it has,
# marker it must not have). A digest has a table of contents; a brief does not.
KINDS = {
    "home": ("he", 'class="latest', None),
    "hebrew-digest": ("he", 'class="toc"', None),
    "english-article": ("en", 'class="h-entry"', 'class="toc"'),
    "english-digest": ("en", 'class="toc"', None),
    "archive": ("he", "<h1", 'class="h-entry"'),
    "subscribe": ("he", 'type="email"', None),
    "search": ("he", 'id="search-results"', None),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_pages_are_the_kinds_the_issue_names(site, name):
    path = PAGES[name].split("?")[0]
    html = (site.output / path / "index.html").read_text("utf-8")
    lang, has, lacks = KINDS[name]
    assert f'<html lang="{lang}"' in html
    assert has in html, f"{name}: no {has}"
    assert lacks is None or lacks not in html, f"{name}: has {lacks}"


def test_axe_itself_catches_a_low_contrast_page(new_page, axe_source, tmp_path: Path):
    """The check can fail: a page with grey-on-white text is reported as serious."""
    page = new_page()
    page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head><body><main>'
        '<p style="color:#bbb;background:#fff">faint text</p></main></body></html>'
    )
    ids = {v["id"] for v in run_axe(page, axe_source) if v["impact"] in BLOCKING}
    assert "color-contrast" in ids
