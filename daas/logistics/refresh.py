"""Refresh orders and the planner that opens them (logistics.md).

A deployed device falls due at its deployment date plus the refresh cycle in force (the contract's own
`refresh_cycle_months` when it has one, else its plan's), plus every extension an upgrade gave. The planner
opens one refresh order per device due within the lead time, proposing an upgrade or a replacement with the
reason (`rules.propose_refresh`); running it twice opens nothing twice (a partial unique index holds one
open order per device). It also opens `end_of_term` return orders for contracts ending within the lead time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.contracts.renewal import will_renew
from daas.contracts.services import deploy_device, deployed_serials
from daas.core import clock
from daas.core.dates import LAST_DAY
from daas.core.errors import Conflict, Invalid, NotFound
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import Device
from daas.devices.services import lock_device, transition_device
from daas.extensions import db
from daas.logistics.events import record_refresh_approved, record_refreshes_proposed
from daas.logistics.models import (
    OPEN_REFRESH_STATUSES,
    DeviceUpgrade,
    EndOfTerm,
    EndOfTermChoice,
    RefreshOrder,
    RefreshStatus,
    ReturnOrder,
    ReturnReason,
)
from daas.logistics.returns import create_return_order
from daas.logistics.rules import RefreshAction, UpgradePolicy, propose_refresh, refresh_due_date
from daas.pricing.models import Plan

OPEN = OPEN_REFRESH_STATUSES


@dataclass
class PlanReport:
    refresh_orders: list[int] = field(default_factory=list)
    end_of_term_orders: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def extension_months() -> Any:
    """Months the upgrades of each deployment added to its refresh cycle: a subquery
    (deployment_id, months) to join where due dates are computed for many devices at once."""
    return (
        select(DeviceUpgrade.deployment_id, func.sum(DeviceUpgrade.extension_months).label("months"))
        .group_by(DeviceUpgrade.deployment_id)
        .subquery()
    )


def cycle_in_force() -> Any:
    """The refresh cycle a contract's devices follow, as a column expression of a query joining Contract
    and Plan: the contract's own cycle (set by applying a workshop scenario) before its plan's."""
    return func.coalesce(Contract.refresh_cycle_months, Plan.refresh_cycle_months)


def contract_cycle(contract: Contract) -> int:
    """The refresh cycle in force on one loaded contract (see `cycle_in_force`)."""
    return contract.refresh_cycle_months or contract.plan.refresh_cycle_months


def due_dates_of(deployments: Sequence[Deployment], refresh_cycle_months: int) -> dict[int, date]:
    """Each deployment's refresh due date (deployment id -> date), in one query for their extensions."""
    extensions = extension_months()
    ids = [deployment.id for deployment in deployments]
    months = (
        dict(db.session.execute(select(extensions).where(extensions.c.deployment_id.in_(ids))).all())
        if ids
        else {}
    )
    return {
        deployment.id: refresh_due_date(
            deployment.start_date, refresh_cycle_months, int(months.get(deployment.id, 0))
        )
        for deployment in deployments
    }


def due_date_of(deployment: Deployment, refresh_cycle_months: int) -> date:
    return due_dates_of([deployment], refresh_cycle_months)[deployment.id]


def plan_refreshes(
    as_of: date, lead_days: int, policy: UpgradePolicy, window_days: int, actor: str = "planner"
) -> PlanReport:
    """Open what falls due by `as_of + lead_days`: refresh orders and end-of-term returns. Idempotent.
    The caller commits."""
    report = plan_refresh_orders(as_of, lead_days, policy)
    ends = plan_end_of_term_returns(as_of, lead_days, window_days, actor)
    report.end_of_term_orders, report.skipped = ends.end_of_term_orders, ends.skipped
    return report


def plan_refresh_orders(as_of: date, lead_days: int, policy: UpgradePolicy) -> PlanReport:
    """Open a refresh order for each deployed device whose refresh falls due by `as_of + lead_days`,
    each with its `refresh.proposed` event. Idempotent. The caller commits."""
    report = PlanReport()
    horizon = as_of + timedelta(days=lead_days)
    extensions = extension_months()
    rows = db.session.execute(
        select(
            Deployment,
            Device,
            DeviceModel,
            cycle_in_force(),
            Contract.end_date,
            Contract.customer_id,
            func.coalesce(extensions.c.months, 0),
        )
        .join(Device, Device.id == Deployment.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .join(Contract, Contract.id == Deployment.contract_id)
        .join(Plan, Plan.id == Contract.plan_id)
        .outerjoin(extensions, extensions.c.deployment_id == Deployment.id)
        .where(Deployment.end_date.is_(None), Device.status == DeviceStatus.DEPLOYED)
        .order_by(Deployment.id)
    ).all()
    # Devices that have an order already: read once, not per device (the unique index still decides races).
    ordered = set(db.session.scalars(select(RefreshOrder.device_id).where(RefreshOrder.status.in_(OPEN))))
    opened: list[tuple[RefreshOrder, int, Device, DeviceModel]] = []
    for deployment, device, model, cycle, contract_end, customer_id, months in rows:
        due = refresh_due_date(deployment.start_date, cycle, int(months))
        if due > horizon or due >= contract_end or device.id in ordered:
            continue  # not due yet, or the contract ends first (end-of-term returns take it back)
        action, reason = propose_refresh(
            battery_health=device.battery_health,
            manufactured_on=device.manufactured_on,
            due_date=due,
            expected_lifetime_months=model.expected_lifetime_months,
            last_grade=device.grade,
            policy=policy,
        )
        order = RefreshOrder(
            device_id=device.id,
            contract_id=deployment.contract_id,
            deployment_id=deployment.id,
            due_date=due,
            proposed_action=action,
            reason=reason[:500],
            status=RefreshStatus.OPEN,
        )
        try:
            with db.session.begin_nested():  # a concurrent planner may have opened it: then keep theirs
                db.session.add(order)
        except IntegrityError:
            continue
        report.refresh_orders.append(order.id)
        opened.append((order, customer_id, device, model))
    db.session.flush()
    record_refreshes_proposed(opened)
    return report


def plan_end_of_term_returns(
    as_of: date, lead_days: int, window_days: int, actor: str = "planner"
) -> PlanReport:
    """Contracts ending within the lead time, and not renewing: their deployed devices go home with an
    end_of_term order, except those the customer chose to keep on an extended contract (or bought out) for
    an end date still to come. Idempotent (a device already on a return order is not asked for again). The
    caller commits."""
    report = PlanReport()
    horizon = as_of + timedelta(days=lead_days)
    contracts = db.session.scalars(
        select(Contract).where(Contract.end_date > as_of, Contract.end_date <= horizon).order_by(Contract.id)
    ).all()
    for contract in contracts:
        if will_renew(contract):
            continue  # it goes on for another term: nothing comes home
        staying = _staying_serials(contract.id, as_of)
        serials = [serial for serial in deployed_serials(contract.id) if serial not in staying]
        if not serials:
            continue
        customer = db.session.get(Customer, contract.customer_id)
        if not customer.pickup_region or not customer.pickup_address:
            report.skipped.append(f"contract {contract.id}: customer {customer.id} has no pickup address")
            continue
        order = create_return_order(
            contract.id,
            serials,
            ReturnReason.END_OF_TERM,
            max(contract.end_date, as_of),
            customer.pickup_region,
            customer.pickup_address,
            actor,
            window_days,
        )
        report.end_of_term_orders.append(order.id)
    db.session.flush()
    return report


def _staying_serials(contract_id: int, as_of: date) -> set[str]:
    """Devices chosen `extend` or `buy_out` (end_of_term.py) for an end date on or after `as_of`."""
    return set(
        db.session.scalars(
            select(Device.serial)
            .join(EndOfTermChoice, EndOfTermChoice.device_id == Device.id)
            .where(
                EndOfTermChoice.contract_id == contract_id,
                EndOfTermChoice.choice.in_((EndOfTerm.EXTEND, EndOfTerm.BUY_OUT)),
                EndOfTermChoice.term_end >= as_of,
            )
        )
    )


def get_refresh_order(order_id: int, customer_scope: int | None = None, lock: bool = False) -> RefreshOrder:
    query = select(RefreshOrder).where(RefreshOrder.id == order_id)
    order = db.session.scalar(query.with_for_update() if lock else query)
    if order is None or (
        customer_scope is not None
        and db.session.scalar(select(Contract.customer_id).where(Contract.id == order.contract_id))
        != customer_scope
    ):
        raise NotFound(f"No refresh order {order_id}.")
    return order


def list_refresh_orders(
    status: str | None = None, customer_scope: int | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[RefreshOrder], int]:
    query = select(RefreshOrder)
    if status:
        query = query.where(RefreshOrder.status == status)
    if customer_scope is not None:
        query = query.where(
            RefreshOrder.contract_id.in_(select(Contract.id).where(Contract.customer_id == customer_scope))
        )
    return fetch_page(query.order_by(RefreshOrder.due_date, RefreshOrder.id), offset, limit)


def _illegal(order: RefreshOrder, action: str, allowed: tuple[str, ...]) -> Conflict:
    return Conflict(
        f"Refresh order {order.id} is {order.status}; it can {action} only when {' or '.join(allowed)}.",
        errors={"status": [f"The order is {order.status}; allowed from: {', '.join(allowed)}."]},
    )


def approve_refresh(
    order_id: int,
    action: str,
    actor: str,
    window_days: int,
    replacement_sku: str | None = None,
    customer_scope: int | None = None,
) -> RefreshOrder:
    """Choose upgrade or replace (its `refresh.approved` event recorded). Replacing opens a `refresh`
    return order for the old device, picked up from the customer's pickup address around the due date."""
    order = get_refresh_order(order_id, customer_scope, lock=True)
    if order.status != RefreshStatus.OPEN:
        raise _illegal(order, "be approved", (RefreshStatus.OPEN,))
    device = db.session.get(Device, order.device_id)
    if action == RefreshAction.REPLACE:
        sku = replacement_sku or db.session.get(DeviceModel, device.device_model_id).sku
        if db.session.scalar(select(DeviceModel.id).where(DeviceModel.sku == sku)) is None:
            raise Invalid.field("replacement_sku", f"Unknown device model {sku}.")
        contract = db.session.get(Contract, order.contract_id)
        customer = db.session.get(Customer, contract.customer_id)
        if not customer.pickup_region or not customer.pickup_address:
            raise Conflict(
                "The customer has no pickup address: set pickup_region and pickup_address first.",
                errors={"pickup_address": ["Missing on the customer."]},
            )
        order.replacement_sku = sku
        order.status, order.action, order.decided_by = RefreshStatus.APPROVED, action, actor
        db.session.flush()
        create_return_order(
            contract.id,
            [device.serial],
            ReturnReason.REFRESH,
            max(order.due_date, clock.today()),
            customer.pickup_region,
            customer.pickup_address,
            actor,
            window_days,
            refresh_order_id=order.id,
        )
    else:
        if replacement_sku:
            raise Invalid.field("replacement_sku", "An upgrade keeps the device; leave replacement_sku out.")
        order.status, order.action, order.decided_by = RefreshStatus.APPROVED, action, actor
    db.session.flush()
    record_refresh_approved(order, device.serial)
    return order


def reschedule_refresh(order_id: int, due_date: date, customer_scope: int | None = None) -> RefreshOrder:
    order = get_refresh_order(order_id, customer_scope, lock=True)
    if order.status not in OPEN:
        raise _illegal(order, "be rescheduled", OPEN)
    if due_date < clock.today():
        raise Invalid.field("due_date", "Must not be in the past.")
    if due_date > LAST_DAY:  # approving books a return from it, within the booking window after it
        raise Invalid.field("due_date", f"At most {LAST_DAY.isoformat()}.")
    order.due_date = due_date
    db.session.flush()
    return order


def complete_refresh(
    order_id: int,
    completed_on: date,
    actor: str,
    policy: UpgradePolicy,
    extension_months: int | None = None,
    replacement_serial: str | None = None,
    kit: str = "battery",
) -> RefreshOrder:
    """Upgrade: recorded on the device, its next due date moves by the extension. Replace: the replacement
    (a named device, or the first in stock of the chosen model) is deployed on the contract from that day."""
    order = get_refresh_order(order_id, lock=True)
    if order.status != RefreshStatus.APPROVED:
        raise _illegal(order, "be completed", (RefreshStatus.APPROVED,))
    if order.completes_on_delivery:
        raise Conflict(
            f"Refresh order {order.id} ships its replacement through an order: its delivery completes it.",
            errors={"status": ["Completed by the replacement's delivery."]},
        )
    if completed_on > clock.today() + timedelta(days=31):
        raise Invalid.field("completed_on", "At most 31 days ahead.")
    if order.action == RefreshAction.UPGRADE:
        device = lock_device(db.session.get(Device, order.device_id).serial, field_name=None)
        months = extension_months if extension_months is not None else policy.extension_months
        transition_device(
            device,
            "upgrade",
            completed_on,
            actor,
            field_name="completed_on",
            contract_id=order.contract_id,
            reference=f"{kit} upgrade, +{months} months",
        )
        db.session.add(
            DeviceUpgrade(
                device_id=device.id,
                deployment_id=order.deployment_id,
                refresh_order_id=order.id,
                kit=kit,
                performed_on=completed_on,
                extension_months=months,
                actor=actor,
            )
        )
    else:
        if extension_months is not None:
            raise Invalid.field("extension_months", "Only an upgrade extends a device's life.")
        serial = replacement_serial or db.session.scalar(
            select(Device.serial)
            .join(DeviceModel, DeviceModel.id == Device.device_model_id)
            .where(DeviceModel.sku == order.replacement_sku, Device.status == DeviceStatus.IN_STOCK)
            .order_by(Device.id)
            .limit(1)
        )
        if serial is None:
            raise Conflict(
                f"No {order.replacement_sku} is in stock to replace the device.",
                errors={"replacement_serial": ["Nothing in stock."]},
            )
        replacement = lock_device(serial, field_name="replacement_serial")
        deploy_device(order.contract_id, replacement.serial, completed_on, actor)
        order.replacement_device_id = replacement.id
    order.status, order.completed_on = RefreshStatus.COMPLETED, completed_on
    db.session.flush()
    return order


def complete_replacement_delivered(
    refresh_order_id: int, device_id: int, delivered_on: date, actor: str
) -> RefreshOrder:
    """The replacement of an approved `replace` was delivered (and deployed by that delivery): the refresh
    is completed that day with that device. The old device's refresh return order goes on as it is.
    Orders call this; the refresh knows nothing of them, only of the device and the day."""
    order = get_refresh_order(refresh_order_id, lock=True)
    if order.status != RefreshStatus.APPROVED or order.action != RefreshAction.REPLACE:
        raise _illegal(order, "be completed by a delivery", (RefreshStatus.APPROVED,))
    order.status, order.completed_on, order.replacement_device_id = (
        RefreshStatus.COMPLETED,
        delivered_on,
        device_id,
    )
    db.session.flush()
    return order


def cancel_refresh_orders_of(device_id: int, actor: str) -> list[RefreshOrder]:
    """Cancel the device's refresh orders that are still to be decided or done by hand, because it will
    not be refreshed (it was sold). An approved replacement shipping through an order is left to that
    order: its delivery completes it, and the new device is the customer's to keep on the contract."""
    orders = db.session.scalars(
        select(RefreshOrder)
        .where(
            RefreshOrder.device_id == device_id,
            RefreshOrder.status.in_(OPEN),
            RefreshOrder.completes_on_delivery.is_(False),
        )
        .order_by(RefreshOrder.id)
        .with_for_update()
    ).all()
    for order in orders:
        order.status, order.decided_by = RefreshStatus.CANCELLED, order.decided_by or actor
    db.session.flush()
    return list(orders)


def return_order_of(order: RefreshOrder) -> int | None:
    return db.session.scalar(select(ReturnOrder.id).where(ReturnOrder.refresh_order_id == order.id))


def serial_of(order: RefreshOrder) -> str:
    return db.session.scalar(select(Device.serial).where(Device.id == order.device_id))
