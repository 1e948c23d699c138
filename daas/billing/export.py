"""The accounting export: one CSV row per invoice line, plus one row per invoice for its VAT, so that
the amounts of an invoice's rows add up to its total and a period's rows to the period's totals. Each
credit note of those invoices follows its invoice the same way, its amounts negative (`document_type`
credit_note, numbered CN-..., `credits_invoice` naming the invoice), so its rows add up to minus its
total and a period's rows to what is still invoiced. Text
cells (customer names, descriptions, VAT ids) are written so no spreadsheet runs them as formulas; the
amounts stay numbers, negative ones (credit, late usage corrections) included.

A line's row carries the numbers its documents write (document_builder.document_line), so that
`quantity × price ÷ base_quantity`, rounded, is its amount: lines computed before lines had a price are
written as one unit (minus one for a negative correction) at their amount."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from daas.billing.document_builder import document_line
from daas.billing.models import CreditNote, Invoice
from daas.billing.tax import percent
from daas.core.csv_cells import write_csv
from daas.core.money import format_money, format_unit_amount

COLUMNS = (
    "invoice_id",
    "number",
    "status",
    "period",
    "issued_on",
    "due_date",
    "customer_id",
    "customer_name",
    "customer_country",
    "customer_vat_id",
    "contract_id",
    "currency",
    "line",
    "kind",
    "description",
    "metric",
    "quantity",
    "unit_amount",
    "unit_code",
    "price",
    "base_quantity",
    "amount",
    "tax_rate",
    "tax_note",
    "invoice_subtotal",
    "invoice_tax",
    "invoice_total",
    "document_type",
    "credits_invoice",
)
NUMERIC_COLUMNS = (
    "invoice_id",
    "customer_id",
    "contract_id",
    "line",
    "quantity",
    "unit_amount",
    "price",
    "base_quantity",
    "amount",
    "tax_rate",
    "invoice_subtotal",
    "invoice_tax",
    "invoice_total",
)


def _quantity(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def export_rows(invoices: Iterable[Invoice]) -> Iterable[dict[str, str]]:
    for invoice in invoices:

        def money(amount: Decimal, currency: str = invoice.currency) -> str:
            return format_money(amount, currency)

        common = {
            "invoice_id": str(invoice.id),
            "number": invoice.number or "",
            "status": invoice.status,
            "period": invoice.period,
            "issued_on": str(invoice.issued_on or ""),
            "due_date": str(invoice.due_date or ""),
            "customer_id": str(invoice.customer_id),
            "customer_name": invoice.customer_name,
            "customer_country": invoice.customer_country,
            "customer_vat_id": invoice.customer_vat_id or "",
            "contract_id": str(invoice.contract_id),
            "currency": invoice.currency,
            "tax_rate": percent(invoice.tax_rate),
            "tax_note": invoice.tax_note or "",
            "invoice_subtotal": money(invoice.subtotal),
            "invoice_tax": money(invoice.tax_amount),
            "invoice_total": money(invoice.total),
            "document_type": "invoice",
            "credits_invoice": "",
        }
        for position, line in enumerate(invoice.lines, start=1):
            written = document_line(position, line)
            yield {
                **common,
                "line": str(position),
                "kind": line.kind,
                "description": line.description,
                "metric": line.metric or "",
                "quantity": _quantity(written.quantity),
                "unit_amount": ""
                if line.unit_amount is None
                else format_unit_amount(line.unit_amount, invoice.currency),
                "unit_code": written.unit_code,
                "price": format_unit_amount(written.price, invoice.currency),
                "base_quantity": _quantity(written.base_quantity),
                "amount": money(line.amount),
            }
        yield {
            **common,
            "line": str(len(invoice.lines) + 1),
            "kind": "tax",
            "description": f"VAT {percent(invoice.tax_rate)}%"
            + (f" - {invoice.tax_note}" if invoice.tax_note else ""),
            "metric": "",
            "quantity": "",
            "unit_amount": "",
            "unit_code": "",
            "price": "",
            "base_quantity": "",
            "amount": money(invoice.tax_amount),
        }
        for note in invoice.credit_notes:
            yield from _credit_note_rows(note, invoice, common)


def _credit_note_rows(
    note: CreditNote, invoice: Invoice, invoice_row: dict[str, str]
) -> Iterable[dict[str, str]]:
    """A credit note's lines and its VAT, negative: `-quantity × price ÷ base = -amount` on each line."""
    currency = invoice.currency
    common = {
        **invoice_row,
        "number": note.number,
        "status": note.status,
        "issued_on": str(note.issued_on),
        "due_date": "",
        "invoice_subtotal": format_money(-note.net_amount, currency),
        "invoice_tax": format_money(-note.tax_amount, currency),
        "invoice_total": format_money(-note.amount, currency),
        "document_type": "credit_note",
        "credits_invoice": invoice.number or "",
    }
    for line in note.lines:
        yield {
            **common,
            "line": str(line.position),
            "kind": line.kind,
            "description": line.description,
            "metric": "",
            "quantity": _quantity(-line.quantity),
            "unit_amount": "",
            "unit_code": line.unit_code,
            "price": format_unit_amount(line.price, currency),
            "base_quantity": _quantity(line.base_quantity),
            "amount": format_money(-line.amount, currency),
        }
    yield {
        **common,
        "line": str(len(note.lines) + 1),
        "kind": "tax",
        "description": f"VAT {percent(invoice.tax_rate)}%"
        + (f" - {invoice.tax_note}" if invoice.tax_note else ""),
        "metric": "",
        "quantity": "",
        "unit_amount": "",
        "unit_code": "",
        "price": "",
        "base_quantity": "",
        "amount": format_money(-note.tax_amount, currency),
    }


def export_csv(invoices: Iterable[Invoice]) -> str:
    return write_csv(COLUMNS, export_rows(invoices), numeric=NUMERIC_COLUMNS)
