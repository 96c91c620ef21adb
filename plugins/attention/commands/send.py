"""``attention send <digest> --via smtp|listmonk|buttondown``: deliver a built email edition."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from attention.atomic import atomic_write
from attention.send.base import Edition, EditionError, SendSummary, load_edition
from attention.subscribers import state_dir

if TYPE_CHECKING:
    from attention.send.buttondown import ButtondownChannel
    from attention.send.listmonk import ListmonkChannel
    from attention.send.sendlog import SendLog
    from attention.send.smtp import SmtpSender
    from attention.subscribers import Subscriber

logger = logging.getLogger(__name__)

HELP = "send a built email edition over SMTP, or as a listmonk / Buttondown campaign"

EPILOG = """examples:
  make html && attention send 7 --via smtp --dry-run     # .eml files under .attention/dry-run/
  attention send 7-ai-search --via smtp --to me@example.org   # one test message
  attention send 7 --via smtp                  # everyone; safe to run again after a crash
  attention send 7 --via listmonk --list 3 --send-at 2026-11-27T07:00:00+02:00
  attention send 7 --via buttondown            # a draft to review in Buttondown
<digest> is an edition folder under output/email/ or an issue number. Settings: README,
section "Email edition and delivery"."""

EXIT_FAILED = 1
EXIT_CONFIG = 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("digest", help="edition folder (7-ai-search) or issue number (7)")
    parser.add_argument("--via", choices=("smtp", "listmonk", "buttondown"), required=True)
    parser.add_argument("--dry-run", action="store_true", help="write .eml files, send nothing")
    parser.add_argument("--to", metavar="ADDRESS", help="send one test message to ADDRESS only")
    parser.add_argument("--allow-draft", action="store_true", help="send a digest still a draft")
    parser.add_argument("--output", type=Path, default=Path("output"), help="built site")
    parser.add_argument(
        "--settings", type=Path, default=Path("pelicanconf.py"), help="EMAIL_* settings file"
    )
    parser.add_argument("--list", type=int, action="append", dest="lists", help="listmonk list id")
    parser.add_argument("--send-at", help="schedule (listmonk, Buttondown): ISO date-time")
    parser.add_argument(
        "--again", action="store_true", help="listmonk/Buttondown: create a second campaign"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def load_settings(path: Path) -> dict[str, object]:
    """Pelican settings from ``path`` (only the ``EMAIL_*`` ones matter here); {} if absent."""
    if not path.is_file():
        return {}
    from pelican.settings import read_settings

    return dict(read_settings(str(path)))


def run(args: argparse.Namespace) -> int:
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        edition = load_edition(args.output, args.digest)
    except EditionError as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_FAILED
    if edition.is_draft and not args.allow_draft:
        err.print(
            f"error: {edition.key} is a draft (Status: {edition.status}); "
            "publish it or pass --allow-draft",
            markup=False,
        )
        return EXIT_FAILED
    send_at = None
    if args.send_at and args.via == "smtp":  # ignoring it would send to everyone right now
        err.print(
            "error: --send-at works with --via listmonk or buttondown; SMTP sends at once"
            " (schedule the command itself to send later)",
            markup=False,
        )
        return EXIT_CONFIG
    if args.send_at:
        try:
            send_at = dt.datetime.fromisoformat(args.send_at)
        except ValueError:
            err.print(f"error: --send-at {args.send_at!r} is not an ISO date-time", markup=False)
            return EXIT_CONFIG
        # Without an offset listmonk refuses the time and Buttondown reads it as UTC.
        if send_at.utcoffset() is None:
            err.print(
                f"error: --send-at {args.send_at!r} has no time zone; add the offset,"
                f" e.g. {args.send_at}+02:00 (Israel in winter) or {args.send_at}Z (UTC)",
                markup=False,
            )
            return EXIT_CONFIG
        if send_at <= dt.datetime.now(dt.UTC):
            err.print(f"error: --send-at {args.send_at!r} is in the past", markup=False)
            return EXIT_CONFIG
    settings = load_settings(args.settings)
    if args.via == "smtp":
        return _smtp(args, edition, settings, err)
    return _campaign(args, edition, settings, send_at, err)


def _smtp(args: argparse.Namespace, edition: Edition, settings: dict, err: Console) -> int:
    from attention.send.sendlog import SendLog, SendLogBusy
    from attention.send.smtp import ConfigError, SendAborted, SmtpConfig, SmtpSender, write_dry_run
    from attention.subscribers import SubscriberStore

    out = Console(highlight=False, soft_wrap=True)
    try:
        config = SmtpConfig.from_settings(settings)
    except ConfigError as exc:
        if not args.dry_run:
            err.print(f"error: {exc}", markup=False)
            return EXIT_CONFIG
        # No server yet: the preview still shows the From, Reply-To and unsubscribe of the send.
        try:
            config = SmtpConfig.from_settings(
                {"EMAIL_SMTP_HOST": "dry-run.invalid", "EMAIL_FROM": "attention@localhost"}
                | {k: v for k, v in settings.items() if v not in (None, "")}
            )
        except ConfigError as problem:  # wrong, not only missing: the preview would lie
            err.print(f"error: {problem}", markup=False)
            return EXIT_CONFIG
    with SubscriberStore() as store:
        subscribers = list(store.all())
    if args.dry_run:
        folder = state_dir() / "dry-run" / edition.key
        count = write_dry_run(edition, subscribers, config.envelope, folder)
        out.print(f"dry run: wrote {count} .eml files to {folder}/", markup=False)
        return 0
    try:
        log = SendLog()
    except SendLogBusy as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_FAILED
    with log:
        sender = SmtpSender(config, log)
        if args.to:
            try:
                message_id = sender.send_test(edition, args.to)
            except (SendAborted, OSError, ValueError) as exc:
                err.print(f"error: test message to {args.to} failed: {exc}", markup=False)
                return EXIT_FAILED
            out.print(f"test message {message_id} sent to {args.to}", markup=False)
            return 0
        if not subscribers:
            err.print("error: no active subscribers (attention subscribers add|import)")
            return EXIT_FAILED
        summary = _with_progress(sender, edition, subscribers, log, args.no_progress, err)
    _print_summary(out, err, edition, summary)
    return EXIT_FAILED if summary.failed or summary.aborted else 0


def _with_progress(
    sender: SmtpSender,
    edition: Edition,
    subscribers: list[Subscriber],
    log: SendLog,
    quiet: bool,
    err: Console,
) -> SendSummary:
    already = sum(1 for e in log.entries(edition.key).values() if e.status in ("sent", "handed"))
    if quiet or not err.is_terminal:
        return sender.deliver_to(edition, subscribers)
    columns = (
        TextColumn(f"issue {edition.issue}" if edition.issue else edition.key[:24]),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task("send", total=len(subscribers), completed=already, failed=0)
        failed = 0

        def advance(_recipient: str, outcome: str) -> None:
            nonlocal failed
            failed += outcome == "failed"
            bar.update(task, advance=1, failed=failed)

        return sender.deliver_to(edition, subscribers, progress=advance)


def _print_summary(out: Console, err: Console, edition: Edition, summary: SendSummary) -> None:
    out.print(f"{edition.key}: {summary.line()}", markup=False)
    if summary.unconfirmed:
        out.print(
            f"  {summary.unconfirmed} of the skipped were handed to the server just before the "
            "previous run stopped; its answer was not seen",
            markup=False,
        )
    for reason, count in summary.failure_reasons().most_common():
        examples = [r for r, why in summary.failed.items() if why == reason][:3]
        out.print(f"  failed {count}: {reason} (e.g. {', '.join(examples)})", markup=False)
    if summary.aborted:
        err.print(f"error: stopped early: {summary.aborted}; run again to resume", markup=False)


def _campaign(
    args: argparse.Namespace,
    edition: Edition,
    settings: dict,
    send_at: dt.datetime | None,
    err: Console,
) -> int:
    import httpx

    from attention.send.buttondown import ButtondownChannel, ButtondownConfig, ButtondownError
    from attention.send.listmonk import ListmonkChannel, ListmonkConfig, ListmonkError

    try:
        if args.via == "listmonk":
            channel: ListmonkChannel | ButtondownChannel = ListmonkChannel(
                ListmonkConfig.from_env(settings, lists=args.lists), send_at=send_at
            )
            if args.to and not args.dry_run:  # a dry run sends nothing, test or not
                print(channel.send_test(edition, args.to))
                return 0
        else:
            if args.to:
                err.print("error: --to works with --via smtp and --via listmonk only")
                return EXIT_CONFIG
            channel = ButtondownChannel(ButtondownConfig.from_env(), send_at=send_at)
        if args.dry_run:
            summary = channel.deliver(edition, dry_run=True)
            target = state_dir() / "dry-run" / edition.key / f"{args.via}.json"
            atomic_write(target, json.dumps(channel.payload(edition), ensure_ascii=False, indent=1))
            summary.notes.append(f"request body written to {target}")
        else:
            made = _create_once(channel, edition, args, err)
            if made is None:
                return EXIT_FAILED
            summary = made
    except (ListmonkError, ButtondownError) as exc:
        err.print(f"error: {exc}", markup=False)
        return EXIT_FAILED
    except httpx.HTTPError as exc:
        err.print(f"error: {args.via}: {exc}", markup=False)
        return EXIT_FAILED
    for note in summary.notes:
        print(note)
    return 0


def _create_once(
    channel: ListmonkChannel | ButtondownChannel,
    edition: Edition,
    args: argparse.Namespace,
    err: Console,
) -> SendSummary | None:
    """Create the provider's campaign unless one was already made for this edition."""
    from attention.send.buttondown import ButtondownError
    from attention.send.listmonk import CampaignNotScheduled, ListmonkError
    from attention.send.sendlog import PENDING, SendLog, SendLogBusy

    try:
        log = SendLog()
    except SendLogBusy as exc:
        err.print(f"error: {exc}", markup=False)
        return None
    with log:
        earlier = log.campaign(edition.key, args.via)
        if earlier and not args.again:
            remote_id, status, created = earlier
            when = f"{created[:16].replace('T', ' ')} UTC"
            if status == PENDING and not remote_id:
                err.print(
                    f"error: an earlier run asked {args.via} to create a campaign for"
                    f" {edition.key} at {when} and never saw the answer; check the"
                    f" {_NAMES[args.via]} dashboard and, only if no campaign was created,"
                    " re-run with --again",
                    markup=False,
                )
                return None
            err.print(
                f"error: {args.via} already has {remote_id} ({status}) for {edition.key},"
                f" created {when}; pass --again for another",
                markup=False,
            )
            return None
        # Before the call: if its answer is lost, the next run must not create a second one.
        log.mark_campaign_pending(edition.key, args.via)
        try:
            summary = channel.deliver(edition)
        except CampaignNotScheduled as exc:  # created, then refused: a rerun must not add one
            log.record_campaign(edition.key, args.via, exc.campaign_id, "draft")
            raise
        except (ListmonkError, ButtondownError):  # an HTTP refusal, not a lost reply
            log.restore_campaign(edition.key, args.via, earlier)
            raise
        log.record_campaign(edition.key, args.via, summary.remote_id, summary.remote_status)
    return summary


_NAMES = {"listmonk": "listmonk", "buttondown": "Buttondown"}
