"""Delivery slots through the API, like pickup slots: one per region and day, a capacity in shipments that
bookings never exceed and that cannot go below what is booked, listed with what is booked; a place is
freed when a delivery fails. Logistics and admin only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from daas.extensions import db
from daas.logistics.models import PickupSlot
from daas.orders import delivery_slots
from daas.orders.models import DeliverySlot
from tests import factories
from tests.helpers import assert_error, bearer
from tests.shipment_helpers import PACKAGING, REGION, fleet, reserved_order


@pytest.fixture
def staff(database, today):
    return {"logistics": bearer(factories.token("logistics")), "admin": bearer(factories.token("admin"))}


def _open(client, headers, day="2026-11-20", capacity=2, region=REGION):
    return client.post(
        "/api/v1/delivery-slots", json={"region": region, "date": day, "capacity": capacity}, headers=headers
    )


def test_opening_listing_and_changing_delivery_slots(client, staff):
    created = _open(client, staff["logistics"])
    assert created.status_code == 201
    slot = created.get_json()
    assert {k: slot[k] for k in ("region", "date", "capacity", "booked")} == {
        "region": REGION,
        "date": "2026-11-20",
        "capacity": 2,
        "booked": 0,
    }
    assert_error(_open(client, staff["admin"]), 409, "date")  # one slot per region and day
    _open(client, staff["admin"], day="2026-11-27", capacity=4)
    _open(client, staff["admin"], day="2026-11-21", region="DE-BE")
    listed = client.get(
        f"/api/v1/delivery-slots?region={REGION}&from=2026-11-21&to=2026-12-31", headers=staff["logistics"]
    )
    assert [(s["date"], s["capacity"]) for s in listed.get_json()] == [("2026-11-27", 4)]
    assert listed.headers["X-Pagination"]
    changed = client.patch(
        f"/api/v1/delivery-slots/{slot['id']}", json={"capacity": 7}, headers=staff["logistics"]
    )
    assert changed.status_code == 200 and changed.get_json()["capacity"] == 7
    missing = client.patch("/api/v1/delivery-slots/999999", json={"capacity": 7}, headers=staff["logistics"])
    assert missing.status_code == 404
    # Delivery slots are not pickup slots.
    assert list(db.session.scalars(select(PickupSlot))) == []


def test_capacity_never_goes_below_what_is_booked(client, staff):
    world = fleet()
    slot = _open(client, staff["logistics"], capacity=2).get_json()
    for _ in range(2):
        order, serials = reserved_order(world, requested_date=date(2026, 11, 20))
        packed = client.post(
            "/api/v1/shipments",
            json={"order_id": order.id, "serials": serials, "packaging": PACKAGING},
            headers=staff["logistics"],
        )
        assert packed.get_json()["delivery_date"] == "2026-11-20"
    listed = client.get("/api/v1/delivery-slots", headers=staff["logistics"]).get_json()
    assert [(s["capacity"], s["booked"]) for s in listed] == [(2, 2)]
    refused = client.patch(
        f"/api/v1/delivery-slots/{slot['id']}", json={"capacity": 1}, headers=staff["logistics"]
    )
    body = assert_error(refused, 409, "capacity")
    assert "2 deliveries are booked" in body["message"]


def test_the_domain_books_the_earliest_slot_with_room_and_frees_a_place(database, today):
    delivery_slots.create_slot(REGION, date(2026, 11, 16), 1)
    later = delivery_slots.create_slot(REGION, date(2026, 11, 18), 1)
    first = delivery_slots.book_earliest(REGION, date(2026, 11, 16), 14)
    assert first.date == date(2026, 11, 16)
    assert delivery_slots.book_earliest(REGION, date(2026, 11, 16), 14).id == later.id
    assert delivery_slots.book_earliest(REGION, date(2026, 11, 16), 14) is None
    delivery_slots.free_place(first.id)
    db.session.expire_all()
    assert db.session.get(DeliverySlot, first.id).booked == 0
    assert delivery_slots.book_earliest(REGION, date(2026, 11, 15), 1).id == first.id
    delivery_slots.free_place(first.id)
    delivery_slots.free_place(first.id)  # never below zero
    db.session.expire_all()
    assert db.session.get(DeliverySlot, first.id).booked == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"region": REGION, "date": "2026-11-20", "capacity": -1}, "capacity"),
        ({"region": REGION, "date": "2026-11-20", "capacity": "3"}, "capacity"),
        ({"region": "", "date": "2026-11-20", "capacity": 3}, "region"),
        ({"region": REGION, "date": "20-11-2026", "capacity": 3}, "date"),
    ],
)
def test_bad_slots_are_refused_naming_the_field(client, staff, body, field):
    assert_error(client.post("/api/v1/delivery-slots", json=body, headers=staff["logistics"]), 422, field)


def test_only_logistics_and_admin_manage_delivery_slots(client, staff):
    customer = bearer(factories.token("customer", factories.customer().id))
    finance = bearer(factories.token("finance"))
    for headers in (customer, finance):
        assert _open(client, headers).status_code == 403
        assert client.get("/api/v1/delivery-slots", headers=headers).status_code == 403
    assert client.get("/api/v1/delivery-slots").status_code == 401
