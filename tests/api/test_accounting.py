"""The accounting journal and the customer account statement through the API, on a month of real
documents: invoices in NL (21 %) and reverse-charged to Germany, a bank transfer, a card payment as
Stripe's webhook records it with a refund of a credit note, a partial credit note of a line, a void, a
draft that never shows, and an invoice issued the month before."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from daas.billing.models import CreditNote
from daas.extensions import db
from tests.accounting_helpers import build_month
from tests.helpers import assert_error, bearer

D = Decimal
NOVEMBER_RANGE = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def month(database, today):
    return build_month()


def _journal(client, token, query=NOVEMBER_RANGE):
    response = client.get(f"/api/v1/accounting/journal.csv?{query}", headers=bearer(token))
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def _per_account(rows):
    totals = defaultdict(lambda: D(0))
    for row in rows:
        totals[row["account"]] += D(row["debit"]) - D(row["credit"])
    return {account: total for account, total in totals.items() if total}


def test_every_entry_balances_and_the_accounts_add_up_to_the_documents(client, month):
    rows = _journal(client, month["tokens"]["finance"])
    entries = defaultdict(list)
    for row in rows:
        entries[row["entry_id"]].append(row)
    for entry_id, posted in entries.items():
        assert sum(D(row["debit"]) for row in posted) == sum(D(row["credit"]) for row in posted), entry_id
        assert len({(row["date"], row["document_number"], row["currency"]) for row in posted}) == 1
    kinds = sorted(posted[0]["document_type"] for posted in entries.values())
    assert kinds == ["credit_note"] * 3 + ["invoice"] * 3 + ["payment"] * 2 + ["refund"]
    # Drafts never; September's invoice was issued in October, outside the range.
    numbers = {row["invoice_number"] for row in rows}
    assert numbers == {invoice.number for invoice in month["invoices"].values()}

    invoices = list(month["invoices"].values())
    notes = list(db.session.scalars(select(CreditNote).order_by(CreditNote.id)))

    def posted(document_type, account, side):
        return sum(
            (
                D(row[side])
                for row in rows
                if row["document_type"] == document_type and row["account"] == account
            ),
            D(0),
        )

    # Invoices: receivables are debited their totals, revenue per kind credited the lines, VAT the tax.
    assert posted("invoice", "1300", "debit") == sum(i.total for i in invoices) == D("468.54")
    for account, kind in (("8000", "device_monthly"), ("8010", "metered")):
        lines = sum(line.amount for i in invoices for line in i.lines if line.kind == kind)
        assert posted("invoice", account, "credit") == lines
    assert posted("invoice", "1500", "credit") == sum(i.tax_amount for i in invoices) == D("57.54")
    # Credit notes the reverse: their gross off receivables, their lines and VAT back.
    assert posted("credit_note", "1300", "credit") == sum(n.amount for n in notes) == D("175.77")
    assert posted("credit_note", "1500", "debit") == sum(n.tax_amount for n in notes) == D("28.77")
    assert posted("credit_note", "8090", "debit") == D("10.00")
    assert posted("credit_note", "8010", "debit") == D("98.00")
    # What the month leaves on each account: C's void cancelled its invoice, A and B paid, B was refunded.
    assert _per_account(rows) == {
        "8000": D("-78.00"),
        "8010": D("-196.00"),
        "8090": D("10.00"),
        "1500": D("-28.77"),
        "1100": D("165.77"),
        "1190": D("127.00"),
    }


def test_each_document_posts_as_documented(client, month):
    rows = _journal(client, month["tokens"]["finance"])
    a, b, c = (month["invoices"][key] for key in "ABC")

    def lines(entry_id):
        return [(row["account"], row["debit"], row["credit"]) for row in rows if row["entry_id"] == entry_id]

    assert lines(f"invoice-{a.id}") == [
        ("1300", "165.77", "0.00"),
        ("8000", "0.00", "39.00"),
        ("8010", "0.00", "98.00"),
        ("1500", "0.00", "28.77"),
    ]
    first = next(row for row in rows if row["entry_id"] == f"invoice-{a.id}")
    assert (first["customer_name"], first["vat_category"], first["vat_rate"]) == (
        "'=Alpha B.V.",
        "S",
        "21.00",
    )
    reverse = [row for row in rows if row["entry_id"] == f"invoice-{b.id}"]
    assert [(row["account"], row["vat_category"], row["vat_rate"]) for row in reverse] == [
        ("1300", "AE", "0.00"),
        ("8000", "AE", "0.00"),
        ("8010", "AE", "0.00"),
    ]
    payments = [row for row in rows if row["document_type"] == "payment"]
    assert [(row["account"], row["debit"], row["credit"], row["date"]) for row in payments] == [
        ("1100", "165.77", "0.00", "2026-11-15"),
        ("1300", "0.00", "165.77", "2026-11-15"),
        ("1190", "137.00", "0.00", "2026-11-20"),
        ("1300", "0.00", "137.00", "2026-11-20"),
    ]
    refund = [
        (row["account"], row["debit"], row["credit"], row["date"])
        for row in rows
        if row["document_type"] == "refund"
    ]
    assert refund == [("1300", "10.00", "0.00", "2026-11-21"), ("1190", "0.00", "10.00", "2026-11-21")]
    void = [row for row in rows if row["document_type"] == "credit_note" and "voids" in row["description"]]
    assert [(row["account"], row["debit"], row["credit"]) for row in void] == [
        ("8000", "39.00", "0.00"),
        ("8010", "49.00", "0.00"),
        ("1500", "18.48", "0.00"),
        ("1300", "0.00", "106.48"),
    ]
    assert {row["invoice_number"] for row in void} == {c.number}
    assert all(row["date"] >= "2026-11-01" for row in rows)


def test_the_range_defaults_to_the_year_and_is_checked(client, month):
    finance = month["tokens"]["finance"]
    year = _journal(client, finance, "")
    assert month["september"].number in {row["invoice_number"] for row in year}
    october = _journal(client, finance, "from=2026-10-01&to=2026-10-31")
    assert {row["entry_id"] for row in october} == {f"invoice-{month['september'].id}"}
    assert _journal(client, finance, "from=2025-01-01&to=2025-12-31") == []
    url = "/api/v1/accounting/journal.csv"
    assert_error(client.get(f"{url}?from=2026-13-01", headers=bearer(finance)), 422, "from")
    assert_error(client.get(f"{url}?from=2026-11-30&to=2026-11-01", headers=bearer(finance)), 422, "to")
    assert_error(client.get(f"{url}?to=9999-12-31", headers=bearer(finance)), 422, "to")
    assert client.get(url, headers=bearer(month["tokens"]["A"])).status_code == 403
    assert client.get(url, headers=bearer(month["tokens"]["logistics"])).status_code == 403


def test_a_customer_reads_its_statement_with_a_running_balance(client, month):
    alpha = month["customers"]["A"]
    response = client.get(
        f"/api/v1/customers/{alpha.id}/statement?{NOVEMBER_RANGE}", headers=bearer(month["tokens"]["A"])
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    number = month["invoices"]["A"].number
    assert body | {"rows": []} == {
        "customer_id": alpha.id,
        "customer_name": "=Alpha B.V.",
        "currency": "EUR",
        "from": "2026-11-01",
        "to": "2026-11-30",
        "opening_balance": "47.19",  # September's invoice, issued in October, not paid
        "rows": [],
        "total_debit": "165.77",
        "total_credit": "165.77",
        "closing_balance": "47.19",
    }
    assert body["rows"] == [
        {
            "date": "2026-11-15",
            "document_type": "invoice",
            "document_number": number,
            "invoice_number": number,
            "description": f"Invoice {number}",
            "due_date": "2026-12-15",
            "debit": "165.77",
            "credit": "0.00",
            "balance": "212.96",
        },
        {
            "date": "2026-11-15",
            "document_type": "payment",
            "document_number": "NL-BANK-1",
            "invoice_number": number,
            "description": f"Payment by bank transfer for invoice {number}",
            "due_date": None,
            "debit": "0.00",
            "credit": "165.77",
            "balance": "47.19",
        },
    ]


def test_credit_notes_and_refunds_move_the_balance_both_ways(client, month):
    beta = month["customers"]["B"]
    response = client.get(
        f"/api/v1/customers/{beta.id}/statement?{NOVEMBER_RANGE}", headers=bearer(month["tokens"]["finance"])
    )
    body = response.get_json()
    assert [(row["document_type"], row["debit"], row["credit"], row["balance"]) for row in body["rows"]] == [
        ("invoice", "137.00", "0.00", "137.00"),
        ("credit_note", "0.00", "10.00", "127.00"),
        ("payment", "0.00", "137.00", "-10.00"),  # in the customer's favour until the refund
        ("refund", "10.00", "0.00", "0.00"),
    ]
    assert (body["opening_balance"], body["closing_balance"]) == ("0.00", "0.00")


def test_the_statement_defaults_to_this_year_and_checks_its_dates(client, month):
    alpha = month["customers"]["A"]
    url = f"/api/v1/customers/{alpha.id}/statement"
    token = bearer(month["tokens"]["A"])
    body = client.get(url, headers=token).get_json()
    assert (body["from"], body["to"], body["opening_balance"]) == ("2026-01-01", "2026-12-31", "0.00")
    assert [row["document_type"] for row in body["rows"]] == ["invoice", "invoice", "payment"]
    assert body["closing_balance"] == "47.19"
    assert_error(client.get(f"{url}?from=2026-02-30", headers=token), 422, "from")
    assert_error(client.get(f"{url}?from=2026-11-30&to=2026-11-01", headers=token), 422, "to")
    assert_error(client.get(f"{url}?from=1999-12-31", headers=token), 422, "from")


def test_another_customers_statement_is_not_found(client, month):
    beta = month["customers"]["B"]
    token = bearer(month["tokens"]["A"])
    for suffix in ("", ".pdf"):
        response = client.get(f"/api/v1/customers/{beta.id}/statement{suffix}", headers=token)
        assert_error(response, 404)
    assert (
        client.get(
            "/api/v1/customers/999999/statement", headers=bearer(month["tokens"]["finance"])
        ).status_code
        == 404
    )
    logistics = bearer(month["tokens"]["logistics"])
    assert client.get(f"/api/v1/customers/{beta.id}/statement", headers=logistics).status_code == 403


def test_the_statement_as_a_pdf(client, month):
    alpha = month["customers"]["A"]
    response = client.get(
        f"/api/v1/customers/{alpha.id}/statement.pdf?{NOVEMBER_RANGE}", headers=bearer(month["tokens"]["A"])
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="statement-{alpha.id}-2026-11-01-2026-11-30.pdf"'
    )
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    for expected in ("Account statement", "=Alpha B.V.", month["invoices"]["A"].number, "212.96", "47.19"):
        assert expected in text, expected
