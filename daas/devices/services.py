"""Devices: register, find, and move through the lifecycle, writing the chain of custody as they go."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from daas.catalog.services import find_device_model
from daas.core import clock
from daas.core.identifiers import serial_problem
from daas.db import fetch_page
from daas.devices.lifecycle import IllegalTransition, next_status
from daas.devices.models import CustodyEvent, Device
from daas.errors import Conflict, Invalid, NotFound
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
        status="in_stock",
        manufactured_on=manufactured_on,
        battery_health=battery_health,
        lives=0,
    )
    db.session.add(device)
    db.session.flush()
    _append_event(device, "register", None, "in_stock", on, actor, reference="stock intake")
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
    if action == "deploy":
        device.lives += 1
    db.session.flush()
    return event


def _visible_to(customer_id: int) -> object:
    """Devices whose latest deployment is on one of this customer's contracts."""
    from daas.contracts.models import Contract, Deployment

    latest = (
        select(Deployment.contract_id)
        .where(Deployment.device_id == Device.id)
        .order_by(Deployment.start_date.desc(), Deployment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return latest.in_(select(Contract.id).where(Contract.customer_id == customer_id))


def get_device(serial: str, customer_scope: int | None = None) -> Device:
    query = select(Device).where(Device.serial == serial)
    if customer_scope is not None:
        query = query.where(_visible_to(customer_scope))
    device = db.session.scalar(query)
    if device is None:
        raise NotFound(f"No device {serial}.")
    return device


def device_events(device: Device, customer_scope: int | None = None) -> list[CustodyEvent]:
    """The chain of custody; a customer sees the events of its own contracts only."""
    query = select(CustodyEvent).where(CustodyEvent.device_id == device.id).order_by(CustodyEvent.seq)
    if customer_scope is not None:
        from daas.contracts.models import Contract

        query = query.where(
            CustodyEvent.contract_id.in_(select(Contract.id).where(Contract.customer_id == customer_scope))
        )
    return list(db.session.scalars(query))


def list_devices(
    status: str | None = None,
    sku: str | None = None,
    customer_scope: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Device], int]:
    query = select(Device).options(joinedload(Device.device_model))
    if status:
        query = query.where(Device.status == status)
    if sku:
        query = query.where(Device.device_model_id == find_device_model(sku).id)
    if customer_scope is not None:
        query = query.where(_visible_to(customer_scope))
    return fetch_page(query.order_by(Device.serial), offset, limit)


def update_device_condition(serial: str, battery_health: int | None) -> Device:
    """Record a measured battery health (the refresh planner reads it)."""
    device = lock_device(serial, field_name=None)
    device.battery_health = battery_health
    db.session.flush()
    return device
