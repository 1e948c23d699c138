"""Figures for the way out: placing orders, allocating them, packing, shipping and delivering, in-process.

    .venv/bin/python bench/orders.py [--database-url URL] [--orders 2000]

Builds one customer with `--orders` people (no allowance, so every order is approved at once), as many new
laptops in stock, and delivery slots on the working days of the booking window (14 days from the requested
day) with room for all. Then times each step through its use case (one transaction each, as the API does
it): placing one order of one laptop per person, one round of `allocate_backorders` over all of them,
packing a shipment per order (with packaging; each books the earliest slot with room), and shipping and
delivering each (the delivery deploys the laptop on the contract for its person). Prints each step's rate
and the process's peak memory. Runs on a fresh SQLite file unless --database-url names another database,
which is dropped and created first (its name must contain "bench"). Never part of the test pass/fail.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import fresh_database
from flask_migrate import upgrade
from sqlalchemy import func, select

from daas import create_app
from daas.catalog.services import create_device_model
from daas.contracts.models import Deployment
from daas.contracts.services import create_contract
from daas.core import clock
from daas.customers.services import create_customer
from daas.devices.models import Device
from daas.devices.services import register_device
from daas.extensions import db
from daas.orders.delivery_slots import DELIVERY_WINDOW_DAYS, create_slot
from daas.orders.models import DeliverySlot, OrderAllocation, Shipment
from daas.people.models import Person
from daas.people.services import create_person
from daas.pricing.services import create_plan
from daas.usecases.orders import allocate_backorders, place_order
from daas.usecases.shipments import create_shipment, deliver_shipment, ship_shipment

SKU = "BENCH-LAT-5440"
REGION = "NL-NH"
ACTOR = "logistics@bench.example"
ORDER_DAY = date(2026, 11, 2)  # a Monday: orders placed, allocated, packed and shipped
REQUESTED = date(2026, 11, 3)
DELIVERY_DAY = date(2026, 11, 20)  # the clock when deliveries are recorded, each on its slot's day
PACKAGING = [
    {"material": "cardboard", "kg": Decimal("1.250")},
    {"material": "moulded_pulp", "kg": Decimal("0.180")},
]


def _working_days(start: date, end: date) -> list[date]:
    """The working days from `start` through `end`."""
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def _world(count: int) -> int:
    """The customer, its contract, `count` people and laptops in stock, slots for every shipment; the
    contract's id."""
    create_device_model(
        {
            "sku": SKU,
            "name": "Latitude 5440",
            "category": "laptop",
            "manufacturer": "Dell",
            "weight_kg": Decimal("1.36"),
            "embodied_co2e_kg": Decimal("252.84"),
            "use_kwh_per_year": Decimal("23.36"),
            "expected_lifetime_months": 48,
        }
    )
    plan = create_plan(
        {
            "code": "laptop-std-36",
            "name": "Laptop standard",
            "currency": "EUR",
            "term_months": 36,
            "refresh_cycle_months": 36,
            "minimum_monthly_amount": None,
            "charges": [{"kind": "device_monthly", "unit_amount": Decimal("39.00")}],
        }
    )
    customer = create_customer(
        {
            "name": "Bench Outbound B.V.",
            "country": "NL",
            "vat_id": "NL123456782B90",
            "currency": "EUR",
            "billing_email": "ap@outbound.example",
            "pickup_region": REGION,
            "pickup_address": "Herengracht 420, 1017 BZ Amsterdam",
            "billing_address": {"line1": "Herengracht 420", "postcode": "1017 BZ", "city": "Amsterdam"},
        }
    )
    contract = create_contract(customer.id, plan.code, date(2026, 1, 1))
    with click.progressbar(range(count), label="people and laptops", file=sys.stderr) as bar:
        for n in bar:
            create_person(
                customer.id,
                {
                    "name": f"Person {n:05d}",
                    "email": f"person{n:05d}@outbound.example",
                    "cost_centre": ("Engineering", "Sales", "Finance")[n % 3],
                    "address": {
                        "line1": f"Keizersgracht {n % 800 + 1}",
                        "postcode": "1015 CJ",
                        "city": "Amsterdam",
                        "country": "NL",
                    },
                },
            )
            register_device(f"BENCH-OUT-{n:06d}", SKU, ACTOR, on=date(2026, 10, 1) + timedelta(days=n % 20))
    slot_days = _working_days(REQUESTED, REQUESTED + timedelta(days=DELIVERY_WINDOW_DAYS))
    for day in slot_days:
        create_slot(REGION, day, math.ceil(count / len(slot_days)))
    db.session.commit()
    return contract.id


def timed(label: str, items: Iterable[Any], count: int, unit: str, work: Callable[[Any], None]) -> float:
    start = time.perf_counter()
    with click.progressbar(items, length=count, label=label, file=sys.stderr) as bar:
        for item in bar:
            work(item)
    seconds = time.perf_counter() - start
    print(f"{label:<44} {count:>7} {unit:<10} {seconds:8.2f} s  {count / seconds:9.1f} {unit}/s", flush=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--orders", type=int, default=2000)
    args = parser.parse_args()
    count = args.orders

    if args.database_url:
        fresh_database(args.database_url)
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='daas-bench-')}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, env="testing")
    print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}", flush=True)
    with app.app_context():
        with clock.frozen(ORDER_DAY):
            upgrade()
            contract_id = _world(count)
            person_ids = db.session.scalars(select(Person.id).order_by(Person.id)).all()

            timed(
                "place orders (one laptop for one person)",
                person_ids,
                count,
                "orders",
                lambda person_id: place_order(
                    contract_id, [{"sku": SKU, "quantity": 1, "person_id": person_id}], REQUESTED, ACTOR
                ),
            )

            start = time.perf_counter()
            report = allocate_backorders(ACTOR)
            seconds = time.perf_counter() - start
            allocated = len(report.allocated)
            print(
                f"{'allocate_backorders (one round)':<44} {allocated:>7} {'orders':<10} "
                f"{seconds:8.2f} s  {allocated / seconds:9.1f} orders/s",
                flush=True,
            )

            held = db.session.execute(
                select(OrderAllocation.order_id, Device.serial)
                .join(Device, Device.id == OrderAllocation.device_id)
                .order_by(OrderAllocation.order_id)
            ).all()
            timed(
                "pack shipments (packaging, slot booked)",
                held,
                len(held),
                "shipments",
                lambda row: create_shipment(row[0], [row[1]], ACTOR, packaging=PACKAGING),
            )
            shipment_ids = db.session.scalars(select(Shipment.id).order_by(Shipment.id)).all()
            shipping = timed(
                "ship (carrier, tracking)",
                shipment_ids,
                len(shipment_ids),
                "shipments",
                lambda shipment_id: ship_shipment(
                    shipment_id, "PostNL", f"3SBENCH{shipment_id:08d}", ORDER_DAY, ACTOR
                ),
            )
        booked = db.session.execute(
            select(Shipment.id, DeliverySlot.date)
            .join(DeliverySlot, DeliverySlot.id == Shipment.slot_id)
            .order_by(Shipment.id)
        ).all()
        with clock.frozen(DELIVERY_DAY):
            delivering = timed(
                "deliver (deploys the laptop for its person)",
                booked,
                len(booked),
                "deliveries",
                lambda row: deliver_shipment(row[0], row[1], "front desk", ACTOR),
            )
        both = shipping + delivering
        print(
            f"{'ship and deliver':<44} {len(booked):>7} {'deliveries':<10} {both:8.2f} s  "
            f"{len(booked) / both:9.1f} deliveries/s"
        )
        delivered = db.session.scalar(
            select(func.count(Deployment.id)).where(Deployment.person_id.is_not(None))
        )
        unbooked = len(shipment_ids) - len(booked)
        print(
            f"deployed for their people: {delivered} of {count} orders; shipments without a slot: {unbooked}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
