"""Properties of the what-if planner over random fleets and horizons (docs/workshop.md)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daas.core.dates import add_months
from daas.impact.parameters import DEFAULTS
from daas.logistics.rules import UpgradePolicy
from daas.workshop.plan_types import FleetDevice, PlannerSettings, Scenario, ScenarioKind
from daas.workshop.planner import compare_scenarios, project, sum_figures
from tests.planner_helpers import refresh_planner_proposal

AS_OF = date(2026, 3, 1)
SETTINGS = PlannerSettings(
    policy=UpgradePolicy(), parameters=DEFAULTS, upgrade_fees={"EUR": Decimal("79.00")}
)
AS_IS = Scenario(ScenarioKind.AS_IS)
UPGRADE_FIRST = Scenario(ScenarioKind.UPGRADE_FIRST)


@st.composite
def fleet_devices(draw: st.DrawFn, device_id: int) -> FleetDevice:
    deployed = AS_OF - timedelta(days=draw(st.integers(0, 6 * 365)))
    manufactured = draw(
        st.one_of(st.none(), st.integers(0, 3 * 365).map(lambda d: deployed - timedelta(days=d)))
    )
    return FleetDevice(
        device_id=device_id,
        contract_id=1,
        category=draw(st.sampled_from(["laptop", "phone", "monitor"])),
        embodied_kg=Decimal(draw(st.integers(10_000, 400_000))) / 1000,
        mass_kg=Decimal(draw(st.integers(100, 9_000))) / 1000,
        kwh_per_year=Decimal(draw(st.integers(0, 120_000))) / 1000,
        deployed_on=deployed,
        manufactured_on=manufactured,
        battery_health=draw(st.one_of(st.none(), st.integers(40, 100))),
        grade=draw(st.sampled_from([None, "A", "B", "C", "D"])),
        expected_lifetime_months=draw(st.integers(24, 96)),
        refresh_cycle_months=draw(st.integers(12, 60)),
        extension_months=draw(st.sampled_from([0, 0, 12, 24])),
        monthly_price=Decimal(draw(st.integers(500, 12_000))) / 100,
        currency="EUR",
        grid_kg_per_kwh=draw(st.one_of(st.none(), st.sampled_from([Decimal("0.012"), Decimal("0.35")]))),
    )


@st.composite
def fleets(draw: st.DrawFn) -> list[FleetDevice]:
    size = draw(st.integers(0, 8))
    return [draw(fleet_devices(device_id)) for device_id in range(1, size + 1)]


horizons = st.integers(1, 7)


def cumulative_new(years) -> list[int]:
    running, out = 0, []
    for year in years:
        running += year.figures.new_devices
        out.append(running)
    return out


@settings(max_examples=150, deadline=None)
@given(fleets(), horizons, st.integers(0, 36), st.sampled_from(["*", "laptop", "phone"]))
def test_longer_cycles_and_upgrades_first_never_manufacture_more(fleet, horizon, months, category):
    extend = Scenario(ScenarioKind.EXTEND, extend_months={category: months})
    baseline = cumulative_new(project(fleet, AS_OF, horizon, AS_IS, SETTINGS)[0])
    for scenario in (extend, UPGRADE_FIRST):
        assert all(
            other <= mine
            for other, mine in zip(
                cumulative_new(project(fleet, AS_OF, horizon, scenario, SETTINGS)[0]), baseline, strict=True
            )
        )


@settings(max_examples=100, deadline=None)
@given(fleets(), horizons, st.sampled_from(["0", "0.3", "0.5", "1"]))
def test_totals_are_the_sums_of_the_years_and_the_difference_is_against_as_is(fleet, horizon, share):
    scenarios = [
        Scenario(ScenarioKind.EXTEND, extend_months={"*": 12}),
        UPGRADE_FIRST,
        Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal(share)),
    ]
    comparison = compare_scenarios(fleet, AS_OF, horizon, scenarios, SETTINGS)
    assert [result.scenario.kind for result in comparison.results] == [ScenarioKind.AS_IS] + [
        s.kind for s in scenarios
    ]
    as_is = comparison.results[0].total
    for result in comparison.results:
        assert [year.year for year in result.years] == list(range(1, horizon + 1))
        assert result.years[-1].ends_on == add_months(AS_OF, 12 * horizon)
        assert result.total == sum_figures([year.figures for year in result.years])
        assert result.difference.new_devices == result.total.new_devices - as_is.new_devices
        assert result.difference.cost == result.total.cost - as_is.cost
        assert (
            result.difference.attributed_co2e_kg == result.total.attributed_co2e_kg - as_is.attributed_co2e_kg
        )
    assert compare_scenarios(fleet, AS_OF, horizon, scenarios, SETTINGS) == comparison


@settings(max_examples=100, deadline=None)
@given(fleets(), horizons)
def test_refurbished_first_at_share_zero_is_as_is_and_at_share_one_manufactures_nothing(fleet, horizon):
    none_refurbished = Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal(0))
    all_refurbished = Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal(1))
    as_is_years, as_is_events = project(fleet, AS_OF, horizon, AS_IS, SETTINGS)
    assert project(fleet, AS_OF, horizon, none_refurbished, SETTINGS) == (as_is_years, as_is_events)
    years, _events = project(fleet, AS_OF, horizon, all_refurbished, SETTINGS)
    total = sum_figures([year.figures for year in years])
    assert total.new_devices == 0
    assert total.refurbished_supplied == total.devices_leaving


@settings(max_examples=150, deadline=None)
@given(fleets(), horizons, st.sampled_from(["0.25", "0.5", "0.75", "1"]))
def test_refurbished_first_replaces_at_least_as_often_as_as_is(fleet, horizon, share):
    """A refurbished device arrives a cycle old, so at its next refresh it may be too old to upgrade where a
    new one would be: the replacements (new + refurbished) are never fewer than as_is's new devices."""
    scenario = Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal(share))
    as_is = sum_figures([year.figures for year in project(fleet, AS_OF, horizon, AS_IS, SETTINGS)[0]])
    total = sum_figures([year.figures for year in project(fleet, AS_OF, horizon, scenario, SETTINGS)[0]])
    assert total.new_devices + total.refurbished_supplied >= as_is.new_devices
    assert total.new_devices <= as_is.new_devices


@settings(max_examples=100, deadline=None)
@given(fleets(), horizons)
def test_as_is_first_refresh_of_each_device_is_the_refresh_planners(fleet, horizon):
    _years, events = project(fleet, AS_OF, horizon, AS_IS, SETTINGS)
    first = {}
    for event in events:
        first.setdefault(event.device_id, event)
    end = add_months(AS_OF, 12 * horizon)
    for device in fleet:
        due, action = refresh_planner_proposal(device, AS_OF, SETTINGS.policy)
        if due >= end:
            assert device.device_id not in first
        else:
            assert (first[device.device_id].on, first[device.device_id].action) == (due, action)


def test_a_fleet_in_two_currencies_is_refused():
    euro = FleetDevice(
        1,
        1,
        "laptop",
        Decimal("250"),
        Decimal("1.4"),
        Decimal("20"),
        date(2024, 1, 1),
        date(2023, 10, 1),
        90,
        "A",
        72,
        36,
        0,
        Decimal("40.00"),
        "EUR",
        None,
    )
    pound = FleetDevice(**{**euro.__dict__, "device_id": 2, "currency": "GBP"})
    with pytest.raises(ValueError, match="several currencies"):
        compare_scenarios([euro, pound], AS_OF, 4, [AS_IS], SETTINGS)
