"""What the webhook tests do again and again: register an endpoint, run a delivery pass, read back the
deliveries and attempts, check a signature as a receiver would."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from daas.core import clock
from daas.extensions import db
from daas.notifications import signing
from daas.notifications.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from daas.notifications.policy import NotificationSettings
from daas.usecases.notifications import DeliveryReport, deliver_notifications
from daas.usecases.webhooks import create_webhook_endpoint
from tests.webhooks.conftest import Received


def endpoint(
    customer_id: int | None,
    url: str,
    settings: NotificationSettings,
    events: Sequence[str] = ("*",),
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint (the customer's, or None: the provider's) and its secret, as the API makes one."""
    return create_webhook_endpoint(customer_id, {"url": url, "events": list(events)}, settings.webhooks, None)


def deliver(settings: NotificationSettings) -> DeliveryReport:
    return deliver_notifications("test", settings)


def deliveries_of(endpoint_id: int) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id)
            .execution_options(populate_existing=True)
        )
    )


def attempts_of(delivery_id: int) -> list[WebhookAttempt]:
    return list(
        db.session.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.id)
        )
    )


def fresh(endpoint_id: int) -> WebhookEndpoint:
    found = db.session.get(WebhookEndpoint, endpoint_id, populate_existing=True)
    assert found is not None
    return found


def verified(request: Received, secret: str, body: bytes | None = None) -> bool:
    """What a receiver checks: the signature of the body it got (or of `body`), now, with its secret."""
    return signing.verify(
        request.headers[signing.HEADER],
        request.body if body is None else body,
        secret,
        int(clock.now().timestamp()),
    )


def error_of(delivery: Any) -> str:
    return delivery.last_error or ""
