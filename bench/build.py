"""Build benchmark: our theme + plugin against plain Pelican on the same synthetic content.

Usage: python bench/build.py N [--rounds R] [--instructions]

Generates N Hebrew/English posts (realistic length, tags, categories, dates over years), then
builds them side by side, alternating: ours (pelicanconf.py, theme/, the attention plugin) and
plain Pelican (default theme, no plugins). Reports the best round of each, in CPU seconds.
Last line: ``build N=1000: ratio X (ours A s / plain B s)``.

``--instructions`` counts instead the instructions each build executes, once, under
``valgrind --tool=callgrind`` (the two builds run at the same time; about five minutes at
N=1000): a figure that other jobs on the machine cannot disturb.
Last line: ``build N=1000: instructions ratio X (ours A G / plain B G)``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PELICAN = Path(sys.executable).with_name("pelican")

HEBREW_TEXT = (
    "השבוע פלטפורמות מפרסמים קהל תוכן יוצרים חיפוש מודעות נתונים מותג שיווק רשת "
    "ניוזלטר פודקאסט וידאו קצר משתמשים חדשים מגמה עלייה ירידה מחקר סקר תקציב "
    "אלגוריתם פיד המלצות מעורבות חשיפה קליקים המרה לקוחות חנות מסחר אפליקציה "
    "עדכון כלי חדש ישראל עולמי שוק תחרות פרטיות רגולציה מדיניות בינה מלאכותית"
)
BRANDS_TEXT = "LinkedIn TikTok Google Meta Threads ChatGPT YouTube WhatsApp Instagram"
ENGLISH_TEXT = (
    "this week platforms advertisers audience content creators search ads data brand "
    "marketing network newsletter podcast short video users new trend growth decline study "
    "survey budget algorithm feed recommendations engagement reach clicks conversion customers "
    "store commerce app update tool market competition privacy regulation policy"
)
HEBREW_WORDS = HEBREW_TEXT.split()
LATIN_IN_HEBREW = BRANDS_TEXT.split()
ENGLISH_WORDS = ENGLISH_TEXT.split()
TAGS = [f"topic-{n}" for n in range(30)]
AUTHORS = ("מיכל ברק", "Daniel Rossi")


def sentence(rng: random.Random, words: list[str], brands: list[str]) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(8, 18))]
    if brands and rng.random() < 0.5:
        chosen.insert(rng.randint(0, len(chosen)), rng.choice(brands))
    return " ".join(chosen) + "."


def paragraph(rng: random.Random, words: list[str], brands: list[str]) -> str:
    text = " ".join(sentence(rng, words, brands) for _ in range(rng.randint(4, 7)))
    if rng.random() < 0.3:
        text += f" [{rng.choice(words)}](https://example.com/{rng.randint(1, 9999)})"
    return text


def post(rng: random.Random, number: int, date: datetime, issue: int | None) -> str:
    hebrew = rng.random() < 0.7
    words = HEBREW_WORDS if hebrew else ENGLISH_WORDS
    brands = LATIN_IN_HEBREW if hebrew else []
    title = " ".join(rng.choice(words) for _ in range(rng.randint(4, 8)))
    tags = ", ".join(rng.sample(TAGS, rng.randint(1, 4)))
    lines = [
        f"Title: {'קשב #' + str(issue) + ': ' if issue else ''}{title}",
        f"Date: {date:%Y-%m-%dT%H:%M:%S}+02:00",
        f"Lang: {'he' if hebrew else 'en'}",
        f"Slug: post-{number}",
        f"Category: {'digest' if issue else 'brief'}",
        f"Tags: {tags}",
        f"Authors: {rng.choice(AUTHORS)}",
        f"Summary: {sentence(rng, words, brands)}",
    ]
    if issue:
        lines.append(f"Issue: {issue}")
    body = [paragraph(rng, words, brands) for _ in range(rng.randint(5, 9))]
    if issue:
        for section in range(3):
            body.append(f"## {rng.choice(words)} {rng.choice(words)} {{#s{section}}}")
            body.extend(paragraph(rng, words, brands) for _ in range(2))
        body.append("- " + "\n- ".join(sentence(rng, words, brands) for _ in range(4)))
    return "\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n"


def generate(content: Path, count: int, seed: int = 46) -> None:
    """Write ``count`` synthetic posts under ``content/`` (1 in 10 a digest)."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 7, 8, 0)
    span = datetime(2026, 11, 1) - start
    issue = 0
    for number in range(count):
        date = start + span * (number / max(count, 1)) + timedelta(minutes=rng.randint(0, 600))
        is_digest = number % 10 == 0
        issue += is_digest
        folder = "digests" if is_digest else f"briefs/{date:%Y}/{date:%m}"
        path = content / folder / f"post-{number}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(post(rng, number, date, issue if is_digest else None), encoding="utf-8")
    (content / "pages").mkdir(exist_ok=True)


def _children_cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def timed_build(arguments: list[str]) -> tuple[float, float, float]:
    """(CPU seconds, of which system, wall seconds) of one build in a subprocess.

    CPU time is what the ratio uses: on a shared two-core machine wall time swings with
    whatever else runs, while the CPU a build needs does not.
    """
    (user_before, system_before), started = _children_cpu(), time.perf_counter()
    result = subprocess.run(arguments, cwd=REPO, capture_output=True, text=True)
    wall, (user, system) = time.perf_counter() - started, _children_cpu()
    if result.returncode != 0:
        sys.exit(f"build failed: {' '.join(arguments)}\n{result.stdout[-3000:]}{result.stderr}")
    system -= system_before
    return user - user_before + system, system, wall


def counted_builds(commands: list[list[str]], work: Path) -> list[int]:
    """Instructions executed by each command, run side by side under callgrind."""
    runs = []
    for number, arguments in enumerate(commands):
        out = work / f"callgrind.{number}.out"
        valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        runs.append(
            subprocess.Popen(
                valgrind + arguments, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        )
    counts = []
    for process, arguments in zip(runs, commands, strict=True):
        stdout, stderr = process.communicate()
        found = re.search(rb"I\s+refs:\s+([\d,]+)", stderr)
        if process.returncode != 0 or not found:
            sys.exit(f"build failed: {' '.join(arguments)}\n{stdout[-3000:]!r}{stderr[-3000:]!r}")
        counts.append(int(found[1].replace(b",", b"")))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions with callgrind instead"
    )
    args = parser.parse_args()
    if args.instructions and not shutil.which("valgrind"):
        sys.exit("--instructions needs valgrind (apt-get install valgrind)")
    work = Path(tempfile.mkdtemp(prefix="attention-bench-build-"))
    try:
        content = work / "content"
        generate(content, args.count)
        plain_conf = work / "plainconf.py"
        plain_conf.write_text('SITENAME = "plain"\nTIMEZONE = "Asia/Jerusalem"\n', encoding="utf-8")

        def command(settings: str, output: str) -> list[str]:
            return [str(PELICAN), str(content), "-o", str(work / output), "-s", settings, "-q"]

        ours_settings, plain_settings = "pelicanconf.py", str(plain_conf)
        if args.instructions:
            ours_ir, plain_ir = counted_builds(
                [command(ours_settings, "ours"), command(plain_settings, "plain")], work
            )
            print(
                f"build N={args.count}: instructions ratio {ours_ir / plain_ir:.3f} "
                f"(ours {ours_ir / 1e9:.2f} G / plain {plain_ir / 1e9:.2f} G)"
            )
            return
        ours, plain = [], []
        for round_number in range(args.rounds):
            # Every build writes into a new, empty directory (as on a fresh clone or in CI), so
            # none can reuse what an earlier one wrote. The old ones are deleted only at the end:
            # deleting tens of MB just before a build charged the file system's clean-up (ext4
            # discard) to that build's system time, by up to a second.
            os.sync()
            ours.append(timed_build(command(ours_settings, f"ours-{round_number}")))
            os.sync()
            plain.append(timed_build(command(plain_settings, f"plain-{round_number}")))
            print(
                f"round {round_number + 1}: "
                + ", ".join(
                    f"{name} {cpu:.2f} s CPU ({system:.2f} s system; {wall:.2f} s wall)"
                    for name, (cpu, system, wall) in (("ours", ours[-1]), ("plain", plain[-1]))
                )
            )
        best_ours, best_plain = min(run[0] for run in ours), min(run[0] for run in plain)
        print(
            f"build N={args.count}: ratio {best_ours / best_plain:.2f} "
            f"(ours {best_ours:.2f} s / plain {best_plain:.2f} s)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
