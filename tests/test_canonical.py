"""Canonical URLs and title keys: the two ways the same story from two feeds is recognised."""

from __future__ import annotations

import pytest

from attention.canonical import canonical_url, is_tracking_param, title_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://Story.Test.Example/a/b?utm_source=rss&utm_medium=feed&fbclid=XYZ#top",
            "https://story.test.example/a/b",
        ),
        (
            "https://story.test.example/a/b?gclid=1&mc_cid=2&mc_eid=3&ref=home&id=7",
            "https://story.test.example/a/b?id=7",
        ),
        ("HTTP://Example.COM:80/x?b=2&a=1", "http://example.com/x?b=2&a=1"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
    ],
)
def test_canonical_url_drops_tracking_fragment_and_case(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_canonical_url_keeps_meaningful_parameters_in_order() -> None:
    assert canonical_url("https://x.example/s?q=ai&page=2") == "https://x.example/s?q=ai&page=2"


def test_canonical_url_leaves_non_http_strings_alone() -> None:
    assert canonical_url("  urn:isbn:123 ") == "urn:isbn:123"


def test_tracking_parameter_names() -> None:
    for name in ("utm_campaign", "UTM_Source", "fbclid", "gclid", "mc_cid", "ref"):
        assert is_tracking_param(name)
    for name in ("id", "page", "q", "reference"):
        assert not is_tracking_param(name)


def test_title_key_matches_near_identical_titles() -> None:
    a = title_key("Messaging apps become the new storefront")
    assert a == title_key("Messaging Apps Become the New Storefront!")
    assert a == title_key("  messaging apps   become the new storefront | Dup B")
    assert title_key("שיווק במשפיענים עובר לסרטונים") == title_key(
        "שיווק  במשפיענים, עובר לסרטונים."
    )


def test_title_key_refuses_short_titles() -> None:
    assert title_key("Weekly roundup") == ""
    assert title_key("") == ""


def test_canonical_url_treats_a_trailing_dot_host_as_the_same_host() -> None:
    assert canonical_url("https://Example.com./a?utm_source=x") == "https://example.com/a"
    assert canonical_url("https://example.com.:443/a") == canonical_url("https://example.com/a")
