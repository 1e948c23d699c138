"""Thirty orders racing for ten devices (threads, each with its own session and connection, real commits,
PostgreSQL): the partial unique index on reserved allocations and the device's row lock let each device go
to one order only; ten orders are allocated, twenty backordered, and every device moved once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask

from daas.core import clock
from daas.extensions import db
from daas.usecases import orders as use_cases
from tests.order_helpers import line, order_world, person, stock
from tests.processes import TIMEOUT, sql

pytestmark = pytest.mark.postgres

DEVICES = 10
ORDERS = 30
TODAY = date(2026, 11, 15)


@pytest.fixture
def world(committed: Flask) -> Iterator[tuple[Flask, list[int]]]:
    """Ten new devices in stock and thirty approved orders of one unit each, committed."""
    with clock.frozen(TODAY), committed.app_context():
        made = order_world()
        sku = made["model"].sku
        for day in range(1, DEVICES + 1):
            stock(sku, date(2026, 10, day))
        ada = person(made["customer"].id)
        order_ids = [
            use_cases.place_order(made["contract"].id, [line(sku, 1, ada.id)], TODAY, "tests").id
            for _ in range(ORDERS)
        ]
        db.session.remove()
    yield committed, order_ids


def _at_once(app: Flask, order_ids: list[int]) -> list[Any]:
    """Each order allocated from its own thread, let go together; each outcome (the status or the error).
    The clock is frozen once around all the threads: it is one for the process, and threads that each
    froze and restored it would leave it frozen after them."""
    barrier = threading.Barrier(len(order_ids))
    outcomes: list[Any] = [None] * len(order_ids)

    def allocate(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=TIMEOUT)
                outcomes[index] = use_cases.allocate_order(order_ids[index], f"worker-{index}").status
            except BaseException as error:  # reported below, not lost in the thread
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=allocate, args=(i,), daemon=True) for i in range(len(order_ids))]
    with clock.frozen(TODAY):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=TIMEOUT * 2)
    assert not any(thread.is_alive() for thread in threads), "an allocation did not finish"
    return outcomes


def test_thirty_orders_racing_for_ten_devices_take_each_device_once(world):
    app, order_ids = world
    outcomes = _at_once(app, order_ids)
    assert sorted(map(str, outcomes)) == sorted(
        ["allocated"] * DEVICES + ["backordered"] * (ORDERS - DEVICES)
    )
    reserved = sql(app, "SELECT device_id, order_id FROM order_allocations WHERE state = 'reserved'")
    assert len(reserved) == DEVICES
    assert len({device for device, _ in reserved}) == DEVICES
    assert len({order for _, order in reserved}) == DEVICES
    assert sql(app, "SELECT count(*) FROM order_allocations")[0][0] == DEVICES  # the losers left no row
    statuses = dict(sql(app, "SELECT status, count(*) FROM orders GROUP BY status"))
    assert statuses == {"allocated": DEVICES, "backordered": ORDERS - DEVICES}
    assert sql(app, "SELECT DISTINCT status FROM devices") == [("allocated",)]
    moves = sql(
        app, "SELECT device_id, count(*) FROM custody_events WHERE action = 'allocate' GROUP BY device_id"
    )
    assert sorted(count for _, count in moves) == [1] * DEVICES
    # Each allocated order's device is the one its allocation names, and its event says so.
    named = sql(
        app,
        "SELECT a.order_id, e.reference FROM order_allocations a JOIN custody_events e"
        " ON e.device_id = a.device_id AND e.action = 'allocate'",
    )
    assert all(reference == f"order {order_id}" for order_id, reference in named)


def test_the_round_after_the_race_serves_new_stock_oldest_order_first(world):
    app, order_ids = world
    _at_once(app, order_ids)
    waiting = [row[0] for row in sql(app, "SELECT id FROM orders WHERE status = 'backordered' ORDER BY id")]
    with clock.frozen(TODAY), app.app_context():
        sku = sql(app, "SELECT sku FROM device_models")[0][0]
        stock(sku, date(2026, 11, 14))
        report = use_cases.allocate_backorders("scheduler")
        db.session.remove()
    assert report.allocated == waiting[:1]  # placed first (created_at, then id)
    assert report.backordered == waiting[1:] and report.failed == []
