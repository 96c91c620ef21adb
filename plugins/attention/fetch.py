"""Concurrent, polite HTTP for feeds (httpx): bytes in, bytes out, never a parse.

Every limit is a named setting in :class:`attention.config.Defaults`: total and per-host
concurrency, connect and total timeouts, a streamed body cap (a larger body is aborted, not read),
the number of redirects. Requests are conditional (ETag / Last-Modified); gzip and brotli are
accepted; a chain of permanent redirects (301/308) is reported so the stored URL can move; a
``Retry-After`` on 429/503 is passed back to the caller. Local file paths are read with the same
cap, their mtime and size standing in for a validator, so offline runs behave like online ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import queue
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import brotli
import httpx

from .config import Defaults

logger = logging.getLogger(__name__)

PERMANENT_REDIRECTS = frozenset({301, 308})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
RETRY_AFTER_STATUSES = frozenset({429, 503})
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """One feed to fetch: ``key`` is the configured URL, ``location`` where to fetch it now."""

    key: str
    location: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What came back: ``outcome`` is ``ok`` (body read), ``not_modified`` (304) or ``error``."""

    key: str
    outcome: str
    final_url: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    http_status: int | None = None
    retry_after: float | None = None
    reason: str = ""
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """True unless the fetch failed."""
        return self.outcome != "error"


class FetchError(Exception):
    """A fetch failed; the message is one line fit for the status table."""

    def __init__(
        self, reason: str, *, http_status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(reason)
        self.http_status = http_status
        self.retry_after = retry_after


def user_agent(settings: Defaults) -> str:
    """``Attention/<version> (+<user_agent_url>)``: names the project and where to learn more."""
    try:
        from importlib.metadata import version

        release = version("attention")
    except Exception:  # pragma: no cover - not installed
        release = "0"
    return f"Attention/{release} (+{settings.user_agent_url})"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, moment.timestamp() - now)


def _human_bytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MiB"
    if size >= 1024:
        return f"{size / 1024:.0f} KiB"
    return f"{size} bytes"


class Fetcher:
    """Fetches many feeds at once within the configured limits. Use as an async context manager."""

    def __init__(self, settings: Defaults, *, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(s.timeout_total, connect=s.timeout_connect),
            limits=httpx.Limits(
                max_connections=s.concurrency, max_keepalive_connections=s.concurrency
            ),
            follow_redirects=False,
            headers={"User-Agent": user_agent(s), "Accept": ACCEPT},
            transport=self._transport,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _host_gate(self, location: str) -> asyncio.Semaphore:
        host = _host(location)
        gate = self._hosts.get(host)
        if gate is None:
            gate = self._hosts[host] = asyncio.Semaphore(self.settings.per_host)
        return gate

    async def fetch_many(self, requests: Sequence[FetchRequest]) -> AsyncIterator[FetchResult]:
        """Yield one result per request, in completion order."""
        tasks = [asyncio.ensure_future(self.fetch(request)) for request in requests]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one feed; failures come back as an ``error`` result, never as an exception."""
        started = time.monotonic()
        if _is_local(request.location):
            result = await asyncio.to_thread(self._read_local, request)
            return _with_elapsed(result, started)
        # the host gate first: a request queued behind its host must not hold a global slot;
        # a redirect to another host goes through the gates again (see _fetch_http)
        async with contextlib.AsyncExitStack() as gates:
            await self._enter_gates(gates, request.location)
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.settings.timeout_total) as budget:
                    result = await self._fetch_http(request, gates, budget)
            except FetchError as exc:
                result = FetchResult(
                    key=request.key,
                    outcome="error",
                    final_url=request.location,
                    http_status=exc.http_status,
                    retry_after=exc.retry_after,
                    reason=str(exc),
                )
            except TimeoutError:
                result = _error(request, f"timed out after {self.settings.timeout_total:g} s")
            except httpx.ConnectTimeout:
                result = _error(
                    request, f"connect timed out after {self.settings.timeout_connect:g} s"
                )
            except httpx.TimeoutException:
                result = _error(request, f"timed out after {self.settings.timeout_total:g} s")
            except httpx.ConnectError as exc:
                result = _error(request, f"cannot connect: {_one_line(exc) or 'refused'}")
            except httpx.DecodingError as exc:
                result = _error(request, f"cannot decode the body: {_one_line(exc)}")
            except httpx.HTTPError as exc:
                result = _error(request, f"{type(exc).__name__}: {_one_line(exc)}")
            except Exception as exc:  # one odd feed must not end the fetch of all the others
                logger.exception("attention.fetch: %s: unexpected failure", request.location)
                result = _error(request, f"{type(exc).__name__}: {_one_line(exc)}")
        return _with_elapsed(result, started)

    async def _enter_gates(self, gates: contextlib.AsyncExitStack, location: str) -> None:
        """Wait for the host's gate, then for a global slot (never the other way round)."""
        await gates.enter_async_context(self._host_gate(location))
        await gates.enter_async_context(self._global)

    async def _fetch_http(
        self, request: FetchRequest, gates: contextlib.AsyncExitStack, budget: asyncio.Timeout
    ) -> FetchResult:
        assert self._client is not None, "use Fetcher as an async context manager"
        url = request.location
        permanent = True
        conditional: dict[str, str] = {}
        # a validator the server sent outside ASCII cannot be sent back as it came: go without
        if request.etag and request.etag.isascii():
            conditional["If-None-Match"] = request.etag
        if request.last_modified and request.last_modified.isascii():
            conditional["If-Modified-Since"] = request.last_modified
        gated_host = _host(url)
        for _hop in range(self.settings.max_redirects + 1):
            if _host(url) != gated_host:
                # the per-host limit holds for the host redirected to as well. Nothing is held
                # while waiting (no deadlock, no idle global slot), and the wait is not counted
                # in the request's time budget
                await gates.aclose()
                loop, deadline = asyncio.get_running_loop(), budget.when()
                waiting = loop.time()
                budget.reschedule(None)
                await self._enter_gates(gates, url)
                if deadline is not None:
                    budget.reschedule(deadline + loop.time() - waiting)
                gated_host = _host(url)
            async with self._client.stream("GET", url, headers=conditional) as response:
                status = response.status_code
                if status in REDIRECTS:
                    target = response.headers.get("location", "")
                    if not target:
                        raise FetchError(f"HTTP {status} without a Location", http_status=status)
                    permanent = permanent and status in PERMANENT_REDIRECTS
                    url = urljoin(url, target)
                    if urlsplit(url).scheme not in ("http", "https"):
                        raise FetchError(f"redirect to a non-http URL: {url[:80]}")
                    continue
                moved_to = url if permanent and url != request.location else None
                headers = {k.lower(): v for k, v in response.headers.items()}
                if status == 304 and not conditional:
                    # nothing to compare with: the feed was never read, so it is not unchanged
                    raise FetchError(
                        "HTTP 304 to a request that was not conditional", http_status=304
                    )
                if status == 304:
                    return FetchResult(
                        key=request.key,
                        outcome="not_modified",
                        final_url=url,
                        headers=headers,
                        etag=headers.get("etag", request.etag),
                        last_modified=headers.get("last-modified", request.last_modified),
                        moved_to=moved_to,
                        http_status=status,
                    )
                if status >= 400:
                    retry_after = None
                    if status in RETRY_AFTER_STATUSES:
                        retry_after = parse_retry_after(headers.get("retry-after"))
                    phrase = response.reason_phrase or ""
                    raise FetchError(
                        f"HTTP {status} {phrase}".strip(),
                        http_status=status,
                        retry_after=retry_after,
                    )
                body = await self._read_capped(response, headers)
                return FetchResult(
                    key=request.key,
                    outcome="ok",
                    final_url=url,
                    body=body,
                    headers=headers,
                    etag=headers.get("etag"),
                    last_modified=headers.get("last-modified"),
                    moved_to=moved_to,
                    http_status=status,
                )
        raise FetchError(f"more than {self.settings.max_redirects} redirects")

    async def _read_capped(self, response: httpx.Response, headers: dict[str, str]) -> bytes:
        cap = self.settings.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise FetchError(
                f"body of {_human_bytes(int(declared))} is over the "
                f"{_human_bytes(cap)} cap (not downloaded)"
            )
        # decoded here, never more than the cap at a time: httpx would expand a whole network
        # chunk at once, and a few KiB of brotli can hold gigabytes
        decoder = BoundedDecoder(headers.get("content-encoding", ""), cap)
        chunks: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            chunk = decoder.decode(raw)
            size += len(chunk)
            if size > cap:
                raise FetchError(f"body over the {_human_bytes(cap)} cap (download aborted)")
            chunks.append(chunk)
        chunk = decoder.flush()
        if size + len(chunk) > cap:
            raise FetchError(f"body over the {_human_bytes(cap)} cap (download aborted)")
        chunks.append(chunk)
        return b"".join(chunks)

    def _read_local(self, request: FetchRequest) -> FetchResult:
        path = Path(request.location)
        try:
            stat = path.stat()
            validator = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
            if request.etag == validator:
                return FetchResult(
                    key=request.key,
                    outcome="not_modified",
                    final_url=str(path),
                    etag=validator,
                )
            if stat.st_size > self.settings.max_body_bytes:
                return _error(
                    request,
                    f"file of {_human_bytes(stat.st_size)} is over the "
                    f"{_human_bytes(self.settings.max_body_bytes)} cap",
                )
            with path.open("rb") as handle:
                body = handle.read(self.settings.max_body_bytes + 1)
        except FileNotFoundError:
            return _error(request, f"no such file: {path}")
        except OSError as exc:
            return _error(request, f"cannot read {path}: {exc.strerror or exc}")
        if len(body) > self.settings.max_body_bytes:
            return _error(request, "file grew over the cap while being read")
        return FetchResult(
            key=request.key,
            outcome="ok",
            final_url=path.resolve().as_uri(),
            body=body,
            etag=validator,
        )


class BoundedDecoder:
    """Undo a ``Content-Encoding`` (gzip, deflate, br, or a list of them) without ever producing
    more than ``limit`` + 1 bytes per call; more than ``limit`` is over the cap anyway."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self.limit = limit
        names = [n.strip().lower() for n in content_encoding.split(",")]
        # anything else ("identity", or a charset some servers put here) passes through as is
        names = [n for n in names if n in ("gzip", "x-gzip", "deflate", "br")]
        self._stages: list[list[Any]] = [[name, _decompressor(name), True] for name in names]

    def decode(self, data: bytes) -> bytes:
        """The next piece of the decoded body (at most ``limit`` + 1 bytes)."""
        for stage in reversed(self._stages):  # the last encoding applied is undone first
            data = self._stage(stage, data)
        return data

    def flush(self) -> bytes:
        """What the decoders still hold at the end of the body."""
        data = b""
        for stage in reversed(self._stages):
            data = self._stage(stage, data)
            if stage[0] != "br":
                data += stage[1].flush()
        return data

    def _stage(self, stage: list[Any], data: bytes) -> bytes:
        name, engine, first = stage
        stage[2] = False
        bound = self.limit + 1
        try:
            if name == "br":
                try:
                    out = engine.process(data, output_buffer_limit=bound)
                except TypeError:  # brotli < 1.2 has no output limit: unbounded, as before
                    out = engine.process(data)
            else:
                out = engine.decompress(data, bound)
        except (zlib.error, brotli.error) as exc:
            if name == "deflate" and first:  # "deflate" without its zlib header, as some send
                stage[1] = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._stage(stage, data)
            raise FetchError(f"cannot decode the body: {_one_line(exc)}") from exc
        if len(out) > self.limit or (name != "br" and engine.unconsumed_tail):
            raise FetchError(f"body over the {_human_bytes(self.limit)} cap (download aborted)")
        return out


def _decompressor(name: str) -> Any:
    if name == "br":
        return brotli.Decompressor()
    if name == "deflate":
        return zlib.decompressobj()
    return zlib.decompressobj(zlib.MAX_WBITS | 16)


def fetch_in_background(
    requests: Sequence[FetchRequest], settings: Defaults
) -> Iterator[FetchResult]:
    """Yield results as they complete while the HTTP work runs in its own thread.

    The caller's thread is free to parse and write (CPU and disk) without stalling the event
    loop; leaving the loop early cancels the fetches still in flight.
    """
    results: queue.Queue[FetchResult | BaseException | None] = queue.Queue()
    loop = asyncio.new_event_loop()

    async def produce() -> None:
        async with Fetcher(settings) as fetcher:
            async for result in fetcher.fetch_many(requests):
                results.put(result)

    task = loop.create_task(produce())

    def work() -> None:
        try:
            loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # handed to the consumer, raised there
            results.put(exc)
        finally:
            results.put(None)
            loop.close()

    thread = threading.Thread(target=work, name="attention-fetch", daemon=True)
    thread.start()
    finished = False
    try:
        while (item := results.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
        finished = True
    finally:
        if not finished:  # the consumer left early: stop what is still in flight
            with contextlib.suppress(RuntimeError):  # the loop may have closed meanwhile
                loop.call_soon_threadsafe(task.cancel)
        thread.join()


def _host(location: str) -> str:
    """The per-host limit's key: ``example.com.`` (fully qualified) is ``example.com``."""
    return (urlsplit(location).hostname or "").lower().removesuffix(".")


def _is_local(location: str) -> bool:
    return urlsplit(location).scheme not in ("http", "https")


def _error(request: FetchRequest, reason: str) -> FetchResult:
    return FetchResult(key=request.key, outcome="error", final_url=request.location, reason=reason)


def _with_elapsed(result: FetchResult, started: float) -> FetchResult:
    return replace(result, elapsed=time.monotonic() - started)


def _one_line(exc: BaseException | str) -> str:
    return " ".join(str(exc).split())[:200]


def now_utc() -> datetime:
    """The current time, timezone-aware UTC (one place to read the clock)."""
    return datetime.now(UTC)
