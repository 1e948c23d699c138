"""Stripe webhooks: verified, stored by event id, then processed. A replay finds the event stored and
processed and changes nothing; events arriving out of order are applied from Stripe's current state of
the object, not from the snapshot they carry, so the last word is always Stripe's."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from daas.core import clock
from daas.db import insert_ignoring_conflicts
from daas.extensions import db
from daas.payments import gateway
from daas.payments.gateway import GatewayUnavailable
from daas.payments.models import PaymentProfile, StripeEvent
from daas.payments.refunds import apply_stripe_refund
from daas.payments.services import CollectionPolicy, apply_payment_intent

log = logging.getLogger(__name__)


def store_event(event: dict[str, Any]) -> bool:
    """Keep the event; False when it was received before (a replay). The caller commits."""
    inserted = db.session.execute(
        insert_ignoring_conflicts(StripeEvent.__table__, "id").returning(StripeEvent.__table__.c.id),
        [{"id": event["id"], "type": event["type"], "payload": event}],
    ).all()
    return bool(inserted)


def _payment_intent(event: dict[str, Any], policy: CollectionPolicy) -> str:
    snapshot = event["data"]["object"]
    current = gateway.retrieve_payment_intent(policy.stripe, snapshot["id"])
    return apply_payment_intent(current, policy)


def _payment_method(event: dict[str, Any], policy: CollectionPolicy) -> str:
    """A card was attached or detached outside daas: follow the customer's default as Stripe has it."""
    obj = event["data"]["object"]
    customer_id = obj.get("customer") if obj.get("object") == "payment_method" else obj.get("id")
    if event["type"] == "payment_method.detached":
        profile = db.session.scalar(
            select(PaymentProfile).where(PaymentProfile.default_payment_method == obj["id"])
        )
        if profile is not None:
            profile.default_payment_method = profile.card_brand = profile.card_last4 = None
        return "detached"
    profile = db.session.scalar(
        select(PaymentProfile).where(PaymentProfile.stripe_customer_id == customer_id)
    )
    if profile is None:
        return "ignored"
    default = (
        (obj.get("invoice_settings") or {}).get("default_payment_method")
        if obj.get("object") == "customer"
        else profile.default_payment_method
    )
    if default and default != profile.default_payment_method:
        profile.default_payment_method = default
    return "updated"


HANDLERS = {
    "payment_intent.succeeded": _payment_intent,
    "payment_intent.payment_failed": _payment_intent,
    "payment_intent.processing": _payment_intent,
    "payment_intent.canceled": _payment_intent,
    "charge.refunded": lambda event, policy: "refunds follow refund events",
    "refund.created": lambda event, policy: apply_stripe_refund(event["data"]["object"]),
    "refund.updated": lambda event, policy: apply_stripe_refund(event["data"]["object"]),
    "payment_method.attached": _payment_method,
    "payment_method.detached": _payment_method,
    "customer.updated": _payment_method,
}


def process_event(event_id: str, policy: CollectionPolicy) -> str:
    """Apply a stored event once (commits). Unknown types are marked processed and ignored."""
    stored = db.session.scalar(select(StripeEvent).where(StripeEvent.id == event_id).with_for_update())
    if stored is None or stored.processed_at is not None:
        db.session.rollback()
        return "done before"
    handler = HANDLERS.get(stored.type)
    try:
        outcome = handler(stored.payload, policy) if handler else "ignored"
    except GatewayUnavailable as error:
        db.session.rollback()
        failed = db.session.get(StripeEvent, event_id)
        failed.error = f"Stripe unavailable: {error}"[:2000]
        db.session.commit()
        return "retry later"
    stored.processed_at, stored.error = clock.now(), None
    db.session.commit()
    return outcome


def unprocessed_events(limit: int = 500) -> list[str]:
    return list(
        db.session.scalars(
            select(StripeEvent.id)
            .where(StripeEvent.processed_at.is_(None))
            .order_by(StripeEvent.received_at)
            .limit(limit)
        )
    )
