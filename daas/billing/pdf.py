"""Invoices and credit notes as A4 PDFs, in the document's language, from the plain `Document` of
documents.py (the one the UBL and CII e-invoices are written from too; documents.md).

Pure: no Flask, no SQLAlchemy. An issued document (it has a number) is rendered with its CII XML and
comes out as a Factur-X EN 16931 PDF/A-3b file with that XML attached (daas.billing.facturx); a draft is
a plain PDF stamped DRAFT, with no attachment. Words, amounts, quantities and dates are those of the
language (daas.billing.labels); fonts are the house style's embedded Unicode fonts (daas.core.pdf).

What it prints is what an inspector and the buyer's accounts payable need (documents.md): the seller and
the buyer with their addresses, VAT and registration ids and Peppol ids; the dates, the period of supply
and the references; every line as quantity × price ÷ base quantity = amount; the VAT breakdown with its
exemption texts; the totals; how to pay; the notes. Never the invoice's later status (paid, void): the
stored PDF says what was issued, and a status would go stale. Output is deterministic: the same document
and CII render to the same bytes.
"""

from __future__ import annotations

from functools import partial

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from daas.billing import labels
from daas.billing.documents import (
    AS_AGREED,
    BANK_CARD,
    SEPA_CREDIT_TRANSFER,
    Document,
    DocumentLine,
    Party,
    VatGroup,
)
from daas.billing.facturx import Metadata, attach_cii
from daas.core.pdf import (
    BODY,
    BOLD,
    FONT,
    HEADER_BG,
    LABEL,
    RULE,
    SMALL,
    WIDTH,
    NumberedCanvas,
    draw_footer,
    draw_string,
    facts_table,
    para,
    render_pages,
)

__all__ = ["render_pdf", "title"]

_TITLE = ParagraphStyle("title", parent=BODY, fontName=BOLD, fontSize=18, leading=22, spaceAfter=2)
_BANNER = ParagraphStyle("banner", parent=BODY, fontName=BOLD, fontSize=11, leading=14, textColor=colors.red)
_HEAD = ParagraphStyle("head", parent=BODY, fontName=BOLD, fontSize=10, leading=13, spaceAfter=3)
_NAME = ParagraphStyle("name", parent=BODY, fontName=BOLD)
_CELL = ParagraphStyle("cell", parent=BODY, leading=11)
_CELL_RIGHT = ParagraphStyle("cell_right", parent=_CELL, alignment=TA_RIGHT)
_CELL_HEAD = ParagraphStyle("cell_head", parent=_CELL, fontName=BOLD)
_CELL_HEAD_RIGHT = ParagraphStyle("cell_head_right", parent=_CELL_HEAD, alignment=TA_RIGHT)
_TOTAL = ParagraphStyle("total", parent=_CELL_RIGHT, fontName=BOLD, fontSize=10, leading=13)
_LABEL_WIDTH = 33 * mm  # "Période de prestation", "Rechnungsempfänger" on one line
_STAMP = colors.Color(0.85, 0.1, 0.1, alpha=0.15)  # drafts only: PDF/A allows no transparency


# --- words --------------------------------------------------------------------------------------------


def title(doc: Document) -> str:
    """ "Factuur INV-2026-000001", "Credit note CN-2026-000001", or "Draft invoice" without a number."""
    if doc.is_draft:
        return labels.label(doc.language, "draft_credit_note" if doc.is_credit_note else "draft_invoice")
    return f"{labels.label(doc.language, 'credit_note' if doc.is_credit_note else 'invoice')} {doc.number}"


def _price(line: DocumentLine, currency: str, language: str) -> str:
    """The unit price per its base quantity: "EUR 39.00 per 31 days" when the base is not 1."""
    price = labels.format_price(line.price, currency, language)
    if line.base_quantity == 1:
        return price
    base = labels.unit(line.base_quantity, line.unit_code, language)
    return labels.label(language, "price_per").format(price=price, base=base)


# --- blocks -------------------------------------------------------------------------------------------


def _party(heading: str, party: Party, language: str) -> list[Flowable]:
    address = party.address
    rows: list[Flowable] = [para(heading, LABEL), para(party.name, _NAME)]
    place = " ".join(part for part in (address.postcode, address.city) if part)
    for text in (address.line1, address.line2, place, labels.country(address.country, language)):
        if text:
            rows.append(para(text))
    for key, value in (
        ("vat_id", party.vat_id),
        ("registration_id", party.registration_id),
        ("electronic_address", party.electronic_address),
        ("email", party.email),
    ):
        if value:
            rows.append(para(f"{labels.label(language, key)}: {value}"))
    return rows


def _parties(doc: Document) -> Table:
    language = doc.language
    table = Table(
        [
            [
                _party(labels.label(language, "seller"), doc.seller, language),
                _party(labels.label(language, "buyer"), doc.buyer, language),
            ]
        ],
        colWidths=[WIDTH / 2, WIDTH / 2],
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("LEFTPADDING", (1, 0), (1, -1), 12),
            ]
        )
    )
    return table


def _facts(doc: Document) -> Table:
    language = doc.language

    def when(day: object) -> str:
        return labels.format_date(day, language) if day is not None else "-"  # type: ignore[arg-type]

    number_key = "credit_note_number" if doc.is_credit_note else "invoice_number"
    pairs = [
        (labels.label(language, number_key), doc.number or labels.label(language, "not_numbered")),
        (labels.label(language, "issue_date"), when(doc.issue_date)),
    ]
    if doc.due_date is not None:
        pairs.append((labels.label(language, "due_date"), when(doc.due_date)))
    period = labels.label(language, "period_range").format(
        start=when(doc.period_start), end=when(doc.period_end)
    )
    pairs.append((labels.label(language, "period"), period))
    if doc.preceding_invoice is not None:
        preceding = doc.preceding_invoice
        pairs.append(
            (
                labels.label(language, "preceding_invoice"),
                f"{preceding.number} ({when(preceding.issue_date)})",
            )
        )
    pairs.append((labels.label(language, "contract"), doc.contract_reference))
    if doc.effective_buyer_reference:
        pairs.append((labels.label(language, "buyer_reference"), doc.effective_buyer_reference))
    if doc.purchase_order:
        pairs.append((labels.label(language, "purchase_order"), doc.purchase_order))
    pairs.append((labels.label(language, "currency"), doc.currency))
    return facts_table(pairs, label_width=_LABEL_WIDTH)


def _grid(rows: list[list[Flowable]], widths: list[float]) -> Table:
    """A table with a grey header row that repeats on each page and light rules between the rows."""
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, HEADER_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _lines(doc: Document) -> Table:
    language, currency = doc.language, doc.currency
    header = [
        para(labels.label(language, "description"), _CELL_HEAD),
        para(labels.label(language, "quantity"), _CELL_HEAD_RIGHT),
        para(labels.label(language, "unit_price"), _CELL_HEAD_RIGHT),
        para(labels.label(language, "amount"), _CELL_HEAD_RIGHT),
    ]
    rows: list[list[Flowable]] = [header]
    for line in doc.lines:
        description = line.description if not line.note else f"{line.description}\n{line.note}"
        rows.append(
            [
                para(description, _CELL),
                para(labels.unit(line.quantity, line.unit_code, language), _CELL_RIGHT),
                para(_price(line, currency, language), _CELL_RIGHT),
                para(labels.format_amount(line.amount, currency, language), _CELL_RIGHT),
            ]
        )
    if not doc.lines:
        rows.append([para(labels.label(language, "no_lines"), _CELL), para(""), para(""), para("")])
    return _grid(rows, [WIDTH - 24 * mm - 46 * mm - 32 * mm, 24 * mm, 46 * mm, 32 * mm])


def _vat(doc: Document) -> list[Flowable]:
    language, currency = doc.language, doc.currency
    header = [
        para(labels.label(language, key), style)
        for key, style in (
            ("vat_category", _CELL_HEAD),
            ("vat_rate", _CELL_HEAD_RIGHT),
            ("taxable", _CELL_HEAD_RIGHT),
            ("vat", _CELL_HEAD_RIGHT),
            ("exemption", _CELL_HEAD),
        )
    ]
    rows: list[list[Flowable]] = [header]
    for group in doc.vat:
        rows.append(_vat_row(group, currency, language))
    table = _grid(rows, [44 * mm, 14 * mm, 36 * mm, 24 * mm, WIDTH - 118 * mm])
    return [para(labels.label(language, "vat_breakdown"), _HEAD), table]


def _vat_row(group: VatGroup, currency: str, language: str) -> list[Flowable]:
    exemption = ""
    if group.exemption_reason or group.exemption_code:
        exemption = " ".join(
            part
            for part in (
                group.exemption_reason,
                f"({group.exemption_code})" if group.exemption_code else None,
            )
            if part
        )
    return [
        para(f"{labels.label(language, f'category_{group.category}')} ({group.category})", _CELL),
        para(
            labels.format_percent(group.rate_percent, language) if group.rate_percent is not None else "-",
            _CELL_RIGHT,
        ),
        para(labels.format_amount(group.taxable, currency, language), _CELL_RIGHT),
        para(labels.format_amount(group.tax, currency, language), _CELL_RIGHT),
        para(exemption, _CELL),
    ]


def _totals(doc: Document) -> Table:
    language, currency, totals = doc.language, doc.currency, doc.totals
    rows = [
        ("total_net", totals.tax_exclusive, False),
        ("total_vat", totals.tax, False),
        ("total_gross", totals.tax_inclusive, True),
    ]
    if totals.paid:
        rows.append(("prepaid", totals.paid, False))
    rows.append(("amount_credited" if doc.is_credit_note else "amount_due", totals.payable, True))
    data = [
        [
            para(labels.label(language, key), _TOTAL if strong else _CELL_RIGHT),
            para(labels.format_amount(amount, currency, language), _TOTAL if strong else _CELL_RIGHT),
        ]
        for key, amount, strong in rows
    ]
    table = Table(data, colWidths=[60 * mm, 40 * mm], hAlign="RIGHT")
    style = [
        ("FONT", (0, 0), (-1, -1), FONT),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    style += [("LINEABOVE", (0, i), (-1, i), 0.75, RULE) for i, (_, _, strong) in enumerate(rows) if strong]
    table.setStyle(TableStyle(style))
    return table


def _payment(doc: Document) -> list[Flowable]:
    payment, language = doc.payment, doc.language
    if payment is None:
        return []
    method = {
        BANK_CARD: "method_card",
        SEPA_CREDIT_TRANSFER: "method_sepa",
        AS_AGREED: "method_as_agreed",
    }.get(payment.means_code, "method_transfer")
    pairs = [
        (labels.label(language, "payment_method"), labels.label(language, method)),
        (
            labels.label(language, "amount_credited" if doc.is_credit_note else "amount_due"),
            labels.format_amount(doc.totals.payable, doc.currency, language),
        ),
    ]
    for key, value in (("account_name", payment.account_name), ("iban", payment.iban), ("bic", payment.bic)):
        if value and not payment.by_card:
            pairs.append((labels.label(language, key), value))
    pairs.append((labels.label(language, "payment_reference"), payment.remittance))
    pairs.append((labels.label(language, "terms"), payment.terms))
    return [para(labels.label(language, "payment"), _HEAD), facts_table(pairs, label_width=_LABEL_WIDTH)]


def _notes(doc: Document) -> list[Flowable]:
    """A credit note's first note is its reason; the others (tax mentions) are notes."""
    language, notes = doc.language, list(doc.notes)
    out: list[Flowable] = []
    if doc.is_credit_note and notes:
        out += [para(labels.label(language, "reason"), _HEAD), para(notes.pop(0)), Spacer(1, 3 * mm)]
    if notes:
        out += [para(labels.label(language, "notes"), _HEAD), *(para(note) for note in notes)]
    return out


# --- the document -------------------------------------------------------------------------------------


def _story(doc: Document) -> list[Flowable]:
    language = doc.language
    story: list[Flowable] = [para(title(doc), _TITLE)]
    if doc.preceding_invoice is not None:
        preceding = doc.preceding_invoice
        text = labels.label(language, "preceding_invoice_text").format(
            number=preceding.number, date=labels.format_date(preceding.issue_date, language)
        )
        story.append(para(text))
    if doc.is_draft:
        story.append(para(labels.label(language, "draft_banner"), _BANNER))
    story += [Spacer(1, 3 * mm), _parties(doc), Spacer(1, 4 * mm), _facts(doc), Spacer(1, 5 * mm)]
    story += [_lines(doc), Spacer(1, 4 * mm), KeepTogether(_vat(doc)), Spacer(1, 3 * mm), _totals(doc)]
    payment = _payment(doc)
    if payment:
        story += [Spacer(1, 4 * mm), KeepTogether(payment)]
    notes = _notes(doc)
    if notes:
        story += [Spacer(1, 4 * mm), KeepTogether(notes)]
    if not doc.is_draft:
        story += [Spacer(1, 4 * mm), para(labels.label(language, "e_invoice_note"), SMALL)]
    return story


def _footer(doc: Document) -> str:
    parts = [doc.seller.name]
    if doc.seller.vat_id:
        parts.append(f"{labels.label(doc.language, 'vat_id')} {doc.seller.vat_id}")
    parts.append(title(doc))
    return " | ".join(parts)


def _decorate(doc: Document, canvas: Canvas, page: int, pages: int) -> None:
    if doc.is_draft:
        canvas.saveState()
        canvas.setFillColor(_STAMP)
        canvas.translate(A4[0] / 2, A4[1] / 2)
        canvas.rotate(45)
        stamp = labels.label(doc.language, "draft_stamp")
        draw_string(canvas, 0, -35, stamp, font=BOLD, size=110, align="centre")
        canvas.restoreState()
    page_text = labels.label(doc.language, "page_of").format(page=page, pages=pages)
    draw_footer(canvas, _footer(doc), page_text)


def render_pdf(doc: Document, cii: bytes | None = None) -> bytes:
    """The document as a PDF: with a number, the Factur-X PDF/A-3b with `cii` (the CII XML of the same
    document, which must be valid against the Factur-X EN 16931 XSD) attached; without one, the draft."""
    if not doc.is_draft and cii is None:
        raise ValueError("an issued document's PDF carries its CII: render_pdf(doc, render_cii(doc))")
    heading = title(doc)
    subject = f"{heading} - {doc.buyer.name} - {doc.period_name or doc.period_start.isoformat()}"
    pdf = render_pages(
        _story(doc),
        title=heading,
        author=doc.seller.name,
        subject=subject,
        canvasmaker=partial(NumberedCanvas, decorate=partial(_decorate, doc)),
    )
    if doc.is_draft or cii is None:
        return pdf
    assert doc.issue_date is not None  # an issued document has its date
    metadata = Metadata(
        title=heading,
        author=doc.seller.name,
        subject=subject,
        keywords=f"Factur-X, EN 16931, {heading}",
        language=doc.language,
        created=doc.issue_date,
    )
    return attach_cii(pdf, cii, metadata)
