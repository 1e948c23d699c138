"""Reads the logistics pages need and the services do not offer: counts for the overview (return orders
by state, the warehouse queue), the week's pickups, received devices per week, known regions, the orders
booked on slots, the devices of return orders, the serials of a list's devices, the devices a scanned
serial may mean, the orders with devices waiting to be packed and those devices. Read-only; no rules are
decided here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from daas.customers.models import Customer
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics.models import RETURN_STATUSES, PickupSlot, ReturnOrder, ReturnOrderDevice, ReturnStatus
from daas.orders.lifecycle import OPEN_SHIPMENT_STATUSES, AllocationState
from daas.orders.models import DeliverySlot, Order, OrderAllocation, Shipment

# Device states in which a device waits for logistics, and what it waits for.
WAITING = (
    (DeviceStatus.RECEIVED, "to be wiped"),
    (DeviceStatus.WIPED, "to be graded"),
    (DeviceStatus.GRADED, "to be dispositioned"),
    (DeviceStatus.REFURBISHING, "to be restocked"),
)


@dataclass(frozen=True)
class Pickup:
    order_id: int
    day: date
    region: str
    customer: str
    devices: int


def return_orders_by_status() -> dict[str, int]:
    """Return orders per state, every state present (0 when none)."""
    counts = dict(
        db.session.execute(
            select(ReturnOrder.status, func.count(ReturnOrder.id)).group_by(ReturnOrder.status)
        ).all()
    )
    return {status: counts.get(status, 0) for status in RETURN_STATUSES}


def warehouse_queue() -> list[tuple[str, str, int]]:
    """(state, what a device in it waits for, how many devices are in it) for each state of `WAITING`."""
    statuses = [status for status, _ in WAITING]
    counts = dict(
        db.session.execute(
            select(Device.status, func.count(Device.id))
            .where(Device.status.in_(statuses))
            .group_by(Device.status)
        ).all()
    )
    return [(status, waits_for, counts.get(status, 0)) for status, waits_for in WAITING]


def scheduled_pickups_between(start: date, end: date) -> list[Pickup]:
    """Scheduled return orders whose pickup day falls in [start, end], earliest first."""
    devices = (
        select(func.count(ReturnOrderDevice.id))
        .where(ReturnOrderDevice.return_order_id == ReturnOrder.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(ReturnOrder.id, PickupSlot.date, ReturnOrder.region, Customer.name, devices)
        .join(PickupSlot, PickupSlot.id == ReturnOrder.slot_id)
        .join(Customer, Customer.id == ReturnOrder.customer_id)
        .where(ReturnOrder.status == ReturnStatus.SCHEDULED, PickupSlot.date >= start, PickupSlot.date <= end)
        .order_by(PickupSlot.date, ReturnOrder.region, ReturnOrder.id)
    ).all()
    return [Pickup(*row) for row in rows]


def devices_received_per_week(last_day: date, weeks: int = 12) -> tuple[list[str], list[int]]:
    """Devices received at the warehouse (by carrier or handed back) per ISO week, the `weeks` weeks up
    to the one containing `last_day`: labels are each week's Monday, oldest first."""
    first_monday = last_day - timedelta(days=last_day.weekday()) - timedelta(weeks=weeks - 1)
    per_day = db.session.execute(
        select(CustodyEvent.occurred_on, func.count(CustodyEvent.id))
        .where(
            CustodyEvent.action.in_(("receive", "hand_back")),
            CustodyEvent.occurred_on >= first_monday,
            CustodyEvent.occurred_on <= last_day,
        )
        .group_by(CustodyEvent.occurred_on)
    ).all()
    mondays = [first_monday + timedelta(weeks=n) for n in range(weeks)]
    totals = dict.fromkeys(mondays, 0)
    for day, count in per_day:
        totals[day - timedelta(days=day.weekday())] += count
    return [monday.isoformat() for monday in mondays], [totals[monday] for monday in mondays]


def known_regions() -> list[str]:
    """Regions with pickup or delivery slots or customers picked up in, sorted."""
    slot_regions = db.session.scalars(select(PickupSlot.region).distinct())
    delivery_regions = db.session.scalars(select(DeliverySlot.region).distinct())
    customer_regions = db.session.scalars(
        select(Customer.pickup_region).where(Customer.pickup_region.is_not(None)).distinct()
    )
    return sorted({*slot_regions, *delivery_regions, *customer_regions})


def orders_on_slots(slot_ids: Iterable[int]) -> dict[int, list[ReturnOrder]]:
    """The return orders holding a place on each slot (scheduled ones, and those picked up from it)."""
    ids = list(slot_ids)
    booked: dict[int, list[ReturnOrder]] = {slot_id: [] for slot_id in ids}
    if not ids:
        return booked
    for order in db.session.scalars(
        select(ReturnOrder).where(ReturnOrder.slot_id.in_(ids)).order_by(ReturnOrder.id)
    ):
        booked[order.slot_id].append(order)  # type: ignore[index]
    return booked


def devices_of_orders(order_ids: Iterable[int]) -> dict[int, list[Device]]:
    """The devices of each return order, in the order's own order."""
    ids = list(order_ids)
    found: dict[int, list[Device]] = {order_id: [] for order_id in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(ReturnOrderDevice.return_order_id, Device)
        .join(Device, Device.id == ReturnOrderDevice.device_id)
        .where(ReturnOrderDevice.return_order_id.in_(ids))
        .order_by(ReturnOrderDevice.id)
    ).all()
    for order_id, device in rows:
        found[order_id].append(device)
    return found


def serials_of_devices(device_ids: Iterable[int]) -> dict[int, str]:
    """Each device's serial by its id, in one query for a whole list's rows."""
    ids = set(device_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Device.id, Device.serial).where(Device.id.in_(ids)))
    return {device_id: serial for device_id, serial in rows}


def devices_by_serial(serial: str) -> list[Device]:
    """The device with exactly this serial; else those whose serial is this one when case is ignored (a
    scanner or a hand may change the case), sorted. Two devices that differ only by case are both listed."""
    exact = db.session.scalar(select(Device).where(Device.serial == serial))
    if exact is not None:
        return [exact]
    return list(
        db.session.scalars(
            select(Device).where(func.lower(Device.serial) == func.lower(serial)).order_by(Device.serial)
        )
    )


def _waiting_to_pack() -> Any:
    """Allocations holding a device in the warehouse for an order, not packed in a shipment."""
    return (
        select(OrderAllocation.order_id, Device)
        .join(Device, Device.id == OrderAllocation.device_id)
        .where(
            OrderAllocation.state == AllocationState.RESERVED,
            OrderAllocation.shipment_id.is_(None),
            Device.status == DeviceStatus.ALLOCATED,
        )
    )


def orders_to_pack() -> list[tuple[Order, int]]:
    """Orders with devices held for them in the warehouse and not yet packed, oldest order first, with how
    many such devices each has: the pick and pack work list."""
    waiting = _waiting_to_pack().subquery()
    rows = db.session.execute(
        select(Order, func.count(waiting.c.id))
        .join(waiting, waiting.c.order_id == Order.id)
        .group_by(Order.id)
        .order_by(Order.created_at, Order.id)
    ).all()
    return [(order, count) for order, count in rows]


def devices_to_pack(order_id: int) -> list[Device]:
    """The devices held for the order in the warehouse and not yet packed, by serial: its pick list."""
    query = _waiting_to_pack().where(OrderAllocation.order_id == order_id).order_by(Device.serial)
    return [device for _, device in db.session.execute(query)]


def shipments_on_slots(slot_ids: Iterable[int]) -> dict[int, list[Shipment]]:
    """The open shipments (packed or on their way) holding a place on each delivery slot."""
    ids = list(slot_ids)
    booked: dict[int, list[Shipment]] = {slot_id: [] for slot_id in ids}
    if not ids:
        return booked
    for shipment in db.session.scalars(
        select(Shipment)
        .where(Shipment.slot_id.in_(ids), Shipment.status.in_(OPEN_SHIPMENT_STATUSES))
        .order_by(Shipment.id)
    ):
        booked[shipment.slot_id].append(shipment)  # type: ignore[index]
    return booked


def customers_of_orders(order_ids: Iterable[int]) -> dict[int, int]:
    """Each order's customer id, by order id."""
    ids = set(order_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Order.id, Order.customer_id).where(Order.id.in_(ids))).all())
