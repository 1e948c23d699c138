"""Payments workflows: collecting invoices by card, bank transfers, cards, credit notes and their refunds,
Stripe webhooks, and the payments job's round.

Card collections, refunds and webhook events are commit-as-you-go workflows (see daas.payments.services):
each step that talks to Stripe starts from committed state, so a crash or a lost answer never charges or
refunds twice and never loses a payment.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from daas.billing.models import CreditNote
from daas.payments import refunds, services
from daas.payments.models import Payment
from daas.payments.services import CollectionPolicy, CollectionReport
from daas.usecases.transaction import use_case


def collect_invoices(invoice_ids: list[int], policy: CollectionPolicy) -> CollectionReport:
    """Collect by card what is due now among these invoices (their unclear attempts first), committing
    each attempt before Stripe is called and its outcome after."""
    return services.collect_due(policy, invoice_ids=invoice_ids)


def issue_credit_note(
    invoice_id: int, amount: Decimal, reason: str, actor: str, policy: CollectionPolicy
) -> tuple[CreditNote, str | None]:
    """Issue a credit note and, when the invoice was paid by card, refund it through Stripe: the note and
    its refund are committed first, then Stripe is asked (a lost answer is retried by the payments job).
    Returns the note and the refund's outcome (None when nothing is refunded by card)."""
    return refunds.issue_credit_note(invoice_id, amount, reason, actor, policy)


@use_case
def record_bank_transfer(
    invoice_id: int, amount: Decimal, reference: str, paid_on: date, actor: str
) -> tuple[Payment, bool]:
    """Finance records a transfer received for an invoice; the same reference with the same values again
    changes nothing. Returns the payment and whether it is new."""
    return services.record_bank_transfer(invoice_id, amount, reference, paid_on, actor)
