"""The ``{% fragment %}`` tag renders a block once per key and reuses the text."""

from __future__ import annotations

import jinja2

from attention.site.fragments import FragmentCache


def environment(templates: dict[str, str]) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader(templates), extensions=[FragmentCache])


def test_fragment_renders_once_per_key_and_reuses_the_text():
    calls: list[str] = []

    def counted(name: str) -> str:
        calls.append(name)
        return name.upper()

    env = environment({"page": "[{% fragment 'box', lang %}{{ counted(lang) }}{% endfragment %}]"})
    env.globals["counted"] = counted
    page = env.get_template("page")
    assert [page.render(lang=lang) for lang in ("he", "en", "he", "he")] == [
        "[HE]",
        "[EN]",
        "[HE]",
        "[HE]",
    ]
    assert calls == ["he", "en"]


def test_fragment_keys_are_separate_per_name_and_per_value():
    env = environment(
        {
            "page": "{% fragment 'a', depth %}a{{ depth }}{% endfragment %}"
            "{% fragment 'b', depth %}b{{ depth }}{% endfragment %}"
        }
    )
    page = env.get_template("page")
    assert page.render(depth="..") == "a..b.."
    assert page.render(depth="../..") == "a../..b../.."


def test_each_environment_has_its_own_cache():
    templates = {"page": "{% fragment 'x' %}{{ value }}{% endfragment %}"}
    first, second = environment(templates), environment(templates)
    assert first.get_template("page").render(value=1) == "1"
    assert second.get_template("page").render(value=2) == "2"
