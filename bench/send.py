"""Send benchmark: 10,000 personalised messages to a loopback SMTP sink, killed once midway.

    .venv/bin/python bench/send.py [N]

A sink (aiosmtpd, its own process) appends one line per accepted message. The sender is the real
``attention send --via smtp`` in a subprocess; it is killed with SIGKILL at a random point around
the middle and started again. The sink's lines give duplicates and missing recipients. For
scale, a naive baseline (one connection, ``EmailMessage`` + ``smtplib.sendmail`` per recipient,
no send log) runs side by side on the same edition. Last line:

    send N=10000: X msg/s, duplicates D, missing M
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

from attention.send.base import UNSUBSCRIBE_PLACEHOLDER
from attention.subscribers import SubscriberStore

ROOT = Path(__file__).resolve().parent
WORK = ROOT / ".work" / "send"
BASELINE_N = 1000
SECTIONS = 32  # about 38 KB of HTML, a long issue

SINK = r"""
import asyncio, sys
from aiosmtpd.controller import Controller

class Sink:
    def __init__(self, path):
        self.out = open(path, "a", buffering=1)
    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.out.write(rcpt + "\n")
        return "250 2.0.0 Accepted"

controller = Controller(Sink(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""

SENDER = """
import sys
from attention.cli import main
sys.exit(main(["send", "1", "--via", "smtp", "--output", sys.argv[1], "--settings", "absent.py",
               "--no-progress"]))
"""

SECTION = """<tr><td dir="rtl" style="direction: rtl; text-align: right; padding: 0 24px 16px;">
<h2 id="s{n}" style="font-size: 20px; margin: 16px 0 8px; color: #1a1a2e;">\
מגמה {n}: חיפוש עם AI משנה את כללי המשחק</h2>
<p dir="auto" style="font-size: 16px; line-height: 1.6; margin: 0 0 12px;">\
השבוע ראינו עוד סימן לכך שמנועי חיפוש מבוססי AI לוקחים נתח מהתנועה האורגנית: \
לפי נתונים שפורסמו, אתרי תוכן בעברית מדווחים על ירידה של 12% בהקלקות מ-Google, \
בזמן ש-ChatGPT Search ו-Perplexity מפנים יותר קוראים.</p>
<p dir="auto" style="font-size: 16px; line-height: 1.6; margin: 0 0 12px;">\
מה זה אומר למשווקים? כדאי לבדוק אילו עמודים מופיעים בתשובות, \
לעדכן נתונים מובנים ולמדוד את התנועה מצ'אטבוטים בנפרד.</p>
<p dir="auto" style="margin: 0 0 12px;"><a href="https://example.org/briefs/2026/11/item-{n}/" \
style="color: #0b57d0;">לתקציר המלא</a> · <a href="https://source.example.com/{n}" \
style="color: #0b57d0;">למקור</a></p>
</td></tr>
"""


def synthetic_edition(output: Path) -> int:
    """A built edition of realistic size (Hebrew, ~40 KB of inlined HTML); return its bytes."""
    folder = output / "email" / "1-bench"
    folder.mkdir(parents=True, exist_ok=True)
    rows = "".join(SECTION.format(n=n) for n in range(1, SECTIONS + 1))
    html = (
        '<!DOCTYPE html>\n<html lang="he" dir="rtl"><head><meta charset="utf-8"></head>\n'
        '<body dir="rtl" style="direction: rtl; text-align: right; margin: 0;">\n'
        '<table role="presentation" width="600" dir="rtl" style="direction: rtl;">\n'
        f'{rows}<tr><td><a href="{UNSUBSCRIBE_PLACEHOLDER}">הסרה מהרשימה</a></td></tr>\n'
        "</table></body></html>\n"
    )
    text = "\n\n".join(
        f"מגמה {n}: חיפוש עם AI משנה את כללי המשחק [{n}]" for n in range(1, SECTIONS + 1)
    )
    (folder / "index.html").write_text(html, encoding="utf-8")
    (folder / "index.txt").write_text(
        f"{text}\n\nהסרה: {UNSUBSCRIBE_PLACEHOLDER}\n", encoding="utf-8"
    )
    meta = {"issue": 1, "subject": "קשב #1: בדיקת ביצועים", "lang": "he", "status": "published"}
    (folder / "edition.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return len(html.encode())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """The aiosmtpd sink process and the file it appends recipients to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SINK, str(self.port), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout.readline().strip() == "ready"

    def count(self) -> int:
        try:
            with self.path.open("rb") as fh:
                return sum(1 for _ in fh)
        except FileNotFoundError:
            return 0

    def recipients(self) -> Counter[str]:
        return Counter(self.path.read_text().split())

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def baseline(edition: Path, port: int, n: int) -> float:
    """Messages per second of the obvious approach: EmailMessage + sendmail, one connection."""
    html = (edition / "index.html").read_text(encoding="utf-8")
    text = (edition / "index.txt").read_text(encoding="utf-8")
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for i in range(n):
            link = f"https://example.org/u/{i}"
            msg = EmailMessage()
            msg["Subject"] = "קשב #1: בדיקת ביצועים"
            msg["From"] = "news@example.org"
            msg["To"] = f"base{i}@example.org"
            msg.set_content(text.replace(UNSUBSCRIBE_PLACEHOLDER, link))
            msg.add_alternative(html.replace(UNSUBSCRIBE_PLACEHOLDER, link), subtype="html")
            conn.send_message(msg)
    return n / (time.perf_counter() - start)


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    shutil.rmtree(WORK, ignore_errors=True)
    output = WORK / "output"
    size = synthetic_edition(output)
    state = WORK / "state"
    recipients = [f"reader{i:05d}@example.org" for i in range(n)]
    with SubscriberStore(state / "subscribers.sqlite") as store:
        store.import_rows((r, "") for r in recipients)

    base_sink = Sink(WORK / "baseline.txt")
    base_rate = baseline(output / "email" / "1-bench", base_sink.port, min(BASELINE_N, n))
    base_sink.stop()

    sink = Sink(WORK / "sink.txt")
    env = os.environ | {
        "ATTENTION_STATE_DIR": str(state),
        "ATTENTION_SMTP_HOST": "127.0.0.1",
        "ATTENTION_SMTP_PORT": str(sink.port),
        "ATTENTION_SMTP_SECURITY": "none",
        "ATTENTION_EMAIL_FROM": "קשב <news@example.org>",
        "ATTENTION_UNSUBSCRIBE_URL": "https://example.org/unsubscribe?t={token}",
        "ATTENTION_SMTP_RATE": "0",
        "ATTENTION_SMTP_POOL": os.environ.get("ATTENTION_SMTP_POOL", "4"),
    }
    command = [sys.executable, "-c", SENDER, str(output)]
    kill_at = n // 2 + random.randint(-n // 20, n // 20)

    start = time.perf_counter()
    first = subprocess.Popen(command, env=env, cwd=WORK, stdout=subprocess.DEVNULL)
    while sink.count() < kill_at and first.poll() is None:
        time.sleep(0.002)
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_after = sink.count()
    second = subprocess.run(command, env=env, cwd=WORK, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    sink.stop()
    if second.returncode != 0:
        print(second.stdout, second.stderr, file=sys.stderr)

    counts = sink.recipients()
    delivered = sum(counts.values())
    duplicates = sum(c - 1 for c in counts.values() if c > 1)
    missing = sum(1 for r in recipients if r not in counts)
    rate = delivered / elapsed
    print(
        f"edition: {size / 1024:.1f} KB of HTML; killed with SIGKILL after {killed_after} messages"
    )
    print(f"resumed run: {second.stdout.strip().splitlines()[-1] if second.stdout else '?'}")
    print(f"baseline (EmailMessage + smtplib, 1 connection, no log): {base_rate:.0f} msg/s")
    print(f"ratio attention/baseline: {rate / base_rate:.2f}")
    print(f"send N={n}: {rate:.0f} msg/s, duplicates {duplicates}, missing {missing}")
    return 0 if duplicates == 0 and missing == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
