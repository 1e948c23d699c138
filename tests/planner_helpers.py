"""What the refresh planner would do with a fleet device, for the what-if planner's tests to compare with:
its due date (one already past counts as `as_of`) and the action `propose_refresh` gives."""

from __future__ import annotations

from datetime import date

from daas.logistics.rules import UpgradePolicy, propose_refresh, refresh_due_date
from daas.workshop.plan_types import FleetDevice


def refresh_planner_proposal(device: FleetDevice, as_of: date, policy: UpgradePolicy) -> tuple[date, str]:
    due = max(
        refresh_due_date(device.deployed_on, device.refresh_cycle_months, device.extension_months), as_of
    )
    action, _reason = propose_refresh(
        battery_health=device.battery_health,
        manufactured_on=device.manufactured_on,
        due_date=due,
        expected_lifetime_months=device.expected_lifetime_months,
        last_grade=device.grade,
        policy=policy,
    )
    return due, action
