"""Orders: ordering devices from a subscription's catalog (model, monthly price, embodied footprint and the
refurbished stock; a quantity per model, for a person or to an address, on a day, refurbished or not), the
customer's orders with their lines, serials and shipments (carrier, tracking, expected delivery), and on an
order its cancellation or, for a user who may approve, its approval over an allowance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from daas.contracts.models import Contract
from daas.contracts.services import get_contract, list_contracts
from daas.core import clock
from daas.core.errors import DomainError
from daas.orders import catalog, order_views, ordering, shipment_views
from daas.orders.lifecycle import OrderStatus
from daas.people.models import PersonStatus
from daas.people.services import get_person, list_people
from daas.usecases import orders as use_cases
from daas.web.pages import audience, carry_out, options, pager, principal
from daas.web.portal import blp
from daas.web.portal.common import customer_scope
from daas.web.portal.order_forms import ChooseContractForm, OrderFilterForm, OrderForm
from daas.web.portal.people import ADDRESS_PARTS
from daas.web.tracking import tracking_url

T = TypeVar("T")
TO_AN_ADDRESS = ""  # the person choice of an order delivered to the address typed on the form


def _contract_form(contracts: list[Contract], data: dict[str, str]) -> ChooseContractForm:
    form = ChooseContractForm(MultiDict(data))
    form.contract.choices = options(
        [(c.id, f"#{c.id} {c.plan.name} (until {c.end_date.isoformat()})") for c in contracts]
    )
    return form


def _person_choices(form: OrderForm) -> None:
    people, _ = list_people(status=PersonStatus.ACTIVE, offset=0, limit=1000, customer_scope=customer_scope())
    form.person_id.choices = options(
        [(TO_AN_ADDRESS, "No one in particular: deliver to the address below")]
        + [(str(p.id), f"{p.name} ({p.cost_centre or 'no cost centre'}, {p.city})") for p in people]
    )


def _order_form(contract: Contract, catalog: list[dict[str, Any]]) -> OrderForm:
    if request.method == "POST":
        form = OrderForm()
    else:
        form = OrderForm(
            formdata=None,
            data={
                "contract_id": str(contract.id),
                "lines": [{"sku": item["sku"], "quantity": 0} for item in catalog],
                "requested_date": max(clock.today(), contract.start_date),
                "person_id": request.args.get("person", TO_AN_ADDRESS),
            },
        )
    _person_choices(form)
    return form


def _beside_lines(form: OrderForm, action: Callable[[], T]) -> Callable[[], T]:
    """`action`, with the services' errors put where the page shows them: a line's (`lines.<i>.sku`,
    `.quantity`) beside the quantity of its model's row (the lines' as a whole beside the first), a line's
    person beside the person, the address's parts beside their boxes."""
    rows = [row for row, _ in form.ordered()]

    def run() -> T:
        try:
            return action()
        except DomainError as error:
            remaining: dict[str, Any] = {}
            for name, messages in (error.errors or {}).items():
                parts = str(name).split(".")
                if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
                    if parts[2] == "person_id":
                        remaining["person_id"] = messages
                    elif int(parts[1]) < len(rows):
                        quantity = form.lines[rows[int(parts[1])]].form.quantity
                        quantity.errors = [*quantity.errors, *messages]
                    else:
                        remaining[name] = messages
                elif name == "lines" and form.lines.entries:  # nothing ordered: said at the first model
                    quantity = form.lines[0].form.quantity
                    quantity.errors = [*quantity.errors, *messages]
                elif parts[0] == "address":
                    remaining[parts[1] if len(parts) == 2 and parts[1] in ADDRESS_PARTS else "line1"] = (
                        messages
                    )
                else:
                    remaining[name] = messages
            error.errors = remaining
            raise

    return run


@blp.route("/order-devices", methods=["GET", "POST"], endpoint="order_devices")
@audience("customer")
def order_devices() -> Any:
    scope = customer_scope()
    contracts, _ = list_contracts(status="active", customer_scope=scope, offset=0, limit=200)
    if not contracts:
        flash("You have no active subscription to order devices on.", "warning")
        return redirect(url_for("portal.orders"))
    if request.method == "POST":
        raw = request.form.get("contract_id", "")
        if not raw.isdigit():
            abort(400)
        contract = get_contract(int(raw), scope)
        choose = _contract_form(contracts, {"contract": str(contract.id)})
    else:
        choose = _contract_form(contracts, {"contract": str(contracts[0].id), **request.args.to_dict()})
        if not choose.validate():
            return _order_page(choose, None, None, []), 422
        contract = get_contract(choose.contract.data, scope)
    offer = catalog.contract_catalog(contract.id, scope)
    form = _order_form(contract, offer)
    if request.method == "POST" and form.validate_on_submit():
        person = form.person_id.data or TO_AN_ADDRESS
        order = carry_out(
            form,
            _beside_lines(
                form,
                lambda: use_cases.place_order(
                    contract.id,
                    [line for _, line in form.ordered()],
                    form.requested_date.data,
                    principal().actor,
                    address=form.address() if person == TO_AN_ADDRESS or form.has_address() else None,
                    region=form.region.data or None,
                    accept_refurbished=form.accept_refurbished.data,
                    lowest_grade=form.lowest_grade.data,
                    customer_scope=scope,
                ),
            ),
            _placed_message,
        )
        if order is not None:
            return redirect(url_for("portal.orders_show", order_id=order.id))
    status = 422 if request.method == "POST" else 200
    return _order_page(choose, form, contract, offer), status


def _order_page(
    choose: ChooseContractForm,
    form: OrderForm | None,
    contract: Contract | None,
    catalog: list[dict[str, Any]],
) -> str:
    return render_template(
        "portal/order_new.html",
        choose=choose,
        form=form,
        contract=contract,
        catalog={item["sku"]: item for item in catalog},
    )


def _placed_message(order: Any) -> str:
    units = sum(line.quantity for line in order.lines)
    if order.status == OrderStatus.REQUESTED:
        return (
            f"Order #{order.id} of {units} device(s) is placed. It is over a person's monthly allowance, "
            "so it waits for an approver."
        )
    return f"Order #{order.id} of {units} device(s) is placed and approved: we prepare the devices."


# -- the customer's orders ----------------------------------------------------------------------------------


@blp.get("/orders", endpoint="orders")
@audience("customer")
def orders_list() -> Any:
    form = OrderFilterForm()
    status = form.status.data if form.validate() and form.status.data else None
    page = pager(25)
    rows, total = ordering.list_orders(
        status=status, offset=page.offset, limit=page.size, customer_scope=customer_scope()
    )
    return render_template(
        "portal/orders.html",
        form=form,
        orders=order_views.order_views(rows),
        pager=page.with_total(total),
        filtered=status is not None,
    )


@blp.get("/orders/<int:order_id>")
@audience("customer")
def orders_show(order_id: int) -> Any:
    scope = customer_scope()
    order = ordering.get_order(order_id, scope)  # another customer's order: 404
    view = order_views.order_view(order)
    people = {
        person_id: get_person(person_id, scope)
        for person_id in {line["person_id"] for line in view["lines"]}
        if person_id is not None
    }
    sent = shipment_views.shipments_of_order(order.id)
    return render_template(
        "portal/order.html",
        order=order,
        view=view,
        people=people,
        shipments=sent,
        serials=shipment_views.serials_by_shipment([shipment.id for shipment in sent]),
        tracking_url=tracking_url,
        may_cancel=ordering.may_cancel(order),
        may_approve=ordering.may_approve(order, principal().role, principal().can_approve),
        contract=get_contract(order.contract_id, scope),
    )


@blp.post("/orders/<int:order_id>/cancel")
@audience("customer")
def orders_cancel(order_id: int) -> Any:
    ordering.get_order(order_id, customer_scope())  # another customer's order: 404
    carry_out(
        None,
        lambda: use_cases.cancel_order(order_id, principal().actor, customer_scope()),
        f"Order #{order_id} is cancelled.",
    )
    return redirect(url_for("portal.orders_show", order_id=order_id))


@blp.post("/orders/<int:order_id>/approve")
@audience("customer")
def orders_approve(order_id: int) -> Any:
    ordering.get_order(order_id, customer_scope())
    signed_in = principal()
    carry_out(
        None,
        lambda: use_cases.approve_order(
            order_id, signed_in.actor, signed_in.role, signed_in.can_approve, customer_scope()
        ),
        f"Order #{order_id} is approved: we prepare the devices.",
    )
    return redirect(url_for("portal.orders_show", order_id=order_id))
