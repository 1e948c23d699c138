"""Orders whose devices are reserved and waiting to be packed, built without the ordering services: an
order with its lines, a reserved allocation per device and the device moved to `allocated` through
transition_device, as allocation leaves them. Shipment tests start from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from daas.catalog.models import DeviceModel
from daas.core import clock
from daas.devices.services import lock_device, transition_device
from daas.extensions import db
from daas.orders.lifecycle import AllocationState, OrderStatus
from daas.orders.models import Order, OrderAllocation, OrderLine
from daas.people.models import Person
from tests import factories

REGION = "NL-NH"
PACKAGING = [{"material": "cardboard", "kg": "0.850"}, {"material": "moulded_pulp", "kg": "0.120"}]


@dataclass
class Fleet:
    customer: Any
    contract: Any
    model: Any
    person: Any


def fleet(start: date = date(2026, 1, 1), **plan_values: Any) -> Fleet:
    """A customer on a 36-month laptop plan from `start`, with one person to deliver to."""
    model = factories.device_model()
    customer = factories.customer(pickup_region=REGION, pickup_address="Damrak 1, 1012 LG Amsterdam")
    plan = factories.plan(**plan_values)
    contract = factories.contract(customer.id, plan.code, start)
    return Fleet(customer, contract, model, person(customer.id))


def person(customer_id: int, name: str = "Anna de Vries") -> Person:
    email = f"{factories.unique('anna')}@example.com"
    row = Person(
        customer_id=customer_id,
        name=name,
        email=email,
        email_key=email.lower(),
        address_line1="Herengracht 182",
        postcode="1016 BR",
        city="Amsterdam",
        country="NL",
        region=REGION,
    )
    db.session.add(row)
    db.session.flush()
    return row


def reserved_order(
    world: Fleet,
    count: int = 1,
    *,
    requested_date: date | None = None,
    region: str = REGION,
    refresh_order_id: int | None = None,
    sku: str | None = None,
) -> tuple[Order, list[str]]:
    """An allocated order of `count` units for the fleet's person, each holding a new in-stock device
    (reserved, `allocated` ten days ago, so tests may ship and deliver on the days before today);
    returns the order and the serials."""
    today = clock.today()
    allocated_on = today - timedelta(days=10)
    order = Order(
        customer_id=world.customer.id,
        contract_id=world.contract.id,
        status=OrderStatus.ALLOCATED,
        address_line1="Herengracht 182",
        address_line2="3rd floor",
        postcode="1016 BR",
        city="Amsterdam",
        country="NL",
        region=region,
        requested_date=requested_date or today,
        refresh_order_id=refresh_order_id,
        placed_by="tests",
        approved_by="tests",
    )
    db.session.add(order)
    db.session.flush()
    model_id = world.model.id
    if sku is not None:
        model_id = db.session.query(DeviceModel.id).filter_by(sku=sku).scalar()
    line = OrderLine(
        order_id=order.id, position=0, device_model_id=model_id, quantity=count, person_id=world.person.id
    )
    db.session.add(line)
    db.session.flush()
    serials = []
    for _ in range(count):
        device = lock_device(factories.device(sku or world.model.sku).serial)
        transition_device(device, "allocate", allocated_on, "tests", reference=f"order {order.id}")
        db.session.add(
            OrderAllocation(
                order_id=order.id, order_line_id=line.id, device_id=device.id, state=AllocationState.RESERVED
            )
        )
        serials.append(device.serial)
    db.session.flush()
    return order, serials
