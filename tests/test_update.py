"""The run policy: backoff after failures in a row, choosing sources by name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from attention.config import load_config
from attention.update import backoff_delay, select_sources
from feedserver import synthetic_feed


def test_backoff_doubles_per_failure_in_a_row_and_is_capped() -> None:
    delays = [backoff_delay(n, base_minutes=60, max_hours=72) for n in range(0, 10)]
    assert delays[:4] == [timedelta(0), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    assert delays[-1] == timedelta(hours=72)
    assert delays == sorted(delays)


def test_backoff_stays_at_the_cap_after_a_thousand_failures_in_a_row() -> None:
    # 2 ** 1100 minutes does not fit a float: the feed would be stuck on an internal error
    assert backoff_delay(1100, base_minutes=30.0, max_hours=72) == timedelta(hours=72)


def test_backoff_can_be_switched_off() -> None:
    assert backoff_delay(5, base_minutes=0, max_hours=72) == timedelta(0)


def test_only_selects_by_name_case_insensitively(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yml"
    path.write_text(
        "sources:\n"
        "  - {name: Geektime, url: 'https://g.example/feed', language: he}\n"
        "  - {name: Wire, url: 'https://w.example/feed', language: en}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert [s.name for s in select_sources(config, "wire")] == ["Wire"]
    assert len(select_sources(config, None)) == 2
    with pytest.raises(LookupError, match="no source named 'Nope'"):
        select_sources(config, "Nope")


def _run_local_feeds(tmp: Path, workers: int, feeds: int = 26) -> dict[str, str]:
    from attention.store import Store
    from attention.update import FetchRun

    (tmp / "feeds").mkdir(parents=True)
    lines = [f"defaults: {{lookback_days: 36500, parse_workers: {workers}}}", "sources:"]
    for n in range(feeds):
        (tmp / "feeds" / f"f{n}.xml").write_bytes(synthetic_feed(n, items=3))
        lines.append(f"  - {{name: Feed {n}, url: feeds/f{n}.xml, language: en}}")
    (tmp / "feeds.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = load_config(tmp / "feeds.yml")
    with Store.open(tmp / "state.sqlite") as store:
        report = FetchRun(config, store, tmp / "content").run(list(config.sources))
    assert report.exit_status == 0 and report.stubs_written == feeds * 3
    briefs = tmp / "content" / "briefs"
    return {str(p.relative_to(briefs)): p.read_text("utf-8") for p in briefs.rglob("*.md")}


def test_parsing_in_worker_processes_gives_the_same_stubs_as_inline(tmp_path: Path) -> None:
    inline = _run_local_feeds(tmp_path / "inline", workers=1)
    parallel = _run_local_feeds(tmp_path / "parallel", workers=2)
    assert parallel == inline
