"""``attention feeds``: each source's health (last check, errors, backoff, validators)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..config import ConfigError, load_config
from ..store import Store, default_state_path

logger = logging.getLogger(__name__)

HELP = "list each source in feeds.yml with its health from the last fetches"
EXIT_CONFIG = 2


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the feeds options."""
    parser.add_argument("--config", type=Path, default=Path("feeds.yml"), help="feeds.yml path")
    parser.add_argument("--state", type=Path, default=None, help="state database path")


def run(args: argparse.Namespace) -> int:
    """Print one row per configured source; return 0, or 2 for a configuration error."""
    console = Console(highlight=False)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", soft_wrap=True)
        return EXIT_CONFIG
    state_path = args.state or default_state_path()
    store = Store.open(state_path if state_path.exists() else ":memory:")
    with store:
        table = Table(title=f"sources in {args.config}", title_justify="left")
        for column in ("source", "lang", "status", "errors", "last ok", "next check", "detail"):
            table.add_column(column, overflow="fold")
        for source in config.sources:
            key = config.source_location(source) if source.is_local else source.url
            state = store.feed(key)
            if not source.enabled:
                status, detail = "disabled", ""
            elif state is None:
                status, detail = "never fetched", ""
            else:
                status, detail = state.status, state.reason
                if state.current_url != key:
                    detail = f"now at {state.current_url}; {detail}".rstrip("; ")
            table.add_row(  # reasons carry feed and server text: never markup
                escape(source.name),
                source.language,
                escape(status),
                str(state.error_count if state else 0),
                f"{state.last_ok:%Y-%m-%d %H:%M}" if state and state.last_ok else "-",
                f"{state.next_check:%Y-%m-%d %H:%M}" if state and state.next_check else "-",
                escape(detail),
            )
        console.print(table, soft_wrap=True)
    return 0
