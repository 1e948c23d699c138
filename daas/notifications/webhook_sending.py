"""A delivery's signed POST, and recording what came back.

The body is the event as receivers see it, `{"id", "type", "created", "data"}`, compact JSON with sorted
keys; `Daas-Signature` signs those exact bytes with the endpoint's secret (daas.notifications.signing).
`prepare_delivery` reads what to send (the caller then closes its transaction: no transaction stays
open while a receiver answers); `post_webhook` sends it (daas.notifications.safe_http); `record_answer`
keeps the attempt and the endpoint's failing streak, and disables an endpoint that has failed for the
whole disable window, all only while the sender still holds the delivery's lease.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from daas.core import clock
from daas.core.errors import NotFound
from daas.extensions import db
from daas.notifications import signing
from daas.notifications.models import (
    DISABLED,
    ENABLED,
    PENDING,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from daas.notifications.policy import NotificationSettings
from daas.notifications.retry_rules import failing_too_long
from daas.notifications.safe_http import Answer, OutgoingWebhook, post_webhook
from daas.notifications.webhook_endpoints import disable_failing_endpoint
from daas.outbox.models import OutboxEvent

__all__ = [
    "Answer",
    "EndpointDisabled",
    "OutgoingWebhook",
    "event_body",
    "post_webhook",
    "prepare_delivery",
    "record_answer",
]

USER_AGENT = "daas-webhooks/1"
EVENT_ID_HEADER = "Daas-Event-Id"


class EndpointDisabled(Exception):
    """The delivery's endpoint was disabled after it was claimed: nothing is posted (the sender records
    the failure, and it waits on its schedule for the endpoint to be enabled again)."""


def event_body(event: OutboxEvent) -> dict[str, Any]:
    """What a receiver gets of an event (and GET /api/v1/events shows)."""
    return {
        "id": event.event_id,
        "type": event.type,
        "created": int(event.created_at.timestamp()),
        "data": event.data,
    }


def body_bytes(event: OutboxEvent) -> bytes:
    return json.dumps(event_body(event), separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def prepare_delivery(delivery_id: int) -> OutgoingWebhook:
    """The delivery's URL, signed body and headers (plain values: the session may close after this)."""
    found = db.session.execute(
        select(WebhookDelivery, WebhookEndpoint, OutboxEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id == delivery_id)
    ).first()
    if found is None:
        raise NotFound(f"No webhook delivery {delivery_id}.")
    _, endpoint, event = found
    if endpoint.status == DISABLED:
        raise EndpointDisabled(f"webhook endpoint {endpoint.id} is disabled")
    body = body_bytes(event)
    return OutgoingWebhook(
        delivery_id=delivery_id,
        url=endpoint.url,
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_ID_HEADER: event.event_id,
            signing.HEADER: signing.header_value(endpoint.secret, int(clock.now().timestamp()), body),
        },
    )


def _held(delivery_id: int, owner: str) -> WebhookDelivery | None:
    """The delivery, locked, if `owner` still holds its lease."""
    return db.session.scalar(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.lease_owner == owner,
            WebhookDelivery.status == PENDING,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def record_answer(delivery_id: int, owner: str, answer: Answer, settings: NotificationSettings) -> bool:
    """Keep the attempt and what it means for its endpoint (see the module). False, and nothing written,
    when `owner` no longer holds the delivery (another sender took it after the lease ran out); the
    caller then records the delivery as sent or failed."""
    endpoint_id = db.session.scalar(
        select(WebhookDelivery.endpoint_id).where(WebhookDelivery.id == delivery_id)
    )
    if endpoint_id is None:
        return False
    # The endpoint first, then the delivery: the order every writer of both takes (no deadlock).
    endpoint = db.session.get(WebhookEndpoint, endpoint_id, with_for_update=True, populate_existing=True)
    row = _held(delivery_id, owner)
    if row is None or endpoint is None:
        return False
    now = clock.now()
    attempted_at = now - timedelta(milliseconds=answer.duration_ms)
    db.session.add(
        WebhookAttempt(
            delivery_id=row.id,
            attempted_at=attempted_at,
            status_code=answer.status_code,
            response_excerpt=answer.excerpt,
            error=answer.error,
            duration_ms=answer.duration_ms,
        )
    )
    row.last_status_code = answer.status_code
    if answer.ok:
        endpoint.failing_since = None
    else:
        if endpoint.failing_since is None:
            endpoint.failing_since = attempted_at
        if endpoint.status == ENABLED and failing_too_long(
            endpoint.failing_since, now, settings.webhooks.disable_after
        ):
            disable_failing_endpoint(endpoint, row.id)
    db.session.flush()
    return True
