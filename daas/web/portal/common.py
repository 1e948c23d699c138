"""What the portal's sections share: whose data a page shows, the booking window, choices of a select,
and how a quantity reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app
from wtforms import SelectChoice

from daas.web.pages import principal


def options(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices of a select, radio or checkbox list from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def customer_scope() -> int:
    """The signed-in customer's id: the `customer_scope` of every read and write."""
    return principal().customer_id


def booking_window_days() -> int:
    return current_app.config["DAAS_BOOKING_WINDOW_DAYS"]


def number(value: Decimal | int | None) -> str:
    """A quantity without trailing zeros or exponent: Decimal("3.000000") -> "3"."""
    if value is None:
        return ""
    normalized = Decimal(value).normalize()
    return f"{normalized:f}"
