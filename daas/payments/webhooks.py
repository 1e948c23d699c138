"""Stripe webhooks: verified, stored by event id, then processed. A replay finds the event stored and
processed and changes nothing; events arriving out of order are applied from Stripe's current state of
the object, not from the snapshot they carry, so the last word is always Stripe's.

One bad event never blocks the others. Processing an event is one attempt: claimed first (`claim_event`:
its attempt counted and its next try set, committed), so two workers never run it at once and a worker
that dies midway leaves it to be tried again later; then applied in a transaction of its own
(`apply_event`). Whatever applying it raises (Stripe does not know the object, Stripe is unavailable, an
unexpected shape, a domain rule) is rolled back and recorded on the event (`record_failure`), which is
tried again by the payments job after the delays of DAAS_WEBHOOK_RETRY_MINUTES; when they are used up it
is given up and stays `failed`, with its error, for finance to read and retry by hand. The steps flush
only: daas.usecases.payments commits (or rolls back) between them.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select, update

from daas.core import clock
from daas.core.errors import BadRequest, DomainError, NotFound
from daas.core.text import DEPTH_MESSAGE, first_refusal
from daas.db import fetch_page, insert_ignoring_conflicts
from daas.extensions import db
from daas.payments import gateway
from daas.payments.collection import IGNORED, CollectionPolicy, apply_payment_intent
from daas.payments.gateway import GatewayRefused, GatewayUnavailable
from daas.payments.models import (
    EVENT_FAILED,
    EVENT_PENDING,
    EVENT_PROCESSED,
    PaymentProfile,
    StripeEvent,
)
from daas.payments.refunds import apply_stripe_refund

log = logging.getLogger(__name__)

# Stripe's ids and types ("evt_1Nv...", "payment_intent.succeeded"); an id also names the event in URLs.
EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
EVENT_TYPE = re.compile(r"[A-Za-z0-9_.-]{1,100}")
ERROR_LENGTH = 2000
# What an attempt at an event comes to when it failed: tried again later, or not any more.
RETRY_LATER, GIVEN_UP = "retry later", "given up"
# Why an attempt was not made: no such event or processed already, its next try not due, or another
# worker claimed it first.
DONE_BEFORE, NOT_DUE, BUSY = "done before", "not due", "busy"


# -- when to try again (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EventRetries:
    """The delays before each new attempt after a failed one: after the first failure the first delay,
    and so on; an event whose every delay is used up (1 + len(delays) attempts) is given up."""

    delays: tuple[timedelta, ...]

    @property
    def max_attempts(self) -> int:
        return len(self.delays) + 1

    def after(self, attempts: int, failed_at: datetime) -> datetime | None:
        """When to try again after `attempts` failed attempts; None: given up."""
        if attempts < self.max_attempts:
            return failed_at + self.delays[attempts - 1]
        return None

    @classmethod
    def parse(cls, minutes: str) -> EventRetries:
        """ "1,5,30" -> 1, 5 and 30 minutes; positive and never shorter than the one before."""
        values = [int(part) for part in minutes.replace(" ", "").split(",") if part]
        if not values or values[0] <= 0 or values != sorted(values):
            raise ValueError(f"webhook retry minutes must be positive and ascending: {minutes!r}")
        return cls(tuple(timedelta(minutes=value) for value in values))


# -- reading a verified event ---------------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_event(payload: bytes) -> dict[str, Any]:
    """The Stripe event in a webhook body whose signature was verified. BadRequest (400) naming what is
    missing or cannot be stored: an event needs a string `id` (Stripe's characters, at most 100) and
    `type`, and `data.object`, the object it is about."""
    try:
        event = json.loads(payload.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError as error:
        raise _refused("body", DEPTH_MESSAGE) from error
    except ValueError as error:
        raise _refused("body", f"The event is not JSON: {error}") from error
    if not isinstance(event, dict):
        raise _refused("body", "A Stripe event is a JSON object.")
    errors: dict[str, list[str]] = {}
    for name, pattern in (("id", EVENT_ID), ("type", EVENT_TYPE)):
        value = event.get(name)
        if not isinstance(value, str) or not value:
            errors[name] = ["Missing: a Stripe event has one."]
        elif len(value) > 100:
            errors[name] = [f"At most 100 characters, not {len(value)}."]
        elif not pattern.fullmatch(value):
            errors[name] = ["Letters, digits, '_' and '-' only" + (" (and '.')." if name == "type" else ".")]
    data = event.get("data")
    if not isinstance(data, dict):
        errors["data"] = ["Missing: a Stripe event carries its object in data.object."]
    elif not isinstance(data.get("object"), dict):
        errors["data.object"] = ["Missing: the object the event is about."]
    if not errors and (refusal := first_refusal(event)) is not None:
        errors[refusal.path] = [refusal.message]
    if errors:
        raise BadRequest(
            f"Not a Stripe event daas can store ({', '.join(errors)}); nothing was stored.", errors=errors
        )
    return event


def _refused(field: str, message: str) -> BadRequest:
    return BadRequest(f"{message} Nothing was stored.", errors={field: [message]})


# -- handlers -------------------------------------------------------------------------------------------


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
        return IGNORED
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


def describe_failure(error: Exception) -> str:
    """What finance reads on a failed event."""
    if isinstance(error, GatewayUnavailable):
        text = f"Stripe unavailable: {error}"
    elif isinstance(error, GatewayRefused):
        text = str(error)
    elif isinstance(error, DomainError):
        text = error.message
    elif isinstance(error, KeyError | TypeError | AttributeError | IndexError):
        text = f"The event has an unexpected shape ({type(error).__name__}: {error})."
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:ERROR_LENGTH]


# -- storing and processing -----------------------------------------------------------------------------


def store_event(event: dict[str, Any]) -> bool:
    """Keep the event, due for processing at once; False when it was received before (a replay)."""
    inserted = db.session.execute(
        insert_ignoring_conflicts(StripeEvent.__table__, "id").returning(StripeEvent.__table__.c.id),
        [
            {
                "id": event["id"],
                "type": event["type"],
                "payload": event,
                "status": EVENT_PENDING,
                "attempts": 0,
                "next_attempt_at": clock.now(),
            }
        ],
    ).all()
    return bool(inserted)


@dataclass(frozen=True)
class EventClaim:
    """An attempt at an event this worker holds: the event's type and payload, the attempt's number and
    when it started."""

    kind: str
    payload: dict[str, Any]
    attempts: int
    at: datetime


def claim_event(event_id: str, retries: EventRetries, force: bool) -> EventClaim | str:
    """Count an attempt at a due event (any event not processed when `force`) and set when the next one
    is due should this one never report back; the claim holds once committed. Returns why not otherwise:
    DONE_BEFORE (no such event, or processed), NOT_DUE, or BUSY (another worker claimed it first)."""
    now = clock.now()
    stored = db.session.execute(
        select(
            StripeEvent.type,
            StripeEvent.payload,
            StripeEvent.status,
            StripeEvent.attempts,
            StripeEvent.next_attempt_at,
        ).where(StripeEvent.id == event_id)
    ).first()
    if stored is None or stored.status == EVENT_PROCESSED:
        return DONE_BEFORE
    if not force and (stored.next_attempt_at is None or stored.next_attempt_at > now):
        return NOT_DUE
    attempts = stored.attempts + 1
    claimed = db.session.execute(
        update(StripeEvent)
        .where(
            StripeEvent.id == event_id,
            StripeEvent.attempts == stored.attempts,
            StripeEvent.status != EVENT_PROCESSED,
        )
        .values(
            attempts=attempts,
            last_attempt_at=now,
            next_attempt_at=retries.after(attempts, now) or now + retries.delays[-1],
        )
    ).rowcount
    return EventClaim(stored.type, stored.payload, attempts, now) if claimed == 1 else BUSY


def apply_event(event_id: str, claim: EventClaim, policy: CollectionPolicy) -> str:
    """Apply a claimed event through its type's handler (unknown types are processed by ignoring them)
    and mark it processed; returns the handler's outcome. Raises whatever the handler raises: the caller
    rolls that back and records it (`record_failure`)."""
    handler = HANDLERS.get(claim.kind)
    outcome = handler(claim.payload, policy) if handler else IGNORED
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event_id)
        .values(status=EVENT_PROCESSED, processed_at=clock.now(), next_attempt_at=None, error=None)
    )
    return outcome


def record_failure(event_id: str, claim: EventClaim, error: Exception, retries: EventRetries) -> str:
    """The attempt failed (its work rolled back): log it, keep why on the event, and when to try again
    (counted from the attempt's start). Returns RETRY_LATER or GIVEN_UP."""
    if isinstance(error, GatewayUnavailable | GatewayRefused | DomainError):
        log.warning("Stripe event %s (%s) attempt %d failed: %s", event_id, claim.kind, claim.attempts, error)
    else:
        log.error(
            "Stripe event %s (%s) attempt %d failed",
            event_id,
            claim.kind,
            claim.attempts,
            exc_info=error,
        )
    retry_at = retries.after(claim.attempts, claim.at)
    db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.id == event_id, StripeEvent.status != EVENT_PROCESSED)
        .values(status=EVENT_FAILED, error=describe_failure(error), next_attempt_at=retry_at)
    )
    return RETRY_LATER if retry_at is not None else GIVEN_UP


def due_events(limit: int = 500) -> list[str]:
    """Events whose (re)try time has come, the longest waiting first."""
    ids = db.session.scalars(
        select(StripeEvent.id)
        .where(StripeEvent.status != EVENT_PROCESSED, StripeEvent.next_attempt_at <= clock.now())
        .order_by(StripeEvent.next_attempt_at, StripeEvent.id)
        .limit(limit)
    ).all()
    return list(ids)


# -- what finance sees and does -------------------------------------------------------------------------


def given_up_condition() -> ColumnElement[bool]:
    """Events daas no longer retries (`StripeEvent.given_up`) as an SQL condition: failed, no next try."""
    return (StripeEvent.status == EVENT_FAILED) & StripeEvent.next_attempt_at.is_(None)


def list_events(
    status: str | None = None,
    type: str | None = None,
    given_up: bool | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[StripeEvent], int]:
    """Stored events, the latest received first, optionally in one status, of one type, or (not) given
    up; and how many there are."""
    query = select(StripeEvent)
    if status:
        query = query.where(StripeEvent.status == status)
    if type:
        query = query.where(StripeEvent.type == type)
    if given_up is not None:
        query = query.where(given_up_condition() if given_up else ~given_up_condition())
    order = (StripeEvent.received_at.desc(), StripeEvent.id.desc())
    return fetch_page(query.order_by(*order), offset, limit)


def get_event(event_id: str) -> StripeEvent:
    stored = db.session.get(StripeEvent, event_id)
    if stored is None:
        raise NotFound(f"No Stripe event {event_id}.")
    return stored
