"""One fetch run: config -> fetch -> parse -> store -> stubs, with one report row per source.

The HTTP work is concurrent (:class:`attention.fetch.Fetcher`); everything after it happens in
the event-loop thread as each feed completes: one store transaction per feed (entries, planned
stubs and the feed's new validators together), then the stub files. A run killed at any moment
leaves the store and ``content/`` consistent; the next run first completes what was planned.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from .config import Config, Source
from .fetch import Fetcher, FetchRequest, FetchResult, now_utc
from .parse import ParseError, parse_feed
from .store import FeedState, Store
from .stubs import StubOutcome, StubWriter

logger = logging.getLogger(__name__)

NEW = "new"
UNCHANGED = "unchanged"
ERROR = "error"
WAITING = "waiting"
DISABLED = "disabled"


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


def backoff_delay(error_count: int, base_minutes: float, max_hours: float) -> timedelta:
    """Exponential backoff after ``error_count`` consecutive failures, capped."""
    if error_count <= 0 or base_minutes <= 0:
        return timedelta(0)
    minutes = min(base_minutes * 2 ** (error_count - 1), max_hours * 60)
    return timedelta(minutes=minutes)


def select_sources(config: Config, only: str | None) -> list[Source]:
    """The sources to consider; ``only`` picks one by name (case-insensitive)."""
    if only is None:
        return list(config.sources)
    chosen = [s for s in config.sources if s.name.casefold() == only.casefold()]
    if not chosen:
        raise LookupError(f"no source named {only!r} in {config.path}")
    return chosen


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

    def run(
        self,
        sources: list[Source],
        on_progress: Callable[[SourceReport], None] | None = None,
    ) -> RunReport:
        """Fetch ``sources``; ``on_progress`` is called once per source as it finishes."""
        if not self.dry_run:
            self.report.recovered = self.writer.complete_pending()
        asyncio.run(self._run(sources, on_progress or (lambda _row: None)))
        order = {source.name: i for i, source in enumerate(sources)}
        self.report.sources.sort(key=lambda row: order.get(row.name, len(order)))
        return self.report

    async def _run(self, sources: list[Source], on_progress: Callable[[SourceReport], None]):
        requests: list[FetchRequest] = []
        by_key: dict[str, Source] = {}
        for source in sources:
            row = self._skip_reason(source)
            if row is not None:
                self._add(row, on_progress)
                continue
            key = self.config.source_location(source) if source.is_local else source.url
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
        if not requests:
            return
        async with Fetcher(self.settings) as fetcher:
            async for result in fetcher.fetch_many(requests):
                source = by_key[result.key]
                try:
                    row = self._process(source, result)
                except Exception as exc:  # one bad feed must not stop the run
                    logger.exception("attention.fetch: %s: unexpected failure", source.name)
                    row = SourceReport(source.name, ERROR, reason=f"internal error: {exc}")
                self._add(row, on_progress)

    def _add(self, row: SourceReport, on_progress: Callable[[SourceReport], None]) -> None:
        self.report.sources.append(row)
        on_progress(row)

    def _skip_reason(self, source: Source) -> SourceReport | None:
        if not source.enabled:
            return SourceReport(source.name, DISABLED, reason="disabled in the configuration")
        if self.force:
            return None
        key = self.config.source_location(source) if source.is_local else source.url
        state = self.store.feed(key)
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

    def _process(self, source: Source, result: FetchResult) -> SourceReport:
        now = self.now()
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
        try:
            parsed = parse_feed(
                result.body,
                source=source,
                feed_key=result.key,
                headers=result.headers,
                final_url=result.final_url,
                fetched_at=now,
                max_items=self.settings.max_items_per_feed,
            )
        except ParseError as exc:
            return self._failed(source, previous, str(exc), now, None)
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
