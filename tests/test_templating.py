"""Compiled templates are shared by the Jinja environments of one build."""

from __future__ import annotations

from pathlib import Path

import jinja2

from attention.site.templating import BuildCodeCache


def environment(folder: Path, cache: BuildCodeCache) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), bytecode_cache=cache)


def counting(env: jinja2.Environment, compiled: list[str]) -> jinja2.Environment:
    original = env.compile

    def compile_and_count(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(source, name, filename, raw, defer_init)

    env.compile = compile_and_count  # type: ignore[method-assign]
    return env


def test_a_template_is_compiled_once_for_all_environments_of_a_build(tmp_path: Path):
    (tmp_path / "base.html").write_text("<p>{{ greeting }}, {{ name }}</p>", encoding="utf-8")
    cache, compiled = BuildCodeCache(), []
    first = counting(environment(tmp_path, cache), compiled)
    second = counting(environment(tmp_path, cache), compiled)
    assert first.get_template("base.html").render(greeting="שלום", name="a") == "<p>שלום, a</p>"
    assert second.get_template("base.html").render(greeting="hi", name="b") == "<p>hi, b</p>"
    assert compiled == ["base.html"]


def test_a_changed_template_is_compiled_again(tmp_path: Path):
    template = tmp_path / "page.html"
    template.write_text("old {{ x }}", encoding="utf-8")
    cache, compiled = BuildCodeCache(), []
    assert counting(environment(tmp_path, cache), compiled).get_template("page.html").render(x=1)
    template.write_text("new {{ x }}", encoding="utf-8")
    fresh = counting(environment(tmp_path, cache), compiled)
    assert fresh.get_template("page.html").render(x=2) == "new 2"
    assert compiled == ["page.html", "page.html"]
