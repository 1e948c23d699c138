"""The demo's way out: people on their customers' domains (some with allowances, some with a device), an
approver who signs in, delivery slots on the next 14 working days of every region people live in, and one
customer's orders in each state its users see; loading again adds nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from daas.auth.models import User
from daas.auth.roles import CUSTOMER
from daas.contracts.models import Contract, Deployment
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.demo.data import APPROVERS, ORDERING_CUSTOMER, PEOPLE
from daas.devices.models import Device
from daas.extensions import db
from daas.impact.statements import contract_statement
from daas.orders.allowances import allowance_checks
from daas.orders.models import DeliverySlot, Order, OrderAllocation, Shipment
from daas.people.models import Person
from daas.settings import current_settings
from daas.usecases.demo import load_demo
from daas.usecases.orders import approve_order


def _counts() -> dict[str, int]:
    return {
        name: db.session.scalar(select(func.count(model.id)))
        for name, model in (
            ("people", Person),
            ("orders", Order),
            ("shipments", Shipment),
            ("slots", DeliverySlot),
            ("allocations", OrderAllocation),
            ("devices", Device),
            ("deployments", Deployment),
        )
    }


def _serials(order: Order) -> list[str]:
    return list(
        db.session.scalars(
            select(Device.serial)
            .join(OrderAllocation, OrderAllocation.device_id == Device.id)
            .where(OrderAllocation.order_id == order.id)
        )
    )


def _working_days_after(day: date, count: int) -> list[date]:
    days = []
    while len(days) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def test_the_demo_has_people_slots_and_orders_in_every_state_and_loads_once(database, today):
    report = load_demo(current_settings().billing_run)
    db.session.rollback()  # the use case committed all of it
    customers = {c.name: c for c in db.session.scalars(select(Customer))}

    # -- people, on their customers' domains and in their countries ---------------------------------------
    for name in PEOPLE:
        customer = customers[name]
        people = db.session.scalars(select(Person).where(Person.customer_id == customer.id)).all()
        domain = customer.billing_email.split("@")[1]
        assert 6 <= len(people) <= 8, name
        assert all(p.email.endswith(f"@{domain}") and p.country == customer.country for p in people), name
        assert {p.region for p in people} == {customer.pickup_region}
        assert any(p.monthly_allowance is not None for p in people), name
        assert any(p.monthly_allowance is None for p in people), name
        with_devices = db.session.scalar(
            select(func.count(Deployment.id)).where(
                Deployment.person_id.in_([p.id for p in people]), Deployment.end_date.is_(None)
            )
        )
        assert with_devices >= 4, name
    rotterdam = customers["Rotterdam Rederij N.V."]  # its contract has ended: no people
    assert db.session.scalar(select(Person.id).where(Person.customer_id == rotterdam.id)) is None
    assert report.created["people"] == sum(len(people) for people in PEOPLE.values())

    # -- the approver signs in like every demo user -----------------------------------------------------
    amsterdam = customers[ORDERING_CUSTOMER]
    approver = db.session.scalar(select(User).where(User.email == APPROVERS[0]))
    assert (approver.role, approver.customer_id, approver.can_approve) == (CUSTOMER, amsterdam.id, True)
    assert APPROVERS[0] in {email for email, _, _ in report.logins}

    # -- delivery slots on the next 14 working days of each region --------------------------------------
    upcoming = _working_days_after(today, 14)
    for region in {customers[name].pickup_region for name in PEOPLE}:
        days = db.session.scalars(
            select(DeliverySlot.date).where(DeliverySlot.region == region, DeliverySlot.date > today)
        ).all()
        assert sorted(days) == upcoming, region

    # -- one order in each state --------------------------------------------------------------------------
    orders = {o.status: o for o in db.session.scalars(select(Order).where(Order.customer_id == amsterdam.id))}
    assert set(orders) == {"delivered", "shipped", "allocated", "backordered", "requested"}
    assert db.session.scalar(select(func.count(Order.id))) == 5

    delivered = orders["delivered"]
    last_month = Period.containing(today).previous()
    shipment = db.session.scalar(select(Shipment).where(Shipment.order_id == delivered.id))
    assert shipment.status == "delivered" and last_month.start <= shipment.delivered_on < last_month.end
    assert shipment.slot.date == shipment.delivered_on and shipment.tracking
    assert {p.material for p in shipment.packaging} == {"cardboard", "moulded_pulp", "recycled_plastic"}
    lotte = db.session.scalar(select(Person).where(Person.email.like("lotte.visser@%")))
    deployments = db.session.scalars(
        select(Deployment).where(Deployment.id.in_(select(OrderAllocation.deployment_id)))
    ).all()
    assert len(deployments) == 2
    assert {(d.start_date, d.person_id) for d in deployments} == {(shipment.delivered_on, lotte.id)}
    statement = contract_statement(delivered.contract_id, None, None, today)
    assert {material: kg for material, kg in statement["packaging"].items() if kg} == {
        "cardboard": Decimal("1.850"),
        "moulded_pulp": Decimal("0.320"),
        "recycled_plastic": Decimal("0.040"),
    }
    assert statement["packaging_kg"] == Decimal("2.210")
    assert statement["packaging_plastic_share"] == (Decimal("0.040") / Decimal("2.210")).quantize(
        statement["packaging_plastic_share"]
    )

    shipped = db.session.scalar(select(Shipment).where(Shipment.order_id == orders["shipped"].id))
    assert (shipped.status, shipped.carrier, shipped.tracking) == ("shipped", "DHL Express", "JD014600007412")
    assert shipped.shipped_on == today and shipped.slot.date == upcoming[0]
    on_the_way = select(Device.status).where(Device.serial.in_(_serials(orders["shipped"])))
    assert set(db.session.scalars(on_the_way)) == {"in_transit_out"}

    allocated = orders["allocated"]
    assert db.session.scalar(select(Shipment.id).where(Shipment.order_id == allocated.id)) is None
    serials = _serials(allocated)
    assert len(serials) == 1
    assert db.session.scalar(select(Device.status).where(Device.serial == serials[0])) == "allocated"

    assert _serials(orders["backordered"]) == []

    requested = orders["requested"]
    assert _serials(requested) == [] and requested.approved_at is None
    (check,) = allowance_checks(requested)  # Sanne: her laptop and two monitors, 39.00 each, against 50.00
    assert (check.monthly_price, check.allowance, check.exceeded) == (
        Decimal("117.00"),
        Decimal("50.00"),
        True,
    )

    # -- loading again adds nothing -----------------------------------------------------------------------
    before = _counts()
    again = load_demo(current_settings().billing_run)
    assert {kind: n for kind, n in again.created.items() if n} == {}
    assert _counts() == before
    assert {o.status for o in db.session.scalars(select(Order))} == set(orders)

    # -- the approver approves the order over the allowance -----------------------------------------------
    approved = approve_order(requested.id, approver.email, CUSTOMER, True, amsterdam.id)
    assert approved.status == "approved"
    assert db.session.get(Contract, approved.contract_id).customer_id == amsterdam.id
