"""Closing the impact ledger from two threads at once (real commits, PostgreSQL): each month is closed
once and its rows are appended once; the loser of a race appends nothing."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.contracts import services as contracts
from daas.core import clock
from daas.core.periods import Period
from daas.extensions import db
from daas.impact.models import ImpactLedgerRow, ImpactPeriodClose
from daas.usecases.impact import close_impact_months
from tests import factories
from tests.processes import TIMEOUT

pytestmark = pytest.mark.postgres

TODAY = date(2026, 11, 15)


def test_two_closers_at_once_append_each_month_once(committed):
    app = committed
    with app.app_context(), clock.frozen(TODAY):
        model = factories.device_model(embodied_co2e_kg=Decimal("292"), weight_kg=Decimal("1.46"))
        contract = factories.contract(start_date=date(2026, 1, 1))
        for _ in range(5):
            device = factories.device(sku=model.sku)
            contracts.deploy_device(contract.id, device.serial, date(2026, 1, 10), factories.ACTOR)
        db.session.commit()

    barrier = threading.Barrier(4)
    outcomes: list[object] = []

    def close() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=TIMEOUT)
                reports = close_impact_months(Period.parse("2026-10"), TODAY)
                outcomes.append([(r.period, r.already_closed, r.rows) for r in reports])
            except Exception as error:  # reported below, with the others
                outcomes.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=close) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)

    assert len(outcomes) == 4, outcomes
    errors = [o for o in outcomes if isinstance(o, Exception)]
    # A closer that saw a month closed under it stops with "close ... first"; none fails otherwise.
    assert all("first" in str(error) for error in errors), errors
    with app.app_context():
        closes = db.session.scalars(select(ImpactPeriodClose.period).order_by(ImpactPeriodClose.period)).all()
        assert closes == [f"2026-{m:02d}" for m in range(1, 11)]
        per_month = dict(
            db.session.execute(
                select(ImpactLedgerRow.period, func.count()).group_by(ImpactLedgerRow.period)
            ).all()
        )
        assert per_month == {f"2026-{m:02d}": 5 for m in range(1, 11)}
        days = db.session.scalar(select(func.sum(ImpactLedgerRow.service_days)))
        assert days == 5 * 295  # 2026-01-10 .. 2026-10-31 for each device
        appended = [r for o in outcomes if isinstance(o, list) for r in o if not r[1]]
        assert sorted(period for period, _, _ in appended) == closes  # each month by exactly one closer
