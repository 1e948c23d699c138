"""A device model and the figures its footprint sheet gives (the impact ledger reads them)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import Measure, UtcDateTime, one_of
from daas.extensions import db

CATEGORIES = ("laptop", "desktop", "monitor", "tablet", "phone", "dock")


class DeviceModel(db.Model):
    __tablename__ = "device_models"
    __table_args__ = (
        CheckConstraint(one_of("category", CATEGORIES), name="category_known"),
        CheckConstraint("expected_lifetime_months > 0", name="lifetime_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(16))
    manufacturer: Mapped[str] = mapped_column(String(100))
    weight_kg: Mapped[Decimal] = mapped_column(Measure)
    # Manufacturing, transport and end of life: the footprint without the use phase (impact.md's E0).
    embodied_co2e_kg: Mapped[Decimal] = mapped_column(Measure)
    use_kwh_per_year: Mapped[Decimal] = mapped_column(Measure)
    expected_lifetime_months: Mapped[int]
    source: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())
