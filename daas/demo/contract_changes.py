"""The demo's contract changes: a contract that renews itself, a set-up fee waiting to be billed (it shows
on last month's draft invoice), and a damage charge proposed for a device that came back, which finance
has to decide on.
Idempotent: the charges carry their keys, so loading again finds them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from daas.charges.services import NewCharge, add_charge, propose_charge
from daas.contracts import services as contracts
from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.demo.report import DemoReport
from daas.devices.models import Device
from daas.extensions import db

ACTOR = "demo"
RENEWING = "Amsterdam Analytics B.V."
SET_UP = "Amsterdam Analytics B.V."
DAMAGED = "Berliner Baukontor GmbH"


def _contract_of(customers: dict[str, Customer], name: str) -> Contract | None:
    return db.session.scalar(
        select(Contract).where(Contract.customer_id == customers[name].id).order_by(Contract.id).limit(1)
    )


def build_contract_changes(customers: dict[str, Customer], report: DemoReport) -> None:
    renewing = _contract_of(customers, RENEWING)
    if renewing is not None and not renewing.renews:
        contracts.update_contract(renewing.id, {"renews": True})
        report.count("contracts renewing")
    last_month = Period.containing(clock.today()).previous()
    set_up = _contract_of(customers, SET_UP)
    if set_up is not None:
        _, created = add_charge(
            set_up.id,
            NewCharge(
                kind="setup",
                amount=Decimal("450.00"),
                description="Imaging and enrolment of the new starters' laptops",
                idempotency_key="demo-set-up",
                on=last_month.start + timedelta(days=4),
            ),
            ACTOR,
        )
        report.count("one-off charges", int(created))
    damaged = _contract_of(customers, DAMAGED)
    serial = (
        db.session.scalar(
            select(Device.serial)
            .join(Deployment, Deployment.device_id == Device.id)
            .where(Deployment.contract_id == damaged.id, Deployment.end_date.is_not(None))
            .order_by(Device.serial)
            .limit(1)
        )
        if damaged is not None
        else None
    )
    if damaged is not None and serial is not None:
        _, created = propose_charge(
            damaged.id,
            NewCharge(
                kind="damage",
                amount=Decimal("90.00"),
                description=f"Damage: {serial}, cracked hinge and keyboard stains (grade C)",
                idempotency_key="demo-damage",
                device_serial=serial,
            ),
            ACTOR,
        )
        report.count("one-off charges", int(created))
