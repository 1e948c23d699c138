"""Job function for the scheduler: close the impact ledger through last month."""

from __future__ import annotations

from datetime import date
from typing import Any

from daas.billing.periods import Period
from daas.impact.ledger import close_periods_through


def close_impact_job(config: Any, as_of: date) -> dict[str, Any]:
    """Close every month through the one before `as_of`. Safe to run again: a closed month appends nothing."""
    reports = close_periods_through(Period.containing(as_of).previous(), as_of)
    closed = [report for report in reports if not report.already_closed]
    return {"closed": [report.period for report in closed], "rows": sum(report.rows for report in closed)}
