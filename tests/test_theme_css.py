"""One stylesheet serves RTL and LTR pages: the theme's CSS uses logical properties only.

A physical property (``margin-left``, ``float: right``, ``border-top-left-radius`` …) puts a thing
on the same side of the screen in Hebrew and in English, which is wrong for one of them. The
logical ones (``margin-inline-start``, ``float: inline-end``, ``border-start-start-radius``)
follow the page's ``dir``. Block-axis ones (``top``, ``width`` …) are held to the same rule,
as the stylesheet promises in its first line.

Allowed, because nothing logical does the job yet and the inline axis is horizontal in both
directions anyway:

* ``overflow-x`` / ``overflow-y`` (``overflow-inline`` is not in Chromium);
* ``direction: ltr`` on code and on the email address field, which read left to right on every
  page.

Email templates (``theme/templates/email/``) are outside the rule: mail clients ignore logical
properties, so the edition sets its sides explicitly, inline, for its own ``dir``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitebuild import REPO

THEME = REPO / "theme"
SIDES = "left|right|top|bottom"
PHYSICAL_PROPERTY = re.compile(
    rf"^(?:(?:{SIDES})"
    rf"|(?:margin|padding|inset|scroll-margin|scroll-padding|border)-(?:{SIDES})(?:-\w+)?"
    rf"|border-(?:top|bottom)-(?:left|right)-radius"
    r"|(?:min-|max-)?(?:width|height)"
    r"|contain-intrinsic-(?:width|height)"
    r"|overscroll-behavior-[xy])$"
)
PHYSICAL_KEYWORD = re.compile(r"(?<![-\w])(?:left|right)(?![-\w])")
# Four-value shorthands name top, right, bottom, left: a different right and left is physical.
BOX_SHORTHANDS = {
    "margin",
    "padding",
    "inset",
    "border-width",
    "border-style",
    "border-color",
    "scroll-margin",
    "scroll-padding",
}
ALLOWED = {
    ("*", "overflow-x"),
    ("*", "overflow-y"),
    ("pre", "direction"),
    ('.subscribe-form input[type="email"]', "direction"),
}
BLOCK = re.compile(r"([^{}]*)\{([^{}]*)\}")
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _values(text: str) -> list[str]:
    """Whitespace-separated values, keeping ``clamp(1rem, 2vw)`` and the like whole."""
    values, depth, current = [], 0, ""
    for char in text.strip():
        depth += (char == "(") - (char == ")")
        if char.isspace() and depth == 0:
            if current:
                values.append(current)
            current = ""
        else:
            current += char
    return [*values, current] if current else values


def _mirrored_radius(value: str) -> bool:
    """True when ``border-radius`` rounds each left corner like the right one beside it."""
    for axis in value.split("/"):
        v = _values(axis)
        v += {1: v * 3, 2: v, 3: v[1:2]}.get(len(v), [])  # a missing corner copies its opposite
        top_left, top_right, bottom_right, bottom_left = v[:4]
        if (top_left, bottom_left) != (top_right, bottom_right):
            return False
    return True


def physical_declarations(css: str) -> list[str]:
    """Every declaration of ``css`` that names a physical side, as ``line: selector { decl }``."""
    css = COMMENT.sub(lambda m: "\n" * m.group().count("\n"), css)
    found = []
    for block in BLOCK.finditer(css):
        selector = " ".join(block.group(1).split())
        line = css.count("\n", 0, block.start(2)) + 1
        for declaration in block.group(2).split(";"):
            name, colon, value = declaration.partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if not colon or name.startswith("--"):
                continue
            allowed = ("*", name) in ALLOWED or any(
                name == allowed_name and allowed_sel in [s.strip() for s in selector.split(",")]
                for allowed_sel, allowed_name in ALLOWED
            )
            if allowed:
                continue
            wrong = (
                PHYSICAL_PROPERTY.match(name)
                or PHYSICAL_KEYWORD.search(value)
                or name == "direction"
                or (name in BOX_SHORTHANDS and len(v := _values(value)) == 4 and v[1] != v[3])
                or (name == "border-radius" and not _mirrored_radius(value))
            )
            if wrong:
                found.append(f"{line}: {selector} {{ {name}: {value} }}")
    return found


def _site_templates() -> list[Path]:
    return [p for p in THEME.glob("templates/**/*.html") if "email" not in p.parts]


@pytest.mark.parametrize("stylesheet", sorted(THEME.glob("static/css/*.css")), ids=lambda p: p.name)
def test_stylesheet_uses_logical_properties_only(stylesheet: Path) -> None:
    assert physical_declarations(stylesheet.read_text(encoding="utf-8")) == []


def test_site_templates_carry_no_inline_physical_styles() -> None:
    found = []
    for template in _site_templates():
        text = template.read_text(encoding="utf-8")
        inline = re.findall(r'\sstyle="([^"]*)"', text)
        blocks = re.findall(r"<style[^>]*>(.*?)</style>", text, re.S)
        css = "".join(f"x {{ {rule} }}\n" for rule in inline) + "\n".join(blocks)
        found += [f"{template.name}:{hit}" for hit in physical_declarations(css)]
    assert found == []


def test_theme_has_stylesheets_and_templates_to_check() -> None:
    assert list(THEME.glob("static/css/*.css")) and _site_templates()


@pytest.mark.parametrize(
    "css",
    [
        ".a { margin-left: 1rem; }",
        ".a { padding-right: 0; }",
        ".a { border-left: 4px solid red; }",
        ".a { border-right-width: 2px; }",
        ".a { position: absolute; left: 0; }",
        ".a { right: 1rem; }",
        ".a { text-align: left; }",
        ".a { float: right; }",
        ".a { clear: left; }",
        ".a { background-position: right 1rem top; }",
        ".a { border-top-left-radius: 4px; }",
        ".a { border-radius: 8px 0 0 8px; }",
        ".a { border-radius: 8px 0; }",
        ".a { margin: 0 1rem 0 2rem; }",
        ".a { width: 10px; }",
        ".a { max-height: 3rem; }",
        ".a { margin-top: 1rem; }",
        ".a { direction: rtl; }",
        "@media (min-width: 40rem) { .a { padding-left: 1rem; } }",
        ".a { color: red; /* fine */ MARGIN-RIGHT : 2px }",
    ],
)
def test_checker_catches_a_physical_declaration(css: str) -> None:
    assert physical_declarations(css), css


@pytest.mark.parametrize(
    "css",
    [
        ".a { margin-inline-start: 1rem; padding-inline: 0 1rem; }",
        ".a { border-inline-start: 4px solid; inset-inline-end: 0; inset-block-start: 0; }",
        ".a { text-align: start; float: inline-end; }",
        ".a { border-radius: 8px; border-start-end-radius: 2px; }",
        ".a { border-radius: 8px 8px 0 0; }",
        ".a { margin: 0 1rem 0 1rem; padding: 0 0 0.4rem; }",
        ".a { inline-size: 1px; max-inline-size: 100%; block-size: auto; }",
        "pre { overflow-x: auto; direction: ltr; }",
        "/* margin-left: 1rem; the comment may say it */ .a { margin: 0; }",
        ".copy-left-button { color: red; --left-gap: 1rem; }",
    ],
)
def test_checker_accepts_logical_css(css: str) -> None:
    assert physical_declarations(css) == [], css
