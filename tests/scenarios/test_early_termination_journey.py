"""A contract ended early, end to end (billing.md "Contract changes"): the customer previews what ending on
2027-01-15 costs and may not confirm; finance confirms; the early-termination charge, 0.5 × 500.00 × 16
months = 4000.00, is billed once on November's invoice with VAT; the laptops still deployed are collected
on the termination day by their end-of-term return order; January bills up to that day and its prorated
minimum; after it nothing more is billed and the contract reads terminated. On SQLite and PostgreSQL
alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.billing.models import Invoice
from daas.contracts.models import Deployment
from daas.core import clock
from daas.core.periods import Period
from daas.extensions import db
from tests import factories
from tests.billing_helpers import bill, finalize_run
from tests.helpers import bearer

D = Decimal
REGION = "NL-NH"


def _post(client: Any, url: str, body: Any, headers: dict[str, str], status: int = 200) -> Any:
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == status, (url, response.get_json())
    return response.get_json()


def _lines(contract_id: int, period: str) -> list[tuple[str, Decimal]] | None:
    invoice = db.session.scalar(
        select(Invoice)
        .where(Invoice.contract_id == contract_id, Invoice.period == period)
        .execution_options(populate_existing=True)
    )
    if invoice is None:
        return None
    db.session.refresh(invoice, ["lines"])
    return [(line.kind, line.amount) for line in invoice.lines]


def _totals(contract_id: int, period: str) -> tuple[Decimal, Decimal, Decimal]:
    invoice = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract_id, Invoice.period == period)
    )
    return invoice.subtotal, invoice.tax_amount, invoice.total


def _month(period: str, billed_on: date) -> None:
    with clock.frozen(billed_on):
        finalize_run(bill(Period.parse(period)).id)


def test_a_contract_ended_early_is_charged_once_and_its_devices_come_home(client, database):
    finance = bearer(factories.token("finance"))
    logistics = bearer(factories.token("logistics"))
    with clock.frozen(date(2026, 11, 15)):
        laptop = factories.device_model(sku=factories.unique("LAT"))
        customer = factories.customer(pickup_region=REGION, pickup_address="Keizersgracht 1, Amsterdam")
        customer_token = bearer(factories.token("customer", customer.id))
        plan = factories.plan(minimum_monthly_amount=D("500.00"))
        contract = factories.contract(customer.id, plan.code, date(2025, 6, 1), end_date=date(2028, 6, 1)).id
        for serial in ("SN-A", "SN-B"):
            factories.device(laptop.sku, serial=serial)
            _post(
                client,
                f"/api/v1/contracts/{contract}/devices",
                {"serial": serial, "start_date": "2026-02-01"},
                logistics,
                201,
            )
        _post(
            client,
            "/api/v1/pickup-slots",
            {"region": REGION, "date": "2027-01-15", "capacity": 5},
            logistics,
            201,
        )

        url = f"/api/v1/contracts/{contract}/terminate"
        preview = _post(client, url, {"end_date": "2027-01-15"}, customer_token)
        assert (preview["remaining_months"], preview["basis"], preview["minimum"], preview["amount"]) == (
            16,
            "minimum",
            "500.00",
            "4000.00",
        )
        _post(client, f"{url}?confirm=true", {"end_date": "2027-01-15"}, customer_token, 403)
        ended = _post(client, f"{url}?confirm=true", {"end_date": "2027-01-15"}, finance)
        assert (ended["end_date"], ended["terminated_on"], ended["status"], ended["amount"]) == (
            "2027-01-15",
            "2027-01-15",
            "active",  # until its last day
            "4000.00",
        )
        [order] = client.get(f"/api/v1/return-orders?contract_id={contract}", headers=logistics).get_json()
        assert (order["reason"], order["status"], order["pickup_date"], sorted(order["serials"])) == (
            "end_of_term",
            "scheduled",
            "2027-01-15",
            ["SN-A", "SN-B"],
        )

    _month("2026-11", date(2026, 12, 1))
    # 2 × 39.00 with the true-up to the 500.00 minimum, and the charge outside it; 21 % VAT on 4500.00.
    assert _lines(contract, "2026-11") == [
        ("device_monthly", D("78.00")),
        ("minimum_true_up", D("422.00")),
        ("one_off", D("4000.00")),
    ]
    assert _totals(contract, "2026-11") == (D("4500.00"), D("945.00"), D("5445.00"))
    _month("2026-12", date(2027, 1, 1))
    assert _lines(contract, "2026-12") == [("device_monthly", D("78.00")), ("minimum_true_up", D("422.00"))]

    with clock.frozen(date(2027, 1, 15)):
        _post(
            client, f"/api/v1/return-orders/{order['id']}/pickup", {"picked_up_on": "2027-01-15"}, logistics
        )
    ends = db.session.scalars(select(Deployment.end_date).where(Deployment.contract_id == contract)).all()
    assert ends == [date(2027, 1, 15), date(2027, 1, 15)]

    _month("2027-01", date(2027, 2, 1))
    # 1 to 14 January: 2 laptops × 14 days of 31 at 39.00 = 35.23; the minimum prorated, 500.00 × 14 / 31.
    assert _lines(contract, "2027-01") == [("device_monthly", D("35.23")), ("minimum_true_up", D("190.58"))]
    _month("2027-02", date(2027, 3, 1))
    assert _lines(contract, "2027-02") is None
    with clock.frozen(date(2027, 2, 1)):
        shown = client.get(f"/api/v1/contracts/{contract}", headers=customer_token).get_json()
    assert (shown["status"], shown["end_date"]) == ("terminated", "2027-01-15")
