"""Payment profiles, payment attempts, payments, refunds and received Stripe events."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import Money, UtcDateTime, one_of
from daas.extensions import db

# A payment attempt: recorded before Stripe is called (pending), Stripe is still confirming it
# (processing), then succeeded, failed or canceled.
ATTEMPT_PENDING = "pending"
ATTEMPT_PROCESSING = "processing"
ATTEMPT_SUCCEEDED = "succeeded"
ATTEMPT_FAILED = "failed"
ATTEMPT_CANCELED = "canceled"
ATTEMPT_STATUSES = (ATTEMPT_PENDING, ATTEMPT_PROCESSING, ATTEMPT_SUCCEEDED, ATTEMPT_FAILED, ATTEMPT_CANCELED)
# Not finished: its outcome may still change (a worker holds it, or the next run reconciles it).
ATTEMPT_UNFINISHED = (ATTEMPT_PENDING, ATTEMPT_PROCESSING)
# At most one of these per invoice: an invoice with one is being, or has been, collected by card.
ATTEMPT_ACTIVE = (*ATTEMPT_UNFINISHED, ATTEMPT_SUCCEEDED)
# An attempt whose outcome is known: a later, older state from Stripe does not change it.
ATTEMPT_FINISHED = (ATTEMPT_SUCCEEDED, ATTEMPT_FAILED, ATTEMPT_CANCELED)
ACTIVE_ATTEMPT = f"status IN ({', '.join(repr(status) for status in ATTEMPT_ACTIVE)})"

# How a payment was received, and how an invoice is collected (Invoice.collection_method).
CARD = "card"
BANK_TRANSFER = "bank_transfer"
PAYMENT_METHODS = (CARD, BANK_TRANSFER)

REFUND_PENDING = "pending"
REFUND_SUCCEEDED = "succeeded"
REFUND_FAILED = "failed"
REFUND_STATUSES = (REFUND_PENDING, REFUND_SUCCEEDED, REFUND_FAILED)

# pending: stored, not processed yet; processed: applied; failed: its last attempt failed (retried at
# next_attempt_at, or given up when that is empty).
EVENT_PENDING = "pending"
EVENT_PROCESSED = "processed"
EVENT_FAILED = "failed"
EVENT_STATUSES = (EVENT_PENDING, EVENT_PROCESSED, EVENT_FAILED)


class PaymentProfile(db.Model):
    """How a customer pays: its Stripe customer and default card (none: bank transfer)."""

    __tablename__ = "payment_profiles"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    default_payment_method: Mapped[str | None] = mapped_column(String(64))
    card_brand: Mapped[str | None] = mapped_column(String(20))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())


class PaymentAttempt(db.Model):
    """One try to collect an invoice by card. Written before Stripe is called, so a crash in between
    leaves a record that the next try reconciles with what Stripe has. At most one attempt per invoice is
    active (pending, processing or succeeded): the database refuses a second, so no invoice is charged twice.
    """

    __tablename__ = "payment_attempts"
    __table_args__ = (
        UniqueConstraint("invoice_id", "number"),
        CheckConstraint(one_of("status", ATTEMPT_STATUSES), name="status_known"),
        Index(
            "ix_payment_attempts_invoice_id_active",
            "invoice_id",
            unique=True,
            postgresql_where=text(ACTIVE_ATTEMPT),
            sqlite_where=text(ACTIVE_ATTEMPT),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"))
    number: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default=ATTEMPT_PENDING)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    payment_method: Mapped[str | None] = mapped_column(String(64))
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_message: Mapped[str | None] = mapped_column(String(500))
    # A worker that calls Stripe for this attempt holds it until then; others leave it alone.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())


class Payment(db.Model):
    """Money received for an invoice: a confirmed card payment or a bank transfer finance recorded."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("invoice_id", "reference"),
        CheckConstraint(one_of("method", PAYMENT_METHODS), name="method_known"),
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(16))
    # The PaymentIntent id for a card, the bank's reference for a transfer.
    reference: Mapped[str] = mapped_column(String(100))
    paid_on: Mapped[date] = mapped_column(Date)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("payment_attempts.id"), unique=True)
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class Refund(db.Model):
    """Money given back through Stripe for a credit note on a card-paid invoice."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint(one_of("status", REFUND_STATUSES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id"), index=True)
    credit_note_id: Mapped[int] = mapped_column(ForeignKey("credit_notes.id"), unique=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default=REFUND_PENDING)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    stripe_refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    failure_message: Mapped[str | None] = mapped_column(String(500))
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())


class StripeEvent(db.Model):
    """A webhook event, stored by its id before it is processed: a replay finds it and changes nothing.
    One that fails is retried at `next_attempt_at` until its attempts run out; it then stays `failed`,
    with its error, for finance to see (and retry by hand)."""

    __tablename__ = "stripe_events"
    __table_args__ = (CheckConstraint(one_of("status", EVENT_STATUSES), name="status_known"),)

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    status: Mapped[str] = mapped_column(String(16), server_default=EVENT_PENDING, index=True)
    attempts: Mapped[int] = mapped_column(server_default="0")
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the payments job (re)tries it; empty once processed or given up.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def given_up(self) -> bool:
        return self.status == EVENT_FAILED and self.next_attempt_at is None

    @property
    def object_id(self) -> str | None:
        """The Stripe object the event is about (`data.object.id`), as far as the payload says."""
        data = self.payload.get("data") if isinstance(self.payload, dict) else None
        found = data.get("object") if isinstance(data, dict) else None
        object_id = found.get("id") if isinstance(found, dict) else None
        return object_id if isinstance(object_id, str) else None
