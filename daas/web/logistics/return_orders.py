"""Return orders: the list (by state and region), an order's page and its steps: book or move the pickup
on a day with room, mark it picked up, received at the warehouse, or cancelled."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import redirect, render_template, url_for
from flask_wtf import FlaskForm

from daas.core import clock
from daas.customers.services import customer_names
from daas.logistics import returns, slots
from daas.logistics.models import RETURN_STATUSES
from daas.usecases import logistics as use_cases
from daas.web.logistics import blp, label, queries
from daas.web.logistics.forms import PickupForm, ReceiveForm, ReturnFilterForm, ScheduleForm
from daas.web.pages import audience, carry_out, options, pager, principal

SCHEDULE_DAYS = 60  # how far ahead the date picker of a return order looks for free slots


@blp.get("/returns", endpoint="returns")
@audience("logistics")
def returns_list() -> Any:
    form = ReturnFilterForm()
    form.status.choices = options([("", "All states"), *[(s, label(s)) for s in RETURN_STATUSES]])
    form.region.choices = options([("", "All regions"), *[(r, r) for r in queries.known_regions()]])
    page = pager(25)
    rows, total = returns.list_return_orders(
        form.status.data if form.status.data in RETURN_STATUSES else None,
        form.region.data or None,
        None,
        None,
        page.offset,
        page.size,
    )
    return render_template(
        "logistics/returns.html",
        form=form,
        orders=rows,
        devices=queries.devices_of_orders(order.id for order in rows),
        customers=customer_names(order.customer_id for order in rows),
        pager=page.with_total(total),
    )


def _order_page(order_id: int, **forms: FlaskForm) -> str:
    order = returns.get_return_order(order_id)
    today = clock.today()
    schedule = forms.get("schedule") or ScheduleForm()
    free = slots.free_slots(order.region, today, today + timedelta(days=SCHEDULE_DAYS))
    schedule.date.choices = options(
        (
            slot.date.isoformat(),
            f"{slot.date.isoformat()} ({slot.date:%a}): "
            f"{slot.capacity - slot.booked} of {slot.capacity} free",
        )
        for slot in free
        if order.slot is None or slot.date != order.slot.date
    )
    pickup = forms.get("pickup") or PickupForm(data={"picked_up_on": today})
    receive = forms.get("receive") or ReceiveForm(data={"received_on": today})
    return render_template(
        "logistics/return_order.html",
        order=order,
        customer=customer_names([order.customer_id]).get(order.customer_id, ""),
        devices=queries.devices_of_orders([order.id])[order.id],
        schedule=schedule,
        pickup=pickup,
        receive=receive,
        window=SCHEDULE_DAYS,
    )


@blp.get("/returns/<int:order_id>")
@audience("logistics")
def returns_show(order_id: int) -> Any:
    return _order_page(order_id)


@blp.post("/returns/<int:order_id>/schedule")
@audience("logistics")
def returns_schedule(order_id: int) -> Any:
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            day = date.fromisoformat(form.date.data)
        except ValueError:
            form.date.errors = ["Choose a date from the list."]
        else:
            done = carry_out(
                form,
                lambda: use_cases.schedule_pickup(order_id, day),
                f"Return order {order_id} is scheduled for pickup on {day.isoformat()}.",
            )
            if done is not None:
                return redirect(url_for("logistics.returns_show", order_id=order_id))
    return _order_page(order_id, schedule=form), 422


def _order_action(order_id: int, name: str, form: FlaskForm, call: Any, success: Any) -> Any:
    """A step of a return order from its page: done, back to the order; refused, the page with the error."""
    if form.validate_on_submit() and carry_out(form, call, success) is not None:
        return redirect(url_for("logistics.returns_show", order_id=order_id))
    return _order_page(order_id, **{name: form}), 422


@blp.post("/returns/<int:order_id>/pickup")
@audience("logistics")
def returns_pickup(order_id: int) -> Any:
    form = PickupForm()
    return _order_action(
        order_id,
        "pickup",
        form,
        lambda: use_cases.record_pickup(
            order_id,
            form.picked_up_on.data,
            principal().actor,
            form.carrier.data or None,
            form.tracking.data or None,
        ),
        lambda order: (
            f"Return order {order.id} is picked up on {order.picked_up_on.isoformat()}: "
            "its devices are in transit and no longer billed from that day."
        ),
    )


@blp.post("/returns/<int:order_id>/receive")
@audience("logistics")
def returns_receive(order_id: int) -> Any:
    form = ReceiveForm()
    return _order_action(
        order_id,
        "receive",
        form,
        lambda: use_cases.receive_return(order_id, form.received_on.data, principal().actor),
        lambda order: (
            f"Return order {order.id} is received on {order.received_on.isoformat()}: "
            "its devices wait to be wiped."
        ),
    )


@blp.post("/returns/<int:order_id>/cancel")
@audience("logistics")
def returns_cancel(order_id: int) -> Any:
    carry_out(
        None,
        lambda: use_cases.cancel_return(order_id, principal().actor),
        f"Return order {order_id} is cancelled: its slot is free and its devices stay deployed.",
    )
    return redirect(url_for("logistics.returns_show", order_id=order_id))
