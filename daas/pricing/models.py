"""Metrics, plans, their charges and the tiers of graduated and volume charges."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daas.catalog.models import DeviceModel
from daas.db import Money, UnitAmount, UtcDateTime, one_of
from daas.extensions import db
from daas.pricing.kinds import (
    AGGREGATIONS,
    CHARGE_KINDS,
    DEVICE_MONTHLY,
    METERED,
    PRICING_MODELS,
    UNIQUE_COUNT,
)


class Metric(db.Model):
    __tablename__ = "metrics"
    __table_args__ = (
        CheckConstraint(one_of("aggregation", AGGREGATIONS), name="aggregation_known"),
        CheckConstraint(
            f"(aggregation = '{UNIQUE_COUNT}') = (field IS NOT NULL)", name="field_for_unique_count"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    aggregation: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("term_months > 0", name="term_positive"),
        CheckConstraint("refresh_cycle_months > 0", name="refresh_cycle_positive"),
        CheckConstraint("CAST(minimum_monthly_amount AS NUMERIC) >= 0", name="minimum_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    term_months: Mapped[int]
    refresh_cycle_months: Mapped[int]
    minimum_monthly_amount: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    charges: Mapped[list[PlanCharge]] = relationship(
        back_populates="plan", order_by="PlanCharge.position", cascade="all, delete-orphan"
    )


class PlanCharge(db.Model):
    __tablename__ = "plan_charges"
    __table_args__ = (
        UniqueConstraint("plan_id", "position"),
        CheckConstraint(one_of("kind", CHARGE_KINDS), name="kind_known"),
        CheckConstraint("model IS NULL OR " + one_of("model", PRICING_MODELS), name="model_known"),
        CheckConstraint(
            f"(kind = '{METERED}') = (metric_id IS NOT NULL AND model IS NOT NULL)", name="metered_has_metric"
        ),
        CheckConstraint(f"kind = '{DEVICE_MONTHLY}' OR device_model_id IS NULL", name="sku_only_for_devices"),
        CheckConstraint("package_size IS NULL OR package_size > 0", name="package_size_positive"),
        CheckConstraint("CAST(unit_amount AS NUMERIC) >= 0", name="unit_amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    unit_amount: Mapped[Decimal | None] = mapped_column(UnitAmount)
    device_model_id: Mapped[int | None] = mapped_column(ForeignKey("device_models.id"), index=True)
    metric_id: Mapped[int | None] = mapped_column(ForeignKey("metrics.id"), index=True)
    model: Mapped[str | None] = mapped_column(String(16))
    package_size: Mapped[int | None]

    plan: Mapped[Plan] = relationship(back_populates="charges")
    device_model: Mapped[DeviceModel | None] = relationship()
    metric: Mapped[Metric | None] = relationship()
    tiers: Mapped[list[PlanTier]] = relationship(
        back_populates="charge", order_by="PlanTier.position", cascade="all, delete-orphan"
    )

    @property
    def currency(self) -> str:
        return self.plan.currency


class PlanTier(db.Model):
    __tablename__ = "plan_tiers"
    __table_args__ = (
        UniqueConstraint("charge_id", "position"),
        CheckConstraint("CAST(unit_amount AS NUMERIC) >= 0", name="unit_amount_not_negative"),
        CheckConstraint("CAST(flat_amount AS NUMERIC) >= 0", name="flat_amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("plan_charges.id"), index=True)
    position: Mapped[int]
    # Upper bound of the tier, inclusive; NULL for the last, open tier.
    up_to: Mapped[Decimal | None] = mapped_column(UnitAmount)
    unit_amount: Mapped[Decimal] = mapped_column(UnitAmount)
    flat_amount: Mapped[Decimal] = mapped_column(UnitAmount, default=Decimal(0))

    charge: Mapped[PlanCharge] = relationship(back_populates="tiers")

    @property
    def currency(self) -> str:
        return self.charge.plan.currency
