"""A contract renewed onto a new plan, end to end, as finance does it: the contract ends on 2027-01-01;
finance extends it by 12 months onto a dearer plan from its old end date; December 2026 is billed on the
old plan, January 2027 on the new one, and the contract goes on past its old end. A second contract renews
itself (renews on, the daily round) and goes on billing after its old end date, on the plan it was on.
On SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from daas.core import clock
from daas.core.periods import Period
from daas.usecases.contracts import renew_due_contracts
from tests import factories
from tests.billing_helpers import bill, deploy
from tests.helpers import bearer

D = Decimal
DECEMBER, JANUARY = Period.parse("2026-12"), Period.parse("2027-01")


def _invoice_lines(client, finance, contract_id: int, period: Period) -> list[tuple[str, str]]:
    [found] = client.get(
        f"/api/v1/invoices?period={period}&contract_id={contract_id}", headers=finance
    ).get_json()
    invoice = client.get(f"/api/v1/invoices/{found['id']}", headers=finance).get_json()
    return [(line["description"], line["amount"]) for line in invoice["lines"]]


def test_a_contract_extended_onto_a_new_plan_bills_each_plan_in_its_months(client, database, tokens):
    finance = bearer(tokens["finance"])
    customer = factories.customer(document_language="en")
    std = factories.plan(
        code=factories.unique("std"), charges=[{"kind": "device_monthly", "unit_amount": D("39.00")}]
    )
    pro = factories.plan(
        code=factories.unique("pro"), charges=[{"kind": "device_monthly", "unit_amount": D("49.00")}]
    )
    laptop = factories.device_model(manufacturer="Dell", name="Latitude 5440")
    contract = factories.contract(customer.id, std.code, date(2024, 1, 1), end_date=date(2027, 1, 1))
    deploy(contract, date(2026, 6, 1), sku=laptop.sku)
    deploy(contract, date(2026, 6, 1), sku=laptop.sku)

    with clock.frozen(date(2026, 12, 10)):
        extended = client.post(
            f"/api/v1/contracts/{contract.id}/extend",
            json={"months": 12, "plan_code": pro.code},
            headers=finance,
        )
        assert extended.status_code == 200, extended.get_json()
        shown = extended.get_json()
    assert shown["end_date"] == "2028-01-01"
    assert [(p["plan_code"], p["from"], p["to"]) for p in shown["plans"]] == [
        (std.code, "2024-01-01", "2027-01-01"),
        (pro.code, "2027-01-01", None),
    ]
    assert shown["plan_code"] == std.code  # in force on 2026-12-10

    with clock.frozen(date(2027, 2, 1)):
        bill(DECEMBER)
        bill(JANUARY)
        december = _invoice_lines(client, finance, contract.id, DECEMBER)
        january = _invoice_lines(client, finance, contract.id, JANUARY)
        status = client.get(f"/api/v1/contracts/{contract.id}", headers=finance).get_json()
    assert december == [("Dell Latitude 5440: 62 device-days in December 2026", "78.00")]  # 2 × 39.00
    assert january == [("Dell Latitude 5440: 62 device-days in January 2027", "98.00")]  # 2 × 49.00
    assert (status["status"], status["plan_code"]) == ("active", pro.code)


def test_a_contract_that_renews_itself_goes_on_billing_after_its_old_end(client, database, tokens):
    finance = bearer(tokens["finance"])
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": D("31.00")}])
    contract = factories.contract(
        start_date=date(2024, 1, 1), end_date=date(2027, 1, 1), plan_code=plan.code, renews=True
    )
    laptop = factories.device_model()
    deploy(contract, date(2026, 6, 1), sku=laptop.sku)
    assert renew_due_contracts(date(2026, 12, 31), "scheduler").renewed == [(contract.id, date(2028, 1, 1))]
    with clock.frozen(date(2027, 2, 1)):
        bill(JANUARY)
        january = _invoice_lines(client, finance, contract.id, JANUARY)
    assert [amount for _, amount in january] == ["31.00"]
