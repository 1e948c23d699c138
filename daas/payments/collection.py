"""Collecting invoices by card through Stripe.

A card collection is three short steps, never a database transaction held open over a network call:
1. record a payment attempt (`record_attempt`), which the database allows only once per invoice at a time;
2. ask Stripe for an off-session PaymentIntent, tagged with the attempt and the invoice (`charge_attempt`);
3. apply what Stripe answered (`charge_attempt`, `apply_payment_intent`).
The workflow that strings the steps (daas.usecases.payments) commits after each of them. A crash or a lost
answer between 1 and 3 leaves the attempt `pending`; the next run claims it (`claim_attempt`), looks up
what Stripe already has for it (`look_up_attempt`), and only creates a PaymentIntent when Stripe has none.
So an invoice is never charged twice, whatever Stripe does with idempotency keys, and a payment is never
lost.

Kept apart from the payment profile (daas.payments.cards) and bank transfers (daas.payments.services)
because these steps, and the outcomes they come to, are what the collection workflow, webhooks and refunds
share.

Every function here flushes and locks but never commits or rolls back: which of their writes stand, and
when, is the use case's decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.invoices import lock_invoice, run_invoices, settle_invoice
from daas.billing.models import Invoice
from daas.core import clock, money
from daas.core.errors import Conflict, NotFound
from daas.extensions import db
from daas.payments import gateway
from daas.payments.cards import collection_method_for, require_stripe
from daas.payments.dunning import next_retry
from daas.payments.events import record_payment_failed, record_payment_succeeded
from daas.payments.gateway import GatewayUnavailable, PaymentDeclined, StripeSettings
from daas.payments.models import (
    ATTEMPT_ACTIVE,
    ATTEMPT_FAILED,
    ATTEMPT_FINISHED,
    ATTEMPT_PENDING,
    ATTEMPT_PROCESSING,
    ATTEMPT_SUCCEEDED,
    ATTEMPT_UNFINISHED,
    BANK_TRANSFER,
    CARD,
    Payment,
    PaymentAttempt,
    PaymentProfile,
)

# What a collection step comes to: an attempt's status (succeeded, failed, processing), UNCOLLECTIBLE
# (failed, and the retry schedule is used up), or one of these.
UNCOLLECTIBLE = lifecycle.UNCOLLECTIBLE
UNCLEAR = "unclear"  # Stripe could not be reached: the next run looks the attempt up before charging
BUSY = "busy"  # another worker holds the attempt, or recorded one for the invoice first
NOTHING_DUE = "nothing due"  # the invoice is not open, or nothing is owed on it
NO_CARD = "no card"  # the customer has no card any more: the invoice waits for a bank transfer
IGNORED = "ignored"  # not a PaymentIntent daas made, or an older state than the one applied
# Outcomes in which Stripe was asked to charge (or was asked about a charge).
ATTEMPTED = (ATTEMPT_SUCCEEDED, ATTEMPT_FAILED, UNCOLLECTIBLE, UNCLEAR, ATTEMPT_PROCESSING)


@dataclass(frozen=True)
class CollectionPolicy:
    stripe: StripeSettings
    retry_days: tuple[int, ...]
    claim: timedelta


@dataclass
class CollectionReport:
    attempted: int = 0
    succeeded: int = 0
    failed: int = 0
    unclear: int = 0
    uncollectible: int = 0
    invoices: list[int] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        """Count what one collection step came to."""
        self.attempted += outcome in ATTEMPTED
        self.succeeded += outcome == ATTEMPT_SUCCEEDED
        self.failed += outcome in (ATTEMPT_FAILED, UNCOLLECTIBLE)
        self.uncollectible += outcome == UNCOLLECTIBLE
        self.unclear += outcome == UNCLEAR


# -- scheduling -----------------------------------------------------------------------------------------


def request_collection(invoice_id: int, settings: StripeSettings) -> Invoice:
    """Finance asks for a card collection now, outside the retry schedule."""
    require_stripe(settings)
    invoice = lock_invoice(invoice_id)
    if not lifecycle.may(invoice.status, lifecycle.COLLECT) or invoice.amount_due <= 0:
        raise Conflict(
            f"Invoice {invoice_id} is {invoice.status} with nothing to collect.",
            errors={"status": [f"The invoice is {invoice.status}."]},
        )
    if collection_method_for(invoice.customer_id, settings) != CARD:
        raise Conflict(
            "The customer has no card: the invoice waits for a bank transfer.",
            errors={"payment_method": ["No default card."]},
        )
    invoice.collection_method, invoice.next_collection_at = CARD, clock.now()
    db.session.flush()
    return invoice


def schedule_collection(invoices: Iterable[Invoice], settings: StripeSettings) -> None:
    """Right after finalization: invoices with something due are collected by card where the customer
    has one (now), else they wait for a bank transfer."""
    now = clock.now()
    for invoice in invoices:
        if not lifecycle.may(invoice.status, lifecycle.COLLECT) or invoice.amount_due <= 0:
            continue
        invoice.collection_method = collection_method_for(invoice.customer_id, settings)
        invoice.next_collection_at = now if invoice.collection_method == CARD else None
    db.session.flush()


def schedule_run_collection(run_id: int, settings: StripeSettings) -> None:
    """Schedule the collection of what a billing run finalized."""
    schedule_collection(run_invoices(run_id), settings)


# -- applying what Stripe says --------------------------------------------------------------------------


def _record_failure(
    attempt: PaymentAttempt, invoice: Invoice, code: str | None, message: str, policy: CollectionPolicy
) -> str:
    """The attempt failed: schedule the next try, or give up and mark the invoice uncollectible; the
    customer hears of it (`payment.failed`) unless nothing is owed on the invoice any more."""
    attempt.status, attempt.failure_code, attempt.failure_message = ATTEMPT_FAILED, code, message[:500]
    attempt.claimed_until, attempt.finished_at = None, clock.now()
    db.session.flush()
    if not lifecycle.may(invoice.status, lifecycle.COLLECT):
        return ATTEMPT_FAILED  # paid by transfer, credited or voided meanwhile: nothing more to schedule
    failed = (PaymentAttempt.invoice_id == invoice.id, PaymentAttempt.status == ATTEMPT_FAILED)
    failures = db.session.scalar(select(func.count()).where(*failed))
    first = db.session.scalar(select(func.min(PaymentAttempt.finished_at)).where(*failed)) or clock.now()
    invoice.failed_attempts = failures
    retry_at = next_retry(first, failures, policy.retry_days)
    record_payment_failed(attempt, invoice, retry_at)
    if retry_at is None:
        invoice.status = lifecycle.next_status(invoice.status, lifecycle.MARK_UNCOLLECTIBLE, invoice.id)
        invoice.uncollectible_at, invoice.next_collection_at = clock.now(), None
        return UNCOLLECTIBLE
    invoice.next_collection_at = retry_at
    return ATTEMPT_FAILED


def _attempt_for_intent(intent: Any) -> PaymentAttempt | None:
    attempt = db.session.scalar(
        select(PaymentAttempt)
        .where(PaymentAttempt.stripe_payment_intent_id == intent["id"])
        .with_for_update()
    )
    if attempt is None:
        key = (intent.get("metadata") or {}).get("daas_attempt")
        if key:
            attempt = db.session.scalar(
                select(PaymentAttempt).where(PaymentAttempt.idempotency_key == key).with_for_update()
            )
    return attempt


def apply_payment_intent(intent: Any, policy: CollectionPolicy) -> str:
    """Bring the attempt and its invoice in line with a PaymentIntent as Stripe reports it. Safe to call
    again with the same or an older state: a succeeded attempt stays succeeded, a payment is recorded once.
    Returns what happened: succeeded, failed, uncollectible, processing or ignored."""
    attempt = _attempt_for_intent(intent)
    if attempt is None:
        return IGNORED  # not a PaymentIntent daas created
    invoice = lock_invoice(attempt.invoice_id)  # read again: a transfer may have been recorded meanwhile
    attempt.stripe_payment_intent_id = intent["id"]
    status = intent.get("status")
    if status == "succeeded":
        if attempt.status != ATTEMPT_SUCCEEDED:
            attempt.status, attempt.claimed_until, attempt.finished_at = (
                ATTEMPT_SUCCEEDED,
                None,
                clock.now(),
            )
            db.session.flush()
            currency = invoice.currency
            amount = Decimal(int(intent["amount"])).scaleb(-money.exponent(currency))
            db.session.add(
                Payment(
                    invoice_id=invoice.id,
                    amount=amount,
                    currency=currency,
                    method=CARD,
                    reference=intent["id"],
                    paid_on=clock.today(),
                    attempt_id=attempt.id,
                    actor="stripe",
                )
            )
            invoice.amount_paid += amount
            settle_invoice(invoice)
            record_payment_succeeded(attempt, invoice, amount)
            db.session.flush()
        return ATTEMPT_SUCCEEDED
    if attempt.status in ATTEMPT_FINISHED:
        return IGNORED  # an older state than the one already applied
    if status in ("processing", "requires_capture"):
        attempt.status = ATTEMPT_PROCESSING
        return ATTEMPT_PROCESSING
    error = intent.get("last_payment_error") or {}
    code = error.get("code") or ("authentication_required" if status == "requires_action" else status)
    message = error.get("message") or f"The payment is {status}."
    return _record_failure(attempt, invoice, code, message, policy)


# -- collecting: the steps a use case strings together ---------------------------------------------------


def collection_due(
    policy: CollectionPolicy, invoice_ids: Iterable[int] | None = None, limit: int = 500
) -> tuple[list[int], list[int]]:
    """What a collection round works on (reads only): unfinished attempts no worker holds, whose outcome
    must be looked up first, and open card invoices whose (re)try time has come; among `invoice_ids` when
    given."""
    now = clock.now()
    stale = select(PaymentAttempt.id).where(
        PaymentAttempt.status.in_(ATTEMPT_UNFINISHED),
        or_(PaymentAttempt.claimed_until.is_(None), PaymentAttempt.claimed_until < now),
    )
    due = select(Invoice.id).where(
        Invoice.status == lifecycle.OPEN, Invoice.collection_method == CARD, Invoice.next_collection_at <= now
    )
    if invoice_ids is not None:
        ids = list(invoice_ids)
        stale, due = stale.where(PaymentAttempt.invoice_id.in_(ids)), due.where(Invoice.id.in_(ids))
    stale_ids = db.session.scalars(stale.order_by(PaymentAttempt.id).limit(limit)).all()
    due_ids = db.session.scalars(due.order_by(Invoice.id).limit(limit)).all()
    return list(stale_ids), list(due_ids)


def collectable_invoice(invoice_id: int) -> Invoice | None:
    """The invoice, locked and read again, when a card collection may take something from it now; None
    when it is gone, not open, or nothing is owed on it."""
    try:
        invoice = lock_invoice(invoice_id)
    except NotFound:
        return None
    if not lifecycle.may(invoice.status, lifecycle.COLLECT) or invoice.amount_due <= 0:
        return None
    return invoice


def active_attempt(invoice_id: int) -> int | None:
    """The invoice's attempt that is unfinished or succeeded (at most one), if any."""
    return db.session.scalar(
        select(PaymentAttempt.id).where(
            PaymentAttempt.invoice_id == invoice_id, PaymentAttempt.status.in_(ATTEMPT_ACTIVE)
        )
    )


def record_attempt(invoice: Invoice, policy: CollectionPolicy) -> PaymentAttempt | None:
    """Step 1: record the next attempt at a collectable, locked invoice, claimed by this worker, before
    Stripe hears of it. None when the customer has no card (any more): the invoice then waits for a bank
    transfer. The flush raises IntegrityError when another worker recorded an active attempt first."""
    profile = db.session.get(PaymentProfile, invoice.customer_id)
    if not policy.stripe.enabled or profile is None or not profile.default_payment_method:
        invoice.collection_method, invoice.next_collection_at = BANK_TRANSFER, None
        db.session.flush()
        return None
    number = (
        db.session.scalar(
            select(func.max(PaymentAttempt.number)).where(PaymentAttempt.invoice_id == invoice.id)
        )
        or 0
    ) + 1
    attempt = PaymentAttempt(
        invoice_id=invoice.id,
        number=number,
        amount=invoice.amount_due,
        currency=invoice.currency,
        status=ATTEMPT_PENDING,
        idempotency_key=f"daas-invoice-{invoice.id}-attempt-{number}",
        payment_method=profile.default_payment_method,
        claimed_until=clock.now() + policy.claim,
    )
    db.session.add(attempt)
    invoice.next_collection_at = None
    db.session.flush()
    return attempt


def claim_attempt(attempt_id: int, policy: CollectionPolicy) -> bool:
    """Hold an unfinished attempt while this worker talks to Stripe; False when another worker holds it
    (or it is finished). The hold counts once it is committed."""
    now = clock.now()
    claimed = db.session.execute(
        update(PaymentAttempt)
        .where(
            PaymentAttempt.id == attempt_id,
            PaymentAttempt.status.in_(ATTEMPT_UNFINISHED),
            or_(PaymentAttempt.claimed_until.is_(None), PaymentAttempt.claimed_until < now),
        )
        .values(claimed_until=now + policy.claim)
    ).rowcount
    return claimed == 1


def charge_attempt(attempt_id: int, policy: CollectionPolicy) -> str:
    """Steps 2 and 3 for a recorded, claimed attempt: ask Stripe to charge the card, and apply the answer.
    A decline is recorded (and the next try scheduled); when Stripe cannot be reached the claim is
    released and the outcome is UNCLEAR: the next run looks the attempt up before charging again."""
    attempt = db.session.get(PaymentAttempt, attempt_id)
    invoice = db.session.get(Invoice, attempt.invoice_id)
    profile = db.session.get(PaymentProfile, invoice.customer_id)
    try:
        intent = gateway.charge_off_session(
            policy.stripe,
            amount=attempt.amount,
            currency=attempt.currency,
            stripe_customer_id=profile.stripe_customer_id,
            payment_method=attempt.payment_method,
            idempotency_key=attempt.idempotency_key,
            metadata={
                "daas_invoice_id": str(invoice.id),
                "daas_invoice_number": invoice.number or "",
                "daas_attempt": attempt.idempotency_key,
            },
        )
    except PaymentDeclined as declined:
        return _record_failure(attempt, lock_invoice(invoice.id), declined.code, declined.message, policy)
    except GatewayUnavailable:
        attempt.claimed_until = None
        db.session.flush()
        return UNCLEAR
    return apply_payment_intent(intent, policy)


def look_up_attempt(attempt_id: int, policy: CollectionPolicy) -> str | None:
    """A claimed attempt whose outcome is not known: what Stripe made of it, applied. None when Stripe
    never saw it (the caller charges it now); UNCLEAR, with the claim released, when Stripe cannot be
    reached."""
    attempt = db.session.get(PaymentAttempt, attempt_id)
    invoice = db.session.get(Invoice, attempt.invoice_id)
    profile = db.session.get(PaymentProfile, invoice.customer_id)
    try:
        if attempt.stripe_payment_intent_id:
            intent = gateway.retrieve_payment_intent(policy.stripe, attempt.stripe_payment_intent_id)
        else:
            intent = gateway.find_payment_intent(
                policy.stripe, profile.stripe_customer_id, attempt.idempotency_key
            )
    except GatewayUnavailable:
        db.session.execute(
            update(PaymentAttempt).where(PaymentAttempt.id == attempt_id).values(claimed_until=None)
        )
        return UNCLEAR
    if intent is None:
        return None
    return apply_payment_intent(intent, policy)
