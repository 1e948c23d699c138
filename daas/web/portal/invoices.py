"""Invoices: the list with how each is being paid and what is still owed, each invoice's PDF, and the
credit notes on them (list and PDF)."""

from __future__ import annotations

from typing import Any

from flask import render_template

from daas.billing import invoices as billing
from daas.core import clock
from daas.downloads import download
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


@blp.get("/invoices/<int:invoice_id>.pdf")
@audience("customer")
def invoices_pdf(invoice_id: int) -> Any:
    file = invoice_file(invoice_id, "pdf", current_settings().issuer, customer_scope())
    return download(file.content, file.mimetype, file.name, inline=True)


@blp.get("/invoices/<int:invoice_id>/credit-notes/<int:note_id>.pdf")
@audience("customer")
def invoices_credit_note_pdf(invoice_id: int, note_id: int) -> Any:
    file = credit_note_file(invoice_id, note_id, "pdf", current_settings().issuer, customer_scope())
    return download(file.content, file.mimetype, file.name, inline=True)


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
