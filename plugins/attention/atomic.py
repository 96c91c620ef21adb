"""Atomic file writes: a temp file in the same directory, then ``os.replace``.

A reader (Pelican, a mail client, the author's editor) sees the old file or the new one, never
half of one, even if the writing process is killed. Temp files are named
``.attention-<name>.<random>.tmp`` so a later run can sweep up what a killed run left.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

TMP_PREFIX = ".attention-"
TMP_SUFFIX = ".tmp"


@contextmanager
def atomic_open(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Open a temp file beside ``path``; it replaces ``path`` when the block ends cleanly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f"{TMP_PREFIX}{path.name}.", suffix=TMP_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(fd, mode, **open_args) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (``\\n`` line endings)."""
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)
