"""Fifty shipments packed at once for one region, whose only delivery slot has room for ten: exactly ten
are booked on it and forty wait without a slot, and the slot shows ten booked (the conditional increment
and the check constraint, raced with real threads and sessions on PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.core import clock
from daas.extensions import db
from daas.orders import delivery_slots
from daas.orders.models import DeliverySlot, Shipment
from daas.usecases.shipments import create_shipment
from tests.shipment_helpers import REGION, fleet, reserved_order

TODAY = date(2026, 11, 15)
PACKAGING = [{"material": "cardboard", "kg": Decimal("0.500")}]


@pytest.mark.postgres
def test_fifty_shipments_at_once_never_overbook_a_slot_of_ten(committed):
    app = committed
    with app.app_context(), clock.frozen(TODAY):
        world = fleet()
        slot_id = delivery_slots.create_slot(REGION, date(2026, 11, 18), 10).id
        orders = [reserved_order(world, requested_date=date(2026, 11, 16)) for _ in range(50)]
        db.session.commit()
        work = [(order.id, serials) for order, serials in orders]

    barrier = threading.Barrier(50)
    outcomes: list[object] = []
    lock = threading.Lock()

    def pack(order_id: int, serials: list[str]) -> None:
        with app.app_context():
            barrier.wait()
            try:
                shipment = create_shipment(order_id, serials, "race", packaging=PACKAGING)
                result: object = shipment.slot_id
            except Exception as error:  # the assertion below names it
                result = error
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=pack, args=item) for item in work]
    # Frozen once for all the threads: the clock is one for the process, and threads that each froze and
    # restored it would leave it frozen after them.
    with clock.frozen(TODAY):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert (outcomes.count(slot_id), outcomes.count(None)) == (10, 40)
    with app.app_context():
        assert db.session.get(DeliverySlot, slot_id).booked == 10
        assert db.session.scalar(select(func.count()).select_from(Shipment)) == 50
        assert (
            db.session.scalar(select(func.count()).select_from(Shipment).where(Shipment.slot_id == slot_id))
            == 10
        )
