"""What attribution reads about devices: their footprint figures, their deployments (each a life on a
contract) and the events that change their balances (refurbishment after a grade, upgrade, end of life,
the sale to the customer it served)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.customers.models import Customer
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.impact.attribution import DeviceFacts, EndOfLife, Event, Refurbishment, Sale, Service, Upgrade
from daas.logistics.models import DeviceUpgrade

END_OF_LIFE = {"recycle": "recycle", "harvest": "harvest", "lose": "lose"}
SELL = "sell"  # the custody event of a buy-out; it names the buyer's contract


@dataclass
class DeviceHistory:
    facts: DeviceFacts
    services: list[Service] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def device_histories(device_ids: Iterable[int] | None = None) -> dict[int, DeviceHistory]:
    """The history of every device (or of some), in a few queries."""
    ids = None if device_ids is None else sorted(set(device_ids))
    devices = select(
        Device.id,
        DeviceModel.category,
        DeviceModel.embodied_co2e_kg,
        DeviceModel.weight_kg,
        DeviceModel.use_kwh_per_year,
    ).join(DeviceModel, DeviceModel.id == Device.device_model_id)
    if ids is not None:
        devices = devices.where(Device.id.in_(ids))
    histories = {
        device_id: DeviceHistory(DeviceFacts(device_id, category, embodied, weight, kwh))
        for device_id, category, embodied, weight, kwh in db.session.execute(devices)
    }
    deployments = (
        select(
            Deployment.device_id,
            Deployment.contract_id,
            Deployment.start_date,
            Deployment.end_date,
            Customer.country,
        )
        .join(Contract, Contract.id == Deployment.contract_id)
        .join(Customer, Customer.id == Contract.customer_id)
        .order_by(Deployment.device_id, Deployment.start_date, Deployment.id)
    )
    if ids is not None:
        deployments = deployments.where(Deployment.device_id.in_(ids))
    lives: dict[int, int] = defaultdict(int)
    for device_id, contract_id, start, end, country in db.session.execute(deployments):
        if device_id in histories:
            lives[device_id] += 1
            histories[device_id].services.append(Service(contract_id, start, end, lives[device_id], country))
    events = (
        select(
            CustodyEvent.device_id,
            CustodyEvent.action,
            CustodyEvent.occurred_on,
            CustodyEvent.reference,
            CustodyEvent.contract_id,
        )
        .where(CustodyEvent.action.in_(("grade", "refurbish", SELL, *END_OF_LIFE)))
        .order_by(CustodyEvent.device_id, CustodyEvent.seq)
    )
    if ids is not None:
        events = events.where(CustodyEvent.device_id.in_(ids))
    last_grade: dict[int, str] = {}
    for device_id, action, on, reference, contract_id in db.session.execute(events):
        if device_id not in histories:
            continue
        if action == "grade":
            last_grade[device_id] = (reference or "").removeprefix("grade ").strip() or "D"
        elif action == "refurbish":
            histories[device_id].events.append(Refurbishment(on, last_grade.get(device_id, "D")))
        elif action == SELL:
            histories[device_id].events.append(Sale(on, contract_id))
        else:
            histories[device_id].events.append(EndOfLife(on, END_OF_LIFE[action]))
    upgrades = select(DeviceUpgrade.device_id, DeviceUpgrade.performed_on, DeviceUpgrade.kit)
    if ids is not None:
        upgrades = upgrades.where(DeviceUpgrade.device_id.in_(ids))
    for device_id, on, kit in db.session.execute(upgrades):
        if device_id in histories:
            histories[device_id].events.append(Upgrade(on, kit))
    for history in histories.values():
        history.events.sort(key=lambda event: event.on)
    return histories


def fingerprint(history: DeviceHistory, before: date) -> str:
    """A digest of everything the history says about the days before `before`: while it is unchanged, so
    are the device's figures for those days, and its stored state after them can be used as it is."""
    facts = history.facts
    parts: list[object] = [
        facts.category,
        str(facts.embodied_kg),
        str(facts.mass_kg),
        str(facts.kwh_per_year),
    ]
    parts += [
        (s.contract_id, s.start, min(s.end or before, before), s.life, s.country)
        for s in history.services
        if s.start < before
    ]
    parts += [(type(e).__name__, e.on, _detail(e)) for e in history.events if e.on < before]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _detail(event: Event) -> object:
    """What an event says besides its kind and day: the grade, the kit, the end, or the buyer's contract."""
    if isinstance(event, Sale):
        return event.contract_id
    return getattr(event, "grade", getattr(event, "kit", getattr(event, "kind", "")))
