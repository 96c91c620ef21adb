"""Sub-commands of the ``attention`` CLI.

Each module here is a thin layer over a library function and exposes three names:
``HELP`` (one line), ``configure(parser)`` (adds its arguments) and ``run(args) -> int``
(returns the exit status). ``attention.cli.COMMANDS`` lists the ones that exist.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_project_arguments(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--content`` and ``--state``: where the project's files and state live."""
    parser.add_argument("--config", type=Path, default=Path("feeds.yml"), help="feeds.yml path")
    parser.add_argument(
        "--content", type=Path, default=Path("content"), help="content directory (default: content)"
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=None,
        help="state database (default: $ATTENTION_STATE_DIR or .attention/state.sqlite)",
    )
