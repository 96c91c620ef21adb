"""Entry -> Markdown draft stub under ``content/briefs/YYYY/MM/<slug>.md``.

A stub is Pelican Markdown: ``Key: value`` lines, a blank line, the body. Feed text can never add
a metadata line or front matter (values are single-line, control and bidi-override characters
removed), template syntax (braces become HTML entities) or markup (``<``/``&`` escaped), and the
path is built only from an ASCII slug and the entry's year and month.

Never lose an author's work: the hash of what we wrote is kept in the store, a stub whose file
no longer matches it is never rewritten, and a stub whose file is gone is never recreated.
Writes are atomic (temp file + ``os.replace``), planned in the store before they happen, and
completed by the next run if this one is killed in between.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .atomic import TMP_PREFIX, atomic_write
from .canonical import canonical_url, title_key
from .parse import UNSAFE_CHARS
from .records import Entry
from .store import TITLE_FOLD_WINDOW, Store, StubRecord

logger = logging.getLogger(__name__)

BRIEFS_DIR = "briefs"
CATEGORY = "brief"
TAKE_MARKER = "<!-- attention:take -->"
MAX_META_CHARS = 200
MAX_SLUG_CHARS = 60
MIN_SLUG_CHARS = 8
SAFE_STUB_PATH = re.compile(rf"{BRIEFS_DIR}/\d{{4}}/\d{{2}}/[a-z0-9]+(?:-[a-z0-9]+)*\.md")
TAKE_PLACEHOLDER = {
    "he": "_הטייק שלך: למה זה חשוב לקוראים שלנו?_",
    "en": "_Your take: why does this matter to our readers?_",
    "it": "_Il tuo punto di vista: perché conta per i nostri lettori?_",
}
SOURCES_LABEL = {"he": "מקורות", "en": "Sources", "it": "Fonti"}


@dataclass(frozen=True, slots=True)
class StubOutcome:
    """What :meth:`StubWriter.flush` did to one stub."""

    identity: str
    path: str
    action: str  # written | updated | kept-edited | kept-deleted


def sha256_text(text: str) -> str:
    """Hex SHA-256 of ``text`` as UTF-8 (the bytes we write)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ascii_slug(text: str, limit: int = MAX_SLUG_CHARS) -> str:
    """Lower-case ASCII words joined by hyphens ("Café déjà vu!" -> "cafe-deja-vu")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters) >= 0.6


def base_slug(entry: Entry) -> str:
    """An ASCII slug: from a Latin-script title, else from the URL path, else a short hash."""
    if _mostly_latin(entry.title):
        slug = ascii_slug(entry.title)
        if len(slug) >= MIN_SLUG_CHARS:
            return slug
    path = urlsplit(entry.canonical_url or entry.link).path
    for segment in reversed([unquote(part) for part in path.split("/") if part]):
        segment = re.sub(r"\.(html?|php|aspx?)$", "", segment)
        if not _mostly_latin(segment):
            continue
        slug = ascii_slug(segment)
        if len(slug) >= MIN_SLUG_CHARS and not slug.replace("-", "").isdigit():
            return slug
    return f"brief-{hashlib.sha256(entry.identity.encode()).hexdigest()[:10]}"


def unique_slug(entry: Entry, taken: Callable[[str], bool]) -> str:
    """:func:`base_slug`, suffixed with a short hash (then a counter) until nobody uses it."""
    slug = base_slug(entry)
    if not taken(slug):
        return slug
    suffix = hashlib.sha256(entry.identity.encode()).hexdigest()[:6]
    candidate = f"{slug}-{suffix}"
    counter = 2
    while taken(candidate):
        candidate = f"{slug}-{suffix}-{counter}"
        counter += 1
    return candidate


def meta_value(text: str, limit: int = MAX_META_CHARS) -> str:
    """One metadata value: single line, markup escaped, no template syntax, bounded length."""
    text = " ".join(UNSAFE_CHARS.sub("", text).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = html.escape(text, quote=True)
    return text.replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")


def safe_url(url: str) -> str:
    """A URL fit for a metadata line or an ``href``: http(s) only, unsafe characters quoted."""
    url = url.strip()
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")


def tag_values(tags: Sequence[str]) -> list[str]:
    """ASCII tag slugs (Pelican site convention), duplicates and empties dropped."""
    out: list[str] = []
    for tag in tags:
        slug = ascii_slug(tag, 40)
        if slug and slug not in out:
            out.append(slug)
    return out


def render_stub(
    entry: Entry, slug: str, sources: Sequence[tuple[str, str]], excerpt_chars: int = 480
) -> str:
    """The Markdown text of a draft stub for ``entry``; ``sources`` lists (name, link) pairs."""
    lang = entry.language if entry.language in TAKE_PLACEHOLDER else "en"
    names = [name for name, _ in sources] or [entry.source_name]
    lines = [
        f"Title: {meta_value(entry.title) or slug}",
        f"Date: {entry.published.strftime('%Y-%m-%dT%H:%M:%S+00:00')}",
        f"Lang: {lang}",
        f"Slug: {slug}",
    ]
    tags = tag_values(entry.tags)
    if tags:
        lines.append(f"Tags: {', '.join(tags)}")
    lines += [
        f"Category: {CATEGORY}",
        f"Source: {meta_value(entry.source_name)}",
    ]
    source_url = safe_url(entry.canonical_url or entry.link)
    if source_url:
        lines.append(f"SourceURL: {source_url}")
    others = [meta_value(name) for name in names if name != entry.source_name]
    if others:
        lines.append(f"AlsoIn: {', '.join(others)}")
    if entry.date_guessed:
        lines.append("DateGuessed: true")
    lines += ["Status: draft", ""]
    excerpt = meta_value(entry.summary_text, excerpt_chars) if excerpt_chars else ""
    if excerpt:
        lines += [
            f'<blockquote class="attention-excerpt" lang="{lang}" dir="auto">',
            f"<p>{excerpt}</p>",
            "</blockquote>",
            "",
        ]
    links = []
    for name, link in sources or [(entry.source_name, entry.link)]:
        href = html.escape(safe_url(canonical_url(link)), quote=True)
        label = meta_value(name)
        links.append(f'<a href="{href}" rel="noopener nofollow">{label}</a>' if href else label)
    lines += [
        f'<p class="attention-sources">{SOURCES_LABEL[lang]}: {", ".join(links)}</p>',
        "",
        TAKE_MARKER,
        TAKE_PLACEHOLDER[lang],
        "",
    ]
    return "\n".join(lines)


@dataclass
class _DiskStories:
    """Stories the briefs already on disk tell, by the rules the store folds duplicates with:
    the same canonical link and title, or a near-identical title a few days apart."""

    by_link: set[tuple[str, str]] = field(default_factory=set)
    by_title: dict[str, list[datetime]] = field(default_factory=dict)

    def add(self, meta: dict[str, str]) -> None:
        title = meta.get("title", "")
        if meta.get("sourceurl") and title:
            self.by_link.add((canonical_url(meta["sourceurl"]), _fold(title)))
        key = title_key(title)
        when = _parse_date(meta.get("date", ""))
        if key and when:
            self.by_title.setdefault(key, []).append(when)

    def tell(self, source_url: str, title: str, published: datetime) -> bool:
        if source_url and (canonical_url(source_url), _fold(title)) in self.by_link:
            return True
        dates = self.by_title.get(title_key(title), ())
        return any(abs(published - when) <= TITLE_FOLD_WINDOW for when in dates)


def _fold(title: str) -> str:
    return " ".join(title.casefold().split())


def _parse_date(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _slugs_in_use(briefs_dir: Path, stories: _DiskStories | None = None) -> set[str]:
    """File names and explicit ``Slug:`` values of the briefs already on disk (ours or not);
    the stories they tell are added to ``stories`` when it is given.

    Which feed's copy of a syndicated story became the stub depends on the order of feeds.yml
    and on which feed carried it first, so a rerun after a lost state must recognise the story
    by either copy."""
    slugs: set[str] = set()
    for path in briefs_dir.rglob("*.md"):
        slugs.add(path.stem)
        meta: dict[str, str] = {}
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if not line.strip():
                        break  # metadata ends at the first blank line
                    key, _, value = line.partition(":")
                    meta.setdefault(key.strip().lower(), value.strip())
                    if key.strip().lower() == "slug" and value.strip():
                        slugs.add(value.strip())
        except OSError:
            continue
        if stories is not None:
            stories.add(meta)
    return slugs


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


class StubWriter:
    """Plans stubs inside the caller's store transaction, then writes them with :meth:`flush`."""

    def __init__(self, store: Store, content_dir: Path, *, excerpt_chars: int = 480) -> None:
        self.store = store
        self.content_dir = Path(content_dir)
        self.briefs_dir = self.content_dir / BRIEFS_DIR
        self.excerpt_chars = excerpt_chars
        self._planned: set[str] = set()  # identities planned since the last flush
        # read from content/ when the first new stub is planned (a run with nothing new, the
        # usual nightly case, never scans the briefs)
        self._disk: tuple[_DiskStories, set[str]] | None = None

    def _on_disk(self) -> tuple[_DiskStories, set[str]]:
        """Stories the briefs on disk already tell (ours, from a state that was lost or reset),
        and every slug in use, on disk or in the store."""
        if self._disk is None:
            covered = _DiskStories()
            slugs = _slugs_in_use(self.briefs_dir, covered) | self.store.stub_slugs()
            self._disk = covered, slugs
        return self._disk

    def _taken(self, slug: str) -> bool:
        return slug in self._on_disk()[1]

    def _target(self, relative: str) -> Path:
        """The file for a stored relative path, refusing anything outside ``briefs/``."""
        if not SAFE_STUB_PATH.fullmatch(relative):
            raise ValueError(f"stub path escapes {self.briefs_dir}: {relative!r}")
        return self.content_dir / relative

    def plan_new(self, entry: Entry) -> str:
        """Choose slug and path for a new primary entry and record the text to write.

        Returns "" and plans nothing when a brief on disk already tells the story: same
        ``SourceURL`` and ``Title``, or a near-identical title within a few days (the state was
        lost or reset, e.g. on a fresh clone: ``.attention/`` is not in git). A shared link alone
        is not enough: a feed may link every item to one page.
        """
        source_url = safe_url(entry.canonical_url or entry.link)
        covered, slugs = self._on_disk()
        if covered.tell(source_url, meta_value(entry.title), entry.published):
            logger.info("attention.stubs: a brief already tells %s; no new stub", source_url)
            return ""
        slug = unique_slug(entry, self._taken)
        relative = f"{BRIEFS_DIR}/{entry.published:%Y}/{entry.published:%m}/{slug}.md"
        self._target(relative)
        # a new primary has no duplicates yet: they can only be folded into it later
        text = render_stub(entry, slug, [(entry.source_name, entry.link)], self.excerpt_chars)
        self.store.plan_stub(entry.identity, relative, slug, text, sha256_text(text))
        slugs.add(slug)
        self._planned.add(entry.identity)
        return relative

    def plan_refresh(self, identity: str) -> bool:
        """Re-render the stub of ``identity`` (a duplicate arrived) if we may rewrite it."""
        record = self.store.stub(identity)
        entry = self.store.entry(identity)
        if record is None or entry is None or record.state in ("edited", "deleted"):
            return False
        text = render_stub(entry, record.slug, self.store.sources_of(identity), self.excerpt_chars)
        if text == record.pending_text or sha256_text(text) == record.sha256:
            return False
        self.store.plan_stub(identity, record.path, record.slug, text, sha256_text(text))
        self._planned.add(identity)
        return True

    def complete_pending(self) -> list[StubOutcome]:
        """Finish stubs a killed run planned but did not confirm; remove its temp files."""
        if self.briefs_dir.exists():
            for stale in self.briefs_dir.rglob(f"{TMP_PREFIX}*.tmp"):
                stale.unlink(missing_ok=True)
        outcomes = [self._settle(record) for record in self.store.pending_stubs()]
        self._planned.clear()
        return outcomes

    def flush(self) -> list[StubOutcome]:
        """Write every stub planned since the last flush; returns what happened to each."""
        outcomes: list[StubOutcome] = []
        for identity in sorted(self._planned):
            record = self.store.stub(identity)
            if record is not None and record.pending_sha256 is not None:
                outcomes.append(self._settle(record))
        self._planned.clear()
        return outcomes

    def _settle(self, record: StubRecord) -> StubOutcome:
        """Apply one planned write, never clobbering an author's change."""
        target = self._target(record.path)
        on_disk = _file_hash(target)
        assert record.pending_text is not None and record.pending_sha256 is not None
        if record.sha256 is None:  # first write of this stub
            if on_disk is None or on_disk == record.pending_sha256:
                if on_disk is None:
                    atomic_write(target, record.pending_text)
                self.store.mark_stub(record.identity, "written", record.pending_sha256)
                return StubOutcome(record.identity, record.path, "written")
            self.store.mark_stub(record.identity, "edited")
            return StubOutcome(record.identity, record.path, "kept-edited")
        if on_disk is None:
            self.store.mark_stub(record.identity, "deleted")
            return StubOutcome(record.identity, record.path, "kept-deleted")
        if on_disk in (record.sha256, record.pending_sha256):
            if on_disk != record.pending_sha256:
                atomic_write(target, record.pending_text)
            self.store.mark_stub(record.identity, "written", record.pending_sha256)
            return StubOutcome(record.identity, record.path, "updated")
        self.store.mark_stub(record.identity, "edited")
        return StubOutcome(record.identity, record.path, "kept-edited")
