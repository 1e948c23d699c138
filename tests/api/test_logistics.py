"""Takeback through the API: pickup slots, return orders, wipe, grading, dispositions, exports and the
calendar feed; every illegal step answers 409 naming the state and what it allows."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import icalendar
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from daas.billing.models import Invoice, InvoiceLine
from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.errors import Conflict
from daas.core.periods import Period
from daas.devices.lifecycle import STATES, TRANSITIONS, allowed_actions
from daas.devices.models import Device
from daas.devices.services import transition_device
from daas.extensions import db
from daas.settings import current_settings
from tests import factories
from tests.billing_helpers import bill
from tests.helpers import assert_error, bearer

REGION = "NL-NH"
ADDRESS = "Keizersgracht 1, 1015 CC Amsterdam"
NIST_WIPE = {
    "method": "purge",
    "standard": "NIST SP 800-88 Rev. 1",
    "tool": "Blancco Drive Eraser",
    "tool_version": "7.9",
    "technique": "cryptographic erase",
    "media_type": "NVMe SSD",
    "media_serial": "S4EWNX0R123456",
    "verification": "full",
    "verified_by": "Inge Visser",
}


@pytest.fixture
def site(database, today):
    """A customer with three laptops deployed since February on a 39.00/month plan; logistics and the
    customer's own tokens."""
    model = factories.device_model(sku="DELL-LAT-5430")
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    customer = factories.customer(pickup_region=REGION, pickup_address=ADDRESS)
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    serials = []
    for n in range(3):
        device = factories.device(
            model.sku, serial=f"SN-{n}", manufactured_on=date(2025, 6, 1), battery_health=90
        )
        deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests")
        serials.append(device.serial)
    return {
        "contract": contract,
        "customer": customer,
        "serials": serials,
        "plan": plan,
        "model": model,
        "logistics": bearer(factories.token("logistics")),
        "customer_token": bearer(factories.token("customer", customer.id)),
    }


def _slot(client, site, day="2026-11-20", capacity=2):
    response = client.post(
        "/api/v1/pickup-slots",
        json={"region": REGION, "date": day, "capacity": capacity},
        headers=site["logistics"],
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _order(client, site, serials, requested="2026-11-18", headers=None, reason="early_return"):
    body = {
        "contract_id": site["contract"].id,
        "serials": serials,
        "reason": reason,
        "requested_date": requested,
        "region": REGION,
        "address": ADDRESS,
    }
    return client.post("/api/v1/return-orders", json=body, headers=headers or site["customer_token"])


def _device(client, site, serial):
    return client.get(f"/api/v1/devices/{serial}", headers=site["logistics"]).get_json()


def test_an_order_books_the_earliest_slot_with_room_within_14_days(client, site):
    _slot(client, site, "2026-11-19", capacity=0)  # full from the start
    _slot(client, site, "2026-11-21", capacity=1)
    _slot(client, site, "2026-11-20", capacity=1)
    first = _order(client, site, ["SN-0"])
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["status"], first.get_json()["pickup_date"]) == ("scheduled", "2026-11-20")
    second = _order(client, site, ["SN-1"]).get_json()
    assert (second["status"], second["pickup_date"]) == ("scheduled", "2026-11-21")
    third = _order(client, site, ["SN-2"]).get_json()  # nothing left within the window: the queue
    assert (third["status"], third["pickup_date"]) == ("requested", None)
    assert _device(client, site, "SN-0")["status"] == "return_scheduled"
    slots = client.get(f"/api/v1/pickup-slots?region={REGION}", headers=site["customer_token"]).get_json()
    assert [(s["date"], s["capacity"], s["booked"]) for s in slots] == [
        ("2026-11-19", 0, 0),
        ("2026-11-20", 1, 1),
        ("2026-11-21", 1, 1),
    ]


def test_slots_beyond_the_window_are_not_booked(client, site):
    _slot(client, site, "2026-12-03")  # 15 days after the request
    assert _order(client, site, ["SN-0"], requested="2026-11-18").get_json()["status"] == "requested"


def test_rescheduling_moves_the_booking_and_a_full_slot_is_a_409(client, site):
    _slot(client, site, "2026-11-20", capacity=1)
    full = _slot(client, site, "2026-11-24", capacity=0)
    order = _order(client, site, ["SN-0", "SN-1"]).get_json()
    url = f"/api/v1/return-orders/{order['id']}/schedule"
    assert_error(client.post(url, json={"date": "2026-11-24"}, headers=site["customer_token"]), 409, "date")
    client.patch(f"/api/v1/pickup-slots/{full['id']}", json={"capacity": 3}, headers=site["logistics"])
    moved = client.post(url, json={"date": "2026-11-24"}, headers=site["customer_token"]).get_json()
    assert moved["pickup_date"] == "2026-11-24"
    slots = {
        s["date"]: s["booked"]
        for s in client.get("/api/v1/pickup-slots", headers=site["logistics"]).get_json()
    }
    assert slots == {"2026-11-20": 0, "2026-11-24": 1}
    assert_error(
        client.patch(f"/api/v1/pickup-slots/{full['id']}", json={"capacity": 0}, headers=site["logistics"]),
        409,
        "capacity",
    )
    assert_error(client.post(url, json={"date": "2026-11-25"}, headers=site["logistics"]), 422, "date")


def test_cancelling_frees_the_slot_and_the_devices_stay_deployed(client, site):
    _slot(client, site, capacity=1)
    order = _order(client, site, ["SN-0"]).get_json()
    cancelled = client.post(f"/api/v1/return-orders/{order['id']}/cancel", headers=site["customer_token"])
    assert cancelled.get_json()["status"] == "cancelled"
    assert _device(client, site, "SN-0")["status"] == "deployed"
    assert client.get("/api/v1/pickup-slots", headers=site["logistics"]).get_json()[0]["booked"] == 0
    again = client.post(f"/api/v1/return-orders/{order['id']}/cancel", headers=site["customer_token"])
    body = assert_error(again, 409, "status")
    assert "cancelled" in body["message"]


def test_pickup_ends_the_deployments_that_day_so_billing_stops(client, site):
    _slot(client, site, "2026-11-10", capacity=5)
    with clock.frozen(date(2026, 11, 3)):
        order = _order(client, site, ["SN-0", "SN-1"], requested="2026-11-10").get_json()
    url = f"/api/v1/return-orders/{order['id']}"
    assert_error(
        client.post(f"{url}/receive", json={"received_on": "2026-11-12"}, headers=site["logistics"]), 409
    )
    picked = client.post(
        f"{url}/pickup",
        json={"picked_up_on": "2026-11-10", "carrier": "DHL", "tracking": "JD0001"},
        headers=site["logistics"],
    )
    assert picked.get_json()["status"] == "picked_up"
    ends = db.session.scalars(
        select(Deployment.end_date)
        .where(Deployment.contract_id == site["contract"].id)
        .order_by(Deployment.id)
    ).all()
    assert ends == [date(2026, 11, 10), date(2026, 11, 10), None]
    assert _device(client, site, "SN-0")["status"] == "in_transit"
    with clock.frozen(date(2026, 12, 2)):
        bill(Period.parse("2026-11"))
    line = db.session.scalar(
        select(InvoiceLine).join(Invoice).where(Invoice.contract_id == site["contract"].id)
    )
    assert (
        line.quantity == 9 + 9 + 30
    )  # two devices billed 1 to 9 November, the pickup day not; one all month
    received = client.post(f"{url}/receive", json={"received_on": "2026-11-12"}, headers=site["logistics"])
    assert received.get_json()["status"] == "received"
    assert _device(client, site, "SN-1")["status"] == "received"


def test_customers_act_on_their_own_orders_only(client, site):
    other = factories.customer()
    other_token = bearer(factories.token("customer", other.id))
    order = _order(client, site, ["SN-0"]).get_json()
    assert_error(client.get(f"/api/v1/return-orders/{order['id']}", headers=other_token), 404)
    assert_error(client.post(f"/api/v1/return-orders/{order['id']}/cancel", headers=other_token), 404)
    assert_error(_order(client, site, ["SN-1"], headers=other_token), 404)
    assert client.get("/api/v1/return-orders", headers=other_token).get_json() == []
    assert_error(
        client.post(
            f"/api/v1/return-orders/{order['id']}/pickup",
            json={"picked_up_on": "2026-11-15"},
            headers=site["customer_token"],
        ),
        403,
    )


def test_a_return_order_checks_its_devices(client, site):
    body = assert_error(_order(client, site, ["SN-0", "NOPE"]), 422, "serials")
    assert "1" in body["errors"]["serials"]
    assert_error(_order(client, site, ["SN-0", "SN-0"]), 422, "serials")
    assert_error(_order(client, site, ["SN-0"], requested="2026-11-01"), 422, "requested_date")
    _order(client, site, ["SN-0"])
    body = assert_error(_order(client, site, ["SN-0"]), 409, "status")
    assert "return_scheduled" in body["message"]


def _receive(client, site, serials):
    _slot(client, site, capacity=5)
    order = _order(client, site, serials).get_json()
    url = f"/api/v1/return-orders/{order['id']}"
    client.post(f"{url}/pickup", json={"picked_up_on": "2026-11-15"}, headers=site["logistics"])
    client.post(f"{url}/receive", json={"received_on": "2026-11-15"}, headers=site["logistics"])
    return order["id"]


def test_the_takeback_services_close_a_received_order_once_every_device_is_settled(client, site):
    """Whoever records the steps (API, pages, a script), the order closes with its last settled device."""
    from daas.logistics import takeback
    from daas.logistics.models import ReturnOrder

    order_id = _receive(client, site, ["SN-0", "SN-1"])
    wipe = {**NIST_WIPE, "performed_by": "Jan de Vries"}
    for serial in ("SN-0", "SN-1"):
        takeback.wipe_device(serial, wipe, "tests")
        takeback.grade_device(serial, "B", "tests", policy=current_settings().end_of_term)
    takeback.dispose_device("SN-0", "refurbish", "tests")
    assert db.session.get(ReturnOrder, order_id).status == "received"  # SN-1 is not settled yet
    takeback.dispose_device("SN-1", "recycle", "tests")
    assert db.session.get(ReturnOrder, order_id).status == "closed"


def test_wipe_grade_and_redeploy_give_the_device_a_new_life(client, site):
    order_id = _receive(client, site, ["SN-0"])
    url = "/api/v1/devices/SN-0"
    body = assert_error(
        client.post(f"{url}/grade", json={"grade": "A"}, headers=site["logistics"]), 409, "status"
    )
    assert "received" in body["message"] and "wipe" in body["message"]
    certificate = client.post(f"{url}/wipe", json=NIST_WIPE, headers=site["logistics"])
    assert certificate.status_code == 201, certificate.get_json()
    assert {k: certificate.get_json()[k] for k in ("serial", "life", "method", "verified_by")} == {
        "serial": "SN-0",
        "life": 1,
        "method": "purge",
        "verified_by": "Inge Visser",
    }
    pdf = client.get(
        f"{url}/wipe-certificates/{certificate.get_json()['id']}.pdf", headers=site["customer_token"]
    )
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "SN-0" in text and "S4EWNX0R123456" in text and "Purge" in text and "Inge Visser" in text
    assert (
        client.post(f"{url}/grade", json={"grade": "A"}, headers=site["logistics"]).get_json()["status"]
        == "graded"
    )
    device = client.post(
        f"{url}/disposition", json={"disposition": "redeploy"}, headers=site["logistics"]
    ).get_json()
    assert (device["status"], device["lives"]) == ("in_stock", 1)
    assert (
        client.get(f"/api/v1/return-orders/{order_id}", headers=site["logistics"]).get_json()["status"]
        == "closed"
    )
    second = factories.contract(plan_code=site["plan"].code, start_date=date(2026, 1, 1))
    deployed = client.post(
        f"/api/v1/contracts/{second.id}/devices",
        json={"serial": "SN-0", "start_date": "2026-11-15"},
        headers=site["logistics"],
    )
    assert deployed.status_code == 201
    assert _device(client, site, "SN-0")["lives"] == 2


def test_recycling_needs_a_purge_or_destroy_wipe(client, site):
    _receive(client, site, ["SN-0", "SN-1"])
    client.post("/api/v1/devices/SN-0/wipe", json={**NIST_WIPE, "method": "clear"}, headers=site["logistics"])
    client.post("/api/v1/devices/SN-0/grade", json={"grade": "D"}, headers=site["logistics"])
    body = assert_error(
        client.post(
            "/api/v1/devices/SN-0/disposition", json={"disposition": "recycle"}, headers=site["logistics"]
        ),
        409,
        "wipe",
    )
    assert "clear" in body["message"]
    harvested = client.post(
        "/api/v1/devices/SN-0/disposition",
        headers=site["logistics"],
        json={
            "disposition": "harvest",
            "harvested_parts": [
                {"part": "battery", "weight_kg": "0.28"},
                {"part": "display", "weight_kg": "0.41"},
            ],
        },
    )
    assert harvested.get_json()["status"] == "harvested"
    client.post(
        "/api/v1/devices/SN-1/wipe", json={**NIST_WIPE, "method": "destroy"}, headers=site["logistics"]
    )
    client.post("/api/v1/devices/SN-1/grade", json={"grade": "D"}, headers=site["logistics"])
    assert (
        client.post(
            "/api/v1/devices/SN-1/disposition", json={"disposition": "recycle"}, headers=site["logistics"]
        ).get_json()["status"]
        == "recycled"
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/v1/dispositions.csv", headers=site["logistics"]).get_data(as_text=True)
            )
        )
    )
    assert [(r["serial"], r["disposition"], r["grade"], r["wipe_method"]) for r in rows] == [
        ("SN-0", "harvest", "D", "clear"),
        ("SN-1", "recycle", "D", "destroy"),
    ]
    assert "battery 0.28 kg" in rows[0]["detail"]


def test_refurbish_then_restock(client, site):
    _receive(client, site, ["SN-0"])
    for step, body in (
        ("wipe", NIST_WIPE),
        ("grade", {"grade": "B"}),
        ("disposition", {"disposition": "refurbish"}),
    ):
        client.post(f"/api/v1/devices/SN-0/{step}", json=body, headers=site["logistics"])
    assert _device(client, site, "SN-0")["status"] == "refurbishing"
    assert client.post("/api/v1/devices/SN-0/restock", json={}, headers=site["logistics"]).get_json()[
        "status"
    ] == ("in_stock")
    actions = [e["action"] for e in _device(client, site, "SN-0")["events"]]
    assert actions == [
        "register",
        "deploy",
        "schedule_return",
        "pick_up",
        "receive",
        "wipe",
        "grade",
        "refurbish",
        "restock",
    ]


def test_late_entered_events_stay_in_order(client, site):
    _receive(client, site, ["SN-0"])
    assert_error(
        client.post(
            "/api/v1/devices/SN-0/wipe", json={**NIST_WIPE, "on": "2026-11-01"}, headers=site["logistics"]
        ),
        422,
        "on",
    )
    assert (
        client.post(
            "/api/v1/devices/SN-0/wipe", json={**NIST_WIPE, "on": "2026-11-15"}, headers=site["logistics"]
        ).status_code
        == 201
    )


def test_a_lost_device_ends_its_deployment(client, site):
    device = client.post(
        "/api/v1/devices/SN-2/lost",
        json={"on": "2026-11-14", "note": "stolen from a car"},
        headers=site["logistics"],
    ).get_json()
    assert device["status"] == "lost" and device["allowed_actions"] == []
    end = db.session.scalar(select(Deployment.end_date).join(Device).where(Device.serial == "SN-2"))
    assert end == date(2026, 11, 14)


@pytest.mark.parametrize("state", STATES)
def test_every_illegal_step_is_a_409_naming_the_state_and_what_it_allows(database, today, state):
    device = factories.device()
    device.status = state
    db.session.flush()
    for action in TRANSITIONS:
        if action in allowed_actions(state):
            continue
        with pytest.raises(Conflict) as refused:
            transition_device(device, action, today, "tests")
        assert state in refused.value.message
        assert refused.value.errors["status"] == [
            f"The device is {state}; allowed: {', '.join(allowed_actions(state)) or 'none'}."
        ]


def test_the_calendar_feed_lists_scheduled_pickups(client, site):
    _slot(client, site, capacity=5)
    order = _order(client, site, ["SN-0", "SN-1"]).get_json()
    token = factories.token("logistics", scope="calendar")  # a feed link carries a calendar token
    feed = client.get(f"/api/v1/pickup-slots.ics?region={REGION}&token={token}")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    [event] = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
    assert event["uid"] == f"return-order-{order['id']}@daas"
    assert event.decoded("dtstart") == date(2026, 11, 20)
    assert "2 device(s)" in str(event["summary"]) and ADDRESS in str(event["location"])
    assert client.get(f"/api/v1/pickup-slots.ics?region={REGION}").status_code == 401
    customer_feed = factories.token("customer", site["customer"].id, scope="calendar")
    assert client.get(f"/api/v1/pickup-slots.ics?token={customer_feed}").status_code == 403


def test_return_orders_export(client, site):
    _slot(client, site, capacity=5)
    _order(client, site, ["SN-0", "SN-1"])
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get("/api/v1/return-orders/export.csv", headers=site["logistics"]).get_data(
                    as_text=True
                )
            )
        )
    )
    assert [(r["serial"], r["status"], r["pickup_date"]) for r in rows] == [
        ("SN-0", "scheduled", "2026-11-20"),
        ("SN-1", "scheduled", "2026-11-20"),
    ]
