"""A device model, the figures its footprint sheet gives (the impact ledger reads them), and what a
device of the model is worth new: its list value per currency and the floor of its buy-out price."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daas.db import Decimal_, Measure, Money, UtcDateTime, one_of
from daas.extensions import db

CATEGORIES = ("laptop", "desktop", "monitor", "tablet", "phone", "dock")
# A share from 0 to 1 with four decimals. SQLite keeps it as whole ten-thousandths (daas.db), so its CHECK
# counts in those.
Share = Decimal_(5, 4)


class DeviceModel(db.Model):
    __tablename__ = "device_models"
    __table_args__ = (
        CheckConstraint(one_of("category", CATEGORIES), name="category_known"),
        CheckConstraint("expected_lifetime_months > 0", name="lifetime_positive"),
        CheckConstraint("floor_share BETWEEN 0 AND 1", name="floor_share_range").ddl_if(dialect="postgresql"),
        CheckConstraint("floor_share BETWEEN 0 AND 10000", name="floor_share_range").ddl_if(dialect="sqlite"),
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
    # The least share of its list value a buy-out costs, however old the device; null: the default
    # (daas.contracts.end_of_term_rules.DEFAULT_FLOOR_SHARE).
    floor_share: Mapped[Decimal | None] = mapped_column(Share)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())

    list_value_rows: Mapped[list[DeviceModelListValue]] = relationship(
        order_by="DeviceModelListValue.currency", viewonly=True
    )

    @property
    def list_values(self) -> dict[str, Decimal]:
        """Currency -> what a new device of the model costs (net)."""
        return {row.currency: row.amount for row in self.list_value_rows}


class DeviceModelListValue(db.Model):
    """What a new device of a model costs in one currency: a buy-out's price starts from it."""

    __tablename__ = "device_model_list_values"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    device_model_id: Mapped[int] = mapped_column(ForeignKey("device_models.id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Money)
