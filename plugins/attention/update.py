"""One fetch run: config -> fetch -> parse -> store -> stubs, with one report row per source.

Three stages overlap: the HTTP work runs concurrently in its own thread
(:func:`attention.fetch.fetch_in_background`); bodies are parsed in worker processes when there
are enough of them and a spare core (inline otherwise); this thread then does one store
transaction per feed, in the order of feeds.yml (entries, planned stubs and the feed's new
validators together) and writes the stub files. A run killed at any moment leaves the store
and ``content/`` consistent; the next run first completes what was planned. One writing run
per state file at a time (a lock file).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from .config import Config, Source
from .fetch import FetchRequest, FetchResult, fetch_in_background, now_utc
from .parse import ParsedFeed, ParseError, parse_feed
from .store import FeedState, Store
from .stubs import StubOutcome, StubWriter

logger = logging.getLogger(__name__)

NEW = "new"
UNCHANGED = "unchanged"
ERROR = "error"
WAITING = "waiting"
DISABLED = "disabled"
PARALLEL_PARSE_MIN_FEEDS = 24  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True, slots=True)
class SourceReport:
    """One row of the closing table."""

    name: str
    outcome: str  # new | unchanged | error | waiting | disabled
    new_entries: int = 0
    stubs_written: int = 0
    reason: str = ""
    error_count: int = 0


@dataclass(slots=True)
class RunReport:
    """Everything one run did; ``exit_status`` is 0 (all fine) or 3 (some sources failed)."""

    sources: list[SourceReport] = field(default_factory=list)
    stubs: list[StubOutcome] = field(default_factory=list)
    recovered: list[StubOutcome] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> list[SourceReport]:
        """Sources that failed in this run."""
        return [row for row in self.sources if row.outcome == ERROR]

    @property
    def exit_status(self) -> int:
        """0 when every source was fine, 3 when some failed."""
        return 3 if self.failed else 0

    @property
    def stubs_written(self) -> int:
        """New stub files written in this run (updates of existing stubs not counted)."""
        return sum(1 for o in self.stubs + self.recovered if o.action == "written")


@dataclass(frozen=True, slots=True)
class ParseRequest:
    """Everything a worker process needs to parse one fetched feed."""

    body: bytes
    source: Source
    feed_key: str
    headers: dict[str, str]
    final_url: str
    fetched_at: datetime
    max_items: int


@dataclass(frozen=True, slots=True)
class _Fetched:
    """A feed that answered with a body, waiting for its turn to be stored."""

    source: Source
    result: FetchResult
    now: datetime
    job: Future[ParsedFeed | ParseError] | None  # parsing in a worker; None: parse inline

    def parsed(self) -> ParsedFeed | ParseError | None:
        """The worker's answer (a crashed worker becomes a ParseError); None to parse inline."""
        if self.job is None:
            return None
        try:
            return self.job.result()
        except Exception as exc:  # a crashed worker: report it on this source
            return ParseError(f"parser failed: {type(exc).__name__}: {exc}")


def parse_job(request: ParseRequest) -> ParsedFeed | ParseError:
    """Parse one feed (in a worker process or inline); a ParseError is returned, not raised."""
    try:
        return parse_feed(
            request.body,
            source=request.source,
            feed_key=request.feed_key,
            headers=request.headers,
            final_url=request.final_url,
            fetched_at=request.fetched_at,
            max_items=request.max_items,
        )
    except ParseError as exc:
        return exc


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: leave as soon as the run that started us is gone (even ``kill -9``)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        os._exit(0)

    threading.Thread(target=watch, name="attention-parent-watch", daemon=True).start()


def backoff_delay(error_count: int, base_minutes: float, max_hours: float) -> timedelta:
    """Exponential backoff after ``error_count`` consecutive failures, capped."""
    if error_count <= 0 or base_minutes <= 0:
        return timedelta(0)
    doublings = min(error_count - 1, 64)  # past the cap anyway; 2 ** 1100 overflows a float
    minutes = min(base_minutes * 2**doublings, max_hours * 60)
    return timedelta(minutes=minutes)


def select_sources(config: Config, only: str | None) -> list[Source]:
    """The sources to consider; ``only`` picks one by name (case-insensitive)."""
    if only is None:
        return list(config.sources)
    chosen = [s for s in config.sources if s.name.casefold() == only.casefold()]
    if not chosen:
        raise LookupError(f"no source named {only!r} in {config.path}")
    return chosen


class RunInProgress(RuntimeError):
    """Another run holds the state's lock; the message says which file."""


class FetchRun:
    """Fetches the sources of one configuration into a store and a content directory."""

    def __init__(
        self,
        config: Config,
        store: Store,
        content_dir: Path,
        *,
        dry_run: bool = False,
        force: bool = False,
        now: Callable[[], datetime] = now_utc,
    ) -> None:
        self.config = config
        self.settings = config.defaults
        self.store = store
        self.dry_run = dry_run
        self.force = force
        self.now = now
        self.writer = StubWriter(store, content_dir, excerpt_chars=self.settings.excerpt_chars)
        self.report = RunReport(dry_run=dry_run)
        self._on_answer: Callable[[str], None] = lambda _name: None

    def run(
        self,
        sources: list[Source],
        on_progress: Callable[[SourceReport], None] | None = None,
        on_answer: Callable[[str], None] | None = None,
    ) -> RunReport:
        """Fetch ``sources``; ``on_progress`` is called once per source as it finishes (stored,
        in feeds.yml order for feeds with a body), ``on_answer`` with a source's name as soon as
        it has answered or was skipped without a request (for a progress bar that does not wait
        behind a slow feed)."""
        progress = on_progress or (lambda _row: None)
        if on_answer is not None:
            self._on_answer = on_answer
        with self._exclusive():
            return self._run(sources, progress)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One writing run per state file at a time (a cron job overlapping a manual run)."""
        if self.dry_run or self.store.path is None:
            yield
            return
        lock_path = self.store.path.with_name(self.store.path.name + ".lock")
        with lock_path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunInProgress(
                    f"another attention fetch is using {self.store.path} (lock: {lock_path})"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _run(self, sources: list[Source], progress: Callable[[SourceReport], None]) -> RunReport:
        if not self.dry_run:
            self.report.recovered = self.writer.complete_pending()
        requests: list[FetchRequest] = []
        by_key: dict[str, Source] = {}
        for source in sources:
            row = self._skip_reason(source)
            if row is not None:
                self._on_answer(source.name)
                self._add(row, progress)
                continue
            key = self._key(source)
            state = self.store.feed(key)
            location = state.current_url if state and not source.is_local else key
            requests.append(
                FetchRequest(
                    key=key,
                    location=location,
                    etag=state.etag if state else None,
                    last_modified=state.last_modified if state else None,
                )
            )
            by_key[key] = source
        if requests:
            self._fetch_and_process(requests, by_key, progress)
        order = {source.name: i for i, source in enumerate(sources)}
        self.report.sources.sort(key=lambda row: order.get(row.name, len(order)))
        return self.report

    def _fetch_and_process(
        self,
        requests: list[FetchRequest],
        by_key: dict[str, Source],
        progress: Callable[[SourceReport], None],
    ) -> None:
        """Fetch in a background thread, parse in worker processes, store and write here.

        Feeds with a body are stored in the order of ``feeds.yml``, whatever order they answer
        in: when two feeds carry one story in the same run, the stub is always the copy of the
        source listed first (a writer can put the sources they prefer to quote first). A feed
        that answered early waits, parsed, for the ones above it; errors and 304s, which store
        no entries, are recorded as they come.
        """
        pool = self._parse_pool(len(requests))
        ready: dict[str, _Fetched] = {}  # answered with a body, by key, not yet stored
        unstored = [r.key for r in requests]  # in configuration order
        try:
            for result in fetch_in_background(requests, self.settings):
                source = by_key[result.key]
                self._on_answer(source.name)
                if result.outcome != "ok":
                    unstored.remove(result.key)
                    self._finish(source, result, None, None, progress)
                else:
                    now = self.now()
                    job = None
                    if pool is not None:
                        job = pool.submit(parse_job, self._parse_request(source, result, now))
                    ready[result.key] = _Fetched(source, result, now, job)
                unstored = self._store_in_order(unstored, ready, progress, wait=False)
            self._store_in_order(unstored, ready, progress, wait=True)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _store_in_order(
        self,
        unstored: list[str],
        ready: dict[str, _Fetched],
        progress: Callable[[SourceReport], None],
        *,
        wait: bool,
    ) -> list[str]:
        """Store the fetched feeds at the head of ``unstored``; return the keys still waiting."""
        done = 0
        for key in unstored:
            fetched = ready.get(key)
            if fetched is None:
                break  # not answered yet: the feeds below it wait
            if fetched.job is not None and not (wait or fetched.job.done()):
                break
            del ready[key]
            self._finish(fetched.source, fetched.result, fetched.parsed(), fetched.now, progress)
            done += 1
        return unstored[done:]

    def _parse_pool(self, jobs: int) -> ProcessPoolExecutor | None:
        """Worker processes for parsing when there is enough to parse and a spare core."""
        workers = self.settings.parse_workers
        if not sys.platform.startswith("linux"):  # fork() is only dependable on Linux
            workers = 1
        elif workers == 0:
            cores = os.cpu_count() or 1
            workers = min(2, cores) if cores > 1 and jobs >= PARALLEL_PARSE_MIN_FEEDS else 1
        if workers <= 1:
            return None
        pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        # start the workers now, before the fetch thread exists (fork copies only this thread)
        for ready in [pool.submit(os.getpid) for _ in range(workers)]:
            ready.result()
        return pool

    def _parse_request(self, source: Source, result: FetchResult, now: datetime) -> ParseRequest:
        return ParseRequest(
            body=result.body,
            source=source,
            feed_key=result.key,
            headers=result.headers,
            final_url=result.final_url,
            fetched_at=now,
            max_items=self.settings.max_items_per_feed,
        )

    def _finish(
        self,
        source: Source,
        result: FetchResult,
        parsed: ParsedFeed | ParseError | None,
        now: datetime | None,
        progress: Callable[[SourceReport], None],
    ) -> None:
        try:
            row = self._process(source, result, parsed, now)
        except Exception as exc:  # one bad feed must not stop the run
            logger.exception("attention.fetch: %s: unexpected failure", source.name)
            row = SourceReport(source.name, ERROR, reason=f"internal error: {exc}")
        self._add(row, progress)

    def _key(self, source: Source) -> str:
        """The stable key of a source in the store: its URL, or the absolute path of a file."""
        return self.config.source_location(source) if source.is_local else source.url

    def _add(self, row: SourceReport, on_progress: Callable[[SourceReport], None]) -> None:
        self.report.sources.append(row)
        on_progress(row)

    def _skip_reason(self, source: Source) -> SourceReport | None:
        if not source.enabled:
            return SourceReport(source.name, DISABLED, reason="disabled in the configuration")
        if self.force:
            return None
        state = self.store.feed(self._key(source))
        now = self.now()
        if state and state.next_check and state.next_check > now:
            why = state.reason or "previous failure"
            return SourceReport(
                source.name,
                WAITING,
                reason=f"next try after {state.next_check:%Y-%m-%d %H:%M} UTC "
                f"({state.error_count} failure(s) in a row: {why})",
                error_count=state.error_count,
            )
        return None

    def _process(
        self,
        source: Source,
        result: FetchResult,
        parsed: ParsedFeed | ParseError | None = None,
        now: datetime | None = None,
    ) -> SourceReport:
        now = now or self.now()
        previous = self.store.feed(result.key) or FeedState(
            url=result.key, name=source.name, current_url=result.key
        )
        if result.outcome == "error":
            return self._failed(source, previous, result.reason, now, result.retry_after)
        moved = ""
        current = previous.current_url
        if result.moved_to:
            current = result.moved_to
            moved = f"moved permanently to {result.moved_to} (update feeds.yml)"
        succeeded = replace(
            previous,
            name=source.name,
            current_url=current,
            etag=result.etag,
            last_modified=result.last_modified,
            error_count=0,
            next_check=None,
            last_checked=now,
            last_ok=now,
        )
        if result.outcome == "not_modified":
            if not self.dry_run:
                with self.store.transaction():
                    self.store.save_feed(replace(succeeded, status=UNCHANGED, reason=moved))
            return SourceReport(source.name, UNCHANGED, reason=moved or "not modified (304)")
        if parsed is None:
            parsed = parse_job(self._parse_request(source, result, now))
        if isinstance(parsed, ParseError):
            return self._failed(source, previous, str(parsed), now, None)
        notes = "; ".join(part for part in (parsed.warning, moved) if part)
        cutoff = now - timedelta(days=self.settings.lookback_days)
        if self.dry_run:
            fresh = sum(1 for e in parsed.entries if not self.store.has_entry(e.identity))
            return SourceReport(source.name, NEW if fresh else UNCHANGED, fresh, 0, notes)
        fresh = 0
        with self.store.transaction():
            for entry in parsed.entries:
                added = self.store.add_entry(entry, seen_at=now)
                if not added.new:
                    continue
                fresh += 1
                if added.primary is not None:
                    self.writer.plan_refresh(added.primary)
                elif entry.published >= cutoff:
                    self.writer.plan_new(entry)
            status = "recovered" if parsed.recovered else "ok"
            self.store.save_feed(
                replace(
                    succeeded,
                    status=status,
                    reason=notes,
                    entries_seen=previous.entries_seen + fresh,
                )
            )
        with self.store.transaction():
            outcomes = self.writer.flush()
        self.report.stubs.extend(outcomes)
        written = sum(1 for o in outcomes if o.action == "written")
        return SourceReport(
            source.name,
            NEW if fresh else UNCHANGED,
            new_entries=fresh,
            stubs_written=written,
            reason=notes or ("" if fresh else "no new entries"),
        )

    def _failed(
        self,
        source: Source,
        previous: FeedState,
        reason: str,
        now: datetime,
        retry_after: float | None,
    ) -> SourceReport:
        errors = previous.error_count + 1
        settings = self.settings
        next_check = now + backoff_delay(
            errors, settings.backoff_base_minutes, settings.backoff_max_hours
        )
        if retry_after is not None:
            wait = timedelta(seconds=min(retry_after, settings.retry_after_max_hours * 3600))
            next_check = max(next_check, now + wait)
            reason = f"{reason} (Retry-After {int(wait.total_seconds())} s honoured)"
        if not self.dry_run:
            with self.store.transaction():
                self.store.save_feed(
                    replace(
                        previous,
                        name=source.name,
                        status=ERROR,
                        reason=reason,
                        error_count=errors,
                        next_check=next_check if next_check > now else None,
                        last_checked=now,
                    )
                )
        if errors > 1:
            reason = f"{reason} [{errors} failures in a row]"
        return SourceReport(source.name, ERROR, reason=reason, error_count=errors)
