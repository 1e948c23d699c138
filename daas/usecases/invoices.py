"""Workflows on one invoice: finalize a reviewed draft (its documents rendered and kept) and collect it
by card, void an issued invoice with its full credit note, and download an invoice's or credit note's
files.

Credit notes are issued with their refund in `daas.usecases.payments.issue_credit_note`, bank transfers
recorded in `daas.usecases.payments.record_bank_transfer`.
"""

from __future__ import annotations

from daas.billing import credit_notes, files, invoices
from daas.billing.issuer import Issuer
from daas.billing.issuing import DocumentSettings
from daas.billing.models import CreditNote, Invoice
from daas.payments import collection
from daas.payments.collection import CollectionPolicy
from daas.usecases.payments import collect_invoices
from daas.usecases.transaction import commit, use_case


@use_case
def finalize_invoice_and_collect(
    invoice_id: int, documents: DocumentSettings, policy: CollectionPolicy
) -> Invoice:
    """Finalize one reviewed draft (the next number of its year, an issue date, a due date from the
    customer's payment terms, the buyer recorded, its PDF and e-invoices rendered and kept) and, when the
    customer has a card, collect it now: the invoice is committed before Stripe is called. Refused
    (Conflict) for an invoice that is not a draft, or whose customer's VAT situation changed since it was
    computed. Returns the invoice as it stands after the collection."""
    invoice = invoices.finalize_invoice(invoice_id, documents)
    collection.schedule_collection([invoice], policy.stripe)
    commit()
    collect_invoices([invoice.id], policy)
    return invoices.get_invoice(invoice.id)


@use_case
def void_invoice(invoice_id: int, reason: str, actor: str, issuer: Issuer) -> CreditNote | None:
    """Cancel an open invoice nothing was paid against by issuing its full credit note with the reason
    (the invoice keeps its number and is void). Refused (Conflict) otherwise: an invoice that was paid is
    credited instead, which refunds. Returns the credit note."""
    return credit_notes.void_invoice(invoice_id, reason, actor, issuer)


# The files of an issued document are kept when it is issued; one issued before that is rendered and kept
# on its first download, which is why a download is a use case.
invoice_file = use_case(files.invoice_file)
credit_note_file = use_case(files.credit_note_file)
