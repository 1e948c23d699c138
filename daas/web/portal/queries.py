"""Reads the customer portal needs that the services do not offer: a subscription's devices in service and
next refresh date in one query, its usage by month (aggregated exactly as billing aggregates it), the free
pickup dates of a region, what the customer owes, how an invoice is being paid, its credit notes, and
the devices each person has.

Every function takes ids the caller has already scoped to the signed-in customer (or the customer's id);
nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import measure, usage_history
from daas.billing.models import CreditNote, Invoice
from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.core.periods import Period
from daas.db import fetch_page
from daas.devices.models import Device
from daas.extensions import db
from daas.logistics.models import RefreshOrder
from daas.logistics.refresh import OPEN, cycle_in_force, extension_months
from daas.logistics.rules import refresh_due_date
from daas.logistics.slots import free_slots
from daas.payments.models import CARD
from daas.pricing.models import Metric, Plan, PlanCharge
from daas.usage.models import UsageEvent


@dataclass(frozen=True)
class SubscriptionFigures:
    devices: int  # devices in service: open deployments
    next_refresh: date | None  # the earliest refresh due date among them


def subscription_figures(contract_ids: Iterable[int]) -> dict[int, SubscriptionFigures]:
    """Per contract: devices in service and the earliest next refresh (deployment date plus the plan's
    refresh cycle in force plus upgrade extensions, as `daas.logistics.refresh.due_date_of`), in one query."""
    ids = sorted(set(contract_ids))
    if not ids:
        return {}
    extensions = extension_months()
    rows = db.session.execute(
        select(
            Deployment.contract_id,
            Deployment.start_date,
            cycle_in_force(),
            func.coalesce(extensions.c.months, 0),
        )
        .join(Contract, Contract.id == Deployment.contract_id)
        .join(Plan, Plan.id == Contract.plan_id)
        .outerjoin(extensions, extensions.c.deployment_id == Deployment.id)
        .where(Deployment.contract_id.in_(ids), Deployment.end_date.is_(None))
    ).all()
    devices: dict[int, int] = defaultdict(int)
    earliest: dict[int, date] = {}
    for contract_id, start, cycle, months in rows:
        devices[contract_id] += 1
        due = refresh_due_date(start, cycle, int(months))
        earliest[contract_id] = min(due, earliest.get(contract_id, due))
    return {cid: SubscriptionFigures(devices.get(cid, 0), earliest.get(cid)) for cid in ids}


def devices_in_service(customer_id: int) -> int:
    """The customer's devices on any subscription today (open deployments)."""
    return (
        db.session.scalar(
            select(func.count(Deployment.id))
            .join(Contract, Contract.id == Deployment.contract_id)
            .where(Contract.customer_id == customer_id, Deployment.end_date.is_(None))
        )
        or 0
    )


def open_refresh_by_device(contract_id: int) -> dict[int, RefreshOrder]:
    """The open or approved refresh order of each device of a contract (at most one per device)."""
    orders = db.session.scalars(
        select(RefreshOrder).where(RefreshOrder.contract_id == contract_id, RefreshOrder.status.in_(OPEN))
    )
    return {order.device_id: order for order in orders}


def metrics_of(contract_ids: Iterable[int]) -> dict[int, list[Metric]]:
    """Per contract, the metrics it is metered on: its plan's metered charges, and any other metric it
    has usage of. Ordered by metric code."""
    ids = sorted(set(contract_ids))
    if not ids:
        return {}
    pairs = set(
        db.session.execute(
            select(Contract.id, PlanCharge.metric_id)
            .join(PlanCharge, PlanCharge.plan_id == Contract.plan_id)
            .where(Contract.id.in_(ids), PlanCharge.kind == "metered")
        ).all()
    )
    pairs |= set(
        db.session.execute(
            select(UsageEvent.contract_id, UsageEvent.metric_id)
            .where(UsageEvent.contract_id.in_(ids))
            .group_by(UsageEvent.contract_id, UsageEvent.metric_id)
        ).all()
    )
    metrics = {
        metric.id: metric
        for metric in db.session.scalars(select(Metric).where(Metric.id.in_({m for _, m in pairs})))
    }
    result: dict[int, list[Metric]] = {cid: [] for cid in ids}
    for contract_id, metric_id in pairs:
        result[contract_id].append(metrics[metric_id])
    for found in result.values():
        found.sort(key=lambda metric: metric.code)
    return result


def usage_in_period(metrics: dict[int, list[Metric]], period: Period) -> dict[int, dict[int, Decimal]]:
    """contract id -> metric id -> the month's quantity, aggregated as billing does (count, sum, max,
    unique count: `daas.billing.measure.usage_in`); zero where there is no usage."""
    pairs = [(contract_id, metric.id) for contract_id, found in metrics.items() for metric in found]
    measured = measure.usage_in(period.starts_at, period.ends_at, pairs) if pairs else {}
    return {
        contract_id: {metric.id: measured.get(contract_id, {}).get(metric.id, Decimal(0)) for metric in found}
        for contract_id, found in metrics.items()
    }


def last_months(today: date, count: int = 12) -> list[Period]:
    """The `count` months up to and including today's, oldest first."""
    period = Period.containing(today)
    months = [period]
    for _ in range(count - 1):
        period = period.previous()
        months.append(period)
    return months[::-1]


def usage_by_month(
    contract_id: int, metrics: Sequence[Metric], months: Sequence[Period]
) -> dict[int, list[Decimal]]:
    """metric id -> the contract's quantity in each of `months` (billing's aggregation, zero if none), read
    for all the months at once."""
    return usage_history.usage_by_month(contract_id, [metric.id for metric in metrics], months)


@dataclass(frozen=True)
class FreeDate:
    day: date
    places_left: int


def free_pickup_dates(region: str, start: date, end: date) -> list[FreeDate]:
    """The region's pickup days from `start` through `end` that still have room, with the places left."""
    return [FreeDate(slot.date, slot.capacity - slot.booked) for slot in free_slots(region, start, end)]


def amount_due(customer_id: int) -> dict[str, Decimal]:
    """What the customer still owes on issued invoices (open or uncollectible), per currency."""
    rows = db.session.execute(
        select(Invoice.currency, func.sum(Invoice.amount_due))
        .where(Invoice.customer_id == customer_id, Invoice.status.in_(lifecycle.OWING))
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    ).all()
    return {currency: Decimal(total or 0) for currency, total in rows}


def payment_state(invoice: Invoice, today: date) -> str:
    """How the invoice is being paid, in words a customer understands."""
    if invoice.status == lifecycle.PAID:
        paid = f" on {invoice.paid_at.date().isoformat()}" if invoice.paid_at else ""
        return f"Paid{paid}"
    if invoice.status == lifecycle.VOID:
        return "Void: nothing to pay"
    if invoice.status == lifecycle.UNCOLLECTIBLE:
        return "Not collected: please pay by bank transfer or contact us"
    if invoice.status != lifecycle.OPEN:
        return invoice.status
    if invoice.due_date is not None and invoice.due_date < today:
        state = f"Overdue since {invoice.due_date.isoformat()}"
    elif invoice.collection_method == CARD:
        state = "Card payment scheduled"
    else:
        state = "Awaiting bank transfer"
    if invoice.failed_attempts:
        state += f"; {invoice.failed_attempts} card attempt(s) failed"
    return state


def credit_notes(customer_id: int, offset: int, limit: int) -> tuple[list[CreditNote], int]:
    """The credit notes of the customer's issued invoices, newest first."""
    query = (
        select(CreditNote)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(Invoice.customer_id == customer_id, Invoice.status != lifecycle.DRAFT)
        .order_by(CreditNote.issued_on.desc(), CreditNote.id.desc())
    )
    return fetch_page(query, offset, limit)


def invoice_numbers(invoice_ids: Iterable[int]) -> dict[int, str]:
    """Invoice id -> its number, for the invoices named in a list."""
    ids = set(invoice_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Invoice.id, Invoice.number).where(Invoice.id.in_(ids))).all())


@dataclass(frozen=True)
class HeldDevice:
    serial: str
    model: str
    contract_id: int


def devices_of_people(person_ids: Iterable[int]) -> dict[int, list[HeldDevice]]:
    """Per person, the devices serving them now (open deployments carrying their id), by serial: who has
    what on the people list, in one query for the whole page."""
    ids = sorted(set(person_ids))
    found: dict[int, list[HeldDevice]] = {person_id: [] for person_id in ids}
    if not ids:
        return found
    rows = db.session.execute(
        select(Deployment.person_id, Device.serial, DeviceModel.name, Deployment.contract_id)
        .join(Device, Device.id == Deployment.device_id)
        .join(DeviceModel, DeviceModel.id == Device.device_model_id)
        .where(Deployment.person_id.in_(ids), Deployment.end_date.is_(None))
        .order_by(Device.serial)
    ).all()
    for person_id, serial, model, contract_id in rows:
        found[person_id].append(HeldDevice(serial, model, contract_id))
    return found
