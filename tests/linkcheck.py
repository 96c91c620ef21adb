"""A link checker over built files: every internal href/src must resolve, fragments included."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel", "data"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            elif name in {"href", "src"} and tag not in {"form"}:
                self.links.append(value)


def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def _target_file(output: Path, page: Path, path: str) -> Path:
    base = output if path.startswith("/") else page.parent
    target = (base / unquote(path.lstrip("/"))).resolve()
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def broken_links(output: Path) -> list[tuple[str, str]]:
    """(page, link) for every internal link in ``output`` that does not resolve."""
    output = output.resolve()
    parsed: dict[Path, _Collector] = {}
    broken: list[tuple[str, str]] = []
    pages = sorted(output.rglob("*.html"))
    for page in pages:
        if page.name == "404.html":
            continue  # served from any path: its links are checked by the browser tests
        if page.relative_to(output).parts[0] == "email":
            continue  # email editions: absolute links plus a placeholder the sender fills
        collector = parsed.setdefault(page, _parse(page))
        for link in collector.links:
            parts = urlsplit(link)
            if parts.scheme in EXTERNAL_SCHEMES or parts.netloc:
                continue
            target = _target_file(output, page, parts.path) if parts.path else page
            if not target.is_file() or output not in target.parents:
                broken.append((str(page.relative_to(output)), link))
                continue
            if parts.fragment and target.suffix == ".html":
                ids = parsed.setdefault(target, _parse(target)).ids
                if unquote(parts.fragment) not in ids:
                    broken.append((str(page.relative_to(output)), link))
    return broken
