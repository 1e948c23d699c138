"""The what-if planner (docs/workshop.md): a customer's fleet projected over a horizon under refresh
policies, compared with today's (`as_is`). Pure and deterministic: plain values in, figures out.

Every device is a slot the fleet keeps for the whole horizon. At each refresh falling due, the slot's device
is upgraded or replaced by the refresh planner's own rules (`daas.logistics.rules.propose_refresh`), so
`as_is` shows what the refresh planner would do; the other scenarios change one input of those rules.
Nothing is forecast that the platform does not know: battery health stays at its last measure, the fleet
neither grows nor shrinks, a replacement is the same model on the same plan.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from daas.core.dates import add_months
from daas.impact.attribution import grams
from daas.logistics.rules import RefreshAction, propose_refresh, refresh_due_date
from daas.workshop.plan_tally import Rate, YearTally, ratio_sum, ratio_times
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
        years = _projected(fleet, as_of, horizon_years, scenario, settings, events=None)
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
    events: list[RefreshEvent] = []
    return _projected(fleet, as_of, horizon_years, scenario, settings, events), events


def _projected(
    fleet: Sequence[FleetDevice],
    as_of: date,
    horizon_years: int,
    scenario: Scenario,
    settings: PlannerSettings,
    events: list[RefreshEvent] | None,
) -> list[YearFigures]:
    """`project`'s years, its events appended to `events` unless None (a comparison does not show them)."""
    check_scenario(scenario)
    if settings.upgrade_kit not in settings.parameters.upgrade_kit_kg:
        raise ValueError(f"No footprint is known for the upgrade kit {settings.upgrade_kit!r}.")
    if horizon_years < 1:
        raise ValueError(f"horizon_years must be at least 1, not {horizon_years}.")
    currency = fleet_currency(fleet)
    if len({device.device_id for device in fleet}) < len(fleet):
        raise ValueError("A device is listed twice in the fleet: each device is one slot.")
    bounds = [add_months(as_of, 12 * k) for k in range(horizon_years + 1)]
    projection = _Projection(scenario, settings, bounds, currency)
    slots = {device.device_id: projection.slot_of(device, as_of) for device in fleet}
    due = [(slot.due, device_id) for device_id, slot in slots.items()]
    heapq.heapify(due)
    end = bounds[-1]
    while due and due[0][0] < end:
        on, device_id = due[0]
        event, next_due = projection.refresh(slots[device_id], on)
        if events is not None:
            events.append(event)
        heapq.heapreplace(due, (next_due, device_id))
    end_day = end.toordinal()
    for slot in slots.values():
        projection.serve(slot, end_day)
    projection.add_running_costs(fleet)
    return [
        YearFigures(year=k + 1, starts_on=bounds[k], ends_on=bounds[k + 1], figures=tally.figures())
        for k, tally in enumerate(projection.tallies)
    ]


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


# Dates recur across a fleet (deployments on the same days, refreshes on the same due dates): the calendar
# arithmetic of the refresh planner's rules is remembered rather than redone for every slot.
_months_later = lru_cache(maxsize=1 << 16)(add_months)
_due_date = lru_cache(maxsize=1 << 16)(refresh_due_date)


@dataclass(slots=True)
class _Slot:
    """A slot of the fleet and the device now serving it, with what its next refresh decision and its
    attribution need. The embodied CO2e still to attribute (daas-impact-1) is spread at a constant `rate`
    over the `days_left` of its expected service: the balance is always `rate` × `days_left`."""

    facts: FleetDevice
    cycle_months: int  # the cycle in force under the scenario
    lifetime_months: int  # the age limit of the upgrade rule under the scenario
    due: date
    served_until: int  # a day's ordinal: the device is attributed up to it (exclusive)
    deployed_on: date
    extension_months: int
    battery_health: int | None
    manufactured_on: date | None
    grade: str | None
    rate: Rate
    days_left: int


class _Projection:
    def __init__(
        self, scenario: Scenario, settings: PlannerSettings, bounds: list[date], currency: str
    ) -> None:
        self.scenario, self.settings, self.currency = scenario, settings, currency
        self.bounds = bounds
        self.days = [day.toordinal() for day in bounds]
        self.tallies = [YearTally() for _ in bounds[1:]]
        self.replacements = 0  # in date order, for refurbished_first's share
        parameters = settings.parameters
        self.reference = parameters.reference_service_days
        self.kit_kg = parameters.upgrade_kit_kg[settings.upgrade_kit]
        self.kit = self.kit_kg.as_integer_ratio()
        self.fee = settings.upgrade_fees.get(currency, Decimal(0))
        self.recycled = 1 - settings.reuse_share
        self.new_rates: dict[Decimal, Rate] = {}

    def tally_on(self, day: date) -> YearTally:
        return self.tallies[bisect_right(self.bounds, day) - 1]

    def extra_months(self, category: str) -> int:
        if self.scenario.kind != ScenarioKind.EXTEND:
            return 0
        months = self.scenario.extend_months
        return months.get(category, months.get("*", 0))

    def new_rate(self, embodied_kg: Decimal) -> Rate:
        """A device's footprint spread over the reference service life (one rate object per model)."""
        rate = self.new_rates.get(embodied_kg)
        if rate is None:
            rate = self.new_rates[embodied_kg] = Rate.spread(embodied_kg.as_integer_ratio(), self.reference)
        return rate

    def slot_of(self, facts: FleetDevice, as_of: date) -> _Slot:
        """A device serving at `as_of`: its first life assumed, the days it has served already spent (so
        what is left of its footprint is left for the days left, at the rate of a new device)."""
        extra = self.extra_months(facts.category)
        cycle = facts.refresh_cycle_months + extra
        served = min(max((as_of - facts.deployed_on).days, 0), self.reference)
        due = max(_due_date(facts.deployed_on, cycle, facts.extension_months), as_of)
        return _Slot(
            facts,
            cycle,
            facts.expected_lifetime_months + extra,
            due,
            as_of.toordinal(),
            facts.deployed_on,
            facts.extension_months,
            facts.battery_health,
            facts.manufactured_on,
            facts.grade,
            self.new_rate(facts.embodied_kg),
            self.reference - served,
        )

    def decide(self, slot: _Slot, on: date) -> str:
        battery = slot.battery_health
        if self.scenario.kind == ScenarioKind.UPGRADE_FIRST and battery is not None:
            battery = max(battery, self.settings.policy.min_battery)  # the battery kit replaces it
        action, _reason = propose_refresh(
            battery_health=battery,
            manufactured_on=slot.manufactured_on,
            due_date=on,
            expected_lifetime_months=slot.lifetime_months,
            last_grade=slot.grade,
            policy=self.settings.policy,
        )
        return action

    def refresh(self, slot: _Slot, on: date) -> tuple[RefreshEvent, date]:
        """Refresh the slot's device on `on`; the event, and when the slot falls due next."""
        self.serve(slot, on.toordinal())
        tally = self.tally_on(on)
        if self.decide(slot, on) == RefreshAction.UPGRADE:
            return self.upgrade(slot, on, tally)
        return self.replace(slot, on, tally)

    def upgrade(self, slot: _Slot, on: date, tally: YearTally) -> tuple[RefreshEvent, date]:
        """The kit's footprint joins the balance, spread over the extension an upgrade is expected to give."""
        extension = self.settings.policy.extension_months
        slot.extension_months += extension
        slot.battery_health = FULL_BATTERY
        balance = ratio_sum(slot.rate.times(slot.days_left), self.kit)
        slot.days_left = self.settings.parameters.upgrade_extension_days
        slot.rate = Rate.spread(balance, slot.days_left)
        tally.count("upgrades")
        tally.add("embodied_co2e_kg", self.kit_kg)
        tally.add("cost", self.fee)
        next_due = max(
            _due_date(slot.deployed_on, slot.cycle_months, slot.extension_months),
            _months_later(on, extension),  # an upgrade on a date long past due still grants its months
        )
        return RefreshEvent(slot.facts.device_id, on, RefreshAction.UPGRADE), next_due

    def replace(self, slot: _Slot, on: date, tally: YearTally) -> tuple[RefreshEvent, date]:
        facts, parameters = slot.facts, self.settings.parameters
        tally.count("devices_leaving")
        tally.add("leaving_reused", self.settings.reuse_share)
        tally.add("leaving_recycled", self.recycled)
        reference = self.reference
        if self.refurbished_next():
            manufactured = _months_later(on, -slot.cycle_months)
            first_life = (on - manufactured).days
            refurbishment_kg = parameters.refurbishment_kg.get(facts.category, Decimal(0))
            leftover = ratio_times(
                facts.embodied_kg.as_integer_ratio(), (max(reference - first_life, 0), reference)
            )
            days_left = max(reference - first_life, parameters.upgrade_extension_days)
            rate = Rate.spread(ratio_sum(leftover, refurbishment_kg.as_integer_ratio()), days_left)
            tally.count("refurbished_supplied")
            tally.add("embodied_co2e_kg", refurbishment_kg)
            supplied = REFURBISHED
        else:
            manufactured, rate, days_left = on, self.new_rate(facts.embodied_kg), reference
            tally.count("new_devices")
            tally.add("new_devices_kg", facts.mass_kg)
            tally.add("embodied_co2e_kg", facts.embodied_kg)
            supplied = NEW
        slot.deployed_on, slot.extension_months, slot.battery_health = on, 0, FULL_BATTERY
        slot.manufactured_on, slot.grade, slot.rate, slot.days_left = manufactured, None, rate, days_left
        event = RefreshEvent(facts.device_id, on, RefreshAction.REPLACE, supplied)
        return event, _due_date(on, slot.cycle_months)

    def refurbished_next(self) -> bool:
        """The k-th replacement is refurbished when floor(k·s) > floor((k-1)·s)."""
        if self.scenario.kind != ScenarioKind.REFURBISHED_FIRST:
            return False
        self.replacements += 1
        (share, per), k = self.scenario.refurbished_share.as_integer_ratio(), self.replacements
        return k * share // per > (k - 1) * share // per

    def serve(self, slot: _Slot, until: int) -> None:
        """Attribute the slot's device over the days [served_until, until) (ordinals), year by year, at its
        rate (days past the expectation charge nothing)."""
        days_left, start = slot.days_left, slot.served_until
        if days_left > 0 and until > start:
            bounds = self.days
            k = bisect_right(bounds, start) - 1
            while days_left > 0 and k < len(self.tallies):
                end = min(until, bounds[k + 1])
                if end <= start:
                    break
                charged = min(end - start, days_left)
                self.tallies[k].attribute(slot.rate, charged)
                days_left -= charged
                start, k = end, k + 1
            slot.days_left = days_left
        slot.served_until = max(slot.served_until, until)

    def add_running_costs(self, fleet: Sequence[FleetDevice]) -> None:
        """Every slot serves every day of the horizon: its plan's price and its device's use phase (slots
        of the same price, or consumption and grid factor, are counted together; those of the same
        consumption and grid factor round alike)."""
        prices = Counter(facts.monthly_price for facts in fleet)
        price_total = sum((Fraction(price) * slots for price, slots in prices.items()), Fraction(0))
        uses = Counter((facts.kwh_per_year, facts.grid_kg_per_kwh) for facts in fleet)
        for k, tally in enumerate(self.tallies):
            days = (self.bounds[k + 1] - self.bounds[k]).days
            tally.add("cost", price_total * days * 12 / 365)
            for (kwh_per_year, grid_kg_per_kwh), slots in sorted(uses.items(), key=str):
                kwh = grams(Fraction(kwh_per_year) * days / 365)
                tally.add("use_phase_kwh", kwh, slots)
                if grid_kg_per_kwh is not None:
                    tally.add("use_phase_co2e_kg", grams(Fraction(kwh) * Fraction(grid_kg_per_kwh)), slots)
