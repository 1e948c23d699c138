"""Devices: register, find, and move through the lifecycle, writing the chain of custody as they go."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from daas.catalog.services import find_device_model
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound
from daas.core.identifiers import serial_problem
from daas.devices.lifecycle import DeviceStatus, IllegalTransition, next_status
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db

# How far ahead an event may be dated: a deployment may start when the shipped device arrives.
MAX_DAYS_AHEAD = 31


def register_device(
    serial: str,
    sku: str,
    actor: str,
    manufactured_on: date | None = None,
    battery_health: int | None = None,
    on: date | None = None,
) -> Device:
    """Take a device into stock; its first custody event says when and by whom. Its serial must keep to the
    serial rule (daas.core.identifiers), whoever enters it: a serial no URL can address is refused."""
    if (problem := serial_problem(serial)) is not None:
        raise Invalid.field("serial", problem)
    if db.session.scalar(select(Device.id).where(Device.serial == serial)) is not None:
        raise Conflict(f"A device {serial} already exists.", errors={"serial": ["Already exists."]})
    model = find_device_model(sku)
    on = on or clock.today()
    if on > clock.today():
        raise Invalid.field("on", "A device cannot be taken into stock in the future.")
    if manufactured_on is not None and manufactured_on > on:
        raise Invalid.field("manufactured_on", "A device cannot be made after it was taken into stock.")
    device = Device(
        serial=serial,
        device_model=model,
        status=DeviceStatus.IN_STOCK,
        manufactured_on=manufactured_on,
        battery_health=battery_health,
        lives=0,
    )
    db.session.add(device)
    db.session.flush()
    _append_event(device, "register", None, DeviceStatus.IN_STOCK, on, actor, reference="stock intake")
    return device


def lock_device(serial: str, field_name: str | None = "serial") -> Device:
    """The device, locked for this transaction (PostgreSQL row lock; SQLite transactions are serial).

    An unknown serial is invalid input on `field_name`, or not found when the serial is in the path (None).
    """
    device = db.session.scalar(select(Device).where(Device.serial == serial).with_for_update())
    if device is None:
        if field_name is None:
            raise NotFound(f"No device {serial}.")
        raise Invalid.field(field_name, f"Unknown device {serial}.")
    return device


def last_event_date(device: Device) -> date | None:
    return db.session.scalar(
        select(func.max(CustodyEvent.occurred_on)).where(CustodyEvent.device_id == device.id)
    )


def event_day(device: Device) -> date:
    """The day to date an event recorded now: today, or the device's last event day when that is later
    (events of one device stay in order)."""
    last = last_event_date(device)
    return max(clock.today(), last) if last is not None else clock.today()


def check_event_date(device: Device, on: date, field_name: str) -> None:
    """Events of one device stay in order, and none is dated far in the future."""
    last = last_event_date(device)
    if last is not None and on < last:
        raise Invalid.field(field_name, f"{on} is before the device's last recorded event ({last}).")
    if on > clock.today() + timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid.field(field_name, f"At most {MAX_DAYS_AHEAD} days ahead.")


def _append_event(
    device: Device,
    action: str,
    from_status: str | None,
    to_status: str,
    on: date,
    actor: str,
    contract_id: int | None = None,
    reference: str | None = None,
    note: str | None = None,
) -> CustodyEvent:
    seq = (
        db.session.scalar(select(func.max(CustodyEvent.seq)).where(CustodyEvent.device_id == device.id)) or 0
    ) + 1
    event = CustodyEvent(
        device_id=device.id,
        seq=seq,
        action=action,
        from_status=from_status,
        to_status=to_status,
        occurred_on=on,
        recorded_at=clock.now(),
        actor=actor,
        contract_id=contract_id,
        reference=reference,
        note=note,
    )
    db.session.add(event)
    return event


def transition_device(
    device: Device,
    action: str,
    on: date,
    actor: str,
    *,
    field_name: str = "on",
    contract_id: int | None = None,
    reference: str | None = None,
    note: str | None = None,
) -> CustodyEvent:
    """Move a (locked) device by `action` and record it; 409 naming the state and allowed actions."""
    try:
        target = next_status(device.status, action)
    except IllegalTransition as illegal:
        raise Conflict(
            str(illegal),
            errors={
                "status": [
                    f"The device is {illegal.status}; allowed: {', '.join(illegal.allowed) or 'none'}."
                ]
            },
        ) from illegal
    check_event_date(device, on, field_name)
    event = _append_event(device, action, device.status, target, on, actor, contract_id, reference, note)
    device.status = target
    if action in ("deploy", "deliver"):  # a new life with a customer, handed over or delivered
        device.lives += 1
    db.session.flush()
    return event


def update_device_condition(serial: str, battery_health: int | None) -> Device:
    """Record a measured battery health (the refresh planner reads it)."""
    device = lock_device(serial, field_name=None)
    device.battery_health = battery_health
    db.session.flush()
    return device
