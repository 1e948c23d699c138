"""Orders from placing to approval or cancellation, and what the order form and order pages read (orders.md).

An order names SKUs the contract's plan bills, for active people of the contract's customer; it goes to the
person's address unless another is given. It is approved at once unless a person's allowance is exceeded
(rules.allowance_checks), then it waits in `requested` for a customer user who may approve, logistics or
admin. Devices are held for it by allocation.py; cancelling before anything is packed puts them back in
stock. A refresh `replace` opens its replacement's order here (`open_replacement_order`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from daas.auth.roles import ADMIN, CUSTOMER, LOGISTICS
from daas.catalog.models import DeviceModel
from daas.contracts.models import Contract, Deployment
from daas.contracts.services import get_contract
from daas.core import clock
from daas.core.countries import is_country
from daas.core.errors import Conflict, Forbidden, Invalid, NotFound
from daas.customers.models import Customer
from daas.db import fetch_page
from daas.devices.lifecycle import DeviceStatus
from daas.devices.models import CustodyEvent, Device
from daas.devices.services import transition_device
from daas.extensions import db
from daas.logistics.models import RefreshOrder, RefreshStatus
from daas.logistics.rules import RefreshAction
from daas.orders import rules
from daas.orders.lifecycle import (
    OPEN_ORDER_STATUSES,
    ORDER_STATUSES,
    AllocationState,
    IllegalMove,
    OrderStatus,
    check_order_move,
)
from daas.orders.models import Order, OrderAllocation, OrderLine
from daas.people.models import Person, PersonStatus
from daas.people.services import active_person
from daas.pricing.kinds import DEVICE_MONTHLY
from daas.pricing.models import PlanCharge

MAX_LINES = 100
MAX_QUANTITY = 1000
ADDRESS_FIELDS = ("line1", "line2", "postcode", "city", "country")
_ADDRESS_LIMITS = {"line1": 200, "line2": 200, "postcode": 20, "city": 100}
APPROVERS = frozenset({ADMIN, LOGISTICS})


def illegal(error: IllegalMove) -> Conflict:
    """An order or shipment move its state does not allow: 409 naming the state and the moves it allows."""
    return Conflict(
        str(error),
        errors={
            "status": [f"The {error.thing} is {error.status}; allowed: {', '.join(error.allowed) or 'none'}."]
        },
    )


def check_move(order: Order, move: str) -> None:
    try:
        check_order_move(order.status, move)
    except IllegalMove as error:
        raise illegal(error) from error


# -- what a plan bills --------------------------------------------------------------------------------------


def plan_device_charges(plan_ids: Iterable[int]) -> dict[int, list[tuple[int | None, Decimal]]]:
    """Each plan's device charges (device_model_id or None for every model, monthly amount), in one query."""
    ids = sorted(set(plan_ids))
    charges: dict[int, list[tuple[int | None, Decimal]]] = {plan_id: [] for plan_id in ids}
    if ids:
        for plan_id, model_id, amount in db.session.execute(
            select(PlanCharge.plan_id, PlanCharge.device_model_id, PlanCharge.unit_amount).where(
                PlanCharge.plan_id.in_(ids), PlanCharge.kind == DEVICE_MONTHLY
            )
        ):
            charges[plan_id].append((model_id, amount or Decimal(0)))
    return charges


def _line_models(contract: Contract, lines: Sequence[dict[str, Any]]) -> tuple[list[DeviceModel], dict]:
    """The device model of each line, and the errors of lines naming an SKU the plan does not bill."""
    charges = plan_device_charges([contract.plan_id])[contract.plan_id]
    skus = {line.get("sku") for line in lines}
    known = {m.sku: m for m in db.session.scalars(select(DeviceModel).where(DeviceModel.sku.in_(skus)))}
    models: list[DeviceModel] = []
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        model = known.get(line.get("sku"))
        if model is None:
            errors[f"lines.{index}.sku"] = [f"Unknown device model {line.get('sku')}."]
        elif rules.monthly_amount(charges, model.id) is None:
            errors[f"lines.{index}.sku"] = [f"Plan {contract.plan.code} does not bill {model.sku}."]
        else:
            models.append(model)
    return models, errors


# -- placing ------------------------------------------------------------------------------------------------


def _checked_address(address: dict[str, Any]) -> dict[str, Any]:
    """A delivery address as the API and the pages send it: line1, line2?, postcode, city, country."""
    errors: dict[str, list[str]] = {}
    unknown = set(address) - set(ADDRESS_FIELDS)
    if unknown:
        errors["address"] = [f"Unknown fields: {', '.join(sorted(unknown))}."]
    clean: dict[str, Any] = {}
    for name in ADDRESS_FIELDS:
        value = address.get(name)
        value = value.strip() if isinstance(value, str) else value
        if name == "line2":
            clean[name] = value or None
            continue
        if not value:
            errors[f"address.{name}"] = ["Missing."]
        elif name == "country":
            if not isinstance(value, str) or not is_country(value.upper()):
                errors[f"address.{name}"] = ["Not an ISO 3166-1 alpha-2 country."]
            clean[name] = str(value).upper()
        else:
            clean[name] = value
    for name, limit in _ADDRESS_LIMITS.items():
        if isinstance(clean.get(name), str) and len(clean[name]) > limit:
            errors[f"address.{name}"] = [f"At most {limit} characters."]
    if errors:
        raise Invalid("The delivery address is incomplete.", errors=errors)
    return clean


def _address_of(person: Person) -> dict[str, Any]:
    return {
        "line1": person.address_line1,
        "line2": person.address_line2,
        "postcode": person.postcode,
        "city": person.city,
        "country": person.country,
    }


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
    models, model_errors = _line_models(contract, lines)
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
        address = _address_of(only)
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
        address_line1=address["line1"],
        address_line2=address.get("line2"),
        postcode=address["postcode"],
        city=address["city"],
        country=address["country"],
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


# -- allowances ---------------------------------------------------------------------------------------------


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


def order_views(orders: Sequence[Order]) -> list[dict[str, Any]]:
    """What the API and the pages show of orders: their fields, the delivery address, and each line with
    the serials allocated to it (held or delivered) — two queries for any number of orders."""
    ids = [order.id for order in orders]
    lines: dict[int, list[tuple[OrderLine, str]]] = defaultdict(list)
    serials: dict[int, list[str]] = defaultdict(list)
    if ids:
        for line, sku in db.session.execute(
            select(OrderLine, DeviceModel.sku)
            .join(DeviceModel, DeviceModel.id == OrderLine.device_model_id)
            .where(OrderLine.order_id.in_(ids))
            .order_by(OrderLine.order_id, OrderLine.position)
        ):
            lines[line.order_id].append((line, sku))
        for line_id, serial in db.session.execute(
            select(OrderAllocation.order_line_id, Device.serial)
            .join(Device, Device.id == OrderAllocation.device_id)
            .where(
                OrderAllocation.order_id.in_(ids),
                OrderAllocation.state.in_((AllocationState.RESERVED, AllocationState.DELIVERED)),
            )
            .order_by(OrderAllocation.id)
        ):
            serials[line_id].append(serial)
    return [
        {
            **{
                name: getattr(order, name)
                for name in (
                    "id",
                    "contract_id",
                    "customer_id",
                    "status",
                    "region",
                    "requested_date",
                    "accept_refurbished",
                    "lowest_grade",
                    "refresh_order_id",
                    "placed_by",
                    "approved_by",
                    "approved_at",
                    "cancelled_at",
                    "created_at",
                )
            },
            "address": {
                "line1": order.address_line1,
                "line2": order.address_line2,
                "postcode": order.postcode,
                "city": order.city,
                "country": order.country,
            },
            "lines": [
                {
                    "sku": sku,
                    "quantity": line.quantity,
                    "person_id": line.person_id,
                    "serials": serials.get(line.id, []),
                }
                for line, sku in lines.get(order.id, [])
            ],
        }
        for order in orders
    ]


def order_view(order: Order) -> dict[str, Any]:
    return order_views([order])[0]


def contract_catalog(
    contract_id: int, customer_scope: int | None = None, lowest_grade: str = "B"
) -> list[dict[str, Any]]:
    """What may be ordered on a contract (the order form): each model its plan bills, with the monthly
    price, its embodied footprint and how many are in stock, refurbished (graded `lowest_grade` or better)
    and new."""
    contract = get_contract(contract_id, customer_scope)
    charges = plan_device_charges([contract.plan_id])[contract.plan_id]
    if not charges:
        return []  # a plan without device charges bills no model: nothing to order on it
    named = [model_id for model_id, _ in charges if model_id is not None]
    query = select(DeviceModel).order_by(DeviceModel.category, DeviceModel.name, DeviceModel.sku)
    if len(named) == len(charges):  # else one charge bills every model
        query = query.where(DeviceModel.id.in_(named))
    models = db.session.scalars(query).all()
    stock: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for model_id, lives, grade, count in db.session.execute(
        select(Device.device_model_id, Device.lives, Device.grade, func.count())
        .where(Device.status == DeviceStatus.IN_STOCK, Device.device_model_id.in_([m.id for m in models]))
        .group_by(Device.device_model_id, Device.lives, Device.grade)
    ):
        if lives == 0:
            stock[model_id][1] += count
        elif rules.grade_at_least(grade, lowest_grade):
            stock[model_id][0] += count
    return [
        {
            "sku": model.sku,
            "name": model.name,
            "category": model.category,
            "monthly_price": rules.monthly_amount(charges, model.id),
            "currency": contract.currency,
            "embodied_co2e_kg": model.embodied_co2e_kg,
            "refurbished_in_stock": stock[model.id][0],
            "new_in_stock": stock[model.id][1],
        }
        for model in models
    ]


# -- approving and cancelling -------------------------------------------------------------------------------


def approve_order(
    order_id: int, actor: str, role: str, can_approve: bool, customer_scope: int | None = None
) -> Order:
    """Approve an order waiting over an allowance: a customer user who may approve (its own customer's
    orders), logistics or admin; anyone else 403; an order that is not `requested` 409."""
    order = get_order(order_id, customer_scope, lock=True)
    if not (role in APPROVERS or (role == CUSTOMER and can_approve)):
        raise Forbidden("Only a customer user who may approve, logistics or admin approves orders.")
    check_move(order, "approve")
    order.status, order.approved_by, order.approved_at = OrderStatus.APPROVED, actor, clock.now()
    db.session.flush()
    return order


def cancel_order(order_id: int, actor: str, customer_scope: int | None = None) -> Order:
    """Cancel before anything is packed or shipped: the devices held for it go back to stock (a custody
    event each) and their allocations are released."""
    order = get_order(order_id, customer_scope, lock=True)
    check_move(order, "cancel")
    allocations = db.session.scalars(
        select(OrderAllocation)
        .where(
            OrderAllocation.order_id == order.id,
            OrderAllocation.state.in_((AllocationState.RESERVED, AllocationState.DELIVERED)),
        )
        .order_by(OrderAllocation.device_id)
    ).all()
    if any(a.state == AllocationState.DELIVERED or a.shipment_id is not None for a in allocations):
        raise Conflict(
            f"Order {order.id} has devices packed or shipped; it can no longer be cancelled.",
            errors={"status": ["Devices are packed or on their way."]},
        )
    today = clock.today()
    for allocation in allocations:
        device = db.session.scalar(
            select(Device)
            .where(Device.id == allocation.device_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        transition_device(
            device,
            "release",
            max(today, _last_event_day(device.id)),
            actor,
            contract_id=order.contract_id,
            reference=f"order {order.id}",
        )
        allocation.state, allocation.released_at = AllocationState.RELEASED, clock.now()
    order.status, order.cancelled_by, order.cancelled_at = OrderStatus.CANCELLED, actor, clock.now()
    db.session.flush()
    return order


def _last_event_day(device_id: int) -> date:
    return (
        db.session.scalar(
            select(func.max(CustodyEvent.occurred_on)).where(CustodyEvent.device_id == device_id)
        )
        or date.min
    )


# -- a refresh's replacement --------------------------------------------------------------------------------


def open_replacement_order(refresh_order_id: int, actor: str) -> Order:
    """An approved refresh `replace` ships its replacement through an approved order: the replacement SKU
    on the device's contract, for the person the old device served, to their address (else the customer's
    billing address) and region (else the customer's pickup region), from the refresh's due date (today if
    that is past). The refresh is then completed by the delivery, not by hand."""
    refresh = db.session.scalar(
        select(RefreshOrder).where(RefreshOrder.id == refresh_order_id).with_for_update()
    )
    if refresh is None:
        raise NotFound(f"No refresh order {refresh_order_id}.")
    if refresh.status != RefreshStatus.APPROVED or refresh.action != RefreshAction.REPLACE:
        raise Conflict(
            f"Refresh order {refresh.id} is not an approved replacement.",
            errors={"status": [f"The refresh order is {refresh.status}."]},
        )
    contract = db.session.get(Contract, refresh.contract_id)
    model = db.session.scalar(select(DeviceModel).where(DeviceModel.sku == refresh.replacement_sku))
    charges = plan_device_charges([contract.plan_id])[contract.plan_id]
    if model is None or rules.monthly_amount(charges, model.id) is None:
        raise Invalid.field(
            "replacement_sku", f"Plan {contract.plan.code} does not bill {refresh.replacement_sku}."
        )
    person_id = db.session.scalar(select(Deployment.person_id).where(Deployment.id == refresh.deployment_id))
    person = db.session.get(Person, person_id) if person_id is not None else None
    if person is not None and person.status != PersonStatus.ACTIVE:
        person = None  # someone leaving gets no replacement: it goes to the customer
    customer = db.session.get(Customer, contract.customer_id)
    if person is not None:
        address = _address_of(person)
    else:
        address = {
            "line1": customer.address_line1,
            "line2": customer.address_line2,
            "postcode": customer.postcode,
            "city": customer.city,
            "country": customer.country,
        }
        if not (address["line1"] and address["postcode"] and address["city"]):
            raise Conflict(
                "The replacement has no one to go to: the device serves no person and the customer's "
                "billing address is incomplete.",
                errors={"address": ["Complete the customer's billing address first."]},
            )
    order = place_order(
        contract.id,
        [{"sku": model.sku, "quantity": 1, "person_id": person.id if person else None}],
        max(refresh.due_date, clock.today()),
        actor,
        address=None if person is not None else address,
        region=(person.region if person is not None else None) or customer.pickup_region,
        refresh_order_id=refresh.id,
    )
    refresh.completes_on_delivery = True
    db.session.flush()
    return order
