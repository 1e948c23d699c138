"""The way out, each step one transaction: delivery capacity, packing a shipment (which books its slot),
shipping, delivering (which deploys the devices, and may release an exchange's pickup or complete a
refresh) and a failed delivery. The API, the logistics pages and the portal start them; the rules are in
daas.orders (shipments, delivery_slots), which flush and raise but never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from daas.orders import delivery_slots, shipments
from daas.orders.models import DeliverySlot, Shipment
from daas.usecases.transaction import use_case

# -- delivery slots -----------------------------------------------------------------------------------------


@use_case
def open_delivery_slot(region: str, day: date, capacity: int) -> DeliverySlot:
    """Delivery capacity for a region on a day, in shipments (409 when the day has a slot already)."""
    return delivery_slots.create_slot(region, day, capacity)


@use_case
def change_delivery_capacity(slot_id: int, capacity: int) -> DeliverySlot:
    """A slot's capacity, never below the shipments booked on it."""
    return delivery_slots.change_capacity(slot_id, capacity)


# -- shipments ----------------------------------------------------------------------------------------------


@use_case
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
    """Pack reserved devices of an order; the earliest delivery slot with room is booked with it."""
    return shipments.create_shipment(
        order_id,
        serials,
        actor,
        packaging=packaging,
        reusable_box_id=reusable_box_id,
        return_order_id=return_order_id,
        window_days=window_days,
    )


@use_case
def ship_shipment(
    shipment_id: int, carrier: str, tracking: str, shipped_on: date | None, actor: str
) -> Shipment:
    """The carrier took the shipment: its devices are in transit to the customer."""
    return shipments.ship_shipment(shipment_id, carrier, tracking, shipped_on, actor)


@use_case
def deliver_shipment(shipment_id: int, delivered_on: date, received_by: str, actor: str) -> Shipment:
    """Delivered: the devices are deployed from that day, the order follows, an exchange's pickup is free."""
    return shipments.deliver_shipment(shipment_id, delivered_on, received_by, actor)


@use_case
def fail_shipment(shipment_id: int, retry: bool, actor: str) -> Shipment:
    """The delivery failed: the devices wait for a new shipment (`retry`) or go back to stock."""
    return shipments.fail_shipment(shipment_id, retry, actor)
