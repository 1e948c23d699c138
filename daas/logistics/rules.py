"""Refresh decisions (logistics.md). Pure: dates and numbers in, a proposal and its reason out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from daas.core.dates import add_months


class RefreshAction:
    """What a refresh does with the device, named once (the values are what refresh orders store): replace
    it, or upgrade it and keep it longer."""

    REPLACE = "replace"
    UPGRADE = "upgrade"


@dataclass(frozen=True)
class UpgradePolicy:
    min_battery: int = 80
    extension_months: int = 12


def refresh_due_date(deployed_on: date, refresh_cycle_months: int, extension_months: int = 0) -> date:
    """The deployment date plus the plan's refresh cycle, plus every extension upgrades gave."""
    return add_months(deployed_on, refresh_cycle_months + extension_months)


def months_between(start: date, end: date) -> int:
    """Whole months from start to end (a partial month counts as started)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months + (1 if end.day > start.day else 0)


def propose_refresh(
    *,
    battery_health: int | None,
    manufactured_on: date | None,
    due_date: date,
    expected_lifetime_months: int,
    last_grade: str | None,
    policy: UpgradePolicy,
) -> tuple[str, str]:
    """`upgrade` when the battery is healthy enough, the device stays within its model's expected life
    after the extension, and its last grade is not C or D; otherwise `replace`. The reason says which."""
    problems = []
    if battery_health is None:
        problems.append("battery health unknown")
    elif battery_health < policy.min_battery:
        problems.append(f"battery health {battery_health}% is below {policy.min_battery}%")
    if manufactured_on is None:
        problems.append("manufacture date unknown")
    else:
        age = months_between(manufactured_on, add_months(due_date, policy.extension_months))
        if age > expected_lifetime_months:
            problems.append(
                f"{age} months old after a {policy.extension_months}-month extension, beyond the model's "
                f"expected {expected_lifetime_months}"
            )
    if last_grade in ("C", "D"):
        problems.append(f"last graded {last_grade}")
    if problems:
        return RefreshAction.REPLACE, "Replace: " + "; ".join(problems) + "."
    return RefreshAction.UPGRADE, (
        f"Upgrade: battery {battery_health}%, within its expected life after {policy.extension_months} more "
        f"months{f', last graded {last_grade}' if last_grade else ''}."
    )
