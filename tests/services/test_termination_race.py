"""Two confirmations of one contract's termination at the same moment take turns on the contract's row
lock: on PostgreSQL (real threads, committed data) one terminates and charges, the other is told the
contract was terminated already (409), never a 500. Each contract ends with one early-termination charge
(the database keeps one charge per contract and key) and one return order for its devices."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from daas.charges.models import OneOffCharge
from daas.core import clock
from daas.extensions import db
from daas.logistics.models import ReturnOrder, ReturnOrderDevice
from tests import factories
from tests.billing_helpers import deploy
from tests.helpers import bearer

CONTRACTS = 5
TIMEOUT = 30.0
REGION = "NL-NH"


def _world(app: Flask) -> tuple[list[int], str]:
    with app.app_context():
        customer = factories.customer(pickup_region=REGION, pickup_address="Keizersgracht 1, Amsterdam")
        plan = factories.plan(minimum_monthly_amount=Decimal("500.00"))
        ids = []
        for _ in range(CONTRACTS):
            contract = factories.contract(customer.id, plan.code, date(2025, 6, 1), end_date=date(2028, 6, 1))
            deploy(contract, date(2026, 2, 1))
            ids.append(contract.id)
        token = factories.token("finance")
        db.session.commit()
        return ids, token


def _together(app: Flask, requests: list[Callable[[Any], Any]]) -> list[int | str]:
    """Each request from its own thread (own app context, session and connection), let go at once."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[int | str] = [""] * len(requests)

    def send(index: int, request: Callable[[Any], Any]) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=TIMEOUT)
            outcomes[index] = request(client).status_code
        except Exception as error:  # reported by the assertions on the outcomes
            outcomes[index] = repr(error)

    threads = [threading.Thread(target=send, args=(i, r), daemon=True) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a request did not finish"
    return outcomes


def _confirm(token: str, contract_id: int) -> Callable[[Any], Any]:
    return lambda client: client.post(
        f"/api/v1/contracts/{contract_id}/terminate?confirm=true",
        json={"end_date": "2027-01-15"},
        headers=bearer(token),
    )


@pytest.mark.postgres
def test_two_confirmations_at_once_terminate_and_charge_once(committed):
    app = committed
    with clock.frozen(date(2026, 11, 15)):
        ids, token = _world(app)
        outcomes = _together(app, [_confirm(token, i) for i in ids for _ in range(2)])

    for n in range(CONTRACTS):
        assert sorted(outcomes[2 * n : 2 * n + 2]) == [200, 409], outcomes
    with app.app_context():
        charges = db.session.execute(
            select(OneOffCharge.contract_id, func.count(), func.sum(OneOffCharge.amount))
            .where(OneOffCharge.contract_id.in_(ids))
            .group_by(OneOffCharge.contract_id)
        ).all()
        assert sorted(charges) == [(i, 1, Decimal("4000.00")) for i in ids]
        orders = db.session.execute(
            select(ReturnOrder.contract_id, func.count(ReturnOrderDevice.id))
            .join(ReturnOrderDevice, ReturnOrderDevice.return_order_id == ReturnOrder.id)
            .where(ReturnOrder.contract_id.in_(ids))
            .group_by(ReturnOrder.contract_id)
        ).all()
        assert sorted(orders) == [(i, 1) for i in ids]
