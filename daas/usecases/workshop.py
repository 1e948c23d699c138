"""The what-if planner's workflows: compare scenarios on a customer's fleet (a read: nothing is stored),
save a scenario, and apply a saved one to the customer's contracts (their own refresh cycle).

A use case reads no settings: the entry point hands down the refresh planner's upgrade policy
(`current_settings().upgrade`) and the upgrade fees (`current_settings().workshop_upgrade_fees`); without
them the projection uses the policy's defaults and counts upgrades free. `customer_scope` is the customer
a customer user is bound to: another customer is not found (404).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from daas.core import clock
from daas.core.errors import Invalid
from daas.customers.services import get_customer
from daas.logistics.rules import UpgradePolicy
from daas.usecases.transaction import use_case
from daas.workshop import scenarios as scenario_rules
from daas.workshop.fleet import fleet_of, planner_settings
from daas.workshop.models import SavedScenario
from daas.workshop.plan_types import Comparison
from daas.workshop.planner import compare_scenarios

DEFAULT_HORIZON_YEARS = 4


def compare_customer_scenarios(
    customer_id: int,
    horizon_years: int,
    scenarios: Sequence[Mapping[str, Any]],
    contract_id: int | None = None,
    as_of: date | None = None,
    *,
    customer_scope: int | None = None,
    policy: UpgradePolicy | None = None,
    upgrade_fees: Mapping[str, Decimal] | None = None,
) -> Comparison:
    """The comparison of `scenarios` ({kind, name?, months?, share?}; as_is is always first) on the
    customer's fleet today (or one contract's), over `horizon_years`, in the customer's currency. Bad input
    is `Invalid` naming the field (`scenarios.<i>.months`...). Stores nothing."""
    customer = get_customer(customer_id, customer_scope)
    horizon = scenario_rules.check_horizon(horizon_years)
    scenario_rules.check_contract(customer.id, contract_id)
    asked = []
    for index, item in enumerate(scenarios):
        kind, choices = scenario_rules.choices_of(item, f"scenarios.{index}.")
        name = item.get("name")
        asked.append(
            scenario_rules.scenario_of(
                kind, choices, scenario_rules.check_name(name, f"scenarios.{index}.name") if name else ""
            )
        )
    day = as_of or clock.today()
    settings = planner_settings(
        customer.currency, as_of=day, policy=policy, upgrade_fees=dict(upgrade_fees or {})
    )
    fleet = fleet_of(customer.id, contract_id, as_of=day)
    currencies = sorted({device.currency for device in fleet})
    if len(currencies) > 1:
        raise Invalid.field(
            "contract_id",
            f"The fleet bills in {', '.join(currencies)}: compare one contract (one currency) at a time.",
        )
    comparison = compare_scenarios(fleet, day, horizon, asked, settings)
    # A fleet with no device has no currency of its own: its (zero) cost is in the customer's.
    return comparison if comparison.currency else replace(comparison, currency=customer.currency)


@use_case
def save_scenario(
    customer_id: int,
    name: str,
    kind: str,
    choices: Mapping[str, Any],
    horizon_years: int,
    actor: str,
    contract_id: int | None = None,
    *,
    customer_scope: int | None = None,
) -> SavedScenario:
    """Keep a scenario ({months?, share?} as `choices`) for the customer or one of its contracts."""
    customer = get_customer(customer_id, customer_scope)
    return scenario_rules.create_saved_scenario(
        customer.id, name, kind, choices, horizon_years, actor, contract_id
    )


@use_case
def apply_scenario(
    customer_id: int, scenario_id: int, actor: str, *, customer_scope: int | None = None
) -> list[int]:
    """Apply a saved scenario: `extend` sets its contracts' own refresh cycle, `as_is` clears it; the ids
    of the contracts changed. upgrade_first and refurbished_first are not contract settings (409)."""
    customer = get_customer(customer_id, customer_scope)
    return scenario_rules.apply_saved_scenario(customer.id, scenario_id, actor)
