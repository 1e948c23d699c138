"""Reading what the outbox recorded, for the tests of the workflows that record events: the events of a
type (or the one of a type and key), and the check that an event's data carries exactly its type's keys."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from daas.extensions import db
from daas.outbox.event_types import EVENT_TYPES
from daas.outbox.models import OutboxEvent


def events(type_: str) -> list[OutboxEvent]:
    """The events of `type_`, oldest first, read again from the database."""
    db.session.expire_all()
    return list(
        db.session.scalars(select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.id))
    )


def keys(type_: str) -> list[str]:
    return [event.key for event in events(type_)]


def the_event(type_: str, key: str) -> OutboxEvent:
    """The one event of `type_` about `key` (an AssertionError naming what there is otherwise)."""
    found = [event for event in events(type_) if event.key == key]
    assert len(found) == 1, (type_, key, keys(type_))
    return found[0]


def assert_event(event: OutboxEvent, customer_id: int | None, data: dict[str, Any]) -> None:
    """The event is about `customer_id` and its data is `data` (as JSON carries it: Decimals and dates
    as text), with every key its type lists and no other."""
    assert set(event.data) == set(EVENT_TYPES[event.type].fields), (event.type, sorted(event.data))
    assert event.customer_id == customer_id
    assert event.data == data
    assert event.event_id.startswith("evt_") and event.dispatched_at is None
