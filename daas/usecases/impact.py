"""Impact workflows: closing the ledger month by month, and a new version of the method's parameters.

Closing commits each month as soon as its rows are appended, not the whole run at the end: a run stopped
part-way (a scheduler shutting down, a command interrupted) keeps the months it closed, and the next run
continues with the first month still open. A month that fails rolls back alone; the ones before it stand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from daas.core.periods import Period
from daas.impact import ledger, parameter_sets
from daas.impact.ledger import CloseReport
from daas.impact.models import ImpactParameterSet
from daas.usecases.transaction import commit, use_case


@use_case
def close_impact_months(
    through: Period, today: date, on_closed: Callable[[CloseReport], None] | None = None
) -> list[CloseReport]:
    """Close every month not yet closed through `through`, each in its own transaction; `on_closed` hears
    of each month once it is committed (a progress bar, or a job's safe point to stop at)."""

    def closed(report: CloseReport) -> None:
        commit()
        if on_closed is not None:
            on_closed(report)

    return ledger.close_periods_through(through, today, closed)


@use_case
def create_parameter_set(
    values: dict[str, Any], sources: dict[str, str], valid_from: date
) -> ImpactParameterSet:
    """A new version of the method's parameters, applying from the 1st of a month after the last closed
    one (a closed month keeps the version it was closed with)."""
    return parameter_sets.create_parameter_set(values, sources, valid_from)
