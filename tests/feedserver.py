"""A real HTTP server on 127.0.0.1 for the fetch tests: routes of fixture bytes with behaviours.

Each :class:`Route` says what one path answers: status, headers, body, a delay, gzip/brotli,
an ETag / Last-Modified honoured with 304, a redirect, or an endless body. The server records
every request (path, headers) and the peak number of requests in flight, per host and in total.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    encoding: str | None = None  # "gzip" | "br"
    location: str | None = None  # for 3xx
    endless: bool = False  # stream chunks until the client hangs up, no Content-Length

    @classmethod
    def fixture(cls, name: str, **kwargs: object) -> Route:
        """A route answering with ``tests/fixtures/feeds/<name>``."""
        return cls(body=(FIXTURES / name).read_bytes(), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]


class FeedServer:
    """Start with :meth:`start` (or as a context manager); ``url(path)`` gives full URLs."""

    def __init__(self, host: str = "127.0.0.1", extra_hosts: tuple[str, ...] = ()) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[Seen] = []
        self.bytes_sent: dict[str, int] = {}
        self.peak_in_flight = 0
        self.peak_per_host: dict[str, int] = {}
        self._lock = threading.Lock()
        self._in_flight = 0
        self._per_host: dict[str, int] = {}
        handler = self._handler_class()
        self._httpd = ThreadingHTTPServer((host, 0), handler)
        # the same port on other loopback addresses: distinct hosts for per-host limits
        self._servers = [self._httpd] + [
            ThreadingHTTPServer((extra, self.port), handler) for extra in extra_hosts
        ]
        self._threads = []
        for httpd in self._servers:
            httpd.daemon_threads = True
            self._threads.append(threading.Thread(target=httpd.serve_forever, daemon=True))

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._httpd.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        """``http://<host>:<port><path>``."""
        return f"http://{host}:{self.port}{path}"

    def start(self) -> FeedServer:
        """Serve in a background thread."""
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        for httpd in self._servers:
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_for(self, path: str) -> list[Seen]:
        """Every request received for ``path`` (in arrival order)."""
        with self._lock:
            return [seen for seen in self.seen if seen.path == path]

    def reset_log(self) -> None:
        """Forget the requests seen so far and the peaks."""
        with self._lock:
            self.seen.clear()
            self.peak_in_flight = 0
            self.peak_per_host.clear()

    def _enter(self, host: str) -> None:
        with self._lock:
            self._in_flight += 1
            self._per_host[host] = self._per_host.get(host, 0) + 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            self.peak_per_host[host] = max(self.peak_per_host.get(host, 0), self._per_host[host])

    def _leave(self, host: str) -> None:
        with self._lock:
            self._in_flight -= 1
            self._per_host[host] -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                path = self.path
                headers = {k.lower(): v for k, v in self.headers.items()}
                host = headers.get("host", "").rsplit(":", 1)[0]
                with server._lock:
                    server.seen.append(Seen(path, headers))
                route = server.routes.get(path)
                server._enter(host)
                try:
                    if route is None:
                        self._send(404, b"not here", {"Content-Type": "text/plain"})
                        return
                    if route.delay:
                        time.sleep(route.delay)
                    self._answer(route, headers)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    server._leave(host)

            def _answer(self, route: Route, headers: dict[str, str]) -> None:
                extra = dict(route.headers)
                if route.etag:
                    extra["ETag"] = route.etag
                if route.last_modified:
                    extra["Last-Modified"] = route.last_modified
                if route.location:
                    extra["Location"] = route.location
                fresh = (route.etag and headers.get("if-none-match") == route.etag) or (
                    route.last_modified
                    and not route.etag
                    and headers.get("if-modified-since") == route.last_modified
                )
                if fresh and route.status == 200:
                    self._send(304, b"", extra)
                    return
                if route.endless:
                    self._stream_forever(route, extra)
                    return
                body = route.body
                if route.encoding == "gzip":
                    body = gzip.compress(body)
                    extra["Content-Encoding"] = "gzip"
                elif route.encoding == "br":
                    body = brotli.compress(body)
                    extra["Content-Encoding"] = "br"
                extra.setdefault("Content-Type", route.content_type)
                self._send(route.status, body, extra)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body and status != 304:
                    self.wfile.write(body)
                with server._lock:
                    server.bytes_sent[self.path] = server.bytes_sent.get(self.path, 0) + len(body)

            def _stream_forever(self, route: Route, headers: dict[str, str]) -> None:
                self.send_response(200)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b"<!-- " + b"x" * 65_000 + b" -->\n"
                frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                sent = 0
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    self.wfile.write(frame)
                    sent += len(chunk)
                    with server._lock:
                        server.bytes_sent[self.path] = sent
                self.close_connection = True

        return Handler


def synthetic_feed(number: int, items: int = 5) -> bytes:
    """An RSS 2.0 feed of ``items`` distinct, dated stories, numbered ``number``."""
    entries = "".join(
        f"<item><title>Synthetic story {number} number {i} about markets</title>"
        f"<link>https://synthetic.test.example/{number}/{i}</link>"
        f"<guid isPermaLink='false'>syn-{number}-{i}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 {i:02d}:{number % 60:02d}:00 +0000</pubDate>"
        f"<description>Body of story {i} in feed {number}.</description></item>"
        for i in range(items)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Synthetic {number}</title><link>https://synthetic.test.example/</link>"
        f"<description>d</description>{entries}</channel></rss>"
    ).encode()
