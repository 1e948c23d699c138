"""The devices on the demo's contracts and the usage they report.

A running contract gets its fleet deployed on random days (a few handed back early) and monthly usage for
each metric its plan bills; an ended contract's fleet served the whole term and came back on its last day.
Serials already registered are skipped, so loading again adds nothing.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from daas.billing.invoiced_months import invoiced_months
from daas.contracts import services as contracts
from daas.contracts.models import Contract
from daas.core import clock
from daas.core.dates import add_months
from daas.demo.data import ACTOR
from daas.demo.report import DemoReport
from daas.devices.models import Device
from daas.devices.services import register_device
from daas.extensions import db
from daas.pricing.models import Metric
from daas.usage.services import store_usage_events


def deploy_fleet(
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


def ended_fleet(
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


def record_usage(
    contract: Contract, metrics: dict[str, Metric], rng: random.Random, report: DemoReport
) -> None:
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
