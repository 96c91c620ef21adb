"""What readers' browsers show: direction, phone layout, subscribing, dark mode, page weight."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from browser import (
    ARTIFACTS,
    VIEWPORTS,
    browser_fixture,  # noqa: F401
    new_page_fixture,  # noqa: F401
    site_fixture,  # noqa: F401
)

pytestmark = pytest.mark.browser

HEBREW_DIGEST = "digests/1-ai-overviews-whatsapp-channels-video-podcasts/"
ENGLISH_DIGEST = "en/digests/2-newsletters-retail-media-tiktok-search-shopping-agents/"
PAGES = {
    "home": ("", "rtl"),
    "digest": (HEBREW_DIGEST, "rtl"),
    "digest-en": (ENGLISH_DIGEST, "ltr"),
    "subscribe": ("subscribe/", "rtl"),
    "archives": ("archives/", "rtl"),
    "about-en": ("en/about/", "ltr"),
}
SCREENSHOTS = ("home", "digest", "subscribe")
BUDGET_BYTES = 100 * 1024


def _luminance(css_color: str) -> float:
    """Relative luminance of an ``rgb(r, g, b)`` colour, 0 (black) to 1 (white)."""
    parts = css_color[css_color.index("(") + 1 : css_color.index(")")].split(",")
    channels = []
    for value in (float(part) / 255 for part in parts[:3]):
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_pages_compute_their_direction_and_never_scroll_sideways(site, new_page, viewport):
    page = new_page(viewport=VIEWPORTS[viewport])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name, (path, direction) in PAGES.items():
        page.goto(site.url(path))
        computed = page.evaluate("getComputedStyle(document.body).direction")
        assert computed == direction, f"{name} ({viewport}): direction {computed}"
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} ({viewport}): {overflow}px of horizontal scroll"
        if name in SCREENSHOTS:
            page.screenshot(path=str(ARTIFACTS / f"{name}-{viewport}.png"), full_page=True)


def test_subscribe_form_posts_the_email_to_the_provider_without_the_honeypot(site, new_page):
    page = new_page(viewport=VIEWPORTS["phone"])
    page.goto(site.url("subscribe/"))
    form = page.locator("form.subscribe-form").first
    assert form.get_attribute("action") == site.provider_url
    # The honeypot sits in a clipped 1px box: people never see it, naive bots fill it.
    trap = form.locator(".hp")
    box = trap.bounding_box()
    assert box["width"] * box["height"] <= 1
    assert trap.evaluate("e => getComputedStyle(e).overflow") == "hidden"
    before = len(site.received.posts)
    form.locator("input[type=email]").fill("reader@example.org")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.text_content("p") == "Thanks"
    with site.received.lock:
        path, fields = site.received.posts[before]
    assert path == "/subscribe"
    assert fields["email"] == ["reader@example.org"]
    assert fields.get("website", [""]) == [""]


def test_subscribe_form_refuses_an_address_without_an_at_sign(site, new_page):
    page = new_page()
    page.goto(site.url("subscribe/"))
    before = len(site.received.posts)
    form = page.locator("form.subscribe-form").first
    form.locator("input[type=email]").fill("not-an-address")
    form.locator("button[type=submit]").click()
    page.wait_for_timeout(300)
    assert page.url == site.url("subscribe/")
    assert len(site.received.posts) == before


def test_dark_mode_renders_light_text_on_a_dark_background(site, new_page):
    for scheme, dark in (("dark", True), ("light", False)):
        page = new_page(viewport=VIEWPORTS["phone"], color_scheme=scheme)
        page.goto(site.url(HEBREW_DIGEST))
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        text = page.evaluate("getComputedStyle(document.body).color")
        assert (_luminance(background) < 0.1) is dark, f"{scheme}: background {background}"
        assert (_luminance(text) > 0.5) is dark, f"{scheme}: text {text}"
        if dark:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "digest-phone-dark.png"), full_page=True)


def test_skip_link_is_the_first_stop_and_focus_is_visible(site, new_page):
    page = new_page()
    page.goto(site.url(HEBREW_DIGEST))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " const r = e.getBoundingClientRect();"
        " return {cls: e.className, outline: s.outlineStyle, width: s.outlineWidth,"
        " top: r.top, height: r.height}; })()"
    )
    assert focused["cls"] == "skip-link"
    assert focused["outline"] != "none" and focused["width"] != "0px"
    assert focused["top"] >= 0 and focused["height"] > 0, "skip link focused but off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_digest_page_weighs_under_budget_and_loads_nothing_from_elsewhere(site, new_page):
    page = new_page()
    sizes: dict[str, int] = {}
    hosts: set[str] = set()

    def record(response):
        hosts.add(urlsplit(response.url).netloc)
        if response.request.resource_type != "image":
            sizes[response.url] = len(response.body())

    page.on("response", record)
    page.goto(site.url(HEBREW_DIGEST), wait_until="networkidle")
    total = sum(sizes.values())
    assert total <= BUDGET_BYTES, f"digest weighs {total / 1024:.1f} KB: {sizes}"
    assert hosts == {urlsplit(site.base_url).netloc}, hosts
    # Nothing render-blocking from anywhere but here (scripts are deferred or modules).
    blocking = page.evaluate(
        "[...document.querySelectorAll('head script[src]:not([defer]):not([async])"
        ":not([type=module])')].map(s => s.src)"
    )
    assert blocking == []


def test_copy_link_puts_the_article_address_on_the_clipboard(site, new_page):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(site.url(HEBREW_DIGEST))
    page.click("a.copy-link")
    page.wait_for_function("document.querySelector('.share .copied').textContent !== ''")
    assert page.text_content(".share .copied") == "הקישור הועתק"
    assert page.evaluate("navigator.clipboard.readText()") == site.url(HEBREW_DIGEST)
    assert page.url == site.url(HEBREW_DIGEST)


def test_navigation_tells_screen_readers_which_section_is_open(site, new_page):
    page = new_page()
    for path in ("issues/", "archives/", "tags/", "search/"):
        page.goto(site.url(path))
        current = page.eval_on_selector_all(
            ".site-nav [aria-current=page]", "links => links.map(a => a.getAttribute('href'))"
        )
        assert current == [f"../{path}"], f"{path}: {current}"
    page.goto(site.url(HEBREW_DIGEST))
    assert page.locator(".site-nav [aria-current]").count() == 0
