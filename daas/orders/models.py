"""Orders with their lines, the devices allocated to them, shipments with their devices and packaging,
and delivery slots. Every guarantee the flow needs is a constraint: one reserved allocation per device,
no slot over capacity, states the lifecycle knows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from daas.db import Measure, UtcDateTime, one_of
from daas.extensions import db
from daas.logistics.models import Slot
from daas.orders.lifecycle import (
    ALLOCATION_STATES,
    ORDER_STATUSES,
    PACKAGING_MATERIALS,
    SHIPMENT_STATUSES,
    AllocationState,
    OrderStatus,
    ShipmentStatus,
)

GRADES = ("A", "B", "C", "D")
RESERVED = f"state = '{AllocationState.RESERVED}'"


class DeliverySlot(Slot, db.Model):
    """Shipments a region's carrier can deliver on a day, booked like pickup slots."""

    __tablename__ = "delivery_slots"


class Order(db.Model):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(one_of("status", ORDER_STATUSES), name="status_known"),
        CheckConstraint(one_of("lowest_grade", GRADES), name="lowest_grade_known"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        Index("ix_orders_status_created_at", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=OrderStatus.REQUESTED)
    # Where it goes: the person's address by default.
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(32))
    requested_date: Mapped[date] = mapped_column(Date)
    accept_refurbished: Mapped[bool] = mapped_column(default=True)
    lowest_grade: Mapped[str] = mapped_column(String(1), default="B")
    # A refresh `replace` ships its replacement through an order; its delivery completes the refresh.
    refresh_order_id: Mapped[int | None] = mapped_column(ForeignKey("refresh_orders.id"), unique=True)
    placed_by: Mapped[str] = mapped_column(String(254))
    approved_by: Mapped[str | None] = mapped_column(String(254))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(254))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())

    lines: Mapped[list[OrderLine]] = relationship(order_by="OrderLine.position", viewonly=True)


class OrderLine(db.Model):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "position"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    # The line's index in the order as it was placed (0-based), which errors name (`lines.<i>`).
    position: Mapped[int]
    device_model_id: Mapped[int] = mapped_column(ForeignKey("device_models.id"))
    quantity: Mapped[int]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)


class OrderAllocation(db.Model):
    """A device held for one unit of an order line. A device has at most one reserved allocation: the
    partial unique index is what makes two orders racing for the last laptop take it once."""

    __tablename__ = "order_allocations"
    __table_args__ = (
        CheckConstraint(one_of("state", ALLOCATION_STATES), name="state_known"),
        Index(
            "ix_order_allocations_device_id_reserved",
            "device_id",
            unique=True,
            postgresql_where=text(RESERVED),
            sqlite_where=text(RESERVED),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=AllocationState.RESERVED)
    # The shipment the device is packed in now; None while it waits in stock for one.
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    # The deployment its delivery started.
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"))
    allocated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Shipment(db.Model):
    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(one_of("status", SHIPMENT_STATUSES), name="status_known"),
        CheckConstraint("length(country) = 2", name="country_alpha2"),
        CheckConstraint(
            f"(status = '{ShipmentStatus.DELIVERED}') = (delivered_on IS NOT NULL)", name="delivered_has_date"
        ),
        Index("ix_shipments_status_region", "status", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ShipmentStatus.PACKED)
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(32))
    # The booked delivery slot; None when no slot had room within the window (the logistics queue).
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_slots.id"), index=True)
    # A returnable box instead of single-use packaging (it counts 0 kg).
    reusable_box_id: Mapped[str | None] = mapped_column(String(64))
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking: Mapped[str | None] = mapped_column(String(100))
    shipped_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    received_by: Mapped[str | None] = mapped_column(String(200))
    failed_on: Mapped[date | None] = mapped_column(Date)
    retry: Mapped[bool | None]
    # Advance exchange: the `defect` return order collected once this shipment is delivered.
    return_order_id: Mapped[int | None] = mapped_column(ForeignKey("return_orders.id"), index=True)
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())

    slot: Mapped[DeliverySlot | None] = relationship()
    devices: Mapped[list[ShipmentDevice]] = relationship(order_by="ShipmentDevice.id", viewonly=True)
    packaging: Mapped[list[ShipmentPackaging]] = relationship(
        order_by="ShipmentPackaging.material", viewonly=True
    )


class ShipmentDevice(db.Model):
    """A device in a shipment (kept after a failed delivery, so a device's attempts stay on record)."""

    __tablename__ = "shipment_devices"
    __table_args__ = (UniqueConstraint("shipment_id", "device_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    allocation_id: Mapped[int] = mapped_column(ForeignKey("order_allocations.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)


class ShipmentPackaging(db.Model):
    """Kilograms of one packaging material in a shipment (the impact statement sums them)."""

    __tablename__ = "shipment_packaging"
    __table_args__ = (
        UniqueConstraint("shipment_id", "material"),
        CheckConstraint(one_of("material", PACKAGING_MATERIALS), name="material_known"),
        CheckConstraint("CAST(kg AS NUMERIC) >= 0", name="kg_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    material: Mapped[str] = mapped_column(String(20))
    kg: Mapped[Decimal] = mapped_column(Measure)
