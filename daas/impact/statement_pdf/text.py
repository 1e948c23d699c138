"""How the statement's figures read: exact Decimals with three decimals and their sign, counts, the
parameter-set versions and runs of months."""

from __future__ import annotations

from decimal import Decimal

from daas.impact.attribution import GRAM

MARK = "*"  # after a month or a device figure that includes provisional months


def three(value: Decimal | int | str) -> str:
    """A quantity with three decimals, thousands separators and its sign: "1,234.567", "-3.120"."""
    amount = Decimal(value).quantize(GRAM)
    if amount.is_zero():
        amount = abs(amount)  # no "-0.000"
    return f"{amount:,.3f}"


def kg(value: Decimal | int | str) -> str:
    return f"{three(value)} kg"


def count(value: int) -> str:
    return f"{int(value):,}"


def named_versions(numbers: tuple[int, ...]) -> str:
    if not numbers:
        return "-"
    label = "version" if len(numbers) == 1 else "versions"
    return f"{label} {', '.join(str(v) for v in sorted(numbers))}"


def month_runs(periods: tuple[str, ...]) -> str:
    """Months as a list, runs of three or more as a range: "2026-01 to 2026-04, 2026-07"."""

    def index(period: str) -> int:
        year, month = period.split("-")
        return int(year) * 12 + int(month)

    runs: list[list[str]] = []
    for period in sorted(periods):
        if runs and index(period) == index(runs[-1][-1]) + 1:
            runs[-1].append(period)
        else:
            runs.append([period])
    parts: list[str] = []
    for run in runs:
        parts += [f"{run[0]} to {run[-1]}"] if len(run) >= 3 else run
    return ", ".join(parts)
