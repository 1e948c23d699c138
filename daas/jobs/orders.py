"""Job function: the daily round that holds stock for approved and backordered orders, first come first
served; it calls the one use case `flask daas orders allocate` runs too."""

from __future__ import annotations

from typing import Any

from daas.core.jobs import JobContext
from daas.usecases.orders import allocate_backorders

ACTOR = "scheduler"


def allocate_backorders_job(context: JobContext) -> dict[str, Any]:
    """Serve the orders waiting for stock; an order that fails is counted and named, not fatal."""
    report = allocate_backorders(ACTOR)
    return {
        **report.counts(),
        "errors": [f"order {order_id}: {message}" for order_id, message in report.failed],
    }
