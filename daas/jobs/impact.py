"""Job functions for the scheduler: close the impact ledger through last month."""

from __future__ import annotations

from datetime import date
from typing import Any

from daas.core.jobs import JobContext
from daas.core.periods import Period
from daas.impact.ledger import CloseReport
from daas.usecases.impact import close_impact_months


def close_impact_job(as_of: date, on_closed: Any = None) -> dict[str, Any]:
    """Close every month through the one before `as_of`. Safe to run again: a closed month appends nothing."""
    reports = close_impact_months(Period.containing(as_of).previous(), as_of, on_closed)
    closed = [report for report in reports if not report.already_closed]
    return {"closed": [report.period for report in closed], "rows": sum(report.rows for report in closed)}


def impact_close_job(context: JobContext) -> dict[str, Any]:
    """Close through the month before the due day; a stop request is honoured between months (each month
    commits), and the next run closes the rest."""

    def closed(_report: CloseReport) -> None:
        context.checkpoint()

    return close_impact_job(context.due.date(), closed)
