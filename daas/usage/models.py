"""A usage event, stored once per customer and transaction id."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import Decimal_, UtcDateTime
from daas.extensions import db


class UsageEvent(db.Model):
    __tablename__ = "usage_events"
    __table_args__ = (
        UniqueConstraint("customer_id", "transaction_id"),
        Index("ix_usage_events_contract_id_metric_id_timestamp", "contract_id", "metric_id", "timestamp"),
        # The billing run aggregates a month of events; late usage looks for what arrived since a time.
        Index("ix_usage_events_timestamp", "timestamp"),
        Index("ix_usage_events_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    transaction_id: Mapped[str] = mapped_column(String(128))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"))
    timestamp: Mapped[datetime] = mapped_column(UtcDateTime)
    quantity: Mapped[Decimal] = mapped_column(Decimal_(20, 6), default=Decimal(1))
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class UsageRevision(db.Model):
    """A contract's usage of a metric in a month changed after that month may have been measured for an
    invoice: an event arrived back-dated, or for a month that already has an invoice. The billing run
    compares such months with what was billed and bills the difference as late usage. `received_at` is
    when it last changed, to the minute on PostgreSQL (a batch within a minute of the last mark leaves it:
    the run reads marks with an hour of margin)."""

    __tablename__ = "usage_revisions"

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id"), primary_key=True)
    period_start: Mapped[date] = mapped_column(Date, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
