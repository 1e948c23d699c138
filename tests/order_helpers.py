"""A world to order in: a customer with a pickup region, a contract on a plan billing laptops, people, and
devices in stock (new, or refurbished with their lives and grade), through the services. Each helper
commits what it made (inside a test's rolled-back transaction), so a refused use case's rollback keeps it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from daas.devices.models import Device
from daas.extensions import db
from daas.people.services import create_person
from tests import factories

REGION = "NL-AMS"


def order_world(amount: str = "39.00", **customer: Any) -> dict[str, Any]:
    """customer, model, plan (one device charge for `model`), contract from 2026-01-01."""
    buyer = factories.customer(
        pickup_region=REGION,
        pickup_address="Dock 4, 1000 AA Amsterdam",
        address_line1="Herengracht 1",
        postcode="1015 BA",
        city="Amsterdam",
        **customer,
    )
    model = factories.device_model()
    plan = factories.plan(
        charges=[{"kind": "device_monthly", "unit_amount": Decimal(amount), "device_model_sku": model.sku}]
    )
    contract = factories.contract(buyer.id, plan.code, date(2026, 1, 1))
    db.session.commit()
    return {"customer": buyer, "model": model, "plan": plan, "contract": contract}


def person(customer_id: int, allowance: str | None = None, **values: Any) -> Any:
    defaults = {
        "name": "Ada Lovelace",
        "email": f"{factories.unique('ada')}@example.com",
        "address": {"line1": "Keizersgracht 10", "postcode": "1015 CX", "city": "Amsterdam", "country": "NL"},
        "region": "NL-AMS-WEST",
        "monthly_allowance": Decimal(allowance) if allowance is not None else None,
    }
    made = create_person(customer_id, {**defaults, **values})
    db.session.commit()
    return made


def stock(sku: str, on: date, lives: int = 0, grade: str | None = None) -> Device:
    """A device taken into stock on `on`; a refurbished one carries its lives and last grade."""
    device = factories.device(sku, on=on)
    device.lives, device.grade = lives, grade
    db.session.commit()
    return device


def line(sku: str, quantity: int = 1, person_id: int | None = None) -> dict[str, Any]:
    return {"sku": sku, "quantity": quantity, "person_id": person_id}
