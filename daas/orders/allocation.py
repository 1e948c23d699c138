"""Holding devices in stock for approved orders (orders.md "Allocation"), circular first.

For each unit without a device the candidates are the model's devices in stock, in the order the rules give
(refurbished graded well enough, then new; longest in stock first). Reserving one is an allocation insert in
a savepoint, which the partial unique index `ix_order_allocations_device_id_reserved` lets through once per
device, and the device's move in_stock -> allocated under its row lock: when another order took the device
first (the insert fails, or the device is no longer in stock) the savepoint is rolled back and the next
candidate is tried. So concurrent allocations never hold one device twice, on PostgreSQL as on SQLite.

An order is `allocated` when every unit holds a device, else `backordered` with what it holds; the daily job
serves approved and backordered orders first come, first served.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from daas.core import clock
from daas.core.errors import DomainError, Invalid
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import CustodyEvent, Device
from daas.devices.services import transition_device
from daas.extensions import db
from daas.orders import rules
from daas.orders.lifecycle import AllocationState, OrderStatus, order_status_from_units
from daas.orders.models import Order, OrderAllocation, OrderLine
from daas.orders.moves import check_move
from daas.orders.ordering import get_order

HELD = (AllocationState.RESERVED, AllocationState.DELIVERED)


class _Taken(Exception):
    """The candidate went to someone else between the list and the reservation."""


def candidates(device_model_id: int, accept_refurbished: bool, lowest_grade: str, today: date) -> list[int]:
    """The devices in stock that may serve a unit of the model, in the order to try them. In stock since =
    the day of its last custody event into `in_stock`; a device taken into stock after today waits."""
    # One join and one grouping: no subquery the planner could run again per device on stale statistics.
    since = func.max(CustodyEvent.occurred_on)
    rows = db.session.execute(
        select(Device.id, Device.lives, Device.grade, since)
        .join(CustodyEvent, CustodyEvent.device_id == Device.id)
        .where(
            Device.device_model_id == device_model_id,
            Device.status == DeviceStatus.IN_STOCK,
            CustodyEvent.to_status == DeviceStatus.IN_STOCK,
        )
        .group_by(Device.id, Device.lives, Device.grade)
        .having(since <= today)
    ).all()
    pool = [rules.Candidate(device_id, lives, grade, day) for device_id, lives, grade, day in rows]
    return rules.allocation_order(pool, accept_refurbished, lowest_grade)


def _reserve(order: Order, line: OrderLine, device_id: int, actor: str, today: date) -> bool:
    """Hold one device for a unit of `line`; False when another order holds it (or it left stock) first."""
    try:
        with db.session.begin_nested():
            db.session.add(
                OrderAllocation(
                    order_id=order.id,
                    order_line_id=line.id,
                    device_id=device_id,
                    state=AllocationState.RESERVED,
                )
            )
            db.session.flush()  # the unique index decides here; a concurrent insert waits for its winner
            device = db.session.scalar(
                select(Device)
                .where(Device.id == device_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            if device is None or device.status != DeviceStatus.IN_STOCK:
                raise _Taken
            transition_device(
                device, "allocate", today, actor, contract_id=order.contract_id, reference=f"order {order.id}"
            )
    except (IntegrityError, _Taken, Invalid):
        return False
    return True


def held_units(order_id: int) -> dict[int, int]:
    """Units of each line of the order holding a device (in stock, packed, on its way or delivered)."""
    return dict(
        db.session.execute(
            select(OrderAllocation.order_line_id, func.count())
            .where(OrderAllocation.order_id == order_id, OrderAllocation.state.in_(HELD))
            .group_by(OrderAllocation.order_line_id)
        ).all()
    )


def status_from_units(order: Order) -> str:
    """Where an approved order stands from its units (lifecycle.order_status_from_units): units ordered,
    holding a device, on their way or delivered, and delivered."""
    ordered = db.session.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(OrderLine.order_id == order.id)
    )
    rows = db.session.execute(
        select(OrderAllocation.state, Device.status, func.count())
        .join(Device, Device.id == OrderAllocation.device_id)
        .where(OrderAllocation.order_id == order.id, OrderAllocation.state.in_(HELD))
        .group_by(OrderAllocation.state, Device.status)
    ).all()
    allocated = sum(count for _, _, count in rows)
    delivered = sum(count for state, _, count in rows if state == AllocationState.DELIVERED)
    on_the_way = sum(
        count
        for state, status, count in rows
        if state == AllocationState.RESERVED and status == DeviceStatus.IN_TRANSIT_OUT
    )
    return order_status_from_units(int(ordered), allocated, on_the_way + delivered, delivered)


def allocate_order(
    order_id: int, actor: str, out_of_stock: set[tuple[int, bool, str]] | None = None
) -> Order:
    """Hold a device for every unit of an approved or backordered order that has none yet: `allocated`
    when every unit holds one, else `backordered` keeping what it holds (409 for an order in another
    state). The order's row is locked, so two allocations of one order do not both fill a unit.
    `out_of_stock` (a round's memory) collects each (model, accept_refurbished, lowest_grade) whose
    candidates ran out, which later orders of the round with the same choice do not look up again."""
    order = get_order(order_id, lock=True)
    check_move(order, "allocate")
    today = clock.today()
    held = held_units(order.id)
    lines = db.session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.position)
    ).all()
    for line in lines:
        missing = rules.units_missing(line.quantity, held.get(line.id, 0))
        if not missing:
            continue
        choice = (line.device_model_id, order.accept_refurbished, order.lowest_grade)
        if out_of_stock is not None and choice in out_of_stock:
            continue
        pool = candidates(line.device_model_id, order.accept_refurbished, order.lowest_grade, today)
        for device_id in pool:
            if _reserve(order, line, device_id, actor, today):
                missing -= 1
                if not missing:
                    break
        if missing and out_of_stock is not None:
            out_of_stock.add(choice)  # every candidate tried: none left for this choice in this round
    order.status = status_from_units(order)
    db.session.flush()
    return order


@dataclass
class AllocationReport:
    """What a round of `allocate_backorders` did: orders now allocated, orders still waiting for stock, and
    orders that could not be served with why (each left as it was)."""

    allocated: list[int] = field(default_factory=list)
    backordered: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "allocated": len(self.allocated),
            "backordered": len(self.backordered),
            "failed": len(self.failed),
        }


def allocate_backorders(actor: str, after_each: Callable[[], None] | None = None) -> AllocationReport:
    """Serve approved and backordered orders first come, first served (created_at, then id), each in a
    savepoint of its own: an order that fails is recorded with its error and the others go on.
    `after_each` runs after every order (the use case commits there, so a long round keeps what it did and
    holds no order's locks while it serves the next)."""
    report = AllocationReport()
    out_of_stock: set[tuple[int, bool, str]] = set()
    waiting = db.session.scalars(
        select(Order.id)
        .where(Order.status.in_((OrderStatus.APPROVED, OrderStatus.BACKORDERED)))
        .order_by(Order.created_at, Order.id)
    ).all()
    for order_id in waiting:
        try:
            with db.session.begin_nested():
                order = allocate_order(order_id, actor, out_of_stock)
        except DomainError as error:
            report.failed.append((order_id, error.message))
        else:
            served = order.status == OrderStatus.ALLOCATED
            (report.allocated if served else report.backordered).append(order_id)
        if after_each is not None:
            after_each()
    return report
