"""What every delivery channel shares: the built edition, how to find it, and the run summary.

An edition is what the build wrote to ``output/email/<issue>-<slug>/`` (a translation:
``<issue>-<slug>-<lang>/``): ``index.html``, ``index.txt`` and ``edition.json`` (subject, issue,
language, status, URL). Channels never re-render anything: they send those bytes, with the
unsubscribe placeholder filled in.
"""

from __future__ import annotations

import difflib
import json
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

logger = logging.getLogger(__name__)

# One token in the edition's HTML and text that each channel replaces with its own
# unsubscribe link. A syntactically valid URL, so the built HTML passes the Nu checker, on the
# reserved ``.invalid`` domain (RFC 6761), so it can never be a real link in a digest nor lead
# anywhere if a copy goes out unfilled. Deliberately not ``{{…}}``: that would look like
# template syntax to Jinja, listmonk and Buttondown alike.
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/attention"
EDITIONS_DIR = "email"
META_FILE = "edition.json"


class EditionError(LookupError):
    """The edition asked for cannot be used; the message says why and what exists."""


@dataclass(frozen=True)
class Edition:
    """One built email edition, read from disk."""

    key: str
    path: Path
    subject: str
    html: str
    text: str
    lang: str = "he"
    issue: int | None = None
    status: str = "published"
    url: str = ""
    translation: bool = False

    @property
    def is_draft(self) -> bool:
        """True for a digest whose ``Status`` is not published."""
        return self.status != "published"


def editions_root(output_dir: Path | str) -> Path:
    """``<output>/email``: where the build writes editions."""
    return Path(output_dir) / EDITIONS_DIR


def list_editions(output_dir: Path | str) -> list[str]:
    """Names of the edition folders under ``<output>/email``, sorted."""
    root = editions_root(output_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / META_FILE).is_file())


def read_edition(folder: Path) -> Edition:
    """Read one edition folder (``edition.json`` + ``index.html`` + ``index.txt``)."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        html = (folder / "index.html").read_text(encoding="utf-8")
        text = (folder / "index.txt").read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise EditionError(
            f"{folder}: incomplete email edition ({exc}); rebuild the site"
        ) from None
    issue = meta.get("issue")
    return Edition(
        key=folder.name,
        path=folder,
        subject=str(meta.get("subject") or meta.get("title") or folder.name),
        html=html,
        text=text,
        lang=str(meta.get("lang") or "he"),
        issue=int(issue) if issue is not None else None,
        status=str(meta.get("status") or "published"),
        url=str(meta.get("url") or ""),
        translation=bool(meta.get("translation")),
    )


def load_edition(output_dir: Path | str, ref: str) -> Edition:
    """Find an edition by folder name (``7-ai-search``) or issue number (``7``).

    An issue number picks the original-language edition when translations share the number.
    Raises :class:`EditionError` with close matches when nothing fits.
    """
    root = editions_root(output_dir)
    names = list_editions(output_dir)
    if not names:
        raise EditionError(f"no email editions in {root}/: build the site first (`make html`)")
    ref = ref.strip().strip("/")
    if ref in names:
        return read_edition(root / ref)
    if ref.isdigit():
        matches = [read_edition(root / n) for n in names if n.split("-", 1)[0] == ref]
        originals = [e for e in matches if not e.translation]
        if len(originals) == 1:
            return originals[0]
        if len(matches) == 1:
            return matches[0]
        if matches:
            listed = ", ".join(e.key for e in matches)
            raise EditionError(f"issue {ref} has several editions; name one: {listed}")
    close = difflib.get_close_matches(ref, names, n=5, cutoff=0.4)
    hint = f"; close matches: {', '.join(close)}" if close else f"; editions: {', '.join(names)}"
    raise EditionError(f"unknown digest {ref!r} in {root}/{hint}")


@dataclass
class SendSummary:
    """The closing summary of a run: sent, skipped as already sent, failed with reasons."""

    sent: int = 0
    skipped: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    unconfirmed: int = 0  # handed over before an interruption, the server's answer unseen
    aborted: str | None = None
    remote_id: str = ""  # the campaign or email a provider created
    remote_status: str = ""
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record_sent(self) -> None:
        with self._lock:
            self.sent += 1

    def record_failed(self, recipient: str, reason: str) -> None:
        with self._lock:
            self.failed[recipient] = reason

    def failure_reasons(self) -> Counter[str]:
        """How many recipients failed for each reason."""
        return Counter(self.failed.values())

    def line(self) -> str:
        """``sent 9, skipped as already sent 3, failed 1``."""
        return (
            f"sent {self.sent}, skipped as already sent {self.skipped}, failed {len(self.failed)}"
        )


class Channel(Protocol):
    """A way to deliver an edition: SMTP to our own list, or a campaign at a provider."""

    name: str

    def deliver(self, edition: Edition, *, dry_run: bool = False) -> SendSummary:
        """Deliver (or, with ``dry_run``, only prepare) the edition and say what happened."""
        ...
