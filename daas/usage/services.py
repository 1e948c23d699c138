"""Storing usage events exactly once per customer transaction id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from daas.extensions import db
from daas.usage.models import UsageEvent


def store_usage_events(customer_id: int, events: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Store events not seen before for this customer; return (accepted, duplicates).

    Each event is a dict of UsageEvent columns (contract_id, metric_id, transaction_id, timestamp,
    quantity, properties) already checked by the caller. A transaction id seen before, in the store or
    earlier in the same batch, is a duplicate and is not stored again.
    """
    events = list(events)
    ids = {event["transaction_id"] for event in events}
    known = set(
        db.session.scalars(
            select(UsageEvent.transaction_id).where(
                UsageEvent.customer_id == customer_id, UsageEvent.transaction_id.in_(ids)
            )
        )
    )
    accepted = duplicates = 0
    for event in events:
        if event["transaction_id"] in known:
            duplicates += 1
            continue
        known.add(event["transaction_id"])
        db.session.add(UsageEvent(customer_id=customer_id, **event))
        accepted += 1
    db.session.flush()
    return accepted, duplicates
