"""Shipments through the API: packing books the earliest delivery slot with room (or none), packaging is
checked, ship/deliver/fail move the devices with custody events and the order with its units, delivery
starts the deployment (and billing) on the delivery day for the line's person, the packing slip, advance
exchanges and a refresh's replacement delivery."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import icalendar
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from daas.billing.models import Invoice, InvoiceLine
from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.periods import Period
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics.models import RefreshOrder, ReturnOrder
from daas.logistics.returns import create_return_order
from daas.logistics.slots import create_slot as create_pickup_slot
from daas.orders import delivery_slots
from daas.orders.allocation import allocate_order
from daas.orders.models import DeliverySlot, Order, OrderAllocation, Shipment
from daas.orders.ordering import place_order
from tests import factories
from tests.billing_helpers import bill
from tests.helpers import assert_error, bearer
from tests.shipment_helpers import PACKAGING, REGION, fleet, reserved_order

TODAY = date(2026, 11, 15)


@pytest.fixture
def site(database, today):
    world = fleet()
    return {
        "world": world,
        "logistics": bearer(factories.token("logistics")),
        "customer": bearer(factories.token("customer", world.customer.id)),
    }


def _pack(client, site, order, serials, **body):
    payload = {"order_id": order.id, "serials": serials, "packaging": PACKAGING, **body}
    if "reusable_box_id" in body:
        payload.pop("packaging")
    return client.post("/api/v1/shipments", json=payload, headers=site["logistics"])


def _events(serial):
    device = db.session.scalar(select(Device).where(Device.serial == serial))
    return [
        (event.action, event.to_status, event.reference)
        for event in db.session.scalars(
            select(CustodyEvent).where(CustodyEvent.device_id == device.id).order_by(CustodyEvent.seq)
        )
    ]


def _status(serial):
    return db.session.scalar(select(Device.status).where(Device.serial == serial))


def _ship(client, site, shipment_id, shipped_on="2026-11-12"):
    return client.post(
        f"/api/v1/shipments/{shipment_id}/ship",
        json={"carrier": "PostNL", "tracking": "3SABCD1234", "shipped_on": shipped_on},
        headers=site["logistics"],
    )


def _deliver(client, site, shipment_id, delivered_on="2026-11-13"):
    return client.post(
        f"/api/v1/shipments/{shipment_id}/deliver",
        json={"delivered_on": delivered_on, "received_by": "A. de Vries"},
        headers=site["logistics"],
    )


# -- packing and slots --------------------------------------------------------------------------------------


def test_packing_books_the_earliest_slot_with_room_on_or_after_the_requested_day(client, site):
    delivery_slots.create_slot(REGION, date(2026, 11, 17), 5)  # before the requested day
    delivery_slots.create_slot(REGION, date(2026, 11, 18), 1)
    delivery_slots.create_slot(REGION, date(2026, 11, 20), 3)
    delivery_slots.create_slot("DE-BE", date(2026, 11, 18), 3)  # another region
    first, first_serials = reserved_order(site["world"], requested_date=date(2026, 11, 18))
    second, second_serials = reserved_order(site["world"], requested_date=date(2026, 11, 18))

    one = _pack(client, site, first, first_serials)
    assert one.status_code == 201, one.get_json()
    body = one.get_json()
    assert body["delivery_date"] == "2026-11-18" and body["status"] == "packed"
    assert body["serials"] == first_serials and body["region"] == REGION
    assert body["address"] == {
        "line1": "Herengracht 182",
        "line2": "3rd floor",
        "postcode": "1016 BR",
        "city": "Amsterdam",
        "country": "NL",
    }
    assert body["packaging"] == [
        {"material": "cardboard", "kg": "0.850"},
        {"material": "moulded_pulp", "kg": "0.120"},
    ]
    assert (body["order_id"], body["contract_id"]) == (first.id, site["world"].contract.id)
    # The 18th is full: the next shipment goes on the 20th.
    assert _pack(client, site, second, second_serials).get_json()["delivery_date"] == "2026-11-20"
    listed = client.get(f"/api/v1/delivery-slots?region={REGION}", headers=site["logistics"]).get_json()
    assert [(s["date"], s["capacity"], s["booked"]) for s in listed] == [
        ("2026-11-17", 5, 0),
        ("2026-11-18", 1, 1),
        ("2026-11-20", 3, 1),
    ]
    # Packing moves no device: they stay allocated until the carrier has them.
    assert _status(first_serials[0]) == "allocated"
    allocation = db.session.scalar(select(OrderAllocation).where(OrderAllocation.order_id == first.id))
    assert allocation.shipment_id == body["id"]


def test_an_idempotency_key_packs_one_shipment_and_books_one_place(client, site):
    delivery_slots.create_slot(REGION, date(2026, 11, 18), 3)
    order, serials = reserved_order(site["world"], requested_date=date(2026, 11, 18))
    payload = {"order_id": order.id, "serials": serials, "packaging": PACKAGING}
    headers = {**site["logistics"], "Idempotency-Key": "pack-1"}
    first = client.post("/api/v1/shipments", json=payload, headers=headers)
    again = client.post("/api/v1/shipments", json=payload, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    listed = client.get(f"/api/v1/delivery-slots?region={REGION}", headers=site["logistics"]).get_json()
    assert [(slot["date"], slot["booked"]) for slot in listed] == [("2026-11-18", 1)]


def test_without_a_slot_with_room_within_14_days_the_shipment_has_no_date(client, site):
    delivery_slots.create_slot(REGION, TODAY - timedelta(days=2), 5)  # in the past: never booked
    delivery_slots.create_slot(REGION, TODAY + timedelta(days=1), 0)  # full
    delivery_slots.create_slot(REGION, TODAY + timedelta(days=15), 5)  # beyond the window
    order, serials = reserved_order(site["world"], requested_date=TODAY - timedelta(days=5))
    body = _pack(client, site, order, serials).get_json()
    assert body["delivery_date"] is None
    assert db.session.get(Shipment, body["id"]).slot_id is None
    queue = client.get("/api/v1/shipments?status=packed", headers=site["logistics"]).get_json()
    assert [(s["id"], s["delivery_date"]) for s in queue] == [(body["id"], None)]
    assert all(slot.booked == 0 for slot in db.session.scalars(select(DeliverySlot)))
    # A slot exactly 14 days on is within the window.
    delivery_slots.create_slot(REGION, TODAY + timedelta(days=14), 1)
    other, other_serials = reserved_order(site["world"], requested_date=TODAY)
    assert _pack(client, site, other, other_serials).get_json()["delivery_date"] == "2026-11-29"


@pytest.mark.parametrize(
    ("packaging", "field", "index", "key"),
    [
        ([{"material": "styrofoam", "kg": "0.100"}], "packaging", "0", "material"),
        (
            [{"material": "cardboard", "kg": "0.100"}, {"material": "cardboard", "kg": "0.200"}],
            "packaging",
            "1",
            "material",
        ),
        ([{"material": "cardboard", "kg": "0.1234"}], "packaging", "0", "kg"),
        ([{"material": "cardboard", "kg": "-1.000"}], "packaging", "0", "kg"),
    ],
)
def test_packaging_is_checked_material_by_material(client, site, packaging, field, index, key):
    order, serials = reserved_order(site["world"])
    response = _pack(client, site, order, serials, packaging=packaging)
    body = assert_error(response, 422, field)
    assert key in body["errors"][field][index], body
    assert db.session.scalar(select(Shipment.id)) is None


def test_packaging_or_a_reusable_box_one_of_them(client, site):
    order, serials = reserved_order(site["world"])
    neither = client.post(
        "/api/v1/shipments", json={"order_id": order.id, "serials": serials}, headers=site["logistics"]
    )
    assert_error(neither, 422, "packaging", "reusable_box_id")
    both = client.post(
        "/api/v1/shipments",
        json={"order_id": order.id, "serials": serials, "packaging": PACKAGING, "reusable_box_id": "BOX-7"},
        headers=site["logistics"],
    )
    assert_error(both, 422, "reusable_box_id")
    boxed = _pack(client, site, order, serials, reusable_box_id="BOX-7")
    assert boxed.status_code == 201
    assert (boxed.get_json()["reusable_box_id"], boxed.get_json()["packaging"]) == ("BOX-7", [])


def test_only_reserved_devices_of_the_order_not_packed_yet_can_be_packed(client, site):
    order, serials = reserved_order(site["world"], 2)
    _, other_serials = reserved_order(site["world"])
    stock = factories.device(site["world"].model.sku)
    foreign = _pack(client, site, order, [serials[0], other_serials[0], stock.serial, "NO-SUCH"])
    body = assert_error(foreign, 422, "serials")
    assert set(body["errors"]["serials"]) == {"1", "2", "3"}
    assert other_serials[0] in body["errors"]["serials"]["1"][0]
    assert _pack(client, site, order, [serials[0]]).status_code == 201
    again = assert_error(_pack(client, site, order, serials), 422, "serials")
    assert set(again["errors"]["serials"]) == {"0"} and serials[0] in again["errors"]["serials"]["0"][0]
    assert_error(_pack(client, site, order, [serials[1], serials[1]]), 422, "serials")
    unknown = client.post(
        "/api/v1/shipments",
        json={"order_id": 999999, "serials": serials, "packaging": PACKAGING},
        headers=site["logistics"],
    )
    assert_error(unknown, 422, "order_id")


def test_a_cancelled_order_cannot_be_packed(client, site):
    order, serials = reserved_order(site["world"])
    order.status = "cancelled"
    db.session.flush()
    assert_error(_pack(client, site, order, serials), 409, "status")


# -- ship, deliver, fail ------------------------------------------------------------------------------------


def test_ship_and_deliver_deploy_the_devices_for_the_person_from_the_delivery_day(client, site):
    world = site["world"]
    delivery_slots.create_slot(REGION, TODAY, 5)
    order, serials = reserved_order(world, 3, requested_date=TODAY - timedelta(days=5))
    first = _pack(client, site, order, serials[:2]).get_json()
    second = _pack(client, site, order, serials[2:], reusable_box_id="BOX-1").get_json()

    shipped = _ship(client, site, first["id"])
    assert shipped.status_code == 200, shipped.get_json()
    assert shipped.get_json()["status"] == "shipped" and shipped.get_json()["carrier"] == "PostNL"
    assert [_status(serial) for serial in serials] == ["in_transit_out", "in_transit_out", "allocated"]
    assert db.session.get(Order, order.id).status == "allocated"  # one unit is not on its way yet
    assert_error(_deliver(client, site, second["id"]), 409, "status")  # not shipped yet

    delivered = _deliver(client, site, first["id"])
    assert delivered.status_code == 200, delivered.get_json()
    assert (delivered.get_json()["status"], delivered.get_json()["delivered_on"]) == (
        "delivered",
        "2026-11-13",
    )
    assert db.session.get(Order, order.id).status == "allocated"
    _ship(client, site, second["id"], "2026-11-14")
    assert db.session.get(Order, order.id).status == "shipped"  # every device on its way or delivered
    _deliver(client, site, second["id"], "2026-11-15")
    assert db.session.get(Order, order.id).status == "delivered"

    assert _events(serials[0]) == [
        ("register", "in_stock", "stock intake"),
        ("allocate", "allocated", f"order {order.id}"),
        ("ship", "in_transit_out", f"shipment {first['id']}"),
        ("deliver", "deployed", f"shipment {first['id']}"),
    ]
    device = db.session.scalar(select(Device).where(Device.serial == serials[0]))
    assert (device.status, device.lives) == ("deployed", 1)
    deployments = db.session.scalars(
        select(Deployment).where(Deployment.contract_id == world.contract.id).order_by(Deployment.id)
    ).all()
    assert [(d.start_date, d.end_date, d.person_id) for d in deployments] == [
        (date(2026, 11, 13), None, world.person.id),
        (date(2026, 11, 13), None, world.person.id),
        (date(2026, 11, 15), None, world.person.id),
    ]
    allocations = db.session.scalars(select(OrderAllocation).where(OrderAllocation.order_id == order.id))
    assert {(a.state, a.deployment_id) for a in allocations} == {("delivered", d.id) for d in deployments}
    assert _ship(client, site, first["id"]).status_code == 409
    # The customer sees its devices on the contract now.
    on_contract = client.get(
        f"/api/v1/contracts/{world.contract.id}/devices", headers=site["customer"]
    ).get_json()
    assert sorted(d["serial"] for d in on_contract) == sorted(serials)


def test_delivered_on_is_on_or_after_the_ship_day_and_not_after_today(client, site):
    order, serials = reserved_order(site["world"])
    shipment = _pack(client, site, order, serials).get_json()
    assert_error(_ship(client, site, shipment["id"], "2026-11-16"), 422, "shipped_on")
    _ship(client, site, shipment["id"], "2026-11-12")
    assert_error(_deliver(client, site, shipment["id"], "2026-11-11"), 422, "delivered_on")
    assert_error(_deliver(client, site, shipment["id"], "2026-11-16"), 422, "delivered_on")
    assert _status(serials[0]) == "in_transit_out"
    assert db.session.scalar(select(Deployment.id)) is None
    assert _deliver(client, site, shipment["id"], "2026-11-12").status_code == 200  # the ship day itself


def test_shipped_on_defaults_to_today(client, site):
    order, serials = reserved_order(site["world"])
    shipment = _pack(client, site, order, serials).get_json()
    response = client.post(
        f"/api/v1/shipments/{shipment['id']}/ship",
        json={"carrier": "DHL", "tracking": "JJD000123"},
        headers=site["logistics"],
    )
    assert response.get_json()["shipped_on"] == TODAY.isoformat()


def test_a_failed_delivery_with_retry_waits_for_a_new_shipment(client, site):
    slot = delivery_slots.create_slot(REGION, TODAY + timedelta(days=2), 1)
    order, serials = reserved_order(site["world"], 2)
    shipment = _pack(client, site, order, serials).get_json()
    assert db.session.get(DeliverySlot, slot.id).booked == 1
    _ship(client, site, shipment["id"])
    failed = client.post(
        f"/api/v1/shipments/{shipment['id']}/fail", json={"retry": True}, headers=site["logistics"]
    )
    assert failed.status_code == 200, failed.get_json()
    body = failed.get_json()
    assert (body["status"], body["retry"], body["failed_on"], body["delivery_date"]) == (
        "failed",
        True,
        TODAY.isoformat(),
        None,
    )
    assert db.session.get(DeliverySlot, slot.id).booked == 0
    assert [_status(serial) for serial in serials] == ["allocated", "allocated"]
    assert _events(serials[0])[-1] == ("retry_delivery", "allocated", f"shipment {shipment['id']}")
    assert db.session.get(Order, order.id).status == "allocated"
    allocations = db.session.scalars(select(OrderAllocation).where(OrderAllocation.order_id == order.id))
    assert {(a.state, a.shipment_id) for a in allocations} == {("reserved", None)}
    again = _pack(client, site, order, serials)
    assert again.status_code == 201 and again.get_json()["delivery_date"] == "2026-11-17"
    assert (
        client.get(f"/api/v1/shipments/{shipment['id']}", headers=site["logistics"]).get_json()["serials"]
        == serials
    )  # the failed attempt stays on record
    assert_error(
        client.post(
            f"/api/v1/shipments/{shipment['id']}/fail", json={"retry": True}, headers=site["logistics"]
        ),
        409,
        "status",
    )


def test_a_failed_delivery_without_retry_puts_the_devices_back_in_stock(client, site):
    slot = delivery_slots.create_slot(REGION, TODAY + timedelta(days=2), 1)
    order, serials = reserved_order(site["world"], 2)
    shipped = _pack(client, site, order, serials[:1]).get_json()
    packed = _pack(client, site, order, serials[1:], reusable_box_id="BOX-2").get_json()
    _ship(client, site, shipped["id"])
    response = client.post(
        f"/api/v1/shipments/{shipped['id']}/fail", json={"retry": False}, headers=site["logistics"]
    )
    assert response.status_code == 200
    assert db.session.get(DeliverySlot, slot.id).booked == 0
    assert _status(serials[0]) == "in_stock"
    assert _events(serials[0])[-1] == ("return_to_stock", "in_stock", f"shipment {shipped['id']}")
    assert db.session.get(Order, order.id).status == "backordered"
    allocation = db.session.scalar(select(OrderAllocation).join(Device).where(Device.serial == serials[0]))
    assert (allocation.state, allocation.shipment_id) == ("released", None)
    assert allocation.released_at is not None
    # A shipment that never left fails back to stock too (the device is released, not shipped back).
    client.post(f"/api/v1/shipments/{packed['id']}/fail", json={"retry": False}, headers=site["logistics"])
    assert _status(serials[1]) == "in_stock"
    assert _events(serials[1])[-1] == ("release", "in_stock", f"shipment {packed['id']}")


def test_fail_takes_a_strict_boolean(client, site):
    order, serials = reserved_order(site["world"])
    shipment = _pack(client, site, order, serials).get_json()
    for value in ("true", 1, None):
        response = client.post(
            f"/api/v1/shipments/{shipment['id']}/fail", json={"retry": value}, headers=site["logistics"]
        )
        assert_error(response, 422, "retry")
    assert db.session.get(Shipment, shipment["id"]).status == "packed"


def test_billing_counts_device_days_from_the_delivery_day(client, site):
    world = site["world"]
    order, serials = reserved_order(world)
    shipment = _pack(client, site, order, serials).get_json()
    _ship(client, site, shipment["id"], "2026-11-09")
    _deliver(client, site, shipment["id"], "2026-11-10")
    with clock.frozen(date(2026, 12, 2)):
        bill(Period.parse("2026-11"))
    quantity = db.session.scalar(
        select(InvoiceLine.quantity)
        .join(Invoice)
        .where(
            Invoice.contract_id == world.contract.id,
            Invoice.period == "2026-11",
            InvoiceLine.kind == "device_monthly",
        )
    )
    assert quantity == Decimal(21)  # 10 to 30 November


# -- reading ------------------------------------------------------------------------------------------------


def test_the_customer_reads_its_own_shipments_with_tracking_and_expected_date(client, site):
    delivery_slots.create_slot(REGION, date(2026, 11, 19), 5)
    order, serials = reserved_order(site["world"])
    shipment = _pack(client, site, order, serials).get_json()
    _ship(client, site, shipment["id"], "2026-11-15")
    theirs = fleet()
    their_order, their_serials = reserved_order(theirs)
    their_shipment = _pack(client, site, their_order, their_serials).get_json()

    mine = client.get("/api/v1/shipments", headers=site["customer"]).get_json()
    assert [(s["id"], s["tracking"], s["delivery_date"]) for s in mine] == [
        (shipment["id"], "3SABCD1234", "2026-11-19")
    ]
    assert client.get(f"/api/v1/shipments/{shipment['id']}", headers=site["customer"]).status_code == 200
    assert (
        client.get(f"/api/v1/shipments/{their_shipment['id']}", headers=site["customer"]).status_code == 404
    )
    assert (
        client.get(f"/api/v1/shipments?customer_id={theirs.customer.id}", headers=site["customer"]).get_json()
        == []
    )
    assert _pack(client, {"logistics": site["customer"]}, order, serials).status_code == 403
    by_order = client.get(f"/api/v1/shipments?order_id={their_order.id}", headers=site["logistics"])
    assert [s["id"] for s in by_order.get_json()] == [their_shipment["id"]]
    by_customer = client.get(f"/api/v1/shipments?customer_id={theirs.customer.id}", headers=site["logistics"])
    assert [s["id"] for s in by_customer.get_json()] == [their_shipment["id"]]


def test_the_packing_slip_is_a_pdf_with_every_serial(client, site):
    delivery_slots.create_slot(REGION, date(2026, 11, 19), 5)
    order, serials = reserved_order(site["world"], 2)
    shipment = _pack(client, site, order, serials).get_json()
    response = client.get(f"/api/v1/shipments/{shipment['id']}/packing-slip.pdf", headers=site["logistics"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    for serial in serials:
        assert serial in text
    assert f"Packing slip, shipment {shipment['id']}" in text
    assert "2026-11-19" in text and "Herengracht 182" in text and "cardboard: 0.850 kg" in text
    assert "Anna de Vries" in text
    assert (
        client.get(
            f"/api/v1/shipments/{shipment['id']}/packing-slip.pdf", headers=site["customer"]
        ).status_code
        == 403
    )
    assert (
        client.get("/api/v1/shipments/999999/packing-slip.pdf", headers=site["logistics"]).status_code == 404
    )


def test_the_calendar_feed_lists_booked_deliveries(client, site):
    delivery_slots.create_slot(REGION, date(2026, 11, 19), 5)
    delivery_slots.create_slot("DE-BE", date(2026, 11, 19), 5)
    order, serials = reserved_order(site["world"], 2)
    shipment = _pack(client, site, order, serials).get_json()
    elsewhere, elsewhere_serials = reserved_order(site["world"], region="DE-BE")
    _pack(client, site, elsewhere, elsewhere_serials)
    unbooked, unbooked_serials = reserved_order(site["world"], region="FR-IDF")
    _pack(client, site, unbooked, unbooked_serials)

    token = factories.token("logistics", scope="calendar")
    feed = client.get(f"/api/v1/delivery-slots.ics?region={REGION}&token={token}")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    [event] = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
    assert event["uid"] == f"shipment-{shipment['id']}@daas"
    assert event.decoded("dtstart") == date(2026, 11, 19)
    assert "2 device(s)" in str(event["summary"]) and "Herengracht 182" in str(event["location"])
    assert all(serial in str(event["description"]) for serial in serials)
    everywhere = client.get(f"/api/v1/delivery-slots.ics?token={token}")
    assert len(icalendar.Calendar.from_ical(everywhere.data).walk("VEVENT")) == 2
    assert client.get(f"/api/v1/delivery-slots.ics?region={REGION}").status_code == 401
    customer_feed = factories.token("customer", site["world"].customer.id, scope="calendar")
    assert client.get(f"/api/v1/delivery-slots.ics?token={customer_feed}").status_code == 403
    # A calendar token opens only the feed.
    assert client.get("/api/v1/shipments", headers=bearer(token)).status_code == 401


# -- advance exchange ---------------------------------------------------------------------------------------


def _defect_return(world, when=date(2026, 11, 20)):
    broken = factories.device(world.model.sku)
    deploy_device(world.contract.id, broken.serial, date(2026, 2, 1), "tests")
    create_pickup_slot(REGION, when, 5)
    return create_return_order(
        world.contract.id, [broken.serial], "defect", when, REGION, "Herengracht 182, Amsterdam", "tests", 14
    )


def test_an_advance_exchange_holds_the_pickup_until_the_replacement_is_delivered(client, site):
    world = site["world"]
    returned = _defect_return(world)
    order, serials = reserved_order(world)
    shipment = _pack(client, site, order, serials, return_order_id=returned.id)
    assert shipment.status_code == 201, shipment.get_json()
    shipment = shipment.get_json()
    assert shipment["return_order_id"] == returned.id
    assert db.session.get(ReturnOrder, returned.id).exchange_pending is True
    pickup = {"picked_up_on": "2026-11-15", "carrier": "PostNL"}
    url = f"/api/v1/return-orders/{returned.id}/pickup"
    assert_error(client.post(url, json=pickup, headers=site["logistics"]), 409, "status")
    _ship(client, site, shipment["id"], "2026-11-14")
    _deliver(client, site, shipment["id"], "2026-11-15")
    assert db.session.get(ReturnOrder, returned.id).exchange_pending is False
    picked = client.post(url, json=pickup, headers=site["logistics"])
    assert picked.status_code == 200 and picked.get_json()["status"] == "picked_up"


@pytest.mark.parametrize("problem", ["reason", "contract", "cancelled", "taken"])
def test_an_exchange_names_an_open_defect_return_of_the_same_contract(client, site, problem):
    world = site["world"]
    returned = _defect_return(world)
    order, serials = reserved_order(world, 2)
    if problem == "reason":
        returned.reason = "early_return"
    elif problem == "contract":
        other = fleet()
        returned = _defect_return(other, date(2026, 11, 21))
    elif problem == "cancelled":
        returned.status, returned.slot_id = "cancelled", None
    else:
        assert _pack(client, site, order, serials[:1], return_order_id=returned.id).status_code == 201
    db.session.flush()
    response = _pack(client, site, order, serials[1:], return_order_id=returned.id)
    assert_error(response, 422, "return_order_id")


# -- refresh replacement ------------------------------------------------------------------------------------


def test_delivering_a_refresh_replacement_completes_the_refresh(client, site):
    world = site["world"]
    old = factories.device(world.model.sku)
    deployment = deploy_device(world.contract.id, old.serial, date(2026, 1, 5), "tests")
    refresh = RefreshOrder(
        device_id=old.id,
        contract_id=world.contract.id,
        deployment_id=deployment.id,
        due_date=date(2026, 11, 20),
        proposed_action="replace",
        reason="battery worn",
        status="approved",
        action="replace",
        replacement_sku=world.model.sku,
        completes_on_delivery=True,
    )
    db.session.add(refresh)
    db.session.flush()
    order, serials = reserved_order(world, refresh_order_id=refresh.id)
    complete = client.post(
        f"/api/v1/refresh-orders/{refresh.id}/complete",
        json={"completed_on": "2026-11-15"},
        headers=site["logistics"],
    )
    assert_error(complete, 409, "status")  # its delivery completes it
    shipment = _pack(client, site, order, serials).get_json()
    _ship(client, site, shipment["id"], "2026-11-13")
    assert _deliver(client, site, shipment["id"], "2026-11-14").status_code == 200
    db.session.expire_all()
    refresh = db.session.get(RefreshOrder, refresh.id)
    replacement = db.session.scalar(select(Device).where(Device.serial == serials[0]))
    assert (refresh.status, refresh.completed_on, refresh.replacement_device_id) == (
        "completed",
        date(2026, 11, 14),
        replacement.id,
    )
    assert _status(old.serial) == "deployed"  # the old device's return goes on as it was


def test_an_order_placed_and_allocated_is_shipped_and_delivered_end_to_end(client, site):
    """Through the ordering services (place_order, allocate_order): the order lists its shipments."""
    world = site["world"]
    stock = [factories.device(world.model.sku, on=date(2026, 10, 1)).serial for _ in range(2)]
    delivery_slots.create_slot(REGION, date(2026, 11, 17), 5)
    order = place_order(
        world.contract.id,
        [{"sku": world.model.sku, "quantity": 2, "person_id": world.person.id}],
        date(2026, 11, 16),
        "tests",
    )
    allocate_order(order.id, "tests")
    shown = client.get(f"/api/v1/orders/{order.id}", headers=site["customer"]).get_json()
    assert shown["status"] == "allocated" and shown["shipments"] == []
    serials = shown["lines"][0]["serials"]
    assert sorted(serials) == sorted(stock)
    shipment = _pack(client, site, db.session.get(Order, order.id), serials).get_json()
    assert shipment["delivery_date"] == "2026-11-17"
    _ship(client, site, shipment["id"], "2026-11-15")
    shown = client.get(f"/api/v1/orders/{order.id}", headers=site["customer"]).get_json()
    assert shown["status"] == "shipped"
    assert shown["shipments"] == [
        {
            "id": shipment["id"],
            "status": "shipped",
            "delivery_date": "2026-11-17",
            "carrier": "PostNL",
            "tracking": "3SABCD1234",
        }
    ]
    _deliver(client, site, shipment["id"], "2026-11-15")
    shown = client.get(f"/api/v1/orders/{order.id}", headers=site["customer"]).get_json()
    assert (shown["status"], shown["shipments"][0]["status"]) == ("delivered", "delivered")
    assert [_status(serial) for serial in serials] == ["deployed", "deployed"]
