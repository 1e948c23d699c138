"""Payments workflows: collecting invoices by card, bank transfers, cards, credit notes and their refunds,
Stripe webhooks, and the payments job's round.

Card collections, refunds and webhook events commit as they go, at the points daas.payments describes:
an attempt (or a refund, or a claim on an event) is committed before Stripe is called, and what Stripe
answered is committed after, so a crash or a lost answer never charges or refunds twice and never loses a
payment. Those workflows therefore call `commit()` between the steps of the payments domain (which only
flush); the others are one transaction (`use_case`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from daas.billing.credit_notes import LineCredit, create_credit_note
from daas.billing.issuer import Issuer
from daas.billing.models import CreditNote
from daas.core.errors import BadRequest, Conflict
from daas.payments import cards, collection, refunds, services, webhooks
from daas.payments.collection import CollectionPolicy, CollectionReport
from daas.payments.gateway import BadSignature, verify_signature
from daas.payments.models import EVENT_PROCESSED, PaymentProfile, StripeEvent
from daas.payments.webhooks import GIVEN_UP, RETRY_LATER, EventRetries
from daas.usecases.transaction import commit, roll_back, use_case

log = logging.getLogger(__name__)
# What receiving a webhook answers when the event is stored but its first attempt could not be made.
STORED = "stored"


# -- card collection ------------------------------------------------------------------------------------


def _charge(attempt_id: int, policy: CollectionPolicy) -> str:
    """Steps 2 and 3 of a claimed attempt; what Stripe answered is committed."""
    outcome = collection.charge_attempt(attempt_id, policy)
    commit()
    return outcome


def _reconcile(attempt_id: int, policy: CollectionPolicy) -> str:
    """Finish an attempt whose outcome is not known: claim it (committed, so that other workers leave it
    alone), ask Stripe what became of it, and charge only if Stripe never saw it."""
    claimed = collection.claim_attempt(attempt_id, policy)
    commit()
    if not claimed:
        return collection.BUSY
    outcome = collection.look_up_attempt(attempt_id, policy)
    if outcome is None:
        return _charge(attempt_id, policy)
    commit()
    return outcome


def _collect_invoice(invoice_id: int, policy: CollectionPolicy) -> str:
    """One collection of a due invoice by card: its attempt committed before Stripe hears of it."""
    invoice = collection.collectable_invoice(invoice_id)
    if invoice is None:
        roll_back()
        return collection.NOTHING_DUE
    active = collection.active_attempt(invoice.id)
    if active is not None:
        roll_back()
        return _reconcile(active, policy)
    try:
        attempt = collection.record_attempt(invoice, policy)
        commit()  # step 1: the attempt exists before Stripe hears of it
    except IntegrityError:
        roll_back()  # another worker recorded an attempt for this invoice first
        return collection.BUSY
    if attempt is None:
        return collection.NO_CARD
    return _charge(attempt.id, policy)


def _collect(policy: CollectionPolicy, invoice_ids: Iterable[int] | None, limit: int) -> CollectionReport:
    report = CollectionReport()
    if not policy.stripe.enabled:
        return report
    stale_ids, due_ids = collection.collection_due(policy, invoice_ids, limit)
    roll_back()  # each attempt and invoice is then taken in transactions of its own
    for attempt_id in stale_ids:
        report.count(_reconcile(attempt_id, policy))
    for invoice_id in due_ids:
        report.count(_collect_invoice(invoice_id, policy))
        report.invoices.append(invoice_id)
    return report


@use_case
def collect_due_invoices(
    policy: CollectionPolicy, invoice_ids: Iterable[int] | None = None, limit: int = 500
) -> CollectionReport:
    """Collect by card what is due now (among `invoice_ids` when given): attempts whose outcome is unclear
    first, then invoices whose (re)try time has come, each in transactions of its own."""
    return _collect(policy, invoice_ids, limit)


@use_case
def collect_invoices(invoice_ids: list[int], policy: CollectionPolicy) -> CollectionReport:
    """Collect by card what is due now among these invoices (just finalized, say): their unclear attempts
    first, each attempt committed before Stripe is called and its outcome after."""
    return _collect(policy, invoice_ids, 500)


@use_case
def collect_invoice_now(invoice_id: int, policy: CollectionPolicy) -> CollectionReport:
    """Finance asks for a card collection of an open invoice now, outside the retry schedule: it is made
    due (committed; a Conflict when there is nothing to collect or no card), then collected."""
    collection.request_collection(invoice_id, policy.stripe)
    commit()
    return _collect(policy, [invoice_id], 500)


# -- cards ----------------------------------------------------------------------------------------------


start_card_setup = use_case(cards.start_card_setup)


@use_case
def save_card(
    customer_id: int, payment_method: str, policy: CollectionPolicy, customer_scope: int | None = None
) -> tuple[PaymentProfile, CollectionReport]:
    """Make a Stripe PaymentMethod the customer's default card (committed), then collect the customer's
    open invoices with it at once. Returns the profile and what the collection did."""
    profile = cards.save_payment_method(customer_id, payment_method, policy.stripe, customer_scope)
    commit()
    return profile, _collect(policy, services.open_invoice_ids(customer_id), 500)


# -- bank transfers -------------------------------------------------------------------------------------


record_bank_transfer = use_case(services.record_bank_transfer)


# -- credit notes and refunds ---------------------------------------------------------------------------


def _execute_refund(refund_id: int, policy: CollectionPolicy) -> str:
    """Claim a recorded refund (committed), ask Stripe for it, or find the one an unclear earlier call
    made, and commit the answer."""
    claimed = refunds.claim_refund(refund_id, policy)
    commit()
    if not claimed:
        return collection.BUSY
    outcome = refunds.ask_refund(refund_id, policy)
    commit()
    return outcome


@use_case
def issue_credit_note(
    invoice_id: int,
    reason: str,
    actor: str,
    issuer: Issuer,
    policy: CollectionPolicy,
    *,
    amount: Decimal | None = None,
    lines: Sequence[LineCredit] = (),
) -> tuple[CreditNote, str | None]:
    """Issue a credit note (lines of the invoice or an amount, net; the invoice's VAT rate added; its PDF
    and e-invoices kept) and, when the invoice was paid by card, refund it through Stripe: the note and
    its refund are committed first, then Stripe is asked (a lost answer is retried by the payments job).
    Returns the note and the refund's outcome (None when nothing is refunded by card)."""
    note = create_credit_note(invoice_id, reason, actor, issuer, amount=amount, lines=lines)
    return note, refund_credit_note(note, policy)


def refund_credit_note(note: CreditNote, policy: CollectionPolicy) -> str | None:
    """The step after a credit note is issued: on an invoice paid by card its refund is recorded, the
    work so far committed (the note with it), and Stripe asked. The refund's outcome, None when nothing
    is refunded by card."""
    refund = refunds.plan_refund(note) if policy.stripe.enabled else None
    commit()
    return _execute_refund(refund.id, policy) if refund is not None else None


@use_case
def execute_refunds(policy: CollectionPolicy) -> list[str]:
    """Ask Stripe for the recorded refunds no worker holds (unclear or never asked), one at a time; their
    outcomes. Nothing without Stripe."""
    if not policy.stripe.enabled:
        return []
    return [_execute_refund(refund_id, policy) for refund_id in refunds.pending_refunds()]


# -- Stripe webhooks ------------------------------------------------------------------------------------


def _process_event(event_id: str, policy: CollectionPolicy, retries: EventRetries, force: bool) -> str:
    """One attempt at a stored event: claimed (committed), then applied in a transaction of its own;
    whatever applying raises is rolled back and recorded on the event (committed), never raised."""
    claim = webhooks.claim_event(event_id, retries, force)
    commit()
    if isinstance(claim, str):
        return claim
    try:
        outcome = webhooks.apply_event(event_id, claim, policy)
        commit()
    except Exception as error:  # whatever one event raises is recorded on it
        roll_back()
        outcome = webhooks.record_failure(event_id, claim, error, retries)
        commit()
    return outcome


@use_case
def process_webhook_event(event_id: str, policy: CollectionPolicy, retries: EventRetries) -> str:
    """One attempt at a stored event if it is due. Returns the handler's outcome, why nothing was done
    ("done before", "not due", "busy"), or RETRY_LATER / GIVEN_UP when the attempt failed (recorded on the
    event)."""
    return _process_event(event_id, policy, retries, force=False)


@use_case
def receive_webhook(
    payload: bytes, signature: str | None, policy: CollectionPolicy, retries: EventRetries
) -> tuple[StripeEvent, str]:
    """A webhook from Stripe: its signature checked with the endpoint's secret (BadRequest, nothing
    stored, when it does not check out or the body is not an event daas can store), the event stored
    (committed), then its first attempt made. A replay changes nothing. Whatever happens after the event
    is stored, it is answered as received: the payments job takes it from there. Returns the stored event
    and the attempt's outcome (STORED when the attempt could not even be recorded)."""
    try:
        verify_signature(payload, signature, policy.stripe.webhook_secret)
    except BadSignature as error:
        raise BadRequest(
            "The webhook's signature does not check out; nothing was stored.",
            errors={"Stripe-Signature": [str(error)]},
        ) from error
    event = webhooks.read_event(payload)
    webhooks.store_event(event)
    commit()
    try:
        outcome = _process_event(event["id"], policy, retries, force=False)
    except SQLAlchemyError:  # the event is stored and due: the payments job tries it again
        roll_back()
        log.exception("Stripe event %s is stored; processing it failed", event["id"])
        outcome = STORED
    return webhooks.get_event(event["id"]), outcome


@use_case
def retry_webhook_event(
    event_id: str, policy: CollectionPolicy, retries: EventRetries
) -> tuple[StripeEvent, str]:
    """Finance asks for one more attempt at an event now, outside the schedule: a processed event is a
    Conflict, an unknown one NotFound. The attempt counts like any other: an event failing again keeps its
    schedule, and one that was given up stays given up. Returns the event and the attempt's outcome."""
    stored = webhooks.get_event(event_id)
    if stored.status == EVENT_PROCESSED:
        raise Conflict(
            f"Stripe event {event_id} was processed; there is nothing to retry.",
            errors={"status": ["Already processed."]},
        )
    roll_back()
    outcome = _process_event(event_id, policy, retries, force=True)
    return webhooks.get_event(event_id), outcome


# -- the payments job -----------------------------------------------------------------------------------


@use_case
def run_payment_round(policy: CollectionPolicy, retries: EventRetries) -> dict[str, Any]:
    """One round of collection work (what the payments job and `flask daas payments collect` do): webhook
    events due for their (re)try, refunds and attempts whose outcome is unclear, and card collections
    whose (re)try time has come. Each event is tried in its own transactions and a failure is recorded on
    it, so one bad event never keeps the refunds and collections after it from running. Returns counts
    for the job's record."""
    event_ids = webhooks.due_events()
    roll_back()  # each event is then claimed in a transaction of its own
    events = [_process_event(event_id, policy, retries, force=False) for event_id in event_ids]
    outcomes = (
        [_execute_refund(refund_id, policy) for refund_id in refunds.pending_refunds()]
        if policy.stripe.enabled
        else []
    )
    report = _collect(policy, None, 500)
    return {
        "events": len(events),
        "events_failed": sum(outcome in (RETRY_LATER, GIVEN_UP) for outcome in events),
        "events_given_up": events.count(GIVEN_UP),
        "refunds": len(outcomes),
        "attempted": report.attempted,
        "succeeded": report.succeeded,
        "failed": report.failed,
        "uncollectible": report.uncollectible,
        "unclear": report.unclear,
    }
