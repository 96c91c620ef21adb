"""Attention: the Pelican plugin (``register``) and the ``attention`` command.

Build-time receivers are plain module-level functions connected here; the build only reads
``content/`` and writes ``output/`` (it never touches the network).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def register() -> None:
    """Connect Attention's build-time receivers to Pelican's signals."""
    from pelican import signals  # noqa: F401  (imported lazily: the CLI does not need Pelican)
