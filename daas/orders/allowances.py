"""What each person on an order would spend a month against their allowance (orders.md "Orders"): the
plan amounts of what they hold and of what they have on order, read set-based; rules.py decides."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, or_, select

from daas.contracts.models import Contract, Deployment
from daas.core import clock
from daas.devices.models import Device
from daas.extensions import db
from daas.orders import rules
from daas.orders.catalog import plan_device_charges
from daas.orders.lifecycle import OPEN_ORDER_STATUSES, AllocationState
from daas.orders.models import Order, OrderAllocation, OrderLine
from daas.people.models import Person


def allowance_checks(order: Order) -> list[rules.AllowanceCheck]:
    """Each person on the order against their allowance: the monthly amounts of their open deployments
    (each on its own contract's plan) and of the units of their open order lines not yet delivered (those
    are deployments already), this order's included."""
    order_lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    person_ids = sorted({line.person_id for line in order_lines if line.person_id is not None})
    if not person_ids:
        return []
    allowances = dict(
        db.session.execute(select(Person.id, Person.monthly_allowance).where(Person.id.in_(person_ids))).all()
    )
    today = clock.today()
    deployments = db.session.execute(
        select(Deployment.person_id, Contract.plan_id, Device.device_model_id)
        .join(Contract, Contract.id == Deployment.contract_id)
        .join(Device, Device.id == Deployment.device_id)
        .where(
            Deployment.person_id.in_(person_ids),
            or_(Deployment.end_date.is_(None), Deployment.end_date > today),
        )
    ).all()
    delivered = (
        select(OrderAllocation.order_line_id, func.count().label("units"))
        .where(OrderAllocation.state == AllocationState.DELIVERED)
        .group_by(OrderAllocation.order_line_id)
        .subquery()
    )
    open_lines = db.session.execute(
        select(
            OrderLine.person_id,
            Contract.plan_id,
            OrderLine.device_model_id,
            OrderLine.quantity - func.coalesce(delivered.c.units, 0),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Contract, Contract.id == Order.contract_id)
        .outerjoin(delivered, delivered.c.order_line_id == OrderLine.id)
        .where(OrderLine.person_id.in_(person_ids), Order.status.in_(OPEN_ORDER_STATUSES))
    ).all()
    charges = plan_device_charges([row[1] for row in (*deployments, *open_lines)])

    def amount(plan_id: int, model_id: int) -> Decimal:
        return rules.monthly_amount(charges[plan_id], model_id) or Decimal(0)

    held: dict[int, list[Decimal]] = defaultdict(list)
    for person_id, plan_id, model_id in deployments:
        held[person_id].append(amount(plan_id, model_id))
    ordered: dict[int, list[Decimal]] = defaultdict(list)
    for person_id, plan_id, model_id, units in open_lines:
        ordered[person_id].extend([amount(plan_id, model_id)] * max(int(units), 0))
    return rules.allowance_checks(allowances, held, ordered)
