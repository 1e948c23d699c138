"""The arithmetic of the yearly sustainability report, and its values. Pure: plain values in and out.

The reads (daas.workshop.report) hand over ledger sums, kWh per country, device flows with their fates
and the packaging kilograms; here they become the report's figures: the reporting year's days, CO2e per
country rounded half-up to the gram, the scope each figure goes to, the fate of a device that left, and
the shares by weight. Definitions are in docs/sustainability-report.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

KG = Decimal("0.001")
SHARE = Decimal("0.0001")

VENDOR_SHEET = "vendor sheet"
ESTIMATE = "estimate"
MEASURED = "measured"

# What became of a device that stopped serving the customer, in the order the report lists them, and
# which of the three ESRS E5-5 groups its weight counts in.
FATES = (
    "redeployed",
    "refurbished",
    "parts_harvested",
    "recycled_certified",
    "sold_to_customer",
    "lost",
    "not_yet_processed",
)
FATE_GROUPS = {
    "reused": ("redeployed", "refurbished", "sold_to_customer"),
    "recycled": ("parts_harvested", "recycled_certified"),
    "neither": ("lost", "not_yet_processed"),
}
# The custody action that settles a device's fate, once it has stopped serving the customer.
FATE_OF_ACTION = {
    "sell": "sold_to_customer",
    "lose": "lost",
    "redeploy": "redeployed",
    "refurbish": "refurbished",
    "restock": "refurbished",
    "harvest": "parts_harvested",
    "recycle": "recycled_certified",
}


def reporting_year(year: int, start_month: int) -> tuple[date, date]:
    """The first and last day of reporting year `year`: the calendar year when the fiscal year starts in
    January, else the fiscal year that ENDS in `year` (start month 4: FY2026 is 2025-04-01 .. 2026-03-31)."""
    if start_month == 1:
        return date(year, 1, 1), date(year, 12, 31)
    first = date(year - 1, start_month, 1)
    last_month_start = date(year, start_month - 1, 1)
    return first, _month_end(last_month_start)


def _month_end(first: date) -> date:
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def months(first: date, last: date) -> list[str]:
    """The months ("YYYY-MM") from `first`'s through `last`'s."""
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = year + (month == 12), month % 12 + 1
    return out


def co2e_kg(kwh: Decimal, kg_per_kwh: Decimal) -> Decimal:
    """kWh × grid factor, rounded half-up to the gram (once per country, never per row)."""
    return (kwh * kg_per_kwh).quantize(KG, rounding=ROUND_HALF_UP)


def share(part: Decimal, total: Decimal) -> Decimal | None:
    """part ÷ total to four decimals (1 is 100 %), None when there is no total to share."""
    if not total:
        return None
    return (part / total).quantize(SHARE, rounding=ROUND_HALF_UP)


def use_phase_scope(consolidation_approach: str) -> str:
    """Operational control: the electricity is the customer's own (Scope 2, location-based); financial
    control or equity share: the leased devices' use is upstream leased assets (Scope 3 category 8)."""
    if consolidation_approach == "operational_control":
        return "Scope 2 (location-based)"
    return "Scope 3 category 8 (upstream leased assets)"


def embodied_scope(category: int) -> str:
    if category == 8:
        return "Scope 3 category 8 (upstream leased assets)"
    return "Scope 3 category 1 (purchased goods and services)"


TRANSFERRED_SCOPE = "Scope 3 category 2 (capital goods)"


def quality(sourced: int, unsourced: int) -> str:
    """A figure built on manufacturers' sheets only is 'vendor sheet'; any model without one makes it an
    estimate."""
    return VENDOR_SHEET if sourced and not unsourced else ESTIMATE


def fate(actions_after: Sequence[tuple[date, str]], next_service: date | None) -> str:
    """What became of a device after it stopped serving the customer: the first settling custody action
    on or after that day (`actions_after`, in order), unless another deployment started before it (served
    again without a refurbishment: redeployed); nothing yet: not yet processed."""
    for on, action in actions_after:
        if next_service is not None and next_service < on:
            return "redeployed"
        if action in FATE_OF_ACTION:
            return FATE_OF_ACTION[action]
    return "redeployed" if next_service is not None else "not_yet_processed"


@dataclass(frozen=True)
class CountryUse:
    country: str
    kwh: Decimal
    co2e_kg: Decimal | None  # None: no grid factor for the country, flagged
    factor_kg_per_kwh: Decimal | None
    factor_year: int | None
    factor_source: str | None
    factor_source_version: str | None
    data_quality: str


@dataclass(frozen=True)
class UsePhase:
    scope: str
    grid_factor_version: int | None
    countries: tuple[CountryUse, ...]
    kwh: Decimal
    co2e_kg: Decimal  # the countries with a factor
    countries_without_factor: tuple[str, ...]
    data_quality: str


@dataclass(frozen=True)
class Embodied:
    scope: str
    allocated_co2e_kg: Decimal
    allocated_mass_kg: Decimal
    transferred_scope: str
    transferred_co2e_kg: Decimal
    transferred_mass_kg: Decimal
    data_quality: str


@dataclass(frozen=True)
class Avoided:
    avoided_co2e_kg: Decimal
    avoided_ewaste_kg: Decimal
    certified_recycled_kg: Decimal
    unmanaged_ewaste_avoided_kg: Decimal
    reference_scenario: str
    data_quality: str


@dataclass(frozen=True)
class Inflows:
    devices: int
    kg: Decimal
    second_life_devices: int
    second_life_kg: Decimal
    second_life_share: Decimal | None
    data_quality: str


@dataclass(frozen=True)
class Outflows:
    devices: int
    kg: Decimal
    by_fate: dict[str, tuple[int, Decimal]]  # fate -> (devices, kg), every fate of FATES
    shares: dict[str, Decimal | None]  # reused, recycled, neither: shares by weight
    data_quality: str


@dataclass(frozen=True)
class Packaging:
    kg_by_material: dict[str, Decimal]
    kg: Decimal
    plastic_share: Decimal | None
    recycled_share: Decimal | None
    reusable_boxes: int
    data_quality: str


@dataclass(frozen=True)
class SustainabilityReport:
    customer_id: int
    customer_name: str
    customer_country: str
    year: int
    first_day: date
    last_day: date
    fiscal_year_start_month: int
    consolidation_approach: str
    embodied_scope3_category: int
    method: str
    parameter_set_versions: tuple[int, ...]
    closed_months: tuple[str, ...]
    missing_months: tuple[str, ...]
    use_phase: UsePhase
    embodied: Embodied
    avoided: Avoided
    inflows: Inflows
    outflows: Outflows
    packaging: Packaging


def outflow_figures(flows: Sequence[tuple[str, Decimal]], data_quality: str) -> Outflows:
    """(fate, kg) per device that left: counts and kg by fate, and the shares by weight of each group."""
    by_fate = {name: [0, Decimal("0.000")] for name in FATES}
    for name, kg in flows:
        by_fate[name][0] += 1
        by_fate[name][1] += kg
    total = sum((kg for _, kg in by_fate.values()), Decimal("0.000"))
    shares = {
        group: share(sum((by_fate[name][1] for name in names), Decimal(0)), total)
        for group, names in FATE_GROUPS.items()
    }
    return Outflows(
        len(flows),
        total,
        {name: (count, kg) for name, (count, kg) in by_fate.items()},
        shares,
        data_quality,
    )


def inflow_figures(flows: Sequence[tuple[bool, Decimal]], data_quality: str) -> Inflows:
    """(second life?, kg) per device that started serving: count, kg and the second-life share by weight."""
    kg = sum((mass for _, mass in flows), Decimal("0.000"))
    second = [mass for second_life, mass in flows if second_life]
    second_kg = sum(second, Decimal("0.000"))
    return Inflows(len(flows), kg, len(second), second_kg, share(second_kg, kg), data_quality)


def packaging_section(figures: Mapping[str, Any], recycled_materials: Sequence[str]) -> Packaging:
    """The packaging figures of daas.impact.packaging, with the recycled share by weight added."""
    kg = figures["packaging_kg"]
    recycled = sum((figures["packaging"][name] for name in recycled_materials), Decimal("0.000"))
    return Packaging(
        dict(figures["packaging"]),
        kg,
        figures["packaging_plastic_share"],
        share(recycled, kg),
        figures["reusable_boxes"],
        MEASURED,
    )
