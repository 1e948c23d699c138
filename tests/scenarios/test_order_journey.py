"""The way out, end to end through the API, as its users do it: a customer imports its people and orders a
laptop for each, the two orders over their allowance wait for the customer's approver, logistics
allocates (refurbished grade A first, oldest in stock first), packs with packaging, ships on two delivery
slots and delivers; the month's invoice counts device-days from each delivery day. Then one person leaves
and their laptop is collected from home, and a refresh replacement goes out by shipment, not by a direct
deployment; the month billed again counts exactly the days each device served."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.auth.services import create_token
from daas.billing.models import Invoice, InvoiceLine
from daas.contracts.models import Deployment
from daas.core import clock
from daas.core.periods import Period
from daas.devices.models import Device
from daas.extensions import db
from daas.logistics.models import RefreshOrder, ReturnOrder
from daas.logistics.refresh import plan_refreshes
from daas.logistics.rules import UpgradePolicy
from tests import factories
from tests.billing_helpers import bill
from tests.helpers import bearer

REGION = "NL-AMS"
SKU = "JOURNEY-LAPTOP"
NOVEMBER = Period.parse("2026-11")
PACKAGING = [{"material": "cardboard", "kg": "0.450"}, {"material": "moulded_pulp", "kg": "0.120"}]


def _people_csv() -> bytes:
    """20 people; the last two may spend 30.00 a month, less than a laptop (45.00): their orders wait."""
    rows = ["name,email,cost_centre,line1,line2,postcode,city,country,region,monthly_allowance"]
    for n in range(1, 21):
        allowance = "30.00" if n > 18 else "50.00"
        centre = "ENG" if n % 2 else "SALES"
        rows.append(
            f"Person {n:02d},person{n:02d}@journey.example,{centre},Keizersgracht {n},,1015 CJ,Amsterdam,NL,"
            f"{REGION},{allowance}"
        )
    return ("\n".join(rows) + "\n").encode()


@pytest.fixture
def world(client, database):
    with clock.frozen(date(2026, 11, 2)):
        factories.device_model(sku=SKU, expected_lifetime_months=48)
        plan = factories.plan(
            refresh_cycle_months=12,
            charges=[{"kind": "device_monthly", "unit_amount": Decimal("45.00")}],
        )
        customer = factories.customer(
            country="NL",
            pickup_region=REGION,
            pickup_address="Herengracht 500, 1017 CB Amsterdam",
            billing_address={
                "line1": "Herengracht 500",
                "postcode": "1017 CB",
                "city": "Amsterdam",
                "country": "NL",
            },
        )
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        # New laptops, in stock since September: longer than the refurbished ones below.
        new = [factories.device(SKU, serial=f"NEW-{n:02d}", on=date(2026, 9, 1)) for n in range(1, 23)]
        # Five refurbished grade A laptops back in stock in October, the oldest first, and a grade C one.
        refurbished = []
        for n, day in enumerate((3, 5, 7, 9, 11), start=1):
            refurbished.append(factories.device(SKU, serial=f"REFURB-A{n}", on=date(2026, 10, day)))
        worn = factories.device(SKU, serial="REFURB-C1", on=date(2026, 10, 1))
        for device, grade in [*((d, "A") for d in refurbished), (worn, "C")]:
            device.lives, device.grade = 1, grade
        # A laptop serving since January, due for refresh in January 2027.
        legacy = factories.device(SKU, serial="LEGACY-01", on=date(2025, 12, 1))
        db.session.flush()
        admin = bearer(factories.token("admin"))
        created = client.post(
            f"/api/v1/contracts/{contract.id}/devices",
            json={"serial": legacy.serial, "start_date": "2026-01-01"},
            headers=admin,
        )
        assert created.status_code == 201, created.get_json()
        approver = client.post(
            "/api/v1/users",
            json={
                "email": "approver@journey.example",
                "role": "customer",
                "customer_id": customer.id,
                "can_approve": True,
            },
            headers=admin,
        )
        assert approver.status_code == 201, approver.get_json()
        approver_token = create_token(approver.get_json()["id"], "tests")[1]
        logistics = bearer(factories.token("logistics"))
        for day in ("2026-11-09", "2026-11-10"):
            opened = client.post(
                "/api/v1/delivery-slots",
                json={"region": REGION, "date": day, "capacity": 10},
                headers=logistics,
            )
            assert opened.status_code == 201, opened.get_json()
    return {
        "contract": contract,
        "customer": customer,
        "customer_token": bearer(factories.token("customer", customer.id)),
        "approver": bearer(approver_token),
        "logistics": logistics,
        "admin": admin,
        "refurbished": [d.serial for d in refurbished],
        "new": [d.serial for d in new],
    }


def _device_days(contract_id: int) -> int:
    invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract_id))
    lines = db.session.scalars(
        select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id, InvoiceLine.kind == "device_monthly")
    ).all()
    return sum(int(line.quantity) for line in lines)


def test_people_order_allocate_ship_deliver_bill_offboard_and_replace(client, world):
    customer_token, logistics = world["customer_token"], world["logistics"]
    contract_id = world["contract"].id

    with clock.frozen(date(2026, 11, 2)):
        # -- the customer imports its people ------------------------------------------------------------
        imported = client.post(
            "/api/v1/people/import",
            data={"file": (io.BytesIO(_people_csv()), "people.csv")},
            headers=customer_token,
            content_type="multipart/form-data",
        )
        assert imported.status_code == 200, imported.get_json()
        assert imported.get_json() == {"created": 20, "updated": 0, "unchanged": 0, "refused": []}
        people = client.get("/api/v1/people?page_size=50", headers=customer_token).get_json()
        people = sorted(people, key=lambda person: person["email"])
        assert len(people) == 20 and {p["status"] for p in people} == {"active"}

        # -- 20 orders, one laptop each; the two over their allowance wait --------------------------------
        orders = []
        for person in people:
            placed = client.post(
                "/api/v1/orders",
                json={
                    "contract_id": contract_id,
                    "lines": [{"sku": SKU, "quantity": 1, "person_id": person["id"]}],
                    "requested_date": "2026-11-09",
                },
                headers=customer_token,
            )
            assert placed.status_code == 201, placed.get_json()
            orders.append(placed.get_json())
        statuses = [order["status"] for order in orders]
        assert statuses == ["approved"] * 18 + ["requested"] * 2
        assert orders[0]["address"]["line1"] == "Keizersgracht 1" and orders[0]["region"] == REGION

        waiting = [order["id"] for order in orders[18:]]
        refused = client.post(f"/api/v1/orders/{waiting[0]}/approve", headers=customer_token)
        assert refused.status_code == 403
        for order_id in waiting:
            approved = client.post(f"/api/v1/orders/{order_id}/approve", headers=world["approver"])
            assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
        twice = client.post(f"/api/v1/orders/{waiting[0]}/approve", headers=world["approver"])
        assert twice.status_code == 409

        # -- logistics allocates: the five grade A refurbished first, oldest in stock first ----------------
        serials = []
        for order in orders:
            allocated = client.post(f"/api/v1/orders/{order['id']}/allocate", headers=logistics)
            assert allocated.status_code == 200, allocated.get_json()
            body = allocated.get_json()
            assert body["status"] == "allocated"
            [line] = body["lines"]
            serials.append(line["serials"][0])
        assert serials[:5] == world["refurbished"]
        assert serials[5:] == world["new"][:15]
        assert "REFURB-C1" not in serials  # below the default lowest grade B

        # -- packed with packaging, on two delivery slots of ten ------------------------------------------
        shipments = []
        for order, serial in zip(orders, serials, strict=True):
            packed = client.post(
                "/api/v1/shipments",
                json={"order_id": order["id"], "serials": [serial], "packaging": PACKAGING},
                headers=logistics,
            )
            assert packed.status_code == 201, packed.get_json()
            shipments.append(packed.get_json())
        days = [shipment["delivery_date"] for shipment in shipments]
        assert days == ["2026-11-09"] * 10 + ["2026-11-10"] * 10
        slots = client.get(f"/api/v1/delivery-slots?region={REGION}", headers=logistics).get_json()
        assert [(slot["date"], slot["booked"]) for slot in slots] == [("2026-11-09", 10), ("2026-11-10", 10)]

        for n, shipment in enumerate(shipments):
            shipped = client.post(
                f"/api/v1/shipments/{shipment['id']}/ship",
                json={"carrier": "PostNL", "tracking": f"3SJRNY{n:04d}", "shipped_on": "2026-11-02"},
                headers=logistics,
            )
            assert shipped.status_code == 200 and shipped.get_json()["status"] == "shipped"
        assert Device.query.filter_by(serial=serials[0]).one().status == "in_transit_out"

    with clock.frozen(date(2026, 11, 10)):
        for shipment in shipments:
            delivered = client.post(
                f"/api/v1/shipments/{shipment['id']}/deliver",
                json={"delivered_on": shipment["delivery_date"], "received_by": "Reception"},
                headers=logistics,
            )
            assert delivered.status_code == 200, delivered.get_json()
        tracked = client.get(f"/api/v1/orders/{orders[0]['id']}", headers=customer_token).get_json()
        assert tracked["status"] == "delivered"
        deployments = {
            d.device.serial: d
            for d in db.session.scalars(select(Deployment).where(Deployment.contract_id == contract_id))
        }
        for person, serial, shipment in zip(people, serials, shipments, strict=True):
            assert deployments[serial].start_date.isoformat() == shipment["delivery_date"]
            assert deployments[serial].person_id == person["id"]
            assert deployments[serial].end_date is None
        assert Device.query.filter_by(serial=serials[0]).one().lives == 2  # a refurbished laptop's 2nd life

    # -- November's invoice counts device-days from each delivery day ----------------------------------
    with clock.frozen(date(2026, 12, 1)):
        bill(NOVEMBER)
    # ten delivered on the 9th (22 days), ten on the 10th (21 days), the legacy laptop all month (30)
    assert _device_days(contract_id) == 10 * 22 + 10 * 21 + 30

    # -- a person leaves: their laptop is collected from home -----------------------------------------
    leaver = people[0]
    with clock.frozen(date(2026, 11, 12)):
        opened = client.post(
            "/api/v1/pickup-slots",
            json={"region": REGION, "date": "2026-11-20", "capacity": 5},
            headers=logistics,
        )
        assert opened.status_code == 201
        offboarded = client.post(
            f"/api/v1/people/{leaver['id']}/offboard",
            json={"action": "return", "requested_date": "2026-11-20"},
            headers=customer_token,
        )
        assert offboarded.status_code == 200, offboarded.get_json()
        [return_id] = offboarded.get_json()["return_order_ids"]
        assert offboarded.get_json()["person"]["status"] == "leaving"
        home = db.session.get(ReturnOrder, return_id)
        assert home.reason == "offboarding" and "Keizersgracht 1" in home.address
        assert home.slot is not None and home.slot.date == date(2026, 11, 20)
    with clock.frozen(date(2026, 11, 20)):
        picked = client.post(
            f"/api/v1/return-orders/{return_id}/pickup",
            json={"picked_up_on": "2026-11-20"},
            headers=logistics,
        )
        assert picked.status_code == 200, picked.get_json()
        leaver_now = client.get(f"/api/v1/people/{leaver['id']}", headers=customer_token).get_json()
        assert leaver_now["status"] == "left"

    # -- a refresh replacement goes out by shipment -----------------------------------------------------
    with clock.frozen(date(2026, 11, 20)):
        plan_refreshes(date(2026, 11, 20), 60, UpgradePolicy(), 14)
        refresh = db.session.scalar(select(RefreshOrder).where(RefreshOrder.contract_id == contract_id))
        assert refresh is not None and db.session.get(Device, refresh.device_id).serial == "LEGACY-01"
        approved = client.post(
            f"/api/v1/refresh-orders/{refresh.id}/approve",
            json={"action": "replace", "replacement_sku": SKU},
            headers=customer_token,
        )
        assert approved.status_code == 200, approved.get_json()
        listed = client.get(f"/api/v1/orders?contract_id={contract_id}&page_size=50", headers=logistics)
        [replacement] = [order for order in listed.get_json() if order["refresh_order_id"] == refresh.id]
        assert replacement["status"] == "approved"
        completed_directly = client.post(
            f"/api/v1/refresh-orders/{refresh.id}/complete",
            json={"completed_on": "2026-11-20"},
            headers=logistics,
        )
        assert completed_directly.status_code == 409
        allocated = client.post(f"/api/v1/orders/{replacement['id']}/allocate", headers=logistics).get_json()
        [serial] = allocated["lines"][0]["serials"]
        assert serial == world["new"][15]  # the refurbished grade A ones are all out
        opened = client.post(
            "/api/v1/delivery-slots",
            json={"region": REGION, "date": "2026-11-25", "capacity": 3},
            headers=logistics,
        )
        assert opened.status_code == 201
        packed = client.post(
            "/api/v1/shipments",
            json={"order_id": replacement["id"], "serials": [serial], "reusable_box_id": "BOX-0042"},
            headers=logistics,
        ).get_json()
    with clock.frozen(date(2026, 11, 21)):
        fresh = client.post(
            "/api/v1/shipments",
            json={"order_id": replacement["id"], "serials": [serial], "reusable_box_id": "BOX-0042"},
            headers=logistics,
        )
        assert fresh.status_code == 422  # the device is packed already
        client.post(
            f"/api/v1/shipments/{packed['id']}/ship",
            json={"carrier": "PostNL", "tracking": "3SJRNYREPL"},
            headers=logistics,
        )
    with clock.frozen(date(2026, 11, 25)):
        delivered = client.post(
            f"/api/v1/shipments/{packed['id']}/deliver",
            json={"delivered_on": "2026-11-25", "received_by": "Person 05"},
            headers=logistics,
        )
        assert delivered.status_code == 200, delivered.get_json()
        db.session.expire_all()
        refresh = db.session.get(RefreshOrder, refresh.id)
        assert refresh.status == "completed" and refresh.completed_on == date(2026, 11, 25)
        assert db.session.get(Device, refresh.replacement_device_id).serial == serial
        assert db.session.get(Device, refresh.replacement_device_id).status == "deployed"

    # -- November billed again: the leaver's laptop stops on its pickup day, the replacement starts on its
    # delivery day (the legacy laptop still serves until it is picked up) ---------------------------------
    with clock.frozen(date(2026, 12, 1)):
        bill(NOVEMBER)
    leaver_days = 22 - 11  # delivered on the 9th, picked up on the 20th (not billed)
    assert _device_days(contract_id) == 9 * 22 + leaver_days + 10 * 21 + 30 + 6

    # -- the subscription's impact statement shows the packaging of its deliveries ------------------------
    with clock.frozen(date(2026, 12, 1)):
        statement = client.get(
            f"/api/v1/contracts/{contract_id}/impact?from=2026-11-01&to=2026-11-30", headers=customer_token
        ).get_json()
    assert statement["packaging"]["cardboard"] == "9.000"  # 20 shipments of 0.450 kg
    assert statement["packaging"]["moulded_pulp"] == "2.400"
    assert statement["packaging_kg"] == "11.400"
    assert statement["packaging_plastic_share"] == "0.0000"
    assert statement["reusable_boxes"] == 1
