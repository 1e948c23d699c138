"""A contract's usage month by month (the subscription page's chart), on both databases: for random events
across a year and its edges (the first and last instant of a month, events before and after the months),
each month's figure is what billing's own read of that month (`measure.usage_in`) gives, for every
aggregation."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from daas.billing import measure
from daas.billing.usage_history import usage_by_month
from daas.core.periods import Period
from tests import factories
from tests.billing_helpers import usage

MONTHS = [Period.parse(f"2026-{month:02d}") for month in range(1, 13)]


@pytest.mark.parametrize("seed", [3, 17])
def test_each_month_is_what_billing_reads_for_it(database, seed):
    rng = random.Random(seed)
    contract = factories.contract(start_date=datetime(2025, 6, 1).date())
    other = factories.contract(start_date=datetime(2025, 6, 1).date())
    metrics = [
        factories.metric(aggregation="count"),
        factories.metric(aggregation="sum"),
        factories.metric(aggregation="max"),
        factories.metric(aggregation="unique_count", field="user"),
    ]
    edges = [MONTHS[0].starts_at - timedelta(microseconds=1), MONTHS[-1].ends_at - timedelta(microseconds=1)]
    edges += [period.starts_at for period in MONTHS[1:6]]
    for metric in metrics:
        for moment in [
            *edges,
            *(MONTHS[0].starts_at + timedelta(seconds=rng.randrange(366 * 86400)) for _ in range(40)),
        ]:
            if moment >= datetime(2026, 12, 1, tzinfo=UTC):
                continue  # the contract's events cannot be in the future of the test's clock
            quantity = Decimal(rng.randrange(1, 10_000)) / 100
            properties = {"user": f"u{rng.randrange(6)}"} if metric.aggregation == "unique_count" else {}
            usage(contract, metric, moment, quantity=quantity, **properties)
        usage(other, metric, MONTHS[3].starts_at + timedelta(days=2), quantity=Decimal(7), user="x")

    found = usage_by_month(contract.id, [metric.id for metric in metrics], MONTHS)

    for index, period in enumerate(MONTHS):
        expected = measure.usage_in(period.starts_at, period.ends_at).get(contract.id, {})
        for metric in metrics:
            assert found[metric.id][index] == expected.get(metric.id, Decimal(0)), (
                period,
                metric.aggregation,
            )
    assert any(value for values in found.values() for value in values)  # the data set has usage to compare


def test_no_metrics_or_no_usage_reads_zero(database):
    contract = factories.contract()
    metric = factories.metric(aggregation="sum")
    assert usage_by_month(contract.id, [], MONTHS) == {}
    assert usage_by_month(contract.id, [metric.id], MONTHS) == {metric.id: [Decimal(0)] * 12}
