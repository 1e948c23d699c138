"""Rating a month with several plans (billing.md "Contract changes"): the month split into each plan's
days, each window rated alone on its plan (daas.billing.rating.rate_contract), its lines naming the plan
and its days. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from daas.billing import line_wording as wording
from daas.billing.rating import Charge, ContractUsage, Line, rate_contract
from daas.core.periods import Period


@dataclass(frozen=True)
class PlanWindow:
    """One plan's days in a period with several plans: [start, end) of the period (the first window starts
    on its first day, the last ends on its last), that plan's charges and minimum (the one that applies:
    the change's, else the contract's, else the plan's), and what the contract did in those days: its
    active days, device-days and the usage of the events in them. `first_day` and `last_day` (included)
    are the days its lines name: the contract's days in the window."""

    plan_code: str
    start: date
    end: date
    charges: tuple[Charge, ...]
    minimum: Decimal | None
    usage: ContractUsage
    first_day: date
    last_day: date


def named_window(
    line: Line, plan_code: str, window_start: date, first_day: date, last_day: date, language: str
) -> Line:
    """A line of a period with several plans: it names its plan and that plan's days (`first_day` to
    `last_day`), and a line that carries usage says which window's usage it is (`window_start`)."""
    return replace(
        line,
        description=wording.in_plan(plan_code, first_day, last_day, line.description, language),
        plan_code=plan_code,
        usage_window_start=window_start if line.usage_quantity is not None else None,
    )


def rate_plan_windows(
    windows: Sequence[PlanWindow],
    period: Period,
    currency: str,
    *,
    language: str = "en",
    model_names: Mapping[int, str] | None = None,
) -> list[Line]:
    """The lines of one contract's period, before late usage, plan window by plan window (billing.md
    "Contract changes"). On one plan the period is rated as always (`rate_contract`), its lines naming no
    plan. With several, each window is rated alone on its plan: device lines for its device-days (the
    month's days stay the base: `amount × days / days_in_month`), metered charges on the usage of its
    days (tiers start again; a window without events bills its first tier's flat amount once), its
    minimum prorated by its active days with its own true-up; and each line names its plan and days."""
    if len(windows) == 1:
        (window,) = windows
        return rate_contract(
            window.charges,
            window.usage,
            window.minimum,
            period,
            currency,
            language=language,
            model_names=model_names,
        )
    lines: list[Line] = []
    for window in windows:
        rated = rate_contract(
            window.charges,
            window.usage,
            window.minimum,
            period,
            currency,
            language=language,
            model_names=model_names,
        )
        lines += [
            named_window(line, window.plan_code, window.start, window.first_day, window.last_day, language)
            for line in rated
        ]
    return lines
