"""One-off charge workflows, each one transaction: add a charge, propose one, approve or waive it, the
customer's dispute, and finance's decision on it. Granting the dispute of a billed charge credits its
invoice line (daas.billing.credit_notes) and, on an invoice paid by card, refunds it; the credit note and
the waived charge are committed together, before Stripe is asked.

The rules are in daas.charges, which flushes and raises but never commits.
"""

from __future__ import annotations

from daas.billing.charge_lines import charge_line
from daas.billing.credit_notes import LineCredit, create_credit_note, creditable
from daas.billing.invoices import lock_invoice
from daas.billing.issuer import Issuer
from daas.charges import services
from daas.charges.models import OneOffCharge
from daas.core.errors import Conflict
from daas.payments.collection import CollectionPolicy
from daas.usecases.payments import refund_credit_note
from daas.usecases.transaction import use_case

add_charge = use_case(services.add_charge)
propose_charge = use_case(services.propose_charge)
approve_charge = use_case(services.approve_charge)
waive_charge = use_case(services.waive_charge)
dispute_charge = use_case(services.dispute_charge)
uphold_dispute = use_case(services.uphold_dispute)


@use_case
def grant_dispute(
    charge_id: int, actor: str, issuer: Issuer, policy: CollectionPolicy, note: str | None = None
) -> OneOffCharge:
    """The customer is right: the charge is waived. A billed charge is credited first: a credit note of
    what is left of its invoice line, with the invoice's VAT, issued with its files; refunded by card when
    the invoice was paid by card. Refused (409) unless the charge is disputed, or when its invoice cannot
    be credited (void, or its line credited in full already)."""
    charge = services.lock_charge(charge_id)
    services.check_grant(charge)
    if charge.invoice_id is not None:
        line = charge_line(charge)
        left = creditable(lock_invoice(charge.invoice_id)).lines.get(line.id)
        if not left or left <= 0:
            raise Conflict(
                f"The line of charge {charge.id} on invoice {charge.invoice_number} was credited in full "
                "already: there is nothing left to credit.",
                errors={"status": ["Its invoice line has nothing left to credit."]},
            )
        reason = f"Dispute of charge {charge.id} granted: {charge.description}"
        note_issued = create_credit_note(
            charge.invoice_id, reason[:500], actor, issuer, lines=[LineCredit(line.id, left)]
        )
        granted = services.grant_dispute(charge.id, actor, note, note_issued.id)
        refund_credit_note(note_issued, policy)
        return granted
    return services.grant_dispute(charge.id, actor, note)
