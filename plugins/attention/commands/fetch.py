"""``attention fetch``: pull the sources in feeds.yml into Markdown draft stubs."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..config import ConfigError, load_config
from ..digest import refresh_trends_from_store
from ..store import Store, default_state_path
from ..update import FetchRun, RunInProgress, RunReport, select_sources
from . import add_project_arguments

logger = logging.getLogger(__name__)

HELP = "fetch the sources in feeds.yml into draft briefs under content/briefs/"
EXIT_CONFIG = 2
EXIT_BUSY = 1
STYLES = {
    "new": "green",
    "unchanged": "dim",
    "error": "bold red",
    "waiting": "yellow",
    "disabled": "dim",
}


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the fetch options."""
    parser.epilog = (
        "examples: attention fetch --config samples/feeds.yml | attention fetch --only Geektime "
        "| attention fetch --dry-run. Exit status: 0 all sources fine, 3 some failed, "
        "2 configuration error, 1 another fetch is running on the same state."
    )
    add_project_arguments(parser)
    parser.add_argument("--only", metavar="NAME", help="fetch only the source with this name")
    parser.add_argument(
        "--dry-run", action="store_true", help="fetch and parse, but write no stub and no state"
    )
    parser.add_argument(
        "--force", action="store_true", help="ignore backoff and Retry-After waiting times"
    )


def run(args: argparse.Namespace) -> int:
    """Run one fetch and print the per-source table; return the exit status."""
    console = Console(stderr=False, highlight=False)
    errors = Console(stderr=True, highlight=False)
    try:
        config = load_config(args.config)
        sources = select_sources(config, args.only)
    except (ConfigError, LookupError) as exc:
        errors.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
        return EXIT_CONFIG
    state_path = args.state or default_state_path()
    if args.dry_run and not state_path.exists():
        state_path = Path(":memory:")
    with Store.open(state_path) as store:
        fetch_run = FetchRun(config, store, args.content, dry_run=args.dry_run, force=args.force)
        progress = Progress(
            TextColumn("[bold]fetch"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        with progress:
            task = progress.add_task("", total=len(sources))

            def answered(name: str) -> None:
                progress.update(task, advance=1, description=name)

            try:
                report = fetch_run.run(sources, on_answer=answered)
            except RunInProgress as exc:
                errors.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
                return EXIT_BUSY
        if not args.dry_run:  # the Trends page reads this snapshot (the build stays offline)
            refresh_trends_from_store(config, store, args.content)
    console.print(_table(report), soft_wrap=True)
    console.print(_summary(report))
    return report.exit_status


def _table(report: RunReport) -> Table:
    title = "attention fetch (dry run: nothing written)" if report.dry_run else "attention fetch"
    table = Table(title=title, title_justify="left", expand=False)
    table.add_column("source")
    table.add_column("status")
    table.add_column("new", justify="right")
    table.add_column("stubs", justify="right")
    table.add_column("detail", overflow="fold")
    for row in report.sources:
        style = STYLES.get(row.outcome, "")
        table.add_row(  # names and reasons carry feed and server text: never markup
            escape(row.name),
            f"[{style}]{row.outcome}[/]" if style else row.outcome,
            str(row.new_entries),
            str(row.stubs_written),
            escape(row.reason),
        )
    return table


def _summary(report: RunReport) -> str:
    counts: dict[str, int] = {}
    for row in report.sources:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
    parts = [f"{n} {outcome}" for outcome, n in counts.items()]
    verb = "would add" if report.dry_run else "wrote"
    stubs = sum(row.new_entries for row in report.sources) if report.dry_run else None
    written = report.stubs_written if stubs is None else stubs
    noun = "entries" if report.dry_run else "stubs"
    line = f"{len(report.sources)} sources: {', '.join(parts) or 'none'}; {verb} {written} {noun}"
    if report.recovered:
        line += f"; completed {len(report.recovered)} stub(s) left by an interrupted run"
    return line
