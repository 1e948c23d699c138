"""Workflows on one invoice: finalize a reviewed draft and collect it by card, void an open invoice.

Credit notes are issued with their refund in `daas.usecases.payments.issue_credit_note`, bank transfers
recorded in `daas.usecases.payments.record_bank_transfer`.
"""

from __future__ import annotations

from daas.billing import invoices
from daas.billing.models import Invoice
from daas.payments import collection
from daas.payments.collection import CollectionPolicy
from daas.usecases.payments import collect_invoices
from daas.usecases.transaction import commit, use_case


@use_case
def finalize_invoice_and_collect(invoice_id: int, issuer_country: str, policy: CollectionPolicy) -> Invoice:
    """Finalize one reviewed draft (the next number of its year, an issue date, a due date from the
    customer's payment terms) and, when the customer has a card, collect it now: the invoice is committed
    before Stripe is called. Refused (Conflict) for an invoice that is not a draft, or whose customer's
    VAT situation changed since it was computed. Returns the invoice as it stands after the collection."""
    invoice = invoices.finalize_invoice(invoice_id, issuer_country)
    collection.schedule_collection([invoice], policy.stripe)
    commit()
    collect_invoices([invoice.id], policy)
    return invoices.get_invoice(invoice.id)


@use_case
def void_invoice(invoice_id: int) -> Invoice:
    """Cancel an open invoice nothing was paid or credited against; it keeps its number. Refused
    (Conflict) otherwise: corrections of paid or credited invoices are credit notes."""
    voided = invoices.void_invoice(invoice_id)
    return invoices.get_invoice(voided.id)
