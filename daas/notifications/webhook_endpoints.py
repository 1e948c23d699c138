"""INTERFACE (replaced by the webhook work): endpoints, and an event's deliveries."""

from __future__ import annotations

from daas.notifications.models import WebhookDelivery
from daas.outbox.models import OutboxEvent


def deliveries_for(event: OutboxEvent) -> list[WebhookDelivery]:
    """One pending delivery per enabled endpoint listening for the event's type (not added to the session)."""
    return []
