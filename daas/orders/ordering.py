"""Orders from placing to approval or cancellation (orders.md "Orders").

An order names SKUs the contract's plan bills (catalog.py), for active people of the contract's customer;
it goes to the person's address unless another is given. It is approved at once unless a person's
allowance is exceeded (allowances.py), then it waits in `requested` for a customer user who may approve,
logistics or admin. Devices are held for it by allocation.py; cancelling before anything is packed puts
them back in stock. What the pages and the API show of orders is order_views.py; a refresh's replacement
order is replacements.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from daas.auth.roles import ADMIN, CUSTOMER, LOGISTICS
from daas.contracts.services import get_contract
from daas.core import clock
from daas.core.errors import Conflict, Forbidden, Invalid, NotFound
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.devices.models import Device
from daas.devices.services import event_day, transition_device
from daas.extensions import db
from daas.orders import rules
from daas.orders.allowances import allowance_checks
from daas.orders.catalog import line_models
from daas.orders.lifecycle import ORDER_STATUSES, AllocationState, OrderStatus, order_moves_from
from daas.orders.models import Order, OrderAllocation, OrderLine
from daas.orders.moves import check_move
from daas.people.models import Person
from daas.people.rules import ADDRESS_COLUMNS, address_of, address_problems
from daas.people.services import active_person

MAX_LINES = 100
MAX_QUANTITY = 1000
APPROVERS = frozenset({ADMIN, LOGISTICS})
HELD = (AllocationState.RESERVED, AllocationState.DELIVERED)


# -- placing ------------------------------------------------------------------------------------------------


def _checked_address(address: dict[str, Any]) -> dict[str, Any]:
    """A delivery address as the pages send it, checked by the rules a person's address follows; its
    parts trimmed, the country in capitals. Errors are keyed `address.<part>`."""
    clean = {
        part: (value.strip() or None) if isinstance(value, str) else value for part, value in address.items()
    }
    if isinstance(clean.get("country"), str):
        clean["country"] = clean["country"].upper()
    problems = address_problems(clean, partial=False)
    if problems:
        raise Invalid(
            "The delivery address is incomplete.",
            errors={f"address.{part}": messages for part, messages in problems.items()},
        )
    return {"line2": None, **clean}


def _lines_people(customer_id: int, lines: Sequence[dict[str, Any]]) -> tuple[dict[int, Person], dict]:
    """The active people the lines name (locked, in id order, so two orders for one person decide their
    allowance one after the other), and the errors of lines naming anyone else."""
    errors: dict[str, list[str]] = {}
    wanted: dict[int, int] = {}
    for index, line in enumerate(lines):
        person_id = line.get("person_id")
        if person_id is None:
            continue
        try:
            active_person(person_id, customer_id, f"lines.{index}.person_id")
        except Invalid as error:
            errors.update(error.errors)
            continue
        wanted.setdefault(person_id, index)
    people = {
        person.id: person
        for person in db.session.scalars(
            select(Person).where(Person.id.in_(sorted(wanted))).order_by(Person.id).with_for_update()
        )
    }
    return people, errors


def place_order(
    contract_id: int,
    lines: list[dict[str, Any]],
    requested_date: date,
    actor: str,
    *,
    address: dict[str, Any] | None = None,
    region: str | None = None,
    accept_refurbished: bool = True,
    lowest_grade: str = "B",
    customer_scope: int | None = None,
    refresh_order_id: int | None = None,
) -> Order:
    """Order devices on a contract: `lines` [{sku, quantity, person_id?}] delivered to `address` (by default
    the person's, when every line names the same one) in `region` (by default the person's, else the
    customer's pickup region) from `requested_date`. Approved at once unless an allowance is exceeded; a
    refresh's replacement (`refresh_order_id`) is approved at once, since it swaps a device the person has."""
    contract = get_contract(contract_id, customer_scope)
    errors: dict[str, Any] = {}
    today = clock.today()
    if requested_date < today:
        errors["requested_date"] = ["Must not be in the past."]
    elif not contract.start_date <= requested_date < contract.end_date:
        errors["requested_date"] = [
            f"The contract is active from {contract.start_date} until before {contract.end_date}."
        ]
    if lowest_grade not in rules.GRADES:
        errors["lowest_grade"] = [f"One of {', '.join(rules.GRADES)}."]
    if not lines:
        raise Invalid.field("lines", "Order at least one device.")
    if len(lines) > MAX_LINES:
        raise Invalid.field("lines", f"At most {MAX_LINES} lines.")
    for index, line in enumerate(lines):
        quantity = line.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
            errors[f"lines.{index}.quantity"] = [f"A whole number from 1 to {MAX_QUANTITY}."]
    models, model_errors = line_models(contract, lines)
    people, people_errors = _lines_people(contract.customer_id, lines)
    errors.update(model_errors)
    errors.update(people_errors)
    named = {line.get("person_id") for line in lines}
    only = people.get(next(iter(named))) if len(named) == 1 else None
    if address is not None:
        try:
            address = _checked_address(address)
        except Invalid as error:
            errors.update(error.errors)
    elif only is not None:
        address = address_of(only)
    elif not people_errors:
        errors["address"] = ["Name the delivery address: the lines do not all name one person."]
    customer = db.session.get(Customer, contract.customer_id)
    region = region or (only.region if only is not None else None) or customer.pickup_region
    if not region:
        errors["region"] = ["Name the delivery region: the customer has no pickup region."]
    if errors:
        raise Invalid("The order cannot be placed.", errors=errors)
    assert address is not None  # every way to no address raised above
    order = Order(
        customer_id=contract.customer_id,
        contract_id=contract.id,
        status=OrderStatus.REQUESTED,
        **{column: address.get(part) for part, column in ADDRESS_COLUMNS.items()},
        region=region,
        requested_date=requested_date,
        accept_refurbished=accept_refurbished,
        lowest_grade=lowest_grade,
        refresh_order_id=refresh_order_id,
        placed_by=actor,
    )
    db.session.add(order)
    db.session.flush()
    for index, (line, model) in enumerate(zip(lines, models, strict=True)):
        db.session.add(
            OrderLine(
                order_id=order.id,
                position=index,
                device_model_id=model.id,
                quantity=line["quantity"],
                person_id=line.get("person_id"),
            )
        )
    db.session.flush()
    if refresh_order_id is not None or not rules.needs_approval(allowance_checks(order)):
        order.status, order.approved_at = OrderStatus.APPROVED, clock.now()
    db.session.flush()
    db.session.expire(order, ["lines"])
    return order


# -- reading ------------------------------------------------------------------------------------------------


def get_order(order_id: int, customer_scope: int | None = None, lock: bool = False) -> Order:
    """The order; another customer's is not found (404). `lock` holds its row for this transaction."""
    query = select(Order).where(Order.id == order_id)
    if lock:  # read the row as it is now, not as this session last saw it
        query = query.with_for_update().execution_options(populate_existing=True)
    order = db.session.scalar(query)
    if order is None or (customer_scope is not None and order.customer_id != customer_scope):
        raise NotFound(f"No order {order_id}.")
    return order


def list_orders(
    status: str | None = None,
    contract_id: int | None = None,
    customer_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    customer_scope: int | None = None,
) -> tuple[list[Order], int]:
    """Orders, newest first; a customer user's are its own whatever `customer_id` says."""
    if status is not None and status not in ORDER_STATUSES:
        raise Invalid.field("status", f"One of {', '.join(ORDER_STATUSES)}.")
    query = select(Order)
    for column, value in (
        (Order.status, status),
        (Order.contract_id, contract_id),
        (Order.customer_id, customer_id),
        (Order.customer_id, customer_scope),
    ):
        if value is not None:
            query = query.where(column == value)
    return fetch_page(query.order_by(Order.created_at.desc(), Order.id.desc()), offset, limit)


# -- approving and cancelling -------------------------------------------------------------------------------


def may_approve(order: Order, role: str, can_approve: bool) -> bool:
    """Whether this user may approve the order now (what the pages offer; approve_order enforces it)."""
    return order.status == OrderStatus.REQUESTED and _approver(role, can_approve)


def _approver(role: str, can_approve: bool) -> bool:
    return role in APPROVERS or (role == CUSTOMER and can_approve)


def approve_order(
    order_id: int, actor: str, role: str, can_approve: bool, customer_scope: int | None = None
) -> Order:
    """Approve an order waiting over an allowance: a customer user who may approve (its own customer's
    orders), logistics or admin; anyone else 403; an order that is not `requested` 409."""
    order = get_order(order_id, customer_scope, lock=True)
    if not _approver(role, can_approve):
        raise Forbidden("Only a customer user who may approve, logistics or admin approves orders.")
    check_move(order, "approve")
    order.status, order.approved_by, order.approved_at = OrderStatus.APPROVED, actor, clock.now()
    db.session.flush()
    return order


def _held(order_id: int) -> list[OrderAllocation]:
    return list(
        db.session.scalars(
            select(OrderAllocation)
            .where(OrderAllocation.order_id == order_id, OrderAllocation.state.in_(HELD))
            .order_by(OrderAllocation.device_id)
        )
    )


def _packed(allocations: Sequence[OrderAllocation]) -> bool:
    return any(a.state == AllocationState.DELIVERED or a.shipment_id is not None for a in allocations)


def may_cancel(order: Order) -> bool:
    """Whether the order may be cancelled now: its state allows it and nothing is packed yet (what the
    pages offer; cancel_order enforces it)."""
    return "cancel" in order_moves_from(order.status) and not _packed(_held(order.id))


def cancel_order(order_id: int, actor: str, customer_scope: int | None = None) -> Order:
    """Cancel before anything is packed or shipped: the devices held for it go back to stock (a custody
    event each) and their allocations are released."""
    order = get_order(order_id, customer_scope, lock=True)
    check_move(order, "cancel")
    allocations = _held(order.id)
    if _packed(allocations):
        raise Conflict(
            f"Order {order.id} has devices packed or shipped; it can no longer be cancelled.",
            errors={"status": ["Devices are packed or on their way."]},
        )
    for allocation in allocations:
        device = db.session.get(Device, allocation.device_id, with_for_update=True, populate_existing=True)
        transition_device(
            device,
            "release",
            event_day(device),
            actor,
            contract_id=order.contract_id,
            reference=f"order {order.id}",
        )
        allocation.state, allocation.released_at = AllocationState.RELEASED, clock.now()
    order.status, order.cancelled_by, order.cancelled_at = OrderStatus.CANCELLED, actor, clock.now()
    db.session.flush()
    return order
