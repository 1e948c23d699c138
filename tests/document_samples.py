"""Sample invoices and credit notes as `daas.billing.documents.Document` values, one per VAT case the
issue names (NL 21 %, DE and BE reverse charge, US outside scope, JPY, a partial credit note and the full
credit note of a void), for the renderers' tests: PDF, UBL and CII read the same values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from daas.billing.documents import (
    AS_AGREED,
    BANK_CARD,
    CREDIT_NOTE,
    CREDIT_TRANSFER,
    INVOICE,
    NOT_SUBJECT,
    REVERSE_CHARGE,
    SEPA_CREDIT_TRANSFER,
    STANDARD,
    Address,
    Document,
    DocumentLine,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    SchemeId,
    Totals,
    VatGroup,
)

D = Decimal

SELLER = Party(
    name="daas Circular Devices B.V.",
    address=Address("NL", "Keizersgracht 1", None, "1015 CC", "Amsterdam"),
    vat_id="NL004495445B01",
    registration_id=SchemeId("0106", "34110270"),
    electronic_address=SchemeId("0106", "34110270"),
    email="billing@daas.example",
)


def _lines(currency: str = "EUR") -> tuple[DocumentLine, ...]:
    """The worked example of billing.md, as documents write it: 57 device-days at 39.00 per 31 days,
    support tickets in two tiers, one express swap, the minimum true-up. Net 500.00."""
    return (
        DocumentLine(
            "1",
            "Dell Latitude 5440: 57 device-days in October 2026",
            D("57"),
            "DAY",
            D("39.00"),
            D("31"),
            D("71.71"),
            kind="device_monthly",
        ),
        DocumentLine(
            "2",
            "Support tickets, units 1-10 at 0.00",
            D("10"),
            "C62",
            D("0.00"),
            D("1"),
            D("0.00"),
            kind="metered",
        ),
        DocumentLine(
            "3",
            "Support tickets, units 11-13 at 15.00",
            D("3"),
            "C62",
            D("15.00"),
            D("1"),
            D("45.00"),
            kind="metered",
        ),
        DocumentLine("4", "Express swaps", D("1"), "C62", D("49.00"), D("1"), D("49.00"), kind="metered"),
        DocumentLine(
            "5",
            "Minimum commitment 500.00 for October 2026",
            D("1"),
            "C62",
            D("334.29"),
            D("1"),
            D("334.29"),
            kind="minimum_true_up",
        ),
    )


def _invoice(
    buyer: Party,
    vat: VatGroup,
    *,
    currency: str = "EUR",
    lines: tuple[DocumentLine, ...] | None = None,
    language: str = "en",
    payment: PaymentInstructions | None = None,
    number: str = "INV-2026-000001",
    notes: tuple[str, ...] = (),
) -> Document:
    lines = lines if lines is not None else _lines(currency)
    net = sum((line.amount for line in lines), D(0))
    gross = net + vat.tax
    return Document(
        type_code=INVOICE,
        number=number,
        issue_date=date(2026, 11, 1),
        due_date=date(2026, 12, 1),
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        currency=currency,
        language=language,
        seller=SELLER,
        buyer=buyer,
        contract_reference="C-000042",
        lines=lines,
        vat=(vat,),
        totals=Totals(net, net, vat.tax, gross, D(0), gross),
        payment=payment
        or PaymentInstructions(
            SEPA_CREDIT_TRANSFER if currency == "EUR" else CREDIT_TRANSFER,
            remittance=number,
            terms="Payment within 30 days, by 2026-12-01.",
            iban="NL91ABNA0417164300",
            bic="ABNANL2A",
            account_name=SELLER.name,
        ),
        buyer_reference="IT-DEPT-7",
        purchase_order="PO-2026-118",
        notes=notes,
        period_name="2026-10",
    )


NL_BUYER = Party(
    "Acme Nederland B.V.",
    Address("NL", "Stationsplein 12", "4e verdieping", "3511 ED", "Utrecht"),
    vat_id="NL123456782B90",
    registration_id=SchemeId("0106", "12345678"),
    electronic_address=SchemeId("0106", "12345678"),
    email="ap@acme.example",
)
DE_BUYER = Party(
    "Müller Logistik GmbH",
    Address("DE", "Hafenstraße 5", None, "20457", "Hamburg"),
    vat_id="DE136695976",
    electronic_address=SchemeId("9930", "DE136695976"),
    email="rechnung@mueller.example",
)
BE_BUYER = Party(
    "Brasserie Łódź SRL",
    Address("BE", "Rue de la Loi 16", None, "1000", "Bruxelles"),
    vat_id="BE0403019261",
    electronic_address=SchemeId("0208", "0403019261"),
    email="factures@brasserie.example",
)
US_BUYER = Party(
    "Globex Corporation",
    Address("US", "1 Market Street", "Suite 300", "94105", "San Francisco"),
    vat_id="94-1234567",
    email="ap@globex.example",
)
JP_BUYER = Party(
    "株式会社サンプル (Sample KK)",
    Address("JP", "1-1 Marunouchi", None, "100-0005", "Tokyo"),
    email="keiri@sample.example",
)


def nl_invoice() -> Document:
    """Domestic: 21 % on 500.00, total 605.00 (the worked example)."""
    return _invoice(NL_BUYER, VatGroup(STANDARD, D("21.00"), D("500.00"), D("105.00")), language="nl")


def de_reverse_charge() -> Document:
    return _invoice(
        DE_BUYER,
        VatGroup(REVERSE_CHARGE, D("0.00"), D("500.00"), D("0.00"), "Reverse charge", "VATEX-EU-AE"),
        language="de",
        number="INV-2026-000002",
        notes=("VAT reverse charged (Article 196, Council Directive 2006/112/EC)",),
    )


def be_reverse_charge() -> Document:
    return _invoice(
        BE_BUYER,
        VatGroup(REVERSE_CHARGE, D("0.00"), D("500.00"), D("0.00"), "Reverse charge", "VATEX-EU-AE"),
        language="fr",
        number="INV-2026-000003",
        notes=("VAT reverse charged (Article 196, Council Directive 2006/112/EC)",),
    )


def us_outside_scope() -> Document:
    """Not subject to VAT: neither party's VAT id belongs in the XML (BR-O-02..04); paid by card."""
    return _invoice(
        US_BUYER,
        VatGroup(NOT_SUBJECT, None, D("500.00"), D("0.00"), "Not subject to VAT", "VATEX-EU-O"),
        currency="USD",
        number="INV-2026-000004",
        payment=PaymentInstructions(
            BANK_CARD, remittance="INV-2026-000004", terms="Paid by card: collected by Stripe on issue."
        ),
        notes=("Outside the scope of EU VAT",),
    )


def jpy_invoice() -> Document:
    """JPY has no decimals: the device line's price is the amount ÷ days to 4 decimals, base 1."""
    lines = (
        DocumentLine(
            "1",
            "ThinkPad X1: 11 days at 5000 a month",
            D("11"),
            "DAY",
            D("161.2727"),
            D("1"),
            D("1774"),
            kind="device_monthly",
        ),
        DocumentLine("2", "Support tickets", D("3"), "C62", D("1500"), D("1"), D("4500"), kind="metered"),
    )
    return _invoice(
        JP_BUYER,
        VatGroup(NOT_SUBJECT, None, D("6274"), D("0"), "Not subject to VAT", "VATEX-EU-O"),
        currency="JPY",
        lines=lines,
        number="INV-2026-000005",
        notes=("Outside the scope of EU VAT",),
    )


def partial_credit_note() -> Document:
    """Credits 100.00 net of the NL invoice's support tickets line, with 21.00 VAT."""
    lines = (
        DocumentLine(
            "1",
            "Support tickets, units 11-13 at 15.00: credited",
            D("1"),
            "C62",
            D("45.00"),
            D("1"),
            D("45.00"),
            kind="metered",
            invoice_line_id=3,
        ),
        DocumentLine("2", "Goodwill credit", D("1"), "C62", D("55.00"), D("1"), D("55.00"), kind="credit"),
    )
    invoice = nl_invoice()
    return Document(
        type_code=CREDIT_NOTE,
        number="CN-2026-000001",
        issue_date=date(2026, 11, 10),
        due_date=None,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        currency="EUR",
        language="nl",
        seller=SELLER,
        buyer=NL_BUYER,
        contract_reference="C-000042",
        lines=lines,
        vat=(VatGroup(STANDARD, D("21.00"), D("100.00"), D("21.00")),),
        totals=Totals(D("100.00"), D("100.00"), D("21.00"), D("121.00"), D(0), D("121.00")),
        payment=PaymentInstructions(
            AS_AGREED, remittance="INV-2026-000001", terms="Verrekend met factuur INV-2026-000001."
        ),
        buyer_reference="IT-DEPT-7",
        purchase_order="PO-2026-118",
        preceding_invoice=PrecedingInvoice("INV-2026-000001", date(2026, 11, 1)),
        notes=("Two tickets were opened twice.",),
        period_name="2026-10",
    )


def void_credit_note() -> Document:
    """The full credit note that voids the DE reverse-charge invoice."""
    invoice = de_reverse_charge()
    return Document(
        type_code=CREDIT_NOTE,
        number="CN-2026-000002",
        issue_date=date(2026, 11, 12),
        due_date=None,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        currency="EUR",
        language="de",
        seller=SELLER,
        buyer=DE_BUYER,
        contract_reference="C-000042",
        lines=invoice.lines,
        vat=invoice.vat,
        totals=invoice.totals,
        payment=PaymentInstructions(
            AS_AGREED, remittance="INV-2026-000002", terms="Verrechnet mit Rechnung INV-2026-000002."
        ),
        buyer_reference="IT-DEPT-7",
        purchase_order="PO-2026-118",
        preceding_invoice=PrecedingInvoice("INV-2026-000002", date(2026, 11, 1)),
        notes=("Invoice voided: billed to the wrong contract.", *invoice.notes),
        period_name="2026-10",
    )


ALL = {
    "nl_invoice": nl_invoice,
    "de_reverse_charge": de_reverse_charge,
    "be_reverse_charge": be_reverse_charge,
    "us_outside_scope": us_outside_scope,
    "jpy_invoice": jpy_invoice,
    "partial_credit_note": partial_credit_note,
    "void_credit_note": void_credit_note,
}
