"""Invoices and credit notes as A4 PDFs (reportlab platypus), from the plain values of documents.py.

Pure: no Flask, no SQLAlchemy. Amounts are formatted with the currency's exponent (daas.core.money) and
carry the currency code ("EUR 605.00", "JPY 4200"); nothing on the money path is a float. Output is
deterministic (reportlab's invariant mode): the same document renders to the same bytes.

Fonts are the built-in Helvetica family, which covers Windows-1252 (Western European letters, "€").
Letters outside it (Polish "Ł", Czech "ř", ...) would print as black boxes, so they are transliterated to
their base letter ("Łódź" → "Lódz") and anything else becomes "?". The PDF metadata keeps the original text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.documents import CreditNoteDocument, InvoiceDocument, Party
from daas.core.countries import country_name
from daas.core.money import format_money, format_unit_amount
from daas.core.pdf import (
    BODY,
    BOLD,
    FONT,
    HEADER_BG,
    LABEL,
    RULE,
    WIDTH,
    draw_footer,
    facts_table,
    para,
    render_pages,
)

__all__ = ["render_credit_note", "render_invoice"]

_NOT_SET = "-"

_TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=18, leading=22, spaceAfter=4)
_BANNER = ParagraphStyle("banner", parent=BODY, fontName=BOLD, fontSize=11, leading=14, textColor=colors.red)
_NAME = ParagraphStyle("name", parent=BODY, fontName=BOLD)
_NOTE = ParagraphStyle("note", parent=BODY, fontSize=9, leading=12)
_CELL = ParagraphStyle("cell", parent=BODY, leading=11)
_CELL_RIGHT = ParagraphStyle("cell_right", parent=_CELL, alignment=TA_RIGHT)


# --- text ---------------------------------------------------------------------------------------------


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {format_money(amount, currency)}"


def _unit_price(amount: Decimal | None, currency: str) -> str:
    return "" if amount is None else f"{currency} {format_unit_amount(amount, currency)}"


def _quantity(quantity: Decimal | None) -> str:
    """A quantity without trailing zeros: "57", "2.5", "100"."""
    if quantity is None:
        return ""
    if quantity.is_zero():
        return "0"
    return f"{quantity.normalize():f}"


def _date(value: date | None) -> str:
    return value.isoformat() if value is not None else _NOT_SET


# --- blocks -------------------------------------------------------------------------------------------


def _party_block(heading: str, party: Party, *, email_label: str) -> list[Flowable]:
    rows = [Paragraph(escape(heading), LABEL), para(party.name, _NAME)]
    if party.address:
        rows.append(para(party.address))
    rows.append(para(country_name(party.country)))
    if party.vat_id:
        rows.append(para(f"VAT ID: {party.vat_id}"))
    if party.email:
        rows.append(para(f"{email_label}: {party.email}"))
    return rows


def _parties(issuer: Party, customer: Party) -> Table:
    table = Table(
        [
            [
                _party_block("From", issuer, email_label="E-mail"),
                _party_block("Bill to", customer, email_label="Billing e-mail"),
            ]
        ],
        colWidths=[WIDTH / 2, WIDTH / 2],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 12),
            ]
        )
    )
    return table


_LINE_COLUMNS = [WIDTH - 22 * mm - 38 * mm - 40 * mm, 22 * mm, 38 * mm, 40 * mm]


def _lines_table(doc: InvoiceDocument) -> Table:
    header = ["Description", "Quantity", "Unit price", "Amount"]
    rows: list[list[object]] = [header]
    for line in doc.lines:
        rows.append(
            [
                para(line.description, _CELL),
                _quantity(line.quantity),
                _unit_price(line.unit_amount, doc.currency),
                _money(line.amount, doc.currency),
            ]
        )
    if not doc.lines:
        rows.append([para("No charges in this period.", _CELL), "", "", ""])
    table = Table(rows, colWidths=_LINE_COLUMNS, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), BOLD, 9),
                ("FONT", (0, 1), (-1, -1), FONT, 9),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, HEADER_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _totals_table(rows: list[tuple[str, str, bool]]) -> Table:
    """Right-aligned label/amount rows; the flagged ones are bold with a rule above."""
    data = [[label, amount] for label, amount, _ in rows]
    label_width = 50 * mm
    amount_width = 40 * mm
    table = Table(data, colWidths=[label_width, amount_width], hAlign="RIGHT")
    style = [
        ("FONT", (0, 0), (-1, -1), FONT, 9),
        ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for i, (_, _, strong) in enumerate(rows):
        if strong:
            style += [("FONT", (0, i), (-1, i), BOLD, 10), ("LINEABOVE", (0, i), (-1, i), 0.75, RULE)]
    table.setStyle(TableStyle(style))
    return table


# --- pages --------------------------------------------------------------------------------------------


def _build(
    story: list[Flowable], *, title: str, author: str, subject: str, footer: str, stamp: str | None
) -> bytes:
    """The story on A4 pages, with a footer (and a diagonal stamp such as DRAFT) on every page."""

    def decorate(canvas: Canvas, document: SimpleDocTemplate) -> None:
        if stamp:
            canvas.saveState()
            canvas.setFont(BOLD, 110)
            canvas.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.15))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, -35, stamp)
            canvas.restoreState()
        draw_footer(canvas, footer, f"Page {document.page}")

    return render_pages(
        story, title=title, author=author, subject=subject, onFirstPage=decorate, onLaterPages=decorate
    )


def _footer(issuer: Party, title: str) -> str:
    parts = [title, issuer.name]
    if issuer.vat_id:
        parts.append(f"VAT ID {issuer.vat_id}")
    return " | ".join(parts)


# --- documents ----------------------------------------------------------------------------------------


def invoice_title(doc: InvoiceDocument) -> str:
    """ "Invoice INV-2026-000001", or "Draft invoice" while it has no number."""
    return f"Invoice {doc.number}" if doc.number else "Draft invoice"


def render_invoice(doc: InvoiceDocument) -> bytes:
    """The invoice as a PDF."""
    title = invoice_title(doc)
    draft = doc.number is None or doc.status == lifecycle.DRAFT
    void = doc.status == lifecycle.VOID
    currency = doc.currency

    story: list[Flowable] = [para(title, _TITLE)]
    if draft:
        story.append(para("DRAFT - not a valid tax invoice; amounts may still change.", _BANNER))
    if void:
        story.append(para("VOID - this invoice has been voided and is not payable.", _BANNER))
    story += [Spacer(1, 4 * mm), _parties(doc.issuer, doc.customer), Spacer(1, 6 * mm)]

    story.append(
        facts_table(
            [
                ("Invoice number", doc.number or "not yet assigned (draft)"),
                ("Period", doc.period),
                ("Contract", str(doc.contract_id)),
                ("Status", doc.status),
                ("Issue date", _date(doc.issued_on)),
                ("Due date", _date(doc.due_date)),
                ("Currency", currency),
            ]
        )
    )
    story += [Spacer(1, 6 * mm), _lines_table(doc), Spacer(1, 4 * mm)]

    totals = [
        ("Subtotal", _money(doc.subtotal, currency), False),
        (f"VAT {doc.tax_rate_percent}%", _money(doc.tax_amount, currency), False),
        ("Total", _money(doc.total, currency), True),
    ]
    if doc.credited > 0:
        totals.append(("Credited", _money(-doc.credited, currency), False))
    totals.append(("Amount due", _money(doc.amount_due, currency), True))
    closing: list[Flowable] = [_totals_table(totals)]
    if doc.tax_note:
        closing += [Spacer(1, 4 * mm), para(doc.tax_note, _NOTE)]
    if doc.status == lifecycle.OPEN and doc.number and doc.due_date and doc.amount_due > 0:
        closing += [
            Spacer(1, 3 * mm),
            para(
                f"Please pay {_money(doc.amount_due, currency)} by {_date(doc.due_date)}, "
                f"quoting {doc.number}.",
                _NOTE,
            ),
        ]
    story.append(KeepTogether(closing))

    customer = doc.customer.name
    return _build(
        story,
        title=title,
        author=doc.issuer.name,
        subject=f"{title} for {customer}, period {doc.period}",
        footer=_footer(doc.issuer, title),
        stamp="VOID" if void else "DRAFT" if draft else None,
    )


def render_credit_note(doc: CreditNoteDocument) -> bytes:
    """The credit note as a PDF."""
    title = f"Credit note {doc.number}"
    currency = doc.currency
    story: list[Flowable] = [
        para(title, _TITLE),
        para(f"Credit for invoice {doc.invoice_number}", BODY),
        Spacer(1, 4 * mm),
        _parties(doc.issuer, doc.customer),
        Spacer(1, 6 * mm),
        facts_table(
            [
                ("Credit note", doc.number),
                ("Invoice", doc.invoice_number),
                ("Issue date", _date(doc.issued_on)),
                ("Currency", currency),
            ]
        ),
        Spacer(1, 6 * mm),
        para("Reason", LABEL),
        para(doc.reason, _NOTE),
        Spacer(1, 4 * mm),
        _totals_table([("Amount credited", _money(doc.amount, currency), True)]),
        Spacer(1, 4 * mm),
        para(
            f"This credit note reduces the amount of invoice {doc.invoice_number} "
            f"by {_money(doc.amount, currency)}.",
            _NOTE,
        ),
    ]
    return _build(
        story,
        title=title,
        author=doc.issuer.name,
        subject=f"{title} for invoice {doc.invoice_number}",
        footer=_footer(doc.issuer, title),
        stamp=None,
    )
