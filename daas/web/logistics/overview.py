"""The overview: today's and this week's pickups, return orders by state, the devices waiting in the
warehouse and a chart of the devices received per week."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import render_template

from daas.contracts.renewal import contracts_ending
from daas.core import clock
from daas.web.logistics import blp, queries
from daas.web.pages import audience


@blp.get("")
@audience("logistics")
def home() -> Any:
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    week = queries.scheduled_pickups_between(monday, monday + timedelta(days=6))
    labels, counts = queries.devices_received_per_week(today)
    return render_template(
        "logistics/home.html",
        today=today,
        week_start=monday,
        todays=[pickup for pickup in week if pickup.day == today],
        week=week,
        orders=queries.return_orders_by_status(),
        waiting=queries.warehouse_queue(),
        chart={
            "type": "bar",
            "labels": labels,
            "datasets": [{"label": "Devices received", "data": counts}],
            "unit": "devices",
            "integer": True,
        },
        ending=contracts_ending(today),
        show_customer=True,
    )
