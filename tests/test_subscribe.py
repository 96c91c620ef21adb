"""The subscribe form posts to each provider's documented public endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from attention.site.subscribe import SubscribeSettingsError, subscribe_form
from sitebuild import build, write_article


def test_buttondown_posts_to_the_embed_endpoint() -> None:
    form = subscribe_form({"provider": "buttondown", "username": "kashev"})
    assert form.action == "https://buttondown.com/api/emails/embed-subscribe/kashev"
    assert form.email_field == "email"


def test_listmonk_posts_lists_and_uses_its_nonce_honeypot() -> None:
    form = subscribe_form(
        {"provider": "listmonk", "url": "https://lists.example.org/", "lists": ["abc-123"]}
    )
    assert form.action == "https://lists.example.org/subscription/form"
    assert ("l", "abc-123") in form.hidden
    assert form.honeypot_field == "nonce"


def test_mailchimp_uses_its_field_names() -> None:
    action = "https://example.us1.list-manage.com/subscribe/post?u=U1&id=L2"
    form = subscribe_form({"provider": "mailchimp", "action": action})
    assert form.email_field == "EMAIL"
    assert form.honeypot_field == "b_U1_L2"


def test_generic_form_action() -> None:
    form = subscribe_form({"provider": "form", "action": "https://example.org/join"})
    assert form.action == "https://example.org/join"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"provider": "buttondown"}, "SUBSCRIBE.username"),
        ({"provider": "listmonk", "url": "https://x.example"}, "SUBSCRIBE.lists"),
        ({"provider": "carrier-pigeon"}, "SUBSCRIBE.provider"),
    ],
)
def test_incomplete_settings_name_the_key(settings: dict, field: str) -> None:
    with pytest.raises(SubscribeSettingsError, match=field):
        subscribe_form(settings)


def test_without_a_provider_the_page_explains_feeds(tmp_path: Path) -> None:
    content = tmp_path / "content"
    write_article(
        content,
        "pages/subscribe.md",
        "Title: הרשמה\nSlug: subscribe\nLang: he\nTemplate: subscribe\n\nגוף.\n",
    )
    output = build(content, tmp_path / "out", SUBSCRIBE=None)
    page = (output / "subscribe" / "index.html").read_text(encoding="utf-8")
    assert "subscribe-form" not in page
    assert "feeds/all.atom.xml" in page and "feeds/he.rss.xml" in page
