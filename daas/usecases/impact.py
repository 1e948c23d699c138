"""Impact workflows: closing the ledger month by month, and new versions of the method's parameters and
of the grid factors.

Closing commits each month as soon as its rows are appended, not the whole run at the end: a run stopped
part-way (a scheduler shutting down, a command interrupted) keeps the months it closed, and the next run
continues with the first month still open. A month that fails rolls back alone; the ones before it stand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from daas.core.periods import Period
from daas.impact import grid_factor_sets, ledger, parameter_sets
from daas.impact.ledger import CloseReport
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


create_parameter_set = use_case(parameter_sets.create_parameter_set)
create_grid_factor_set = use_case(grid_factor_sets.create_grid_factor_set)
