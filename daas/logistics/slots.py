"""Slots: capacity per region and day, and bookings that never exceed it. Pickup slots (here) and delivery
slots (daas.orders.delivery_slots) are booked the same way, so the rules are written once, in `SlotBook`,
bound to a slot model with the columns region, date, capacity and booked; the module's functions are the
pickup book's.

A booking is one conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`): concurrent bookings
of the last place cannot both succeed, on PostgreSQL or SQLite, and a check constraint backs it up."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import select, update

from daas.core.errors import Conflict, Invalid, NotFound
from daas.db import fetch_page
from daas.extensions import db
from daas.logistics.models import PickupSlot

SlotT = TypeVar("SlotT")


class SlotBook(Generic[SlotT]):
    """The slots of one model: `noun` names one booking in messages ("pickup"), `plural` several."""

    def __init__(self, model: type[SlotT], noun: str, plural: str) -> None:
        self.model: Any = model
        self.noun = noun
        self.plural = plural

    def create_slot(self, region: str, day: date, capacity: int) -> SlotT:
        model = self.model
        if db.session.scalar(select(model.id).where(model.region == region, model.date == day)):
            raise Conflict(
                f"A slot for {region} on {day} exists already; change its capacity instead.",
                errors={"date": ["Already exists."]},
            )
        slot = model(region=region, date=day, capacity=capacity, booked=0)
        db.session.add(slot)
        db.session.flush()
        return slot

    def get_slot(self, slot_id: int) -> SlotT:
        slot = db.session.get(self.model, slot_id)
        if slot is None:
            raise NotFound(f"No {self.noun} slot {slot_id}.")
        return slot

    def change_capacity(self, slot_id: int, capacity: int) -> SlotT:
        model = self.model
        slot = db.session.scalar(select(model).where(model.id == slot_id).with_for_update())
        if slot is None:
            raise NotFound(f"No {self.noun} slot {slot_id}.")
        if capacity < slot.booked:
            raise Conflict(
                f"{slot.booked} {self.plural} are booked on this slot; capacity cannot go below that.",
                errors={"capacity": [f"At least {slot.booked}."]},
            )
        slot.capacity = capacity
        db.session.flush()
        return slot

    def list_slots(
        self, region: str | None, start: date | None, end: date | None, offset: int = 0, limit: int = 50
    ) -> tuple[list[SlotT], int]:
        model = self.model
        query = select(model)
        if region:
            query = query.where(model.region == region)
        if start:
            query = query.where(model.date >= start)
        if end:
            query = query.where(model.date <= end)
        return fetch_page(query.order_by(model.date, model.region), offset, limit)

    def take_place(self, slot_id: int) -> bool:
        """Book one place on a slot if it has room; False when it is full."""
        model = self.model
        booked = db.session.execute(
            update(model)
            .where(model.id == slot_id, model.booked < model.capacity)
            .values(booked=model.booked + 1)
        ).rowcount
        return booked == 1

    def free_place(self, slot_id: int) -> None:
        model = self.model
        db.session.execute(
            update(model).where(model.id == slot_id, model.booked > 0).values(booked=model.booked - 1)
        )

    def book_on(self, region: str, day: date) -> SlotT:
        """A place on the region's slot of that day; 409 when the slot is full or there is none."""
        model = self.model
        slot = db.session.scalar(select(model).where(model.region == region, model.date == day))
        if slot is None:
            raise Invalid.field("date", f"There is no {self.noun} slot in {region} on {day}.")
        if not self.take_place(slot.id):
            raise Conflict(
                f"The {self.noun} slot in {region} on {day} is full ({slot.capacity} {self.plural}).",
                errors={"date": ["The slot is full."]},
            )
        return slot

    def _with_room(self, region: str, start: date, end: date) -> Any:
        model = self.model
        return (
            select(model)
            .where(
                model.region == region,
                model.date >= start,
                model.date <= end,
                model.booked < model.capacity,
            )
            .order_by(model.date)
        )

    def free_slots(self, region: str, start: date, end: date) -> list[SlotT]:
        """The region's slots with room from `start` through `end`, earliest first (what a date picker
        offers)."""
        return list(db.session.scalars(self._with_room(region, start, end)))

    def book_earliest(self, region: str, requested: date, window_days: int) -> SlotT | None:
        """The earliest slot with room on or after `requested`, within `window_days`; None if there is
        none."""
        end = requested + timedelta(days=window_days)
        query = self._with_room(region, requested, end).with_only_columns(self.model.id)
        for slot_id in db.session.scalars(query).all():
            if self.take_place(slot_id):  # a concurrent booking may have taken the last place: try the next
                return db.session.get(self.model, slot_id)
        return None


PICKUP_SLOTS: SlotBook[PickupSlot] = SlotBook(PickupSlot, "pickup", "pickups")

create_slot = PICKUP_SLOTS.create_slot
get_slot = PICKUP_SLOTS.get_slot
change_capacity = PICKUP_SLOTS.change_capacity
list_slots = PICKUP_SLOTS.list_slots
take_place = PICKUP_SLOTS.take_place
free_place = PICKUP_SLOTS.free_place
book_on = PICKUP_SLOTS.book_on
free_slots = PICKUP_SLOTS.free_slots
book_earliest = PICKUP_SLOTS.book_earliest
