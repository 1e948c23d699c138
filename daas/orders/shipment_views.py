"""What the API and the pages read of shipments: one shipment (another customer's is not found), the
lists and the logistics queue, an order's shipments, a shipment's serials, and its packing slip."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract
from daas.core.countries import country_name
from daas.core.errors import NotFound
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.devices.models import Device
from daas.extensions import db
from daas.orders.lifecycle import ShipmentStatus
from daas.orders.models import Order, OrderAllocation, OrderLine, Shipment, ShipmentDevice
from daas.orders.packing_slip_pdf import PackingSlip, SlipDevice, render_packing_slip
from daas.people.models import Person


def get_shipment(shipment_id: int, customer_scope: int | None = None) -> Shipment:
    shipment = db.session.scalar(
        select(Shipment)
        .where(Shipment.id == shipment_id)
        .options(selectinload(Shipment.slot), selectinload(Shipment.packaging))
    )
    if shipment is None or (customer_scope is not None and customer_of(shipment) != customer_scope):
        raise NotFound(f"No shipment {shipment_id}.")
    return shipment


def customer_of(shipment: Shipment) -> int:
    return db.session.scalar(select(Order.customer_id).where(Order.id == shipment.order_id))


def order_facts(shipment: Shipment) -> dict[str, int]:
    """The customer and contract of the shipment's order (what the shipment view shows of it)."""
    customer_id, contract_id = db.session.execute(
        select(Order.customer_id, Order.contract_id).where(Order.id == shipment.order_id)
    ).one()
    return {"customer_id": customer_id, "contract_id": contract_id}


def list_shipments(
    status: str | None = None,
    order_id: int | None = None,
    region: str | None = None,
    customer_id: int | None = None,
    customer_scope: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Shipment], int]:
    """Shipments by state, order, region or customer, newest first (a customer sees its own)."""
    query = select(Shipment).options(selectinload(Shipment.slot), selectinload(Shipment.packaging))
    for column, value in (
        (Shipment.status, status),
        (Shipment.order_id, order_id),
        (Shipment.region, region),
    ):
        if value is not None:
            query = query.where(column == value)
    for customer in (customer_id, customer_scope):
        if customer is not None:
            query = query.where(Shipment.order_id.in_(select(Order.id).where(Order.customer_id == customer)))
    return fetch_page(query.order_by(Shipment.id.desc()), offset, limit)


def shipments_of_order(order_id: int) -> list[Shipment]:
    """An order's shipments, oldest first, with their slots."""
    return list(
        db.session.scalars(
            select(Shipment)
            .where(Shipment.order_id == order_id)
            .options(selectinload(Shipment.slot))
            .order_by(Shipment.id)
        )
    )


def order_shipments(order_id: int) -> list[dict[str, Any]]:
    """An order's shipments as the order view lists them: state, expected delivery date (the slot's day),
    carrier and tracking."""
    return [
        {
            "id": shipment.id,
            "status": shipment.status,
            "delivery_date": shipment.slot.date if shipment.slot else None,
            "carrier": shipment.carrier,
            "tracking": shipment.tracking,
        }
        for shipment in shipments_of_order(order_id)
    ]


def serials_by_shipment(shipment_ids: Sequence[int]) -> dict[int, list[str]]:
    """The serials in each of the shipments, in packing order, in one query (lists of shipments)."""
    found: dict[int, list[str]] = {shipment_id: [] for shipment_id in shipment_ids}
    if found:
        for shipment_id, serial in db.session.execute(
            select(ShipmentDevice.shipment_id, Device.serial)
            .join(Device, Device.id == ShipmentDevice.device_id)
            .where(ShipmentDevice.shipment_id.in_(list(found)))
            .order_by(ShipmentDevice.id)
        ):
            found[shipment_id].append(serial)
    return found


def serials_of(shipment: Shipment) -> list[str]:
    return serials_by_shipment([shipment.id])[shipment.id]


def queue(region: str | None = None) -> list[Shipment]:
    """Packed shipments without a delivery slot: no slot had room within the window (logistics books one)."""
    query = select(Shipment).where(Shipment.status == ShipmentStatus.PACKED, Shipment.slot_id.is_(None))
    if region:
        query = query.where(Shipment.region == region)
    return list(db.session.scalars(query.order_by(Shipment.id)))


def packing_slip(shipment: Shipment) -> bytes:
    """The shipment's packing slip as a PDF (packing_slip_pdf.py)."""
    order = db.session.get(Order, shipment.order_id)
    contract = db.session.get(Contract, order.contract_id)
    rows = db.session.execute(
        select(Device.serial, DeviceModel.sku, DeviceModel.name, Person.name)
        .join(ShipmentDevice, ShipmentDevice.device_id == Device.id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .join(OrderAllocation, OrderAllocation.id == ShipmentDevice.allocation_id)
        .join(OrderLine, OrderLine.id == OrderAllocation.order_line_id)
        .outerjoin(Person, Person.id == OrderLine.person_id)
        .where(ShipmentDevice.shipment_id == shipment.id)
        .order_by(ShipmentDevice.id)
    ).all()
    address = [
        line
        for line in (
            shipment.address_line1,
            shipment.address_line2,
            f"{shipment.postcode} {shipment.city}",
            country_name(shipment.country),
        )
        if line
    ]
    return render_packing_slip(
        PackingSlip(
            shipment_id=shipment.id,
            order_id=order.id,
            customer=db.session.get(Customer, order.customer_id).name,
            contract=contract.reference,
            address=address,
            region=shipment.region,
            delivery_date=shipment.slot.date if shipment.slot else None,
            devices=[SlipDevice(serial, sku, name, person) for serial, sku, name, person in rows],
            packaging=[(item.material, item.kg) for item in shipment.packaging],
            reusable_box_id=shipment.reusable_box_id,
            return_order_id=shipment.return_order_id,
        )
    )
