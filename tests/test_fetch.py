"""The HTTP layer against a real server on 127.0.0.1: limits, validators, redirects, errors."""

from __future__ import annotations

import asyncio
import gzip
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import brotli
import pytest

from attention.config import Defaults
from attention.fetch import (
    Fetcher,
    FetchRequest,
    FetchResult,
    fetch_in_background,
    parse_retry_after,
    user_agent,
)
from feedserver import FeedServer, Route

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
RSS = (FIXTURES / "rss2.xml").read_bytes()


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer(extra_hosts=("127.0.0.2", "127.0.0.3")) as running:
        yield running


def settings(**overrides: object) -> Defaults:
    base: dict[str, object] = {"timeout_connect": 2, "timeout_total": 2}
    base.update(overrides)
    return Defaults(**base)  # type: ignore[arg-type]


def fetch(request: FetchRequest | str, **overrides: object) -> FetchResult:
    if isinstance(request, str):
        request = FetchRequest(key=request, location=request)

    async def go() -> FetchResult:
        async with Fetcher(settings(**overrides)) as fetcher:
            return await fetcher.fetch(request)

    return asyncio.run(go())


def test_plain_feed_is_fetched_with_our_user_agent(server: FeedServer) -> None:
    server.routes["/plain"] = Route(body=RSS)
    result = fetch(server.url("/plain"))
    assert result.outcome == "ok" and result.body == RSS
    agent = server.requests_for("/plain")[-1].headers["user-agent"]
    assert agent == user_agent(settings()) and "https://example.org/attention" in agent


def test_second_request_is_conditional_and_gets_304(server: FeedServer) -> None:
    server.routes["/etag"] = Route(
        body=RSS, etag='"v1"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT"
    )
    first = fetch(server.url("/etag"))
    assert first.etag == '"v1"' and first.last_modified == "Fri, 20 Nov 2026 08:00:00 GMT"
    again = fetch(
        FetchRequest(
            key="k",
            location=server.url("/etag"),
            etag=first.etag,
            last_modified=first.last_modified,
        )
    )
    assert again.outcome == "not_modified" and again.body == b""
    sent = server.requests_for("/etag")[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Fri, 20 Nov 2026 08:00:00 GMT"


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compressed_bodies_are_decoded(server: FeedServer, encoding: str) -> None:
    server.routes[f"/{encoding}"] = Route(body=RSS, encoding=encoding)
    result = fetch(server.url(f"/{encoding}"))
    assert result.body == RSS
    assert encoding in server.requests_for(f"/{encoding}")[-1].headers["accept-encoding"]


def test_permanent_redirect_is_followed_and_reported(server: FeedServer) -> None:
    server.routes["/old"] = Route(status=301, location="/new")
    server.routes["/new"] = Route(body=RSS)
    result = fetch(server.url("/old"))
    assert result.outcome == "ok" and result.body == RSS
    assert result.moved_to == server.url("/new")


def test_temporary_redirect_is_not_a_move(server: FeedServer) -> None:
    server.routes["/temp"] = Route(status=302, location="/new")
    result = fetch(server.url("/temp"))
    assert result.outcome == "ok" and result.moved_to is None


def test_redirect_loop_stops_at_the_limit(server: FeedServer) -> None:
    server.routes["/loop"] = Route(status=301, location="/loop")
    server.reset_log()
    result = fetch(server.url("/loop"), max_redirects=3)
    assert result.outcome == "error" and result.reason == "more than 3 redirects"
    assert len(server.requests_for("/loop")) == 4


@pytest.mark.parametrize(("status", "reason"), [(404, "HTTP 404"), (500, "HTTP 500")])
def test_http_errors_are_one_line(server: FeedServer, status: int, reason: str) -> None:
    server.routes[f"/e{status}"] = Route(status=status, body=b"oops")
    result = fetch(server.url(f"/e{status}"))
    assert result.outcome == "error" and result.reason.startswith(reason)
    assert "\n" not in result.reason


def test_retry_after_is_passed_back_on_429_and_503(server: FeedServer) -> None:
    server.routes["/busy"] = Route(status=503, headers={"Retry-After": "120"})
    server.routes["/slowdown"] = Route(status=429, headers={"Retry-After": "30"})
    assert fetch(server.url("/busy")).retry_after == 120
    assert fetch(server.url("/slowdown")).retry_after == 30


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Fri, 20 Nov 2026 08:02:00 GMT", now=1_795_161_600.0) == 120
    assert parse_retry_after("soon") is None


def test_slow_endpoint_times_out(server: FeedServer) -> None:
    server.routes["/slow"] = Route(body=RSS, delay=3)
    result = fetch(server.url("/slow"), timeout_total=0.5)
    assert result.outcome == "error" and "timed out" in result.reason
    assert result.elapsed < 2


def test_body_over_the_cap_is_aborted_not_read(server: FeedServer) -> None:
    server.routes["/endless"] = Route(endless=True)
    result = fetch(server.url("/endless"), max_body_bytes=256 * 1024, timeout_total=10)
    assert result.outcome == "error" and "cap" in result.reason
    assert result.elapsed < 5  # the server would go on for 30 s


def test_declared_length_over_the_cap_is_not_downloaded(server: FeedServer) -> None:
    server.routes["/big"] = Route(body=b"<rss>" + b" " * 300_000 + b"</rss>")
    result = fetch(server.url("/big"), max_body_bytes=100_000)
    assert result.outcome == "error" and "not downloaded" in result.reason


def test_gzip_bomb_is_capped_on_the_decoded_size(server: FeedServer) -> None:
    server.routes["/bomb"] = Route(body=b" " * 2_000_000, encoding="gzip")
    assert len(gzip.compress(b" " * 2_000_000)) < 100_000
    result = fetch(server.url("/bomb"), max_body_bytes=100_000)
    assert result.outcome == "error" and "cap" in result.reason


def test_connection_refused_is_an_error_not_an_exception(server: FeedServer) -> None:
    result = fetch("http://127.0.0.1:9/feed")
    assert result.outcome == "error" and "connect" in result.reason


def test_concurrency_is_bounded_per_host_and_in_total() -> None:
    with FeedServer(extra_hosts=("127.0.0.2", "127.0.0.3")) as server:
        _check_concurrency(server)


def _check_concurrency(server: FeedServer) -> None:
    for i in range(12):
        server.routes[f"/c{i}"] = Route(body=RSS, delay=0.15)
    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    requests = [
        FetchRequest(key=str(i), location=server.url(f"/c{i}", host=hosts[i % 3]))
        for i in range(12)
    ]

    async def go() -> list[FetchResult]:
        async with Fetcher(settings(concurrency=4, per_host=2)) as fetcher:
            return [r async for r in fetcher.fetch_many(requests)]

    server.reset_log()
    results = asyncio.run(go())
    assert all(r.ok for r in results), [r.reason for r in results]
    assert server.peak_in_flight <= 4
    assert max(server.peak_per_host.values()) <= 2
    assert server.peak_in_flight >= 3  # really concurrent


def test_local_file_is_read_with_a_validator(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(RSS)
    first = fetch(str(path))
    assert first.outcome == "ok" and first.body == RSS and first.etag
    again = fetch(FetchRequest(key="k", location=str(path), etag=first.etag))
    assert again.outcome == "not_modified"
    assert fetch(str(tmp_path / "missing.xml")).reason.startswith("no such file")


def test_leaving_the_background_fetch_early_stops_it(server: FeedServer) -> None:
    server.routes["/quick"] = Route(body=RSS)
    server.routes["/lingering"] = Route(body=RSS, delay=5)
    requests = [
        FetchRequest(key="quick", location=server.url("/quick")),
        FetchRequest(key="lingering", location=server.url("/lingering")),
    ]
    started = time.monotonic()
    for result in fetch_in_background(requests, settings(timeout_total=10)):
        assert result.key == "quick"
        break
    assert time.monotonic() - started < 3
    assert not [t for t in threading.enumerate() if t.name == "attention-fetch"]


def test_background_fetch_yields_every_result(server: FeedServer) -> None:
    for i in range(5):
        server.routes[f"/bg{i}"] = Route(body=RSS)
    requests = [FetchRequest(key=str(i), location=server.url(f"/bg{i}")) for i in range(5)]
    for _ in range(3):  # the end of the stream must be clean every time
        keys = sorted(r.key for r in fetch_in_background(requests, settings()))
        assert keys == ["0", "1", "2", "3", "4"]


def test_non_ascii_etag_from_the_server_does_not_break_later_runs(server: FeedServer) -> None:
    # a server may send bytes outside ASCII in a validator; sending it back must not crash
    server.routes["/latin-etag"] = Route(body=RSS, etag='"caf\u00e9-1"')
    server.routes["/plain-neighbour"] = Route(body=RSS)
    first = fetch(server.url("/latin-etag"))
    assert first.outcome == "ok" and first.etag
    requests = [
        FetchRequest(key="odd", location=server.url("/latin-etag"), etag=first.etag),
        FetchRequest(key="fine", location=server.url("/plain-neighbour")),
    ]
    results = {r.key: r for r in fetch_in_background(requests, settings())}
    assert set(results) == {"odd", "fine"}
    assert results["odd"].outcome == "ok" and results["odd"].body == RSS
    assert results["fine"].outcome == "ok"


def test_per_host_limit_holds_for_the_host_redirected_to() -> None:
    # feeds on two hosts that all send their readers (302) to one shared host
    with FeedServer(extra_hosts=("127.0.0.2", "127.0.0.3")) as server:
        server.routes["/shared"] = Route(body=RSS, delay=0.2)
        for i in range(6):
            server.routes[f"/hop{i}"] = Route(
                status=302, location=server.url("/shared", host="127.0.0.3")
            )
        requests = [
            FetchRequest(
                key=str(i), location=server.url(f"/hop{i}", host=("127.0.0.1", "127.0.0.2")[i % 2])
            )
            for i in range(6)
        ]

        async def go() -> list[FetchResult]:
            async with Fetcher(settings(concurrency=16, per_host=2)) as fetcher:
                return [r async for r in fetcher.fetch_many(requests)]

        results = asyncio.run(go())
        assert all(r.ok for r in results), [r.reason for r in results]
        assert server.peak_per_host["127.0.0.3"] <= 2


def test_304_to_a_request_without_validators_is_an_error_not_unchanged(
    server: FeedServer,
) -> None:
    # a misbehaving cache answering 304 to a first fetch must not hide the feed forever
    server.routes["/always-304"] = Route(status=304)
    result = fetch(server.url("/always-304"))
    assert result.outcome == "error"
    assert "304" in result.reason and "conditional" in result.reason


def test_waiting_for_the_redirect_targets_host_does_not_count_against_the_timeout() -> None:
    # six feeds queue for one slot on the shared host, 0.3 s each: 1.8 s in all, over the
    # 1 s budget of one request, yet none of them is slow
    with FeedServer(extra_hosts=("127.0.0.2",)) as server:
        server.routes["/shared"] = Route(body=RSS, delay=0.3)
        for i in range(6):
            server.routes[f"/hop{i}"] = Route(
                status=302, location=server.url("/shared", host="127.0.0.2")
            )
        requests = [FetchRequest(key=str(i), location=server.url(f"/hop{i}")) for i in range(6)]

        async def go() -> list[FetchResult]:
            overrides = {"per_host": 1, "timeout_total": 1}
            async with Fetcher(settings(**overrides)) as fetcher:
                return [r async for r in fetcher.fetch_many(requests)]

        results = asyncio.run(go())
        assert all(r.ok for r in results), [r.reason for r in results]
        assert server.peak_per_host["127.0.0.2"] == 1


@pytest.mark.parametrize("encoding", ["br", "gzip", "deflate"])
def test_compression_bomb_is_stopped_before_it_is_decoded_in_memory(
    server: FeedServer, encoding: str
) -> None:
    # 64 MiB of zeros: brotli packs them into a few hundred bytes, one network chunk that the
    # decoder used to expand whole before the cap was checked (a 16 KiB body: gigabytes)
    zeros = b"\0" * (64 << 20)
    if encoding == "br":
        body = brotli.compress(zeros, quality=5)
    else:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
        body = packer.compress(zeros) + packer.flush()
    path = f"/bomb-{encoding}"
    server.routes[path] = Route(body=body, headers={"Content-Encoding": encoding})
    del zeros
    tracemalloc.start()
    try:
        result = fetch(server.url(path), max_body_bytes=1 << 20, timeout_total=30)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.outcome == "error" and "cap" in result.reason
    assert peak < 16 << 20, f"{peak / (1 << 20):.0f} MiB held while reading a 1 MiB-capped body"


@pytest.mark.parametrize("encoding", ["br", "gzip", "deflate", "raw-deflate"])
def test_compressed_feed_under_the_cap_is_decoded(server: FeedServer, encoding: str) -> None:
    if encoding == "br":
        body = brotli.compress(RSS)
    else:
        wbits = {"gzip": 31, "deflate": 15, "raw-deflate": -15}[encoding]
        packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
        body = packer.compress(RSS) + packer.flush()
    path = f"/packed-{encoding}"
    header = "deflate" if encoding == "raw-deflate" else encoding
    server.routes[path] = Route(body=body, headers={"Content-Encoding": header})
    result = fetch(server.url(path))
    assert result.outcome == "ok" and result.body == RSS


def test_a_charset_in_content_encoding_is_ignored_not_fatal(server: FeedServer) -> None:
    # some servers put the charset there ("Content-Encoding: UTF-8"); the body is plain
    server.routes["/utf8-encoding"] = Route(body=RSS, headers={"Content-Encoding": "UTF-8"})
    result = fetch(server.url("/utf8-encoding"))
    assert result.outcome == "ok" and result.body == RSS


def test_trailing_dot_host_shares_the_per_host_limit_with_the_plain_host() -> None:
    async def go() -> None:
        async with Fetcher(settings(per_host=2)) as fetcher:
            plain = fetcher._host_gate("https://Feeds.Example.com/a.xml")
            dotted = fetcher._host_gate("https://feeds.example.com./b.xml")
            assert dotted is plain

    asyncio.run(go())
