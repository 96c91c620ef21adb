"""Shared parts for the browser tests: one built site per test session, loopback servers, chromium.

The site is built once per process (``shared_site``) from a copy of ``content/`` plus a fixture
brief, with the subscribe form pointed at a loopback "provider" that records what it receives,
and indexed with Pagefind. Browser tests drive Debian's ``/usr/bin/chromium`` through Playwright;
without it they skip, unless ``ATTENTION_REQUIRE_BROWSER=1`` (set by ``.ci/run``) makes them fail.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import http.server
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from sitebuild import REPO, build

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1440, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
ARTIFACTS = REPO / "tests" / "artifacts"

# A brief that uses a word only with Hebrew prefixes ("הסכת" is the Hebrew word for podcast),
# so the search test proves prefix-insensitive matching on text nobody else wrote.
PREFIX_FIXTURE = """\
Title: מדד ההאזנה החודשי
Date: 2026-11-20T09:00:00+02:00
Lang: he
Slug: listening-index-fixture
Category: brief
Tags: podcasts
Authors: מיכל ברק
Summary: סקירה קצרה של הרגלי האזנה.

המאזינים מבלים יותר זמן בהסכתים ארוכים, ולהסכת יומי יש קהל נאמן במיוחד.

הפתיח של התוכנית הכי מושמעת מתחיל בתוף אחד ושקט.
"""


def require_browser() -> None:
    """Skip when chromium or Playwright is missing; fail instead if ATTENTION_REQUIRE_BROWSER=1."""
    reason = None
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed"
    if reason is None:
        return
    if os.environ.get("ATTENTION_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (ATTENTION_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


@dataclass
class Received:
    """Requests the loopback subscribe provider has seen: (path, form fields)."""

    posts: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _provider_handler(received: Received) -> type[http.server.BaseHTTPRequestHandler]:
    class Provider(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            with received.lock:
                received.posts.append((self.path, parse_qs(body, keep_blank_values=True)))
            page = b"<!doctype html><title>ok</title><p>Thanks</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Provider


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(handler: Any) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    atexit.register(server.shutdown)
    return server


@dataclass(frozen=True)
class Site:
    """A built and indexed site served on loopback."""

    output: Path
    base_url: str
    provider_url: str
    received: Received

    def url(self, path: str) -> str:
        return self.base_url + path.lstrip("/")


def build_site(content: Path, output: Path, **override: Any) -> Path:
    """Build ``content`` into ``output`` with the repository's settings (no search index)."""
    return build(content, output, **override)


@functools.cache
def shared_site() -> Site:
    """Build, index and serve the sample site once per test process."""
    from attention.search import build_index

    work = Path(tempfile.mkdtemp(prefix="attention-browser-"))
    atexit.register(shutil.rmtree, work, True)
    content = work / "content"
    shutil.copytree(REPO / "content", content)
    (content / "briefs" / "listening-index-fixture.md").write_text(PREFIX_FIXTURE, "utf-8")

    received = Received()
    provider = _serve(_provider_handler(received))
    provider_url = f"http://127.0.0.1:{provider.server_address[1]}/subscribe"
    output = build_site(
        content, work / "output", SUBSCRIBE={"provider": "form", "action": provider_url}
    )
    asyncio.run(build_index(output))
    files = _serve(functools.partial(_QuietFiles, directory=str(output)))
    base_url = f"http://127.0.0.1:{files.server_address[1]}/"
    return Site(output=output, base_url=base_url, provider_url=provider_url, received=received)


# Test modules import these by their ``*_fixture`` names; tests ask for ``site``, ``browser``
# and ``new_page``.
@pytest.fixture(scope="module", name="site")
def site_fixture() -> Site:
    return shared_site()


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[Any]:
    """One headless chromium per test module."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(name="new_page")
def new_page_fixture(browser: Any) -> Iterator[Any]:
    """A factory for pages in fresh contexts: ``new_page(viewport=PHONE, color_scheme="dark")``."""
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP, **options: Any) -> Any:
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
