"""Recording usage: a batch is stored whole and committed, or refused with nothing stored; an event for a
month that already has an invoice (billing's read, handed down by the use case) or for a past month is
marked as a revision for the billing run's late usage.

`db.session.rollback()` after a use case proves it committed: nothing it wrote is left open to roll back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.billing.invoiced_months import invoiced_months
from daas.core.errors import Invalid
from daas.extensions import db
from daas.usage.models import UsageEvent, UsageRevision
from daas.usecases.usage import record_usage
from tests import factories
from tests.billing_helpers import bill, deploy

NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


@pytest.fixture
def metered(database, today):
    """A contract from 2026-01-01 with a device and a metered support-ticket charge, October billed."""
    tickets = factories.metric(code=factories.unique("tickets"))
    plan = factories.plan(
        charges=[
            {"kind": "device_monthly", "unit_amount": Decimal("39.00")},
            {"kind": "metered", "metric": tickets.code, "model": "per_unit", "unit_amount": Decimal("15.00")},
        ]
    )
    contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
    deploy(contract, date(2026, 1, 10))
    bill()  # drafts October's invoice
    return {"contract": contract, "metric": tickets}


def _event(metered, n: int, timestamp: str) -> dict[str, object]:
    return {
        "transaction_id": f"uc-{n}",
        "contract_id": metered["contract"].id,
        "metric": metered["metric"].code,
        "timestamp": timestamp,
    }


def _revisions() -> list[tuple[int, date]]:
    return list(db.session.execute(select(UsageRevision.contract_id, UsageRevision.period_start)))


def test_billing_says_which_months_are_invoiced(metered):
    contract = metered["contract"].id
    assert invoiced_months({contract}, {"2026-09", "2026-10", "2026-11"}) == {(contract, "2026-10")}
    assert invoiced_months(set(), {"2026-10"}) == set() == invoiced_months({contract}, set())


def test_a_batch_is_kept_and_months_already_measured_are_marked(metered):
    body = {
        "events": [
            _event(metered, 1, "2026-11-10T08:00:00Z"),  # this month, not invoiced: no mark
            _event(metered, 2, "2026-10-20T08:00:00Z"),  # October: invoiced and past
            _event(metered, 2, "2026-10-20T08:00:00Z"),  # the same transaction twice
        ]
    }
    customer = metered["contract"].customer_id
    assert record_usage(body, customer, NOW) == (2, 1)
    db.session.rollback()
    stored = db.session.execute(
        select(UsageEvent.transaction_id, UsageEvent.timestamp, UsageEvent.quantity).order_by(UsageEvent.id)
    ).all()
    assert [(tx, moment.date(), quantity) for tx, moment, quantity in stored] == [
        ("uc-1", date(2026, 11, 10), Decimal(1)),
        ("uc-2", date(2026, 10, 20), Decimal(1)),
    ]
    assert _revisions() == [(metered["contract"].id, date(2026, 10, 1))]
    assert record_usage(body, customer, NOW) == (0, 3)  # sent again: all duplicates, nothing new


def test_a_batch_with_one_bad_event_stores_nothing(metered):
    db.session.commit()
    body = {
        "events": [_event(metered, 1, "2026-10-20T08:00:00Z"), _event(metered, 2, "2026-13-01T08:00:00Z")]
    }
    with pytest.raises(Invalid, match="nothing was stored") as refused:
        record_usage(body, metered["contract"].customer_id, NOW)
    assert set(refused.value.errors["events"]) == {"1"}  # the second event, by its index
    assert db.session.scalar(select(func.count(UsageEvent.id))) == 0
    assert _revisions() == []
