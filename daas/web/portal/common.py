"""What the portal's sections share: whose data a page shows, the booking window, and how a quantity
reads."""

from __future__ import annotations

from decimal import Decimal

from daas.settings import current_settings
from daas.web.pages import principal


def customer_scope() -> int:
    """The signed-in customer's id: the `customer_scope` of every read and write."""
    return principal().customer_id


def booking_window_days() -> int:
    return current_settings().booking_window_days


def number(value: Decimal | int | None) -> str:
    """A quantity without trailing zeros or exponent: Decimal("3.000000") -> "3"."""
    if value is None:
        return ""
    normalized = Decimal(value).normalize()
    return f"{normalized:f}"
