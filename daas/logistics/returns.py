"""Return (takeback) orders: requested → scheduled → picked_up → received → closed, or cancelled.

A new order books the earliest pickup slot with room within the booking window; without one it stays
`requested`, in logistics' queue. Pickup ends each device's deployment on the pickup day (not billed).
A received order is closed by the takeback of its devices (takeback.py), once every one of them is settled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.contracts.people_devices import has_open_deployments
from daas.contracts.services import get_contract
from daas.core import clock
from daas.core.csv_cells import write_csv
from daas.core.dates import LAST_DAY
from daas.core.errors import Conflict, Invalid, NotFound
from daas.db import fetch_page
from daas.devices.models import CustodyEvent, Device, WipeCertificate
from daas.devices.services import lock_device, transition_device
from daas.extensions import db
from daas.logistics import slots
from daas.logistics.events import record_pickup
from daas.logistics.models import ReturnOrder, ReturnOrderDevice, ReturnReason, ReturnStatus
from daas.people.models import PersonStatus
from daas.people.services import lock_person, set_status

# An order may be (re)scheduled or cancelled until the carrier has the devices.
BEFORE_PICKUP = (ReturnStatus.REQUESTED, ReturnStatus.SCHEDULED)


def _devices_on_contract(contract: Contract, serials: Sequence[str]) -> list[tuple[Device, Deployment]]:
    if not serials:
        raise Invalid.field("serials", "Name at least one device.")
    if len(set(serials)) != len(serials):
        raise Invalid.field("serials", "A device is named twice.")
    found: list[tuple[Device, Deployment]] = []
    problems: dict[str, list[str]] = {}
    for index, serial in enumerate(serials):
        deployment = db.session.scalar(
            select(Deployment)
            .join(Device, Device.id == Deployment.device_id)
            .where(
                Device.serial == serial, Deployment.contract_id == contract.id, Deployment.end_date.is_(None)
            )
        )
        if deployment is None:
            problems[str(index)] = [f"Device {serial} is not deployed on contract {contract.id}."]
            continue
        found.append((lock_device(serial), deployment))
    if problems:
        raise Invalid("Some devices are not on this contract.", errors={"serials": problems})
    return found


def create_return_order(
    contract_id: int,
    serials: Sequence[str],
    reason: str,
    requested_date: date,
    region: str,
    address: str,
    actor: str,
    window_days: int,
    customer_scope: int | None = None,
    refresh_order_id: int | None = None,
    *,
    person_id: int | None = None,
) -> ReturnOrder:
    """Devices of the contract to collect (`person_id`: an offboarded person's, who has left once the
    last of their devices is picked up). A pickup booked at once is recorded (`pickup.booked`)."""
    contract = get_contract(contract_id, customer_scope)
    today = clock.today()
    if requested_date < today:
        raise Invalid.field("requested_date", "A pickup cannot be requested in the past.")
    if requested_date > LAST_DAY:  # the booking window is added to it
        raise Invalid.field("requested_date", f"At most {LAST_DAY.isoformat()}.")
    devices = _devices_on_contract(contract, serials)
    order = ReturnOrder(
        contract_id=contract.id,
        customer_id=contract.customer_id,
        reason=reason,
        status=ReturnStatus.REQUESTED,
        requested_date=requested_date,
        region=region,
        address=address,
        actor=actor,
        refresh_order_id=refresh_order_id,
        person_id=person_id,
    )
    db.session.add(order)
    db.session.flush()
    for device, deployment in devices:
        transition_device(
            device,
            "schedule_return",
            today,
            actor,
            contract_id=contract.id,
            reference=f"return order {order.id} ({reason})",
        )
        db.session.add(
            ReturnOrderDevice(return_order_id=order.id, device_id=device.id, deployment_id=deployment.id)
        )
    slot = slots.book_earliest(region, requested_date, window_days)
    if slot is not None:
        order.slot_id, order.status = slot.id, ReturnStatus.SCHEDULED
        record_pickup(order, slot.date, None, [device.serial for device, _ in devices])
    db.session.flush()
    return order


def get_return_order(order_id: int, customer_scope: int | None = None) -> ReturnOrder:
    order = db.session.scalar(
        select(ReturnOrder).where(ReturnOrder.id == order_id).options(selectinload(ReturnOrder.devices))
    )
    if order is None or (customer_scope is not None and order.customer_id != customer_scope):
        raise NotFound(f"No return order {order_id}.")
    return order


def _lock(order_id: int, customer_scope: int | None = None) -> ReturnOrder:
    order = db.session.scalar(select(ReturnOrder).where(ReturnOrder.id == order_id).with_for_update())
    if order is None or (customer_scope is not None and order.customer_id != customer_scope):
        raise NotFound(f"No return order {order_id}.")
    return order


def _illegal(order: ReturnOrder, action: str, allowed: Sequence[str]) -> Conflict:
    return Conflict(
        f"Return order {order.id} is {order.status}; it can {action} only when {' or '.join(allowed)}.",
        errors={"status": [f"The order is {order.status}; allowed from: {', '.join(allowed)}."]},
    )


def schedule_return_order(order_id: int, day: date, customer_scope: int | None = None) -> ReturnOrder:
    """Book (or move to) the region's slot on `day`; the old slot's place is freed. The customer hears of
    it: `pickup.booked`, or `pickup.moved` with the day it had before."""
    order = _lock(order_id, customer_scope)
    if order.status not in BEFORE_PICKUP:
        raise _illegal(order, "be scheduled", BEFORE_PICKUP)
    if day < clock.today():
        raise Invalid.field("date", "A pickup cannot be scheduled in the past.")
    if order.slot is not None and order.slot.date == day:
        return order
    previous = order.slot.date if order.slot is not None else None
    slot = slots.book_on(order.region, day)
    if order.slot_id is not None:
        slots.free_place(order.slot_id)
    order.slot_id, order.status = slot.id, ReturnStatus.SCHEDULED
    db.session.flush()
    record_pickup(order, day, previous, serials_of(order))
    return order


def _order_devices(order: ReturnOrder) -> list[tuple[Device, Deployment]]:
    rows = db.session.execute(
        select(ReturnOrderDevice.device_id, ReturnOrderDevice.deployment_id).where(
            ReturnOrderDevice.return_order_id == order.id
        )
    ).all()
    return [
        (db.session.get(Device, device_id, with_for_update=True), db.session.get(Deployment, deployment_id))
        for device_id, deployment_id in rows
    ]


def pick_up_return_order(
    order_id: int, picked_up_on: date, actor: str, carrier: str | None = None, tracking: str | None = None
) -> ReturnOrder:
    """The carrier has the devices: their deployments end that day (billing stops) and they are in transit.
    A leaving person whose last devices these were has left."""
    order = _lock(order_id)
    if order.status != ReturnStatus.SCHEDULED:
        raise _illegal(order, "be picked up", (ReturnStatus.SCHEDULED,))
    if order.exchange_pending:  # an advance exchange: the replacement is delivered first
        raise Conflict(
            f"Return order {order.id} waits for its exchange shipment to be delivered before the pickup.",
            errors={"status": ["The exchange shipment is not delivered yet."]},
        )
    if picked_up_on > clock.today():
        raise Invalid.field("picked_up_on", "A pickup cannot be recorded in the future.")
    devices = _order_devices(order)
    for device, deployment in devices:
        if picked_up_on < deployment.start_date:
            raise Invalid.field(
                "picked_up_on", f"Device {device.serial} was deployed on {deployment.start_date}."
            )
        transition_device(
            device,
            "pick_up",
            picked_up_on,
            actor,
            field_name="picked_up_on",
            contract_id=order.contract_id,
            reference=f"return order {order.id}: {carrier or 'carrier'}",
        )
        deployment.end_date = picked_up_on
    order.status, order.picked_up_on, order.carrier, order.tracking = (
        ReturnStatus.PICKED_UP,
        picked_up_on,
        carrier,
        tracking,
    )
    db.session.flush()
    people = {order.person_id} | {deployment.person_id for _, deployment in devices}
    for person_id in sorted(person_id for person_id in people if person_id is not None):
        settle_leaving_person(person_id)
    return order


def settle_leaving_person(person_id: int) -> None:
    """A leaving person has left once no device serves them and no offboarding return of theirs is open."""
    person = lock_person(person_id)
    if person.status != PersonStatus.LEAVING or has_open_deployments(person.id):
        return
    open_offboarding = db.session.scalar(
        select(ReturnOrder.id)
        .where(
            ReturnOrder.person_id == person.id,
            ReturnOrder.reason == ReturnReason.OFFBOARDING,
            ReturnOrder.status.in_(BEFORE_PICKUP),
        )
        .limit(1)
    )
    if open_offboarding is None:
        set_status(person, PersonStatus.LEFT)


def receive_return_order(order_id: int, received_on: date, actor: str) -> ReturnOrder:
    order = _lock(order_id)
    if order.status != ReturnStatus.PICKED_UP:
        raise _illegal(order, "be received", (ReturnStatus.PICKED_UP,))
    if received_on > clock.today():
        raise Invalid.field("received_on", "A receipt cannot be recorded in the future.")
    for device, _ in _order_devices(order):
        transition_device(
            device,
            "receive",
            received_on,
            actor,
            field_name="received_on",
            contract_id=order.contract_id,
            reference=f"return order {order.id}",
        )
    order.status, order.received_on = ReturnStatus.RECEIVED, received_on
    db.session.flush()
    return order


def cancel_return_order(order_id: int, actor: str, customer_scope: int | None = None) -> ReturnOrder:
    """Cancelled before pickup: the slot's place is freed and the devices stay deployed."""
    order = _lock(order_id, customer_scope)
    if order.status not in BEFORE_PICKUP:
        raise _illegal(order, "be cancelled", BEFORE_PICKUP)
    if order.slot_id is not None:
        slots.free_place(order.slot_id)
    for device, _ in _order_devices(order):
        transition_device(
            device,
            "cancel_return",
            clock.today(),
            actor,
            contract_id=order.contract_id,
            reference=f"return order {order.id} cancelled",
        )
    order.status, order.slot_id = ReturnStatus.CANCELLED, None
    db.session.flush()
    return order


def withdraw_device(device: Device, on: date, actor: str, why: str) -> list[ReturnOrder]:
    """Take a (locked) device off the return orders waiting for their pickup, because it will not come
    back (`why` says so on its custody event, dated `on`): it is deployed again. An order of that device
    alone is cancelled, its slot's place freed; from an order with other devices, which are still
    collected, it is taken off."""
    orders = db.session.scalars(
        select(ReturnOrder)
        .join(ReturnOrderDevice, ReturnOrderDevice.return_order_id == ReturnOrder.id)
        .where(ReturnOrderDevice.device_id == device.id, ReturnOrder.status.in_(BEFORE_PICKUP))
        .order_by(ReturnOrder.id)
        .with_for_update(of=ReturnOrder)
    ).all()
    for order in orders:
        transition_device(
            device,
            "cancel_return",
            on,
            actor,
            field_name="on",
            contract_id=order.contract_id,
            reference=f"return order {order.id}: {why}",
        )
        others = db.session.scalar(
            select(ReturnOrderDevice.id)
            .where(ReturnOrderDevice.return_order_id == order.id, ReturnOrderDevice.device_id != device.id)
            .limit(1)
        )
        if others is None:  # its only device: the order is cancelled as it is, as cancel_return_order does
            if order.slot_id is not None:
                slots.free_place(order.slot_id)
            order.status, order.slot_id = ReturnStatus.CANCELLED, None
        else:  # the others are still collected; the custody event keeps that this one was on the order
            db.session.execute(
                delete(ReturnOrderDevice).where(
                    ReturnOrderDevice.return_order_id == order.id, ReturnOrderDevice.device_id == device.id
                )
            )
    db.session.flush()
    return list(orders)


def list_return_orders(
    status: str | None = None,
    region: str | None = None,
    contract_id: int | None = None,
    customer_scope: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[ReturnOrder], int]:
    query = select(ReturnOrder).options(selectinload(ReturnOrder.devices), selectinload(ReturnOrder.slot))
    for column, value in (
        (ReturnOrder.status, status),
        (ReturnOrder.region, region),
        (ReturnOrder.contract_id, contract_id),
        (ReturnOrder.customer_id, customer_scope),
    ):
        if value is not None:
            query = query.where(column == value)
    return fetch_page(query.order_by(ReturnOrder.id.desc()), offset, limit)


def serials_of(order: ReturnOrder) -> list[str]:
    return list(
        db.session.scalars(
            select(Device.serial)
            .join(ReturnOrderDevice, ReturnOrderDevice.device_id == Device.id)
            .where(ReturnOrderDevice.return_order_id == order.id)
            .order_by(ReturnOrderDevice.id)
        )
    )


def scheduled_pickups(region: str | None) -> list[tuple[ReturnOrder, date, list[str]]]:
    """Scheduled orders with their pickup day and serials (the calendar feed)."""
    query = (
        select(ReturnOrder)
        .where(ReturnOrder.status == ReturnStatus.SCHEDULED)
        .options(selectinload(ReturnOrder.slot))
    )
    if region:
        query = query.where(ReturnOrder.region == region)
    return [
        (order, order.slot.date, serials_of(order))
        for order in db.session.scalars(query.order_by(ReturnOrder.id))
    ]


# -- exports -----------------------------------------------------------------------------------------------


# Columns of numbers in the exports; every other cell is text, written so no spreadsheet runs it.
_NUMERIC_COLUMNS = ("return_order_id", "contract_id", "customer_id", "weight_kg", "wipe_certificate_id")


def _csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    return write_csv(columns, rows, numeric=[name for name in _NUMERIC_COLUMNS if name in columns])


def return_orders_csv(status: str | None = None, region: str | None = None) -> str:
    """One row per device of each return order."""
    query = (
        select(ReturnOrder, Device.serial, DeviceModel.sku, Device.status)
        .join(ReturnOrderDevice, ReturnOrderDevice.return_order_id == ReturnOrder.id)
        .join(Device, Device.id == ReturnOrderDevice.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .options(selectinload(ReturnOrder.slot))
        .order_by(ReturnOrder.id, ReturnOrderDevice.id)
    )
    if status:
        query = query.where(ReturnOrder.status == status)
    if region:
        query = query.where(ReturnOrder.region == region)
    rows = [
        {
            "return_order_id": order.id,
            "status": order.status,
            "reason": order.reason,
            "contract_id": order.contract_id,
            "customer_id": order.customer_id,
            "region": order.region,
            "requested_date": order.requested_date,
            "pickup_date": order.slot.date if order.slot else "",
            "picked_up_on": order.picked_up_on or "",
            "received_on": order.received_on or "",
            "carrier": order.carrier or "",
            "tracking": order.tracking or "",
            "serial": serial,
            "sku": sku,
            "device_status": device_status,
        }
        for order, serial, sku, device_status in db.session.execute(query)
    ]
    columns = (
        "return_order_id",
        "status",
        "reason",
        "contract_id",
        "customer_id",
        "region",
        "requested_date",
        "pickup_date",
        "picked_up_on",
        "received_on",
        "carrier",
        "tracking",
        "serial",
        "sku",
        "device_status",
    )
    return _csv(columns, rows)


def dispositions_csv(start: date | None = None, end: date | None = None) -> str:
    """One row per disposition (redeploy, refurbish, harvest, recycle), with the grade and the wipe."""
    query = (
        select(CustodyEvent, Device.serial, DeviceModel.sku, DeviceModel.category, DeviceModel.weight_kg)
        .join(Device, Device.id == CustodyEvent.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .where(CustodyEvent.action.in_(("redeploy", "refurbish", "harvest", "recycle")))
        .order_by(CustodyEvent.occurred_on, CustodyEvent.id)
    )
    if start:
        query = query.where(CustodyEvent.occurred_on >= start)
    if end:
        query = query.where(CustodyEvent.occurred_on <= end)
    rows = []
    for event, serial, sku, category, weight in db.session.execute(query):
        grade = db.session.scalar(
            select(CustodyEvent.reference)
            .where(
                CustodyEvent.device_id == event.device_id,
                CustodyEvent.action == "grade",
                CustodyEvent.seq < event.seq,
            )
            .order_by(CustodyEvent.seq.desc())
            .limit(1)
        )
        wipe = db.session.scalar(
            select(WipeCertificate)
            .where(
                WipeCertificate.device_id == event.device_id,
                WipeCertificate.performed_on <= event.occurred_on,
            )
            .order_by(WipeCertificate.id.desc())
            .limit(1)
        )
        rows.append(
            {
                "date": event.occurred_on,
                "serial": serial,
                "sku": sku,
                "category": category,
                "weight_kg": f"{weight:.3f}",
                "disposition": event.action,
                "grade": (grade or "").removeprefix("grade "),
                "wipe_method": wipe.method if wipe else "",
                "wipe_standard": wipe.standard if wipe else "",
                "wipe_certificate_id": wipe.id if wipe else "",
                "detail": event.reference or "",
                "actor": event.actor,
            }
        )
    columns = (
        "date",
        "serial",
        "sku",
        "category",
        "weight_kg",
        "disposition",
        "grade",
        "wipe_method",
        "wipe_standard",
        "wipe_certificate_id",
        "detail",
        "actor",
    )
    return _csv(columns, rows)
