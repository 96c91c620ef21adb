"""`attention send` and `attention subscribers` as a person uses them."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from _email_support import SmtpServer, write_edition
from attention.cli import main
from attention.send.sendlog import SendLog


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ATTENTION_STATE_DIR", str(tmp_path / "state"))
    for name in ("ATTENTION_SMTP_HOST", "ATTENTION_EMAIL_FROM", "ATTENTION_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)
    write_edition(tmp_path / "output", "3-ai-search", issue=3)
    write_edition(tmp_path / "output", "3-ai-search-en", issue=3, lang="en", translation=True,
                  subject="Attention #3: AI search")  # fmt: skip
    write_edition(tmp_path / "output", "4-retail-media", issue=4, status="draft")
    return tmp_path


@pytest.fixture
def smtp(site: Path, monkeypatch: pytest.MonkeyPatch):
    with SmtpServer() as server:
        monkeypatch.setenv("ATTENTION_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("ATTENTION_SMTP_PORT", str(server.port))
        monkeypatch.setenv("ATTENTION_SMTP_SECURITY", "none")
        monkeypatch.setenv("ATTENTION_SMTP_RATE", "0")
        monkeypatch.setenv("ATTENTION_EMAIL_FROM", "news@example.org")
        yield server


def send(*args: str) -> int:
    return main(["send", *args, "--settings", "absent.py", "--no-progress"])


def test_unknown_digest_lists_close_matches(site, capsys):
    assert send("3-ai-serch", "--via", "smtp") == 1
    err = capsys.readouterr().err
    assert "unknown digest '3-ai-serch'" in err
    assert "close matches: 3-ai-search" in err


def test_missing_build_says_to_run_make_html(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert send("3", "--via", "smtp") == 1
    assert "build the site first (`make html`)" in capsys.readouterr().err


def test_draft_digest_is_refused_unless_allowed(smtp, capsys):
    main(["subscribers", "add", "r@example.org"])
    assert send("4", "--via", "smtp") == 1
    assert "4-retail-media is a draft" in capsys.readouterr().err
    assert smtp.handler.messages == []
    assert send("4", "--via", "smtp", "--allow-draft") == 0
    assert len(smtp.handler.messages) == 1


def test_missing_smtp_settings_are_named_in_one_line(site, capsys):
    assert send("3", "--via", "smtp") == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "error: missing SMTP settings: EMAIL_SMTP_HOST (or $ATTENTION_SMTP_HOST), "
        "EMAIL_FROM (or $ATTENTION_EMAIL_FROM)"
    )


def test_issue_number_picks_the_original_language_edition(smtp, capsys):
    main(["subscribers", "add", "r@example.org"])
    assert send("3", "--via", "smtp") == 0
    out = capsys.readouterr().out
    assert "3-ai-search: sent 1, skipped as already sent 0, failed 0" in out
    assert smtp.handler.parsed()[0]["Content-Language"] == "he"


def test_issue_number_finds_a_digest_in_another_language_that_is_not_a_translation(
    smtp, site, capsys
):
    write_edition(site / "output", "5-gdo-retail-media", issue=5, lang="it",
                  subject="Attenzione #5: la GDO e il retail media")  # fmt: skip
    main(["subscribers", "add", "r@example.org"])
    assert send("5", "--via", "smtp") == 0
    assert "5-gdo-retail-media: sent 1" in capsys.readouterr().out
    assert smtp.handler.parsed()[0]["Content-Language"] == "it"


def test_dry_run_writes_eml_files_and_sends_nothing(smtp, site, capsys):
    main(["subscribers", "add", "a@example.org", "b@example.org"])
    assert send("3-ai-search", "--via", "smtp", "--dry-run") == 0
    files = sorted((site / "state" / "dry-run" / "3-ai-search").glob("*.eml"))
    assert [f.name for f in files] == ["00001-a@example.org.eml", "00002-b@example.org.eml"]
    assert b"List-Unsubscribe:" in files[0].read_bytes()
    assert smtp.handler.messages == []
    with SendLog() as log:
        assert log.entries("3-ai-search") == {}


def test_to_sends_one_test_message_and_logs_nothing(smtp, capsys):
    main(["subscribers", "add", "a@example.org", "b@example.org"])
    assert send("3", "--via", "smtp", "--to", "editor@example.org") == 0
    assert [r for r, _raw in smtp.handler.messages] == [["editor@example.org"]]
    with SendLog() as log:
        assert log.entries("3-ai-search") == {}


def test_second_send_reports_everyone_as_already_sent(smtp, capsys):
    main(["subscribers", "add", "a@example.org", "b@example.org"])
    send("3", "--via", "smtp")
    capsys.readouterr()
    assert send("3", "--via", "smtp") == 0
    assert "sent 0, skipped as already sent 2, failed 0" in capsys.readouterr().out
    assert len(smtp.handler.messages) == 2


def test_refused_recipient_is_listed_with_the_servers_reason(smtp, capsys):
    main(["subscribers", "add", "a@example.org", "gone@example.org"])
    smtp.handler.refuse["gone@example.org"] = "550 5.1.1 User unknown"
    assert send("3", "--via", "smtp") == 1
    out = capsys.readouterr().out
    assert "sent 1, skipped as already sent 0, failed 1" in out
    assert "failed 1: 550 5.1.1 User unknown (e.g. gone@example.org)" in out


def test_subscribers_commands_round_trip(site, capsys):
    source = site / "in.csv"
    source.write_text("email,name\nא@example.org,x\nok@example.org,אור\n", encoding="utf-8")
    assert main(["subscribers", "import", str(source)]) == 0
    captured = capsys.readouterr()
    assert "1 added" in captured.out and "1 invalid" in captured.out
    assert "skipped:" in captured.err
    assert main(["subscribers", "remove", "ok@example.org"]) == 0
    assert main(["subscribers", "count"]) == 0
    assert "active 0, unsubscribed 1" in capsys.readouterr().out
    assert main(["subscribers", "export", str(site / "out.csv")]) == 0
    assert "ok@example.org,אור,unsubscribed" in (site / "out.csv").read_text(encoding="utf-8")


def test_campaign_dry_run_writes_the_request_body_and_posts_nothing(site, monkeypatch, capsys):
    monkeypatch.setenv("BUTTONDOWN_API_KEY", "key")
    monkeypatch.setenv("BUTTONDOWN_API_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    assert send("3", "--via", "buttondown", "--dry-run") == 0
    body = (site / "state" / "dry-run" / "3-ai-search" / "buttondown.json").read_text("utf-8")
    assert '"status": "draft"' in body and "{{ unsubscribe_url }}" in body
    assert "dry run: would POST" in capsys.readouterr().out


def test_a_second_buttondown_send_of_the_same_edition_is_refused(site, monkeypatch, capsys):
    from test_send_buttondown import KEY, FakeButtondown

    handler = type("Handler", (FakeButtondown,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("BUTTONDOWN_API_KEY", KEY)
        monkeypatch.setenv("BUTTONDOWN_API_URL", f"http://127.0.0.1:{server.server_address[1]}/v1")
        assert send("3", "--via", "buttondown") == 0
        assert "Buttondown email em_123 created (draft)" in capsys.readouterr().out
        assert send("3", "--via", "buttondown") == 1
        assert "buttondown already has em_123 (draft) for 3-ai-search" in capsys.readouterr().err
        assert len(handler.requests) == 1
        assert send("3", "--via", "buttondown", "--again") == 0
        assert len(handler.requests) == 2
    finally:
        server.shutdown()
        server.server_close()


def test_rerun_after_a_dropped_create_reply_asks_to_check_instead_of_creating_again(
    site, monkeypatch, capsys
):
    import socket

    from test_send_buttondown import KEY, FakeButtondown

    class CreatesThenDrops(FakeButtondown):
        """Buttondown takes the email, then the connection drops before the reply."""

        drop = True

        def do_POST(self) -> None:
            if not self.drop:
                return super().do_POST()
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.requests.append((self.command, self.path, dict(self.headers), {"raw": raw}))
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

    handler = type("Handler", (CreatesThenDrops,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("BUTTONDOWN_API_KEY", KEY)
        monkeypatch.setenv("BUTTONDOWN_API_URL", f"http://127.0.0.1:{server.server_address[1]}/v1")
        assert send("3", "--via", "buttondown") == 1
        capsys.readouterr()
        assert send("3", "--via", "buttondown") == 1
        err = capsys.readouterr().err.strip()
        assert len(handler.requests) == 1
        assert len(err.splitlines()) == 1
        assert "Buttondown dashboard" in err and "--again" in err
        handler.drop = False
        assert send("3", "--via", "buttondown", "--again") == 0
        assert len(handler.requests) == 2
        with SendLog() as log:
            assert log.campaign("3-ai-search", "buttondown")[:2] == ("em_123", "draft")
    finally:
        server.shutdown()
        server.server_close()


def test_a_refused_create_leaves_no_marker_so_a_fixed_rerun_goes_ahead(site, monkeypatch, capsys):
    from test_send_buttondown import KEY, FakeButtondown

    handler = type("Handler", (FakeButtondown,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        monkeypatch.setenv("BUTTONDOWN_API_URL", url)
        monkeypatch.setenv("BUTTONDOWN_API_KEY", "wrong")
        assert send("3", "--via", "buttondown") == 1
        assert "HTTP 401" in capsys.readouterr().err
        monkeypatch.setenv("BUTTONDOWN_API_KEY", KEY)
        assert send("3", "--via", "buttondown") == 0
        assert len(handler.requests) == 2
    finally:
        server.shutdown()
        server.server_close()


def test_send_while_another_send_holds_the_log_says_so_instead_of_crashing(smtp, capsys):
    main(["subscribers", "add", "a@example.org"])
    with SendLog():  # another `attention send` is running
        assert send("3", "--via", "smtp") == 1
    assert "another `attention send` is running" in capsys.readouterr().err
    assert smtp.handler.messages == []


def test_test_message_does_not_share_its_message_id_with_the_real_send(smtp, capsys):
    # Gmail drops a message whose Message-ID the mailbox already holds: the editor who sent
    # themself a test (or two, after fixing a typo) must still get each one and the edition.
    main(["subscribers", "add", "editor@example.org"])
    assert send("3", "--via", "smtp", "--to", "editor@example.org") == 0
    assert send("3", "--via", "smtp", "--to", "editor@example.org") == 0
    assert send("3", "--via", "smtp") == 0
    ids = [msg["Message-ID"] for msg in smtp.handler.parsed()]
    assert len(ids) == 3 and len(set(ids)) == 3


def test_import_of_a_file_not_in_utf8_names_the_file_and_adds_nothing(site, capsys):
    source = site / "excel-hebrew.csv"  # Excel's default "CSV" on a Hebrew Windows is cp1255
    source.write_bytes("email,name\nok@example.org,דנה\n".encode("cp1255"))
    assert main(["subscribers", "import", str(source)]) == 1
    err = capsys.readouterr().err
    assert str(source) in err and "UTF-8" in err
    assert main(["subscribers", "count"]) == 0
    assert "active 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("when", "says"),
    [("2031-11-27T07:00", "time zone"), ("2021-11-27T07:00:00+02:00", "in the past")],
    ids=["no-offset", "past"],
)
def test_send_at_without_offset_or_in_the_past_is_refused(site, monkeypatch, capsys, when, says):
    # Without an offset the provider reads the time in its own zone (UTC): an Israeli 07:00
    # would go out at 09:00; a past time would send at once.
    monkeypatch.setenv("BUTTONDOWN_API_KEY", "key")
    monkeypatch.setenv("BUTTONDOWN_API_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    assert send("3", "--via", "buttondown", "--send-at", when) == 2
    assert says in capsys.readouterr().err


def test_credentials_never_show_in_a_settings_repr():
    # A repr is what a traceback, a debug log line or an f-string of the settings shows.
    from attention.send.buttondown import ButtondownConfig
    from attention.send.listmonk import ListmonkConfig
    from attention.send.smtp import SmtpConfig

    secret = "s3cret-do-not-print"
    configs = [
        SmtpConfig(host="h", from_addr="n@example.org", user="u", password=secret),
        ListmonkConfig(url="https://l.example.org", user="api", token=secret, lists=(1,)),
        ButtondownConfig(api_key=secret),
    ]
    for config in configs:
        assert secret not in repr(config)


def test_dry_run_file_names_stay_inside_the_folder_for_any_valid_address(smtp, site, capsys):
    # '/' is a valid character before the @ (RFC 5322 atext).
    main(["subscribers", "add", "sales/il@example.org", "..@example.org"])
    assert send("3-ai-search", "--via", "smtp", "--dry-run") == 0
    folder = site / "state" / "dry-run" / "3-ai-search"
    assert len(list(folder.glob("*.eml"))) == 1
    assert [p.parent for p in folder.rglob("*.eml")] == [folder]


def test_add_does_not_quietly_resubscribe_someone_who_unsubscribed(site, capsys):
    main(["subscribers", "add", "left@example.org"])
    main(["subscribers", "remove", "left@example.org"])
    capsys.readouterr()
    # A list pasted into `add` must not bring back someone who left.
    assert main(["subscribers", "add", "new@example.org", "LEFT@example.org"]) == 1
    captured = capsys.readouterr()
    assert "added: new@example.org" in captured.out
    assert "left@example.org unsubscribed" in captured.err and "--resubscribe" in captured.err
    main(["subscribers", "count"])
    assert "active 1, unsubscribed 1" in capsys.readouterr().out
    # When they ask to come back, the writer says so.
    assert main(["subscribers", "add", "left@example.org", "--resubscribe"]) == 0
    assert "re-subscribed: left@example.org" in capsys.readouterr().out


def test_dry_run_with_to_on_listmonk_creates_and_sends_nothing(site, monkeypatch, capsys):
    monkeypatch.setenv("LISTMONK_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("LISTMONK_USER", "api")
    monkeypatch.setenv("LISTMONK_TOKEN", "t0ken")
    assert send("3", "--via", "listmonk", "--list", "1", "--to", "me@example.org", "--dry-run") == 0
    assert "dry run: would POST" in capsys.readouterr().out


def test_dry_run_before_smtp_is_set_up_previews_the_real_headers(site, capsys):
    (site / "mailconf.py").write_text(
        'EMAIL_FROM = "קשב <news@example.org>"\n'
        'EMAIL_REPLY_TO = "editor@example.org"\n'
        'EMAIL_UNSUBSCRIBE_MAILTO = "leave@example.org"\n'
        'EMAIL_UNSUBSCRIBE_URL = "https://example.org/u?t={token}"\n',
        encoding="utf-8",
    )
    main(["subscribers", "add", "a@example.org"])
    args = ["send", "3-ai-search", "--via", "smtp", "--dry-run", "--settings", "mailconf.py"]
    assert main([*args, "--no-progress"]) == 0
    [eml] = (site / "state" / "dry-run" / "3-ai-search").glob("*.eml")
    msg = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert msg["Reply-To"] == "editor@example.org"
    assert "<mailto:leave@example.org?subject=" in msg["List-Unsubscribe"]
    assert "<https://example.org/u?t=" in msg["List-Unsubscribe"]


def test_send_at_with_smtp_is_refused_instead_of_sending_at_once(smtp, capsys):
    main(["subscribers", "add", "a@example.org"])
    assert send("3", "--via", "smtp", "--send-at", "2031-11-27T07:00:00+02:00") == 2
    assert "--send-at" in capsys.readouterr().err
    assert smtp.handler.messages == []


def test_a_campaign_created_but_not_scheduled_is_remembered_so_a_rerun_adds_no_second(
    site, monkeypatch, capsys
):
    from test_send_listmonk import TOKEN, USER, FakeListmonk

    class RefusesToSchedule(FakeListmonk):
        """Creates campaigns, then refuses every status change (say, a list was deleted)."""

        def do_PUT(self) -> None:
            self._body()
            self._reply(400, {"message": "list has no subscribers"})

    handler = type("Handler", (RefusesToSchedule,), {"requests": [], "campaigns": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("LISTMONK_URL", f"http://127.0.0.1:{server.server_address[1]}")
        monkeypatch.setenv("LISTMONK_USER", USER)
        monkeypatch.setenv("LISTMONK_TOKEN", TOKEN)
        schedule = ("--via", "listmonk", "--list", "3", "--send-at", "2031-11-27T07:00:00+02:00")
        assert send("3", *schedule) == 1
        err = capsys.readouterr().err
        assert "list has no subscribers" in err and "campaign 1 was created" in err
        assert send("3", *schedule) == 1
        assert "listmonk already has 1 (draft) for 3-ai-search" in capsys.readouterr().err
        assert [(method, path) for method, path, _h, _b in handler.requests] == [
            ("POST", "/api/campaigns"),
            ("PUT", "/api/campaigns/1/status"),
        ]
    finally:
        server.shutdown()
        server.server_close()
