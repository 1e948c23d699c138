"""The yearly sustainability report of one customer (workshop.md), built from the closed impact ledger months
of its reporting year, and its JSON shape. The portfolio (daas.workshop.portfolio) builds every
customer's report with the same reads at once; daas.workshop.report_files writes the files.

A month of the year that is not closed yet is listed in `missing_months`, never computed: the report is
the sum of rows that are written and will not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from daas.core.errors import Conflict
from daas.customers.models import Customer
from daas.customers.services import get_customer
from daas.impact.delivered_packaging import packaging_by_customer
from daas.impact.grid_factor_sets import latest_grid_factors
from daas.impact.grid_factors import GridFactorTable
from daas.impact.ledger import closed_periods
from daas.impact.packaging import packaging_figures
from daas.impact.parameters import METHOD
from daas.workshop import report_reads as reads
from daas.workshop.report_figures import (
    ESTIMATE,
    TRANSFERRED_SCOPE,
    Avoided,
    CountryUse,
    Embodied,
    SustainabilityReport,
    UsePhase,
    co2e_kg,
    embodied_scope,
    inflow_figures,
    outflow_figures,
    packaging_section,
    quality,
    reporting_year,
    use_phase_scope,
)

RECYCLED_PACKAGING = ("recycled_plastic",)  # the materials recorded as recycled content
REFERENCE_SCENARIO = (
    "Buying new: each day of service is compared with a new device bought for the reference service life "
    "(L_ref days of the parameter set) and then discarded, with e-waste collected at the EU formal "
    "collection rate (p_base). Avoided figures are shown beside the inventory and never subtracted from it."
)


def window_of(customer: Customer, year: int) -> reads.Window:
    return reporting_year(year, customer.fiscal_year_start_month)


def grid_factors() -> GridFactorTable | None:
    """The latest grid factor set, or None when none is stored (every country is then flagged)."""
    try:
        return latest_grid_factors()
    except Conflict:
        return None


def _use_phase(
    customer: Customer, year: int, countries: Mapping[str, reads.CountryKwh], table: GridFactorTable | None
) -> UsePhase:
    lines = []
    for country, use in sorted(countries.items()):
        factor = table.factor_for(country, year) if table is not None else None
        flag = quality(use.sourced, use.unsourced)
        if factor is None:
            lines.append(CountryUse(country, use.kwh, None, None, None, None, None, flag))
            continue
        lines.append(
            CountryUse(
                country,
                use.kwh,
                co2e_kg(use.kwh, factor.kg_per_kwh),
                factor.kg_per_kwh,
                factor.year,
                factor.source,
                factor.source_version,
                flag,
            )
        )
    sourced = sum(use.sourced for use in countries.values())
    unsourced = sum(use.unsourced for use in countries.values())
    return UsePhase(
        use_phase_scope(customer.consolidation_approach),
        table.version if table is not None else None,
        tuple(lines),
        sum((line.kwh for line in lines), Decimal("0.000")),
        sum((line.co2e_kg for line in lines if line.co2e_kg is not None), Decimal("0.000")),
        tuple(line.country for line in lines if line.co2e_kg is None),
        quality(sourced, unsourced),
    )


def assemble(
    customer: Customer,
    year: int,
    sums: reads.LedgerSums,
    countries: Mapping[str, reads.CountryKwh],
    flows: reads.Flows,
    packaging: Mapping[str, Any],
    table: GridFactorTable | None,
    closes: Mapping[str, int],
) -> SustainabilityReport:
    """One customer's report from what the reads gave for it (`closes`: the closed months)."""
    first, last = window_of(customer, year)
    closed, missing = reads.closed_months((first, last), closes)
    totals = sums.totals
    footprint_quality = quality(sums.sourced, sums.unsourced)
    flow_quality = quality(flows.sourced, flows.unsourced)
    return SustainabilityReport(
        customer_id=customer.id,
        customer_name=customer.name,
        customer_country=customer.country,
        year=year,
        first_day=first,
        last_day=last,
        fiscal_year_start_month=customer.fiscal_year_start_month,
        consolidation_approach=customer.consolidation_approach,
        embodied_scope3_category=customer.embodied_scope3_category,
        method=METHOD,
        parameter_set_versions=tuple(sorted(sums.versions)),
        closed_months=tuple(closed),
        missing_months=tuple(missing),
        use_phase=_use_phase(customer, year, countries, table),
        embodied=Embodied(
            embodied_scope(customer.embodied_scope3_category),
            totals["allocated_co2e_kg"],
            totals["allocated_mass_kg"],
            TRANSFERRED_SCOPE,
            totals["transferred_co2e_kg"],
            totals["transferred_mass_kg"],
            footprint_quality,
        ),
        avoided=Avoided(
            totals["avoided_co2e_kg"],
            totals["avoided_ewaste_kg"],
            totals["certified_recycled_kg"],
            totals["unmanaged_ewaste_avoided_kg"],
            REFERENCE_SCENARIO,
            # A counterfactual: whatever its inputs, an avoided figure is an estimate.
            ESTIMATE,
        ),
        inflows=inflow_figures(flows.inflows, flow_quality),
        outflows=outflow_figures(flows.outflows, flow_quality),
        packaging=packaging_section(packaging, RECYCLED_PACKAGING),
    )


def build_report(customer_id: int, year: int) -> SustainabilityReport:
    """Customer `customer_id`'s report for reporting year `year` (NotFound for an unknown customer)."""
    customer = get_customer(customer_id)
    first, last = window = window_of(customer, year)
    windows = {customer.id: window}
    packed = packaging_by_customer(first, last).get(customer.id)
    return assemble(
        customer,
        year,
        reads.ledger_sums(windows, customer.id).get(customer.id, reads.LedgerSums()),
        reads.kwh_by_country(windows, customer.id).get(customer.id, {}),
        reads.device_flows(windows, customer.id).get(customer.id, reads.Flows()),
        packed[1] if packed is not None else packaging_figures({}),
        grid_factors(),
        closed_periods(),
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def report_json(report: SustainabilityReport) -> dict[str, Any]:
    """The report as JSON: quantities as decimal strings (three decimals for kg and kWh), dates ISO, each
    outflow fate as {devices, kg}."""
    data = asdict(report)
    data["outflows"]["by_fate"] = {
        name: {"devices": count, "kg": kg} for name, (count, kg) in report.outflows.by_fate.items()
    }
    data["reporting_choices"] = {
        "fiscal_year_start_month": data.pop("fiscal_year_start_month"),
        "consolidation_approach": data.pop("consolidation_approach"),
        "embodied_scope3_category": data.pop("embodied_scope3_category"),
    }
    return _jsonable(data)
