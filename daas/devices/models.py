"""Devices and their chain of custody: one append-only event for every change of state."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daas.catalog.models import DeviceModel
from daas.db import Measure, UtcDateTime, one_of
from daas.devices.lifecycle import STATES, DeviceStatus
from daas.extensions import db


class Device(db.Model):
    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint(one_of("status", STATES), name="status_known"),
        CheckConstraint(
            "battery_health IS NULL OR battery_health BETWEEN 0 AND 100", name="battery_health_range"
        ),
        CheckConstraint("lives >= 0", name="lives_not_negative"),
        CheckConstraint("grade IS NULL OR grade IN ('A', 'B', 'C', 'D')", name="grade_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    device_model_id: Mapped[int] = mapped_column(ForeignKey("device_models.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=DeviceStatus.IN_STOCK)
    manufactured_on: Mapped[date | None] = mapped_column(Date)
    battery_health: Mapped[int | None]
    # Deployments to customers so far (a new life each time); the impact ledger reads it.
    lives: Mapped[int] = mapped_column(default=0)
    # The last grade given (A best, D worst); the refresh planner reads it.
    grade: Mapped[str | None] = mapped_column(String(1))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())

    device_model: Mapped[DeviceModel] = relationship()
    events: Mapped[list[CustodyEvent]] = relationship(order_by="CustodyEvent.seq", viewonly=True)


class CustodyEvent(db.Model):
    """Who did what to a device, when, from which state to which. Never updated or deleted (the
    database refuses it: see the migration's triggers)."""

    __tablename__ = "custody_events"
    __table_args__ = (
        UniqueConstraint("device_id", "seq"),
        CheckConstraint(one_of("to_status", STATES), name="to_status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(254))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class WipeCertificate(db.Model):
    """A data sanitization record with the fields of NIST SP 800-88 Rev. 1's sample certificate: who did
    it and who verified it, the media and its serial, the method (clear, purge, destroy), the technique
    and tool, the verification, and when. One per life of the device at least."""

    __tablename__ = "wipe_certificates"
    __table_args__ = (
        CheckConstraint("method IN ('clear', 'purge', 'destroy')", name="method_known"),
        CheckConstraint("verification IN ('full', 'sampling')", name="verification_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    life: Mapped[int]
    method: Mapped[str] = mapped_column(String(8))
    standard: Mapped[str] = mapped_column(String(100))
    technique: Mapped[str | None] = mapped_column(String(100))
    tool: Mapped[str | None] = mapped_column(String(100))
    tool_version: Mapped[str | None] = mapped_column(String(50))
    media_type: Mapped[str | None] = mapped_column(String(50))
    media_serial: Mapped[str | None] = mapped_column(String(100))
    verification: Mapped[str] = mapped_column(String(10), default="full")
    performed_by: Mapped[str] = mapped_column(String(254))
    verified_by: Mapped[str] = mapped_column(String(254))
    performed_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class HarvestedPart(db.Model):
    """A part taken from a harvested device, with its weight (the impact ledger's recovered mass)."""

    __tablename__ = "harvested_parts"
    __table_args__ = (CheckConstraint("CAST(weight_kg AS NUMERIC) >= 0", name="weight_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    part: Mapped[str] = mapped_column(String(100))
    weight_kg: Mapped[Decimal] = mapped_column(Measure)
    harvested_on: Mapped[date] = mapped_column(Date)
