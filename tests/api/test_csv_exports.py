"""Every CSV the platform writes is safe to open in a spreadsheet (OWASP CSV injection): text that starts
with = + - @, a tab or a carriage return is written with a leading quote, so a customer named
`=HYPERLINK("http://x")` is shown, not run; amounts and figures stay numbers, negative ones included."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.billing.models import Invoice, InvoiceLine
from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.impact.export import FIGURES, ledger_csv, statement_csv
from daas.impact.packaging import packaging_figures
from tests import factories
from tests.billing_helpers import OCTOBER, bill
from tests.helpers import bearer
from tests.web.helpers import signed_in

ATTACKS = ['=HYPERLINK("http://x")', "+cmd", "@SUM(1)", "-2+3"]
REGION = "NL-NH"


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv", response.status_code
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def neutralised(value: str) -> str:
    return "'" + value


@pytest.fixture
def billed(database, today):
    """An October draft of a customer with an attacker's name, with a late-usage credit of -12.00 written
    as lines were before they had a price (no unit code, price or base quantity)."""

    def make(name: str) -> Invoice:
        customer = factories.customer(name=name, vat_id=None)
        contract = factories.contract(customer.id, factories.plan().code, date(2026, 1, 1))
        deploy_device(contract.id, factories.device().serial, date(2026, 2, 1), "tests")
        bill(OCTOBER)
        invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
        db.session.add(
            InvoiceLine(
                invoice_id=invoice.id,
                position=len(invoice.lines) + 1,
                kind="late_usage",
                description=f"{name}: late usage 2026-09",
                metric=None,
                quantity=Decimal("-3"),
                unit_amount=Decimal("4.00"),
                amount=Decimal("-12.00"),
            )
        )
        db.session.commit()
        db.session.expire(invoice)
        return invoice

    return make


@pytest.mark.parametrize("name", ATTACKS)
def test_the_invoice_export_shows_a_formula_name_as_text_and_keeps_amounts_numbers(app, client, billed, name):
    billed(name)
    finance = bearer(factories.token("finance"))
    from_api = rows_of(client.get("/api/v1/invoices/export.csv?period=2026-10", headers=finance))
    page_client, _ = signed_in(app, "finance")
    db.session.commit()
    from_page = rows_of(page_client.get("/finance/invoices/export.csv?period=2026-10&status="))
    for rows in (from_api, from_page):
        assert {row["customer_name"] for row in rows} == {neutralised(name)}
        credit = next(row for row in rows if row["kind"] == "late_usage")
        assert credit["description"] == neutralised(f"{name}: late usage 2026-09")
        # A line without a price is written as its documents write it: minus one unit at 12.00.
        assert (credit["quantity"], credit["unit_code"], credit["price"], credit["base_quantity"]) == (
            "-1",
            "C62",
            "12.00",
            "1",
        )
        assert (credit["unit_amount"], credit["amount"]) == ("4.00", "-12.00")
        device = next(row for row in rows if row["kind"] == "device_monthly")
        assert device["amount"] == "39.00"
        # 31 DAY × 39.00 / 31: the numbers the invoice's documents carry.
        assert (device["quantity"], device["unit_code"], device["price"], device["base_quantity"]) == (
            "31",
            "DAY",
            "39.00",
            "31",
        )
        tax = next(row for row in rows if row["kind"] == "tax")
        assert (tax["unit_code"], tax["price"], tax["base_quantity"]) == ("", "", "")
        for row in rows:  # every line adds up as its documents write it
            if row["kind"] != "tax":
                product = Decimal(row["quantity"]) * Decimal(row["price"]) / Decimal(row["base_quantity"])
                assert product.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") == Decimal(row["amount"])
        assert list(rows[0])[16:22] == [
            "quantity",
            "unit_amount",
            "unit_code",
            "price",
            "base_quantity",
            "amount",
        ]
        assert sum(Decimal(row["amount"]) for row in rows) == Decimal("27.00") + Decimal(
            next(row for row in rows if row["kind"] == "tax")["amount"]
        )


@pytest.fixture
def takeback(client, database, today):
    """Two deployed laptops of one customer and a pickup slot; logistics' token."""
    customer = factories.customer(pickup_region=REGION, pickup_address="Dam 1")
    contract = factories.contract(customer.id, factories.plan().code, date(2026, 1, 1))
    serials = []
    for _ in range(2):
        device = factories.device()
        deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests")
        serials.append(device.serial)
    logistics = bearer(factories.token("logistics"))
    slot = {"region": REGION, "date": "2026-11-16", "capacity": 5}
    assert client.post("/api/v1/pickup-slots", json=slot, headers=logistics).status_code == 201
    order = {
        "contract_id": contract.id,
        "serials": serials,
        "reason": "early_return",
        "requested_date": "2026-11-16",
        "region": REGION,
        "address": "Dam 1",
    }
    created = client.post("/api/v1/return-orders", json=order, headers=logistics)
    assert created.status_code == 201, created.get_json()
    return {"order": created.get_json(), "serials": serials, "logistics": logistics}


def test_the_return_orders_export_and_the_dispositions_show_formulas_as_text(client, takeback):
    logistics, order_id = takeback["logistics"], takeback["order"]["id"]
    picked = client.post(
        f"/api/v1/return-orders/{order_id}/pickup",
        json={"picked_up_on": "2026-11-15", "carrier": '=HYPERLINK("http://x")', "tracking": "+cmd"},
        headers=logistics,
    )
    assert picked.status_code == 200, picked.get_json()
    [first, _] = rows_of(client.get("/api/v1/return-orders/export.csv", headers=logistics))
    assert (first["carrier"], first["tracking"]) == ('\'=HYPERLINK("http://x")', "'+cmd")
    assert (first["return_order_id"], first["contract_id"]) == (
        str(order_id),
        str(takeback["order"]["contract_id"]),
    )

    client.post(
        f"/api/v1/return-orders/{order_id}/receive", json={"received_on": "2026-11-15"}, headers=logistics
    )
    serial = takeback["serials"][0]
    wipe = {"method": "destroy", "standard": "@SUM(1)", "verified_by": "-2+3"}
    assert client.post(f"/api/v1/devices/{serial}/wipe", json=wipe, headers=logistics).status_code == 201
    client.post(f"/api/v1/devices/{serial}/grade", json={"grade": "D"}, headers=logistics)
    recycled = client.post(
        f"/api/v1/devices/{serial}/disposition", json={"disposition": "recycle"}, headers=logistics
    )
    assert recycled.status_code == 200, recycled.get_json()
    [row] = rows_of(client.get("/api/v1/dispositions.csv", headers=logistics))
    assert (row["serial"], row["disposition"], row["wipe_standard"]) == (serial, "recycle", "'@SUM(1)")
    assert row["weight_kg"] == "1.360" and row["wipe_certificate_id"].isdigit()


def test_the_impact_report_shows_a_formula_name_as_text(client, database, today):
    customer = factories.customer(name='=HYPERLINK("http://x")')
    contract = factories.contract(customer.id, factories.plan().code, date(2026, 1, 1))
    deploy_device(contract.id, factories.device().serial, date(2026, 2, 1), "tests")
    rows = rows_of(client.get("/api/v1/impact/report.csv", headers=bearer(factories.token("finance"))))
    [mine] = [row for row in rows if row["customer_id"] == str(customer.id)]
    assert mine["name"] == '\'=HYPERLINK("http://x")'
    assert mine["devices"] == "1" and Decimal(mine["allocated_co2e_kg"]) > 0


def test_impact_statements_and_ledgers_quote_text_and_keep_negative_corrections_numbers() -> None:
    device = {"serial": "SN-1", "sku": "=cmd|' /C calc'!A0", "category": "laptop", "life": 1}
    figures = {name: Decimal("0.000") for name in FIGURES} | {"service_days": 30}
    figures["allocated_co2e_kg"] = Decimal("-1.250")  # a correction for a late fact
    statement = {
        "contract_id": 7,
        "from": date(2026, 1, 1),
        "to": date(2026, 10, 31),
        "method": "daas-impact-1",
        "provisional_periods": [],
        "by_device": [{**device, **figures}],
        **figures,
        **packaging_figures({}),
    }
    [row, total] = list(csv.DictReader(io.StringIO(statement_csv(statement), newline="")))
    assert (row["sku"], row["allocated_co2e_kg"], total["allocated_co2e_kg"]) == (
        "'=cmd|' /C calc'!A0",
        "-1.250",
        "-1.250",
    )
    ledger = [{"period": "2026-10", "provisional": False, **device, "balance_co2e_kg": Decimal("-0.500")}]
    [entry] = list(csv.DictReader(io.StringIO(ledger_csv(ledger), newline="")))
    assert (entry["sku"], entry["balance_co2e_kg"], entry["provisional"]) == (
        "'=cmd|' /C calc'!A0",
        "-0.500",
        "no",
    )
