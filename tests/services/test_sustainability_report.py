"""The yearly sustainability report against the demo, recomputed here from the rows with plain reads (not
with the report's code): kWh per country, the grid factor, CO2e to the gram, the embodied allocation,
the devices that came and went with their fates, and the packaging delivered. Also a fiscal year and
a reporting choice that moves the use phase between Scope 2 and Scope 3 category 8."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.impact.grid_factor_sets import create_grid_factor_set, latest_grid_factors
from daas.impact.models import ImpactLedgerRow
from daas.orders.lifecycle import ShipmentStatus
from daas.orders.models import Order, Shipment, ShipmentPackaging
from daas.people.models import Person
from daas.settings import current_settings
from daas.usecases.demo import load_demo
from daas.usecases.impact import close_impact_months
from daas.workshop.portfolio import portfolio_report
from daas.workshop.report import build_report

THROUGH = Period.parse("2026-10")
GRAM = Decimal("0.001")


@pytest.fixture
def demo(database, today):
    load_demo(current_settings().billing_run)
    close_impact_months(THROUGH, today)
    return {c.id: c for c in db.session.scalars(select(Customer))}


def _months(year: int, start: date, end: date) -> list[str]:
    out, day = [], start
    while day <= end:
        out.append(f"{day.year:04d}-{day.month:02d}")
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def _rows(customer_id: int, periods: list[str]) -> list[ImpactLedgerRow]:
    return list(
        db.session.scalars(
            select(ImpactLedgerRow)
            .join(Contract, Contract.id == ImpactLedgerRow.contract_id)
            .where(Contract.customer_id == customer_id, ImpactLedgerRow.period.in_(periods))
        )
    )


def _country_of(row: ImpactLedgerRow, customer: Customer) -> str:
    """The person's country of the latest deployment of the row's device on its contract in that month."""
    first = date(int(row.period[:4]), int(row.period[5:]), 1)
    after = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    deployments = [
        d
        for d in db.session.scalars(
            select(Deployment).where(
                Deployment.device_id == row.device_id, Deployment.contract_id == row.contract_id
            )
        )
        if d.start_date < after and (d.end_date is None or d.end_date > first)
    ]
    deployment = max(deployments, key=lambda d: (d.start_date, d.id), default=None)
    if deployment is None or deployment.person_id is None:
        return customer.country
    return db.session.get(Person, deployment.person_id).country


def _expected_use(customer: Customer, rows: list[ImpactLedgerRow], year: int):
    kwh: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        kwh[_country_of(row, customer)] += row.use_phase_kwh
    table = latest_grid_factors()
    co2e = {}
    for country, total in kwh.items():
        factor = table.factor_for(country, year)
        co2e[country] = None if factor is None else (total * factor.kg_per_kwh).quantize(GRAM, ROUND_HALF_UP)
    return kwh, co2e


def _weight(device_id: int) -> Decimal:
    device = db.session.get(Device, device_id)
    return db.session.get(DeviceModel, device.device_model_id).weight_kg


def _expected_flows(customer: Customer, start: date, end: date):
    """Inflows (count, kg) and outflows {fate: [count, kg]} from deployments and custody events."""
    mine = list(
        db.session.scalars(select(Deployment).join(Contract).where(Contract.customer_id == customer.id))
    )
    inflow = [0, Decimal(0)]
    outflow: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    fates = {
        "sell": "sold_to_customer",
        "lose": "lost",
        "redeploy": "redeployed",
        "refurbish": "refurbished",
        "restock": "refurbished",
        "harvest": "parts_harvested",
        "recycle": "recycled_certified",
    }
    for d in mine:
        same = [o for o in mine if o.device_id == d.device_id and o.id != d.id]
        if start <= d.start_date <= end and not any(o.end_date == d.start_date for o in same):
            inflow[0] += 1
            inflow[1] += _weight(d.device_id)
        if d.end_date is None or not start <= d.end_date <= end:
            continue
        if any(o.start_date == d.end_date for o in same):
            continue
        later = db.session.scalar(
            select(func.min(Deployment.start_date)).where(
                Deployment.device_id == d.device_id,
                Deployment.start_date >= d.end_date,
                Deployment.id != d.id,
            )
        )
        events = db.session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.device_id == d.device_id, CustodyEvent.occurred_on >= d.end_date)
            .order_by(CustodyEvent.occurred_on, CustodyEvent.seq)
        )
        fate = "redeployed" if later is not None else "not_yet_processed"
        for event in events:
            if later is not None and later < event.occurred_on:
                break
            if event.action in fates:
                fate = fates[event.action]
                break
        outflow[fate][0] += 1
        outflow[fate][1] += _weight(d.device_id)
    return inflow, outflow


def _expected_packaging(customer_id: int, start: date, end: date) -> dict[str, Decimal]:
    query = (
        select(ShipmentPackaging.material, func.sum(ShipmentPackaging.kg))
        .join(Shipment, Shipment.id == ShipmentPackaging.shipment_id)
        .join(Order, Order.id == Shipment.order_id)
        .join(Contract, Contract.id == Order.contract_id)
        .where(
            Contract.customer_id == customer_id,
            Shipment.status == ShipmentStatus.DELIVERED,
            Shipment.delivered_on.between(start, end),
        )
        .group_by(ShipmentPackaging.material)
    )
    return {material: Decimal(kg) for material, kg in db.session.execute(query)}


def _years_with_rows(customer_id: int) -> list[int]:
    periods = db.session.scalars(
        select(ImpactLedgerRow.period)
        .join(Contract, Contract.id == ImpactLedgerRow.contract_id)
        .where(Contract.customer_id == customer_id)
        .distinct()
    )
    return sorted({int(p[:4]) for p in periods})


def test_each_demo_customer_reconciles_with_its_ledger_rows(demo):
    checked = 0
    for customer in demo.values():
        for year in _years_with_rows(customer.id):
            start, end = date(year, 1, 1), date(year, 12, 31)
            periods = _months(year, start, end)
            report = build_report(customer.id, year)
            rows = _rows(customer.id, periods)
            kwh, co2e = _expected_use(customer, rows, year)
            by_country = {line.country: line for line in report.use_phase.countries}
            assert {c: line.kwh for c, line in by_country.items()} == dict(kwh), (customer.name, year)
            assert {c: line.co2e_kg for c, line in by_country.items()} == co2e
            assert report.use_phase.kwh == sum(kwh.values())
            assert report.use_phase.co2e_kg == sum(v for v in co2e.values() if v is not None)
            table = latest_grid_factors()
            for line in report.use_phase.countries:
                factor = table.factor_for(line.country, year)
                assert line.factor_kg_per_kwh == (factor and factor.kg_per_kwh)
                assert line.factor_source == (factor and factor.source)
            assert report.use_phase.grid_factor_version == table.version
            assert report.embodied.allocated_co2e_kg == sum(r.allocated_co2e_kg for r in rows)
            assert report.embodied.transferred_co2e_kg == sum(r.transferred_co2e_kg for r in rows)
            assert report.avoided.avoided_co2e_kg == sum(r.avoided_co2e_kg for r in rows)
            inflow, outflow = _expected_flows(customer, start, end)
            assert (report.inflows.devices, report.inflows.kg) == tuple(inflow)
            for fate, (count, kg) in report.outflows.by_fate.items():
                assert (count, kg) == tuple(outflow.get(fate, (0, Decimal(0)))), (customer.name, fate)
            packaging = _expected_packaging(customer.id, start, end)
            assert {m: kg for m, kg in report.packaging.kg_by_material.items() if kg} == {
                m: kg for m, kg in packaging.items() if kg
            }
            missing = [p for p in periods if p > THROUGH.name]
            assert list(report.missing_months) == missing
            checked += 1
    assert checked >= len(demo)


def test_the_demo_has_flows_and_use_phase_to_check(demo):
    """The reconciliation above is only worth something if the demo year has figures in every section."""
    reports = [build_report(c.id, 2026) for c in demo.values()]
    assert sum(r.use_phase.kwh for r in reports) > 0
    assert sum(r.embodied.allocated_co2e_kg for r in reports) > 0
    assert sum(r.inflows.devices for r in reports) > 0
    assert sum(r.outflows.devices for r in reports) > 0
    assert sum(r.packaging.kg for r in reports) > 0


def test_a_fiscal_year_is_named_by_the_year_it_ends_in(demo):
    customer = next(iter(demo.values()))
    customer.fiscal_year_start_month = 4
    db.session.flush()
    report = build_report(customer.id, 2026)
    assert (report.first_day, report.last_day) == (date(2025, 4, 1), date(2026, 3, 31))
    periods = _months(2026, date(2025, 4, 1), date(2026, 3, 31))
    assert list(report.closed_months) == periods and report.missing_months == ()
    rows = _rows(customer.id, periods)
    assert report.embodied.allocated_co2e_kg == sum(r.allocated_co2e_kg for r in rows)
    assert report.use_phase.kwh == sum(r.use_phase_kwh for r in rows)


def test_the_consolidation_approach_moves_the_use_phase_between_scope_2_and_scope_3(demo):
    customer = next(iter(demo.values()))
    assert build_report(customer.id, 2026).use_phase.scope == "Scope 2 (location-based)"
    customer.consolidation_approach = "financial_control"
    customer.embodied_scope3_category = 8
    db.session.flush()
    report = build_report(customer.id, 2026)
    assert report.use_phase.scope == "Scope 3 category 8 (upstream leased assets)"
    assert report.embodied.scope == "Scope 3 category 8 (upstream leased assets)"


def test_a_country_without_a_grid_factor_is_flagged_not_counted(demo):
    create_grid_factor_set(
        {"JP": {"2026": {"kg_per_kwh": "0.5", "source": "test", "source_version": "1"}}}, None, "admin"
    )
    customer = next(c for c in demo.values() if build_report(c.id, 2026).use_phase.kwh > 0)
    report = build_report(customer.id, 2026)
    assert report.use_phase.grid_factor_version == 2
    assert report.use_phase.co2e_kg == 0
    assert set(report.use_phase.countries_without_factor) == {c.country for c in report.use_phase.countries}


def test_the_portfolio_has_each_customers_headline_figures(demo):
    rows = {row["customer_id"]: row for row in portfolio_report(2026)}
    assert set(rows) == set(demo)
    for customer_id, row in rows.items():
        report = build_report(customer_id, 2026)
        assert row["use_phase_co2e_kg"] == report.use_phase.co2e_kg
        assert row["allocated_co2e_kg"] == report.embodied.allocated_co2e_kg
        assert (row["outflow_devices"], row["outflow_kg"]) == (report.outflows.devices, report.outflows.kg)
        assert row["packaging_kg"] == report.packaging.kg
