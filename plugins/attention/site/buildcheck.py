"""Fail the build, before anything is written, when a source could not be read or URLs collide."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

logger = logging.getLogger(__name__)


# Lists of content objects kept by Pelican's article and page generators.
CONTENT_LISTS = (
    "articles",
    "translations",
    "drafts",
    "drafts_translations",
    "pages",
    "hidden_pages",
    "hidden_translations",
    "draft_pages",
    "draft_translations",
)


class BuildError(SystemExit):
    """Stops the Pelican run with a non-zero status and a one-line summary (no traceback)."""


def failed_sources(context: dict[str, Any]) -> list[str]:
    """Source files Pelican found but could not turn into content (bad metadata, no title…)."""
    generated = context.get("generated_content", {})
    return sorted(path for path, content in generated.items() if content is None)


def colliding_outputs(contents: Iterable[Any]) -> list[tuple[str, list[str]]]:
    """Output paths that more than one source would write, with the sources involved."""
    writers: dict[str, list[str]] = {}
    for content in contents:
        save_as = getattr(content, "save_as", "")
        if save_as:
            writers.setdefault(save_as, []).append(content.get_relative_source_path())
    return sorted((path, sources) for path, sources in writers.items() if len(sources) > 1)


def _all_contents(generators: Sequence[Any]) -> Iterable[Any]:
    for generator in generators:
        for name in CONTENT_LISTS:
            yield from getattr(generator, name, [])


def check_build(generators: Sequence[Any]) -> None:
    """``all_generators_finalized`` receiver: stop the build on unreadable sources or collisions."""
    if not generators:
        return
    problems: list[str] = []
    failed = failed_sources(generators[0].context)
    if failed:
        problems.append(f"{len(failed)} source file(s) could not be read: {', '.join(failed)}")
    for path, sources in colliding_outputs(_all_contents(generators)):
        message = f"{' and '.join(sources)}: Slug: both would be written to {path}"
        logger.error(message)
        problems.append(message)
    if problems:
        raise BuildError("attention: build failed — " + "; ".join(problems))
