"""impact.md's worked example, to the gram, through the services a user's actions go through: a laptop
serves contract A for 1,000 days, is wiped, graded A and refurbished, serves B for 730 days, is redeployed
as it is, serves C for 200 days, and is recycled."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from daas.core.periods import Period
from daas.impact.ledger import close_periods_through
from daas.impact.statements import contract_statement, portfolio_report
from tests.impact_helpers import build_worked_example

TODAY = date(2026, 11, 15)


@pytest.fixture
def example(database, today):
    built = build_worked_example()
    return {name: built[name] for name in "ABC"}


def _figures(contract_id: int) -> dict[str, object]:
    statement = contract_statement(contract_id, None, None, TODAY)
    return {
        name: statement[name]
        for name in (
            "service_days",
            "allocated_co2e_kg",
            "avoided_co2e_kg",
            "allocated_mass_kg",
            "avoided_ewaste_kg",
            "second_life_devices",
        )
    }


EXPECTED = {
    "A": {
        "service_days": 1000,
        "allocated_co2e_kg": Decimal("205.479"),
        "avoided_co2e_kg": Decimal("0.000"),
        "allocated_mass_kg": Decimal("1.027"),
        "avoided_ewaste_kg": Decimal("0.000"),
        "second_life_devices": 0,
    },
    "B": {
        "service_days": 730,
        "allocated_co2e_kg": Decimal("109.521"),
        "avoided_co2e_kg": Decimal("40.479"),
        "allocated_mass_kg": Decimal("0.473"),
        "avoided_ewaste_kg": Decimal("0.277"),
        "second_life_devices": 1,
    },
    "C": {
        "service_days": 200,
        "allocated_co2e_kg": Decimal("0.000"),
        "avoided_co2e_kg": Decimal("41.096"),
        "allocated_mass_kg": Decimal("0.000"),
        "avoided_ewaste_kg": Decimal("0.205"),
        "second_life_devices": 1,
    },
}


def test_the_worked_example_to_the_gram_computed_and_then_closed(example):
    provisional = {name: _figures(contract_id) for name, contract_id in example.items()}
    assert provisional == EXPECTED

    reports = close_periods_through(Period.containing(TODAY).previous(), TODAY)
    assert reports[0].period == "2020-01" and reports[-1].period == "2026-10"
    assert sum(report.rows for report in reports) > 0

    closed = {name: _figures(contract_id) for name, contract_id in example.items()}
    assert closed == EXPECTED  # closing a month does not change a statement
    assert contract_statement(example["A"], None, None, TODAY)["provisional_periods"] == ["2026-11"]


def test_the_provider_keeps_what_is_left_and_the_recycled_mass_is_shared(example):
    report = portfolio_report(None, None, TODAY)
    total = report["total"]
    # (1930 × 300/1460) − (300 + 15) = 81.575 avoided; everything embodied is allocated to someone.
    assert total["avoided_co2e_kg"] == Decimal("81.575")
    assert total["allocated_co2e_kg"] + report["provider_residual"]["allocated_co2e_kg"] == Decimal("315.000")
    assert total["allocated_mass_kg"] + report["provider_residual"]["allocated_mass_kg"] == Decimal("1.500")
    assert report["provider_residual"]["allocated_co2e_kg"] == Decimal("0.000")

    # 1.5 kg recycled, shared 1000 : 730 : 200 over 1930 days (running totals rounded: 0.777, 1.345,
    # 1.500), and what that keeps out of unmanaged waste: × (1 − 0.401).
    recycled = {name: contract_statement(cid, None, None, TODAY) for name, cid in example.items()}
    assert [recycled[n]["certified_recycled_kg"] for n in "ABC"] == [
        Decimal("0.777"),
        Decimal("0.568"),
        Decimal("0.155"),
    ]
    assert [recycled[n]["unmanaged_ewaste_avoided_kg"] for n in "ABC"] == [
        Decimal("0.465"),
        Decimal("0.340"),
        Decimal("0.093"),
    ]
    assert total["certified_recycled_kg"] == Decimal("1.500")
