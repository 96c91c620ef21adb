"""Delivery of built email editions: SMTP to our own list, or a listmonk / Buttondown campaign."""

from attention.send.base import (
    UNSUBSCRIBE_PLACEHOLDER,
    Edition,
    EditionError,
    SendSummary,
    load_edition,
)

__all__ = ["UNSUBSCRIBE_PLACEHOLDER", "Edition", "EditionError", "SendSummary", "load_edition"]
