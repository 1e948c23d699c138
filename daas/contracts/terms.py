"""Contract dates and status. Pure: dates in, answers out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from daas.core.dates import add_months

STATUSES = ("active", "ended", "terminated")


def default_end_date(start_date: date, term_months: int) -> date:
    """The first day after the term: a 36-month contract from 2026-01-31 covers up to 2029-01-30."""
    return add_months(start_date, term_months)


def contract_status(end_date: date, terminated_on: date | None, today: date) -> str:
    """`active` until the end date; then `terminated` if it was ended early, else `ended`."""
    if today < end_date:
        return "active"
    return "terminated" if terminated_on is not None else "ended"


def effective_minimum(contract_minimum: Decimal | None, plan_minimum: Decimal | None) -> Decimal | None:
    """The minimum monthly amount that applies: the contract's own, which overrides its plan's."""
    return contract_minimum if contract_minimum is not None else plan_minimum
