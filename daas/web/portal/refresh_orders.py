"""Refreshes: the orders proposed for the customer's devices, and on each the decision (upgrade, or
replace with a chosen model) or a new date."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for

from daas.catalog.services import list_device_models
from daas.devices.models import Device
from daas.extensions import db
from daas.logistics import refresh
from daas.logistics.models import RefreshStatus
from daas.logistics.rules import RefreshAction
from daas.usecases import logistics as use_cases
from daas.web.pages import audience, carry_out, options, pager, principal
from daas.web.portal import blp
from daas.web.portal.common import booking_window_days, customer_scope
from daas.web.portal.forms import ApproveForm, RefreshFilterForm, RescheduleForm


@blp.get("/refresh-orders")
@audience("customer")
def refresh_orders() -> Any:
    form = RefreshFilterForm()
    status = form.status.data if form.validate() else RefreshStatus.OPEN
    page = pager(25)
    rows, total = refresh.list_refresh_orders(status or None, customer_scope(), page.offset, page.size)
    return render_template(
        "portal/refresh_orders.html",
        form=form,
        orders=rows,
        serials={order.id: refresh.serial_of(order) for order in rows},
        pager=page.with_total(total),
        status=status,
    )


def _refresh_page(
    order_id: int, approve: ApproveForm | None = None, reschedule: RescheduleForm | None = None
):
    order = refresh.get_refresh_order(order_id, customer_scope())
    device = db.session.get(Device, order.device_id)
    approve = approve or ApproveForm(formdata=None, action=order.proposed_action)
    _replacement_choices(approve, device)
    reschedule = reschedule or RescheduleForm(formdata=None, due_date=order.due_date)
    return render_template(
        "portal/refresh_order.html",
        order=order,
        device=device,
        approve=approve,
        reschedule=reschedule,
        return_order_id=refresh.return_order_of(order),
    )


def _replacement_choices(form: ApproveForm, device: Device) -> None:
    models, _ = list_device_models(category=device.device_model.category, offset=0, limit=200)
    form.replacement_sku.choices = options(
        [("", f"The same model ({device.device_model.name})")]
        + [
            (model.sku, f"{model.manufacturer} {model.name} ({model.sku})")
            for model in models
            if model.id != device.device_model_id
        ]
    )


@blp.get("/refresh-orders/<int:order_id>")
@audience("customer")
def refresh_orders_show(order_id: int) -> Any:
    return _refresh_page(order_id)


@blp.post("/refresh-orders/<int:order_id>/approve")
@audience("customer")
def refresh_orders_approve(order_id: int) -> Any:
    order = refresh.get_refresh_order(order_id, customer_scope())
    form = ApproveForm()
    _replacement_choices(form, db.session.get(Device, order.device_id))
    if form.validate_on_submit():
        action = form.action.data
        sku = (form.replacement_sku.data or None) if action == RefreshAction.REPLACE else None
        done = carry_out(
            form,
            lambda: use_cases.approve_refresh(
                order.id, action, principal().actor, booking_window_days(), sku, customer_scope()
            ),
            _approved_message,
        )
        if done is not None:
            return redirect(url_for("portal.refresh_orders_show", order_id=order_id))
    return _refresh_page(order_id, approve=form), 422


def _approved_message(order: Any) -> str:
    serial = refresh.serial_of(order)
    if order.action == RefreshAction.UPGRADE:
        return f"Approved: device {serial} will be upgraded around {order.due_date.isoformat()}."
    return_id = refresh.return_order_of(order)
    return (
        f"Approved: device {serial} will be replaced by a {order.replacement_sku}; "
        f"return order #{return_id} collects the old one."
    )


@blp.post("/refresh-orders/<int:order_id>/reschedule")
@audience("customer")
def refresh_orders_reschedule(order_id: int) -> Any:
    refresh.get_refresh_order(order_id, customer_scope())
    form = RescheduleForm()
    if form.validate_on_submit():
        done = carry_out(
            form,
            lambda: use_cases.reschedule_refresh(order_id, form.due_date.data, customer_scope()),
            lambda order: (
                f"The refresh of device {refresh.serial_of(order)} is moved to {order.due_date.isoformat()}."
            ),
        )
        if done is not None:
            return redirect(url_for("portal.refresh_orders_show", order_id=order_id))
    return _refresh_page(order_id, reschedule=form), 422
