"""The subscriber store: validation, merging, suppression, CSV import and export."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from attention.subscribers import InvalidAddress, SubscriberStore, normalize_address


@pytest.fixture
def store(tmp_path: Path):
    with SubscriberStore(tmp_path / "subscribers.sqlite") as subs:
        yield subs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Dana@Example.ORG", "dana@example.org"),
        ("  <noa+news@example.co.il> ", "noa+news@example.co.il"),
        ("reader@בדיקה.ישראל", "reader@xn--5dbedt4e.xn--4dbrk0ce"),
    ],
)
def test_addresses_are_normalised_so_duplicates_merge(raw, expected):
    assert normalize_address(raw) == expected


BAD_ADDRESSES = ["", "no-at-sign", "two@@example.org", "a@localhost", "a b@example.org",
                 "דנה@example.org", "a@-bad-.org", "a@example..org"]  # fmt: skip


@pytest.mark.parametrize("raw", BAD_ADDRESSES)
def test_invalid_addresses_are_refused_with_a_reason(raw):
    with pytest.raises(InvalidAddress):
        normalize_address(raw)


def test_adding_the_same_address_twice_keeps_one_subscriber(store):
    assert store.add("dana@example.org", "דנה")
    assert not store.add("DANA@example.org")
    assert store.count() == {"active": 1, "unsubscribed": 0}
    assert store.get("dana@example.org").name == "דנה"


def test_removed_address_is_suppressed_and_import_never_readds_it(store, tmp_path):
    store.add("gone@example.org")
    token = store.get("gone@example.org").token
    assert store.remove(token)  # by the token in an unsubscribe link
    source = tmp_path / "list.csv"
    source.write_text(
        "email,name\nGONE@example.org,Old\nnew@example.org,חדש\nnew@example.org,again\nbroken\n",
        encoding="utf-8",
    )
    report = store.import_csv(source)
    assert (report.added, report.merged, report.suppressed) == (1, 1, 1)
    assert len(report.invalid) == 1 and "broken" in report.invalid[0]
    assert store.get("gone@example.org").status == "unsubscribed"
    assert [s.email for s in store.all()] == ["new@example.org"]
    # Only an explicit add (new consent) brings a suppressed address back.
    assert store.add("gone@example.org")
    assert store.get("gone@example.org").status == "active"


def test_csv_without_header_is_read_as_address_then_name(store, tmp_path):
    source = tmp_path / "plain.csv"
    source.write_text("first@example.org,ראשון\nsecond@example.org\n", encoding="utf-8")
    report = store.import_csv(source)
    assert report.added == 2
    assert store.get("first@example.org").name == "ראשון"


def test_export_writes_every_subscriber_with_status(store, tmp_path):
    store.add("a@example.org", "א")
    store.add("b@example.org")
    store.remove("b@example.org")
    target = tmp_path / "out.csv"
    assert store.export_csv(target) == 2
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [(r["email"], r["name"], r["status"]) for r in rows] == [
        ("a@example.org", "א", "active"),
        ("b@example.org", "", "unsubscribed"),
    ]
    assert store.export_csv(target, include_suppressed=False) == 1


def test_state_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENTION_STATE_DIR", str(tmp_path / "elsewhere"))
    with SubscriberStore() as subs:
        subs.add("x@example.org")
    assert (tmp_path / "elsewhere" / "subscribers.sqlite").is_file()


def test_export_then_import_into_a_new_list_keeps_the_unsubscribed_suppressed(store, tmp_path):
    store.add("stays@example.org", "נשאר")
    store.add("left@example.org", "עזב")
    tokens = {s.email: s.token for s in store.all()}
    store.remove("left@example.org")
    target = tmp_path / "all.csv"
    store.export_csv(target)
    with SubscriberStore(tmp_path / "moved" / "subscribers.sqlite") as moved:
        report = moved.import_csv(target)
        assert (report.added, report.suppressed, report.invalid) == (1, 1, [])
        assert [s.email for s in moved.all()] == ["stays@example.org"]
        assert moved.get("left@example.org").status == "unsubscribed"
        # The unsubscribe links in emails already sent keep working after the move.
        assert moved.get("stays@example.org").token == tokens["stays@example.org"]
        assert moved.get("stays@example.org").name == "נשאר"


def test_import_of_a_list_marking_an_active_address_unsubscribed_suppresses_it(store, tmp_path):
    store.add("dana@example.org")
    source = tmp_path / "from-elsewhere.csv"
    source.write_text("email,status\ndana@example.org,unsubscribed\n", encoding="utf-8")
    assert store.import_csv(source).suppressed == 1
    assert store.get("dana@example.org").status == "unsubscribed"


def test_invalid_lines_are_reported_with_their_line_numbers_and_the_rest_imported(store, tmp_path):
    source = tmp_path / "list.csv"
    source.write_text(
        'email,name\nok1@example.org,א\nnot-an-address,ב\n"ok2@example.org","multi\nline"\n'
        "\nbad@@example.org\nok3@example.org\n",
        encoding="utf-8",
    )
    report = store.import_csv(source)
    assert report.added == 3
    assert [p.split(":", 1)[0] for p in report.invalid] == ["line 3", "line 7"]
    assert "not-an-address" in report.invalid[0]


@pytest.mark.parametrize(
    "header",
    ["\ufeffEmail Address,First Name", "E-mail;Name", " EMAIL \t,name", "אימייל,שם"],
    ids=["mailchimp-bom", "semicolons", "spaced", "hebrew"],
)
def test_common_header_variants_are_recognised(store, tmp_path, header):
    delimiter = ";" if ";" in header else ","
    source = tmp_path / "list.csv"
    rows = [f"Dana@Example.org{delimiter}דנה", f" dana@example.org {delimiter}x", "b@example.org"]
    source.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    report = store.import_csv(source)
    assert (report.added, report.merged, report.invalid) == (2, 1, [])
    assert store.get("dana@example.org").name == "דנה"


def test_whitespace_in_names_is_folded_to_single_spaces(store, tmp_path):
    source = tmp_path / "list.csv"
    source.write_text('email,name\na@example.org,"  Dana\n  Cohen "\n', encoding="utf-8")
    store.import_csv(source)
    store.add("b@example.org", "Noa\tLevi\n")
    assert [s.name for s in store.all()] == ["Dana Cohen", "Noa Levi"]
