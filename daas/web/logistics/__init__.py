"""Logistics pages: the day's pickups and queues, orders to allocate, pick and pack (a scanner-friendly
screen), ship and deliver, return orders and their steps, the pickup and delivery capacity calendar (with
its iCalendar feeds), devices by serial (scanner-friendly: scan, act, scan the next one),
and refresh orders to fulfil. Every change is one call of the same use case the API calls.

Views parse a form (`forms`), call one use case (daas.usecases.logistics, or .contracts to deploy), which
commits or rolls back, and say what happened; they read through the services (returns, slots, takeback,
refresh), and the reads the services lack (the overview's counts, a week's pickups, the devices of
orders) are in `queries`. Each section's module registers its views on the one blueprint, `logistics`.
"""

from __future__ import annotations

from flask import Blueprint

from daas.web.pages import add_navigation
from daas.web.security import secure_page

blp = Blueprint("logistics", __name__, url_prefix="/logistics")
blp.after_request(secure_page)
add_navigation(
    "logistics",
    ("logistics.home", "Overview"),
    ("logistics.orders", "Orders"),
    ("logistics.returns", "Return orders"),
    ("logistics.calendar", "Pickup calendar"),
    ("logistics.devices", "Devices by serial"),
    ("logistics.refresh_orders", "Refreshes"),
)


def label(value: str) -> str:
    """A state or reason as people read it: in_transit -> in transit."""
    return value.replace("_", " ")


# The sections register their views on `blp` when imported (after it exists).
from daas.web.logistics import (  # noqa: E402, F401
    devices,
    orders,
    overview,
    pickup_calendar,
    refresh_orders,
    return_orders,
    shipments,
)
