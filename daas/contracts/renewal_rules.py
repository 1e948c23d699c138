"""When a contract renews itself, and when its end-of-term notices fall due. Pure: dates in, answers out.

A contract with `renews` extends itself by `renewal_months` on its end date. Turning `renews` off is a
notice like any other: it must reach the provider at least `renewal_notice_days` before the end date. A
notice that comes later is recorded, and the contract still renews that once (the customer has committed
to it), then ends at the end of the renewed term unless `renews` is turned on again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from daas.core.dates import add_months

# Notices of a contract's end fall due this many days before its end date (the portal and the finance and
# logistics pages show them; notifications send them).
NOTICE_DAYS = (90, 60, 30)
DEFAULT_RENEWAL_MONTHS = 12
DEFAULT_RENEWAL_NOTICE_DAYS = 90


@dataclass(frozen=True)
class Notice:
    days_before: int
    due_on: date


def notices(end_date: date) -> list[Notice]:
    """The contract's end-of-term notices: 90, 60 and 30 days before its end date."""
    return [Notice(days, end_date - timedelta(days=days)) for days in NOTICE_DAYS]


def notice_deadline(end_date: date, notice_days: int) -> date:
    """The last day on which turning renewal off still stops the coming renewal."""
    return end_date - timedelta(days=notice_days)


def will_renew(
    renews: bool, stopped_on: date | None, end_date: date, notice_days: int, terminated_on: date | None
) -> bool:
    """Whether the contract renews on its end date: it renews, or renewal was turned off after the
    notice deadline. A terminated contract never renews."""
    if terminated_on is not None:
        return False
    if renews:
        return True
    return stopped_on is not None and stopped_on > notice_deadline(end_date, notice_days)


def renewed_end(end_date: date, months: int) -> date:
    """The end date after one renewal of `months`."""
    return add_months(end_date, months)


def renews_now(end_date: date, today: date) -> bool:
    """A renewal is made on the contract's last day (the day before its end date) or later, so the
    contract is never shown as ended on the day it goes on."""
    return end_date <= today + timedelta(days=1)


def next_notice(end_date: date, today: date) -> Notice | None:
    """The latest notice already due before the end date (what pages show), or None."""
    due = [notice for notice in notices(end_date) if notice.due_on <= today < end_date]
    return min(due, key=lambda notice: notice.days_before) if due else None
