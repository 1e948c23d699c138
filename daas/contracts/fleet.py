"""Devices as contracts place them: which devices (and which of their custody events) a customer may see.

A device belongs to the provider; a customer sees the ones whose latest deployment is on its contracts,
and of a device's chain of custody only the events of its own contracts. That needs contracts, so these
reads live here rather than in the devices domain, which knows nothing of contracts.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from daas.catalog.services import find_device_model
from daas.contracts.models import Contract, Deployment
from daas.core.errors import NotFound
from daas.db import fetch_page
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db


def _visible_to(customer_id: int) -> object:
    """Devices whose latest deployment is on one of this customer's contracts."""
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
