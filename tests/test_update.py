"""The run policy: backoff after failures in a row, choosing sources by name."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from attention.config import load_config
from attention.update import backoff_delay, select_sources


def test_backoff_doubles_per_failure_in_a_row_and_is_capped() -> None:
    delays = [backoff_delay(n, base_minutes=60, max_hours=72) for n in range(0, 10)]
    assert delays[:4] == [timedelta(0), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    assert delays[-1] == timedelta(hours=72)
    assert delays == sorted(delays)


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
