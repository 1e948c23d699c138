"""The contract use cases: signing, terminating (logistics' use case), deploying a device and handing it
back: each commits what it did when it returns, and leaves nothing of it behind when it raises.

`db.session.rollback()` after a use case proves it committed: nothing it wrote is left open to roll back.
Set-up data is committed before a use case that must fail, so that its rollback shows only its own work.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.contracts.models import Contract, Deployment
from daas.core.errors import Conflict, Invalid
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases import contracts as use_cases
from daas.usecases.logistics import terminate_contract
from tests import factories

ACTOR = factories.ACTOR


def terminate(contract_id: int, end_date: date) -> None:
    terminate_contract(contract_id, end_date, current_settings().end_of_term, 14, ACTOR)


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _events(serial: str) -> list[tuple[str, str | None, str, date]]:
    return [
        (event.action, event.from_status, event.to_status, event.occurred_on)
        for event in db.session.scalars(
            select(CustodyEvent).join(Device).where(Device.serial == serial).order_by(CustodyEvent.seq)
        )
    ]


@pytest.fixture
def signed(database, today):
    """A 36-month plan in EUR, a customer paying in EUR, and a laptop in stock since 2025-12-01."""
    plan = factories.plan(term_months=36)
    customer = factories.customer()
    device = factories.device(on=date(2025, 12, 1))
    return {"plan": plan, "customer": customer, "serial": device.serial}


def test_a_contract_signed_is_kept_with_its_term_and_minimum(signed):
    contract = use_cases.sign_contract(
        signed["customer"].id, signed["plan"].code, date(2026, 1, 31), None, Decimal("250.00")
    )
    db.session.rollback()
    stored = db.session.get(Contract, contract.id)
    assert (stored.customer_id, stored.plan_id, stored.start_date, stored.end_date) == (
        signed["customer"].id,
        signed["plan"].id,
        date(2026, 1, 31),
        date(2029, 1, 31),  # 36 months on: the first day no longer covered
    )
    assert (stored.minimum_monthly_amount, stored.terminated_on) == (Decimal("250.00"), None)


def test_a_contract_refused_leaves_no_row(signed):
    dollars = factories.customer(currency="USD")
    db.session.commit()
    with pytest.raises(Invalid, match="the customer pays in USD"):
        use_cases.sign_contract(dollars.id, signed["plan"].code, date(2026, 1, 1))
    with pytest.raises(Invalid, match="Must be after start_date"):
        use_cases.sign_contract(
            signed["customer"].id, signed["plan"].code, date(2026, 1, 1), date(2026, 1, 1)
        )
    assert _count(Contract) == 0


def test_a_deployment_and_its_hand_back_are_kept_with_the_device_moves(signed):
    contract = use_cases.sign_contract(signed["customer"].id, signed["plan"].code, date(2026, 1, 1))
    deployment = use_cases.deploy_device(contract.id, signed["serial"], date(2026, 2, 1), ACTOR)
    db.session.rollback()
    stored = db.session.get(Deployment, deployment.id)
    assert (stored.contract_id, stored.start_date, stored.end_date) == (contract.id, date(2026, 2, 1), None)
    device = db.session.get(Device, stored.device_id)
    assert (device.status, device.lives) == (DeviceStatus.DEPLOYED, 1)

    use_cases.hand_back_device(contract.id, signed["serial"], date(2026, 10, 15), ACTOR)
    db.session.rollback()
    assert db.session.get(Deployment, deployment.id).end_date == date(2026, 10, 15)
    assert _events(signed["serial"]) == [
        ("register", None, DeviceStatus.IN_STOCK, date(2025, 12, 1)),
        ("deploy", DeviceStatus.IN_STOCK, DeviceStatus.DEPLOYED, date(2026, 2, 1)),
        ("hand_back", DeviceStatus.DEPLOYED, DeviceStatus.RECEIVED, date(2026, 10, 15)),
    ]


def test_a_refused_deployment_or_hand_back_changes_nothing(signed):
    contract = use_cases.sign_contract(signed["customer"].id, signed["plan"].code, date(2026, 1, 1))
    other = use_cases.sign_contract(signed["customer"].id, signed["plan"].code, date(2026, 1, 1))
    use_cases.deploy_device(contract.id, signed["serial"], date(2026, 2, 1), ACTOR)
    with pytest.raises(Conflict, match="deployed cannot deploy"):
        use_cases.deploy_device(other.id, signed["serial"], date(2026, 3, 1), ACTOR)
    with pytest.raises(Invalid, match="cannot be handed back in the future"):
        use_cases.hand_back_device(contract.id, signed["serial"], date(2026, 11, 20), ACTOR)
    assert _count(Deployment) == 1
    assert db.session.scalar(select(Device.status).where(Device.serial == signed["serial"])) == (
        DeviceStatus.DEPLOYED
    )
    assert len(_events(signed["serial"])) == 2


def test_a_termination_is_kept_once_every_device_can_come_back(signed):
    contract = use_cases.sign_contract(signed["customer"].id, signed["plan"].code, date(2026, 1, 1))
    use_cases.deploy_device(contract.id, signed["serial"], date(2026, 2, 1), ACTOR)
    db.session.commit()
    with pytest.raises(
        Conflict, match=f"no pickup address, and devices are still deployed .*{signed['serial']}"
    ):
        terminate(contract.id, date(2026, 9, 1))
    assert db.session.get(Contract, contract.id).terminated_on is None

    use_cases.hand_back_device(contract.id, signed["serial"], date(2026, 8, 31), ACTOR)
    terminate(contract.id, date(2026, 9, 1))
    db.session.rollback()
    stored = db.session.get(Contract, contract.id)
    assert (stored.end_date, stored.terminated_on) == (date(2026, 9, 1), date(2026, 9, 1))
