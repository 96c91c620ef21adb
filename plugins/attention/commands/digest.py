"""``attention digest [--week 2025-W46]``: open (or refresh) the week's digest draft."""

from __future__ import annotations

import argparse
import logging
import sqlite3
from datetime import UTC, datetime

from rich.console import Console
from rich.markup import escape

from ..config import ConfigError, load_config
from ..digest import entries_for_window, open_weekly_digest, refresh_snapshot
from ..store import Store, default_state_path
from ..weekly import WeekError, week_monday, week_of
from . import add_project_arguments

logger = logging.getLogger(__name__)

HELP = "open this week's digest draft under content/digests/, with the week's trends on top"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
MESSAGES = {
    "created": "opened issue #{number}: {path}",
    "refreshed": "refreshed the untouched draft of issue #{number}: {path}",
    "kept-edited": "left {path} alone: it was edited since it was written (issue #{number})",
    "kept-published": "left {path} alone: issue #{number} is no longer a draft",
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the digest options."""
    parser.epilog = (
        "examples: attention digest | attention digest --week 2025-W46. "
        "A draft is refreshed only while nobody has edited it."
    )
    parser.add_argument("--week", help="ISO week such as 2025-W46 (default: the current week)")
    add_project_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Rank the week, write the draft and the trends snapshot, say what happened."""
    console = Console(highlight=False, soft_wrap=True)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)
    current = week_of(datetime.now(UTC))
    week = args.week or current
    try:
        week_monday(week)
        config = load_config(args.config)
    except (WeekError, ConfigError) as exc:
        errors.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
        return EXIT_USAGE
    state = args.state or default_state_path()
    try:
        with Store.open(state) as store:
            entries = entries_for_window(store, max(week, current))
        result, report = open_weekly_digest(config, entries, week, args.content)
        snapshot_path = refresh_snapshot(config, entries, max(week, current), args.content)
    except (OSError, sqlite3.Error) as exc:
        errors.print(f"[bold red]error:[/] {escape(str(exc))} (state {state})", markup=True)
        return EXIT_FAILED
    console.print(
        MESSAGES[result.action].format(number=result.number, path=result.path), markup=False
    )
    if not report.stories:
        console.print(f"no entries for {week}: the draft says so")
    for rank, trend in enumerate(report.top(config.digest.top_topics), start=1):
        console.print(f"  {rank}. {trend.explain()}", markup=False)
    console.print(f"trends snapshot: {snapshot_path}", markup=False)
    return EXIT_OK
