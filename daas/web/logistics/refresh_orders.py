"""Refresh orders to fulfil: the list (approved ones first shown), an order's page, and completing it
(an upgrade recorded, or the replacement deployed on the contract)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for

from daas.core import clock
from daas.logistics import refresh
from daas.logistics.models import REFRESH_STATUSES, RefreshStatus
from daas.logistics.rules import RefreshAction
from daas.settings import current_settings
from daas.usecases import logistics as use_cases
from daas.web.logistics import blp, label, queries
from daas.web.logistics.forms import CompleteForm, RefreshFilterForm
from daas.web.pages import audience, carry_out, options, pager, principal


@blp.get("/refresh-orders", endpoint="refresh_orders")
@audience("logistics")
def refresh_orders_list() -> Any:
    form = RefreshFilterForm()
    form.status.choices = options([("", "All states"), *[(s, label(s)) for s in REFRESH_STATUSES]])
    status = request.args.get("status", RefreshStatus.APPROVED)
    page = pager(25)
    rows, total = refresh.list_refresh_orders(
        status if status in REFRESH_STATUSES else None, None, page.offset, page.size
    )
    serials = queries.serials_of_devices(order.device_id for order in rows)
    return render_template(
        "logistics/refresh_orders.html",
        form=form,
        status=status,
        orders=[(order, serials[order.device_id]) for order in rows],
        pager=page.with_total(total),
    )


def _refresh_page(order_id: int, form: CompleteForm | None = None, status: int = 200) -> Any:
    order = refresh.get_refresh_order(order_id)
    return (
        render_template(
            "logistics/refresh_order.html",
            order=order,
            serial=refresh.serial_of(order),
            return_order_id=refresh.return_order_of(order),
            form=form or CompleteForm(formdata=None, data={"completed_on": clock.today()}),
            extension_months=current_settings().upgrade.extension_months,
        ),
        status,
    )


@blp.get("/refresh-orders/<int:order_id>")
@audience("logistics")
def refresh_orders_show(order_id: int) -> Any:
    return _refresh_page(order_id)


@blp.post("/refresh-orders/<int:order_id>/complete")
@audience("logistics")
def refresh_orders_complete(order_id: int) -> Any:
    order = refresh.get_refresh_order(order_id)
    form = CompleteForm()
    if form.validate_on_submit():
        upgrade = order.action == RefreshAction.UPGRADE
        done = carry_out(
            form,
            lambda: use_cases.complete_refresh(
                order_id,
                form.completed_on.data,
                principal().actor,
                current_settings().upgrade,
                form.extension_months.data if upgrade else None,
                None if upgrade else (form.replacement_serial.data or None),
                form.kit.data or "battery",
            ),
            lambda done: (
                f"Refresh order {done.id} is completed on {done.completed_on.isoformat()}"
                + (
                    f": {done.action} recorded."
                    if upgrade
                    else ": the replacement is deployed on the contract."
                )
            ),
        )
        if done is not None:
            return redirect(url_for("logistics.refresh_orders"))
    return _refresh_page(order_id, form, 422)
