"""Billing periods: calendar months in UTC, named YYYY-MM, half-open [1st, 1st of next month)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from daas.core.dates import add_months, days_between

_NAME = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\Z", re.ASCII)  # \Z: no trailing newline; ASCII digits only


@dataclass(frozen=True, order=True)
class Period:
    start: date  # the 1st, included

    @classmethod
    def parse(cls, name: str) -> Period:
        """`2026-10` -> October 2026; raises ValueError for anything else."""
        match = _NAME.match(name or "")
        if not match or not 2000 <= int(match.group(1)) <= 2999:
            raise ValueError(f"not a billing period (YYYY-MM): {name!r}")
        return cls(date(int(match.group(1)), int(match.group(2)), 1))

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day.replace(day=1))

    @property
    def end(self) -> date:
        """The 1st of the next month: not part of the period."""
        return add_months(self.start, 1)

    @property
    def name(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
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
