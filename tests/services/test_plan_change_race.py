"""Two plan changes of one contract at the same moment take turns on the contract's row lock: on PostgreSQL
(real threads, committed data) the history always ends contiguous with one open plan, and each request
gets a clear answer, never a 500. The database stands behind it: no two plans of a contract on one day
(exclusion constraint), one open plan per contract, one plan per start day."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from daas.contracts.models import ContractPlan
from daas.core import clock
from daas.extensions import db
from tests import factories
from tests.conftest import ON_POSTGRES
from tests.helpers import bearer

CONTRACTS = 6
TIMEOUT = 30.0
TODAY = date(2026, 11, 15)


def _world(app: Flask) -> tuple[list[int], dict[str, str], str]:
    with app.app_context():
        std = factories.plan(minimum_monthly_amount=Decimal("500.00"))
        pro = factories.plan(
            minimum_monthly_amount=Decimal("700.00"),
            charges=[{"kind": "device_monthly", "unit_amount": Decimal("49.00")}],
        )
        lite = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("29.00")}])
        ids = [
            factories.contract(plan_code=std.code, start_date=date(2026, 1, 1)).id for _ in range(CONTRACTS)
        ]
        token = factories.token("finance")
        db.session.commit()
        return ids, {"pro": pro.code, "lite": lite.code, "std": std.code}, token


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


def _histories(app: Flask, ids: list[int]) -> dict[int, list[tuple[int, date, date | None]]]:
    with app.app_context():
        rows = db.session.scalars(
            select(ContractPlan).where(ContractPlan.contract_id.in_(ids)).order_by(ContractPlan.starts_on)
        )
        found: dict[int, list[tuple[int, date, date | None]]] = {i: [] for i in ids}
        for row in rows:
            found[row.contract_id].append((row.plan_id, row.starts_on, row.ends_on))
        return found


def _assert_contiguous(history: list[tuple[int, date, date | None]]) -> None:
    assert history[0][1] == date(2026, 1, 1), history
    assert [end for _, _, end in history[:-1]] == [start for _, start, _ in history[1:]], history
    assert history[-1][2] is None, history


def _post(token: str, contract_id: int, body: dict[str, str]) -> Callable[[Any], Any]:
    return lambda client: client.post(
        f"/api/v1/contracts/{contract_id}/plan-changes", json=body, headers=bearer(token)
    )


@pytest.mark.postgres
def test_two_changes_of_one_contract_at_once_leave_one_contiguous_history(committed):
    app = committed
    with clock.frozen(TODAY):
        ids, plans, token = _world(app)
        # The same change twice: the second, under the lock, finds the plan in force already (422).
        same = {"plan_code": plans["pro"], "from": "2026-12-01"}
        first_round = _together(app, [_post(token, i, same) for i in ids for _ in range(2)])
        # Two changes from different days: both stand, in the order they took the lock.
        lite = {"plan_code": plans["lite"], "from": "2027-01-01"}
        std = {"plan_code": plans["std"], "minimum_monthly_amount": "650.00", "from": "2027-02-01"}
        second_round = _together(app, [_post(token, i, body) for i in ids for body in (lite, std)])

    for n in range(CONTRACTS):
        assert sorted(first_round[2 * n : 2 * n + 2]) == [201, 422], first_round
        assert second_round[2 * n : 2 * n + 2] == [201, 201], second_round
    histories = _histories(app, ids)
    for contract_id in ids:
        history = histories[contract_id]
        _assert_contiguous(history)
        starts = tuple(start for _, start, _ in history)
        # `std` from 2027-02-01 stands when it came after `lite`, and is superseded when it came before.
        assert starts in (
            (date(2026, 1, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)),
            (date(2026, 1, 1), date(2026, 12, 1), date(2027, 1, 1)),
        ), history


@pytest.mark.postgres
def test_the_database_refuses_overlapping_or_second_open_plans(committed):
    app = committed
    with clock.frozen(TODAY):
        ids, _, _ = _world(app)
    with app.app_context():
        plan_id = db.session.scalar(select(ContractPlan.plan_id).where(ContractPlan.contract_id == ids[0]))
        statements = [
            # A second open plan.
            "INSERT INTO contract_plans (contract_id, plan_id, starts_on, created_by) "
            f"VALUES ({ids[0]}, {plan_id}, '2027-01-01', 'race')",
            # A closed plan over days the open one holds (exclusion constraint).
            "INSERT INTO contract_plans (contract_id, plan_id, starts_on, ends_on, created_by) "
            f"VALUES ({ids[0]}, {plan_id}, '2026-06-01', '2026-07-01', 'race')",
            # A second plan from the same day.
            "INSERT INTO contract_plans (contract_id, plan_id, starts_on, ends_on, created_by) "
            f"VALUES ({ids[0]}, {plan_id}, '2026-01-01', '2026-02-01', 'race')",
            # A plan that ends before it starts.
            "INSERT INTO contract_plans (contract_id, plan_id, starts_on, ends_on, created_by) "
            f"VALUES ({ids[1]}, {plan_id}, '2025-06-01', '2025-05-01', 'race')",
        ]
        for statement in statements:
            with pytest.raises(IntegrityError), db.engine.begin() as connection:
                connection.execute(text(statement))
    assert ON_POSTGRES
