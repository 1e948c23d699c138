"""What daas sends: e-mails, webhook endpoints with their deliveries and each attempt's answer, and the
users' notification preferences. No rules here: see dispatch (fan-out), delivery (claim, send, retry)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import UtcDateTime, one_of
from daas.extensions import db

PENDING = "pending"  # to be sent at next_attempt_at (by whoever claims it)
SENT = "sent"
FAILED = "failed"  # given up after the last retry; shown to admin, can be resent
MESSAGE_STATES = (PENDING, SENT, FAILED)

ENABLED = "enabled"
DISABLED = "disabled"
ENDPOINT_STATES = (ENABLED, DISABLED)

# The partial index the claim reads: only what is still to be sent.
_DUE = text("status = 'pending'")


class _Sendable:
    """The claim and retry columns e-mails and deliveries share: a pending row is claimed by setting
    `lease_owner` and `lease_until`; a sender that dies leaves a lease that expires, and the next claim
    takes the row again (sent at least once, never lost)."""

    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EmailMessage(_Sendable, db.Model):
    """One e-mail of one event to one address, rendered when the event was fanned out (so what is shown
    is what was sent). `attachments`: issued document ids, read when it is sent."""

    __tablename__ = "email_messages"
    __table_args__ = (
        UniqueConstraint("event_id", "to_address"),
        CheckConstraint(one_of("status", MESSAGE_STATES), name="status_known"),
        Index("ix_email_messages_due", "next_attempt_at", postgresql_where=_DUE),
        Index("ix_email_messages_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    attachments: Mapped[list[int]] = mapped_column(JSON)


class WebhookEndpoint(db.Model):
    """A URL a customer (or, `customer_id` None, the provider) registered for some event types (`["*"]`:
    all it may hear of). `secret` signs each delivery; the API shows it once, when it is created.
    `failing_since`: the first failed attempt since the last success; failing for the disable window
    makes the endpoint disabled and its owner told."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (CheckConstraint(one_of("status", ENDPOINT_STATES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default=ENABLED)
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDelivery(_Sendable, db.Model):
    """One event to one endpoint. A replay sets it pending again: the same event id, so a receiver that
    checks ids applies it once."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        CheckConstraint(one_of("status", MESSAGE_STATES), name="status_known"),
        Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=_DUE),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    last_status_code: Mapped[int | None] = mapped_column(Integer)


class WebhookAttempt(db.Model):
    """What one POST of a delivery got: the status code and the start of the body, or why none came."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer)


class NotificationPreference(db.Model):
    """A user's choice for one event type; no row means the default, e-mail on."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "event_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    email: Mapped[bool] = mapped_column(default=True)
