"""A realistic demo data set, loaded through the same services as the API, and safe to load twice.

Every object has a natural key (customer name, plan code, serial, e-mail, transaction id); anything that
exists already is left as it is, so loading again adds nothing. Dates are spread over the 18 months
before the day of the first load, from a fixed random seed. This module orchestrates the load in its fixed
order (which keeps the random draws, and so the data, the same); the steps live in their own modules.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from daas.auth.roles import CUSTOMER
from daas.billing.models import Invoice
from daas.catalog.services import load_default_catalog
from daas.contracts import services as contracts
from daas.contracts.models import Contract
from daas.core import clock
from daas.core.dates import add_months
from daas.core.periods import Period
from daas.demo.circular import open_pickup_slots, second_lives, takeback_orders
from daas.demo.contract_changes import build_contract_changes
from daas.demo.data import (
    ACTOR,
    CONTRACTS,
    CUSTOMER_USERS,
    CUSTOMERS,
    METRICS,
    PLANS,
    PURCHASE_ORDERS,
    SPARE_STOCK,
    STAFF,
    TERMS,
)
from daas.demo.fleet import deploy_fleet, ended_fleet, record_usage
from daas.demo.outbound import build_outbound
from daas.demo.people import ensure_customer, ensure_user
from daas.demo.report import DemoMonth, DemoReport
from daas.devices.models import Device
from daas.devices.services import register_device
from daas.extensions import db
from daas.impact.ledger import close_periods_through
from daas.logistics.refresh import plan_refreshes
from daas.logistics.rules import UpgradePolicy
from daas.pricing import services as pricing
from daas.pricing.models import Metric, Plan


def build_demo_world(issuer_vat_id: str | None = None) -> DemoReport:
    """Everything of the demo but its invoices and closed impact months: catalog, plans, customers,
    contracts with their fleets and usage, second lives, users with their tokens, pickup slots, refresh and
    take-back orders, then the way out (people, an approver, delivery slots, orders in each state).
    Flushes, never commits; the demo use case then bills `months_to_bill` (billing runs commit as they go)
    and closes the impact months (`close_impact_months`). No demo customer may carry `issuer_vat_id`, the
    issuer's own VAT id."""
    report = DemoReport()
    rng = random.Random(20261129)
    catalog = load_default_catalog()
    report.count("device models", catalog.created)

    for values in METRICS:
        if db.session.scalar(select(Metric.id).where(Metric.code == values["code"])) is None:
            pricing.create_metric(values)
            report.count("metrics")
    for values in PLANS:
        if db.session.scalar(select(Plan.id).where(Plan.code == values["code"])) is None:
            pricing.create_plan(values)
            report.count("plans")

    customers = {}
    for values in CUSTOMERS:
        customers[values["name"]], created = ensure_customer(values, issuer_vat_id)
        report.count("customers", int(created))

    metrics = {m.code: m for m in db.session.scalars(select(Metric))}
    serial_counters: dict[str, int] = {}

    def next_serial(sku: str) -> str:
        serial_counters[sku] = serial_counters.get(sku, 0) + 1
        return f"DEMO-{sku}-{serial_counters[sku]:03d}"

    today = clock.today()
    for name, plan_code, months_ago, fleet in CONTRACTS:
        customer = customers[name]
        contract = db.session.scalar(select(Contract).where(Contract.customer_id == customer.id))
        if contract is None:
            start = add_months(today, -months_ago).replace(day=1)
            end = add_months(start, TERMS[name]) if name in TERMS else None
            contract = contracts.create_contract(
                customer.id, plan_code, start, end, purchase_order=PURCHASE_ORDERS.get(name), actor=ACTOR
            )
            report.count("contracts")
            if contract.end_date <= today:
                ended_fleet(contract, fleet, next_serial, report)
            else:
                deploy_fleet(contract, fleet, next_serial, rng, report)
                record_usage(contract, metrics, rng, report)
        else:
            if contract.purchase_order is None and name in PURCHASE_ORDERS:  # loaded before purchase orders
                contracts.update_contract(contract.id, {"purchase_order": PURCHASE_ORDERS[name]})
            for sku, count in fleet:  # keep serial numbering stable on a second load
                serial_counters[sku] = serial_counters.get(sku, 0) + count
    second_lives(customers, rng, report)
    for sku, count in SPARE_STOCK:
        for _ in range(count):
            serial = next_serial(sku)
            if db.session.scalar(select(Device.id).where(Device.serial == serial)) is None:
                register_device(serial, sku, ACTOR, on=today - timedelta(days=rng.randrange(1, 30)))
                report.count("devices")

    for email, role in STAFF:
        ensure_user(email, role, None, report)
    for email, name in CUSTOMER_USERS:
        ensure_user(email, CUSTOMER, customers[name].id, report)
    db.session.flush()
    open_pickup_slots(report)
    refresh = plan_refreshes(today, 60, UpgradePolicy(), 14, ACTOR)
    takeback_orders(customers, report)
    report.count("refresh orders", len(refresh.refresh_orders))
    report.count("end-of-term return orders", len(refresh.end_of_term_orders))
    build_outbound(customers, next_serial, report)  # last: it draws nothing from `rng`
    build_contract_changes(customers, report)
    return report


def months_to_bill() -> list[DemoMonth]:
    """Invoices of the last three months: the older two finalized, the last one a draft for review.
    A month that has invoices already is left out, so loading again bills nothing twice."""
    latest = Period.containing(clock.today()).previous()
    return [
        DemoMonth(period, finalize=period != latest)
        for period in (latest.previous().previous(), latest.previous(), latest)
        if db.session.scalar(select(Invoice.id).where(Invoice.period == period.name).limit(1)) is None
    ]


def close_impact_months(report: DemoReport) -> None:
    """Close the impact ledger through last month, as the monthly job would have (closed months stay)."""
    today = clock.today()
    closed = close_periods_through(Period.containing(today).previous(), today)
    report.count("impact months closed", sum(1 for month in closed if not month.already_closed))
