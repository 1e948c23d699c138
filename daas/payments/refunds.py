"""Refunds through Stripe for credit notes on card-paid invoices: recorded first, then asked of Stripe,
then confirmed, like payments (see services.py): a lost answer is looked up before asking again."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, or_, select, update

from daas.billing.invoices import create_credit_note
from daas.billing.models import CreditNote, Invoice
from daas.core import clock
from daas.extensions import db
from daas.payments import gateway
from daas.payments.gateway import GatewayUnavailable, PaymentDeclined
from daas.payments.models import Payment, Refund
from daas.payments.services import CollectionPolicy


def plan_refund(credit_note: CreditNote) -> Refund | None:
    """A credit note on a paid invoice with a card payment refunds its amount: record the refund (the caller
    commits, then calls `execute_refund`). None when there is no card payment to refund."""
    invoice = db.session.get(Invoice, credit_note.invoice_id)
    if invoice.status != "paid":
        return None
    payment = db.session.scalar(
        select(Payment)
        .where(Payment.invoice_id == invoice.id, Payment.method == "card")
        .order_by(Payment.id.desc())
    )
    if payment is None:
        return None
    refunded = db.session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.payment_id == payment.id, Refund.status != "failed"
        )
    ) or Decimal(0)
    amount = min(credit_note.amount, payment.amount - refunded)
    if amount <= 0:
        return None
    refund = Refund(
        invoice_id=invoice.id,
        credit_note_id=credit_note.id,
        payment_id=payment.id,
        amount=amount,
        currency=invoice.currency,
        status="pending",
        idempotency_key=f"daas-refund-{credit_note.id}",
    )
    db.session.add(refund)
    db.session.flush()
    return refund


def _apply(refund: Refund, stripe_refund: dict) -> str:
    refund.stripe_refund_id = stripe_refund["id"]
    status = stripe_refund.get("status")
    refund.status = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}.get(
        status, "pending"
    )
    refund.claimed_until = None
    return refund.status


def execute_refund(refund_id: int, policy: CollectionPolicy) -> str:
    """Ask Stripe for a recorded refund, or find the one an unclear earlier call made (commits)."""
    now = clock.now()
    claimed = db.session.execute(
        update(Refund)
        .where(
            Refund.id == refund_id,
            Refund.status == "pending",
            or_(Refund.claimed_until.is_(None), Refund.claimed_until < now),
        )
        .values(claimed_until=now + policy.claim)
    ).rowcount
    db.session.commit()
    if not claimed:
        return "busy"
    refund = db.session.get(Refund, refund_id)
    payment = db.session.get(Payment, refund.payment_id)
    try:
        found = (
            gateway.find_refund(policy.stripe, payment.reference, refund.idempotency_key)
            if refund.stripe_refund_id is None
            else None
        )
        stripe_refund = found or gateway.refund(
            policy.stripe,
            payment_intent_id=payment.reference,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=refund.idempotency_key,
            metadata={
                "daas_refund": refund.idempotency_key,
                "daas_credit_note_id": str(refund.credit_note_id),
            },
        )
    except PaymentDeclined as declined:
        refund.status, refund.failure_message, refund.claimed_until = "failed", declined.message[:500], None
        db.session.commit()
        return "failed"
    except GatewayUnavailable:
        refund.claimed_until = None
        db.session.commit()
        return "unclear"
    outcome = _apply(refund, stripe_refund)
    db.session.commit()
    return outcome


def apply_stripe_refund(stripe_refund: dict) -> str:
    """A refund event from Stripe: bring the recorded refund in line."""
    key = (stripe_refund.get("metadata") or {}).get("daas_refund")
    refund = db.session.scalar(
        select(Refund).where(
            or_(Refund.stripe_refund_id == stripe_refund.get("id"), Refund.idempotency_key == key)
        )
    )
    if refund is None:
        return "ignored"
    if refund.status == "succeeded":
        return "succeeded"
    refund.stripe_refund_id = stripe_refund.get("id")
    refund.status = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}.get(
        stripe_refund.get("status"), "pending"
    )
    return refund.status


def pending_refunds(limit: int = 500) -> list[int]:
    now = clock.now()
    return list(
        db.session.scalars(
            select(Refund.id)
            .where(
                Refund.status == "pending", or_(Refund.claimed_until.is_(None), Refund.claimed_until < now)
            )
            .limit(limit)
        )
    )


def issue_credit_note(
    invoice_id: int, amount: Decimal, reason: str, actor: str, policy: CollectionPolicy
) -> tuple[CreditNote, str | None]:
    """Issue a credit note and, when the invoice was paid by card, refund it through Stripe: the note and
    its refund are committed first, then Stripe is asked (a lost answer is retried by the payments job).
    Returns the note and the refund's outcome (None when nothing is refunded by card)."""
    note = create_credit_note(invoice_id, amount, reason, actor)
    refund = plan_refund(note) if policy.stripe.enabled else None
    db.session.commit()
    return note, execute_refund(refund.id, policy) if refund is not None else None
