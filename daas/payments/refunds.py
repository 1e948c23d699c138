"""Refunds through Stripe for credit notes on card-paid invoices: recorded first, then asked of Stripe,
then confirmed, like payments (see services.py): a lost answer is looked up before asking again. The
steps flush only; daas.usecases.payments commits after each of them."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, or_, select, update

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.models import CreditNote, Invoice
from daas.core import clock
from daas.db import Money
from daas.extensions import db
from daas.payments import gateway
from daas.payments.collection import IGNORED, UNCLEAR, CollectionPolicy
from daas.payments.gateway import GatewayUnavailable, PaymentDeclined
from daas.payments.models import (
    CARD,
    REFUND_FAILED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    Payment,
    Refund,
)

# A Stripe refund's status as daas records it (anything else is still pending).
_STRIPE_STATUS = {"succeeded": REFUND_SUCCEEDED, "failed": REFUND_FAILED, "canceled": REFUND_FAILED}


def card_refund(invoice: Invoice, amount: Decimal) -> tuple[Payment, Decimal] | None:
    """What a credit of `amount` (gross) refunds by card on the invoice: a paid invoice's latest card
    payment, up to what it has left to refund. None when nothing is refunded by card. Reads only, so the
    pages can show it before finance confirms the credit note."""
    if invoice.status != lifecycle.PAID:
        return None
    payment = db.session.scalar(
        select(Payment)
        .where(Payment.invoice_id == invoice.id, Payment.method == CARD)
        .order_by(Payment.id.desc())
        .limit(1)
    )
    if payment is None:
        return None
    refunded = db.session.scalar(
        select(func.sum(Refund.amount, type_=Money)).where(
            Refund.payment_id == payment.id, Refund.status != REFUND_FAILED
        )
    ) or Decimal(0)
    refund = min(amount, payment.amount - refunded)
    return (payment, refund) if refund > 0 else None


def plan_refund(credit_note: CreditNote) -> Refund | None:
    """A credit note on a paid invoice with a card payment refunds its amount: record the refund (to be
    committed before Stripe is asked, `claim_refund` and `ask_refund`). None when there is no card payment
    to refund."""
    invoice = db.session.get(Invoice, credit_note.invoice_id)
    planned = card_refund(invoice, credit_note.amount)
    if planned is None:
        return None
    payment, amount = planned
    refund = Refund(
        invoice_id=invoice.id,
        credit_note_id=credit_note.id,
        payment_id=payment.id,
        amount=amount,
        currency=invoice.currency,
        status=REFUND_PENDING,
        idempotency_key=f"daas-refund-{credit_note.id}",
    )
    db.session.add(refund)
    db.session.flush()
    return refund


def _apply(refund: Refund, stripe_refund: dict) -> str:
    refund.stripe_refund_id = stripe_refund["id"]
    refund.status = _STRIPE_STATUS.get(stripe_refund.get("status"), REFUND_PENDING)
    refund.claimed_until = None
    return refund.status


def claim_refund(refund_id: int, policy: CollectionPolicy) -> bool:
    """Hold a pending refund while this worker asks Stripe for it; False when another worker holds it (or
    it is not pending any more). The hold counts once it is committed."""
    now = clock.now()
    claimed = db.session.execute(
        update(Refund)
        .where(
            Refund.id == refund_id,
            Refund.status == REFUND_PENDING,
            or_(Refund.claimed_until.is_(None), Refund.claimed_until < now),
        )
        .values(claimed_until=now + policy.claim)
    ).rowcount
    return claimed == 1


def ask_refund(refund_id: int, policy: CollectionPolicy) -> str:
    """Ask Stripe for a recorded, claimed refund, or find the one an unclear earlier call made, and apply
    the answer: its status, or UNCLEAR, with the claim released, when Stripe cannot be reached."""
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
        refund.status, refund.failure_message, refund.claimed_until = (
            REFUND_FAILED,
            declined.message[:500],
            None,
        )
        db.session.flush()
        return REFUND_FAILED
    except GatewayUnavailable:
        refund.claimed_until = None
        db.session.flush()
        return UNCLEAR
    outcome = _apply(refund, stripe_refund)
    db.session.flush()
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
        return IGNORED
    if refund.status == REFUND_SUCCEEDED:
        return REFUND_SUCCEEDED
    refund.stripe_refund_id = stripe_refund.get("id")
    refund.status = _STRIPE_STATUS.get(stripe_refund.get("status"), REFUND_PENDING)
    return refund.status


def pending_refunds(limit: int = 500) -> list[int]:
    now = clock.now()
    return list(
        db.session.scalars(
            select(Refund.id)
            .where(
                Refund.status == REFUND_PENDING,
                or_(Refund.claimed_until.is_(None), Refund.claimed_until < now),
            )
            .limit(limit)
        )
    )
