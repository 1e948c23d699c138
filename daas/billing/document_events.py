"""The outbox events of issued documents: `invoice.issued` for each finalized invoice and
`credit_note.issued` for each credit note, recorded in the transaction that numbers them and keeps their
files, with the ids of the PDF and the UBL kept (what the customer's e-mail attaches).

A chunk of a billing run finalizes up to thousands of invoices: their events are recorded as one batch
(daas.outbox.batch), from what finalization holds already, without reading anything per invoice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from daas.billing.issuing import PDF, UBL
from daas.billing.models import CreditNote, Invoice
from daas.outbox.batch import NewEvent, record_events
from daas.outbox.services import record_event

INVOICE_ISSUED = "invoice.issued"
CREDIT_NOTE_ISSUED = "credit_note.issued"


def _attached(files: Mapping[str, int]) -> list[int]:
    return [files[PDF], files[UBL]]


def record_invoices_issued(invoices: Sequence[Invoice], files: Mapping[int, Mapping[str, int]]) -> None:
    """`invoice.issued` for each of these just finalized invoices; `files`: invoice id -> format ->
    issued document id (issuing.issue_invoice_files)."""
    record_events(
        INVOICE_ISSUED,
        [
            NewEvent(
                key=f"invoice:{invoice.id}",
                customer_id=invoice.customer_id,
                data={
                    "invoice_id": invoice.id,
                    "number": invoice.number,
                    "period": invoice.period,
                    "issue_date": invoice.issued_on,
                    "due_date": invoice.due_date,
                    "currency": invoice.currency,
                    "total": invoice.total,
                },
                documents=_attached(files[invoice.id]),
            )
            for invoice in invoices
        ],
    )


def record_credit_note_issued(note: CreditNote, invoice: Invoice, files: Mapping[str, int]) -> None:
    """`credit_note.issued` for a credit note just issued on `invoice`, with its files (format -> id)."""
    record_event(
        CREDIT_NOTE_ISSUED,
        key=f"credit_note:{note.id}",
        customer_id=invoice.customer_id,
        data={
            "credit_note_id": note.id,
            "number": note.number,
            "invoice_id": invoice.id,
            "invoice_number": invoice.number,
            "issue_date": note.issued_on,
            "currency": note.currency,
            "total": note.amount,
            "reason": note.reason,
        },
        documents=_attached(files),
    )
