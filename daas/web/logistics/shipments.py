"""Shipments: a shipment's page (its devices, packaging, booked delivery date and packing slip) and its
steps: shipped with a carrier and tracking number, delivered (the day and who received it), or a failed
delivery (send again, or back to stock)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask_wtf import FlaskForm

from daas.core import clock
from daas.customers.services import customer_names
from daas.downloads import PDF_MIMETYPE, download
from daas.orders import ordering, shipment_views
from daas.orders.lifecycle import shipment_moves_from
from daas.usecases import shipments as use_cases
from daas.web.logistics import blp, label
from daas.web.logistics.order_forms import MATERIALS, RETRY, DeliverForm, FailForm, ShipForm
from daas.web.pages import audience, carry_out, principal
from daas.web.tracking import tracking_url


def _shipment_page(shipment_id: int, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    shipment = shipment_views.get_shipment(shipment_id)
    order = ordering.get_order(shipment.order_id)
    today = clock.today()
    return (
        render_template(
            "logistics/shipment.html",
            shipment=shipment,
            order=order,
            customer=customer_names([order.customer_id]).get(order.customer_id, ""),
            serials=shipment_views.serials_of(shipment),
            materials=MATERIALS,
            moves=shipment_moves_from(shipment.status),
            ship=forms.get("ship") or ShipForm(formdata=None, data={"shipped_on": today}),
            deliver=forms.get("deliver") or DeliverForm(formdata=None, data={"delivered_on": today}),
            fail=forms.get("fail") or FailForm(formdata=None),
            tracking_url=tracking_url,
        ),
        status,
    )


@blp.get("/shipments/<int:shipment_id>")
@audience("logistics")
def shipments_show(shipment_id: int) -> Any:
    return _shipment_page(shipment_id)


@blp.get("/shipments/<int:shipment_id>/packing-slip.pdf")
@audience("logistics")
def shipments_packing_slip(shipment_id: int) -> Any:
    shipment = shipment_views.get_shipment(shipment_id)
    return download(
        shipment_views.packing_slip(shipment), PDF_MIMETYPE, f"packing-slip-{shipment.id}.pdf", inline=True
    )


def _step(shipment_id: int, name: str, form: FlaskForm, call: Any, success: Any) -> Any:
    """A step from the shipment's page: done, back to the shipment; refused, the page with the error."""
    shipment_views.get_shipment(shipment_id)  # 404 for an unknown shipment
    if form.validate_on_submit() and carry_out(form, call, success) is not None:
        return redirect(url_for("logistics.shipments_show", shipment_id=shipment_id))
    return _shipment_page(shipment_id, 422, **{name: form})


@blp.post("/shipments/<int:shipment_id>/ship")
@audience("logistics")
def shipments_ship(shipment_id: int) -> Any:
    form = ShipForm()
    return _step(
        shipment_id,
        "ship",
        form,
        lambda: use_cases.ship_shipment(
            shipment_id,
            form.carrier.data.strip(),
            form.tracking.data.strip(),
            form.shipped_on.data,
            principal().actor,
        ),
        lambda shipment: (
            f"Shipment #{shipment.id} is shipped on {shipment.shipped_on.isoformat()} with "
            f"{shipment.carrier} ({shipment.tracking})."
        ),
    )


@blp.post("/shipments/<int:shipment_id>/deliver")
@audience("logistics")
def shipments_deliver(shipment_id: int) -> Any:
    form = DeliverForm()
    return _step(
        shipment_id,
        "deliver",
        form,
        lambda: use_cases.deliver_shipment(
            shipment_id, form.delivered_on.data, form.received_by.data.strip(), principal().actor
        ),
        lambda shipment: (
            f"Shipment #{shipment.id} is delivered on {shipment.delivered_on.isoformat()}: its devices are "
            "deployed and billed from that day."
        ),
    )


@blp.post("/shipments/<int:shipment_id>/fail")
@audience("logistics")
def shipments_fail(shipment_id: int) -> Any:
    form = FailForm()
    return _step(
        shipment_id,
        "fail",
        form,
        lambda: use_cases.fail_shipment(shipment_id, form.retry.data == RETRY, principal().actor),
        lambda shipment: (
            f"Shipment #{shipment.id} failed: its devices wait to be packed again."
            if shipment.retry
            else f"Shipment #{shipment.id} failed: its devices are back in stock; the order is "
            f"{label(ordering.get_order(shipment.order_id).status)}."
        ),
    )
