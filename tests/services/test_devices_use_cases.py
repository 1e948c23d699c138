"""The device use cases: taking a device into stock and recording its battery health: each commits what it
did when it returns, and leaves nothing of it behind when it raises.

`db.session.rollback()` after a use case proves it committed: nothing it wrote is left open to roll back.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from daas.core.errors import Conflict, Invalid, NotFound
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.usecases import devices as device_use_cases
from tests import factories

ACTOR = factories.ACTOR


def _events(serial: str) -> list[tuple[str, str | None, str, date]]:
    return [
        (event.action, event.from_status, event.to_status, event.occurred_on)
        for event in db.session.scalars(
            select(CustodyEvent).join(Device).where(Device.serial == serial).order_by(CustodyEvent.seq)
        )
    ]


def test_a_device_registered_and_measured_is_kept(database, today):
    model = factories.device_model()
    device = device_use_cases.register_device(
        "SN-UC-0001",
        model.sku,
        ACTOR,
        manufactured_on=date(2025, 6, 1),
        battery_health=97,
        on=date(2025, 7, 1),
    )
    db.session.rollback()
    stored = db.session.get(Device, device.id)
    assert (stored.serial, stored.status, stored.lives, stored.battery_health) == (
        "SN-UC-0001",
        DeviceStatus.IN_STOCK,
        0,
        97,
    )
    assert _events("SN-UC-0001") == [("register", None, DeviceStatus.IN_STOCK, date(2025, 7, 1))]

    device_use_cases.record_battery_health("SN-UC-0001", 78)
    db.session.rollback()
    assert db.session.get(Device, device.id).battery_health == 78


def test_a_refused_registration_leaves_no_device(database, today):
    model = factories.device_model()
    device_use_cases.register_device("SN-UC-0002", model.sku, ACTOR)
    with pytest.raises(Conflict, match="already exists"):
        device_use_cases.register_device("SN-UC-0002", model.sku, ACTOR)
    with pytest.raises(Invalid, match="in the future"):
        device_use_cases.register_device("SN-UC-0003", model.sku, ACTOR, on=date(2026, 11, 16))
    assert db.session.scalars(select(Device.serial)).all() == ["SN-UC-0002"]
    assert db.session.scalar(select(func.count(CustodyEvent.id))) == 1
    with pytest.raises(NotFound, match="No device SN-UC-0009"):
        device_use_cases.record_battery_health("SN-UC-0009", 80)
