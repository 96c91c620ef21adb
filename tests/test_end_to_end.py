"""The writer's whole week, offline, in a copy of the project, with every step a real subprocess.

fetch the sample feeds → open the week's digest → edit and publish it → build with Pelican (and
the search index) → add subscribers → send over SMTP to aiosmtpd on 127.0.0.1, twice.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.header import decode_header, make_header
from pathlib import Path

import pytest

from _email_support import SmtpServer
from attention.send.base import UNSUBSCRIBE_PLACEHOLDER

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WEEK = "2026-W47"
SAMPLE_CONFIG = "samples/feeds.yml"
# Five sample items, one story carried by two feeds: four stubs.
SAMPLE_STUBS = {
    "2026/11/linkedin-recruiter-assistant.md",
    "2026/11/short-video-analytics-round.md",
    "2026/11/short-video-ad-budgets-overtake-search-for-the-first-time.md",
    "2026/11/i-creator-italiani-puntano-sulle-newsletter-a-pagamento.md",
}
SAMPLE_ISSUES = 4
DIGEST_KEY = f"{SAMPLE_ISSUES + 1}-2026-w47"
TITLE = "קשב #5: וידאו קצר עוקף את החיפוש, ולינקדאין כותבת למגייסים"
SUMMARY = "וידאו קצר עוקף את מודעות החיפוש, ולינקדאין מנסחת פניות למועמדים."
INTRO = "השבוע הכסף של המפרסמים עבר לווידאו קצר, ולינקדאין התחילה לכתוב בשביל המגייסים."
PUBLISHED_BRIEF = "2026/11/short-video-ad-budgets-overtake-search-for-the-first-time.md"
BRIEF_TAKE = "Israeli brands are moving the same way: ask your media buyer."
READERS = ("dana@example.org", "yossi@example.org", "giulia@example.it")
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class Tour:
    """The project copy and what each step of the flow left behind."""

    root: Path
    env: dict[str, str]
    briefs_before: set[str]  # the sample briefs under content/briefs/, before any fetch
    fetch: subprocess.CompletedProcess[str]
    stubs: dict[str, str]  # path under content/briefs/ -> text as fetch wrote it
    digest: subprocess.CompletedProcess[str]
    draft_path: Path
    draft: str  # the digest draft as `attention digest` wrote it
    build: subprocess.CompletedProcess[str]
    index: subprocess.CompletedProcess[str]

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return run(self.root, {**self.env, **(env or {})}, *args)

    @property
    def output(self) -> Path:
        return self.root / "output"


def run(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``args[0]`` from the virtualenv's bin directory, run in the project copy."""
    command = [str(BIN / args[0]), *args[1:]]
    return subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))}: exit {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result


def copy_project(root: Path) -> None:
    """The files a writer's checkout has, without anything a local run left untracked."""
    for name in ("pelicanconf.py", "publishconf.py", "feeds.yml"):
        shutil.copy2(REPO / name, root / name)
    for name in ("theme", "content", "samples"):
        shutil.copytree(REPO / name, root / name)
    untracked = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "--others", "-z", "--", "content", "samples"],
        capture_output=True,
        text=True,
        check=False,
    )
    if untracked.returncode == 0:
        for relative in filter(None, untracked.stdout.split("\0")):
            (root / relative).unlink(missing_ok=True)
    shutil.rmtree(root / "content" / "data", ignore_errors=True)


def metadata(text: str) -> dict[str, str]:
    head = text.split("\n\n", 1)[0]
    pairs = [line.split(": ", 1) for line in head.splitlines()]
    assert all(len(pair) == 2 for pair in pairs), f"not `Key: value` lines:\n{head}"
    return {key: value for key, value in pairs}


def words(text: str) -> str:
    return " ".join(text.split())


def publish(draft: str) -> str:
    """What the writer does: a real title, summary and intro, and no more `Status: draft`."""
    head, body = draft.split("\n\n", 1)
    lines = []
    for line in head.splitlines():
        if line.startswith("Status:"):
            continue
        if line.startswith("Title:"):
            line = f"Title: {TITLE}"
        elif line.startswith("Summary:"):
            line = f"Summary: {SUMMARY}"
        lines.append(line)
    paragraphs = body.split("\n\n")
    if paragraphs[0].startswith("_("):  # the intro placeholder
        paragraphs = paragraphs[1:]
    return "\n".join(lines) + "\n\n" + INTRO + "\n\n" + "\n\n".join(paragraphs)


def briefs(root: Path) -> dict[str, str]:
    folder = root / "content" / "briefs"
    return {p.relative_to(folder).as_posix(): p.read_text("utf-8") for p in folder.rglob("*.md")}


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Tour:
    root = tmp_path_factory.mktemp("project")
    copy_project(root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTENTION_", "SITEURL"))}
    env.update(ATTENTION_STATE_DIR=str(root / "state"), COLUMNS="120", NO_COLOR="1")

    before = set(briefs(root))
    fetch = ok(run(root, env, "attention", "fetch", "--config", SAMPLE_CONFIG))
    stubs = {path: text for path, text in briefs(root).items() if path not in before}

    digests = root / "content" / "digests"
    existing = set(digests.iterdir())
    digest = ok(run(root, env, "attention", "digest", "--week", WEEK, "--config", SAMPLE_CONFIG))
    [draft_path] = set(digests.iterdir()) - existing
    draft = draft_path.read_text("utf-8")
    draft_path.write_text(publish(draft), encoding="utf-8")

    published_brief = root / "content" / "briefs" / PUBLISHED_BRIEF
    brief = published_brief.read_text("utf-8").replace("Status: draft\n", "")
    published_brief.write_text(brief + f"\n{BRIEF_TAKE}\n", encoding="utf-8")

    build = ok(run(root, env, "pelican", "content", "-o", "output", "-s", "pelicanconf.py"))
    index = ok(run(root, env, "python", "-m", "attention.search", "output"))
    return Tour(root, env, before, fetch, stubs, digest, draft_path, draft, build, index)


def test_fetch_turns_the_sample_feeds_into_draft_stubs(tour: Tour) -> None:
    assert set(tour.stubs) == SAMPLE_STUBS
    assert "wrote 4 stubs" in tour.fetch.stdout
    for path, text in tour.stubs.items():
        meta = metadata(text)
        assert meta["Status"] == "draft" and meta["Category"] == "brief", path
        assert meta["Slug"].isascii() and path.endswith(f"/{meta['Slug']}.md"), path
        assert "<!-- attention:take -->" in text, path
    stub = metadata(tour.stubs["2026/11/linkedin-recruiter-assistant.md"])
    assert set(stub) == {
        *("Title", "Date", "Lang", "Slug", "Tags", "Category"),
        *("Source", "SourceURL", "AlsoIn", "Status"),
    }
    # Both feeds carry the story; the stub is the copy of Pulse, listed first in feeds.yml,
    # whichever feed answered first, and names the other under AlsoIn.
    assert stub["Title"] == "לינקדאין מציגה עוזר כתיבה חדש למגייסים" and stub["Lang"] == "he"
    assert stub["Date"].startswith("2026-11-20T")
    assert stub["Source"] == "Pulse" and stub["AlsoIn"] == "Channel Notes"
    assert stub["SourceURL"] == "https://pulse.example.org/2026/11/linkedin-recruiter-assistant"
    assert (tour.root / "state" / "state.sqlite").is_file()
    assert not (tour.root / ".attention").exists()
    assert (tour.root / "content" / "data" / "trends.json").is_file()


def test_digest_draft_is_the_next_issue_with_the_weeks_trend_table(tour: Tour) -> None:
    assert tour.draft_path.name == f"{DIGEST_KEY}.md"
    assert f"opened issue #{SAMPLE_ISSUES + 1}" in tour.digest.stdout
    meta = metadata(tour.draft)
    assert meta["Issue"] == str(SAMPLE_ISSUES + 1) and meta["Status"] == "draft"
    assert meta["Week"] == WEEK and meta["Category"] == "digest" and meta["Lang"] == "he"
    assert "## מגמות השבוע {#trends}" in tour.draft
    table = [line for line in tour.draft.splitlines() if line.startswith("|")]
    assert table[0] == "| # | נושא | מקורות | שינוי מול הבסיס |"
    assert table[2].startswith("| 1 | [Short video](#topic-short-video) | 2 |")
    assert "## Short video {#topic-short-video}" in tour.draft
    assert "utm_" not in tour.draft and "fbclid" not in tour.draft


def test_published_digest_builds_its_page_toc_email_edition_and_feed_entry(tour: Tour) -> None:
    page = tour.output / "digests" / DIGEST_KEY / "index.html"
    assert page.is_file(), sorted(p.name for p in (tour.output / "digests").iterdir())
    assert not (tour.output / "drafts" / "digests" / DIGEST_KEY).exists()
    html = page.read_text("utf-8")
    assert TITLE in html and INTRO in html and "<table" in html
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S)
    assert toc, "the digest page has no table of contents"
    assert re.findall(r'href="#([\w-]+)"', toc.group(0)) == ["trends", "topic-short-video", "other"]
    cited = re.search(r'<section aria-labelledby="cited-title">.*?</section>', html, re.S)
    assert cited, "the digest links a published brief's source but does not cite the brief"
    assert re.findall(r'href="([^"]+)"', cited.group(0)) == [
        "../../en/2026/11/short-video-ad-budgets-overtake-search-for-the-first-time/"
    ]
    # The writer left one commentary placeholder: the build says so, naming the file.
    assert f"digests/{DIGEST_KEY}.md is published with the draft's placeholder" in words(
        tour.build.stdout + tour.build.stderr
    )
    assert 'href="../../author/michal-barak/"' in html
    assert not (tour.output / "author" / "mykhl-brk").exists()

    edition = tour.output / "email" / DIGEST_KEY
    email_html = (edition / "index.html").read_text("utf-8")
    email_text = (edition / "index.txt").read_text("utf-8")
    assert '<html lang="he" dir="rtl"' in email_html and INTRO in email_html
    assert TITLE in email_text and INTRO in words(email_text)  # the text part is wrapped
    assert '"status": "published"' in (edition / "edition.json").read_text("utf-8")

    feed = ET.parse(tour.output / "feeds" / "all.atom.xml").getroot()
    entries = {
        entry.findtext(f"{ATOM}title"): entry.find(f"{ATOM}link").get("href")
        for entry in feed.iter(f"{ATOM}entry")
    }
    assert entries.get(TITLE, "").endswith(f"digests/{DIGEST_KEY}/"), list(entries)
    stub_titles = {path: metadata(text)["Title"] for path, text in tour.stubs.items()}
    assert stub_titles.pop(PUBLISHED_BRIEF) in entries
    assert not set(stub_titles.values()) & set(entries), "draft briefs leaked into the feed"
    assert (tour.output / "drafts" / "linkedin-recruiter-assistant" / "index.html").is_file()

    assert "Short video" in (tour.output / "trends" / "index.html").read_text("utf-8")
    assert (tour.output / "pagefind" / "pagefind.js").is_file()


def test_send_delivers_the_edition_to_each_subscriber_exactly_once(
    tour: Tour, tmp_path: Path
) -> None:
    csv = tmp_path / "readers.csv"
    csv.write_text("email,name\nyossi@example.org,Yossi\nGiulia@Example.IT,Giulia\n", "utf-8")
    ok(tour.run("attention", "subscribers", "add", READERS[0], "--name", "דנה"))
    ok(tour.run("attention", "subscribers", "import", str(csv)))
    assert "active 3" in ok(tour.run("attention", "subscribers", "count")).stdout

    with SmtpServer() as server:
        smtp = {
            "ATTENTION_SMTP_HOST": "127.0.0.1",
            "ATTENTION_SMTP_PORT": str(server.port),
            "ATTENTION_SMTP_SECURITY": "none",
        }
        send = ("attention", "send", str(SAMPLE_ISSUES + 1), "--via", "smtp", "--no-progress")
        first = ok(tour.run(*send, env=smtp))
        assert f"{DIGEST_KEY}: sent 3, skipped as already sent 0, failed 0" in first.stdout
        assert server.handler.per_recipient() == dict.fromkeys(READERS, 1)
        for raw in (raw for _rcpts, raw in server.handler.messages):
            subject = re.search(rb"^Subject: ([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", raw, re.M).group(1)
            assert b"=?utf-8?" in subject.lower()
            assert str(make_header(decode_header(subject.decode("ascii")))) == TITLE
        for message in server.handler.parsed():
            assert message.get_content_type() == "multipart/alternative"
            text = message.get_body(("plain",)).get_content()
            html = message.get_body(("html",)).get_content()
            assert INTRO in words(text) and INTRO in html and 'dir="rtl"' in html
            assert UNSUBSCRIBE_PLACEHOLDER not in text + html

        again = ok(tour.run(*send, env=smtp))
        assert f"{DIGEST_KEY}: sent 0, skipped as already sent 3, failed 0" in again.stdout
        assert len(server.handler.messages) == 3


def test_fetch_and_digest_run_again_keep_the_writers_edits(tour: Tour) -> None:
    folder = tour.root / "content" / "briefs"
    edited = folder / "2026/11/linkedin-recruiter-assistant.md"
    take = edited.read_text("utf-8") + "\nמגייסים יחסכו זמן, המועמדים יקבלו הודעות דומות מדי.\n"
    edited.write_text(take, encoding="utf-8")
    deleted = folder / "2026/11/short-video-analytics-round.md"
    deleted.unlink()
    published = tour.draft_path.read_text("utf-8")
    published_brief = (folder / PUBLISHED_BRIEF).read_text("utf-8")
    for feed in (tour.root / "samples" / "feeds").iterdir():  # newer files: read, not a 304
        stat = feed.stat()
        os.utime(feed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**10))

    again = ok(tour.run("attention", "fetch", "--config", SAMPLE_CONFIG))
    assert "wrote 0 stubs" in again.stdout and "not modified" not in again.stdout
    assert edited.read_text("utf-8") == take
    assert not deleted.exists()
    assert (folder / PUBLISHED_BRIEF).read_text("utf-8") == published_brief
    assert set(briefs(tour.root)) - tour.briefs_before == SAMPLE_STUBS - {
        "2026/11/short-video-analytics-round.md"
    }

    digests = sorted(tour.draft_path.parent.iterdir())
    digest = ok(tour.run("attention", "digest", "--week", WEEK, "--config", SAMPLE_CONFIG))
    assert "no longer a draft" in digest.stdout
    assert tour.draft_path.read_text("utf-8") == published
    assert sorted(tour.draft_path.parent.iterdir()) == digests
