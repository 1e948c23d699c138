"""The what-if planner (`compare_scenarios`) on a synthetic fleet, in-process and without a database.

    .venv/bin/python bench/planner_projection.py [--devices 10000] [--years 4] [--rounds 3]

The fleet is mostly laptops (some phones and monitors) deployed from 2021 to 2026 on 36-month cycles, with
batteries from 55 to 100 %, grades A to D or none, some already upgraded once, in two grid countries and
some with no grid factor. Compares as_is, extend 12 months, upgrade_first and refurbished_first 0.5 as
the API does, and prints the fleet size, the seconds per scenario (one `project` each) and the total of a
`compare_scenarios` call (the best of --rounds, wall-clock and
CPU). Prints figures; never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from daas.impact.parameters import DEFAULTS
from daas.logistics.rules import UpgradePolicy
from daas.workshop.plan_types import FleetDevice, PlannerSettings, Scenario, ScenarioKind
from daas.workshop.planner import compare_scenarios, project

AS_OF = date(2026, 12, 1)
FIRST_DEPLOYMENT = date(2021, 1, 1)
SETTINGS = PlannerSettings(
    policy=UpgradePolicy(), parameters=DEFAULTS, upgrade_fees={"EUR": Decimal("80.00")}
)
SCENARIOS = [
    Scenario(ScenarioKind.AS_IS),
    Scenario(ScenarioKind.EXTEND, extend_months={"*": 12}),
    Scenario(ScenarioKind.UPGRADE_FIRST),
    Scenario(ScenarioKind.REFURBISHED_FIRST, refurbished_share=Decimal("0.5")),
]
# category: share, embodied kg, mass kg, kWh a year, expected lifetime months, monthly price
MODELS = {
    "laptop": (0.85, "252.84", "1.36", "23.36", 72, "36.50"),
    "phone": (0.10, "54.2", "0.19", "4.1", 48, "18.00"),
    "monitor": (0.05, "374", "5.2", "60", 96, "12.00"),
}


def synthetic_fleet(devices: int, seed: int = 18) -> list[FleetDevice]:
    rng = random.Random(seed)
    categories = list(MODELS)
    weights = [MODELS[c][0] for c in categories]
    span = (AS_OF - FIRST_DEPLOYMENT).days
    fleet = []
    for device_id in range(1, devices + 1):
        category = rng.choices(categories, weights)[0]
        _share, embodied, mass, kwh, lifetime, price = MODELS[category]
        deployed = FIRST_DEPLOYMENT + timedelta(days=rng.randrange(span))
        fleet.append(
            FleetDevice(
                device_id=device_id,
                contract_id=1 + device_id // 50,
                category=category,
                embodied_kg=Decimal(embodied),
                mass_kg=Decimal(mass),
                kwh_per_year=Decimal(kwh),
                deployed_on=deployed,
                manufactured_on=(
                    None if rng.random() < 0.05 else deployed - timedelta(days=rng.randrange(10, 240))
                ),
                battery_health=None if rng.random() < 0.1 else rng.randrange(55, 101),
                grade=rng.choice([None, None, "A", "A", "B", "B", "C", "D"]),
                expected_lifetime_months=lifetime,
                refresh_cycle_months=36,
                extension_months=12 if rng.random() < 0.15 else 0,
                monthly_price=Decimal(price),
                currency="EUR",
                grid_kg_per_kwh=rng.choice([Decimal("0.268"), Decimal("0.056"), None]),
            )
        )
    return fleet


def best_of(rounds: int, run) -> tuple[float, float]:
    """The best wall-clock and the best CPU seconds of `rounds` runs (the CPU time is this process's
    own, what the machine's other load does not inflate)."""
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    fleet = synthetic_fleet(args.devices)
    print(f"{len(fleet)} devices, {args.years}-year horizon, as of {AS_OF}, best of {args.rounds}")
    for scenario in SCENARIOS:
        events = len(project(fleet, AS_OF, args.years, scenario, SETTINGS)[1])
        wall, cpu = best_of(args.rounds, lambda s=scenario: project(fleet, AS_OF, args.years, s, SETTINGS))
        print(f"  {scenario.kind:<18} {wall:6.3f} s  (CPU {cpu:.3f} s, {events} refresh events)")
    wall, cpu = best_of(args.rounds, lambda: compare_scenarios(fleet, AS_OF, args.years, SCENARIOS, SETTINGS))
    print(f"compare_scenarios, {len(SCENARIOS)} scenarios: {wall:.3f} s (CPU {cpu:.3f} s)")


if __name__ == "__main__":
    main()
