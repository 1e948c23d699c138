"""Recording an event in the caller's transaction, and reading them back.

`record_event` only adds and flushes: the event stands or falls with the transaction of the workflow
that made it true (a use case commits or rolls back). It is recorded once per (type, key): the second
call for the same fact returns the first row, and two transactions racing on one fact meet on the unique
key, the loser's savepoint rolled back.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from daas.core import clock
from daas.core.errors import NotFound
from daas.extensions import db
from daas.outbox.event_types import EVENT_TYPES
from daas.outbox.models import OutboxEvent


def new_event_id() -> str:
    return f"evt_{secrets.token_hex(12)}"


def json_safe(value: Any) -> Any:
    """Decimals as exact strings, dates and moments in ISO 8601: what a webhook body can carry."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _existing(type_: str, key: str) -> OutboxEvent | None:
    return db.session.scalar(select(OutboxEvent).where(OutboxEvent.type == type_, OutboxEvent.key == key))


def record_event(
    type_: str,
    *,
    key: str,
    customer_id: int | None,
    data: Mapping[str, Any],
    documents: Sequence[int] = (),
) -> OutboxEvent:
    """Add the event `type_` about `key` to the outbox, in the current transaction (see the module)."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    found = _existing(type_, key)
    if found is not None:
        return found
    event = OutboxEvent(
        event_id=new_event_id(),
        type=type_,
        key=key[:200],
        customer_id=customer_id,
        data=json_safe(dict(data)),
        documents=list(documents),
        created_at=clock.now(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(event)
    except IntegrityError:
        found = _existing(type_, key)
        if found is None:
            raise
        return found
    return event


def get_event(event_id: str, customer_scope: int | None = None) -> OutboxEvent:
    event = db.session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == event_id))
    if event is None or (customer_scope is not None and event.customer_id != customer_scope):
        raise NotFound(f"No event {event_id}.")
    return event


def list_events(
    customer_scope: int | None = None,
    type_: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[OutboxEvent], int]:
    """The newest first; a customer sees its own only."""
    query = select(OutboxEvent)
    if customer_scope is not None:
        query = query.where(OutboxEvent.customer_id == customer_scope)
    if type_ is not None:
        query = query.where(OutboxEvent.type == type_)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(OutboxEvent.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def events_of(type_: str, key_prefix: str) -> list[OutboxEvent]:
    """The events of one type whose key starts with `key_prefix` (the reminders of one invoice)."""
    return list(
        db.session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.type == type_, OutboxEvent.key.startswith(key_prefix, autoescape=True))
            .order_by(OutboxEvent.id)
        )
    )
