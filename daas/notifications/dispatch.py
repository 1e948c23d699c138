"""Fanning events out: each undispatched event becomes its e-mails (one per recipient) and its webhook
deliveries (one per endpoint listening for its type), in the same transaction that marks it dispatched.

Events are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two schedulers fan out different
events; the unique (event, address) and (event, endpoint) keys would refuse a second fan-out anyway. An
event whose fan-out fails (a template that cannot render its data) is marked dispatched with its error,
in its own savepoint, so one bad event never holds up the others; admin sees the error.
"""

from __future__ import annotations

from sqlalchemy import select

from daas.core import clock
from daas.core.errors import Conflict, NotFound
from daas.extensions import db
from daas.notifications.emails import email_messages_for
from daas.notifications.policy import NotificationSettings
from daas.notifications.webhook_endpoints import deliveries_for
from daas.outbox.models import OutboxEvent


def undispatched(limit: int) -> list[OutboxEvent]:
    query = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(query))


def dispatch_event(event: OutboxEvent, settings: NotificationSettings) -> tuple[int, int]:
    """Write the event's e-mails and deliveries; (e-mails, deliveries) written."""
    emails = email_messages_for(event, settings)
    deliveries = deliveries_for(event)
    db.session.add_all([*emails, *deliveries])
    event.dispatched_at = clock.now()
    db.session.flush()
    return len(emails), len(deliveries)


def dispatch_events(settings: NotificationSettings, limit: int) -> tuple[int, int]:
    """Fan out up to `limit` events; (events dispatched, of which failed)."""
    events = undispatched(limit)
    failed = 0
    for event in events:
        try:
            with db.session.begin_nested():
                dispatch_event(event, settings)
        except Exception as error:  # one bad event is recorded and the rest go on
            failed += 1
            event.dispatched_at = clock.now()
            event.dispatch_error = f"{type(error).__name__}: {error}"[:2000]
            db.session.flush()
    return len(events), failed


def redispatch_event(event_id: int) -> OutboxEvent:
    """Admin's retry of an event whose fan-out failed: it is fanned out again at the next round."""
    event = db.session.get(OutboxEvent, event_id, with_for_update=True, populate_existing=True)
    if event is None:
        raise NotFound(f"No event {event_id}.")
    if event.dispatch_error is None and event.dispatched_at is not None:
        raise Conflict(f"Event {event.event_id} was fanned out; resend its e-mails or deliveries instead.")
    event.dispatched_at = None
    event.dispatch_error = None
    db.session.flush()
    return event
