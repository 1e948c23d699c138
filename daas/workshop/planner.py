"""The what-if planner (docs/workshop.md): a customer's fleet projected over a horizon under refresh
policies, compared with today's (`as_is`). Pure and deterministic: plain values in, figures out.

Every device is a slot the fleet keeps for the whole horizon. At each refresh falling due, the slot's device
is upgraded or replaced by the refresh planner's own rules (`daas.logistics.rules.propose_refresh`), so
`as_is` shows what the refresh planner would do; the other scenarios change one input of those rules.
Nothing is forecast that the platform does not know: battery health stays at its last measure, the fleet
neither grows nor shrinks, a replacement is the same model on the same plan.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from daas.core.dates import add_months
from daas.impact.attribution import grams
from daas.logistics.rules import RefreshAction, propose_refresh, refresh_due_date
from daas.workshop.plan_types import (
    KINDS,
    Comparison,
    Figures,
    FleetDevice,
    PlannerSettings,
    RefreshEvent,
    Scenario,
    ScenarioKind,
    ScenarioResult,
    YearFigures,
)

CENT = Decimal("0.01")
GRAM = Decimal("0.001")
FULL_BATTERY = 100
NEW, REFURBISHED = "new", "refurbished"


def compare_scenarios(
    fleet: Sequence[FleetDevice],
    as_of: date,
    horizon_years: int,
    scenarios: Sequence[Scenario],
    settings: PlannerSettings,
) -> Comparison:
    """`as_is` first (always computed), then the scenarios in the order asked (an `as_is` asked for is not
    repeated), each with its years, total and difference from `as_is`."""
    currency = fleet_currency(fleet)
    asked = [scenario for scenario in scenarios if scenario.kind != ScenarioKind.AS_IS]
    baseline = next((s for s in scenarios if s.kind == ScenarioKind.AS_IS), Scenario(ScenarioKind.AS_IS))
    results: list[ScenarioResult] = []
    for scenario in [baseline, *asked]:
        years, _events = project(fleet, as_of, horizon_years, scenario, settings)
        total = sum_figures([year.figures for year in years])
        difference = subtract(total, results[0].total) if results else Figures()
        results.append(ScenarioResult(scenario=scenario, years=years, total=total, difference=difference))
    return Comparison(as_of=as_of, horizon_years=horizon_years, currency=currency, results=results)


def project(
    fleet: Sequence[FleetDevice],
    as_of: date,
    horizon_years: int,
    scenario: Scenario,
    settings: PlannerSettings,
) -> tuple[list[YearFigures], list[RefreshEvent]]:
    """One scenario's figures per year of the horizon, and its refresh events in date order (ties by
    device id)."""
    check_scenario(scenario)
    if settings.upgrade_kit not in settings.parameters.upgrade_kit_kg:
        raise ValueError(f"No footprint is known for the upgrade kit {settings.upgrade_kit!r}.")
    if horizon_years < 1:
        raise ValueError(f"horizon_years must be at least 1, not {horizon_years}.")
    currency = fleet_currency(fleet)
    if len({device.device_id for device in fleet}) < len(fleet):
        raise ValueError("A device is listed twice in the fleet: each device is one slot.")
    bounds = [add_months(as_of, 12 * k) for k in range(horizon_years + 1)]
    tallies = [_Tally() for _ in range(horizon_years)]
    projection = _Projection(scenario, settings, bounds, tallies, currency)
    slots = {device.device_id: projection.slot_of(device, as_of) for device in fleet}
    due = [(slot.due, device_id) for device_id, slot in slots.items()]
    heapq.heapify(due)
    events: list[RefreshEvent] = []
    while due and due[0][0] < bounds[-1]:
        on, device_id = heapq.heappop(due)
        event, next_due = projection.refresh(slots[device_id], on)
        events.append(event)
        heapq.heappush(due, (next_due, device_id))
    for slot in slots.values():
        projection.serve(slot, bounds[-1])
    projection.add_running_costs(fleet)
    years = [
        YearFigures(year=k + 1, starts_on=bounds[k], ends_on=bounds[k + 1], figures=tallies[k].figures())
        for k in range(horizon_years)
    ]
    return years, events


def fleet_currency(fleet: Sequence[FleetDevice]) -> str:
    """The one currency a comparison is in; a fleet billing in several cannot be summed."""
    currencies = sorted({device.currency for device in fleet})
    if len(currencies) > 1:
        raise ValueError(
            f"The fleet bills in several currencies ({', '.join(currencies)}): "
            "compare one currency at a time."
        )
    return currencies[0] if currencies else ""


def check_scenario(scenario: Scenario) -> None:
    if scenario.kind not in KINDS:
        raise ValueError(f"Unknown scenario kind {scenario.kind!r}: one of {', '.join(KINDS)}.")
    if any(months < 0 for months in scenario.extend_months.values()):
        raise ValueError("extend_months must not be negative.")
    if not Decimal(0) <= scenario.refurbished_share <= Decimal(1):
        raise ValueError("refurbished_share must be between 0 and 1.")


def sum_figures(items: Sequence[Figures]) -> Figures:
    total = Figures()
    for item in items:
        total = Figures(**{f.name: getattr(total, f.name) + getattr(item, f.name) for f in fields(Figures)})
    return total


def subtract(left: Figures, right: Figures) -> Figures:
    return Figures(**{f.name: getattr(left, f.name) - getattr(right, f.name) for f in fields(Figures)})


@dataclass
class _Device:
    """The device now serving a slot, with what its next refresh decision and its attribution need."""

    deployed_on: date
    extension_months: int
    battery_health: int | None
    manufactured_on: date | None
    grade: str | None
    balance_kg: Fraction  # embodied CO2e still to attribute (daas-impact-1)
    days_left: Fraction  # expected service days over which the balance is spread


@dataclass
class _Slot:
    facts: FleetDevice
    cycle_months: int  # the cycle in force under the scenario
    lifetime_months: int  # the age limit of the upgrade rule under the scenario
    device: _Device
    due: date
    served_until: date


@dataclass
class _Tally:
    """One year's figures while they are added up; exact until `figures` rounds them once."""

    counts: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, Fraction] = field(default_factory=dict)

    def count(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def add(self, name: str, amount: Fraction | Decimal) -> None:
        self.amounts[name] = self.amounts.get(name, Fraction(0)) + Fraction(amount)

    def figures(self) -> Figures:
        values: dict[str, int | Decimal] = dict(self.counts)
        for name, amount in self.amounts.items():
            values[name] = _round(amount, CENT if name == "cost" else GRAM)
        return Figures(**values)


def _round(amount: Fraction, unit: Decimal) -> Decimal:
    exact = Decimal(amount.numerator) / Decimal(amount.denominator)
    return exact.quantize(unit, rounding=ROUND_HALF_UP)


class _Projection:
    def __init__(
        self,
        scenario: Scenario,
        settings: PlannerSettings,
        bounds: list[date],
        tallies: list[_Tally],
        currency: str,
    ) -> None:
        self.scenario, self.settings, self.bounds, self.tallies = scenario, settings, bounds, tallies
        self.currency = currency
        self.replacements = 0  # in date order, for refurbished_first's share

    def tally_on(self, day: date) -> _Tally:
        return self.tallies[bisect.bisect_right(self.bounds, day) - 1]

    def extra_months(self, category: str) -> int:
        if self.scenario.kind != ScenarioKind.EXTEND:
            return 0
        months = self.scenario.extend_months
        return months.get(category, months.get("*", 0))

    def slot_of(self, facts: FleetDevice, as_of: date) -> _Slot:
        """A device serving at `as_of`: its first life assumed, the days it has served already spent."""
        extra = self.extra_months(facts.category)
        cycle = facts.refresh_cycle_months + extra
        reference = Fraction(self.settings.parameters.reference_service_days)
        served = min(Fraction(max((as_of - facts.deployed_on).days, 0)), reference)
        device = _Device(
            deployed_on=facts.deployed_on,
            extension_months=facts.extension_months,
            battery_health=facts.battery_health,
            manufactured_on=facts.manufactured_on,
            grade=facts.grade,
            balance_kg=Fraction(facts.embodied_kg) * (reference - served) / reference,
            days_left=reference - served,
        )
        due = max(refresh_due_date(facts.deployed_on, cycle, facts.extension_months), as_of)
        return _Slot(facts, cycle, facts.expected_lifetime_months + extra, device, due, as_of)

    def decide(self, slot: _Slot, on: date) -> str:
        battery = slot.device.battery_health
        if self.scenario.kind == ScenarioKind.UPGRADE_FIRST and battery is not None:
            battery = max(battery, self.settings.policy.min_battery)  # the battery kit replaces it
        action, _reason = propose_refresh(
            battery_health=battery,
            manufactured_on=slot.device.manufactured_on,
            due_date=on,
            expected_lifetime_months=slot.lifetime_months,
            last_grade=slot.device.grade,
            policy=self.settings.policy,
        )
        return action

    def refresh(self, slot: _Slot, on: date) -> tuple[RefreshEvent, date]:
        """Refresh the slot's device on `on`; the event, and when the slot falls due next."""
        self.serve(slot, on)
        tally = self.tally_on(on)
        if self.decide(slot, on) == RefreshAction.UPGRADE:
            return self.upgrade(slot, on, tally)
        return self.replace(slot, on, tally)

    def upgrade(self, slot: _Slot, on: date, tally: _Tally) -> tuple[RefreshEvent, date]:
        policy, parameters = self.settings.policy, self.settings.parameters
        kit_kg = parameters.upgrade_kit_kg[self.settings.upgrade_kit]
        device = slot.device
        device.extension_months += policy.extension_months
        device.battery_health = FULL_BATTERY
        device.balance_kg += Fraction(kit_kg)
        device.days_left = Fraction(parameters.upgrade_extension_days)
        tally.count("upgrades")
        tally.add("embodied_co2e_kg", kit_kg)
        tally.add("cost", self.settings.upgrade_fees.get(self.currency, Decimal(0)))
        next_due = max(
            refresh_due_date(device.deployed_on, slot.cycle_months, device.extension_months),
            add_months(
                on, policy.extension_months
            ),  # an upgrade on a date long past due still grants its months
        )
        return RefreshEvent(slot.facts.device_id, on, RefreshAction.UPGRADE), next_due

    def replace(self, slot: _Slot, on: date, tally: _Tally) -> tuple[RefreshEvent, date]:
        facts, parameters = slot.facts, self.settings.parameters
        reuse = self.settings.reuse_share
        tally.count("devices_leaving")
        tally.add("leaving_reused", reuse)
        tally.add("leaving_recycled", 1 - reuse)
        reference = parameters.reference_service_days
        if self.refurbished_next():
            manufactured = add_months(on, -slot.cycle_months)
            first_life = Fraction((on - manufactured).days)
            refurbishment_kg = parameters.refurbishment_kg.get(facts.category, Decimal(0))
            leftover = Fraction(facts.embodied_kg) * max(reference - first_life, 0) / reference
            balance = leftover + Fraction(refurbishment_kg)
            days_left = max(reference - first_life, Fraction(parameters.upgrade_extension_days))
            tally.count("refurbished_supplied")
            tally.add("embodied_co2e_kg", refurbishment_kg)
            supplied = REFURBISHED
        else:
            manufactured, balance, days_left = on, Fraction(facts.embodied_kg), Fraction(reference)
            tally.count("new_devices")
            tally.add("new_devices_kg", facts.mass_kg)
            tally.add("embodied_co2e_kg", facts.embodied_kg)
            supplied = NEW
        slot.device = _Device(on, 0, FULL_BATTERY, manufactured, None, balance, days_left)
        event = RefreshEvent(facts.device_id, on, RefreshAction.REPLACE, supplied)
        return event, refresh_due_date(on, slot.cycle_months)

    def refurbished_next(self) -> bool:
        """The k-th replacement is refurbished when floor(k·s) > floor((k-1)·s)."""
        if self.scenario.kind != ScenarioKind.REFURBISHED_FIRST:
            return False
        self.replacements += 1
        share, k = Fraction(self.scenario.refurbished_share), self.replacements
        return int(k * share) > int((k - 1) * share)

    def serve(self, slot: _Slot, until: date) -> None:
        """Attribute the slot's device over [served_until, until), year by year, at the constant rate
        balance / days left (days past the expectation charge nothing)."""
        device = slot.device
        first = bisect.bisect_right(self.bounds, slot.served_until) - 1
        for k in range(first, len(self.tallies)):
            start, end = max(slot.served_until, self.bounds[k]), min(until, self.bounds[k + 1])
            if end <= start:
                break
            days = Fraction((end - start).days)
            charged = min(days, device.days_left)
            if charged > 0:
                amount = device.balance_kg * charged / device.days_left
                self.tallies[k].add("attributed_co2e_kg", amount)
                device.balance_kg -= amount
            device.days_left = max(device.days_left - days, Fraction(0))
        slot.served_until = max(slot.served_until, until)

    def add_running_costs(self, fleet: Sequence[FleetDevice]) -> None:
        """Every slot serves every day of the horizon: its plan's price and its device's use phase (slots
        of the same consumption and grid factor round alike, so they are counted together)."""
        prices = sum((Fraction(facts.monthly_price) for facts in fleet), Fraction(0))
        uses = Counter((facts.kwh_per_year, facts.grid_kg_per_kwh) for facts in fleet)
        for k, tally in enumerate(self.tallies):
            days = (self.bounds[k + 1] - self.bounds[k]).days
            tally.add("cost", prices * days * 12 / 365)
            for (kwh_per_year, grid_kg_per_kwh), slots in sorted(uses.items(), key=str):
                kwh = grams(Fraction(kwh_per_year) * days / 365)
                tally.add("use_phase_kwh", kwh * slots)
                if grid_kg_per_kwh is not None:
                    tally.add("use_phase_co2e_kg", grams(Fraction(kwh) * Fraction(grid_kg_per_kwh)) * slots)
