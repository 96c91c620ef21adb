"""``attention subscribers add|remove|import|export|count``: the SMTP subscriber list."""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from pathlib import Path

from attention.subscribers import SUPPRESSED, InvalidAddress, SubscriberStore

logger = logging.getLogger(__name__)

HELP = "manage the email subscribers used by `attention send --via smtp`"

EPILOG = """examples:
  attention subscribers add reader@example.org --name "Dana"
  attention subscribers import readers.csv      # columns: email[,name]; header optional
  attention subscribers remove reader@example.org   # kept as suppressed: imports skip it
  attention subscribers add reader@example.org --resubscribe   # they asked to come back
  attention subscribers export all.csv
  attention subscribers count
The list lives in $ATTENTION_STATE_DIR/subscribers.sqlite (default .attention/)."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="add (or re-activate) addresses")
    add.add_argument("addresses", nargs="+", metavar="ADDRESS")
    add.add_argument("--name", default="", help="display name (with one address)")
    add.add_argument(
        "--resubscribe",
        action="store_true",
        help="also bring back addresses that unsubscribed (only when they asked to)",
    )
    remove = sub.add_parser("remove", help="unsubscribe addresses (kept as suppressed)")
    remove.add_argument("addresses", nargs="+", metavar="ADDRESS_OR_TOKEN")
    imp = sub.add_parser("import", help="import a CSV; suppressed addresses are not re-added")
    imp.add_argument("csv", type=Path)
    exp = sub.add_parser("export", help="write all subscribers to a CSV")
    exp.add_argument("csv", type=Path)
    exp.add_argument("--active-only", action="store_true", help="leave suppressed ones out")
    sub.add_parser("count", help="how many are active and suppressed")


def run(args: argparse.Namespace) -> int:
    with SubscriberStore() as store:
        if args.action == "add":
            return _add(store, args.addresses, args.name, args.resubscribe)
        if args.action == "remove":
            return _remove(store, args.addresses)
        if args.action == "import":
            if not args.csv.is_file():
                print(f"error: {args.csv}: no such file", file=sys.stderr)
                return 1
            try:
                report = store.import_csv(args.csv)
            except UnicodeDecodeError as exc:
                print(
                    f"error: {args.csv}: not UTF-8 text (byte {exc.start}); nothing imported."
                    " Save it as 'CSV UTF-8' and import again",
                    file=sys.stderr,
                )
                return 1
            except csv.Error as exc:
                print(f"error: {args.csv}: not a readable CSV ({exc}); nothing imported",
                      file=sys.stderr)  # fmt: skip
                return 1
            for problem in report.invalid:
                print(f"skipped: {args.csv}: {problem}", file=sys.stderr)
            print(
                f"imported {args.csv}: {report.added} added, {report.merged} already there, "
                f"{report.suppressed} unsubscribed (not re-added), {len(report.invalid)} invalid"
            )
            return 0
        if args.action == "export":
            count = store.export_csv(args.csv, include_suppressed=not args.active_only)
            print(f"wrote {count} subscribers to {args.csv}")
            return 0
        counts = store.count()
        print(f"active {counts['active']}, unsubscribed {counts['unsubscribed']}")
        return 0


def _add(store: SubscriberStore, addresses: list[str], name: str, resubscribe: bool) -> int:
    status = 0
    for address in addresses:
        try:
            known = store.get(address)
            if known and known.status == SUPPRESSED and not resubscribe:
                print(
                    f"not added: {known.email} unsubscribed; pass --resubscribe only if they"
                    " asked to come back",
                    file=sys.stderr,
                )
                status = 1
                continue
            added = store.add(address, name if len(addresses) == 1 else "")
        except InvalidAddress as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        word = "re-subscribed" if known and added else "added" if added else "already subscribed"
        print(f"{word}: {address.strip()}")
    return status


def _remove(store: SubscriberStore, keys: list[str]) -> int:
    status = 0
    for key in keys:
        try:
            removed = store.remove(key)
        except InvalidAddress as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{'unsubscribed' if removed else 'not an active subscriber'}: {key.strip()}")
    return status
