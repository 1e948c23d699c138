"""Ending a contract early (billing.md "Contract changes"): `POST /contracts/<id>/terminate` previews the
charge, `share × minimum × remaining whole months` from T to the end date, the minimum that of the plan in
force the day before T, or without a minimum the monthly amounts of the devices deployed that day; it
changes nothing. `?confirm=true` (admin, finance) ends the contract on T, adds the pending
early_termination charge, billed once on the next invoice with VAT, and puts the devices still deployed
on an end-of-term return order for T. Confirming again is a 409; the customer previews but may not
confirm."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from daas.billing.models import Invoice
from daas.charges.models import OneOffCharge
from daas.contracts.models import Contract, ContractPlan
from daas.core import clock
from daas.core.periods import Period
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics.models import ReturnOrder, ReturnOrderDevice
from daas.logistics.slots import create_slot
from tests import factories
from tests.billing_helpers import NOVEMBER, bill, deploy, finalize_run
from tests.helpers import assert_error, bearer

D = Decimal
REGION = "NL-NH"
T = "2027-01-15"


@pytest.fixture
def world(database, today) -> dict[str, Any]:
    """A customer with a pickup address, on a plan with a 500.00 minimum from 2025-06-01 to 2028-06-01,
    two laptops deployed since 2026-02-01, and a pickup slot on T."""
    customer = factories.customer(pickup_region=REGION, pickup_address="Keizersgracht 1, Amsterdam")
    plan = factories.plan(minimum_monthly_amount=D("500.00"))
    contract = factories.contract(customer.id, plan.code, date(2025, 6, 1), end_date=date(2028, 6, 1))
    laptops = [deploy(contract, date(2026, 2, 1)) for _ in range(2)]
    create_slot(REGION, date(2027, 1, 15), 5)
    return {
        "customer": customer,
        "plan": plan,
        "contract": contract,
        "serials": sorted(device.serial for device in laptops),
        "finance": bearer(factories.token("finance")),
        "admin": bearer(factories.token("admin")),
        "customer_token": bearer(factories.token("customer", customer.id)),
    }


def _terminate(client, world, headers=None, confirm=False, end_date=T, contract_id=None):
    query = "?confirm=true" if confirm else ""
    return client.post(
        f"/api/v1/contracts/{contract_id or world['contract'].id}/terminate{query}",
        json={"end_date": end_date},
        headers=headers or world["finance"],
    )


def _rows(contract_id: int) -> dict[str, Any]:
    """What a termination could change, counted."""
    contract = db.session.scalar(
        select(Contract).where(Contract.id == contract_id).execution_options(populate_existing=True)
    )

    def count(model: Any, *where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "contract": (contract.end_date, contract.terminated_on, contract.plan_id),
        "plans": count(ContractPlan, ContractPlan.contract_id == contract_id),
        "charges": count(OneOffCharge, OneOffCharge.contract_id == contract_id),
        "return_orders": count(ReturnOrder, ReturnOrder.contract_id == contract_id),
        "custody_events": count(CustodyEvent),
    }


def _preview(contract_id: int, **changes: Any) -> dict[str, Any]:
    return {
        "contract_id": contract_id,
        "end_date": T,
        "currency": "EUR",
        "remaining_months": 16,
        "share": "0.5",
        "basis": "minimum",
        "minimum": "500.00",
        "amount": "4000.00",
        **changes,
    }


def test_the_preview_charges_half_the_minimum_of_the_months_left_and_changes_nothing(client, world):
    contract_id = world["contract"].id
    before = _rows(contract_id)
    previewed = _terminate(client, world)
    assert previewed.status_code == 200, previewed.get_json()
    # 2027-01-15 to 2028-06-01: 16 whole months; 0.5 × 500.00 × 16.
    assert previewed.get_json() == _preview(contract_id)
    assert _rows(contract_id) == before
    assert _terminate(client, world, world["admin"]).get_json() == _preview(contract_id)


def test_without_a_minimum_the_basis_is_what_the_devices_deployed_the_day_before_cost(client, world):
    laptop, monitor = factories.device_model(), factories.device_model(category="monitor")
    plan = factories.plan(
        charges=[
            {"kind": "device_monthly", "unit_amount": D("39.00"), "device_model_sku": laptop.sku},
            {"kind": "device_monthly", "unit_amount": D("12.50"), "device_model_sku": monitor.sku},
        ]
    )
    contract = factories.contract(
        world["customer"].id, plan.code, date(2025, 6, 1), end_date=date(2028, 6, 1)
    )
    for sku in (laptop.sku, laptop.sku, monitor.sku):
        deploy(contract, date(2026, 2, 1), sku=sku)
    deploy(contract, date(2026, 2, 1), date(2026, 10, 1), sku=laptop.sku)  # back before: not counted
    previewed = _terminate(client, world, contract_id=contract.id)
    assert previewed.status_code == 200, previewed.get_json()
    # 2 × 39.00 + 12.50 = 90.50 a month; 0.5 × 90.50 × 16 = 724.00.
    assert previewed.get_json() == _preview(contract.id, basis="devices", minimum="90.50", amount="724.00")


def test_the_minimum_is_that_of_the_plan_in_force_the_day_before(client, world):
    contract_id = world["contract"].id
    pro = factories.plan(minimum_monthly_amount=D("700.00"))
    big = factories.plan(minimum_monthly_amount=D("900.00"))
    for body in (
        {"plan_code": pro.code, "from": "2026-12-01", "minimum_monthly_amount": "650.00"},
        {"plan_code": big.code, "from": T},  # takes effect on T itself: never in force
    ):
        changed = client.post(
            f"/api/v1/contracts/{contract_id}/plan-changes", json=body, headers=world["finance"]
        )
        assert changed.status_code == 201, changed.get_json()
    # pro with the change's own minimum, 650.00, is in force on 2027-01-14: 0.5 × 650.00 × 16.
    assert _terminate(client, world).get_json() == _preview(contract_id, minimum="650.00", amount="5200.00")
    confirmed = _terminate(client, world, confirm=True).get_json()
    assert (confirmed["amount"], confirmed["plan_code"]) == ("5200.00", world["plan"].code)
    assert [(p["plan_code"], p["from"], p["to"]) for p in confirmed["plans"]] == [
        (world["plan"].code, "2025-06-01", "2026-12-01"),
        (pro.code, "2026-12-01", None),  # the change from T is dropped with the days it was for
    ]


def test_confirming_ends_the_contract_charges_it_and_collects_its_devices(client, world):
    contract_id = world["contract"].id
    confirmed = _terminate(client, world, confirm=True)
    assert confirmed.status_code == 200, confirmed.get_json()
    body = confirmed.get_json()
    assert {key: body[key] for key in _preview(contract_id)} == _preview(contract_id)
    assert (body["id"], body["terminated_on"], body["status"]) == (contract_id, T, "active")
    charge = db.session.get(OneOffCharge, body["charge_id"])
    assert (
        charge.kind,
        charge.status,
        charge.amount,
        charge.charge_on,
        charge.idempotency_key,
        charge.description,
    ) == (
        "early_termination",
        "pending",
        D("4000.00"),
        date(2026, 11, 15),  # confirmed before T: on the next invoice, not the last one
        f"early-termination-{contract_id}",
        "Early termination on 2027-01-15: 50% of 500.00 EUR minimum a month × 16 remaining months",
    )
    [order] = db.session.scalars(select(ReturnOrder).where(ReturnOrder.contract_id == contract_id))
    serials = db.session.scalars(
        select(Device.serial)
        .join(ReturnOrderDevice, ReturnOrderDevice.device_id == Device.id)
        .where(ReturnOrderDevice.return_order_id == order.id)
        .order_by(Device.serial)
    ).all()
    assert (order.reason, order.requested_date, order.status, order.slot.date, order.region) == (
        "end_of_term",
        date(2027, 1, 15),
        "scheduled",
        date(2027, 1, 15),
        REGION,
    )
    assert list(serials) == world["serials"]
    statuses = db.session.scalars(select(Device.status).where(Device.serial.in_(serials))).all()
    assert set(statuses) == {"return_scheduled"}

    again = assert_error(_terminate(client, world, confirm=True), 409, "status")
    assert "already terminated on 2027-01-15" in again["message"]
    assert_error(_terminate(client, world), 409, "status")  # nothing left to preview
    assert db.session.scalar(select(func.count()).where(OneOffCharge.contract_id == contract_id)) == 1


def test_the_charge_is_billed_once_on_the_next_invoice_with_vat(client, world):
    contract_id = world["contract"].id
    charge_id = _terminate(client, world, confirm=True).get_json()["charge_id"]
    with clock.frozen(date(2026, 12, 1)):
        finalize_run(bill(NOVEMBER).id)
    november = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract_id, Invoice.period == "2026-11")
    )
    lines = [(line.kind, line.amount, line.charge_id) for line in november.lines]
    assert lines == [
        ("device_monthly", D("39.00"), None),
        ("device_monthly", D("39.00"), None),
        ("minimum_true_up", D("422.00"), None),
        ("one_off", D("4000.00"), charge_id),  # outside the minimum
    ]
    # 21 % VAT on 4500.00.
    assert (november.subtotal, november.tax_amount, november.total) == (
        D("4500.00"),
        D("945.00"),
        D("5445.00"),
    )
    charge = db.session.get(OneOffCharge, charge_id)
    db.session.refresh(charge)
    assert (charge.status, charge.invoice_id) == ("billed", november.id)
    with clock.frozen(date(2027, 1, 2)):
        bill(Period.parse("2026-12"))
    december = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract_id, Invoice.period == "2026-12")
    )
    assert [line.kind for line in december.lines] == ["device_monthly", "device_monthly", "minimum_true_up"]


def test_ending_on_the_end_date_costs_nothing_and_adds_no_charge(client, world):
    contract_id = world["contract"].id
    previewed = _terminate(client, world, end_date="2028-06-01").get_json()
    assert previewed == _preview(contract_id, end_date="2028-06-01", remaining_months=0, amount="0.00")
    confirmed = _terminate(client, world, confirm=True, end_date="2028-06-01").get_json()
    assert (confirmed["charge_id"], confirmed["terminated_on"]) == (None, "2028-06-01")
    assert _rows(contract_id)["charges"] == 0


def test_an_end_date_outside_the_contract_is_refused_and_changes_nothing(client, world):
    contract_id = world["contract"].id
    before = _rows(contract_id)
    for end_date in ("2025-06-01", "2025-05-31", "2028-06-02"):
        for confirm in (False, True):
            response = _terminate(client, world, confirm=confirm, end_date=end_date)
            body = assert_error(response, 422, "end_date")
            assert "after 2025-06-01 and at most 2028-06-01" in body["errors"]["end_date"][0]
    assert_error(
        client.post(f"/api/v1/contracts/{contract_id}/terminate", json={}, headers=world["finance"]),
        422,
        "end_date",
    )
    assert _rows(contract_id) == before


def test_the_customer_previews_its_own_contract_but_may_not_confirm(client, world):
    contract_id = world["contract"].id
    token = world["customer_token"]
    previewed = _terminate(client, world, token)
    assert previewed.status_code == 200, previewed.get_json()
    assert previewed.get_json() == _preview(contract_id)
    before = _rows(contract_id)
    assert_error(_terminate(client, world, token, confirm=True), 403)
    assert _rows(contract_id) == before
    theirs = factories.contract(plan_code=world["plan"].code, start_date=date(2026, 1, 1))
    assert_error(_terminate(client, world, token, contract_id=theirs.id), 404)
    logistics = bearer(factories.token("logistics"))
    assert_error(_terminate(client, world, logistics), 403)


def test_a_customer_without_a_pickup_address_cannot_end_a_contract_with_devices_on_it(client, world):
    customer = factories.customer()
    contract = factories.contract(customer.id, world["plan"].code, date(2025, 6, 1))
    serial = deploy(contract, date(2026, 2, 1)).serial
    before = _rows(contract.id)
    refused = assert_error(
        _terminate(client, world, confirm=True, contract_id=contract.id), 409, "pickup_address"
    )
    assert (
        f"has no pickup address, and devices are still deployed on contract {contract.id}: {serial}"
        in (refused["message"])
    )
    assert _rows(contract.id) == before


def test_a_confirmation_sent_again_with_its_idempotency_key_is_answered_again(client, world):
    headers = {**world["finance"], "Idempotency-Key": "terminate-1"}
    first = _terminate(client, world, headers, confirm=True)
    again = _terminate(client, world, headers, confirm=True)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert _rows(world["contract"].id)["charges"] == 1
    assert_error(_terminate(client, world, headers, end_date="2027-02-01", confirm=True), 422)
