"""The demo's logistics and take-back story: second lives for returned devices, return orders waiting
for logistics, and pickup capacity.

These steps run after the fleets are in place, because they work on the devices those fleets handed back.
Anything already past a step is left alone, so loading again changes nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from daas.contracts import services as contracts
from daas.contracts.end_of_term_rules import EndOfTermPolicy
from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.core.errors import DomainError
from daas.customers.models import Customer
from daas.demo.data import ACTOR, CUSTOMERS, DEMO_WIPE
from daas.demo.report import DemoReport
from daas.devices.models import Device
from daas.extensions import db
from daas.logistics import takeback
from daas.logistics.models import PickupSlot, ReturnOrder
from daas.logistics.returns import create_return_order, pick_up_return_order
from daas.logistics.slots import create_slot

# The demo's workshop grades what came back but charges no damage for it: the demo's customers owe only
# what their invoices bill (a policy without damage fees proposes nothing).
WORKSHOP_WITHOUT_FEES = EndOfTermPolicy()


def second_lives(customers: dict[str, Customer], rng: random.Random, report: DemoReport) -> None:
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
        takeback.grade_device(serial, grade, ACTOR, on=back, policy=WORKSHOP_WITHOUT_FEES)
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


def takeback_orders(customers: dict[str, Customer], report: DemoReport) -> None:
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


def open_pickup_slots(report: DemoReport) -> None:
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
