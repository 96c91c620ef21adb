"""feeds.yml -> typed settings (pydantic v2).

A mistake becomes one :class:`ConfigError` whose message is a single line naming the file, the line
and the field, e.g. ``feeds.yml:14: sources[3].url: not an http(s) URL or an existing file``.
Line numbers come from PyYAML's node marks, so they point at the offending value in the file.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

logger = logging.getLogger(__name__)

Language = Literal["he", "en", "it"]
MIB = 1024 * 1024
STATE_DIR_ENV = "ATTENTION_STATE_DIR"


class ConfigError(Exception):
    """feeds.yml is unreadable or invalid; ``str(error)`` is one line: ``file:line: field: why``."""


class Defaults(BaseModel):
    """Limits and politeness settings shared by every source; each one has a sane default."""

    model_config = ConfigDict(extra="forbid")

    timeout_connect: float = Field(10.0, gt=0, description="seconds to open a connection")
    timeout_total: float = Field(20.0, gt=0, description="seconds for a whole request")
    concurrency: int = Field(16, ge=1, le=256, description="requests in flight at once")
    per_host: int = Field(2, ge=1, le=64, description="requests in flight per host")
    max_body_bytes: int = Field(15 * MIB, ge=1024, description="a larger body is aborted")
    max_redirects: int = Field(5, ge=0, le=20)
    max_items_per_feed: int = Field(50, ge=1)
    lookback_days: int = Field(30, ge=1, le=36500, description="older entries get no stub")
    user_agent_url: str = "https://example.org/attention"
    backoff_base_minutes: float = Field(60.0, ge=0, description="first wait after a failure")
    backoff_max_hours: float = Field(72.0, ge=0, description="cap on the exponential backoff")
    retry_after_max_hours: float = Field(48.0, ge=0, description="cap on a server's Retry-After")
    excerpt_chars: int = Field(480, ge=0, description="length of the stub excerpt")
    parse_workers: int = Field(0, ge=0, le=32, description="parser processes; 0 = automatic")


class Source(BaseModel):
    """One feed: an http(s) URL or a local file path (offline use, tests)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    url: str = Field(min_length=1)
    language: Language
    tags: list[str] = Field(default_factory=list)
    weight: float = Field(1.0, ge=0)
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name_is_one_line(cls, value: str) -> str:
        value = value.strip()
        if not value or any(ch in value for ch in "\r\n\t"):
            raise ValueError("must be a non-empty single line")
        return value

    @field_validator("url")
    @classmethod
    def _url_is_http_or_path(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme in ("http", "https"):
            if not parts.hostname:
                raise ValueError(f"URL has no host: {value!r}")
            return value
        if parts.scheme == "file":
            return value
        if parts.scheme and len(parts.scheme) > 1:
            raise ValueError(f"not an http(s) URL or a file path: {value!r}")
        return value

    @property
    def is_local(self) -> bool:
        """True when ``url`` names a file on disk rather than an http(s) resource."""
        return urlsplit(self.url).scheme not in ("http", "https")


class Topic(BaseModel):
    """A topic for the trend brief; aliases may be in several scripts (LinkedIn / לינקדאין)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class DigestSettings(BaseModel):
    """Settings of the weekly digest (owned by trends/digest; extra keys are tolerated)."""

    name: dict[str, str] = Field(
        default_factory=lambda: {"he": "קשב", "en": "Attention", "it": "Attenzione"}
    )
    title_template: str = "{name} #{number}: {topics}"
    top_topics: int = 5
    min_sources: int = 2
    baseline_weeks: int = 6
    language: str = "he"


class Config(BaseModel):
    """The whole of feeds.yml."""

    model_config = ConfigDict(extra="forbid")

    defaults: Defaults = Field(default_factory=Defaults)
    sources: list[Source] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    digest: DigestSettings = Field(default_factory=DigestSettings)

    _path: Path | None = PrivateAttr(default=None)

    @field_validator("sources")
    @classmethod
    def _names_are_unique(cls, sources: list[Source]) -> list[Source]:
        seen: set[str] = set()
        urls: dict[str, str] = {}  # one state row per URL: a second name would steal its rows
        for source in sources:
            key = source.name.casefold()
            if key in seen:
                raise ValueError(f"two sources are named {source.name!r}")
            seen.add(key)
            if source.url in urls:
                raise ValueError(f"{source.name!r} has the same url as {urls[source.url]!r}")
            urls[source.url] = source.name
        return sources

    @property
    def path(self) -> Path | None:
        """The file this configuration was read from (None when built in code)."""
        return self._path

    def source_location(self, source: Source) -> str:
        """Where to fetch ``source``: its URL, or an absolute path for a local file."""
        if not source.is_local:
            return source.url
        raw = source.url[len("file://") :] if source.url.startswith("file://") else source.url
        path = Path(raw).expanduser()
        if not path.is_absolute() and self._path is not None:
            path = self._path.parent / path
        return str(path)


def state_dir(root: Path | None = None) -> Path:
    """The state directory: ``$ATTENTION_STATE_DIR`` or ``<root>/.attention`` (root = cwd)."""
    override = os.environ.get(STATE_DIR_ENV)
    if override:
        return Path(override)
    return (root or Path.cwd()) / ".attention"


def load_config(path: Path) -> Config:
    """Read and validate ``path``; raise :class:`ConfigError` with a one-line message."""
    path = Path(path)
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{label}:0: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label}:0: cannot read: {_one_line(str(exc))}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        why = _one_line(f"{exc.context or ''} {exc.problem or ''}".strip())
        raise ConfigError(f"{label}:{line}: YAML syntax: {why}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}:0: YAML syntax: {_one_line(str(exc))}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{label}:1: top level: must be a mapping with 'sources:'")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first.get("loc", ()))
        line = _line_of(root, loc)
        field = _format_loc(loc) or "top level"
        raise ConfigError(f"{label}:{line}: {field}: {_describe(first)}") from None
    config._path = path.resolve()
    return config


def _describe(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    return _one_line(message)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """1-based line of the YAML node at ``loc``; the nearest existing ancestor when missing."""
    node = root
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    last_step_is_collection = part == loc[-1] and not isinstance(
                        value, yaml.ScalarNode
                    )
                    child = key if last_step_is_collection else value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line
