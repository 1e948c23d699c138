"""The yearly report as tables, one per section, with a header row: what the CSV (all sections, one after
the other), the XLSX workbook (one sheet per section) and the PDF print. One layout for the three, so a
figure reads the same in each. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from daas.workshop.report_figures import FATE_GROUPS, FATES, SustainabilityReport

Cell = str | int | Decimal | None


@dataclass(frozen=True)
class Section:
    name: str  # also the sheet's name: at most 31 characters
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


FATE_LABELS = {
    "redeployed": "Redeployed",
    "refurbished": "Refurbished",
    "parts_harvested": "Parts harvested",
    "recycled_certified": "Recycled (certified channel)",
    "sold_to_customer": "Sold to the customer",
    "lost": "Lost",
    "not_yet_processed": "Not yet processed",
}
GROUP_OF = {fate: group for group, fates in FATE_GROUPS.items() for fate in fates}


def _versions(report: SustainabilityReport) -> str:
    return ", ".join(str(v) for v in report.parameter_set_versions) or "-"


def overview(report: SustainabilityReport) -> Section:
    use = report.use_phase
    return Section(
        "Overview",
        ("Item", "Value"),
        (
            ("Customer", report.customer_name),
            ("Country", report.customer_country),
            ("Reporting year", report.year),
            ("From", report.first_day.isoformat()),
            ("To", report.last_day.isoformat()),
            ("Fiscal year start month", report.fiscal_year_start_month),
            ("Consolidation approach", report.consolidation_approach),
            ("Embodied emissions category", f"Scope 3 category {report.embodied_scope3_category}"),
            ("Method", report.method),
            ("Parameter set versions", _versions(report)),
            ("Grid factor table version", use.grid_factor_version if use.grid_factor_version else "-"),
            ("Closed months", ", ".join(report.closed_months) or "-"),
            ("Missing months (not closed yet)", ", ".join(report.missing_months) or "-"),
        ),
    )


def use_phase(report: SustainabilityReport) -> Section:
    use = report.use_phase
    rows: list[tuple[Cell, ...]] = [
        (
            line.country,
            line.kwh,
            line.co2e_kg if line.co2e_kg is not None else "not reported: no grid factor",
            line.factor_kg_per_kwh,
            line.factor_year,
            line.factor_source,
            line.factor_source_version,
            use.grid_factor_version,
            use.scope,
            line.data_quality,
        )
        for line in use.countries
    ]
    rows.append(
        (
            "Total",
            use.kwh,
            use.co2e_kg,
            None,
            None,
            None,
            None,
            use.grid_factor_version,
            use.scope,
            use.data_quality,
        )
    )
    return Section(
        "Use-phase electricity",
        (
            "Country",
            "kWh",
            "kg CO2e",
            "Grid factor (kg CO2e/kWh)",
            "Factor year",
            "Factor source",
            "Source version",
            "Table version",
            "Scope",
            "Data quality",
        ),
        tuple(rows),
    )


def embodied(report: SustainabilityReport) -> Section:
    e = report.embodied
    return Section(
        "Embodied emissions",
        ("Line", "kg CO2e", "kg mass", "Scope", "Method", "Data quality"),
        (
            (
                "Attributed (allocated)",
                e.allocated_co2e_kg,
                e.allocated_mass_kg,
                e.scope,
                report.method,
                e.data_quality,
            ),
            (
                "Transferred (devices bought out)",
                e.transferred_co2e_kg,
                e.transferred_mass_kg,
                e.transferred_scope,
                report.method,
                e.data_quality,
            ),
        ),
    )


def avoided(report: SustainabilityReport) -> Section:
    a = report.avoided
    versions = f"{report.method}, parameter sets {_versions(report)}"
    return Section(
        "Avoided (not netted)",
        ("Figure", "kg", "Method", "Data quality", "Reference scenario"),
        tuple(
            (label, value, versions, a.data_quality, a.reference_scenario)
            for label, value in (
                ("Avoided CO2e", a.avoided_co2e_kg),
                ("Avoided e-waste", a.avoided_ewaste_kg),
                ("Recycled through a certified channel", a.certified_recycled_kg),
                ("Unmanaged e-waste avoided", a.unmanaged_ewaste_avoided_kg),
            )
        ),
    )


def inflows(report: SustainabilityReport) -> Section:
    i = report.inflows
    return Section(
        "Inflows (ESRS E5-4)",
        ("Figure", "Value", "Data quality"),
        (
            ("Devices that started serving", i.devices, "measured"),
            ("kg", i.kg, i.data_quality),
            ("Second-life devices", i.second_life_devices, "measured"),
            ("Second-life kg", i.second_life_kg, i.data_quality),
            ("Second-life share by weight", i.second_life_share, i.data_quality),
        ),
    )


def outflows(report: SustainabilityReport) -> Section:
    o = report.outflows
    rows: list[tuple[Cell, ...]] = [
        (FATE_LABELS[fate], o.by_fate[fate][0], o.by_fate[fate][1], GROUP_OF[fate], o.data_quality)
        for fate in FATES
    ]
    rows.append(("Total", o.devices, o.kg, None, o.data_quality))
    rows += [
        (f"Share by weight: {group}", None, o.shares[group], group, o.data_quality) for group in FATE_GROUPS
    ]
    return Section("Outflows (ESRS E5-5)", ("Fate", "Devices", "kg", "Group", "Data quality"), tuple(rows))


def packaging(report: SustainabilityReport) -> Section:
    p = report.packaging
    rows: list[tuple[Cell, ...]] = [
        (material.replace("_", " ").capitalize(), kg, p.data_quality)
        for material, kg in p.kg_by_material.items()
    ]
    rows += [
        ("Total", p.kg, p.data_quality),
        ("Plastic share by weight", p.plastic_share, p.data_quality),
        ("Recycled share by weight", p.recycled_share, p.data_quality),
        ("Shipments in a reusable box", p.reusable_boxes, p.data_quality),
    ]
    return Section("Packaging", ("Material", "kg", "Data quality"), tuple(rows))


def sections(report: SustainabilityReport) -> list[Section]:
    return [
        overview(report),
        use_phase(report),
        embodied(report),
        avoided(report),
        inflows(report),
        outflows(report),
        packaging(report),
    ]
