"""A contract's usage month by month, aggregated as billing aggregates a month (count, sum, max, unique
count: `daas.billing.measure.usage_in`), for the months a page charts.

One query for every month at once (each event put in its month by comparing its time with the months'
bounds, which reads the same on PostgreSQL and SQLite), and one more per unique-count metric, where asking
`usage_in` month by month took a dozen queries and more for a year.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from daas.billing.measure import aggregated, distinct_value, metric_aggregations
from daas.core.periods import Period
from daas.db import is_one_of
from daas.extensions import db
from daas.usage.models import UsageEvent

ZERO = Decimal(0)


def usage_by_month(
    contract_id: int, metric_ids: Sequence[int], months: Sequence[Period]
) -> dict[int, list[Decimal]]:
    """metric id -> the contract's quantity in each of `months` (consecutive, oldest first), zero where it
    has no usage."""
    result = {metric_id: [ZERO] * len(months) for metric_id in metric_ids}
    if not metric_ids or not months:
        return result
    aggregations = metric_aggregations()
    month = case(
        *((UsageEvent.timestamp < period.ends_at, index) for index, period in enumerate(months)), else_=None
    ).label("month")
    window = and_(
        UsageEvent.contract_id == contract_id,
        UsageEvent.timestamp >= months[0].starts_at,
        UsageEvent.timestamp < months[-1].ends_at,
    )
    rows = db.session.execute(
        select(
            UsageEvent.metric_id,
            month,
            func.count(),
            func.sum(UsageEvent.quantity),
            func.max(UsageEvent.quantity),
        )
        .where(window, is_one_of(UsageEvent.metric_id, metric_ids))
        .group_by(UsageEvent.metric_id, month)
    )
    for metric_id, index, count, total, highest in rows:
        value = aggregated(aggregations[metric_id][0], count, total, highest)
        if value is not None:
            result[metric_id][index] = value
    for metric_id in metric_ids:
        aggregation, field = aggregations[metric_id]
        if aggregation != "unique_count" or not field:
            continue
        distinct = db.session.execute(
            select(month, func.count(func.distinct(distinct_value(field))))
            .where(window, UsageEvent.metric_id == metric_id)
            .group_by(month)
        )
        for index, count in distinct:
            result[metric_id][index] = Decimal(count)
    return result
