"""Job functions: the refresh plan and end-of-term returns, daily by default. Each calls one use case of the
planning round (daas.usecases.logistics), which `flask daas refresh plan` runs whole."""

from __future__ import annotations

from typing import Any

from daas.core.jobs import JobContext
from daas.usecases.logistics import plan_end_of_term_returns, plan_refresh_orders

ACTOR = "scheduler"


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
