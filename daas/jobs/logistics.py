"""Job functions: the refresh plan and end-of-term returns, daily by default, and the CLI's planning round."""

from __future__ import annotations

from datetime import date
from typing import Any

from daas.core.jobs import JobContext
from daas.logistics.refresh import plan_end_of_term_returns, plan_refresh_orders, plan_refreshes

ACTOR = "scheduler"


def plan_refresh_job(settings: Any, as_of: date) -> dict[str, Any]:
    """One planning round as of a day; the caller commits. Safe to run again: it opens nothing twice."""
    report = plan_refreshes(as_of, settings.refresh_lead_days, settings.upgrade, settings.booking_window_days)
    return {
        "refresh_orders": len(report.refresh_orders),
        "end_of_term_orders": len(report.end_of_term_orders),
        "skipped": len(report.skipped),
    }


def refresh_plan_job(context: JobContext) -> dict[str, Any]:
    """Refresh orders for the devices due within the lead time of the due day."""
    settings = context.settings
    report = plan_refresh_orders(context.due.date(), settings.refresh_lead_days, settings.upgrade)
    return {"refresh_orders": len(report.refresh_orders)}


def end_of_term_returns_job(context: JobContext) -> dict[str, Any]:
    """Return orders for the contracts ending within the lead time of the due day; customers without a
    pickup address are listed, not failed, so one of them does not hold up the others."""
    settings = context.settings
    report = plan_end_of_term_returns(
        context.due.date(), settings.refresh_lead_days, settings.booking_window_days, ACTOR
    )
    return {"end_of_term_orders": len(report.end_of_term_orders), "skipped": report.skipped}
