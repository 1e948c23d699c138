"""The pricing use cases commit a metric or a whole plan (charges and tiers) and leave nothing of what they
refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.core.errors import Conflict, Invalid
from daas.extensions import db
from daas.pricing.kinds import COUNT, DEVICE_MONTHLY, GRADUATED, METERED, UNIQUE_COUNT
from daas.pricing.models import Metric, Plan, PlanCharge, PlanTier
from daas.usecases import pricing as use_cases


def _plan(code: str, charges: list[dict]) -> dict:
    return {
        "code": code,
        "name": "Laptop Standard",
        "currency": "EUR",
        "term_months": 36,
        "refresh_cycle_months": 36,
        "minimum_monthly_amount": Decimal("100.00"),
        "charges": charges,
    }


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_metric_commits_it(database):
    metric = use_cases.create_metric(
        {"code": "uc-users", "name": "Active users", "aggregation": UNIQUE_COUNT, "field": "user"}
    )
    db.session.rollback()  # nothing left open: the use case committed
    stored = db.session.get(Metric, metric.id)
    assert (stored.code, stored.aggregation, stored.field) == ("uc-users", UNIQUE_COUNT, "user")


def test_a_refused_metric_stores_nothing(database):
    before = _count(Metric)
    with pytest.raises(Invalid) as refused:
        use_cases.create_metric({"code": "uc-users", "name": "Users", "aggregation": UNIQUE_COUNT})
    assert "field" in refused.value.errors
    use_cases.create_metric({"code": "uc-tickets", "name": "Tickets", "aggregation": COUNT, "field": None})
    with pytest.raises(Conflict):
        use_cases.create_metric({"code": "uc-tickets", "name": "Again", "aggregation": COUNT, "field": None})
    assert _count(Metric) == before + 1


def test_create_plan_commits_the_plan_with_its_charges_and_tiers(database):
    use_cases.create_metric({"code": "uc-tickets", "name": "Tickets", "aggregation": COUNT, "field": None})
    charges = [
        {"kind": DEVICE_MONTHLY, "unit_amount": Decimal("39.00")},
        {
            "kind": METERED,
            "metric": "uc-tickets",
            "model": GRADUATED,
            "tiers": [
                {"up_to": Decimal(10), "unit_amount": Decimal(0)},
                {"up_to": None, "unit_amount": Decimal("15.00"), "flat_amount": Decimal("5.00")},
            ],
        },
    ]
    plan = use_cases.create_plan(_plan("uc-laptop-36", charges))
    db.session.rollback()
    stored = db.session.get(Plan, plan.id)
    assert (stored.code, stored.currency, stored.minimum_monthly_amount) == (
        "uc-laptop-36",
        "EUR",
        Decimal("100.00"),
    )
    assert [(c.position, c.kind, c.unit_amount) for c in stored.charges] == [
        (0, DEVICE_MONTHLY, Decimal("39.00")),
        (1, METERED, None),
    ]
    metered = stored.charges[1]
    assert (metered.metric.code, metered.model) == ("uc-tickets", GRADUATED)
    assert [(t.up_to, t.unit_amount, t.flat_amount) for t in metered.tiers] == [
        (Decimal(10), Decimal(0), Decimal(0)),
        (None, Decimal("15.00"), Decimal("5.00")),
    ]


def test_a_refused_plan_leaves_no_plan_charge_or_tier(database):
    before = (_count(Plan), _count(PlanCharge), _count(PlanTier))
    unknown_metric = [
        {"kind": DEVICE_MONTHLY, "unit_amount": Decimal("39.00")},
        {"kind": METERED, "metric": "uc-nothing", "model": GRADUATED, "tiers": [{"unit_amount": Decimal(1)}]},
    ]
    with pytest.raises(Invalid) as refused:
        use_cases.create_plan(_plan("uc-broken", unknown_metric))
    assert refused.value.errors == {"charges": {1: {"metric": ["Unknown metric uc-nothing."]}}}
    use_cases.create_plan(_plan("uc-simple", [{"kind": DEVICE_MONTHLY, "unit_amount": Decimal("20.00")}]))
    with pytest.raises(Conflict):
        use_cases.create_plan(_plan("uc-simple", [{"kind": DEVICE_MONTHLY, "unit_amount": Decimal("21.00")}]))
    assert (_count(Plan), _count(PlanCharge), _count(PlanTier)) == (before[0] + 1, before[1] + 1, before[2])
