"""Benchmark `attention fetch` against a sequential feedparser loop, side by side.

    python bench/fetch.py 300 [--delay 0.2] [--delay-304 0.2] [--items 5] [--concurrency 16]

A separate process serves N generated feeds on loopback addresses 127.0.0.1 … 127.0.0.H (a few
feeds per host, so the per-host limit of 2 is real but not the bottleneck), each answering after
``--delay`` seconds, with an ETag (a matching If-None-Match gets a 304 after ``--delay-304``).
Three timings, each from a fresh start:

* sequential: ``feedparser.parse(url)`` for every feed, one after the other (fetch + parse only);
* ours: the whole ``attention fetch`` pipeline (fetch, parse, store, stubs) on an empty state;
* rerun: the same again on that state (every feed answers 304; no stub may be rewritten).

Ours runs ``--repeat`` times (3), each from an empty state, and the best time counts: on a
shared machine the spread comes from other jobs, not from the code under test.

The last line is ``fetch N=300: ratio X (ours A s / sequential B s); rerun C s``.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser

from attention.config import load_config
from attention.store import Store
from attention.update import FetchRun

logger = logging.getLogger(__name__)
FEEDS_PER_HOST = 3


def feed_body(number: int, items: int) -> bytes:
    """An RSS 2.0 document with ``items`` distinct entries for feed ``number``."""
    entries = "".join(
        f"<item><title>Bench story {i} from source {number} on market moves</title>"
        f"<link>https://bench{number}.example/{i}?utm_source=rss</link>"
        f"<guid isPermaLink='false'>bench-{number}-{i}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 {i % 24:02d}:{number % 60:02d}:00 IDT</pubDate>"
        f"<description>&lt;p&gt;Summary of story {i} in feed {number}, "
        f"with &lt;a href='https://x.example/'&gt;a link&lt;/a&gt;.&lt;/p&gt;</description></item>"
        for i in range(items)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Bench {number}</title><link>https://bench{number}.example/</link>"
        f"<description>bench</description>{entries}</channel></rss>"
    ).encode()


def serve(hosts: list[str], port_box: multiprocessing.Queue, args: argparse.Namespace) -> None:
    """Server process: every host serves /feed/<n> after the configured delay."""
    bodies = {n: feed_body(n, args.items) for n in range(args.n)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *a: object) -> None:
            return

        def do_GET(self) -> None:
            number = int(self.path.rsplit("/", 1)[1])
            etag = f'"bench-{number}"'
            if self.headers.get("If-None-Match") == etag:
                time.sleep(args.delay_304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            time.sleep(args.delay)
            body = bodies[number]
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    first = ThreadingHTTPServer((hosts[0], 0), Handler)
    port = first.server_address[1]
    servers = [first] + [ThreadingHTTPServer((host, port), Handler) for host in hosts[1:]]
    for httpd in servers:
        httpd.daemon_threads = True
        httpd.request_queue_size = 128
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port_box.put(port)
    threading.Event().wait()


def urls(n: int, port: int) -> list[str]:
    """Feed URLs spread over loopback hosts."""
    return [f"http://127.0.0.{1 + i // FEEDS_PER_HOST}:{port}/feed/{i}" for i in range(n)]


def sequential(feed_urls: list[str]) -> tuple[float, int]:
    """The baseline: feedparser fetching and parsing each feed in turn."""
    started = time.perf_counter()
    entries = 0
    for url in feed_urls:
        entries += len(feedparser.parse(url).entries)
    return time.perf_counter() - started, entries


def ours(config_path: Path, work: Path) -> tuple[float, int, int]:
    """One full `attention fetch` run; returns seconds, new entries and stubs written."""
    config = load_config(config_path)
    started, cpu = time.perf_counter(), time.process_time()
    with Store.open(work / "state.sqlite") as store:
        report = FetchRun(config, store, work / "content").run(list(config.sources))
    elapsed = time.perf_counter() - started
    print(f"  ({time.process_time() - cpu:.2f} s CPU in this process)")
    failed = report.failed
    if failed:
        print(f"  {len(failed)} sources failed, e.g. {failed[0].name}: {failed[0].reason}")
    new = sum(row.new_entries for row in report.sources)
    return elapsed, new, report.stubs_written + sum(o.action == "updated" for o in report.stubs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=300)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds before a 200")
    parser.add_argument("--delay-304", type=float, default=None, help="seconds before a 304")
    parser.add_argument("--items", type=int, default=5, help="entries per feed")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--parse-workers", type=int, default=0, help="0 = automatic")
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours; the best counts")
    parser.add_argument("--skip-sequential", action="store_true")
    args = parser.parse_args(argv)
    if args.delay_304 is None:
        args.delay_304 = args.delay
    hosts = [f"127.0.0.{1 + i}" for i in range((args.n + FEEDS_PER_HOST - 1) // FEEDS_PER_HOST)]
    box: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(hosts, box, args), daemon=True)
    server.start()
    try:
        port = box.get(timeout=30)
        feed_urls = urls(args.n, port)
        with tempfile.TemporaryDirectory(prefix="attention-bench-") as tmp:
            work = Path(tmp)
            config_path = work / "feeds.yml"
            lines = [
                "defaults:",
                f"  concurrency: {args.concurrency}",
                f"  parse_workers: {args.parse_workers}",
                "  lookback_days: 36500",
                "sources:",
            ]
            lines += [
                f'  - {{name: "Bench {i}", url: "{url}", language: he, tags: [bench]}}'
                for i, url in enumerate(feed_urls)
            ]
            config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(
                f"N={args.n} feeds on {len(hosts)} loopback hosts, {args.items} items each, "
                f"200 after {args.delay:g} s, 304 after {args.delay_304:g} s, "
                f"concurrency {args.concurrency}, 2 per host"
            )
            firsts: list[float] = []
            reruns: list[float] = []
            untouched, rewritten = True, 0
            for attempt in range(args.repeat):  # fresh state each time; the best run counts
                run_dir = work / f"run{attempt}"
                run_dir.mkdir()
                elapsed, new, written = ours(config_path, run_dir)
                firsts.append(elapsed)
                print(f"ours (empty state):   {elapsed:6.2f} s  {new} new entries, {written} stubs")
                before = {p: p.stat().st_mtime_ns for p in (run_dir / "content").rglob("*.md")}
                elapsed, new_again, again = ours(config_path, run_dir)
                reruns.append(elapsed)
                after = {p: p.stat().st_mtime_ns for p in (run_dir / "content").rglob("*.md")}
                untouched = untouched and before == after
                rewritten += again
                print(
                    f"ours (rerun, 304s):   {elapsed:6.2f} s  {new_again} new entries, "
                    f"{again} stubs written; files untouched: {before == after}"
                )
            first, rerun = min(firsts), min(reruns)
            bound = args.n / args.concurrency * args.delay_304
            print(
                f"  (a rerun cannot beat N / concurrency x 304 delay = {bound:.2f} s; "
                "the first run likewise with the 200 delay)"
            )
            if args.skip_sequential:
                base = float("nan")
            else:
                base, entries = sequential(feed_urls)
                print(f"sequential feedparser: {base:6.2f} s  {entries} entries parsed")
    finally:
        server.terminate()
        server.join()
    ratio = first / base if base else float("nan")
    print(
        f"fetch N={args.n}: ratio {ratio:.3f} (ours {first:.2f} s / sequential {base:.2f} s); "
        f"rerun {rerun:.2f} s"
    )
    return 0 if untouched and rewritten == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
