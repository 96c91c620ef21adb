"""Real Pelican builds into temporary directories, for the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PELICAN = Path(sys.executable).with_name("pelican")


def site_settings(content: Path, output: Path, conf: str = "pelicanconf.py", **override: Any):
    """The repository's settings, pointed at ``content`` and ``output``."""
    from pelican.settings import read_settings

    override = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "THEME": str(REPO / "theme"),
        "PLUGIN_PATHS": [str(REPO / "plugins")],
        "CACHE_CONTENT": False,
        "LOAD_CONTENT_CACHE": False,
        **override,
    }
    return read_settings(str(REPO / conf), override=override)


def build(content: Path, output: Path, conf: str = "pelicanconf.py", **override: Any) -> Path:
    """Build ``content`` into ``output`` in this process; returns ``output``."""
    from pelican import Pelican

    Pelican(site_settings(content, output, conf, **override)).run()
    return output


def build_cli(
    content: Path, output: Path, conf: str = "pelicanconf.py", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Build with the ``pelican`` command in a subprocess, as ``make html`` does."""
    return subprocess.run(
        [str(PELICAN), str(content), "-o", str(output), "-s", str(REPO / conf)],
        cwd=REPO,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_sample_content(destination: Path) -> Path:
    """A private copy of the repository's sample content."""
    shutil.copytree(REPO / "content", destination)
    return destination


def write_article(directory: Path, name: str, text: str) -> Path:
    """Write one Markdown source file (dedented by the caller)."""
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
