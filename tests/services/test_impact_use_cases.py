"""The impact use cases: closing the ledger commits month by month, so a run that fails or is stopped
part-way keeps the months it closed and the next run goes on from there; a new parameter set is kept, or
refused with nothing stored.

`db.session.rollback()` after a use case proves it committed: nothing it wrote is left open to roll back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.contracts import services as contracts
from daas.core.errors import Conflict, Invalid
from daas.core.jobs import JobContext, JobStopped
from daas.core.periods import Period
from daas.extensions import db
from daas.impact.models import ImpactLedgerRow, ImpactParameterSet, ImpactPeriodClose
from daas.impact.parameter_sets import list_parameter_sets
from daas.jobs.impact import impact_close_job
from daas.usecases.impact import close_impact_months, create_parameter_set
from tests import factories
from tests.helpers import settings_of


@pytest.fixture
def deployed(database, today):
    """A laptop (E0 292 kg: 0.2 kg a day) deployed on a contract from 2026-02-01."""
    model = factories.device_model(embodied_co2e_kg=Decimal("292"), weight_kg=Decimal("1.46"))
    device = factories.device(sku=model.sku)
    contract = factories.contract(start_date=date(2026, 1, 1))
    contracts.deploy_device(contract.id, device.serial, date(2026, 2, 1), factories.ACTOR)
    return contract


def _closed() -> list[str]:
    return list(db.session.scalars(select(ImpactPeriodClose.period).order_by(ImpactPeriodClose.period)))


def _rows() -> list[tuple[str, int]]:
    return list(
        db.session.execute(
            select(ImpactLedgerRow.period, ImpactLedgerRow.service_days).order_by(ImpactLedgerRow.period)
        )
    )


def test_closing_keeps_every_month_with_its_rows(deployed, today):
    heard: list[str] = []
    reports = close_impact_months(Period.parse("2026-04"), today, lambda report: heard.append(report.period))
    db.session.rollback()
    assert [(r.period, r.rows, r.devices, r.already_closed) for r in reports] == [
        ("2026-02", 1, 1, False),
        ("2026-03", 1, 1, False),
        ("2026-04", 1, 1, False),
    ]
    assert heard == ["2026-02", "2026-03", "2026-04"]
    assert _closed() == heard
    assert _rows() == [("2026-02", 28), ("2026-03", 31), ("2026-04", 30)]
    assert [r.already_closed for r in close_impact_months(Period.parse("2026-04"), today)] == []


def test_a_month_that_cannot_close_leaves_the_months_before_it_closed(deployed, today):
    """Through 2026-11 on 2026-11-15: February to October close, each committed; November has not ended,
    so the run stops there and only November's attempt is rolled back."""
    db.session.commit()
    with pytest.raises(Conflict, match="2026-11 has not ended yet"):
        close_impact_months(Period.parse("2026-11"), today)
    assert _closed() == [f"2026-{month:02d}" for month in range(2, 11)]
    assert sum(days for _, days in _rows()) == 273  # 2026-02-01 .. 2026-10-31


def test_a_stopped_job_keeps_the_months_it_closed_and_the_next_run_goes_on(app, deployed, today):
    """The scheduler asks the job to stop while it closes: it stops at the next safe point, after a month
    is committed; the next run closes the rest, each month once."""
    context = JobContext(settings_of(app), datetime(2026, 11, 15, 5, tzinfo=UTC))
    context.stop.set()
    with pytest.raises(JobStopped):
        impact_close_job(context)
    assert _closed() == ["2026-02"]

    finished = JobContext(settings_of(app), context.due)
    assert impact_close_job(finished) == {"closed": [f"2026-{m:02d}" for m in range(3, 11)], "rows": 8}
    db.session.rollback()
    assert _closed() == [f"2026-{month:02d}" for month in range(2, 11)]
    assert [period for period, _ in _rows()] == _closed()


def test_a_new_parameter_set_is_kept_from_a_month_after_the_closed_ones(deployed, today):
    first = list_parameter_sets()[0]
    close_impact_months(Period.parse("2026-10"), today)
    with pytest.raises(Invalid, match="Periods through 2026-10 are closed"):
        create_parameter_set(first.values, first.sources, date(2026, 10, 1))
    assert db.session.scalar(select(func.count(ImpactParameterSet.id))) == 1

    created = create_parameter_set(first.values, first.sources, date(2026, 12, 1))
    db.session.rollback()
    stored = db.session.get(ImpactParameterSet, created.id)
    assert (stored.version, stored.valid_from, stored.values) == (2, date(2026, 12, 1), first.values)
    assert stored.sources == first.sources
