"""The hand-worked example of docs/workshop.md, reproduced by the planner to the last gram and cent; and
`as_is` refreshing the way the refresh planner does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from daas.impact.parameters import DEFAULTS
from daas.logistics.rules import UpgradePolicy
from daas.workshop.plan_types import Figures, FleetDevice, PlannerSettings, Scenario, ScenarioKind
from daas.workshop.planner import compare_scenarios, project
from tests.planner_helpers import refresh_planner_proposal

AS_OF = date(2026, 1, 1)
SETTINGS = PlannerSettings(
    policy=UpgradePolicy(), parameters=DEFAULTS, upgrade_fees={"EUR": Decimal("80.00")}
)
SCENARIOS = [
    Scenario(ScenarioKind.EXTEND, extend_months={"*": 12}),
    Scenario(ScenarioKind.UPGRADE_FIRST),
    Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal("0.5")),
]

# device, deployed, manufactured, battery %, last grade, months its upgrades already added (the doc's table)
DEVICES = [
    (1, date(2023, 1, 1), date(2022, 10, 1), 90, "A", 0),
    (2, date(2022, 7, 1), date(2022, 5, 1), 60, "B", 0),
    (3, date(2023, 6, 15), date(2023, 5, 1), None, "B", 0),
    (4, date(2024, 3, 1), date(2024, 1, 10), 85, "C", 0),
    (5, date(2024, 9, 1), date(2024, 8, 1), 95, "A", 0),
    (6, date(2021, 11, 1), date(2021, 9, 1), 82, "B", 12),
    (7, date(2025, 2, 1), date(2024, 12, 1), 75, "A", 0),
    (8, date(2025, 6, 1), date(2025, 5, 1), 98, None, 0),
    (9, date(2022, 1, 1), date(2021, 6, 1), 88, "B", 0),
    (10, date(2023, 10, 1), date(2023, 9, 1), 70, "D", 0),
]
FLEET = [
    FleetDevice(
        device_id=device_id,
        contract_id=1,
        category="laptop",
        embodied_kg=Decimal("292"),
        mass_kg=Decimal("1.5"),
        kwh_per_year=Decimal("36.5"),
        deployed_on=deployed,
        manufactured_on=manufactured,
        battery_health=battery,
        grade=grade,
        expected_lifetime_months=72,
        refresh_cycle_months=36,
        extension_months=extension,
        monthly_price=Decimal("36.50"),
        currency="EUR",
        grid_kg_per_kwh=Decimal("0.2") if device_id <= 8 else None,
    )
    for device_id, deployed, manufactured, battery, grade, extension in DEVICES
]

# Per scenario: its events (date, device, action, supplied by) as the doc's tables list them.
U, N, R = ("upgrade", None), ("replace", "new"), ("replace", "refurbished")
EVENTS = {
    ScenarioKind.AS_IS: [
        ("2026-01-01", 1, U), ("2026-01-01", 2, N), ("2026-01-01", 6, U), ("2026-01-01", 9, U),
        ("2026-06-15", 3, N), ("2026-10-01", 10, N), ("2027-01-01", 1, U), ("2027-01-01", 6, N),
        ("2027-01-01", 9, N), ("2027-03-01", 4, N), ("2027-09-01", 5, U), ("2028-01-01", 1, N),
        ("2028-02-01", 7, N), ("2028-06-01", 8, U), ("2028-09-01", 5, U), ("2029-01-01", 2, U),
        ("2029-06-01", 8, U), ("2029-06-15", 3, U), ("2029-09-01", 5, N), ("2029-10-01", 10, U),
    ],
    ScenarioKind.EXTEND: [
        ("2026-01-01", 9, U), ("2026-07-01", 2, N), ("2026-11-01", 6, U), ("2027-01-01", 1, U),
        ("2027-01-01", 9, U), ("2027-06-15", 3, N), ("2027-10-01", 10, N), ("2027-11-01", 6, N),
        ("2028-01-01", 1, U), ("2028-01-01", 9, N), ("2028-03-01", 4, N), ("2028-09-01", 5, U),
        ("2029-01-01", 1, N), ("2029-02-01", 7, N), ("2029-06-01", 8, U), ("2029-09-01", 5, U),
    ],
    ScenarioKind.UPGRADE_FIRST: [
        ("2026-01-01", 1, U), ("2026-01-01", 2, U), ("2026-01-01", 6, U), ("2026-01-01", 9, U),
        ("2026-06-15", 3, N), ("2026-10-01", 10, N), ("2027-01-01", 1, U), ("2027-01-01", 2, U),
        ("2027-01-01", 6, N), ("2027-01-01", 9, N), ("2027-03-01", 4, N), ("2027-09-01", 5, U),
        ("2028-01-01", 1, N), ("2028-01-01", 2, N), ("2028-02-01", 7, U), ("2028-06-01", 8, U),
        ("2028-09-01", 5, U), ("2029-02-01", 7, U), ("2029-06-01", 8, U), ("2029-06-15", 3, U),
        ("2029-09-01", 5, N), ("2029-10-01", 10, U),
    ],
    ScenarioKind.REFURBISHED_FIRST: [
        ("2026-01-01", 1, U), ("2026-01-01", 2, N), ("2026-01-01", 6, U), ("2026-01-01", 9, U),
        ("2026-06-15", 3, R), ("2026-10-01", 10, N), ("2027-01-01", 1, U), ("2027-01-01", 6, R),
        ("2027-01-01", 9, N), ("2027-03-01", 4, R), ("2027-09-01", 5, U), ("2028-01-01", 1, N),
        ("2028-02-01", 7, R), ("2028-06-01", 8, U), ("2028-09-01", 5, U), ("2029-01-01", 2, U),
        ("2029-06-01", 8, U), ("2029-06-15", 3, N), ("2029-09-01", 5, R), ("2029-10-01", 10, U),
    ],
}  # fmt: skip

# Per scenario and year: new devices, their kg, embodied kg, upgrades, refurbished, leaving, of which reused
# and recycled, cost EUR, use-phase kWh and kg, attributed kg (the doc's per-year tables).
YEARS = {
    ScenarioKind.AS_IS: [
        (3, "4.500", "905.400", 3, 0, 3, "2.250", "0.750", "4620.00", "365.000", "58.400", "613.200"),
        (3, "4.500", "895.600", 2, 0, 3, "2.250", "0.750", "4540.00", "365.000", "58.400", "670.076"),
        (2, "3.000", "603.600", 2, 0, 2, "1.500", "0.500", "4552.00", "366.000", "58.560", "722.828"),
        (1, "1.500", "331.200", 4, 0, 1, "0.750", "0.250", "4700.00", "365.000", "58.400", "672.122"),
    ],
    ScenarioKind.EXTEND: [
        (1, "1.500", "311.600", 2, 0, 1, "0.750", "0.250", "4540.00", "365.000", "58.400", "595.038"),
        (3, "4.500", "895.600", 2, 0, 3, "2.250", "0.750", "4540.00", "365.000", "58.400", "550.562"),
        (2, "3.000", "603.600", 2, 0, 2, "1.500", "0.500", "4552.00", "366.000", "58.560", "647.076"),
        (2, "3.000", "603.600", 2, 0, 2, "1.500", "0.500", "4540.00", "365.000", "58.400", "629.346"),
    ],
    ScenarioKind.UPGRADE_FIRST: [
        (2, "3.000", "623.200", 4, 0, 2, "1.500", "0.500", "4700.00", "365.000", "58.400", "586.000"),
        (3, "4.500", "905.400", 3, 0, 3, "2.250", "0.750", "4620.00", "365.000", "58.400", "606.876"),
        (2, "3.000", "613.400", 3, 0, 2, "1.500", "0.500", "4632.00", "366.000", "58.560", "731.823"),
        (1, "1.500", "331.200", 4, 0, 1, "0.750", "0.250", "4700.00", "365.000", "58.400", "605.295"),
    ],
    ScenarioKind.REFURBISHED_FIRST: [
        (2, "3.000", "628.400", 3, 1, 3, "2.250", "0.750", "4620.00", "365.000", "58.400", "621.310"),
        (1, "1.500", "341.600", 2, 2, 3, "2.250", "0.750", "4540.00", "365.000", "58.400", "664.141"),
        (1, "1.500", "326.600", 2, 1, 2, "1.500", "0.500", "4552.00", "366.000", "58.560", "531.220"),
        (1, "1.500", "336.400", 3, 1, 2, "1.500", "0.500", "4620.00", "365.000", "58.400", "427.041"),
    ],
}
TOTALS = {
    ScenarioKind.AS_IS: (
        9,
        "13.500",
        "2735.800",
        11,
        0,
        9,
        "6.750",
        "2.250",
        "18412.00",
        "1461.000",
        "233.760",
        "2678.226",
    ),
    ScenarioKind.EXTEND: (
        8,
        "12.000",
        "2414.400",
        8,
        0,
        8,
        "6.000",
        "2.000",
        "18172.00",
        "1461.000",
        "233.760",
        "2422.022",
    ),
    ScenarioKind.UPGRADE_FIRST: (
        8,
        "12.000",
        "2473.200",
        14,
        0,
        8,
        "6.000",
        "2.000",
        "18652.00",
        "1461.000",
        "233.760",
        "2529.994",
    ),
    ScenarioKind.REFURBISHED_FIRST: (
        5,
        "7.500",
        "1633.000",
        10,
        5,
        10,
        "7.500",
        "2.500",
        "18332.00",
        "1461.000",
        "233.760",
        "2243.712",
    ),
}
DIFFERENCES = {
    ScenarioKind.AS_IS: (0, "0", "0", 0, 0, 0, "0", "0", "0", "0", "0", "0"),
    ScenarioKind.EXTEND: (
        -1,
        "-1.500",
        "-321.400",
        -3,
        0,
        -1,
        "-0.750",
        "-0.250",
        "-240.00",
        "0",
        "0",
        "-256.204",
    ),
    ScenarioKind.UPGRADE_FIRST: (
        -1,
        "-1.500",
        "-262.600",
        3,
        0,
        -1,
        "-0.750",
        "-0.250",
        "240.00",
        "0",
        "0",
        "-148.232",
    ),
    ScenarioKind.REFURBISHED_FIRST: (
        -4,
        "-6.000",
        "-1102.800",
        -1,
        5,
        1,
        "0.750",
        "0.250",
        "-80.00",
        "0",
        "0",
        "-434.514",
    ),
}


def figures(row: tuple) -> Figures:
    new, new_kg, embodied, upgrades, refurbished, leaving, reused, recycled, cost, kwh, use_kg, attributed = (
        row
    )
    return Figures(
        new_devices=new,
        new_devices_kg=Decimal(new_kg),
        embodied_co2e_kg=Decimal(embodied),
        upgrades=upgrades,
        refurbished_supplied=refurbished,
        devices_leaving=leaving,
        leaving_reused=Decimal(reused),
        leaving_recycled=Decimal(recycled),
        cost=Decimal(cost),
        use_phase_kwh=Decimal(kwh),
        use_phase_co2e_kg=Decimal(use_kg),
        attributed_co2e_kg=Decimal(attributed),
    )


@pytest.fixture(scope="module")
def comparison():
    return compare_scenarios(FLEET, AS_OF, 4, SCENARIOS, SETTINGS)


def test_the_comparison_lists_as_is_first_then_the_scenarios_as_asked(comparison):
    assert [result.scenario.kind for result in comparison.results] == list(YEARS)
    assert (comparison.as_of, comparison.horizon_years, comparison.currency) == (AS_OF, 4, "EUR")
    years = comparison.results[0].years
    assert [(y.starts_on, y.ends_on) for y in years] == [
        (date(2026 + k, 1, 1), date(2027 + k, 1, 1)) for k in range(4)
    ]


@pytest.mark.parametrize("kind", list(YEARS))
def test_each_year_total_and_difference_is_the_docs(comparison, kind):
    result = next(result for result in comparison.results if result.scenario.kind == kind)
    assert [year.figures for year in result.years] == [figures(row) for row in YEARS[kind]]
    assert result.total == figures(TOTALS[kind])
    assert result.difference == figures(DIFFERENCES[kind])


@pytest.mark.parametrize("scenario", [Scenario(ScenarioKind.AS_IS), *SCENARIOS], ids=lambda s: s.kind)
def test_each_refresh_is_the_docs(scenario):
    _years, events = project(FLEET, AS_OF, 4, scenario, SETTINGS)
    listed = [(event.on.isoformat(), event.device_id, (event.action, event.supplied_by)) for event in events]
    assert listed == EVENTS[scenario.kind]


def test_as_is_asked_for_is_listed_once_and_first():
    asked = [SCENARIOS[1], Scenario(ScenarioKind.AS_IS, name="today"), SCENARIOS[0]]
    results = compare_scenarios(FLEET, AS_OF, 4, asked, SETTINGS).results
    assert [(r.scenario.kind, r.scenario.name) for r in results] == [
        (ScenarioKind.AS_IS, "today"),
        (ScenarioKind.UPGRADE_FIRST, ""),
        (ScenarioKind.EXTEND, ""),
    ]


def test_as_is_first_refresh_of_each_device_is_what_the_refresh_planner_proposes():
    _years, events = project(FLEET, AS_OF, 4, Scenario(ScenarioKind.AS_IS), SETTINGS)
    first = {}
    for event in events:
        first.setdefault(event.device_id, (event.on, event.action))
    proposed = {
        device.device_id: refresh_planner_proposal(device, AS_OF, SETTINGS.policy) for device in FLEET
    }
    assert first == proposed
    assert first[6] == (date(2026, 1, 1), "upgrade")  # due 2025-11-01 (36 + 12 months), already past
    assert first[4] == (date(2027, 3, 1), "replace")  # graded C


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (Scenario("shrink"), "Unknown scenario kind"),
        (Scenario(ScenarioKind.EXTEND, extend_months={"*": -3}), "must not be negative"),
        (Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal("1.5")), "between 0 and 1"),
    ],
)
def test_a_scenario_out_of_bounds_is_refused(scenario, message):
    with pytest.raises(ValueError, match=message):
        project(FLEET, AS_OF, 4, scenario, SETTINGS)


def test_an_upgrade_kit_without_a_footprint_is_refused():
    settings = PlannerSettings(policy=UpgradePolicy(), parameters=DEFAULTS, upgrade_kit="keyboard")
    with pytest.raises(ValueError, match="keyboard"):
        project(FLEET, AS_OF, 4, Scenario(ScenarioKind.AS_IS), settings)


def test_a_device_listed_twice_is_refused():
    with pytest.raises(ValueError, match="listed twice"):
        project([*FLEET, FLEET[0]], AS_OF, 4, Scenario(ScenarioKind.AS_IS), SETTINGS)
