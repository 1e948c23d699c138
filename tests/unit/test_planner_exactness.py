"""The planner's sums against the method counted out day by day (docs/workshop.md): the planner adds integer
day counts and multiplies once, and must land on the same grams as charging each device balance ÷ days left
every single day, over random fleets and method parameters."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from daas.core.dates import add_months
from daas.impact.attribution import grams
from daas.impact.parameters import DEFAULTS
from daas.logistics.rules import UpgradePolicy
from daas.workshop.plan_types import PlannerSettings, Scenario, ScenarioKind
from daas.workshop.planner import project
from tests.unit.test_planner_properties import AS_OF, fleets

SCENARIOS = st.sampled_from(
    [
        Scenario(ScenarioKind.AS_IS),
        Scenario(ScenarioKind.EXTEND, extend_months={"laptop": 6, "*": 13}),
        Scenario(ScenarioKind.UPGRADE_FIRST),
        Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal("0.5")),
        Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal("1")),
    ]
)


@st.composite
def planner_settings(draw: st.DrawFn) -> PlannerSettings:
    parameters = replace(
        DEFAULTS,
        reference_service_days=draw(st.integers(200, 2000)),
        upgrade_extension_days=draw(st.integers(0, 800)),
    )
    return PlannerSettings(
        policy=UpgradePolicy(min_battery=draw(st.integers(50, 90))),
        parameters=parameters,
        upgrade_kit=draw(st.sampled_from(["battery", "storage", "memory"])),
    )


def counted_day_by_day(fleet, horizon, scenario, plan_settings, events) -> tuple[list, list]:
    """Per year, the exact embodied CO2e of what the events bring in, and the CO2e attributed by charging
    each slot's device its balance ÷ days left on every day it serves."""
    parameters = plan_settings.parameters
    reference = parameters.reference_service_days
    bounds = [add_months(AS_OF, 12 * k) for k in range(horizon + 1)]
    embodied, attributed = [Fraction(0)] * horizon, [Fraction(0)] * horizon
    by_slot = defaultdict(list)
    for event in events:
        by_slot[event.device_id].append(event)
    for device in fleet:
        extra = scenario.extend_months.get(device.category, scenario.extend_months.get("*", 0))
        served = min(max((AS_OF - device.deployed_on).days, 0), reference)
        balance, left = Fraction(device.embodied_kg) * (reference - served) / reference, reference - served
        day, year = AS_OF, 0
        for event in [*by_slot[device.device_id], None]:
            until = bounds[-1] if event is None else event.on
            while day < until:
                if day >= bounds[year + 1]:
                    year += 1
                if left > 0:
                    charged = balance / left
                    attributed[year] += charged
                    balance, left = balance - charged, left - 1
                day += timedelta(days=1)
            if event is None:
                break
            year_of_event = next(k for k in range(horizon) if event.on < bounds[k + 1])
            if event.action == "upgrade":
                kit = Fraction(parameters.upgrade_kit_kg[plan_settings.upgrade_kit])
                balance, left = balance + kit, parameters.upgrade_extension_days
                embodied[year_of_event] += kit
            elif event.supplied_by == "new":
                balance, left = Fraction(device.embodied_kg), reference
                embodied[year_of_event] += Fraction(device.embodied_kg)
            else:
                first_life = (event.on - add_months(event.on, -(device.refresh_cycle_months + extra))).days
                refurbishment = Fraction(parameters.refurbishment_kg.get(device.category, Decimal(0)))
                balance = Fraction(device.embodied_kg) * max(reference - first_life, 0) / reference
                balance += refurbishment
                left = max(reference - first_life, parameters.upgrade_extension_days)
                embodied[year_of_event] += refurbishment
    return embodied, attributed


@settings(max_examples=60, deadline=None)
@given(fleets(), st.integers(1, 5), SCENARIOS, planner_settings())
def test_the_yearly_figures_are_the_day_by_day_sums_rounded_once(fleet, horizon, scenario, plan_settings):
    years, events = project(fleet, AS_OF, horizon, scenario, plan_settings)
    embodied, attributed = counted_day_by_day(fleet, horizon, scenario, plan_settings, events)
    assert [year.figures.embodied_co2e_kg for year in years] == [grams(kg) for kg in embodied]
    assert [year.figures.attributed_co2e_kg for year in years] == [grams(kg) for kg in attributed]
