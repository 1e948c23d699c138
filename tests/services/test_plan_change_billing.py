"""What the billing run makes of plan changes, through the services on SQLite and PostgreSQL: each month is
billed on the plan (or plans) in force in it, whatever the contract is moving to; a contract's own
minimum applies to every plan unless a change sets its own; a backdated change shows in the recomputed
draft; late usage is rated on the plan of the days it belongs to."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from daas.billing.invoiced_months import finalized_invoice_from
from daas.billing.models import Invoice
from daas.contracts import plan_history
from daas.core import clock
from daas.core.periods import Period
from daas.extensions import db
from tests import factories
from tests.billing_helpers import NOVEMBER, OCTOBER, at, bill, deploy, finalize_run, usage

D = Decimal
DECEMBER = Period.parse("2026-12")


@pytest.fixture
def plans(database, today) -> dict[str, Any]:
    tickets = factories.metric(code=factories.unique("tickets"), name="Tickets")

    def plan(device: str, above_ten: str, minimum: str | None) -> Any:
        return factories.plan(
            minimum_monthly_amount=None if minimum is None else D(minimum),
            charges=[
                {"kind": "device_monthly", "unit_amount": D(device)},
                {
                    "kind": "metered",
                    "metric": tickets.code,
                    "model": "graduated",
                    "tiers": [
                        {"up_to": D(10), "unit_amount": D(0)},
                        {"up_to": None, "unit_amount": D(above_ten)},
                    ],
                },
            ],
        )

    return {
        "std": plan("39.00", "15.00", "500.00"),
        "pro": plan("49.00", "12.00", "700.00"),
        "tickets": tickets,
    }


def _change(contract: Any, plan: Any, from_date: date | None, minimum: str | None = None) -> Any:
    return plan_history.change_plan(
        contract.id,
        plan.code,
        from_date,
        None if minimum is None else D(minimum),
        "tests",
        finalized_invoice_from,
    )


def _lines(contract: Any, period: Period) -> list[tuple[str | None, str, Decimal]]:
    invoice = db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == period.name)
    )
    db.session.refresh(invoice)
    return [(line.plan_code, line.kind, line.amount) for line in invoice.lines]


def test_a_change_scheduled_for_next_month_leaves_this_month_on_its_plan(plans):
    contract = factories.contract(plan_code=plans["std"].code, start_date=date(2026, 1, 1))
    deploy(contract, date(2026, 9, 1))
    with clock.frozen(date(2026, 11, 20)):
        _change(contract, plans["pro"], date(2026, 12, 1))
    assert contract.plan.code == plans["pro"].code  # the plan it is moving to
    with clock.frozen(date(2026, 12, 1)):
        bill(NOVEMBER)
    assert _lines(contract, NOVEMBER) == [
        (None, "device_monthly", D("39.00")),
        (None, "metered", D("0.00")),
        (None, "minimum_true_up", D("461.00")),
    ]
    with clock.frozen(date(2027, 1, 1)):
        bill(DECEMBER)
    assert _lines(contract, DECEMBER) == [
        (None, "device_monthly", D("49.00")),
        (None, "metered", D("0.00")),
        (None, "minimum_true_up", D("651.00")),
    ]


def test_the_contracts_own_minimum_applies_to_every_plan_unless_the_change_sets_one(plans):
    own = factories.contract(
        plan_code=plans["std"].code, start_date=date(2026, 1, 1), minimum_monthly_amount=D("300.00")
    )
    _change(own, plans["pro"], date(2026, 11, 10))
    set_by_change = factories.contract(
        plan_code=plans["std"].code, start_date=date(2026, 1, 1), minimum_monthly_amount=D("300.00")
    )
    _change(set_by_change, plans["pro"], date(2026, 11, 10), minimum="800.00")
    with clock.frozen(date(2026, 12, 1)):
        bill(NOVEMBER)
    # No device served: each plan bills its tickets (none, free) and its own true-up.
    assert [line for line in _lines(own, NOVEMBER) if line[1] == "minimum_true_up"] == [
        (plans["std"].code, "minimum_true_up", D("90.00")),  # 300.00 × 9 / 30
        (plans["pro"].code, "minimum_true_up", D("210.00")),  # 300.00 × 21 / 30
    ]
    assert [line for line in _lines(set_by_change, NOVEMBER) if line[1] == "minimum_true_up"] == [
        (plans["std"].code, "minimum_true_up", D("90.00")),
        (plans["pro"].code, "minimum_true_up", D("560.00")),  # 800.00 × 21 / 30
    ]


def test_a_backdated_change_shows_in_the_recomputed_draft(plans):
    contract = factories.contract(plan_code=plans["std"].code, start_date=date(2026, 1, 1))
    deploy(contract, date(2026, 9, 1))
    with clock.frozen(date(2026, 12, 1)):
        bill(NOVEMBER)
        assert {line[0] for line in _lines(contract, NOVEMBER)} == {None}
        _change(contract, plans["pro"], date(2026, 11, 16))  # November's invoice is a draft: allowed
        bill(NOVEMBER)
    assert _lines(contract, NOVEMBER) == [
        (plans["std"].code, "device_monthly", D("19.50")),  # 15 days × 39.00 / 30
        (plans["std"].code, "metered", D("0.00")),
        (plans["std"].code, "minimum_true_up", D("230.50")),  # 500.00 × 15 / 30 = 250.00
        (plans["pro"].code, "device_monthly", D("24.50")),  # 15 days × 49.00 / 30
        (plans["pro"].code, "metered", D("0.00")),
        (plans["pro"].code, "minimum_true_up", D("325.50")),  # 700.00 × 15 / 30 = 350.00
    ]


def test_late_usage_is_rated_on_the_plan_of_its_month(plans):
    contract = factories.contract(plan_code=plans["std"].code, start_date=date(2026, 1, 1))
    usage(contract, plans["tickets"], *[at(2026, 10, day) for day in range(1, 12)])  # 11: one at 15.00
    with clock.frozen(date(2026, 11, 1)):
        finalize_run(bill(OCTOBER).id)
        _change(contract, plans["pro"], date(2026, 11, 1))
    with clock.frozen(date(2026, 11, 5)):
        usage(contract, plans["tickets"], at(2026, 10, 30))  # October's 12th ticket, on std: 15.00, not 12.00
    with clock.frozen(date(2026, 12, 1)):
        bill(NOVEMBER)
    assert _lines(contract, NOVEMBER)[-1] == (None, "late_usage", D("15.00"))
