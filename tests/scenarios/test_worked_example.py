"""billing.md's worked example, end to end through the API: usage posted by the customer, a billing
run by finance, the draft reviewed, finalized, exported and downloaded as a PDF. To the cent."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from tests import factories
from tests.billing_helpers import at, deploy, worked_example_plan
from tests.helpers import bearer


@pytest.fixture
def example(database, today):
    plan, tickets, swaps = worked_example_plan()
    customer = factories.customer(name="Amsterdam Analytics B.V.", vat_id="NL820646660B01")
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    laptop = factories.device_model(manufacturer="Dell", name="Latitude 5440")  # A, B and C are alike
    deploy(contract, date(2026, 9, 15), sku=laptop.sku)  # A: all of October, 31 days
    deploy(contract, date(2026, 10, 10), sku=laptop.sku)  # B: 22 days
    deploy(
        contract, date(2026, 8, 1), end=date(2026, 10, 5), sku=laptop.sku
    )  # C: picked up on the 5th, 4 days
    return {
        "contract": contract,
        "customer": customer,
        "tickets": tickets,
        "swaps": swaps,
        "customer_token": factories.token("customer", customer.id),
        "finance": factories.token("finance"),
    }


def _post_usage(client, example):
    contract_id = example["contract"].id
    events = [
        {
            "transaction_id": f"ticket-{n}",
            "contract_id": contract_id,
            "metric": example["tickets"].code,
            "timestamp": f"2026-10-{n + 1:02d}T09:00:00+02:00",
        }
        for n in range(13)
    ]
    events.append(
        {
            "transaction_id": "swap-1",
            "contract_id": contract_id,
            "metric": example["swaps"].code,
            "timestamp": "2026-10-20T10:00:00Z",
            "quantity": 1,
        }
    )
    response = client.post(
        "/api/v1/usage-events", json={"events": events}, headers=bearer(example["customer_token"])
    )
    assert response.status_code == 202, response.get_json()
    assert response.get_json() == {"accepted": 14, "duplicates": 0}


def test_the_worked_example_to_the_cent(client, example):
    _post_usage(client, example)
    finance = bearer(example["finance"])
    run = client.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=finance)
    assert run.status_code == 201, run.get_json()
    assert {
        k: run.get_json()[k]
        for k in ("period", "status", "contracts", "invoices_created", "invoices_updated")
    } == {
        "period": "2026-10",
        "status": "completed",
        "contracts": 1,
        "invoices_created": 1,
        "invoices_updated": 0,
    }

    invoice = client.get(
        f"/api/v1/invoices?period=2026-10&contract_id={example['contract'].id}", headers=finance
    )
    [draft] = invoice.get_json()
    assert draft["status"] == "draft" and draft["number"] is None
    assert [(line["kind"], line["quantity"], line["amount"]) for line in draft["lines"]] == [
        ("device_monthly", "57", "71.71"),
        ("metered", "10", "0.00"),  # 13 tickets: the free 10,
        ("metered", "3", "45.00"),  # and 3 at 15.00
        ("metered", "1", "49.00"),
        ("minimum_true_up", "1", "334.29"),
    ]
    # documents.md: every line is quantity × price ÷ base, in the customer's language (Dutch: NL).
    assert [
        (line["quantity"], line["unit_code"], line["price"], line["base_quantity"], line["description"])
        for line in draft["lines"]
    ] == [
        ("57", "DAY", "39.00", "31", "Dell Latitude 5440: 57 apparaatdagen in oktober 2026"),
        ("10", "C62", "0.00", "1", f"{example['tickets'].name}, eenheden 1-10 à 0,00"),
        ("3", "C62", "15.00", "1", f"{example['tickets'].name}, eenheden 11-13 à 15,00"),
        ("1", "C62", "49.00", "1", f"{example['swaps'].name} in oktober 2026"),
        ("1", "C62", "334.29", "1", "Minimumafname 500,00 voor oktober 2026 (31 van 31 dagen)"),
    ]
    assert (draft["subtotal"], draft["tax_rate"], draft["tax_amount"], draft["total"]) == (
        "500.00",
        "21.00",
        "105.00",
        "605.00",
    )
    assert draft["tax_note"] is None

    finalized = client.post(f"/api/v1/billing-runs/{run.get_json()['id']}/finalize", headers=finance)
    assert finalized.get_json()["invoices_finalized"] == 1
    invoice = client.get(f"/api/v1/invoices/{draft['id']}", headers=finance).get_json()
    assert invoice["number"] == "INV-2026-000001"
    assert (invoice["status"], invoice["amount_due"]) == ("open", "605.00")
    assert invoice["issued_on"] == "2026-11-15"
    assert invoice["due_date"] == str(date(2026, 11, 15) + timedelta(days=30))

    # The customer sees it now, and downloads the PDF.
    pdf = client.get(f"/api/v1/invoices/{invoice['id']}.pdf", headers=bearer(example["customer_token"]))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    # Dutch customer, Dutch invoice: the total as the customer reads it, the seller's and the buyer's VAT ids.
    assert (
        "INV-2026-000001" in text
        and "605,00" in text
        and "NL004495445B01" in text
        and "NL820646660B01" in text
    )

    export = client.get("/api/v1/invoices/export.csv?period=2026-10", headers=finance)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert len(rows) == 6  # five lines (the tickets' two tiers) and the VAT
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal("605.00")
    assert {row["invoice_total"] for row in rows} == {"605.00"}


def test_a_contract_starting_on_the_20th_owes_a_prorated_minimum(client, database, today):
    plan, _, _ = worked_example_plan()
    contract = factories.contract(plan_code=plan.code, start_date=date(2026, 10, 20))
    finance = bearer(factories.token("finance"))
    client.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=finance)
    [invoice] = client.get(f"/api/v1/invoices?contract_id={contract.id}", headers=finance).get_json()
    assert [(line["kind"], line["amount"]) for line in invoice["lines"]] == [
        ("metered", "0.00"),
        ("metered", "0.00"),
        ("minimum_true_up", "193.55"),
    ]
    assert invoice["total"] == "234.20"  # 193.55 + 21% VAT 40.65


def test_running_again_recomputes_the_draft_and_creates_nothing_twice(client, example):
    _post_usage(client, example)
    finance = bearer(example["finance"])
    first = client.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=finance).get_json()
    again = client.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=finance).get_json()
    assert (first["invoices_created"], again["invoices_created"], again["invoices_updated"]) == (1, 0, 1)
    invoices = client.get("/api/v1/invoices?period=2026-10", headers=finance).get_json()
    assert [i["total"] for i in invoices] == ["605.00"]
    client.post(f"/api/v1/billing-runs/{again['id']}/finalize", headers=finance)
    third = client.post("/api/v1/billing-runs", json={"period": "2026-10"}, headers=finance).get_json()
    assert (third["invoices_created"], third["invoices_updated"]) == (0, 0)
    [invoice] = client.get("/api/v1/invoices?period=2026-10", headers=finance).get_json()
    assert (invoice["number"], invoice["total"]) == ("INV-2026-000001", "605.00")


def test_bad_periods_are_refused(client, database):
    finance = bearer(factories.token("finance"))
    for period in ("2026-13", "2026-1", "october", ""):
        response = client.post("/api/v1/billing-runs", json={"period": period}, headers=finance)
        assert response.status_code == 422, period
        assert "period" in response.get_json()["errors"]


def test_the_event_at_midnight_on_the_first_belongs_to_the_new_month(client, database, today):
    plan, tickets, _ = worked_example_plan(minimum_monthly_amount=None)
    contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    from tests.billing_helpers import bill, usage

    usage(contract, tickets, *[at(2026, 10, 3)] * 11)
    usage(contract, tickets, at(2026, 11, 1, hour=0))  # 2026-11-01T00:00:00Z: November's
    usage(contract, tickets, at(2026, 10, 31, hour=23).replace(minute=59, second=59))  # October's last second
    bill()
    finance = bearer(factories.token("finance"))
    [invoice] = client.get(f"/api/v1/invoices?contract_id={contract.id}", headers=finance).get_json()
    tickets_lines = [line for line in invoice["lines"] if line["metric"] == tickets.code]
    # 12 October tickets: the free 10 and 2 at 15.00.
    assert [(line["quantity"], line["amount"]) for line in tickets_lines] == [("10", "0.00"), ("2", "30.00")]
