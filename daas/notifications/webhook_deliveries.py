"""What was delivered to an endpoint: its deliveries, newest first, each with its event and every attempt's
answer; and which delivery a caller may replay (its own, to an endpoint still enabled)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from daas.core.errors import Conflict, NotFound
from daas.db import fetch_page
from daas.extensions import db
from daas.notifications.models import DISABLED, PENDING, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from daas.notifications.webhook_endpoints import get_endpoint
from daas.outbox.models import OutboxEvent


@dataclass(frozen=True)
class DeliveryRecord:
    """A delivery as its owner sees it: the event it carries, where it stands, what each POST got."""

    id: int
    endpoint_id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    attempt_log: list[WebhookAttempt]


def records(deliveries: list[WebhookDelivery]) -> list[DeliveryRecord]:
    """The deliveries with their events and attempts (oldest first), in two queries."""
    ids = [row.id for row in deliveries]
    events = {
        event.id: event
        for event in db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.id.in_({row.event_id for row in deliveries}))
        )
    }
    attempts: dict[int, list[WebhookAttempt]] = defaultdict(list)
    for attempt in db.session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)).order_by(WebhookAttempt.id)
    ):
        attempts[attempt.delivery_id].append(attempt)
    return [
        DeliveryRecord(
            id=row.id,
            endpoint_id=row.endpoint_id,
            event_id=events[row.event_id].event_id,
            event_type=events[row.event_id].type,
            status=row.status,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at if row.status == PENDING else None,
            sent_at=row.sent_at,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            created_at=row.created_at,
            attempt_log=attempts[row.id],
        )
        for row in deliveries
    ]


def list_deliveries(
    endpoint_id: int, customer_scope: int | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[DeliveryRecord], int]:
    """The endpoint's deliveries, newest first, with their attempts."""
    endpoint = get_endpoint(endpoint_id, customer_scope)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
    )
    deliveries, total = fetch_page(query, offset, limit)
    return records(deliveries), total


def get_delivery(delivery_id: int, customer_scope: int | None = None) -> WebhookDelivery:
    """The delivery, if it goes to one of the caller's endpoints (staff: any)."""
    found = db.session.execute(
        select(WebhookDelivery, WebhookEndpoint.customer_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.id == delivery_id)
    ).first()
    if found is None or (customer_scope is not None and found[1] != customer_scope):
        raise NotFound(f"No webhook delivery {delivery_id}.")
    return found[0]


def check_replayable(delivery_id: int, customer_scope: int | None = None) -> WebhookDelivery:
    """The delivery, if the caller may replay it: its own, to an endpoint that is enabled (409 else:
    enable the endpoint first)."""
    found = get_delivery(delivery_id, customer_scope)
    endpoint = get_endpoint(found.endpoint_id, lock=True)
    if endpoint.status == DISABLED:
        raise Conflict(
            f"Webhook endpoint {endpoint.id} is disabled: enable it before replaying its deliveries.",
            errors={"endpoint": [f"Endpoint {endpoint.id} is disabled."]},
        )
    return found
