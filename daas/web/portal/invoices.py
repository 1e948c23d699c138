"""Invoices: the list with how each is being paid and what is still owed, each invoice's page (its lines,
totals, credit notes), and every issued document as the customer keeps it: the PDF (Factur-X) and the
e-invoices (UBL, or CII with `?syntax=cii`) of each invoice and credit note, the same bytes on every
download; and the list of the credit notes on the customer's invoices."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from daas.billing import invoices as billing
from daas.billing.document_builder import document_line
from daas.billing.labels import unit
from daas.billing.tax import percent
from daas.core import clock
from daas.core.money import format_unit_amount
from daas.downloads import PDF_MIMETYPE, download
from daas.settings import current_settings
from daas.usecases.invoices import credit_note_file, invoice_file
from daas.web.pages import audience, pager
from daas.web.portal import blp, queries
from daas.web.portal.common import customer_scope
from daas.web.portal.forms import InvoiceFilterForm


@blp.get("/invoices")
@audience("customer")
def invoices() -> Any:
    form = InvoiceFilterForm()
    status = form.status.data if form.validate() and form.status.data else None
    page = pager(25)
    rows, total = billing.list_invoices(
        status=status, customer_scope=customer_scope(), offset=page.offset, limit=page.size
    )
    today = clock.today()
    return render_template(
        "portal/invoices.html",
        form=form,
        invoices=rows,
        state={invoice.id: queries.payment_state(invoice, today) for invoice in rows},
        amount_due=queries.amount_due(customer_scope()),
        pager=page.with_total(total),
        filtered=status is not None,
    )


@blp.get("/invoices/<int:invoice_id>")
@audience("customer")
def invoices_show(invoice_id: int) -> Any:
    invoice = billing.get_invoice(invoice_id, customer_scope())
    currency = invoice.currency
    return render_template(
        "portal/invoice.html",
        invoice=invoice,
        state=queries.payment_state(invoice, clock.today()),
        lines=[(line, document_line(n, line)) for n, line in enumerate(invoice.lines, start=1)],
        unit_amount=lambda amount: format_unit_amount(amount, currency),
        quantity=lambda value, code: unit(value, code, "en"),
        percent=percent,
    )


def _send(file: Any) -> Any:
    """A PDF opens in the browser; an e-invoice is saved, for the customer's accounting software."""
    return download(file.content, file.mimetype, file.name, inline=file.mimetype == PDF_MIMETYPE)


@blp.get("/invoices/<int:invoice_id>.pdf")
@audience("customer")
def invoices_pdf(invoice_id: int) -> Any:
    return _send(invoice_file(invoice_id, "pdf", current_settings().issuer, customer_scope()))


@blp.get("/invoices/<int:invoice_id>.xml")
@audience("customer")
def invoices_xml(invoice_id: int) -> Any:
    syntax = request.args.get("syntax")
    return _send(invoice_file(invoice_id, "xml", current_settings().issuer, customer_scope(), syntax))


@blp.get("/invoices/<int:invoice_id>/credit-notes/<int:note_id>.pdf")
@audience("customer")
def invoices_credit_note_pdf(invoice_id: int, note_id: int) -> Any:
    return _send(credit_note_file(invoice_id, note_id, "pdf", current_settings().issuer, customer_scope()))


@blp.get("/invoices/<int:invoice_id>/credit-notes/<int:note_id>.xml")
@audience("customer")
def invoices_credit_note_xml(invoice_id: int, note_id: int) -> Any:
    syntax = request.args.get("syntax")
    issuer = current_settings().issuer
    return _send(credit_note_file(invoice_id, note_id, "xml", issuer, customer_scope(), syntax))


@blp.get("/invoices/credit-notes", endpoint="invoices_credit_notes")
@audience("customer")
def credit_notes() -> Any:
    page = pager(25)
    notes, total = queries.credit_notes(customer_scope(), page.offset, page.size)
    return render_template(
        "portal/credit_notes.html",
        notes=notes,
        numbers=queries.invoice_numbers(note.invoice_id for note in notes),
        pager=page.with_total(total),
    )
