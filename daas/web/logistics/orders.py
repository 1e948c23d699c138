"""Orders: the work lists on one page (to allocate, backorders, to pick and pack, packed to ship, in
transit; each with its count), allocating one order or serving every backorder, an order's page, and the
scanner-friendly pick and pack screen: scan each serial (one device per scan: the scanned ones and those
still missing are shown), give the packaging by material or a reusable box, and create the shipment, which
books its delivery date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import redirect, render_template, request, url_for

from daas.core.errors import DomainError
from daas.customers.services import customer_names
from daas.orders import order_views, ordering, shipment_views
from daas.orders.allocation import held_units
from daas.orders.lifecycle import OrderStatus, ShipmentStatus, order_moves_from
from daas.people.services import get_person
from daas.usecases import orders as use_cases
from daas.usecases import shipments as shipment_use_cases
from daas.web.logistics import blp, queries
from daas.web.logistics.order_forms import MATERIALS, PackForm
from daas.web.pages import audience, carry_out, principal
from daas.web.tracking import tracking_url

T = TypeVar("T")
LIST_SIZE = 100  # rows per work list; the count says how many there are in all


@blp.get("/orders", endpoint="orders")
@audience("logistics")
def orders_list() -> Any:
    approved, approved_total = ordering.list_orders(status=OrderStatus.APPROVED, limit=LIST_SIZE)
    backordered, backordered_total = ordering.list_orders(status=OrderStatus.BACKORDERED, limit=LIST_SIZE)
    to_pack = queries.orders_to_pack()
    packed, packed_total = shipment_views.list_shipments(status=ShipmentStatus.PACKED, limit=LIST_SIZE)
    shipped, shipped_total = shipment_views.list_shipments(status=ShipmentStatus.SHIPPED, limit=LIST_SIZE)
    packed = sorted(packed, key=lambda s: (s.slot is None, s.slot.date if s.slot else None, s.id))
    shipped = sorted(shipped, key=lambda s: (s.slot is None, s.slot.date if s.slot else None, s.id))
    orders = [*approved, *backordered, *(order for order, _ in to_pack)]
    order_customers = {order.id: order.customer_id for order in orders}
    order_customers.update(queries.customers_of_orders(s.order_id for s in (*packed, *shipped)))
    lists = {
        "approved": (approved, approved_total),
        "backordered": (backordered, backordered_total),
        "to_pack": (to_pack, len(to_pack)),
        "packed": (packed, packed_total),
        "shipped": (shipped, shipped_total),
    }
    return render_template(
        "logistics/orders.html",
        lists=lists,
        views={view["id"]: view for view in order_views.order_views(orders)},
        held={order.id: sum(held_units(order.id).values()) for order in backordered},
        customers=customer_names(order_customers.values()),
        order_customers=order_customers,
        serials=shipment_views.serials_by_shipment([s.id for s in (*packed, *shipped)]),
        tracking_url=tracking_url,
    )


@blp.post("/orders/allocate-backorders")
@audience("logistics")
def orders_allocate_backorders() -> Any:
    carry_out(
        None,
        lambda: use_cases.allocate_backorders(principal().actor),
        lambda report: (
            f"Allocation round done: {len(report.allocated)} order(s) allocated, "
            f"{len(report.backordered)} still waiting for stock"
            + (f", {len(report.failed)} not served" if report.failed else "")
            + "."
        ),
    )
    return redirect(url_for("logistics.orders"))


@blp.post("/orders/<int:order_id>/allocate")
@audience("logistics")
def orders_allocate(order_id: int) -> Any:
    ordering.get_order(order_id)  # 404 for an unknown order
    carry_out(
        None,
        lambda: use_cases.allocate_order(order_id, principal().actor),
        lambda order: (
            f"Order #{order.id} is allocated: every device is held; pick and pack it."
            if order.status == OrderStatus.ALLOCATED
            else f"Order #{order.id} is backordered: not every device is in stock; it holds what there is."
        ),
    )
    if request.form.get("next") == "order":
        return redirect(url_for("logistics.orders_show", order_id=order_id))
    return redirect(url_for("logistics.orders"))


@blp.get("/orders/<int:order_id>")
@audience("logistics")
def orders_show(order_id: int) -> Any:
    order = ordering.get_order(order_id)
    view = order_views.order_view(order)
    sent = shipment_views.shipments_of_order(order.id)
    return render_template(
        "logistics/order.html",
        order=order,
        view=view,
        customer=customer_names([order.customer_id]).get(order.customer_id, ""),
        people={
            person_id: get_person(person_id)
            for person_id in {line["person_id"] for line in view["lines"]}
            if person_id is not None
        },
        shipments=sent,
        serials=shipment_views.serials_by_shipment([shipment.id for shipment in sent]),
        to_pack=queries.devices_to_pack(order.id),
        moves=order_moves_from(order.status),
        may_cancel=ordering.may_cancel(order),
        tracking_url=tracking_url,
    )


@blp.post("/orders/<int:order_id>/cancel")
@audience("logistics")
def orders_cancel(order_id: int) -> Any:
    ordering.get_order(order_id)
    carry_out(
        None,
        lambda: use_cases.cancel_order(order_id, principal().actor),
        f"Order #{order_id} is cancelled; the devices held for it are back in stock.",
    )
    return redirect(url_for("logistics.orders_show", order_id=order_id))


# -- pick and pack ------------------------------------------------------------------------------------------


def _pack_page(order: Any, form: PackForm, status: int = 200) -> tuple[str, int]:
    pick_list = queries.devices_to_pack(order.id)
    scanned = set(form.serials.data or [])
    return (
        render_template(
            "logistics/pack.html",
            order=order,
            customer=customer_names([order.customer_id]).get(order.customer_id, ""),
            form=form,
            scanned=[device for device in pick_list if device.serial in scanned],
            missing=[device for device in pick_list if device.serial not in scanned],
            materials=MATERIALS,
        ),
        status,
    )


def _scan(form: PackForm, order_id: int) -> bool:
    """Add the scanned serial to the scanned ones when it is on the order's pick list (whatever its case,
    as a scanner may change it); say why not beside the serial box otherwise."""
    typed = (form.serial.data or "").strip()
    if not typed:
        return True
    pick_list = {device.serial.lower(): device.serial for device in queries.devices_to_pack(order_id)}
    serial = pick_list.get(typed.lower())
    scanned = form.serials.data or []
    if serial is None:
        form.serial.errors = [f"{typed} is not on the pick list of order #{order_id}."]
        return False
    if serial in scanned:
        form.serial.errors = [f"{serial} is scanned already."]
        return False
    form.serials.data = [*scanned, serial]
    form.serial.data = ""
    return True


def _beside_packaging(form: PackForm, action: Callable[[], T]) -> Callable[[], T]:
    """`action`, with the services' errors about one material of the packaging (`packaging.<i>.kg`) put
    beside that material's weight, and those about a scanned device beside the scanned list."""
    weighed = [item["material"] for item in form.packaging_list() or []]

    def run() -> T:
        try:
            return action()
        except DomainError as error:
            packaging = (error.errors or {}).get("packaging")
            if isinstance(packaging, dict):
                for index, problems in packaging.items():
                    if str(index).isdigit() and int(index) < len(weighed):
                        field = form.kg_field(weighed[int(index)])
                        field.errors = [*field.errors, *_flat(problems)]
                error.errors = {name: value for name, value in error.errors.items() if name != "packaging"}
            raise

    return run


def _flat(problems: Any) -> list[str]:
    if isinstance(problems, dict):
        return [message for value in problems.values() for message in _flat(value)]
    return [str(message) for message in problems]


@blp.route("/orders/<int:order_id>/pack", methods=["GET", "POST"])
@audience("logistics")
def orders_pack(order_id: int) -> Any:
    order = ordering.get_order(order_id)
    if request.method == "GET":
        return _pack_page(order, PackForm(formdata=None))
    form = PackForm()
    if not form.validate_on_submit():
        return _pack_page(order, form, 422)
    if "remove" in request.form:
        form.serials.data = [s for s in form.serials.data if s != request.form["remove"]]
        return _pack_page(order, form)
    if not _scan(form, order.id):
        return _pack_page(order, form, 422)
    if request.form.get("action") != "create":
        return _pack_page(order, form)
    shipment = carry_out(
        form,
        _beside_packaging(
            form,
            lambda: shipment_use_cases.create_shipment(
                order.id,
                form.serials.data,
                principal().actor,
                packaging=form.packaging_list(),
                reusable_box_id=form.reusable_box_id.data or None,
            ),
        ),
        _packed_message,
    )
    if shipment is None:
        return _pack_page(order, form, 422)
    return redirect(url_for("logistics.shipments_show", shipment_id=shipment.id))


def _packed_message(shipment: Any) -> str:
    count = len(shipment_views.serials_of(shipment))
    if shipment.slot is None:
        return (
            f"Shipment #{shipment.id} of {count} device(s) is packed. No delivery slot of {shipment.region} "
            "had room in the window: it has no delivery date yet (open delivery capacity in the calendar)."
        )
    return (
        f"Shipment #{shipment.id} of {count} device(s) is packed: delivery on "
        f"{shipment.slot.date.isoformat()}."
    )
