"""Issued invoices and credit notes as accounts payable, auditors and tax authorities receive them, through
the API: for NL (21 %), DE and BE reverse charge, US outside scope and JPY, every UBL and CII validates
against its XSD and the EN 16931 (and, for UBL, Peppol BIS) Schematron rules; the PDF is Factur-X with the
CII attached byte for byte; every line adds up; and each issued file is the same bytes on every download,
also after payments and credit notes."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pikepdf
import pytest
from lxml import etree
from pypdf import PdfReader
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from daas.billing.models import CreditNote, Invoice, IssuedDocument
from daas.core.money import exponent
from daas.extensions import db
from tests import factories
from tests.billing_helpers import OCTOBER, at, bill, deploy, usage, worked_example_plan
from tests.einvoice_validation import validate_cii, validate_ubl
from tests.helpers import bearer

UBL_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


@dataclass(frozen=True)
class Case:
    country: str
    vat_id: str | None
    currency: str
    language_word: str  # a word the PDF prints in the customer's language
    category: str
    peppol_id: str


CASES = {
    "nl-21": Case("NL", "NL123456782B90", "EUR", "Factuur", "S", "0106:12345678"),
    "de-reverse-charge": Case("DE", "DE136695976", "EUR", "Rechnung", "AE", "9930:DE136695976"),
    "be-reverse-charge": Case("BE", "BE0403019261", "EUR", "Factuur", "AE", "0208:0403019261"),
    "us-outside-scope": Case("US", None, "USD", "Invoice", "O", "0060:123456789"),
    "jpy": Case("JP", None, "JPY", "Invoice", "O", "0188:1234567890123"),
}


def _customer(case: Case, name: str) -> int:
    return factories.customer(
        name=name,
        country=case.country,
        vat_id=case.vat_id,
        currency=case.currency,
        address_line1="Hafenstraße 5",
        postcode="20457",
        city="Łódź",
        peppol_id=case.peppol_id or None,
        registration_id="0106:12345678" if case.country == "NL" else None,
        buyer_reference="IT-7",
    ).id


def _issued_invoice(case: Case, client, finance: dict[str, str]) -> Invoice:
    """An invoice of October for the case's customer, finalized through the API."""
    customer_id = _customer(case, f"Müller {case.country} GmbH")
    if case.currency == "EUR":
        plan, tickets, swaps = worked_example_plan()
    else:
        unit = Decimal("5000") if case.currency == "JPY" else Decimal("44.00")
        plan = factories.plan(
            currency=case.currency, charges=[{"kind": "device_monthly", "unit_amount": unit}]
        )
        tickets = swaps = None
    contract = factories.contract(customer_id, plan.code, date(2026, 7, 1))
    deploy(contract, date(2026, 9, 15))
    deploy(contract, date(2026, 10, 10))
    deploy(contract, date(2026, 8, 1), date(2026, 10, 5))
    if tickets is not None:
        usage(contract, tickets, *[at(2026, 10, day) for day in range(1, 14)])
        usage(contract, swaps, at(2026, 10, 20))
    db.session.commit()
    bill(OCTOBER)
    draft = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
    response = client.post(f"/api/v1/invoices/{draft.id}/finalize", headers=finance)
    assert response.status_code == 200, response.json
    db.session.expire_all()
    return db.session.get(Invoice, draft.id)


def _downloads(client, headers, base: str) -> tuple[bytes, bytes, bytes]:
    pdf = client.get(f"{base}.pdf", headers=headers)
    ubl = client.get(f"{base}.xml", headers=headers)
    cii = client.get(f"{base}.xml?syntax=cii", headers=headers)
    assert (pdf.status_code, ubl.status_code, cii.status_code) == (200, 200, 200)
    assert (pdf.mimetype, ubl.mimetype, cii.mimetype) == (
        "application/pdf",
        "application/xml",
        "application/xml",
    )
    return pdf.data, ubl.data, cii.data


def _attached_xml(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        files = document.attachments
        assert list(files) == ["factur-x.xml"]
        spec = files["factur-x.xml"]
        assert str(spec.obj.get("/AFRelationship")) == "/Data"
        return spec.get_file().read_bytes()


def _check_lines_add_up(ubl: bytes) -> int:
    """Every UBL line: round(quantity × price ÷ base) = amount, exactly; and they sum to BT-106."""
    root = etree.fromstring(ubl)
    lines = root.findall("cac:InvoiceLine", UBL_NS) + root.findall("cac:CreditNoteLine", UBL_NS)
    currency = root.findtext("cbc:DocumentCurrencyCode", namespaces=UBL_NS)
    quantum = Decimal(1).scaleb(-exponent(currency))
    total = Decimal(0)
    for line in lines:
        quantity = Decimal(
            line.findtext("cbc:InvoicedQuantity", namespaces=UBL_NS)
            or line.findtext("cbc:CreditedQuantity", namespaces=UBL_NS)
        )
        price = Decimal(line.findtext("cac:Price/cbc:PriceAmount", namespaces=UBL_NS))
        base = Decimal(line.findtext("cac:Price/cbc:BaseQuantity", namespaces=UBL_NS) or "1")
        amount = Decimal(line.findtext("cbc:LineExtensionAmount", namespaces=UBL_NS))
        assert (quantity * price / base).quantize(quantum, rounding=ROUND_HALF_UP) == amount, etree.tostring(
            line
        )
        total += amount
    assert total == Decimal(
        root.findtext("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", namespaces=UBL_NS)
    )
    return len(lines)


def _valid(ubl: bytes, cii: bytes) -> None:
    assert validate_ubl(ubl) == []
    assert validate_cii(cii) == []


@pytest.mark.parametrize("name", list(CASES))
def test_an_issued_invoice_and_its_credit_notes_validate_and_never_change(name, client, tokens, today):
    case = CASES[name]
    finance = bearer(tokens["finance"])
    invoice = _issued_invoice(case, client, finance)
    base = f"/api/v1/invoices/{invoice.id}"
    pdf, ubl, cii = _downloads(client, finance, base)

    _valid(ubl, cii)
    assert _attached_xml(pdf) == cii
    assert _check_lines_add_up(ubl) >= 1
    root = etree.fromstring(ubl)
    categories = {c.text for c in root.findall("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", UBL_NS)}
    assert categories == {case.category}
    if case.category == "O":  # BR-O-02..04: no VAT ids on either side
        assert root.findall(".//cac:PartyTaxScheme", UBL_NS) == []
    text_of_pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert case.language_word in text_of_pdf and "Łódź" in text_of_pdf and invoice.number in text_of_pdf
    if name == "nl-21":
        assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
            Decimal("500.00"),
            Decimal("105.00"),
            Decimal("605.00"),
        )

    # Money moves: a part is paid, a line and an amount are credited. The invoice's files stay the same.
    paid = client.post(
        f"{base}/payments",
        json={
            "amount": str(Decimal(1).scaleb(-exponent(case.currency))),
            "reference": "TR-1",
            "paid_on": "2026-11-14",
        },
        headers=finance,
    )
    assert paid.status_code == 201, paid.json
    first_line = client.get(base, headers=finance).json["lines"][0]
    credited = client.post(
        f"{base}/credit-notes",
        json={
            "reason": "A device was out of service",
            "lines": [{"invoice_line_id": first_line["id"], "amount": first_line["amount"]}],
        },
        headers=finance,
    )
    assert credited.status_code == 201, credited.json
    note = credited.json
    assert Decimal(note["amount"]) == Decimal(note["net_amount"]) + Decimal(note["tax_amount"])
    assert _downloads(client, finance, base) == (pdf, ubl, cii)

    note_pdf, note_ubl, note_cii = _downloads(client, finance, f"{base}/credit-notes/{note['id']}")
    _valid(note_ubl, note_cii)
    assert _attached_xml(note_pdf) == note_cii
    assert _check_lines_add_up(note_ubl) == 1
    note_root = etree.fromstring(note_ubl)
    assert note_root.findtext(
        "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=UBL_NS
    ) == (invoice.number)
    assert _downloads(client, finance, f"{base}/credit-notes/{note['id']}") == (note_pdf, note_ubl, note_cii)

    # What was kept is what was served, with its SHA-256.
    kept = db.session.scalars(select(IssuedDocument).where(IssuedDocument.invoice_id == invoice.id)).all()
    assert {row.format: row.content for row in kept} == {"pdf": pdf, "ubl": ubl, "cii": cii}
    assert all(row.sha256 == hashlib.sha256(row.content).hexdigest() for row in kept)


def test_voiding_issues_the_full_credit_note_with_its_reason(client, tokens, today):
    finance = bearer(tokens["finance"])
    invoice = _issued_invoice(CASES["de-reverse-charge"], client, finance)
    base = f"/api/v1/invoices/{invoice.id}"
    pdf, ubl, cii = _downloads(client, finance, base)
    refused = client.post(f"{base}/void", json={}, headers=finance)
    assert refused.status_code == 422 and "reason" in refused.json["errors"]

    voided = client.post(f"{base}/void", json={"reason": "Billed to the wrong contract"}, headers=finance)

    assert voided.status_code == 200, voided.json
    assert (voided.json["status"], voided.json["number"], voided.json["amount_due"]) == (
        "void",
        invoice.number,
        "0.00",
    )
    [note] = voided.json["credit_notes"]
    assert (note["reason"], note["voids_invoice"], note["amount"]) == (
        "Billed to the wrong contract",
        True,
        "500.00",
    )
    _, note_ubl, note_cii = _downloads(client, finance, f"{base}/credit-notes/{note['id']}")
    _valid(note_ubl, note_cii)
    assert _check_lines_add_up(note_ubl) == len([line for line in invoice.lines if line.amount > 0])
    assert "Billed to the wrong contract" in note_ubl.decode()
    assert _downloads(client, finance, base) == (pdf, ubl, cii)


def test_a_partial_credit_note_takes_the_vat_of_its_net_amount(client, tokens, today):
    finance = bearer(tokens["finance"])
    invoice = _issued_invoice(CASES["nl-21"], client, finance)
    credited = client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes",
        json={"reason": "Goodwill", "amount": "100.00"},
        headers=finance,
    )
    assert credited.status_code == 201, credited.json
    assert [credited.json[k] for k in ("net_amount", "tax_amount", "amount")] == ["100.00", "21.00", "121.00"]
    too_much = client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes",
        json={"reason": "More", "amount": "400.01"},
        headers=finance,
    )
    assert too_much.status_code == 422 and "amount" in too_much.json["errors"]
    rest = client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes",
        json={"reason": "The rest", "amount": "400.00"},
        headers=finance,
    )
    assert [rest.json[k] for k in ("net_amount", "tax_amount", "amount")] == ["400.00", "84.00", "484.00"]
    shown = client.get(f"/api/v1/invoices/{invoice.id}", headers=finance).json
    assert (shown["credited"], shown["amount_due"], shown["status"]) == ("605.00", "0.00", "paid")
    for note in shown["credit_notes"]:
        _, note_ubl, note_cii = _downloads(
            client, finance, f"/api/v1/invoices/{invoice.id}/credit-notes/{note['id']}"
        )
        _valid(note_ubl, note_cii)


def test_a_draft_has_a_draft_pdf_and_no_e_invoice(client, tokens, today):
    plan, _, _ = worked_example_plan()
    contract = factories.contract(factories.customer(document_language="en").id, plan.code, date(2026, 9, 1))
    db.session.commit()
    bill(OCTOBER)
    draft = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
    finance = bearer(tokens["finance"])
    pdf = client.get(f"/api/v1/invoices/{draft.id}.pdf", headers=finance)
    assert pdf.status_code == 200
    assert "DRAFT" in "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert client.get(f"/api/v1/invoices/{draft.id}.xml", headers=finance).status_code == 409
    assert client.get(f"/api/v1/invoices/{draft.id}.xml?syntax=xyz", headers=finance).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0


def test_the_database_never_lets_an_issued_file_change(client, tokens, today):
    invoice = _issued_invoice(CASES["nl-21"], client, bearer(tokens["finance"]))
    row = db.session.scalar(select(IssuedDocument).where(IssuedDocument.invoice_id == invoice.id))
    for statement in (
        "UPDATE issued_documents SET sha256 = 'x' WHERE id = :id",
        "DELETE FROM issued_documents WHERE id = :id",
    ):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement), {"id": row.id})
        db.session.rollback()
    assert db.session.scalar(select(func.count(CreditNote.id))) == 0


def test_without_a_peppol_id_the_ubl_is_en16931_and_not_offered_as_peppol_ready(client, tokens, today):
    case = CASES["us-outside-scope"]
    finance = bearer(tokens["finance"])
    invoice = _issued_invoice(Case(case.country, None, case.currency, "Invoice", "O", ""), client, finance)
    _, ubl, cii = _downloads(client, finance, f"/api/v1/invoices/{invoice.id}")
    root = etree.fromstring(ubl)
    assert root.findtext("cbc:CustomizationID", namespaces=UBL_NS) == "urn:cen.eu:en16931:2017"
    assert root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", UBL_NS) is None
    assert validate_ubl(ubl, peppol=False) == []
    assert validate_cii(cii) == []


def test_credit_notes_are_in_the_csv_export_after_their_invoice(client, tokens, today):
    """A credit note's rows follow its invoice's, negative, and add up to minus its total: the period's
    rows add up to what is still invoiced, and each line still reads quantity × price ÷ base = amount."""
    finance = bearer(tokens["finance"])
    invoice = _issued_invoice(CASES["nl-21"], client, finance)
    line = client.get(f"/api/v1/invoices/{invoice.id}", headers=finance).json["lines"][0]
    note = client.post(
        f"/api/v1/invoices/{invoice.id}/credit-notes",
        json={"reason": "Goodwill", "lines": [{"invoice_line_id": line["id"], "amount": line["amount"]}]},
        headers=finance,
    ).json
    export = client.get("/api/v1/invoices/export.csv?period=2026-10", headers=finance)
    rows = [
        row
        for row in csv.DictReader(io.StringIO(export.data.decode("utf-8-sig")))
        if row["invoice_id"] == str(invoice.id)
    ]
    credited = [row for row in rows if row["document_type"] == "credit_note"]
    assert {row["number"] for row in credited} == {note["number"]}
    assert {row["credits_invoice"] for row in credited} == {invoice.number}
    assert sum(Decimal(row["amount"]) for row in credited) == -Decimal(note["amount"])
    assert sum(Decimal(row["amount"]) for row in rows) == Decimal("605.00") - Decimal(note["amount"])
    for row in rows:
        if row["kind"] != "tax":
            computed = Decimal(row["quantity"]) * Decimal(row["price"]) / Decimal(row["base_quantity"])
            assert computed.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal(row["amount"]), row


def test_an_invoice_of_a_month_with_several_plans_validates(client, tokens, today):
    """Lines that name their plan and days are e-invoice lines like any other: a Dutch customer upgraded on
    2026-10-10 (backdated: October is not invoiced yet), October issued with each plan's lines."""
    case = CASES["nl-21"]
    finance = bearer(tokens["finance"])
    customer_id = _customer(case, "Müller NL B.V.")
    std, tickets, swaps = worked_example_plan()
    pro = factories.plan(
        code=factories.unique("laptop-pro-36"),
        minimum_monthly_amount=Decimal("700.00"),
        charges=[
            {"kind": "device_monthly", "unit_amount": Decimal("49.00")},
            {"kind": "metered", "metric": tickets.code, "model": "per_unit", "unit_amount": Decimal("12.50")},
        ],
    )
    contract = factories.contract(customer_id, std.code, date(2026, 7, 1))
    deploy(contract, date(2026, 9, 15))
    deploy(contract, date(2026, 10, 12))
    usage(contract, tickets, *[at(2026, 10, day) for day in range(1, 14)])
    usage(contract, swaps, at(2026, 10, 20))
    changed = client.post(
        f"/api/v1/contracts/{contract.id}/plan-changes",
        json={"plan_code": pro.code, "from": "2026-10-10"},
        headers=finance,
    )
    assert changed.status_code == 201, changed.json
    db.session.commit()
    bill(OCTOBER)
    draft = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
    assert client.post(f"/api/v1/invoices/{draft.id}/finalize", headers=finance).status_code == 200
    shown = client.get(f"/api/v1/invoices/{draft.id}", headers=finance).json
    assert [line["plan_code"] for line in shown["lines"]] == [std.code] * 4 + [pro.code] * 4
    assert shown["lines"][4]["description"].startswith(f"Abonnement {pro.code}, 10–31 okt: ")

    pdf, ubl, cii = _downloads(client, finance, f"/api/v1/invoices/{draft.id}")
    _valid(ubl, cii)
    assert _attached_xml(pdf) == cii
    assert _check_lines_add_up(ubl) == 8
    assert f"Abonnement {pro.code}, 10–31 okt".encode() in ubl and pro.code.encode() in cii
