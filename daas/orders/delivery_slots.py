"""Delivery slots: a day's delivery capacity per region, counted in shipments, booked exactly as pickup
slots are (daas.logistics.slots: a conditional increment, and a check constraint behind it), so a slot is
never over capacity, also when many shipments are packed at once."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from daas.extensions import db
from daas.logistics.slots import SlotBook
from daas.orders.lifecycle import OPEN_SHIPMENT_STATUSES
from daas.orders.models import DeliverySlot, Shipment
from daas.orders.shipment_views import serials_by_shipment

# A shipment books the earliest slot with room on or after the order's requested day, this many days on.
DELIVERY_WINDOW_DAYS = 14

DELIVERY_SLOTS: SlotBook[DeliverySlot] = SlotBook(DeliverySlot, "delivery", "deliveries")

create_slot = DELIVERY_SLOTS.create_slot
get_slot = DELIVERY_SLOTS.get_slot
change_capacity = DELIVERY_SLOTS.change_capacity
list_slots = DELIVERY_SLOTS.list_slots
free_place = DELIVERY_SLOTS.free_place
book_earliest = DELIVERY_SLOTS.book_earliest


def booked_deliveries(region: str | None) -> list[tuple[Shipment, date, list[str]]]:
    """Open shipments (packed or on their way) that hold a slot, with the slot's day and their serials:
    the calendar feed of the deliveries to come."""
    query = (
        select(Shipment)
        .join(DeliverySlot, DeliverySlot.id == Shipment.slot_id)
        .where(Shipment.status.in_(OPEN_SHIPMENT_STATUSES))
        .options(selectinload(Shipment.slot))
        .order_by(DeliverySlot.date, Shipment.id)
    )
    if region:
        query = query.where(Shipment.region == region)
    shipments = list(db.session.scalars(query))
    serials = serials_by_shipment([shipment.id for shipment in shipments])
    return [(shipment, shipment.slot.date, serials[shipment.id]) for shipment in shipments]
