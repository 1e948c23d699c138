"""What the what-if planner takes and gives: the fleet as it stands, the scenarios, the settings, and the
figures per scenario and year. Pure values (the planner, `daas.workshop.planner`, is a pure function of
them); the fleet is read from the database by `daas.workshop.fleet`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from daas.impact.parameters import Parameters
from daas.logistics.rules import UpgradePolicy


class ScenarioKind:
    AS_IS = "as_is"
    EXTEND = "extend"
    UPGRADE_FIRST = "upgrade_first"
    REFURBISHED_FIRST = "refurbished_first"


KINDS = (ScenarioKind.AS_IS, ScenarioKind.EXTEND, ScenarioKind.UPGRADE_FIRST, ScenarioKind.REFURBISHED_FIRST)


@dataclass(frozen=True)
class FleetDevice:
    """A device deployed on one of the customer's contracts today, with what its refresh depends on."""

    device_id: int
    contract_id: int
    category: str
    embodied_kg: Decimal  # the model's E0 (kg CO2e)
    mass_kg: Decimal
    kwh_per_year: Decimal
    deployed_on: date
    manufactured_on: date | None
    battery_health: int | None
    grade: str | None
    expected_lifetime_months: int
    refresh_cycle_months: int  # in force: the contract's own cycle, else its plan's
    extension_months: int  # what its upgrades have added to the cycle so far
    monthly_price: Decimal  # what the device bills a month on its plan, in `currency`
    currency: str
    grid_kg_per_kwh: Decimal | None  # of the country where it serves, None when no factor is known
    lives: int = 1  # its life now (1 = its first deployment)


@dataclass(frozen=True)
class Scenario:
    """One policy to project. `extend_months` per category ("*" for every category) for `extend`;
    `refurbished_share` (0 to 1) for `refurbished_first`."""

    kind: str
    name: str = ""
    extend_months: dict[str, int] = field(default_factory=dict)
    refurbished_share: Decimal = Decimal(0)


@dataclass(frozen=True)
class PlannerSettings:
    policy: UpgradePolicy  # the refresh planner's upgrade rules (battery threshold, extension months)
    parameters: Parameters  # daas-impact-1, for the attributed view and the kits' footprints
    upgrade_kit: str = "battery"  # the kit an upgrade uses in the projection
    upgrade_fees: dict[str, Decimal] = field(default_factory=dict)  # per currency
    reuse_share: Decimal = Decimal("0.75")  # by the grade mix the provider has seen: A, B, C reused; D not


@dataclass(frozen=True)
class Figures:
    """One scenario's figures over one year of the horizon (or their total, or a difference)."""

    new_devices: int = 0  # manufactured for this fleet (the consequential view)
    new_devices_kg: Decimal = Decimal(0)
    embodied_co2e_kg: Decimal = Decimal(0)  # of new devices, refurbishments and upgrade kits
    upgrades: int = 0
    refurbished_supplied: int = 0
    devices_leaving: int = 0
    leaving_reused: Decimal = Decimal(0)  # expected, by the grade mix seen
    leaving_recycled: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)  # plans' prices and upgrade fees, in the fleet's currency
    use_phase_kwh: Decimal = Decimal(0)
    use_phase_co2e_kg: Decimal = Decimal(0)
    attributed_co2e_kg: Decimal = Decimal(0)  # daas-impact-1 (the inventory view)


@dataclass(frozen=True)
class YearFigures:
    year: int  # 1 .. horizon
    starts_on: date
    ends_on: date  # exclusive
    figures: Figures


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    years: list[YearFigures]
    total: Figures
    difference: Figures  # total minus as_is's total


@dataclass(frozen=True)
class RefreshEvent:
    """One refresh the projection makes: on `on`, the device in the fleet's slot `device_id` is upgraded
    or replaced (by a new or a refurbished device)."""

    device_id: int
    on: date
    action: str  # "upgrade" | "replace"
    supplied_by: str | None = None  # "new" | "refurbished" for a replacement


@dataclass(frozen=True)
class Comparison:
    as_of: date
    horizon_years: int
    currency: str
    results: list[ScenarioResult]
