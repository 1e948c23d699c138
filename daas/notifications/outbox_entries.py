"""What a row of each outbox list holds, read as columns joined in one query (an e-mail's bodies are not
among them): the e-mails and deliveries with the event they came from, and the events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from daas.notifications.models import EmailMessage, WebhookDelivery, WebhookEndpoint
from daas.outbox.models import OutboxEvent

# An event's state as admin sees it: not fanned out yet, fanned out, or fanned out with an error.
EVENT_WAITING = "waiting"
EVENT_DISPATCHED = "dispatched"
EVENT_FAILED = "failed"
EVENT_STATES = (EVENT_WAITING, EVENT_DISPATCHED, EVENT_FAILED)


def event_state(dispatched_at: datetime | None, dispatch_error: str | None) -> str:
    if dispatch_error is not None:
        return EVENT_FAILED
    return EVENT_WAITING if dispatched_at is None else EVENT_DISPATCHED


@dataclass(frozen=True)
class EventRef:
    """The event an e-mail or delivery came from, as its lists show it."""

    id: int
    event_id: str
    type: str
    key: str
    customer_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class EmailEntry:
    id: int
    customer_id: int | None
    to_address: str
    language: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    event: EventRef


@dataclass(frozen=True)
class DeliveryEntry:
    id: int
    endpoint_id: int
    url: str
    endpoint_customer_id: int | None  # None: an endpoint of the provider's own
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    event: EventRef


@dataclass(frozen=True)
class EventEntry:
    id: int
    event_id: str
    type: str
    key: str
    customer_id: int | None
    created_at: datetime
    dispatched_at: datetime | None
    dispatch_error: str | None
    emails: int
    deliveries: int

    @property
    def state(self) -> str:
        return event_state(self.dispatched_at, self.dispatch_error)


_EVENT_REF = (
    OutboxEvent.id.label("ref_id"),
    OutboxEvent.event_id.label("ref_event_id"),
    OutboxEvent.type.label("ref_type"),
    OutboxEvent.key.label("ref_key"),
    OutboxEvent.customer_id.label("ref_customer_id"),
    OutboxEvent.created_at.label("ref_created_at"),
)


def entry_values(row: Any) -> dict[str, Any]:
    """A row of `email_rows` or `delivery_rows` (and of any columns added to them) as keyword arguments,
    the event's columns gathered in `event`."""
    values = dict(row._mapping)
    event = EventRef(**{name: values.pop(f"ref_{name}") for name in EventRef.__dataclass_fields__})
    return {**values, "event": event}


_EMAIL_COLUMNS = (
    EmailMessage.id,
    EmailMessage.customer_id,
    EmailMessage.to_address,
    EmailMessage.language,
    EmailMessage.subject,
    EmailMessage.status,
    EmailMessage.attempts,
    EmailMessage.next_attempt_at,
    EmailMessage.last_error,
    EmailMessage.sent_at,
    EmailMessage.created_at,
    *_EVENT_REF,
)


def email_rows() -> Select[Any]:
    """The select of e-mail entries (filter it, order it, then `email_entry` each row)."""
    return select(*_EMAIL_COLUMNS).join(OutboxEvent, OutboxEvent.id == EmailMessage.event_id)


def email_entry(row: Any) -> EmailEntry:
    return EmailEntry(**entry_values(row))


_DELIVERY_COLUMNS = (
    WebhookDelivery.id,
    WebhookDelivery.endpoint_id,
    WebhookEndpoint.url,
    WebhookEndpoint.customer_id.label("endpoint_customer_id"),
    WebhookDelivery.status,
    WebhookDelivery.attempts,
    WebhookDelivery.next_attempt_at,
    WebhookDelivery.last_status_code,
    WebhookDelivery.last_error,
    WebhookDelivery.sent_at,
    WebhookDelivery.created_at,
    *_EVENT_REF,
)


def delivery_rows() -> Select[Any]:
    """The select of delivery entries, with their endpoint's URL."""
    return (
        select(*_DELIVERY_COLUMNS)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
    )


def delivery_entry(row: Any) -> DeliveryEntry:
    return DeliveryEntry(**entry_values(row))
