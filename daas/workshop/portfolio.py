"""The portfolio view of the yearly report: one row per customer with its headline figures, each customer
over its own reporting year `year` (its fiscal year when it has one). Built with the same reads as one
customer's report, run once for all customers (a fixed number of queries, whatever their number)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from daas.customers.models import Customer
from daas.extensions import db
from daas.impact.delivered_packaging import packaging_by_customer
from daas.impact.ledger import closed_periods
from daas.impact.packaging import packaging_figures
from daas.workshop import report_reads as reads
from daas.workshop.report import assemble, grid_factors, window_of

PORTFOLIO_COLUMNS = (
    "customer_id",
    "name",
    "country",
    "first_day",
    "last_day",
    "missing_months",
    "use_phase_kwh",
    "use_phase_co2e_kg",
    "use_phase_scope",
    "allocated_co2e_kg",
    "transferred_co2e_kg",
    "avoided_co2e_kg",
    "avoided_ewaste_kg",
    "inflow_devices",
    "inflow_kg",
    "outflow_devices",
    "outflow_kg",
    "packaging_kg",
)
PORTFOLIO_NUMBERS = tuple(
    c for c in PORTFOLIO_COLUMNS if c.endswith(("_kg", "_kwh", "_devices")) or c == "customer_id"
)


def portfolio_report(year: int) -> list[dict[str, Any]]:
    """Every customer's headline figures for `year`, ordered by name."""
    customers = list(db.session.scalars(select(Customer).order_by(Customer.name, Customer.id)))
    if not customers:
        return []
    windows = {customer.id: window_of(customer, year) for customer in customers}
    sums = reads.ledger_sums(windows, None)
    countries = reads.kwh_by_country(windows, None)
    flows = reads.device_flows(windows, None)
    # Packaging is read over the span of all the windows, then each customer's own window is asked for
    # separately only when the windows differ (fiscal years): at most one query per distinct window.
    packaging_per_window: dict[reads.Window, dict[int, Any]] = {}
    table = grid_factors()
    closes = closed_periods()
    rows = []
    for customer in customers:
        window = windows[customer.id]
        if window not in packaging_per_window:
            packaging_per_window[window] = packaging_by_customer(*window)
        packed = packaging_per_window[window].get(customer.id)
        report = assemble(
            customer,
            year,
            sums.get(customer.id, reads.LedgerSums()),
            countries.get(customer.id, {}),
            flows.get(customer.id, reads.Flows()),
            packed[1] if packed is not None else packaging_figures({}),
            table,
            closes,
        )
        rows.append(
            {
                "customer_id": customer.id,
                "name": customer.name,
                "country": customer.country,
                "first_day": report.first_day,
                "last_day": report.last_day,
                "missing_months": list(report.missing_months),
                "use_phase_kwh": report.use_phase.kwh,
                "use_phase_co2e_kg": report.use_phase.co2e_kg,
                "use_phase_scope": report.use_phase.scope,
                "allocated_co2e_kg": report.embodied.allocated_co2e_kg,
                "transferred_co2e_kg": report.embodied.transferred_co2e_kg,
                "avoided_co2e_kg": report.avoided.avoided_co2e_kg,
                "avoided_ewaste_kg": report.avoided.avoided_ewaste_kg,
                "inflow_devices": report.inflows.devices,
                "inflow_kg": report.inflows.kg,
                "outflow_devices": report.outflows.devices,
                "outflow_kg": report.outflows.kg,
                "packaging_kg": report.packaging.kg,
            }
        )
    return rows
