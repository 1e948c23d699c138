"""Invoice and credit-note PDFs (daas.billing.pdf), read back with pypdf: no app, no database."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from daas.billing.documents import CreditNoteDocument, DocumentLine, InvoiceDocument, Party
from daas.billing.pdf import render_credit_note, render_invoice

REVERSE_CHARGE = "VAT reverse charged (Article 196, Council Directive 2006/112/EC)"

ISSUER = Party(
    name="DaaS Example B.V.",
    address="Keizersgracht 1\n1015 CJ Amsterdam",
    country="NL",
    vat_id="NL123456789B01",
    email="billing@daas.example",
)
CUSTOMER = Party(
    name="Acme Nederland B.V.",
    address="Stationsplein 10\n3511 ED Utrecht",
    country="NL",
    vat_id="NL987654321B01",
    email="ap@acme.example",
)


def worked_example(**changes: object) -> InvoiceDocument:
    """The worked example of billing.md: NL customer, period 2026-10, total 605.00."""
    doc = InvoiceDocument(
        issuer=ISSUER,
        customer=CUSTOMER,
        number="INV-2026-000001",
        status="open",
        period="2026-10",
        contract_id=42,
        issued_on=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        currency="EUR",
        lines=(
            DocumentLine(
                "devices: 57 device-days in 2026-10", Decimal(57), Decimal("39.00"), Decimal("71.71")
            ),
            DocumentLine("support_tickets in 2026-10", Decimal(13), None, Decimal("45.00")),
            DocumentLine("express_swaps in 2026-10", Decimal("1"), Decimal("49.00"), Decimal("49.00")),
            DocumentLine("Minimum commitment", None, None, Decimal("334.29")),
        ),
        subtotal=Decimal("500.00"),
        tax_rate_percent="21.00",
        tax_amount=Decimal("105.00"),
        tax_note=None,
        total=Decimal("605.00"),
        amount_due=Decimal("605.00"),
    )
    return dataclasses.replace(doc, **changes)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_worked_example_shows_what_accounting_needs() -> None:
    data = render_invoice(worked_example())
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for expected in (
        "Invoice INV-2026-000001",
        "605.00",
        "EUR 605.00",
        "EUR 500.00",
        "EUR 105.00",
        "VAT 21.00%",
        "Acme Nederland B.V.",
        "NL987654321B01",  # customer's VAT id
        "NL123456789B01",  # issuer's VAT id
        "DaaS Example B.V.",
        "Netherlands",
        "2026-12-01",  # due date
        "2026-11-01",  # issue date
        "2026-10",
        "ap@acme.example",
        "billing@daas.example",
        "EUR 71.71",
        "EUR 39.00",
        "EUR 334.29",
    ):
        assert expected in text, expected
    for line in worked_example().lines:
        assert line.description in text, line.description
    assert "DRAFT" not in text
    assert "VOID" not in text
    assert "Credited" not in text


def test_quantities_have_no_trailing_zeros() -> None:
    lines = (
        DocumentLine("half days", Decimal("2.50"), Decimal("10.00"), Decimal("25.00")),
        DocumentLine("whole things", Decimal("57.000"), Decimal("1.283871"), Decimal("73.18")),
        DocumentLine("many", Decimal("1E+2"), Decimal("1"), Decimal("100")),
    )
    text = pdf_text(render_invoice(worked_example(lines=lines)))
    assert "2.5 " in text or "2.5\n" in text
    assert "2.50" not in text
    assert "57.000" not in text
    assert "EUR 1.283871" in text  # a unit price keeps its real decimals
    assert "EUR 1.00" in text  # and has at least the currency's exponent
    assert "100" in text
    assert "1E+2" not in text


def test_reverse_charge_invoice_shows_the_note() -> None:
    customer = dataclasses.replace(CUSTOMER, name="Beispiel GmbH", country="DE", vat_id="DE123456789")
    doc = worked_example(
        customer=customer,
        tax_rate_percent="0.00",
        tax_amount=Decimal("0.00"),
        tax_note=REVERSE_CHARGE,
        total=Decimal("500.00"),
        amount_due=Decimal("500.00"),
    )
    text = pdf_text(render_invoice(doc))
    assert REVERSE_CHARGE in " ".join(text.split())
    assert "Germany" in text
    assert "DE123456789" in text
    assert "VAT 0.00%" in text


def test_draft_is_marked_and_has_no_number() -> None:
    doc = worked_example(number=None, status="draft", issued_on=None, due_date=None)
    data = render_invoice(doc)
    text = pdf_text(data)
    assert "DRAFT" in text
    assert "Draft invoice" in text
    assert "INV-" not in text
    assert PdfReader(io.BytesIO(data)).metadata.title == "Draft invoice"


def test_void_invoice_is_marked() -> None:
    text = pdf_text(render_invoice(worked_example(status="void")))
    assert "VOID" in text
    assert "INV-2026-000001" in text


def test_jpy_amounts_have_no_decimals() -> None:
    doc = worked_example(
        currency="JPY",
        lines=(
            DocumentLine("devices: 31 device-days in 2026-10", Decimal(31), Decimal(4200), Decimal(4200)),
        ),
        subtotal=Decimal(4200),
        tax_rate_percent="10.00",
        tax_amount=Decimal(420),
        total=Decimal(4620),
        amount_due=Decimal(4620),
    )
    text = pdf_text(render_invoice(doc))
    assert "JPY 4200" in text
    assert "JPY 4620" in text
    assert "JPY 420" in text
    assert "4200.00" not in text
    assert "4620.0" not in text


def test_markup_characters_and_umlauts_survive() -> None:
    name = "Müller & Söhne <GmbH>"
    customer = dataclasses.replace(CUSTOMER, name=name, address="Königstraße 5 <Hinterhaus>\n70173 Stuttgart")
    text = pdf_text(
        render_invoice(
            worked_example(
                customer=customer,
                lines=(DocumentLine("R&D <support> für Geräte", None, None, Decimal("500.00")),),
            )
        )
    )
    assert name in text
    assert "Königstraße 5 <Hinterhaus>" in text
    assert "R&D <support> für Geräte" in text
    assert "&amp;" not in text
    assert "&lt;" not in text


def test_letters_outside_helvetica_do_not_break_rendering() -> None:
    customer = dataclasses.replace(
        CUSTOMER, name="Zakład Łódź Sp. z o.o.", country="PL", vat_id="PL1234567890"
    )
    data = render_invoice(worked_example(customer=customer))
    text = pdf_text(data)
    assert "Zaklad Lódz Sp. z o.o." in text  # "ó" is in Windows-1252, "ł", "Ł" and "ź" are not
    assert "Poland" in text
    assert PdfReader(io.BytesIO(data)).metadata.title == "Invoice INV-2026-000001"


def test_sixty_lines_span_pages_and_keep_the_total() -> None:
    lines = tuple(
        DocumentLine(f"metric_{i:02d} in 2026-10", Decimal(i + 1), Decimal("1.00"), Decimal(i + 1))
        for i in range(60)
    )
    subtotal = sum((line.amount for line in lines), Decimal(0))  # 1830
    doc = worked_example(
        lines=lines,
        subtotal=subtotal,
        tax_amount=Decimal("384.30"),
        total=Decimal("2214.30"),
        amount_due=Decimal("2214.30"),
    )
    reader = PdfReader(io.BytesIO(render_invoice(doc)))
    assert len(reader.pages) > 1
    text = pdf_text(render_invoice(doc))
    assert "EUR 2214.30" in text
    for line in lines:
        assert line.description in text
    # the header row repeats on every page
    assert all("Description" in page.extract_text() for page in reader.pages)


def test_credited_and_amount_due() -> None:
    doc = worked_example(status="paid", credited=Decimal("105.00"), amount_due=Decimal("0.00"))
    text = pdf_text(render_invoice(doc))
    assert "Credited" in text
    assert "EUR -105.00" in text
    assert "Amount due" in text
    assert "EUR 0.00" in text


def test_metadata_title_and_author() -> None:
    reader = PdfReader(io.BytesIO(render_invoice(worked_example())))
    assert reader.metadata.title == "Invoice INV-2026-000001"
    assert reader.metadata.author == "DaaS Example B.V."


def test_output_is_deterministic() -> None:
    assert render_invoice(worked_example()) == render_invoice(worked_example())


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValueError, match="XXX"):
        render_invoice(worked_example(currency="XXX"))


def test_credit_note() -> None:
    doc = CreditNoteDocument(
        issuer=ISSUER,
        customer=CUSTOMER,
        number="CN-2026-000001",
        invoice_number="INV-2026-000001",
        issued_on=date(2026, 11, 15),
        currency="EUR",
        amount=Decimal("49.00"),
        reason="Express swap of 2026-10-12 was not delivered & is refunded",
    )
    data = render_credit_note(doc)
    text = pdf_text(data)
    assert "Credit note CN-2026-000001" in text
    assert "INV-2026-000001" in text
    assert "EUR 49.00" in text
    assert doc.reason in " ".join(text.split())
    assert "Acme Nederland B.V." in text
    assert "NL123456789B01" in text
    assert "2026-11-15" in text
    metadata = PdfReader(io.BytesIO(data)).metadata
    assert metadata.title == "Credit note CN-2026-000001"
    assert metadata.author == "DaaS Example B.V."
