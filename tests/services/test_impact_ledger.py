"""The impact ledger: months close in order and once, rows are never changed, and a fact entered late is
carried into the first open month as a correction, so every figure stays conserved."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from daas.contracts import services as contracts
from daas.core import clock
from daas.core.errors import Conflict
from daas.core.periods import Period
from daas.extensions import db
from daas.impact.ledger import close_period, close_periods_through
from daas.impact.models import ImpactLedgerRow, ImpactPeriodClose
from daas.impact.statements import contract_statement, portfolio_report
from daas.jobs.impact import close_impact_job
from daas.logistics import takeback
from daas.settings import current_settings
from tests import factories

ACTOR = factories.ACTOR
WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "QA"}


@pytest.fixture
def deployed(database, today):
    """A laptop (E0 292 kg: 0.2 kg a day) deployed on a contract from 2026-02-01."""
    model = factories.device_model(embodied_co2e_kg=Decimal("292"), weight_kg=Decimal("1.46"))
    device = factories.device(sku=model.sku)
    contract = factories.contract(start_date=date(2026, 1, 1))
    contracts.deploy_device(contract.id, device.serial, date(2026, 2, 1), ACTOR)
    return {"contract": contract.id, "serial": device.serial, "device": device.id}


def rows() -> list[tuple]:
    return list(
        db.session.execute(
            select(
                ImpactLedgerRow.period,
                ImpactLedgerRow.contract_id,
                ImpactLedgerRow.service_days,
                ImpactLedgerRow.allocated_co2e_kg,
            ).order_by(ImpactLedgerRow.id)
        )
    )


def test_months_close_in_order_only_once_they_have_ended(deployed, today):
    with pytest.raises(Conflict, match="close 2026-02 first"):
        close_period(Period.parse("2026-05"), today)
    with pytest.raises(Conflict, match="has not ended"):
        close_period(Period.parse("2026-11"), today)
    assert close_period(Period.parse("2026-02"), today).rows == 1
    assert close_period(Period.parse("2026-02"), today).already_closed
    with pytest.raises(Conflict, match="close 2026-03 first"):
        close_period(Period.parse("2026-04"), today)
    assert rows() == [("2026-02", deployed["contract"], 28, Decimal("5.600"))]


def test_the_job_closes_through_last_month_and_appends_nothing_when_run_again(deployed, today):
    assert close_impact_job(today) == {
        "closed": [
            "2026-02",
            "2026-03",
            "2026-04",
            "2026-05",
            "2026-06",
            "2026-07",
            "2026-08",
            "2026-09",
            "2026-10",
        ],
        "rows": 9,
    }
    written = rows()
    assert sum(row.service_days for row in written) == 273  # 2026-02-01 .. 2026-10-31
    assert sum(row.allocated_co2e_kg for row in written) == Decimal("54.600")  # 273 × 0.2
    assert close_impact_job(today) == {"closed": [], "rows": 0}
    assert rows() == written


def test_ledger_rows_are_never_updated_or_deleted(deployed, today):
    close_periods_through(Period.parse("2026-03"), today)
    for statement in (
        update(ImpactLedgerRow).values(service_days=0),
        delete(ImpactLedgerRow),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(statement)
    assert [row.service_days for row in rows()] == [28, 31]


def test_a_hand_back_entered_late_is_corrected_in_the_first_open_month(deployed, today):
    close_periods_through(Period.parse("2026-10"), today)
    closed = rows()
    before = contract_statement(deployed["contract"], None, None, today)
    assert before["service_days"] == 288  # through today, 2026-11-15

    # Entered in November: the laptop was handed back on 2026-08-20 and recycled on 2026-09-01.
    contracts.end_deployment(deployed["contract"], deployed["serial"], date(2026, 8, 20), ACTOR)
    takeback.wipe_device(deployed["serial"], {**WIPE, "on": date(2026, 8, 21)}, ACTOR)
    takeback.grade_device(
        deployed["serial"], "D", ACTOR, on=date(2026, 8, 21), policy=current_settings().end_of_term
    )
    takeback.dispose_device(deployed["serial"], "recycle", ACTOR, on=date(2026, 9, 1))

    after = contract_statement(deployed["contract"], None, None, today)
    assert after["service_days"] == 200  # 2026-02-01 .. 2026-08-19
    assert after["allocated_co2e_kg"] == Decimal("40.000")
    assert after["certified_recycled_kg"] == Decimal("1.460")
    [november] = [p for p in after["by_period"] if p["period"] == "2026-11"]
    assert (november["service_days"], november["allocated_co2e_kg"]) == (-73, Decimal("-14.600"))
    assert november["provisional"]

    with clock.frozen(date(2026, 12, 1)):
        close_periods_through(Period.parse("2026-11"), date(2026, 12, 1))
        assert contract_statement(deployed["contract"], None, None, date(2026, 12, 1))[
            "allocated_co2e_kg"
        ] == Decimal("40.000")
        report = portfolio_report(None, None, date(2026, 12, 1))
    assert rows()[: len(closed)] == closed  # the closed months are as they were
    november_rows = {row.contract_id: row for row in rows()[len(closed) :]}
    assert november_rows[deployed["contract"]].service_days == -73
    # What the subscription no longer carries is the provider's: 292 − 40 kg, and the whole device is counted.
    assert november_rows[None].allocated_co2e_kg == Decimal("252.000")
    assert report["total"]["allocated_co2e_kg"] + report["provider_residual"]["allocated_co2e_kg"] == Decimal(
        "292.000"
    )


def test_closing_changes_no_statement_and_closes_are_recorded_once(deployed, today):
    before = contract_statement(deployed["contract"], date(2026, 3, 1), date(2026, 9, 30), today)
    close_periods_through(Period.parse("2026-06"), today)
    middle = contract_statement(deployed["contract"], date(2026, 3, 1), date(2026, 9, 30), today)
    assert middle["provisional_periods"] == ["2026-07", "2026-08", "2026-09"]
    for name in ("service_days", "allocated_co2e_kg", "avoided_co2e_kg", "use_phase_kwh"):
        assert middle[name] == before[name]
    assert db.session.scalar(select(func.count()).select_from(ImpactPeriodClose)) == 5
    assert db.session.scalar(select(func.min(ImpactPeriodClose.period))) == "2026-02"


def test_a_first_life_of_exactly_the_reference_life_avoids_nothing(database):
    model = factories.device_model(embodied_co2e_kg=Decimal("292"), weight_kg=Decimal("1.46"))
    device = factories.device(sku=model.sku, on=date(2020, 1, 1))
    contract = factories.contract(plan_code=factories.plan(term_months=60).code, start_date=date(2020, 1, 1))
    end = date(2020, 1, 1) + timedelta(days=1460)
    with clock.frozen(date(2025, 1, 1)):
        contracts.deploy_device(contract.id, device.serial, date(2020, 1, 1), ACTOR)
        contracts.end_deployment(contract.id, device.serial, end, ACTOR)
        statement = contract_statement(contract.id, None, None, date(2025, 1, 1))
    assert (statement["service_days"], statement["allocated_co2e_kg"], statement["allocated_mass_kg"]) == (
        1460,
        Decimal("292.000"),
        Decimal("1.460"),
    )
    assert (statement["avoided_co2e_kg"], statement["avoided_ewaste_kg"]) == (
        Decimal("0.000"),
        Decimal("0.000"),
    )
    assert statement["second_life_devices"] == 0
