"""The Trends page (``trends/index.html``): recent weeks' top topics with a sparkline each.

Build side only: it reads the JSON snapshot that ``attention fetch`` / ``attention digest`` write
(``content/data/trends.json``) and never touches the network or the store. A missing snapshot is
not an error: the page then says there is no data yet. A broken one is reported once, by name,
and treated as missing.

Sparklines are inline SVG drawn here (oldest week on the left in every language, stated in the
chart's accessible text); each chart has a ``<title>`` listing the weekly counts, so the numbers
are available to screen readers and in RTL and LTR pages alike.

Settings: ``TRENDS_SNAPSHOT`` (relative to ``PATH``; default ``data/trends.json``),
``TRENDS_SAVE_AS`` (default ``trends/index.html``), ``TRENDS_URL`` (default ``trends/``),
``TRENDS_WEEKS_SHOWN`` (default 4).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from attention import i18n
from attention.weekly import SNAPSHOT_VERSION, WeekError, week_monday

logger = logging.getLogger(__name__)

DEFAULT_SNAPSHOT = "data/trends.json"
DEFAULT_SAVE_AS = "trends/index.html"
DEFAULT_URL = "trends/"
WEEKS_SHOWN = 4
SPARK_WIDTH = 120
SPARK_HEIGHT = 28
SPARK_PAD = 3
LTR_ISOLATE = "\u2066"  # keeps "2026-W47" in order inside a right-to-left heading
POP_ISOLATE = "\u2069"


class SnapshotError(ValueError):
    """The snapshot file exists but cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class Sparkline:
    """An SVG polyline of weekly counts: ``points`` for ``<polyline>``, the last point marked."""

    points: str
    last_x: float
    last_y: float
    width: int
    height: int


def sparkline(counts: list[int], width: int = SPARK_WIDTH, height: int = SPARK_HEIGHT) -> Sparkline:
    """Scale ``counts`` (oldest first) into a ``width`` x ``height`` box, zero at the bottom."""
    values = counts or [0]
    top = max(max(values), 1)
    step = (width - 2 * SPARK_PAD) / max(len(values) - 1, 1)
    coords = [
        (
            round(SPARK_PAD + index * step, 1),
            round(height - SPARK_PAD - value / top * (height - 2 * SPARK_PAD), 1),
        )
        for index, value in enumerate(values)
    ]
    points = " ".join(f"{x:g},{y:g}" for x, y in coords)
    return Sparkline(points, coords[-1][0], coords[-1][1], width, height)


def load_snapshot(path: Path) -> dict[str, Any] | None:
    """The snapshot at ``path``; None when it does not exist; :class:`SnapshotError` if broken."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path}: not a readable trends snapshot: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != SNAPSHOT_VERSION:
        raise SnapshotError(f"{path}: not a version-{SNAPSHOT_VERSION} trends snapshot")
    for field, kind in (("weeks", list), ("ranking", dict), ("series", dict)):
        if not isinstance(data.get(field), kind):
            raise SnapshotError(f"{path}: field {field!r} is missing or not a {kind.__name__}")
    return data


def _week_start(week: str, lang: str) -> str:
    try:
        return i18n.localdate(week_monday(week), lang)
    except WeekError:
        return week


def page_context(data: dict[str, Any] | None, lang: str, weeks_shown: int = WEEKS_SHOWN) -> dict:
    """What ``trends.html`` needs: ``trend_weeks`` (newest first), labels, ``has_data``."""
    labels = i18n.catalogue("trends", lang)
    history = list(data["weeks"]) if data else []
    context: dict[str, Any] = {
        "trend_labels": labels,
        "has_data": bool(data and data["ranking"]),
        "trend_weeks": [],
        "history_weeks": len(history),
        "lead": labels["lead"].format(n=len(history) or 12),
        "updated": "",
    }
    if not data:
        return context
    generated = str(data.get("generated_at", ""))[:10]
    with contextlib.suppress(ValueError):
        context["updated"] = labels["updated"].format(
            date=i18n.localdate(date.fromisoformat(generated), lang)
        )
    series = data["series"]
    first, last = (history[0], history[-1]) if history else ("", "")
    for week in sorted(data["ranking"], reverse=True)[:weeks_shown]:
        rows = []
        for item in data["ranking"][week]:
            key = str(item.get("key", ""))
            counts = [int(c) for c in series.get(key, {}).get("counts", [])]
            topic = str(item.get("topic", key))
            sources = int(item.get("sources", 0))
            change = sources - float(item.get("baseline", 0.0))
            rows.append(
                {
                    "rank": int(item.get("rank", len(rows) + 1)),
                    "topic": topic,
                    "kind": str(item.get("kind", "")),
                    "sources": sources,
                    "change": f"{change:+.1f}",
                    "source_names": [str(name) for name in item.get("source_names", [])],
                    "spark": sparkline(counts) if counts else None,
                    "chart_text": labels["chart_text"].format(
                        topic=topic,
                        first=first,
                        last=last,
                        counts=", ".join(str(c) for c in counts),
                    ),
                }
            )
        context["trend_weeks"].append(
            {
                "week": week,
                "id": f"week-{week.lower()}",
                "heading": labels["week"].format(
                    week=f"{LTR_ISOLATE}{week}{POP_ISOLATE}", start=_week_start(week, lang)
                ),
                "rows": rows,
            }
        )
    return context


class TrendsPageGenerator(Generator):
    """Writes the Trends page from the snapshot (or a "no data yet" page without one)."""

    def generate_context(self) -> None:
        """Nothing to add to the shared context."""

    def generate_output(self, writer: Any) -> None:
        settings = self.settings
        lang = settings.get("DEFAULT_LANG", "he")
        relative = settings.get("TRENDS_SNAPSHOT", DEFAULT_SNAPSHOT)
        path = Path(settings.get("PATH", "content")) / relative
        try:
            data = load_snapshot(path)
        except SnapshotError as exc:
            logger.warning("attention: trends page: %s; showing no data", exc)
            data = None
        if data is None:
            logger.info("attention: trends page: no snapshot at %s yet", path)
        context = page_context(data, lang, int(settings.get("TRENDS_WEEKS_SHOWN", WEEKS_SHOWN)))
        save_as = settings.get("TRENDS_SAVE_AS", DEFAULT_SAVE_AS)
        writer.write_file(
            save_as,
            self.get_template("trends"),
            self.context,
            relative_urls=settings.get("RELATIVE_URLS", False),
            page_name=os.path.splitext(save_as)[0].removesuffix("/index"),
            page_lang=lang,
            page_title=i18n.translate("trends", lang),
            url=settings.get("TRENDS_URL", DEFAULT_URL),
            **context,
        )
        logger.info("attention: wrote %s", save_as)


def get_generators(_pelican: Any) -> type[Generator]:
    """``get_generators`` receiver."""
    return TrendsPageGenerator
