"""Selling a device takes its row lock before it reads the deployment, and a return request takes the same
lock: fired at once on PostgreSQL (real threads, committed data), a device is sold exactly once and never
left on a return order waiting for its pickup, whichever came first. The sale that loses finds no
deployment (404); a return asked for after the sale finds the device off the contract (422) or, when it
read the deployment before the sale's commit, is refused for the state it waited for (409); one asked for
before the sale is cancelled by it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics.models import PickupSlot, ReturnOrder, ReturnOrderDevice, ReturnReason
from daas.logistics.returns import BEFORE_PICKUP
from daas.usecases import logistics as use_cases
from tests import factories

DEVICES = 8
TIMEOUT = 30.0
TODAY = date(2026, 11, 15)
REGION = "NL-NH"


def _committed_fleet(app: Flask) -> tuple[int, list[str]]:
    with app.app_context():
        contract = factories.contract(start_date=date(2025, 1, 1))
        serials = []
        for _ in range(DEVICES):
            serial = factories.device(on=date(2024, 12, 1)).serial
            deploy_device(contract.id, serial, date(2025, 1, 15), factories.ACTOR)
            serials.append(serial)
        db.session.add(PickupSlot(region=REGION, date=date(2026, 11, 20), capacity=DEVICES, booked=0))
        db.session.commit()
        return contract.id, serials


def _together(app: Flask, calls: list[Callable[[], object]]) -> list[str]:
    """Each call in its own thread (own app context, session and connection), let go at once: "ok" or
    the name of the domain error it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [""] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=TIMEOUT)
                call()
                outcomes[index] = "ok"
            except Exception as error:  # reported by the assertions on the outcomes
                outcomes[index] = type(error).__name__

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a call did not finish"
    return outcomes


@pytest.mark.postgres
def test_two_sales_and_a_return_at_once_sell_the_device_once_and_collect_nothing(committed):
    app = committed
    with clock.frozen(TODAY):
        contract_id, serials = _committed_fleet(app)
        calls: list[Callable[[], object]] = []
        for serial in serials:
            for charge in (1, 2):
                calls.append(
                    lambda s=serial, c=charge: use_cases.sell_device(
                        contract_id, s, TODAY, f"buy-out charge {c}", "tests"
                    )
                )
            calls.append(
                lambda s=serial: use_cases.request_return(
                    contract_id, [s], ReturnReason.EARLY_RETURN, TODAY, REGION, "Damrak 1", "tests", 14
                )
            )
        outcomes = _together(app, calls)

    with app.app_context():
        for n, serial in enumerate(serials):
            first, second, returned = outcomes[3 * n : 3 * n + 3]
            assert sorted((first, second)) == ["NotFound", "ok"], (serial, outcomes[3 * n : 3 * n + 3])
            assert returned in ("ok", "Invalid", "Conflict"), (serial, returned)
            device = db.session.scalar(select(Device).where(Device.serial == serial))
            assert device.status == DeviceStatus.SOLD
            sells = db.session.scalar(
                select(func.count(CustodyEvent.id)).where(
                    CustodyEvent.device_id == device.id, CustodyEvent.action == "sell"
                )
            )
            assert sells == 1
            assert db.session.scalar(
                select(Deployment.end_date).where(Deployment.device_id == device.id)
            ) == (TODAY)
            waiting = db.session.scalar(
                select(func.count(ReturnOrderDevice.id))
                .join(ReturnOrder, ReturnOrder.id == ReturnOrderDevice.return_order_id)
                .where(ReturnOrderDevice.device_id == device.id, ReturnOrder.status.in_(BEFORE_PICKUP))
            )
            assert waiting == 0, serial
        booked = db.session.scalar(select(PickupSlot.booked).where(PickupSlot.region == REGION))
        assert booked == 0  # every place a cancelled return had booked is free again
