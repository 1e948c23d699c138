"""The demo's way out: people of the customers with a running contract, an approver, delivery capacity, and
one customer's orders in each state its users see (orders.md).

People are looked up by e-mail, so loading again creates no one twice; the first few of each customer are
handed one of its deployed devices when they are created. Delivery slots are opened on the next working
days of every region people live in, where none is open yet. The orders are placed only for a customer
without any: delivered last month (with its packaging, so the contract's impact statement shows it), on its
way today with a tracking number, allocated and waiting to be packed, backordered for a model no one has
in stock, and one over a person's allowance waiting for the approver. Each goes through the services the
API uses; the one delivered last month is placed, shipped and delivered on its own days (the clock set to
each), so its custody events and deployment are dated as they would have been.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.auth.models import User
from daas.auth.services import update_user
from daas.contracts.models import Contract, Deployment
from daas.contracts.people_devices import reassign_device
from daas.core import clock
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.demo.data import (
    ACTOR,
    APPROVERS,
    DELIVERY_CAPACITY,
    DELIVERY_SLOT_DAYS,
    ORDERING_CUSTOMER,
    ORDERS,
    ORDERS_PLACED_BY,
    PEOPLE,
    PEOPLE_WITH_DEVICES,
)
from daas.demo.report import DemoReport
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import Device
from daas.devices.services import register_device
from daas.extensions import db
from daas.orders import delivery_slots
from daas.orders.allocation import allocate_order
from daas.orders.models import DeliverySlot, Order, OrderAllocation
from daas.orders.ordering import place_order
from daas.orders.shipments import create_shipment, deliver_shipment, ship_shipment
from daas.people.models import Person
from daas.people.services import create_person, find_person_by_email

# States whose orders hold devices: the demo takes those devices into stock for them.
_HOLDING = ("delivered", "shipped", "allocated")


def _running_contract(customer: Customer) -> Contract | None:
    return db.session.scalar(
        select(Contract).where(Contract.customer_id == customer.id, Contract.end_date > clock.today())
    )


def _domain(customer: Customer) -> str:
    return customer.billing_email.split("@", maxsplit=1)[1]


def _working_day(day: date) -> date:
    """The day itself, or the first working day after it."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _next_working_day(day: date) -> date:
    return _working_day(day + timedelta(days=1))


def ensure_people(customers: dict[str, Customer], report: DemoReport) -> None:
    """Each running customer's people; one created now and among the first few is handed one of the
    customer's deployed devices that serves no one yet (a custody event `reassign`, no billing change)."""
    for name, people in PEOPLE.items():
        customer = customers[name]
        contract = _running_contract(customer)
        if contract is None:
            continue
        for index, (full_name, local, cost_centre, (line1, line2, postcode, city), allowance) in enumerate(
            people
        ):
            email = f"{local}@{_domain(customer)}"
            if find_person_by_email(customer.id, email) is not None:
                continue
            person = create_person(
                customer.id,
                {
                    "name": full_name,
                    "email": email,
                    "cost_centre": cost_centre,
                    "address": {
                        "line1": line1,
                        "line2": line2,
                        "postcode": postcode,
                        "city": city,
                        "country": customer.country,
                    },
                    "monthly_allowance": allowance,
                },
            )
            report.count("people")
            if index >= PEOPLE_WITH_DEVICES:
                continue
            serial = db.session.scalar(
                select(Device.serial)
                .join(Deployment, Deployment.device_id == Device.id)
                .where(
                    Deployment.contract_id == contract.id,
                    Deployment.end_date.is_(None),
                    Deployment.person_id.is_(None),
                    Device.status == DeviceStatus.DEPLOYED,
                )
                .order_by(Device.serial)
                .limit(1)
            )
            if serial is not None:
                reassign_device(contract.id, serial, person.id, ACTOR)
                report.count("devices handed to people")


def ensure_approvers(report: DemoReport) -> None:
    """The demo's customer users who approve orders over an allowance."""
    for email in APPROVERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and not user.can_approve:
            update_user(user.id, {"can_approve": True})
            report.count("approvers")


def open_delivery_slots(customers: dict[str, Customer], report: DemoReport) -> None:
    """Delivery capacity on the next working days in each region the running customers' people live in."""
    regions = sorted(
        set(
            db.session.scalars(
                select(Person.region).where(Person.customer_id.in_([c.id for c in customers.values()]))
            )
        )
    )
    for region in regions:
        day, opened = clock.today(), 0
        while opened < DELIVERY_SLOT_DAYS:
            day = _next_working_day(day)
            opened += 1
            exists = db.session.scalar(
                select(DeliverySlot.id).where(DeliverySlot.region == region, DeliverySlot.date == day)
            )
            if exists is None:
                delivery_slots.create_slot(region, day, DELIVERY_CAPACITY)
                report.count("delivery slots")


def _place(contract: Contract, customer: Customer, values: dict[str, Any], requested: date) -> Order:
    person = find_person_by_email(customer.id, f"{values['person']}@{_domain(customer)}")
    return place_order(
        contract.id,
        [{"sku": sku, "quantity": quantity, "person_id": person.id} for sku, quantity in values["lines"]],
        requested,
        ORDERS_PLACED_BY,
    )


def _serials(order: Order) -> list[str]:
    return list(
        db.session.scalars(
            select(Device.serial)
            .join(OrderAllocation, OrderAllocation.device_id == Device.id)
            .where(OrderAllocation.order_id == order.id)
            .order_by(Device.serial)
        )
    )


def _packaging(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"material": material, "kg": Decimal(kg)} for material, kg in values["packaging"]]


def _delivered_last_month(contract: Contract, customer: Customer, values: dict[str, Any]) -> None:
    """Placed early last month, shipped the next working day, delivered the day after, each on its day."""
    placed = _working_day(Period.containing(clock.today()).previous().start + timedelta(days=3))
    shipped = _next_working_day(placed)
    delivered = _next_working_day(shipped)
    with clock.frozen(placed):
        order = _place(contract, customer, values, delivered)
        order.created_at = clock.now()  # placed then, not when the demo was loaded
        allocate_order(order.id, ACTOR)
        if (
            db.session.scalar(
                select(DeliverySlot.id).where(
                    DeliverySlot.region == order.region, DeliverySlot.date == delivered
                )
            )
            is None
        ):
            delivery_slots.create_slot(order.region, delivered, DELIVERY_CAPACITY)
    with clock.frozen(shipped):
        shipment = create_shipment(order.id, _serials(order), ACTOR, packaging=_packaging(values))
        ship_shipment(shipment.id, values["carrier"], values["tracking"], shipped, ACTOR)
    with clock.frozen(delivered):
        person = find_person_by_email(customer.id, f"{values['person']}@{_domain(customer)}")
        deliver_shipment(shipment.id, delivered, person.name, ACTOR)


def place_demo_orders(
    customers: dict[str, Customer], next_serial: Callable[[str], str], report: DemoReport
) -> None:
    """One order in each state for the ordering customer, unless it has orders already."""
    customer = customers[ORDERING_CUSTOMER]
    contract = _running_contract(customer)
    if contract is None or db.session.scalar(select(Order.id).where(Order.customer_id == customer.id)):
        return
    today = clock.today()
    stocked_on = Period.containing(today).previous().start - timedelta(days=21)
    for values in ORDERS:
        if values["state"] not in _HOLDING:
            continue
        for sku, quantity in values["lines"]:
            for _ in range(quantity):
                register_device(next_serial(sku), sku, ACTOR, battery_health=100, on=stocked_on)
                report.count("devices")
    requested = _next_working_day(today)
    for values in ORDERS:
        state = values["state"]
        report.count("orders")
        if state == "delivered":
            _delivered_last_month(contract, customer, values)
            report.count("shipments")
            continue
        order = _place(
            contract, customer, values, requested if state == "shipped" else requested + timedelta(7)
        )
        if state == "requested":
            continue  # over the person's allowance: it waits for the approver
        allocate_order(order.id, ACTOR)  # the backordered one finds no device of its model in stock
        if state == "shipped":
            shipment = create_shipment(order.id, _serials(order), ACTOR, packaging=_packaging(values))
            ship_shipment(shipment.id, values["carrier"], values["tracking"], today, ACTOR)
            report.count("shipments")


def build_outbound(
    customers: dict[str, Customer], next_serial: Callable[[str], str], report: DemoReport
) -> None:
    """The way out, in its order: people (with devices), the approver, delivery slots, then the orders."""
    ensure_people(customers, report)
    ensure_approvers(report)
    db.session.flush()
    open_delivery_slots(customers, report)
    place_demo_orders(customers, next_serial, report)
