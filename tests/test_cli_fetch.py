"""`attention fetch` / `attention feeds` end to end against a real server on 127.0.0.1."""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from attention.commands import feeds as feeds_command
from attention.commands import fetch as fetch_command
from attention.store import Store
from attention.stubs import TMP_PREFIX, sha256_text
from feedserver import FeedServer, Route, synthetic_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
REPO = Path(__file__).resolve().parent.parent

GOOD_ROUTES = {
    "/rss2": Route.fixture("rss2.xml", etag='"rss2-v1"', encoding="gzip"),
    "/atom": Route.fixture(
        "atom.xml",
        content_type="application/atom+xml",
        last_modified="Fri, 20 Nov 2026 10:00:00 GMT",
    ),
    "/rdf": Route.fixture("rdf.xml", etag='"rdf-v1"', encoding="br"),
    "/hebrew": Route.fixture(
        "hebrew-1255.xml", etag='"heb"', content_type="application/rss+xml; charset=windows-1255"
    ),
    "/dates": Route.fixture("idt-dates.xml", etag='"dates"'),
    "/dup-a": Route.fixture("dup-a.xml", etag='"a"'),
    "/dup-b": Route.fixture("dup-b.xml", etag='"b"'),
    "/hostile": Route.fixture("hostile.xml", etag='"evil"'),
}
BAD_ROUTES = {
    "/html": Route.fixture("not-a-feed.html", content_type="text/html; charset=utf-8"),
    "/truncated": Route.fixture("truncated.xml"),
    "/e500": Route(status=500, body=b"boom"),
    "/busy": Route(status=503, headers={"Retry-After": "600"}, body=b"later"),
    "/slow": Route.fixture("rss2.xml", delay=3),
    "/endless": Route(endless=True),
    "/old-home": Route(status=301, location="/new-home"),
    "/new-home": Route.fixture("rdf.xml", etag='"moved"'),
}
GOOD_NAMES = {
    "/rss2": ("Wire", "en"),
    "/atom": ("Journal", "en"),
    "/rdf": ("Rivista", "it"),
    "/hebrew": ("Yashan", "he"),
    "/dates": ("Shaon", "he"),
    "/dup-a": ("Dup A", "en"),
    "/dup-b": ("Dup B", "en"),
    "/hostile": ("Hostile", "en"),
}
# stories in the good feeds: 3 + 2 + 1 + 1 + 5 + 2 + 2 + 5 entries, 2 folded as duplicates
GOOD_STUBS = 3 + 2 + 1 + 1 + 5 + 2 + 5


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        running.routes.update(GOOD_ROUTES)
        running.routes.update(BAD_ROUTES)
        yield running


def write_config(
    path: Path, server: FeedServer, routes: dict[str, tuple[str, str]], **defaults: int
) -> Path:
    lines = [
        "defaults:",
        "  timeout_connect: 2",
        "  timeout_total: 1.5",
        "  max_body_bytes: 262144",
        "  lookback_days: 36500",
        *(f"  {key}: {value}" for key, value in defaults.items()),
        "sources:",
    ]
    for route, (name, language) in routes.items():
        url = server.url(route) if route.startswith("/") else route
        lines.append(f'  - {{name: "{name}", url: "{url}", language: {language}, tags: [tech]}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_fetch(tmp: Path, config: Path, *extra: str, state: str = "state.sqlite") -> int:
    parser = argparse.ArgumentParser()
    fetch_command.configure(parser)
    content, state_path = str(tmp / "content"), str(tmp / state)
    args = parser.parse_args(
        ["--config", str(config), "--content", content, "--state", state_path, *extra]
    )
    return fetch_command.run(args)


def stub_files(tmp: Path) -> list[Path]:
    return sorted((tmp / "content" / "briefs").rglob("*.md"))


def test_fetch_turns_good_feeds_into_one_stub_per_story(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "feeds.yml", server, GOOD_NAMES)
    assert run_fetch(tmp_path, config) == 0
    out = capsys.readouterr().out
    for name, _ in GOOD_NAMES.values():
        assert name in out
    files = stub_files(tmp_path)
    assert len(files) == GOOD_STUBS
    texts = {p.name: p.read_text("utf-8") for p in files}
    assert sum("AlsoIn: Dup B" in text for text in texts.values()) == 2
    hebrew = next(t for t in texts.values() if "Source: Yashan" in t)
    assert "Title: שיווק במשפיענים עובר לסרטונים קצרים" in hebrew
    assert all(p.name.isascii() for p in files)
    assert not list((tmp_path / "content").rglob(f"{TMP_PREFIX}*"))
    summer = next(t for t in texts.values() if "shaon.test.example/summer" in t)
    assert "Date: 2026-10-20T07:00:00+00:00" in summer


@pytest.mark.parametrize(("first", "parse_workers"), [("Dup A", 1), ("Dup B", 1), ("Dup A", 2)])
def test_a_syndicated_story_is_the_copy_of_the_source_listed_first_whoever_answers_first(
    tmp_path: Path, server: FeedServer, first: str, parse_workers: int
) -> None:
    routes = {"Dup A": "/dup-a", "Dup B": "/dup-b"}
    second = next(name for name in routes if name != first)
    slow = f"/slow-{first.lower().replace(' ', '-')}"
    server.routes[slow] = replace(server.routes[routes[first]], delay=0.6, etag=None)
    config = write_config(
        tmp_path / "feeds.yml",
        server,
        {slow: (first, "en"), routes[second]: (second, "en")},
        parse_workers=parse_workers,
    )
    assert run_fetch(tmp_path, config) == 0
    texts = [path.read_text("utf-8") for path in stub_files(tmp_path)]
    shared = [text for text in texts if "AlsoIn:" in text]
    assert len(texts) == 2 and len(shared) == 2, texts
    for text in shared:
        assert f"Source: {first}\n" in text and f"AlsoIn: {second}\n" in text, text


def test_second_run_is_conditional_and_writes_nothing(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "feeds.yml", server, GOOD_NAMES)
    assert run_fetch(tmp_path, config) == 0
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in stub_files(tmp_path)}
    server.reset_log()
    capsys.readouterr()
    assert run_fetch(tmp_path, config) == 0
    out = capsys.readouterr().out
    for route in GOOD_NAMES:
        headers = server.requests_for(route)[-1].headers
        assert "if-none-match" in headers or "if-modified-since" in headers, route
    assert out.count("unchanged") >= len(GOOD_NAMES)
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in stub_files(tmp_path)} == before


def test_failures_are_reported_one_line_each_and_the_rest_processed(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = {
        "/rss2": ("Wire", "en"),
        "/html": ("Homepage", "en"),
        "/truncated": ("Cut", "en"),
        "/missing": ("Gone", "en"),
        "/e500": ("Crashy", "en"),
        "/busy": ("Busy", "en"),
        "/slow": ("Sleepy", "en"),
        "/endless": ("Firehose", "en"),
        "/old-home": ("Mover", "it"),
    }
    config = write_config(tmp_path / "feeds.yml", server, sources)
    started = time.monotonic()
    assert run_fetch(tmp_path, config) == 3
    assert time.monotonic() - started < 8
    out = capsys.readouterr().out
    with Store.open(tmp_path / "state.sqlite") as store:
        state = {s.name: s for s in store.feeds()}
    assert state["Homepage"].reason == "not a feed: got an HTML page"
    assert state["Gone"].reason.startswith("HTTP 404")
    assert state["Crashy"].reason.startswith("HTTP 500")
    assert "Retry-After 600 s honoured" in state["Busy"].reason
    assert "timed out" in state["Sleepy"].reason
    assert "cap" in state["Firehose"].reason
    assert state["Cut"].status == "recovered" and "broken feed" in state["Cut"].reason
    assert state["Mover"].current_url == server.url("/new-home")
    assert "moved permanently" in state["Mover"].reason
    for name in ("Homepage", "Gone", "Crashy", "Busy", "Sleepy", "Firehose"):
        assert state[name].error_count == 1 and state[name].next_check is not None
        assert name in out
    assert len(stub_files(tmp_path)) == 3 + 2 + 1  # Wire, the recovered Cut, the moved Rivista

    # a second run waits for the failed feeds and goes straight to the new home
    server.reset_log()
    assert run_fetch(tmp_path, config) == 0
    out = capsys.readouterr().out
    assert "waiting" in out
    assert server.requests_for("/e500") == [] and server.requests_for("/old-home") == []
    assert len(server.requests_for("/new-home")) == 1

    # --force retries them; consecutive failures count up
    assert run_fetch(tmp_path, config, "--force") == 3
    with Store.open(tmp_path / "state.sqlite") as store:
        again = {s.name: s for s in store.feeds()}
    assert again["Crashy"].error_count == 2
    assert again["Crashy"].next_check > state["Crashy"].next_check

    parser = argparse.ArgumentParser()
    feeds_command.configure(parser)
    args = parser.parse_args(["--config", str(config), "--state", str(tmp_path / "state.sqlite")])
    capsys.readouterr()
    assert feeds_command.run(args) == 0
    health = capsys.readouterr().out
    assert "HTTP 500" in health and "Crashy" in health


def test_edited_stub_survives_a_refetch_and_a_late_duplicate(
    tmp_path: Path, server: FeedServer
) -> None:
    config = write_config(tmp_path / "feeds.yml", server, {"/dup-a": ("Dup A", "en")})
    assert run_fetch(tmp_path, config) == 0
    stub = next(p for p in stub_files(tmp_path) if "storefront" in p.name)
    edited = stub.read_text("utf-8").replace("_Your take", "Chat commerce is real. _Your take")
    stub.write_text(edited, "utf-8")
    deleted = next(p for p in stub_files(tmp_path) if p != stub)
    deleted.unlink()

    both = write_config(
        tmp_path / "feeds.yml", server, {"/dup-a": ("Dup A", "en"), "/dup-b": ("Dup B", "en")}
    )
    assert run_fetch(tmp_path, both, "--force") == 0
    assert stub.read_text("utf-8") == edited
    assert not deleted.exists()
    assert len(stub_files(tmp_path)) == 1  # the duplicates became no new stub
    with Store.open(tmp_path / "state.sqlite") as store:
        states = sorted(record.state for record in store.stubs())
    assert states == ["deleted", "edited"]


def test_dry_run_writes_no_stub_and_no_state(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "feeds.yml", server, {"/rss2": ("Wire", "en")})
    assert run_fetch(tmp_path, config, "--dry-run") == 0
    assert "would add 3 entries" in capsys.readouterr().out
    assert not (tmp_path / "content").exists()
    assert not (tmp_path / "state.sqlite").exists()


def test_only_fetches_the_named_source(tmp_path: Path, server: FeedServer) -> None:
    config = write_config(
        tmp_path / "feeds.yml", server, {"/rss2": ("Wire", "en"), "/rdf": ("Rivista", "it")}
    )
    assert run_fetch(tmp_path, config, "--only", "rivista") == 0
    assert len(stub_files(tmp_path)) == 1
    assert run_fetch(tmp_path, config, "--only", "Nobody") == 2


def test_a_second_concurrent_run_stops_at_the_lock(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "feeds.yml", server, {"/rss2": ("Wire", "en")})
    tmp_path.joinpath("state.sqlite.lock").touch()
    with tmp_path.joinpath("state.sqlite.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert run_fetch(tmp_path, config) == 1
        assert "another attention fetch" in capsys.readouterr().err
    assert stub_files(tmp_path) == []
    assert run_fetch(tmp_path, config) == 0


def test_config_error_exits_2_with_one_line_and_fetches_nothing(
    tmp_path: Path, server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "feeds.yml", server, {"/rss2": ("Wire", "en")})
    config.write_text(config.read_text().replace("language: en", "language: klingon"))
    server.reset_log()
    assert run_fetch(tmp_path, config) == 2
    err = capsys.readouterr().err
    assert f"{config}:7: sources[0].language:" in " ".join(err.split())
    assert server.seen == []
    assert not (tmp_path / "content").exists()


def test_samples_run_offline_through_the_installed_command(tmp_path: Path) -> None:
    env = {**os.environ, "ATTENTION_STATE_DIR": str(tmp_path / "state")}
    command = [sys.executable, "-m", "attention.cli", "fetch", "--config", "samples/feeds.yml"]
    command += ["--content", str(tmp_path / "content")]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Pulse" in done.stdout
    assert len(stub_files(tmp_path)) == 4
    again = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "wrote 0 stubs" in again.stdout


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc); [] where that is unavailable."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_gone(pids: list[int], seconds: float) -> bool:
    """True once none of ``pids`` is running (zombies awaiting their reaper count as gone)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("kill_after_stubs", [1, 40])
def test_kill_9_mid_run_then_rerun_completes_without_duplicates(
    tmp_path: Path, kill_after_stubs: int
) -> None:
    feeds = 30
    with FeedServer() as server:
        for n in range(feeds):
            server.routes[f"/syn{n}"] = Route(body=synthetic_feed(n), delay=0.15, etag=f'"s{n}"')
        config = write_config(
            tmp_path / "feeds.yml",
            server,
            {f"/syn{n}": (f"Synthetic {n}", "en") for n in range(feeds)},
        )
        config.write_text(config.read_text().replace("defaults:", "defaults:\n  concurrency: 3"))
        command = [sys.executable, "-m", "attention.cli", "fetch", "--config", str(config)]
        command += ["--content", str(tmp_path / "content"), "--state", str(tmp_path / "s.sqlite")]
        child = subprocess.Popen(
            command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while len(stub_files(tmp_path)) < kill_after_stubs and time.monotonic() < deadline:
            if child.poll() is not None:
                break
            time.sleep(0.005)
        workers = child_pids(child.pid)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert child.returncode == -signal.SIGKILL, "the run ended before it could be killed"
        killed_at = len(stub_files(tmp_path))
        assert killed_at < feeds * 5
        assert wait_gone(workers, seconds=5), f"parser workers outlived the run: {workers}"

        for route in server.routes.values():
            route.delay = 0
        assert run_fetch(tmp_path, config, state="s.sqlite") == 0

    files = stub_files(tmp_path)
    assert len(files) == feeds * 5
    assert len({p.name for p in files}) == len(files)
    assert not list((tmp_path / "content").rglob(f"{TMP_PREFIX}*"))
    with Store.open(tmp_path / "s.sqlite") as store:
        records = list(store.stubs())
        assert len(records) == feeds * 5
        for record in records:
            text = (tmp_path / "content" / record.path).read_text("utf-8")
            assert record.state == "written" and record.sha256 == sha256_text(text)
            assert text.rstrip().endswith("_Your take: why does this matter to our readers?_")


def test_feed_controlled_text_in_the_tables_is_shown_not_read_as_markup(
    tmp_path: Path,
    server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one table row per line, nothing folded
    # a server's redirect target lands in the reason column of both tables
    server.routes["/bracket-home"] = Route(status=301, location="/moved/[/]home[bold]")
    server.routes["/moved/[/]home[bold]"] = Route.fixture("rdf.xml")
    config = write_config(tmp_path / "feeds.yml", server, {"/bracket-home": ("Mover", "it")})
    assert run_fetch(tmp_path, config) == 0
    assert "/moved/[/]home[bold]" in capsys.readouterr().out
    parser = argparse.ArgumentParser()
    feeds_command.configure(parser)
    args = parser.parse_args(["--config", str(config), "--state", str(tmp_path / "state.sqlite")])
    assert feeds_command.run(args) == 0
    assert "[/]home[bold]" in capsys.readouterr().out


def test_lost_state_does_not_duplicate_the_briefs_already_on_disk(
    tmp_path: Path, server: FeedServer
) -> None:
    # .attention/ is git-ignored: a fresh clone or a new machine starts without it
    linked = {route: GOOD_NAMES[route] for route in ("/rss2", "/atom", "/dup-a", "/dup-b")}
    config = write_config(tmp_path / "feeds.yml", server, linked)
    assert run_fetch(tmp_path, config) == 0
    before = {p: p.read_bytes() for p in stub_files(tmp_path)}
    assert before
    for leftover in tmp_path.glob("state.sqlite*"):
        leftover.unlink()
    assert run_fetch(tmp_path, config) == 0
    assert {p: p.read_bytes() for p in stub_files(tmp_path)} == before


def test_new_items_of_a_feed_that_always_links_home_each_get_a_stub(
    tmp_path: Path, server: FeedServer
) -> None:
    def show(episodes: int) -> bytes:
        items = "".join(
            f"<item><title>Episode {n}: what changed in retail media this week</title>"
            f"<link>https://show.test.example/</link><guid isPermaLink='false'>ep-{n}</guid>"
            f"<pubDate>Fri, {10 + n} Nov 2026 08:00:00 GMT</pubDate></item>"
            for n in range(1, episodes + 1)
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Show</title><link>https://show.test.example/</link>{items}</channel></rss>"
        ).encode()

    server.routes["/show"] = Route(body=show(2))
    config = write_config(tmp_path / "feeds.yml", server, {"/show": ("Show", "en")})
    assert run_fetch(tmp_path, config) == 0
    assert len(stub_files(tmp_path)) == 2
    server.routes["/show"] = Route(body=show(3))
    assert run_fetch(tmp_path, config) == 0
    assert len(stub_files(tmp_path)) == 3


def _linkless_feed(comments: int) -> bytes:
    """Two daily "Open thread" items with neither link nor GUID; the summary counts comments."""
    items = "".join(
        f"<item><title>Open thread</title><pubDate>{day} Nov 2026 06:00:00 GMT</pubDate>"
        f"<description>{comments + offset} comments so far</description></item>"
        for offset, day in enumerate(("Thu, 19", "Fri, 20"))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Linkless board</title>{items}</channel></rss>"
    ).encode()


def test_item_without_link_or_guid_gets_no_new_stub_when_only_its_summary_changes(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/linkless"] = Route(body=_linkless_feed(3))
    config = write_config(tmp_path / "feeds.yml", server, {"/linkless": ("Board", "en")})
    assert run_fetch(tmp_path, config) == 0
    first = stub_files(tmp_path)
    assert len(first) == 2  # the same title on two days is two stories
    server.routes["/linkless"] = Route(body=_linkless_feed(4))
    assert run_fetch(tmp_path, config) == 0
    assert stub_files(tmp_path) == first


def test_a_feed_is_reported_answered_at_once_though_stored_after_the_slower_one_above_it(
    tmp_path: Path, server: FeedServer
) -> None:
    from attention.config import load_config
    from attention.update import FetchRun

    server.routes["/slow-first"] = replace(server.routes["/dup-a"], delay=0.6, etag=None)
    config = load_config(
        write_config(
            tmp_path / "feeds.yml",
            server,
            {"/slow-first": ("Slow", "en"), "/rss2": ("Quick", "en")},
        )
    )
    answered: list[str] = []
    stored: list[str] = []
    with Store.open(tmp_path / "state.sqlite") as store:
        FetchRun(config, store, tmp_path / "content").run(
            list(config.sources),
            on_progress=lambda row: stored.append(row.name),
            on_answer=answered.append,
        )
    assert answered == ["Quick", "Slow"]  # the progress bar moves as feeds answer
    assert stored == ["Slow", "Quick"]  # stubs are written in feeds.yml order
