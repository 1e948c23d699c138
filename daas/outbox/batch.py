"""Recording many events of one type at once, for workflows that make many facts true together (a chunk
of finalized invoices, a day's reminders): one query for the keys already recorded and one INSERT of
the rest (executemany), where `record_event` would read and insert once per event.

Like `record_event` it only adds and flushes, in the caller's transaction, once per (type, key). Should
another transaction record one of the keys at the same moment, the batch's savepoint is rolled back and
each event is recorded alone, the unique key deciding each race.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from daas.core import clock
from daas.extensions import db
from daas.outbox.event_types import EVENT_TYPES
from daas.outbox.models import OutboxEvent
from daas.outbox.services import json_safe, new_event_id, record_event

# Keys per IN list: well within what PostgreSQL and SQLite bind in one statement.
KEYS_PER_QUERY = 5000


@dataclass(frozen=True)
class NewEvent:
    """One event of a batch: the fact's key, whom it is about, its data and the documents it attaches."""

    key: str
    customer_id: int | None
    data: Mapping[str, Any]
    documents: Sequence[int] = field(default=())


def recorded_keys(type_: str, keys: Iterable[str]) -> set[str]:
    """Which of these keys have an event of `type_` already."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        found.update(
            db.session.scalars(
                select(OutboxEvent.key).where(
                    OutboxEvent.type == type_, OutboxEvent.key.in_(wanted[start : start + KEYS_PER_QUERY])
                )
            )
        )
    return found


def record_events(type_: str, events: Sequence[NewEvent]) -> int:
    """Add the events of `type_` whose keys have none yet, in the current transaction; how many were
    added (an event named twice in the batch counts once)."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}")
    known = recorded_keys(type_, (event.key for event in events))
    fresh: dict[str, NewEvent] = {}
    for event in events:
        if event.key not in known:
            fresh.setdefault(event.key, event)
    if not fresh:
        return 0
    now = clock.now()
    rows = [
        {
            "event_id": new_event_id(),
            "type": type_,
            "key": event.key,
            "customer_id": event.customer_id,
            "data": json_safe(dict(event.data)),
            "documents": list(event.documents),
            "created_at": now,
        }
        for event in fresh.values()
    ]
    try:
        with db.session.begin_nested():
            db.session.execute(insert(OutboxEvent.__table__), rows)
    except IntegrityError:  # another transaction recorded some of them meanwhile
        recorded_meanwhile = recorded_keys(type_, fresh)
        fresh = {key: event for key, event in fresh.items() if key not in recorded_meanwhile}
        for event in fresh.values():
            record_event(
                type_,
                key=event.key,
                customer_id=event.customer_id,
                data=event.data,
                documents=event.documents,
            )
    return len(fresh)
