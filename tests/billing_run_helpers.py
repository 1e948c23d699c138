"""Billing runs that end badly, for the API, CLI and page tests: a contract that cannot be rated, and a
run whose process dies part-way (it leaves its row `running`, as a killed process does)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from daas.billing.models import BillingRun
from daas.core import clock
from daas.core.periods import Period
from daas.extensions import db
from tests import factories
from tests.billing_helpers import OCTOBER, at, bill, deploy, usage

# 5·10¹² units at 100,000.00 EUR: more than an invoice can hold (amounts below 10¹⁶).
HUGE_QUANTITY = Decimal("5000000000000")


def billed_contracts(count: int) -> list[Any]:
    """`count` contracts of one laptop each (39.00 a month, 47.19 with Dutch VAT for October)."""
    plan = factories.plan()
    contracts = []
    for _ in range(count):
        contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        contracts.append(contract)
    return contracts


def contract_that_cannot_be_rated() -> Any:
    """A contract whose October usage (accepted by the API) bills more than an invoice can hold."""
    metric = factories.metric(aggregation="sum")
    plan = factories.plan(
        charges=[
            {
                "kind": "metered",
                "metric": metric.code,
                "model": "per_unit",
                "unit_amount": Decimal("100000.00"),
            }
        ]
    )
    contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    usage(contract, metric, at(2026, 10, 20), quantity=HUGE_QUANTITY)
    return contract


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing in the run catches it, nothing is closed."""


def run_that_dies_after_its_first_chunk(period: Period = OCTOBER, at_moment: Any = None) -> BillingRun:
    """Start a run of `period` (chunks of one contract) whose process dies once its first chunk is
    committed: its row stays `running`, with the lease its last heartbeat gave it."""

    def die(_done: int) -> None:
        raise ProcessDied

    with clock.frozen(at_moment or date(2026, 11, 15)), pytest.raises(ProcessDied):
        bill(period, chunk_size=1, on_progress=die)
    db.session.rollback()
    run = db.session.scalar(select(BillingRun).order_by(BillingRun.id.desc()))
    assert (run.status, run.processed) == ("running", 1)
    return run
