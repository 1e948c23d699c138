"""A usage event, stored once per customer and transaction id."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import Decimal_, UtcDateTime
from daas.extensions import db


class UsageEvent(db.Model):
    __tablename__ = "usage_events"
    __table_args__ = (
        UniqueConstraint("customer_id", "transaction_id"),
        Index("ix_usage_events_contract_id_metric_id_timestamp", "contract_id", "metric_id", "timestamp"),
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
