"""The ``attention`` command: a thin argparse layer over the library modules."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from rich.logging import RichHandler

# name -> module under attention.commands; each module exposes HELP, configure(), run().
COMMANDS: dict[str, str] = {
    "fetch": "fetch",
    "feeds": "feeds",
    "send": "send",
    "subscribers": "subscribers",
    "digest": "digest",
}

EXIT_OK = 0
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with one sub-parser per available command."""
    parser = argparse.ArgumentParser(
        prog="attention",
        description="Attention: fetch sources, open the weekly digest, send the email edition.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug logging")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"attention.commands.{module_name}")
        sub = subparsers.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``attention`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(show_time=False, show_path=False, markup=False)],
    )
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
