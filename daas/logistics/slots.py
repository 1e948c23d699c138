"""Pickup slots: capacity per region and day, and bookings that never exceed it.

A booking is one conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`): concurrent bookings
of the last place cannot both succeed, on PostgreSQL or SQLite, and a check constraint backs it up."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from daas.core.errors import Conflict, Invalid, NotFound
from daas.db import fetch_page
from daas.extensions import db
from daas.logistics.models import PickupSlot


def create_slot(region: str, day: date, capacity: int) -> PickupSlot:
    if db.session.scalar(select(PickupSlot.id).where(PickupSlot.region == region, PickupSlot.date == day)):
        raise Conflict(
            f"A slot for {region} on {day} exists already; change its capacity instead.",
            errors={"date": ["Already exists."]},
        )
    slot = PickupSlot(region=region, date=day, capacity=capacity, booked=0)
    db.session.add(slot)
    db.session.flush()
    return slot


def get_slot(slot_id: int) -> PickupSlot:
    slot = db.session.get(PickupSlot, slot_id)
    if slot is None:
        raise NotFound(f"No pickup slot {slot_id}.")
    return slot


def change_capacity(slot_id: int, capacity: int) -> PickupSlot:
    slot = db.session.scalar(select(PickupSlot).where(PickupSlot.id == slot_id).with_for_update())
    if slot is None:
        raise NotFound(f"No pickup slot {slot_id}.")
    if capacity < slot.booked:
        raise Conflict(
            f"{slot.booked} pickups are booked on this slot; capacity cannot go below that.",
            errors={"capacity": [f"At least {slot.booked}."]},
        )
    slot.capacity = capacity
    db.session.flush()
    return slot


def list_slots(
    region: str | None, start: date | None, end: date | None, offset: int = 0, limit: int = 50
) -> tuple[list[PickupSlot], int]:
    query = select(PickupSlot)
    if region:
        query = query.where(PickupSlot.region == region)
    if start:
        query = query.where(PickupSlot.date >= start)
    if end:
        query = query.where(PickupSlot.date <= end)
    return fetch_page(query.order_by(PickupSlot.date, PickupSlot.region), offset, limit)


def take_place(slot_id: int) -> bool:
    """Book one place on a slot if it has room; False when it is full."""
    booked = db.session.execute(
        update(PickupSlot)
        .where(PickupSlot.id == slot_id, PickupSlot.booked < PickupSlot.capacity)
        .values(booked=PickupSlot.booked + 1)
    ).rowcount
    return booked == 1


def free_place(slot_id: int) -> None:
    db.session.execute(
        update(PickupSlot)
        .where(PickupSlot.id == slot_id, PickupSlot.booked > 0)
        .values(booked=PickupSlot.booked - 1)
    )


def book_on(region: str, day: date) -> PickupSlot:
    """A place on the region's slot of that day; 409 when the slot is full or there is none."""
    slot = db.session.scalar(select(PickupSlot).where(PickupSlot.region == region, PickupSlot.date == day))
    if slot is None:
        raise Invalid.field("date", f"There is no pickup slot in {region} on {day}.")
    if not take_place(slot.id):
        raise Conflict(
            f"The pickup slot in {region} on {day} is full ({slot.capacity} pickups).",
            errors={"date": ["The slot is full."]},
        )
    return slot


def _with_room(region: str, start: date, end: date) -> Any:
    return (
        select(PickupSlot)
        .where(
            PickupSlot.region == region,
            PickupSlot.date >= start,
            PickupSlot.date <= end,
            PickupSlot.booked < PickupSlot.capacity,
        )
        .order_by(PickupSlot.date)
    )


def free_slots(region: str, start: date, end: date) -> list[PickupSlot]:
    """The region's slots with room from `start` through `end`, earliest first (what a date picker offers)."""
    return list(db.session.scalars(_with_room(region, start, end)))


def book_earliest(region: str, requested: date, window_days: int) -> PickupSlot | None:
    """The earliest slot with room on or after `requested`, within `window_days`; None if there is none."""
    end = requested + timedelta(days=window_days)
    candidates = db.session.scalars(_with_room(region, requested, end).with_only_columns(PickupSlot.id)).all()
    for slot_id in candidates:
        if take_place(slot_id):  # a concurrent booking may have taken the last place: try the next day
            return db.session.get(PickupSlot, slot_id)
    return None
