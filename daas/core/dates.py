"""Calendar arithmetic on whole days (UTC). Periods and day counts follow billing.md."""

from __future__ import annotations

import calendar
from datetime import date

# The last day the platform takes from input (its billing periods end with 2999 too): every shift the
# domain makes from a date it is given (booking windows, terms, refresh cycles) still lands on a real date.
LAST_DAY = date(2999, 12, 31)


def add_months(start: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def days_between(start: date, end: date) -> int:
    """Days in [start, end): the start day counts, the end day does not."""
    return max((end - start).days, 0)
