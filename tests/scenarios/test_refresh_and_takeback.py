"""The refresh planner and the circular journey: a device is proposed for refresh, replaced, picked up,
wiped, graded and redeployed to a second customer, with its chain of custody complete and its billing
stopped on the pickup day. And fifty bookings racing for ten places on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.billing.models import Invoice, InvoiceLine
from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.errors import Conflict
from daas.core.periods import Period
from daas.devices.models import Device
from daas.extensions import db
from daas.logistics import slots
from daas.logistics.models import PickupSlot, RefreshOrder, ReturnOrder
from daas.logistics.refresh import plan_refreshes
from daas.logistics.rules import UpgradePolicy
from tests import factories
from tests.billing_helpers import bill
from tests.helpers import assert_error, bearer

REGION = "DE-BE"
ADDRESS = "Friedrichstrasse 100, 10117 Berlin"
POLICY = UpgradePolicy(min_battery=80, extension_months=12)
NIST_WIPE = {
    "method": "purge",
    "standard": "NIST SP 800-88 Rev. 1",
    "tool": "Blancco",
    "verified_by": "K. Braun",
}


@pytest.fixture
def fleet(database):
    """A 24-month refresh cycle; two laptops deployed 2025-01-15 (due 2027-01-15): a healthy one and a
    worn one; a spare in stock."""
    with clock.frozen(date(2026, 11, 15)):
        model = factories.device_model(sku="DELL-LAT-7430", expected_lifetime_months=60)
        plan = factories.plan(
            refresh_cycle_months=24,
            term_months=48,
            charges=[{"kind": "device_monthly", "unit_amount": Decimal("44.00")}],
        )
        customer = factories.customer(
            pickup_region=REGION,
            pickup_address=ADDRESS,
            country="DE",
            vat_id="DE136695976",
            address_line1="Friedrichstrasse 100",
            postcode="10117",
            city="Berlin",
        )
        contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
        healthy = factories.device(
            model.sku,
            serial="HEALTHY",
            manufactured_on=date(2024, 10, 1),
            battery_health=91,
            on=date(2024, 12, 1),
        )
        worn = factories.device(
            model.sku,
            serial="WORN",
            manufactured_on=date(2024, 10, 1),
            battery_health=64,
            on=date(2024, 12, 1),
        )
        for device in (healthy, worn):
            deploy_device(contract.id, device.serial, date(2025, 1, 15), "tests")
        factories.device(
            model.sku,
            serial="SPARE",
            manufactured_on=date(2026, 6, 1),
            battery_health=100,
            on=date(2026, 7, 1),
        )
    return {
        "contract": contract,
        "customer": customer,
        "plan": plan,
        "customer_token": bearer(factories.token("customer", customer.id)),
        "logistics": bearer(factories.token("logistics")),
    }


def test_the_planner_proposes_upgrade_or_replace_with_a_reason_and_opens_nothing_twice(fleet):
    assert plan_refreshes(date(2026, 11, 1), 60, POLICY, 14).refresh_orders == []  # due 2027-01-15: too far
    report = plan_refreshes(date(2026, 11, 20), 60, POLICY, 14)
    orders = {o.device_id: o for o in db.session.scalars(select(RefreshOrder))}
    assert len(report.refresh_orders) == 2
    by_action = {o.proposed_action: o for o in orders.values()}
    assert by_action["upgrade"].due_date == date(2027, 1, 15)
    assert "battery 91%" in by_action["upgrade"].reason
    assert "battery health 64% is below 80%" in by_action["replace"].reason
    again = plan_refreshes(date(2026, 11, 21), 60, POLICY, 14)
    assert again.refresh_orders == [] and db.session.scalar(select(func.count(RefreshOrder.id))) == 2


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"grade": "C"}, "last graded C"),
        ({"manufactured_on": date(2022, 1, 1)}, "beyond the model's expected 60"),
        ({"battery_health": None}, "battery health unknown"),
    ],
)
def test_a_worn_old_or_unknown_device_is_replaced(fleet, change, reason):
    healthy = db.session.scalar(select(Device).where(Device.serial == "HEALTHY"))
    for name, value in change.items():
        setattr(healthy, name, value)
    db.session.flush()
    plan_refreshes(date(2026, 11, 20), 60, POLICY, 14)
    order = db.session.scalar(select(RefreshOrder).where(RefreshOrder.device_id == healthy.id))
    assert order.proposed_action == "replace"
    assert reason in order.reason


def test_an_upgrade_moves_the_next_due_date(client, fleet):
    with clock.frozen(date(2026, 11, 20)):
        plan_refreshes(date(2026, 11, 20), 60, POLICY, 14)
        [upgrade] = [
            o
            for o in client.get("/api/v1/refresh-orders", headers=fleet["customer_token"]).get_json()
            if o["proposed_action"] == "upgrade"
        ]
        approved = client.post(
            f"/api/v1/refresh-orders/{upgrade['id']}/approve",
            json={"action": "upgrade"},
            headers=fleet["customer_token"],
        )
        assert approved.get_json()["status"] == "approved"
        done = client.post(
            f"/api/v1/refresh-orders/{upgrade['id']}/complete",
            json={"completed_on": "2026-11-20", "kit": "battery"},
            headers=fleet["logistics"],
        )
        assert done.get_json()["status"] == "completed"
    device = client.get("/api/v1/devices/HEALTHY", headers=fleet["logistics"]).get_json()
    assert (device["status"], device["events"][-1]["action"]) == ("deployed", "upgrade")
    # Due again only 12 months later: 2028-01-15, so nothing is planned before that comes near.
    assert plan_refreshes(date(2027, 10, 1), 60, POLICY, 14).refresh_orders == []
    assert len(plan_refreshes(date(2027, 11, 20), 60, POLICY, 14).refresh_orders) == 1


def test_reschedule_and_illegal_refresh_steps(client, fleet):
    with clock.frozen(date(2026, 11, 20)):
        plan_refreshes(date(2026, 11, 20), 60, POLICY, 14)
        order = client.get("/api/v1/refresh-orders?status=open", headers=fleet["customer_token"]).get_json()[
            0
        ]
        url = f"/api/v1/refresh-orders/{order['id']}"
        moved = client.post(
            f"{url}/reschedule", json={"due_date": "2027-02-01"}, headers=fleet["customer_token"]
        )
        assert moved.get_json()["due_date"] == "2027-02-01"
        assert_error(
            client.post(f"{url}/complete", json={"completed_on": "2026-11-20"}, headers=fleet["logistics"]),
            409,
            "status",
        )
        assert_error(
            client.post(
                f"{url}/approve",
                json={"action": "upgrade", "replacement_sku": "X"},
                headers=fleet["customer_token"],
            ),
            422,
            "replacement_sku",
        )
        client.post(f"{url}/approve", json={"action": "upgrade"}, headers=fleet["customer_token"])
        assert_error(
            client.post(f"{url}/approve", json={"action": "upgrade"}, headers=fleet["customer_token"]),
            409,
            "status",
        )


def test_contracts_ending_within_the_lead_time_get_end_of_term_returns(client, database):
    with clock.frozen(date(2026, 11, 15)):
        plan = factories.plan(term_months=12, refresh_cycle_months=36)
        customer = factories.customer(pickup_region=REGION, pickup_address=ADDRESS)
        bare = factories.customer()  # no pickup address: reported, not guessed
        ending = factories.contract(customer.id, plan.code, date(2026, 1, 1))  # ends 2027-01-01
        unaddressed = factories.contract(bare.id, plan.code, date(2026, 1, 1))
        for contract in (ending, unaddressed):
            device = factories.device()
            deploy_device(contract.id, device.serial, date(2026, 1, 10), "tests")
        factories.contract(customer.id, plan.code, date(2026, 6, 1))  # ends later: left alone
        report = plan_refreshes(date(2026, 11, 15), 60, POLICY, 14)
    assert len(report.end_of_term_orders) == 1 and len(report.skipped) == 1
    order = db.session.get(ReturnOrder, report.end_of_term_orders[0])
    assert (order.reason, order.contract_id, order.requested_date, order.status) == (
        "end_of_term",
        ending.id,
        date(2027, 1, 1),
        "requested",
    )
    with clock.frozen(date(2026, 11, 16)):
        assert plan_refreshes(date(2026, 11, 16), 60, POLICY, 14).end_of_term_orders == []


def test_the_circular_journey_to_a_second_customer(client, fleet):
    """Proposed, approved (replace: an order for the replacement, whose delivery completes the refresh, so
    it is not completed by hand), the spare held for it, old device picked up (billing stops that day),
    received, wiped, graded, redeployed to another customer: every step on the chain of custody."""
    logistics, customer = fleet["logistics"], fleet["customer_token"]
    with clock.frozen(date(2026, 11, 20)):
        client.post(
            "/api/v1/pickup-slots",
            json={"region": REGION, "date": "2027-01-15", "capacity": 4},
            headers=logistics,
        )
        plan_refreshes(date(2026, 11, 20), 60, POLICY, 14)
        [worn] = [
            o
            for o in client.get("/api/v1/refresh-orders", headers=customer).get_json()
            if o["serial"] == "WORN"
        ]
        assert worn["proposed_action"] == "replace"
        approved = client.post(
            f"/api/v1/refresh-orders/{worn['id']}/approve", json={"action": "replace"}, headers=customer
        ).get_json()
        return_order = client.get(
            f"/api/v1/return-orders/{approved['return_order_id']}", headers=customer
        ).get_json()
        assert (return_order["reason"], return_order["status"], return_order["pickup_date"]) == (
            "refresh",
            "scheduled",
            "2027-01-15",
        )
        [replacement] = client.get("/api/v1/orders", headers=customer).get_json()
        assert (replacement["status"], replacement["refresh_order_id"], replacement["requested_date"]) == (
            "approved",
            worn["id"],
            "2027-01-15",
        )
        assert replacement["address"]["line1"] == "Friedrichstrasse 100"  # WORN serves no one: the customer's
        allocated = client.post(f"/api/v1/orders/{replacement['id']}/allocate", headers=logistics).get_json()
        assert allocated["lines"] == [
            {"sku": "DELL-LAT-7430", "quantity": 1, "person_id": None, "serials": ["SPARE"]}
        ]
    with clock.frozen(date(2027, 1, 15)):
        completed = client.post(
            f"/api/v1/refresh-orders/{worn['id']}/complete",
            json={"completed_on": "2027-01-15"},
            headers=logistics,
        )
        assert_error(completed, 409, "status")
        url = f"/api/v1/return-orders/{return_order['id']}"
        client.post(f"{url}/pickup", json={"picked_up_on": "2027-01-15", "carrier": "DHL"}, headers=logistics)
    with clock.frozen(date(2027, 1, 18)):
        client.post(f"{url}/receive", json={"received_on": "2027-01-18"}, headers=logistics)
        client.post("/api/v1/devices/WORN/wipe", json=NIST_WIPE, headers=logistics)
        client.post("/api/v1/devices/WORN/grade", json={"grade": "B"}, headers=logistics)
        client.post("/api/v1/devices/WORN/disposition", json={"disposition": "redeploy"}, headers=logistics)
        second = factories.contract(plan_code=fleet["plan"].code, start_date=date(2027, 1, 1))
        assert (
            client.post(
                f"/api/v1/contracts/{second.id}/devices",
                json={"serial": "WORN", "start_date": "2027-01-19"},
                headers=logistics,
            ).status_code
            == 201
        )

    device = client.get("/api/v1/devices/WORN", headers=logistics).get_json()
    assert (device["status"], device["lives"], device["contract_id"]) == ("deployed", 2, second.id)
    assert [(e["action"], e["from_status"], e["to_status"]) for e in device["events"]] == [
        ("register", None, "in_stock"),
        ("deploy", "in_stock", "deployed"),
        ("schedule_return", "deployed", "return_scheduled"),
        ("pick_up", "return_scheduled", "in_transit"),
        ("receive", "in_transit", "received"),
        ("wipe", "received", "wiped"),
        ("grade", "wiped", "graded"),
        ("redeploy", "graded", "in_stock"),
        ("deploy", "in_stock", "deployed"),
    ]
    spare = client.get("/api/v1/devices/SPARE", headers=logistics).get_json()
    assert spare["status"] == "allocated"  # held for the replacement order until it is shipped
    assert client.get(f"{url}", headers=logistics).get_json()["status"] == "closed"
    # January 2027 on the first contract: WORN to the 15th (14 days), HEALTHY all month; SPARE is billed from
    # the day its shipment is delivered, which this journey does not reach.
    with clock.frozen(date(2027, 2, 2)):
        bill(Period.parse("2027-01"))
    quantity = db.session.scalar(
        select(InvoiceLine.quantity)
        .join(Invoice)
        .where(Invoice.contract_id == fleet["contract"].id, Invoice.period == "2027-01")
    )
    assert quantity == 14 + 31
    worn_deployment = db.session.scalar(
        select(Deployment.end_date).where(
            Deployment.contract_id == fleet["contract"].id,
            Deployment.device_id
            == db.session.scalar(select(Deployment.device_id).where(Deployment.contract_id == second.id)),
        )
    )
    assert worn_deployment == date(2027, 1, 15)


@pytest.mark.postgres
def test_fifty_concurrent_bookings_of_ten_places(committed):
    app = committed
    with app.app_context():
        slot = slots.create_slot("NL-ZH", date(2026, 12, 1), 10)
        db.session.commit()
        slot_id = slot.id
    barrier = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book() -> None:
        with app.app_context():
            barrier.wait()
            try:
                slots.book_on("NL-ZH", date(2026, 12, 1))
                db.session.commit()
                result = "booked"
            except Conflict:
                db.session.rollback()
                result = "409"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=book) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert (outcomes.count("booked"), outcomes.count("409")) == (10, 40)
    with app.app_context():
        assert db.session.get(PickupSlot, slot_id).booked == 10
