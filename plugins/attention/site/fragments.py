"""``{% fragment key, ... %}…{% endfragment %}``: render a piece of a template once per key.

The subscribe box, the site header and footer and a listing's entry for an article come out the
same on hundreds of pages; rendering them once per build and reusing the text keeps the theme's
cost off Pelican's rendering path. The key must name everything the fragment's output depends
on (``SITEURL`` too: with ``RELATIVE_URLS`` it changes with the page's depth). The cache lives on
the Jinja environment, which Pelican creates anew for every generator of every build.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import Any

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser

logger = logging.getLogger(__name__)


class FragmentCache(Extension):
    """The ``fragment`` tag: the block's output is cached under the tuple of its arguments."""

    tags = frozenset({"fragment"})

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        environment.extend(fragment_cache={})

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        parts = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            parts.append(parser.parse_expression())
        body = parser.parse_statements(("name:endfragment",), drop_needle=True)
        key = nodes.Tuple(parts, "load")
        call = self.call_method("_render_once", [key])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render_once(self, key: Hashable, caller: Callable[[], str]) -> str:
        cache: dict[Hashable, str] = self.environment.fragment_cache  # type: ignore[attr-defined]
        text = cache.get(key)
        if text is None:
            text = cache[key] = caller()
        return text
