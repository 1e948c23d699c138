"""Pickup slots, return orders with their devices, refresh orders and device upgrades, and the end of a
contract's term: buy-out quotes, each device's choice, and the extensions those choices made."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from daas.db import Money, UtcDateTime, one_of
from daas.extensions import db
from daas.logistics.rules import RefreshAction


class ReturnReason:
    """Why devices go back, each named once (the values are what `return_orders.reason` stores)."""

    END_OF_TERM = "end_of_term"
    REFRESH = "refresh"
    EARLY_RETURN = "early_return"
    DEFECT = "defect"
    # A person leaving the customer: their devices, collected from their address (orders.md).
    OFFBOARDING = "offboarding"


class ReturnStatus:
    """The states of a return order (returns.py): requested -> scheduled -> picked_up -> received ->
    closed, or cancelled before pickup."""

    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    PICKED_UP = "picked_up"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RefreshStatus:
    """The states of a refresh order (refresh.py): open (proposed) -> approved -> completed, or cancelled."""

    OPEN = "open"
    APPROVED = "approved"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


RETURN_REASONS = (
    ReturnReason.END_OF_TERM,
    ReturnReason.REFRESH,
    ReturnReason.EARLY_RETURN,
    ReturnReason.DEFECT,
    ReturnReason.OFFBOARDING,
)
RETURN_STATUSES = (
    ReturnStatus.REQUESTED,
    ReturnStatus.SCHEDULED,
    ReturnStatus.PICKED_UP,
    ReturnStatus.RECEIVED,
    ReturnStatus.CLOSED,
    ReturnStatus.CANCELLED,
)
REFRESH_STATUSES = (
    RefreshStatus.OPEN,
    RefreshStatus.APPROVED,
    RefreshStatus.COMPLETED,
    RefreshStatus.CANCELLED,
)
REFRESH_ACTIONS = (RefreshAction.REPLACE, RefreshAction.UPGRADE)
# A refresh order waiting for a decision or for logistics: a device has at most one.
OPEN_REFRESH_STATUSES = (RefreshStatus.OPEN, RefreshStatus.APPROVED)
OPEN_REFRESH = one_of("status", OPEN_REFRESH_STATUSES)


class Slot:
    """A day's capacity in a region, and what is booked on it: pickup slots here, delivery slots in
    orders. `booked` only changes by a conditional increment (slots.SlotBook), and the database refuses
    more bookings than capacity, so concurrent bookings never overfill a slot."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805 - SQLAlchemy's declared attribute
        return (
            UniqueConstraint("region", "date"),
            CheckConstraint("capacity >= 0", name="capacity_not_negative"),
            CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(32))
    date: Mapped[date] = mapped_column(Date)
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0, server_default=text("0"))


class PickupSlot(Slot, db.Model):
    """Pickups a region's carrier can make on a day."""

    __tablename__ = "pickup_slots"


class ReturnOrder(db.Model):
    __tablename__ = "return_orders"
    __table_args__ = (
        CheckConstraint(one_of("reason", RETURN_REASONS), name="reason_known"),
        CheckConstraint(one_of("status", RETURN_STATUSES), name="status_known"),
        CheckConstraint(
            f"(status = '{ReturnStatus.SCHEDULED}') <= (slot_id IS NOT NULL)", name="scheduled_has_slot"
        ),
        Index("ix_return_orders_status_region", "status", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ReturnStatus.REQUESTED)
    requested_date: Mapped[date] = mapped_column(Date)
    region: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(Text)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("pickup_slots.id"), index=True)
    picked_up_on: Mapped[date | None] = mapped_column(Date)
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[date | None] = mapped_column(Date)
    refresh_order_id: Mapped[int | None] = mapped_column(ForeignKey("refresh_orders.id"))
    # Offboarding: the person whose devices these are; they have left once the devices are picked up.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # Advance exchange: a replacement is on its way and must be delivered before this pickup.
    exchange_pending: Mapped[bool] = mapped_column(default=False, server_default=text("'0'"))
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())

    slot: Mapped[PickupSlot | None] = relationship()
    devices: Mapped[list[ReturnOrderDevice]] = relationship(order_by="ReturnOrderDevice.id", viewonly=True)


class ReturnOrderDevice(db.Model):
    __tablename__ = "return_order_devices"
    __table_args__ = (UniqueConstraint("return_order_id", "device_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_order_id: Mapped[int] = mapped_column(ForeignKey("return_orders.id"))
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"))


class RefreshOrder(db.Model):
    """A device falling due for refresh: the planner's proposal (upgrade or replace, and why), then the
    customer's or logistics' decision. One open order per device, enforced by the database."""

    __tablename__ = "refresh_orders"
    __table_args__ = (
        CheckConstraint(one_of("status", REFRESH_STATUSES), name="status_known"),
        CheckConstraint(one_of("proposed_action", REFRESH_ACTIONS), name="proposed_action_known"),
        CheckConstraint("action IS NULL OR " + one_of("action", REFRESH_ACTIONS), name="action_known"),
        Index(
            "ix_refresh_orders_device_id_open",
            "device_id",
            unique=True,
            postgresql_where=text(OPEN_REFRESH),
            sqlite_where=text(OPEN_REFRESH),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"))
    due_date: Mapped[date] = mapped_column(Date)
    proposed_action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=RefreshStatus.OPEN)
    action: Mapped[str | None] = mapped_column(String(16))
    replacement_sku: Mapped[str | None] = mapped_column(String(64))
    replacement_device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    decided_by: Mapped[str | None] = mapped_column(String(254))
    completed_on: Mapped[date | None] = mapped_column(Date)
    # A `replace` approved since orders exist ships its replacement: the delivery completes the refresh.
    completes_on_delivery: Mapped[bool] = mapped_column(default=False, server_default=text("'0'"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=func.now())


class DeviceUpgrade(db.Model):
    """A battery, storage or memory upgrade instead of a replacement: it extends the device's life and
    moves its next refresh; the impact ledger charges the kit's footprint."""

    __tablename__ = "device_upgrades"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"))
    refresh_order_id: Mapped[int | None] = mapped_column(ForeignKey("refresh_orders.id"), unique=True)
    kit: Mapped[str] = mapped_column(String(32))
    performed_on: Mapped[date] = mapped_column(Date)
    extension_months: Mapped[int]
    actor: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


# -- the end of a contract's term, device by device (end_of_term.py) ---------------------------------------


class EndOfTerm:
    """What the customer chose for a device at its contract's end (the values `end_of_term_choices.choice`
    stores). No choice: the device comes back with the end-of-term round, like `return`."""

    RETURN = "return"
    EXTEND = "extend"
    BUY_OUT = "buy_out"


END_OF_TERM_CHOICES = (EndOfTerm.RETURN, EndOfTerm.EXTEND, EndOfTerm.BUY_OUT)
GRADES = ("A", "B", "C", "D")


class BuyOutQuote(db.Model):
    """What the customer may buy a device for, from its quote day until `valid_until` (inclusive). Accepted
    at most once: `accepted_on` is set once, by a conditional update, together with the buy-out charge,
    which no other quote names."""

    __tablename__ = "buy_out_quotes"
    __table_args__ = (
        UniqueConstraint("contract_id", "device_id", "quoted_on"),
        CheckConstraint("list_value > 0", name="list_value_positive"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("age_months >= 0", name="age_not_negative"),
        CheckConstraint("grade IS NULL OR " + one_of("grade", GRADES), name="grade_known"),
        CheckConstraint("valid_until >= quoted_on", name="valid_from_quote_day"),
        CheckConstraint(
            "(accepted_on IS NULL AND charge_id IS NULL) OR "
            "(accepted_on IS NOT NULL AND charge_id IS NOT NULL "
            "AND accepted_on >= quoted_on AND accepted_on <= valid_until)",
            name="accepted_with_charge_while_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    list_value: Mapped[Decimal] = mapped_column(Money)
    price: Mapped[Decimal] = mapped_column(Money)
    age_months: Mapped[int]
    # The device's last grade on the quote day; null: never graded (priced as A).
    grade: Mapped[str | None] = mapped_column(String(1))
    quoted_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    charge_id: Mapped[int | None] = mapped_column(ForeignKey("one_off_charges.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())


class EndOfTermChoice(db.Model):
    """A device's choice at the end of its contract's term `term_end` (the end date it was made for: the
    old end date when the choice extended the contract). One per contract and device; a bought-out
    device's is final."""

    __tablename__ = "end_of_term_choices"
    __table_args__ = (
        CheckConstraint(one_of("choice", END_OF_TERM_CHOICES), name="choice_known"),
        CheckConstraint(f"choice <> '{EndOfTerm.BUY_OUT}' OR quote_id IS NOT NULL", name="buy_out_quoted"),
    )

    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True, index=True)
    choice: Mapped[str] = mapped_column(String(8))
    term_end: Mapped[date] = mapped_column(Date)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("buy_out_quotes.id"))
    # The end-of-term return order the device goes home with (`return`, or not chosen for an extension).
    return_order_id: Mapped[int | None] = mapped_column(ForeignKey("return_orders.id"))
    chosen_on: Mapped[date] = mapped_column(Date)
    chosen_by: Mapped[str] = mapped_column(String(254))


class EndOfTermExtension(db.Model):
    """The extension an `extend` choice made: the contract's end moved from `from_end_date` to
    `to_end_date`. Once per contract and end date, however many devices are chosen `extend` for it."""

    __tablename__ = "end_of_term_extensions"
    __table_args__ = (
        UniqueConstraint("contract_id", "from_end_date"),
        CheckConstraint("to_end_date > from_end_date", name="moves_later"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    from_end_date: Mapped[date] = mapped_column(Date)
    to_end_date: Mapped[date] = mapped_column(Date)
    months: Mapped[int]
    actor: Mapped[str] = mapped_column(String(254))
    extended_at: Mapped[datetime] = mapped_column(UtcDateTime, server_default=func.now())
