"""Invoices and credit notes as the PDF files people download (API and pages alike): the document as
the invoice recorded it, rendered in the house style, with the name it is saved under."""

from __future__ import annotations

from daas.billing.invoices import Issuer, credit_note_document, get_invoice, invoice_document
from daas.billing.pdf import render_credit_note, render_invoice
from daas.core.errors import NotFound


def invoice_file(invoice_id: int, issuer: Issuer, customer_scope: int | None = None) -> tuple[bytes, str]:
    """The invoice's PDF (a draft is marked DRAFT and named after its id) and its file name."""
    invoice = get_invoice(invoice_id, customer_scope)
    name = invoice.number or f"draft-{invoice.id}"
    return render_invoice(invoice_document(invoice, issuer)), f"{name}.pdf"


def credit_note_file(
    invoice_id: int, note_id: int, issuer: Issuer, customer_scope: int | None = None
) -> tuple[bytes, str]:
    """A credit note of the invoice as a PDF, and its file name; NotFound if it is not that invoice's."""
    invoice = get_invoice(invoice_id, customer_scope)
    note = next((n for n in invoice.credit_notes if n.id == note_id), None)
    if note is None:
        raise NotFound(f"No credit note {note_id} on invoice {invoice_id}.")
    document = credit_note_document(note, invoice, issuer)
    return render_credit_note(document), f"{note.number}.pdf"
