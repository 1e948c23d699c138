"""A realistic demo data set, loaded through the same services as the API, and safe to load twice.

Every object has a natural key (customer name, plan code, serial, e-mail, transaction id); anything that
exists already is left as it is, so loading again adds nothing. Dates are spread over the 18 months
before the day of the first load, from a fixed random seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from daas.auth import services as auth
from daas.auth.models import User
from daas.auth.roles import ADMIN, CUSTOMER, FINANCE, LOGISTICS
from daas.billing.invoiced_months import invoiced_months
from daas.billing.models import BillingRun, Invoice
from daas.catalog.services import load_default_catalog
from daas.contracts import services as contracts
from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.core.dates import add_months
from daas.core.errors import DomainError
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.customers.services import create_customer
from daas.devices.models import Device
from daas.devices.services import register_device
from daas.extensions import db
from daas.impact.ledger import close_periods_through
from daas.logistics import takeback
from daas.logistics.models import PickupSlot, ReturnOrder
from daas.logistics.refresh import plan_refreshes
from daas.logistics.returns import create_return_order, pick_up_return_order
from daas.logistics.rules import UpgradePolicy
from daas.logistics.slots import create_slot
from daas.pricing import services as pricing
from daas.pricing.kinds import (
    COUNT,
    DEVICE_MONTHLY,
    GRADUATED,
    METERED,
    PACKAGE,
    PER_UNIT,
    SUM,
    UNIQUE_COUNT,
    VOLUME,
)
from daas.pricing.models import Metric, Plan
from daas.usage.services import store_usage_events

DEMO_PASSWORD = "daas-demo-2026"
ACTOR = "demo@daas.example"
DEMO_WIPE = {
    "method": "purge",
    "standard": "NIST SP 800-88 Rev. 1",
    "tool": "Blancco",
    "verified_by": "QA bench 2",
}

CUSTOMERS = [
    {
        "name": "Amsterdam Analytics B.V.",
        "country": "NL",
        "vat_id": "NL004495445B01",
        "currency": "EUR",
        "billing_email": "ap@amsterdam-analytics.example",
        "pickup_region": "NL-NH",
        "pickup_address": "Herengracht 420, 1017 BZ Amsterdam",
        "payment_terms_days": 30,
    },
    {
        "name": "Berliner Baukontor GmbH",
        "country": "DE",
        "vat_id": "DE136695976",
        "currency": "EUR",
        "billing_email": "rechnungen@baukontor.example",
        "pickup_region": "DE-BE",
        "pickup_address": "Friedrichstrasse 100, 10117 Berlin",
        "payment_terms_days": 14,
    },
    {
        "name": "Hudson Legal LLP",
        "country": "US",
        "vat_id": None,
        "currency": "USD",
        "billing_email": "payables@hudsonlegal.example",
        "pickup_region": "US-NY",
        "pickup_address": "200 Park Avenue, New York, NY 10166",
        "payment_terms_days": 45,
    },
    {
        "name": "Rotterdam Rederij N.V.",
        "country": "NL",
        "vat_id": "NL812345678B01",
        "currency": "EUR",
        "billing_email": "crediteuren@rederij.example",
        "pickup_region": "NL-ZH",
        "pickup_address": "Wilhelminakade 100, 3072 AP Rotterdam",
        "payment_terms_days": 30,
    },
    {
        "name": "Utrecht Zorggroep",
        "country": "NL",
        "vat_id": "NL853746333B01",
        "currency": "EUR",
        "billing_email": "finance@zorggroep.example",
        "pickup_region": "NL-UT",
        "pickup_address": "Catharijnesingel 50, 3511 GC Utrecht",
        "payment_terms_days": 30,
    },
]

METRICS = [
    {"code": "support_tickets", "name": "Support tickets", "aggregation": COUNT, "field": None},
    {"code": "express_swaps", "name": "Express swaps", "aggregation": SUM, "field": None},
    {"code": "active_users", "name": "Active users", "aggregation": UNIQUE_COUNT, "field": "user"},
]

PLANS = [
    {
        "code": "laptop-std-36",
        "name": "Laptop Standard, 36 months",
        "currency": "EUR",
        "term_months": 36,
        "refresh_cycle_months": 36,
        "minimum_monthly_amount": Decimal("500.00"),
        "charges": [
            {"kind": DEVICE_MONTHLY, "unit_amount": Decimal("39.00")},
            {
                "kind": METERED,
                "metric": "support_tickets",
                "model": GRADUATED,
                "tiers": [
                    {"up_to": Decimal(10), "unit_amount": Decimal(0)},
                    {"up_to": None, "unit_amount": Decimal("15.00")},
                ],
            },
            {
                "kind": METERED,
                "metric": "express_swaps",
                "model": PER_UNIT,
                "unit_amount": Decimal("49.00"),
            },
        ],
    },
    {
        "code": "workplace-flex-24",
        "name": "Workplace Flex, 24 months",
        "currency": "EUR",
        "term_months": 24,
        "refresh_cycle_months": 24,
        "minimum_monthly_amount": None,
        "charges": [
            {"kind": DEVICE_MONTHLY, "device_model_sku": "DELL-LAT-7430", "unit_amount": Decimal("44.00")},
            {"kind": DEVICE_MONTHLY, "device_model_sku": "DELL-P2423D", "unit_amount": Decimal("9.50")},
            {
                "kind": DEVICE_MONTHLY,
                "device_model_sku": "DELL-OPX-7000-MFF",
                "unit_amount": Decimal("27.00"),
            },
            {"kind": DEVICE_MONTHLY, "device_model_sku": "GOOGLE-PIXEL-5", "unit_amount": Decimal("17.50")},
            {
                "kind": METERED,
                "metric": "active_users",
                "model": VOLUME,
                "tiers": [
                    {"up_to": Decimal(25), "unit_amount": Decimal("4.00")},
                    {"up_to": Decimal(100), "unit_amount": Decimal("3.20")},
                    {"up_to": None, "unit_amount": Decimal("2.50"), "flat_amount": Decimal("50.00")},
                ],
            },
            {
                "kind": METERED,
                "metric": "express_swaps",
                "model": PACKAGE,
                "unit_amount": Decimal("120.00"),
                "package_size": 3,
            },
        ],
    },
    {
        "code": "us-laptop-36",
        "name": "Laptop Standard US, 36 months",
        "currency": "USD",
        "term_months": 36,
        "refresh_cycle_months": 36,
        "minimum_monthly_amount": Decimal("300.00"),
        "charges": [
            {"kind": DEVICE_MONTHLY, "unit_amount": Decimal("42.00")},
            {
                "kind": METERED,
                "metric": "support_tickets",
                "model": PER_UNIT,
                "unit_amount": Decimal("20.00"),
            },
        ],
    },
]

# (customer, plan, months ago it started, fleet: [(sku, count)])
CONTRACTS = [
    (
        "Amsterdam Analytics B.V.",
        "laptop-std-36",
        18,
        [("DELL-LAT-5430", 14), ("DELL-LAT-7430", 6), ("DELL-P2423D", 4)],
    ),
    (
        "Berliner Baukontor GmbH",
        "workplace-flex-24",
        23,
        [("DELL-LAT-7430", 8), ("DELL-P2423D", 8), ("DELL-OPX-7000-MFF", 4), ("GOOGLE-PIXEL-5", 6)],
    ),
    ("Hudson Legal LLP", "us-laptop-36", 12, [("HP-EB-655-G9", 8), ("DELL-P2723D", 4)]),
    ("Utrecht Zorggroep", "workplace-flex-24", 6, [("DELL-LAT-7430", 4), ("GOOGLE-PIXEL-5", 2)]),
    # Ended eight months ago: its laptops came back at the end of the term and serve others now.
    ("Rotterdam Rederij N.V.", "laptop-std-36", 44, [("DELL-LAT-5430", 8), ("DELL-LAT-7430", 4)]),
]
# Agreements longer than their plan's term: Berlin signed for four years with a two-year refresh cycle, so
# its first devices fall due for a refresh about now (upgrade or replace, for the customer to decide).
TERMS = {"Berliner Baukontor GmbH": 48}
SPARE_STOCK = [("DELL-LAT-5430", 3), ("DELL-U2723QE", 2), ("MS-SURFACE-PRO-8", 2)]

STAFF = [
    ("admin@daas.example", ADMIN),
    ("finance@daas.example", FINANCE),
    ("logistics@daas.example", LOGISTICS),
]
CUSTOMER_USERS = [
    ("it@amsterdam-analytics.example", "Amsterdam Analytics B.V."),
    ("it@baukontor.example", "Berliner Baukontor GmbH"),
    ("it@hudsonlegal.example", "Hudson Legal LLP"),
]


def demo_token(email: str) -> str:
    """The well-known token of a demo user (demo data only: anyone reading this code knows it)."""
    local, domain = email.split("@", maxsplit=1)
    return f"daas_demo_{local.replace('.', '_')}_{domain.split('.', maxsplit=1)[0]}"


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (email, role, token)

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    def billed(self, run: BillingRun, month: DemoMonth) -> None:
        self.count("finalized invoices" if month.finalize else "draft invoices", run.invoices_created)


@dataclass(frozen=True)
class DemoMonth:
    """A month the demo bills: the older ones finalized, the last one left as drafts for review."""

    period: Period
    finalize: bool


def _customer(values: dict) -> tuple[Customer, bool]:
    existing = db.session.scalar(select(Customer).where(Customer.name == values["name"]))
    return (existing, False) if existing else (create_customer(values), True)


def _user(email: str, role: str, customer_id: int | None, report: DemoReport) -> None:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = auth.create_user(email, role, customer_id, DEMO_PASSWORD)
        report.count("users")
    auth.create_token(user.id, "demo", token=demo_token(email))
    report.logins.append((email, role, demo_token(email)))


def _deploy_fleet(
    contract: Contract,
    fleet: list[tuple[str, int]],
    next_serial: Callable[[str], str],
    rng: random.Random,
    report: DemoReport,
) -> None:
    today = clock.today()
    span = (min(today, contract.end_date) - contract.start_date).days
    for sku, count in fleet:
        for _ in range(count):
            serial = next_serial(sku)
            if db.session.scalar(select(Device.id).where(Device.serial == serial)) is not None:
                continue
            start = contract.start_date + timedelta(days=rng.randrange(0, max(span * 2 // 3, 1)))
            register_device(
                serial,
                sku,
                ACTOR,
                manufactured_on=start - timedelta(days=rng.randrange(60, 400)),
                battery_health=rng.randrange(72, 100),
                on=start - timedelta(days=rng.randrange(3, 20)),
            )
            contracts.deploy_device(contract.id, serial, start, ACTOR)
            report.count("devices")
            if rng.random() < 0.2:  # handed back before today
                end = start + timedelta(days=rng.randrange(1, max((today - start).days, 2)))
                contracts.end_deployment(contract.id, serial, min(end, today), ACTOR)
                report.count("returned devices")


def _ended_fleet(
    contract: Contract, fleet: list[tuple[str, int]], next_serial: Callable[[str], str], report: DemoReport
) -> None:
    """A contract that has ended: its devices served the whole term and came back on its last day."""
    for sku, count in fleet:
        for n in range(count):
            serial = next_serial(sku)
            if db.session.scalar(select(Device.id).where(Device.serial == serial)) is not None:
                continue
            start = contract.start_date + timedelta(days=n)
            register_device(serial, sku, ACTOR, battery_health=90 - n, on=start - timedelta(days=7))
            contracts.deploy_device(contract.id, serial, start, ACTOR)
            contracts.end_deployment(contract.id, serial, contract.end_date, ACTOR)
            report.count("devices")
            report.count("returned devices")


def _usage(contract: Contract, metrics: dict[str, Metric], rng: random.Random, report: DemoReport) -> None:
    """Monthly usage for each metric the contract's plan bills, from its start to today."""
    billed = [charge.metric.code for charge in contract.plan.charges if charge.metric is not None]
    day, today, events = contract.start_date, clock.today(), []
    n = 0
    while day < today:
        for code in billed:
            for _ in range(
                {
                    "support_tickets": rng.randrange(4, 18),
                    "express_swaps": rng.randrange(0, 3),
                    "active_users": rng.randrange(15, 40),
                }[code]
            ):
                moment = datetime.combine(day, time(), tzinfo=UTC) + timedelta(
                    days=rng.randrange(0, 28), seconds=rng.randrange(0, 86400)
                )
                if moment.date() >= today:
                    continue
                n += 1
                events.append(
                    {
                        "customer_id": contract.customer_id,
                        "transaction_id": f"demo-{contract.id}-{n:06d}",
                        "contract_id": contract.id,
                        "metric_id": metrics[code].id,
                        "timestamp": moment,
                        "quantity": Decimal(1),
                        "properties": {"user": f"user{rng.randrange(1, 120)}"}
                        if code == "active_users"
                        else None,
                    }
                )
        day = add_months(day, 1)
    report.count("usage events", store_usage_events(events, invoiced_months))


def build_demo_world() -> DemoReport:
    """Everything of the demo but its invoices and closed impact months: catalog, plans, customers,
    contracts with their fleets and usage, second lives, users with their tokens, pickup slots, refresh and
    take-back orders. Flushes, never commits; the demo use case then bills `months_to_bill` (billing runs
    commit as they go) and closes the impact months (`close_impact_months`)."""
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
        customers[values["name"]], created = _customer(values)
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
            contract = contracts.create_contract(customer.id, plan_code, start, end)
            report.count("contracts")
            if contract.end_date <= today:
                _ended_fleet(contract, fleet, next_serial, report)
            else:
                _deploy_fleet(contract, fleet, next_serial, rng, report)
                _usage(contract, metrics, rng, report)
        else:
            for sku, count in fleet:  # keep serial numbering stable on a second load
                serial_counters[sku] = serial_counters.get(sku, 0) + count
    _second_lives(customers, rng, report)
    for sku, count in SPARE_STOCK:
        for _ in range(count):
            serial = next_serial(sku)
            if db.session.scalar(select(Device.id).where(Device.serial == serial)) is None:
                register_device(serial, sku, ACTOR, on=today - timedelta(days=rng.randrange(1, 30)))
                report.count("devices")

    for email, role in STAFF:
        _user(email, role, None, report)
    for email, name in CUSTOMER_USERS:
        _user(email, CUSTOMER, customers[name].id, report)
    db.session.flush()
    _open_pickup_slots(report)
    refresh = plan_refreshes(today, 60, UpgradePolicy(), 14, ACTOR)
    _takeback_orders(customers, report)
    report.count("refresh orders", len(refresh.refresh_orders))
    report.count("end-of-term return orders", len(refresh.end_of_term_orders))
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


def _second_lives(customers: dict[str, Customer], rng: random.Random, report: DemoReport) -> None:
    """The circular part of the story: devices handed back are wiped and graded; most are refurbished and
    serve another customer (a second life, which is what earns avoided CO2e), a worn one is recycled.
    Devices already past this point are left alone, so loading again changes nothing."""
    today = clock.today()
    returned = db.session.execute(
        select(Device.serial, Deployment.end_date, Deployment.contract_id)
        .join(Deployment, Deployment.device_id == Device.id)
        .where(Device.status == "received", Device.serial.like("DEMO-%"))
        .order_by(Device.serial)
    ).all()
    others = {
        name: db.session.scalar(select(Contract).where(Contract.customer_id == c.id))
        for name, c in customers.items()
    }
    for serial, ended, contract_id in returned:
        back = ended + timedelta(days=1)
        if back + timedelta(days=12) > today:
            continue  # came back too recently to have been through the workshop
        takeback.wipe_device(serial, {**DEMO_WIPE, "on": back}, ACTOR)
        grade = rng.choice("AAABBD")
        takeback.grade_device(serial, grade, ACTOR, on=back)
        if grade == "D":
            takeback.dispose_device(serial, "recycle", ACTOR, on=back + timedelta(days=2))
            report.count("recycled devices")
            continue
        first_life = db.session.scalar(
            select(Deployment.start_date).where(
                Deployment.contract_id == contract_id,
                Deployment.device_id == select(Device.id).where(Device.serial == serial).scalar_subquery(),
            )
        )
        if (ended - first_life).days >= 730:  # a worn device is refurbished; a nearly new one goes as it is
            takeback.dispose_device(serial, "refurbish", ACTOR, on=back)
            takeback.restock_device(serial, ACTOR, on=back + timedelta(days=7))
        else:
            takeback.dispose_device(serial, "redeploy", ACTOR, on=back)
        start = back + timedelta(days=10)
        for contract in others.values():
            if (
                contract is None
                or contract.id == contract_id
                or not contract.start_date <= start < contract.end_date
            ):
                continue
            try:
                with db.session.begin_nested():
                    contracts.deploy_device(contract.id, serial, start, ACTOR)
            except DomainError:
                continue  # this plan does not bill the model
            report.count("second lives")
            break


def _takeback_orders(customers: dict[str, Customer], report: DemoReport) -> None:
    """Work waiting for logistics: Amsterdam Analytics handed two laptops to the carrier today (in transit,
    to be received, wiped, graded and given a second life) and Hudson Legal asked for a defective one to be
    collected (scheduled on the next free pickup day). Loading again adds nothing."""
    today = clock.today()
    for name, count, reason, in_transit in (
        ("Amsterdam Analytics B.V.", 2, "early_return", True),
        ("Hudson Legal LLP", 1, "defect", False),
    ):
        customer = customers[name]
        contract = db.session.scalar(
            select(Contract).where(Contract.customer_id == customer.id, Contract.end_date > today)
        )
        if contract is None or db.session.scalar(
            select(ReturnOrder.id).where(ReturnOrder.contract_id == contract.id, ReturnOrder.reason == reason)
        ):
            continue
        serials = contracts.deployed_serials(contract.id, count)
        region, address = customer.pickup_region, customer.pickup_address
        if in_transit and not db.session.scalar(
            select(PickupSlot.id).where(PickupSlot.region == region, PickupSlot.date == today)
        ):
            create_slot(region, today, 4)
        order = create_return_order(
            contract.id,
            serials,
            reason,
            today if in_transit else today + timedelta(days=1),
            region,
            address,
            ACTOR,
            14,
        )
        if in_transit:
            pick_up_return_order(order.id, today, ACTOR, carrier="DHL Express", tracking="JD014600006281")
        report.count("return orders")


def _open_pickup_slots(report: DemoReport) -> None:
    """Pickup capacity on working days of the next three weeks in each customer's region."""
    today = clock.today()
    for region in sorted({values["pickup_region"] for values in CUSTOMERS}):
        for offset in range(1, 22):
            day = today + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            exists = db.session.scalar(
                select(PickupSlot.id).where(PickupSlot.region == region, PickupSlot.date == day)
            )
            if exists is None:
                create_slot(region, day, 8 if day.weekday() in (1, 3) else 4)
                report.count("pickup slots")
