"""feeds.yml validation: a mistake is one line naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from attention.config import ConfigError, load_config, state_dir

GOOD = """\
defaults: {timeout_connect: 10, timeout_total: 20, concurrency: 16, per_host: 2, max_items_per_feed: 50, lookback_days: 30, user_agent_url: "https://example.org/attention"}
sources:
  - {name: Geektime, url: "https://www.geektime.co.il/feed/", language: he, tags: [tech, startups], weight: 1.0, enabled: true}
  - name: Local sample
    url: feeds/local.xml
    language: en
topics:
  - {name: LinkedIn, aliases: [LinkedIn, לינקדאין]}
"""  # noqa: E501


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_starter_schema_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    assert config.defaults.concurrency == 16
    assert config.defaults.per_host == 2
    assert config.defaults.max_body_bytes == 15 * 1024 * 1024
    assert config.defaults.max_redirects == 5
    assert [s.name for s in config.sources] == ["Geektime", "Local sample"]
    assert config.sources[0].tags == ["tech", "startups"]
    assert config.sources[1].weight == 1.0 and config.sources[1].enabled
    assert config.topics[0].aliases == ["LinkedIn", "לינקדאין"]
    assert config.digest.top_topics == 5 and config.digest.name["he"] == "קשב"


def test_local_url_resolves_beside_the_config_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD))
    local = config.sources[1]
    assert local.is_local and not config.sources[0].is_local
    assert config.source_location(local) == str(tmp_path / "feeds" / "local.xml")


def test_bad_language_names_file_line_and_field(tmp_path: Path) -> None:
    text = GOOD.replace("language: en", "language: fr")
    message = error_of(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'feeds.yml'}:6: sources[1].language: ")
    assert "'he'" in message


def test_bad_url_scheme_is_reported_on_its_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("url: feeds/local.xml", "url: ftp://x.example/f"))
    assert ":5: sources[1].url: not an http(s) URL" in message


def test_unknown_field_points_at_the_key(tmp_path: Path) -> None:
    message = error_of(
        tmp_path, GOOD.replace("    language: en\n", "    language: en\n    wieght: 2\n")
    )
    assert message.endswith(":7: sources[1].wieght: unknown field")


def test_missing_field_points_at_the_source(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("    url: feeds/local.xml\n", ""))
    assert message.endswith(":4: sources[1].url: required field is missing")


def test_bad_default_is_reported(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("concurrency: 16", "concurrency: many"))
    assert ":1: defaults.concurrency: " in message


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD + "  - {name: Broken, aliases: [a, b\n")
    assert "YAML syntax" in message
    assert message.startswith(f"{tmp_path / 'feeds.yml'}:")


def test_duplicate_source_names_are_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("name: Local sample", "name: geektime"))
    assert "sources: two sources are named 'geektime'" in message


def test_the_same_feed_url_under_two_names_is_refused(tmp_path: Path) -> None:
    # both would share one state row: the report showed the second name twice, the first never
    copy = GOOD.replace("url: feeds/local.xml", 'url: "https://www.geektime.co.il/feed/"')
    message = error_of(tmp_path, copy)
    assert "'Local sample' has the same url as 'Geektime'" in message


def test_lookback_beyond_the_calendar_is_a_config_error(tmp_path: Path) -> None:
    # now - 1,000,000 days is before year 1: every source failed with an internal error
    message = error_of(tmp_path, GOOD.replace("lookback_days: 30", "lookback_days: 1000000"))
    assert "lookback_days" in message


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yml")


def test_digest_section_is_optional_and_tolerant(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD + "digest:\n  top_topics: 7\n  future_key: 1\n"))
    assert config.digest.top_topics == 7


def test_state_dir_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATTENTION_STATE_DIR", raising=False)
    assert state_dir(tmp_path) == tmp_path / ".attention"
    monkeypatch.setenv("ATTENTION_STATE_DIR", str(tmp_path / "elsewhere"))
    assert state_dir(tmp_path) == tmp_path / "elsewhere"
