"""Parameter sets, the impact ledger (append-only) and the periods it has closed."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from daas.db import Measure, UtcDateTime
from daas.extensions import db


class ImpactParameterSet(db.Model):
    """A version of the method's parameters, in force from `valid_from` on."""

    __tablename__ = "impact_parameter_sets"
    __table_args__ = (UniqueConstraint("method", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(32))
    version: Mapped[int]
    valid_from: Mapped[date] = mapped_column(Date)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    sources: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class ImpactPeriodClose(db.Model):
    """A month whose ledger rows are written: closing it again appends nothing."""

    __tablename__ = "impact_period_closes"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    parameter_set_id: Mapped[int] = mapped_column(ForeignKey("impact_parameter_sets.id"))
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class ImpactLedgerRow(db.Model):
    """One contract's share of one device in one closed month (contract NULL: the provider's residual),
    with what it took over of a device it bought that month. Never updated: a correction is a new row."""

    __tablename__ = "impact_ledger_rows"
    __table_args__ = (
        Index("ix_impact_ledger_rows_contract_id_period", "contract_id", "period"),
        # One row per period, device and contract, and one provider row (contract NULL) per period and device.
        Index(
            "uq_impact_ledger_rows_period_device_contract",
            "period",
            "device_id",
            "contract_id",
            unique=True,
            sqlite_where=text("contract_id IS NOT NULL"),
            postgresql_where=text("contract_id IS NOT NULL"),
        ),
        Index(
            "uq_impact_ledger_rows_period_device_provider",
            "period",
            "device_id",
            unique=True,
            sqlite_where=text("contract_id IS NULL"),
            postgresql_where=text("contract_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"))
    parameter_set_id: Mapped[int] = mapped_column(ForeignKey("impact_parameter_sets.id"))
    life: Mapped[int]
    service_days: Mapped[int]
    allocated_co2e_kg: Mapped[Decimal] = mapped_column(Measure)
    allocated_mass_kg: Mapped[Decimal] = mapped_column(Measure)
    # What was left of a device on the day its customer bought it, passed to the buyer's contract beside
    # its allocation (an owned device is the buyer's own asset): 0 on every other row.
    transferred_co2e_kg: Mapped[Decimal] = mapped_column(Measure, server_default=text("0"))
    transferred_mass_kg: Mapped[Decimal] = mapped_column(Measure, server_default=text("0"))
    avoided_co2e_kg: Mapped[Decimal] = mapped_column(Measure)
    avoided_ewaste_kg: Mapped[Decimal] = mapped_column(Measure)
    certified_recycled_kg: Mapped[Decimal] = mapped_column(Measure)
    unmanaged_ewaste_avoided_kg: Mapped[Decimal] = mapped_column(Measure)
    use_phase_kwh: Mapped[Decimal] = mapped_column(Measure)
    use_phase_co2e_kg: Mapped[Decimal | None] = mapped_column(Measure)
    balance_co2e_kg: Mapped[Decimal] = mapped_column(Measure)
    balance_mass_kg: Mapped[Decimal] = mapped_column(Measure)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class ImpactDeviceState(db.Model):
    """A device's exact state after the last closed month, and a digest of the history it came from. While
    the history before that month's end is unchanged, the open months start from here instead of from the
    device's first day; when a fact is entered late the digest differs and the device is computed again
    from its first day. Derived data: replaced at every close."""

    __tablename__ = "impact_device_states"

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class GridFactorSet(db.Model):
    """A version of the location-based electricity grid factors (kg CO2e per kWh) per country and year,
    each with its published source; the yearly sustainability report uses the latest version and names
    it. A new version replaces the table for every report from then on; earlier versions stay readable."""

    __tablename__ = "grid_factor_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    # {country: {year: {"kg_per_kwh": "0.363", "source": "...", "source_version": "..."}}}
    factors: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
