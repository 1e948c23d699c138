"""impact.md's worked example, to the gram, through the services a user's actions go through: a laptop
serves contract A for 1,000 days, is wiped, graded A and refurbished, serves B for 730 days, is redeployed
as it is, serves C for 200 days, and is recycled."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from daas.billing.periods import Period
from daas.contracts import services as contracts
from daas.devices import takeback
from daas.impact.ledger import close_periods_through
from daas.impact.statements import contract_statement, portfolio_report
from tests import factories

WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "QA"}
ACTOR = factories.ACTOR
TODAY = date(2026, 11, 15)


def _life(contract_id: int, serial: str, start: date, days: int) -> date:
    contracts.deploy_device(contract_id, serial, start, ACTOR)
    end = start + timedelta(days=days)
    contracts.end_deployment(contract_id, serial, end, ACTOR)
    return end


@pytest.fixture
def example(database, today):
    laptop = factories.device_model(
        category="laptop",
        embodied_co2e_kg=Decimal("300"),
        weight_kg=Decimal("1.5"),
        use_kwh_per_year=Decimal("20"),
    )
    serial = factories.device(sku=laptop.sku, on=date(2019, 12, 1)).serial
    plan = factories.plan(term_months=60).code
    a, b, c = (factories.contract(plan_code=plan, start_date=date(year, 1, 1)) for year in (2020, 2022, 2024))

    end_a = _life(a.id, serial, date(2020, 1, 1), 1000)
    takeback.wipe_device(serial, {**WIPE, "on": end_a}, ACTOR)
    takeback.grade_device(serial, "A", ACTOR, on=end_a)
    takeback.dispose_device(serial, "refurbish", ACTOR, on=end_a)
    takeback.restock_device(serial, ACTOR, on=end_a + timedelta(days=2))

    end_b = _life(b.id, serial, end_a + timedelta(days=3), 730)
    takeback.wipe_device(serial, {**WIPE, "on": end_b}, ACTOR)
    takeback.grade_device(serial, "B", ACTOR, on=end_b)
    takeback.dispose_device(serial, "redeploy", ACTOR, on=end_b)

    end_c = _life(c.id, serial, end_b + timedelta(days=1), 200)
    takeback.wipe_device(serial, {**WIPE, "on": end_c}, ACTOR)
    takeback.grade_device(serial, "D", ACTOR, on=end_c)
    takeback.dispose_device(serial, "recycle", ACTOR, on=end_c + timedelta(days=1))
    return {"A": a.id, "B": b.id, "C": c.id}


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
