"""Job functions for the scheduler: the daily refresh plan (which also opens end-of-term returns)."""

from __future__ import annotations

from datetime import date
from typing import Any

from daas.logistics.refresh import plan_refreshes
from daas.logistics.rules import UpgradePolicy


def plan_refresh_job(config: Any, as_of: date) -> dict[str, Any]:
    """One planning round as of a day; the caller commits. Safe to run again: it opens nothing twice."""
    report = plan_refreshes(
        as_of,
        config["DAAS_REFRESH_LEAD_DAYS"],
        UpgradePolicy(config["DAAS_UPGRADE_MIN_BATTERY"], config["DAAS_UPGRADE_EXTENSION_MONTHS"]),
        config["DAAS_BOOKING_WINDOW_DAYS"],
    )
    return {
        "refresh_orders": len(report.refresh_orders),
        "end_of_term_orders": len(report.end_of_term_orders),
        "skipped": len(report.skipped),
    }
