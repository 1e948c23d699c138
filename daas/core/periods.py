r"""Billing periods: calendar months in UTC, named YYYY-MM, half-open [1st, 1st of next month).

A period's name is one rule, written once: PERIOD_PATTERN (the months of the years 2000 to 2999, the
platform's calendar, as the OpenAPI document states it) and PERIOD, the same expression as Python applies
it (`\Z` instead of `$`, which would let a line break through; `[0-9]`, never `\d`, which takes any
script's digits). `Period.parse`, the API's period field and the finance pages' forms all apply it.
MONTH_PATTERN is any calendar month named the same way (a page's month to show, not a billing period).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cached_property

from daas.core.dates import add_months, days_between

PERIOD_PATTERN = r"^2[0-9]{3}-(0[1-9]|1[0-2])$"
PERIOD = re.compile(PERIOD_PATTERN.removesuffix("$") + r"\Z")
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
MONTH = re.compile(MONTH_PATTERN.removesuffix("$") + r"\Z")


@dataclass(frozen=True, order=True)
class Period:
    start: date  # the 1st, included

    @classmethod
    def parse(cls, name: str) -> Period:
        """`2026-10` -> October 2026; raises ValueError for anything else."""
        if not isinstance(name, str) or not PERIOD.match(name):
            raise ValueError(f"not a billing period (YYYY-MM): {name!r}")
        return cls(date(int(name[:4]), int(name[5:7]), 1))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.replace(day=1))

    @cached_property
    def end(self) -> date:
        """The 1st of the next month: not part of the period."""
        return add_months(self.start, 1)

    @cached_property
    def name(self) -> str:
        return f"{self.start:%Y-%m}"

    @cached_property
    def days(self) -> int:
        return days_between(self.start, self.end)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.end, time(), tzinfo=UTC)

    def previous(self) -> Period:
        return Period(add_months(self.start, -1))

    def next(self) -> Period:
        return Period(self.end)

    def __str__(self) -> str:
        return self.name
