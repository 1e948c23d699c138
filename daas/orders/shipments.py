"""Shipments: devices reserved for an order, packed and sent to the order's address, then delivered (each
device deployed on the order's contract from the delivery day, for the line's person) or failed (back to
a new attempt, or to stock). orders.md, "Shipments".

A shipment books the earliest delivery slot of its region with room (delivery_slots.py), never over the
slot's capacity. Every device move goes through `transition_device`, one custody event per step with the
reference "shipment <id>". The order follows its units (`order_status_from_units`): shipped when every
device is on its way or delivered, delivered when every one is. An advance exchange (a shipment naming a
`defect` return order) holds that return's pickup until the shipment is delivered; the delivery of a
refresh's replacement order completes the refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.contracts.models import Contract, Deployment
from daas.contracts.services import check_deployable
from daas.core import clock
from daas.core.errors import Invalid, NotFound
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import Device
from daas.devices.services import lock_device, transition_device
from daas.extensions import db
from daas.logistics.models import RefreshOrder, ReturnOrder, ReturnReason, ReturnStatus
from daas.logistics.refresh import complete_replacement_delivered
from daas.orders import delivery_slots
from daas.orders.allocation import status_from_units
from daas.orders.events import record_delivered, record_shipped
from daas.orders.lifecycle import OPEN_SHIPMENT_STATUSES, PACKAGING_MATERIALS, AllocationState, ShipmentStatus
from daas.orders.models import Order, OrderAllocation, OrderLine, Shipment, ShipmentDevice, ShipmentPackaging
from daas.orders.moves import check_move, next_status
from daas.orders.ordering import get_order

# A return order an exchange shipment may hold back: the defect device is still with the customer.
_EXCHANGEABLE = (ReturnStatus.REQUESTED, ReturnStatus.SCHEDULED)


def _lock_order(order_id: int, field_name: str | None = "order_id") -> Order:
    """The shipment's order, locked; an unknown one named in a body is invalid input on `field_name`."""
    try:
        return get_order(order_id, lock=True)
    except NotFound:
        if field_name is None:
            raise
        raise Invalid.field(field_name, f"There is no order {order_id}.") from None


def _lock_shipment(shipment_id: int) -> Shipment:
    shipment = db.session.scalar(select(Shipment).where(Shipment.id == shipment_id).with_for_update())
    if shipment is None:
        raise NotFound(f"No shipment {shipment_id}.")
    return shipment


# -- packing ------------------------------------------------------------------------------------------------


def _check_packaging(packaging: Sequence[dict[str, Any]] | None, reusable_box_id: str | None) -> None:
    """Single-use packaging by material and weight, or a reusable box: one of the two. Each material once,
    from the known ones, in kilograms with at most three decimals."""
    if packaging is None and reusable_box_id is None:
        raise Invalid(
            "Give the packaging or a reusable box.",
            errors={
                "packaging": ["Give the packaging, or a reusable_box_id."],
                "reusable_box_id": ["Give a reusable_box_id, or the packaging."],
            },
        )
    if packaging is not None and reusable_box_id is not None:
        raise Invalid.field("reusable_box_id", "A reusable box replaces the packaging: give one of the two.")
    if packaging is None:
        return
    if not packaging:
        raise Invalid.field("packaging", "Name at least one material (or ship in a reusable box).")
    problems: dict[str, dict[str, list[str]]] = {}
    seen: set[str] = set()
    for index, item in enumerate(packaging):
        material, kg = item.get("material"), item.get("kg")
        if material not in PACKAGING_MATERIALS:
            problems[str(index)] = {"material": [f"One of {', '.join(PACKAGING_MATERIALS)}."]}
        elif material in seen:
            problems[str(index)] = {"material": [f"{material} is listed twice; give its total weight once."]}
        elif not isinstance(kg, Decimal) or not kg.is_finite() or kg < 0 or kg != round(kg, 3):
            problems[str(index)] = {"kg": ["Kilograms, at least 0, with at most 3 decimals."]}
        seen.add(str(material))
    if problems:
        raise Invalid("The packaging is not valid.", errors={"packaging": problems})


def _packable(order: Order, serials: Sequence[str]) -> list[tuple[Device, OrderAllocation]]:
    """The devices named, each reserved for this order and not packed in an open shipment, locked."""
    if not serials:
        raise Invalid.field("serials", "Name at least one device.")
    if len(set(serials)) != len(serials):
        raise Invalid.field("serials", "A device is named twice.")
    found: list[tuple[Device, OrderAllocation]] = []
    problems: dict[str, list[str]] = {}
    for index, serial in enumerate(serials):
        allocation = db.session.scalar(
            select(OrderAllocation)
            .join(Device, Device.id == OrderAllocation.device_id)
            .where(
                Device.serial == serial,
                OrderAllocation.order_id == order.id,
                OrderAllocation.state == AllocationState.RESERVED,
            )
            .with_for_update(of=OrderAllocation)
        )
        if allocation is None:
            problems[str(index)] = [f"Device {serial} is not reserved for order {order.id}."]
            continue
        if allocation.shipment_id is not None:
            problems[str(index)] = [f"Device {serial} is in shipment {allocation.shipment_id} already."]
            continue
        device = lock_device(serial)
        if device.status != DeviceStatus.ALLOCATED:
            problems[str(index)] = [f"Device {serial} is {device.status}, not waiting to be packed."]
            continue
        found.append((device, allocation))
    if problems:
        raise Invalid("Some devices cannot be packed for this order.", errors={"serials": problems})
    return found


def _exchange(order: Order, return_order_id: int) -> ReturnOrder:
    """The `defect` return order of the order's contract this shipment replaces, still to be collected."""
    return_order = db.session.scalar(
        select(ReturnOrder).where(ReturnOrder.id == return_order_id).with_for_update()
    )
    if return_order is None or return_order.contract_id != order.contract_id:
        raise Invalid.field("return_order_id", f"No return order {return_order_id} on this contract.")
    if return_order.reason != ReturnReason.DEFECT:
        raise Invalid.field("return_order_id", "Only a defect return order is exchanged in advance.")
    if return_order.status not in _EXCHANGEABLE:
        raise Invalid.field(
            "return_order_id", f"Return order {return_order.id} is {return_order.status}: nothing to hold."
        )
    holder = db.session.scalar(
        select(Shipment.id).where(
            Shipment.return_order_id == return_order.id, Shipment.status.in_(OPEN_SHIPMENT_STATUSES)
        )
    )
    if holder is not None:
        raise Invalid.field("return_order_id", f"Shipment {holder} is this return order's exchange already.")
    return return_order


def create_shipment(
    order_id: int,
    serials: Sequence[str],
    actor: str,
    *,
    packaging: Sequence[dict[str, Any]] | None = None,
    reusable_box_id: str | None = None,
    return_order_id: int | None = None,
    window_days: int = delivery_slots.DELIVERY_WINDOW_DAYS,
) -> Shipment:
    """Pack reserved devices of an order for its address and book the earliest delivery slot of its region
    with room on or after the requested day (today at the earliest), within `window_days`; without one the
    shipment has no delivery date and waits in the logistics queue."""
    order = _lock_order(order_id)
    check_move(order, "ship")
    _check_packaging(packaging, reusable_box_id)
    devices = _packable(order, serials)
    return_order = _exchange(order, return_order_id) if return_order_id is not None else None
    shipment = Shipment(
        order_id=order.id,
        status=ShipmentStatus.PACKED,
        address_line1=order.address_line1,
        address_line2=order.address_line2,
        postcode=order.postcode,
        city=order.city,
        country=order.country,
        region=order.region,
        reusable_box_id=reusable_box_id,
        return_order_id=return_order_id,
        actor=actor,
    )
    db.session.add(shipment)
    db.session.flush()
    for device, allocation in devices:
        db.session.add(
            ShipmentDevice(shipment_id=shipment.id, allocation_id=allocation.id, device_id=device.id)
        )
        allocation.shipment_id = shipment.id
    for item in packaging or ():
        db.session.add(ShipmentPackaging(shipment_id=shipment.id, material=item["material"], kg=item["kg"]))
    if return_order is not None:
        return_order.exchange_pending = True
    slot = delivery_slots.book_earliest(order.region, max(order.requested_date, clock.today()), window_days)
    shipment.slot_id = slot.id if slot is not None else None
    db.session.flush()
    return shipment


# -- the way to the customer --------------------------------------------------------------------------------


def _shipment_devices(shipment: Shipment) -> list[tuple[Device, OrderAllocation, int | None]]:
    """The shipment's devices and their allocations, locked, with the person of each one's order line, in
    one query."""
    rows = db.session.execute(
        select(Device, OrderAllocation, OrderLine.person_id)
        .join(ShipmentDevice, ShipmentDevice.device_id == Device.id)
        .join(OrderAllocation, OrderAllocation.id == ShipmentDevice.allocation_id)
        .join(OrderLine, OrderLine.id == OrderAllocation.order_line_id)
        .where(ShipmentDevice.shipment_id == shipment.id)
        .order_by(ShipmentDevice.id)
        .with_for_update(of=(Device, OrderAllocation))
        .execution_options(populate_existing=True)
    ).all()
    return [(device, allocation, person_id) for device, allocation, person_id in rows]


def _follow_units(order: Order, move: str | None) -> None:
    """Set the order's status from its units (allocation.status_from_units: ordered, holding a device, on
    their way or delivered, delivered). `move` is the order move this step makes, checked first; None for
    a failed delivery, which may only take units back."""
    if move is not None:
        check_move(order, move)
    db.session.flush()  # the devices' and allocations' new states are what the count reads
    order.status = status_from_units(order)


def ship_shipment(
    shipment_id: int, carrier: str, tracking: str, shipped_on: date | None, actor: str
) -> Shipment:
    """The carrier has the shipment (on `shipped_on`, default today): its devices are on their way out,
    and the customer hears of it with the tracking (`delivery.shipped`)."""
    shipment = _lock_shipment(shipment_id)
    status = next_status(shipment, "ship")
    shipped_on = shipped_on or clock.today()
    if shipped_on > clock.today():
        raise Invalid.field("shipped_on", "A shipment cannot be recorded as shipped in the future.")
    shipment.status = status
    order = _lock_order(shipment.order_id, None)
    devices = _shipment_devices(shipment)
    for device, _, _ in devices:
        transition_device(
            device,
            "ship",
            shipped_on,
            actor,
            field_name="shipped_on",
            contract_id=order.contract_id,
            reference=f"shipment {shipment.id}",
            note=f"{carrier} {tracking}",
        )
    shipment.carrier, shipment.tracking, shipment.shipped_on = carrier, tracking, shipped_on
    _follow_units(order, "ship")
    db.session.flush()
    record_shipped(order, shipment, [device.serial for device, _, _ in devices])
    return shipment


def deliver_shipment(shipment_id: int, delivered_on: date, received_by: str, actor: str) -> Shipment:
    """The shipment arrived: each device is deployed on the order's contract from `delivered_on` (its
    first billed day), for its line's person. An exchange's return order may now be picked up; a
    refresh's replacement completes the refresh. The customer hears of it (`delivery.delivered`)."""
    shipment = _lock_shipment(shipment_id)
    status = next_status(shipment, "deliver")
    if shipment.shipped_on is not None and delivered_on < shipment.shipped_on:
        raise Invalid.field("delivered_on", f"The shipment left on {shipment.shipped_on}; not before that.")
    if delivered_on > clock.today():
        raise Invalid.field("delivered_on", "A delivery cannot be recorded in the future.")
    # The state and its day together: the database refuses a delivered shipment without its day.
    shipment.status, shipment.delivered_on, shipment.received_by = status, delivered_on, received_by
    order = _lock_order(shipment.order_id, None)
    contract = db.session.get(Contract, order.contract_id)
    delivered: list[Device] = []
    for device, allocation, person_id in _shipment_devices(shipment):
        check_deployable(contract, device, delivered_on, date_field="delivered_on", device_field="serials")
        transition_device(
            device,
            "deliver",
            delivered_on,
            actor,
            field_name="delivered_on",
            contract_id=contract.id,
            reference=f"shipment {shipment.id}",
            note=f"received by {received_by}",
        )
        deployment = Deployment(
            device_id=device.id, contract_id=contract.id, start_date=delivered_on, person_id=person_id
        )
        db.session.add(deployment)
        db.session.flush()  # the overlap guard speaks here
        allocation.state, allocation.deployment_id = AllocationState.DELIVERED, deployment.id
        delivered.append(device)
    _follow_units(order, "deliver")
    if shipment.return_order_id is not None:
        return_order = db.session.get(ReturnOrder, shipment.return_order_id, with_for_update=True)
        return_order.exchange_pending = False
    if order.refresh_order_id is not None and delivered:
        refresh_order = db.session.get(RefreshOrder, order.refresh_order_id)
        if refresh_order.completes_on_delivery:
            complete_replacement_delivered(refresh_order.id, delivered[0].id, delivered_on, actor)
    db.session.flush()
    record_delivered(order, shipment, [device.serial for device in delivered])
    return shipment


def fail_shipment(shipment_id: int, retry: bool, actor: str) -> Shipment:
    """The delivery failed (today). `retry`: the devices wait, reserved, for a new shipment. Otherwise they
    go back to stock, their reservations end and the order is backordered until stock is allocated again.
    The slot's place is freed either way. An exchange stays pending for the retry; without one, it ends."""
    shipment = _lock_shipment(shipment_id)
    was_shipped = shipment.status == ShipmentStatus.SHIPPED
    shipment.status = next_status(shipment, "fail")
    today = clock.today()
    order = _lock_order(shipment.order_id, None)
    for device, allocation, _ in _shipment_devices(shipment):
        if retry:
            action = "retry_delivery" if was_shipped else None
        else:
            action = "return_to_stock" if was_shipped else "release"
            allocation.state, allocation.released_at = AllocationState.RELEASED, clock.now()
        if action is not None:
            transition_device(
                device,
                action,
                today,
                actor,
                contract_id=order.contract_id,
                reference=f"shipment {shipment.id}",
                note="delivery failed" + (", to be sent again" if retry else ", back to stock"),
            )
        allocation.shipment_id = None
    if shipment.slot_id is not None:
        delivery_slots.free_place(shipment.slot_id)
    shipment.slot_id, shipment.failed_on, shipment.retry = None, today, retry
    if shipment.return_order_id is not None and not retry:
        return_order = db.session.get(ReturnOrder, shipment.return_order_id, with_for_update=True)
        return_order.exchange_pending = False
    _follow_units(order, None)
    db.session.flush()
    return shipment
