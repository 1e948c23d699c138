"""The pickup and delivery capacity calendar: a region's pickup slots of a month with their bookings and
the return orders booked, next to its delivery slots with the shipments booked; adding a slot of either
kind, changing a slot's capacity, and a calendar token for the links of both iCalendar feeds."""

from __future__ import annotations

import calendar as months
from datetime import date, timedelta
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from daas.core import clock
from daas.customers.services import customer_names
from daas.logistics import slots
from daas.orders import delivery_slots
from daas.usecases import auth as auth_use_cases
from daas.usecases import logistics as use_cases
from daas.usecases import shipments as shipment_use_cases
from daas.web.logistics import blp, queries
from daas.web.logistics.forms import CalendarFilterForm, CapacityForm, SlotForm
from daas.web.logistics.order_forms import DeliverySlotForm
from daas.web.pages import audience, carry_out, options, pager, principal


def _month() -> tuple[date, date]:
    raw = request.args.get("month", "")
    try:
        first = date.fromisoformat(raw + "-01") if raw else clock.today().replace(day=1)
    except ValueError:
        first = clock.today().replace(day=1)
    if not 1900 <= first.year <= 9000:  # the links to the month before and after must exist
        first = clock.today().replace(day=1)
    return first, first.replace(day=months.monthrange(first.year, first.month)[1])


def _calendar_page(
    add: SlotForm | None = None,
    failed: tuple[int, CapacityForm] | None = None,
    feed_token: str | None = None,
    status: int = 200,
    add_delivery: DeliverySlotForm | None = None,
    failed_delivery: tuple[int, CapacityForm] | None = None,
) -> tuple[str, int]:
    form = CalendarFilterForm()
    regions = queries.known_regions()
    form.region.choices = options([("", "All regions"), *[(r, r) for r in regions]])
    region = form.region.data or None
    first, last = _month()
    page = pager(62)
    rows, total = slots.list_slots(region, first, last, page.offset, page.size)
    capacity_forms = {}
    for slot in rows:
        if failed is not None and failed[0] == slot.id:
            capacity_forms[slot.id] = failed[1]
        else:
            capacity_forms[slot.id] = CapacityForm(
                formdata=None, prefix=f"slot-{slot.id}", data={"capacity": slot.capacity}
            )
    if failed is not None and failed[0] not in capacity_forms:  # the slot is not on this page: say it here
        flash(" ".join(failed[1].capacity.errors) or "The capacity was not changed.", "error")
    orders = queries.orders_on_slots(slot.id for slot in rows)
    deliveries, delivery_total = delivery_slots.list_slots(region, first, last, page.offset, page.size)
    delivery_forms = {
        slot.id: failed_delivery[1]
        if failed_delivery is not None and failed_delivery[0] == slot.id
        else CapacityForm(formdata=None, prefix=f"delivery-{slot.id}", data={"capacity": slot.capacity})
        for slot in deliveries
    }
    if failed_delivery is not None and failed_delivery[0] not in delivery_forms:
        flash(" ".join(failed_delivery[1].capacity.errors) or "The capacity was not changed.", "error")
    booked = queries.shipments_on_slots(slot.id for slot in deliveries)
    order_customers = queries.customers_of_orders(s.order_id for found in booked.values() for s in found)
    feed_region = region or (regions[0] if regions else "")
    feed = url_for(
        "takeback.PickupCalendar", _external=True, **({"region": feed_region} if feed_region else {})
    )
    delivery_feed = url_for(
        "shipments.DeliveryCalendar", _external=True, **({"region": feed_region} if feed_region else {})
    )
    previous_month = (first - timedelta(days=1)).strftime("%Y-%m")
    next_month = (last + timedelta(days=1)).strftime("%Y-%m")
    return (
        render_template(
            "logistics/calendar.html",
            form=form,
            region=region,
            first=first,
            last=last,
            slots=rows,
            capacity_forms=capacity_forms,
            orders=orders,
            customers=customer_names(o.customer_id for booked in orders.values() for o in booked),
            add=add or SlotForm(formdata=None, prefix="new", data={"region": region or "", "capacity": 4}),
            pager=page.with_total(max(total, delivery_total)),
            deliveries=deliveries,
            delivery_forms=delivery_forms,
            booked=booked,
            order_customers=order_customers,
            delivery_customers=customer_names(order_customers.values()),
            add_delivery=add_delivery
            or DeliverySlotForm(
                formdata=None, prefix="delivery", data={"region": region or "", "capacity": 10}
            ),
            delivery_feed=delivery_feed,
            feed=feed,
            feed_region=feed_region,
            feed_token=feed_token,
            month_url=lambda month: url_for("logistics.calendar", region=region or "", month=month),
            previous_month=previous_month,
            next_month=next_month,
        ),
        status,
    )


@blp.get("/calendar")
@audience("logistics")
def calendar() -> Any:
    return _calendar_page()


@blp.post("/calendar/slots")
@audience("logistics")
def calendar_add() -> Any:
    form = SlotForm(prefix="new")
    if form.validate_on_submit():
        slot = carry_out(
            form,
            lambda: use_cases.open_pickup_slot(form.region.data, form.date.data, form.capacity.data),
            lambda slot: (
                f"Pickup slot added: {slot.region} on {slot.date.isoformat()}, {slot.capacity} pickups."
            ),
        )
        if slot is not None:
            return redirect(url_for("logistics.calendar", region=slot.region, month=f"{slot.date:%Y-%m}"))
    return _calendar_page(add=form, status=422)


@blp.post("/calendar/slots/<int:slot_id>")
@audience("logistics")
def calendar_capacity(slot_id: int) -> Any:
    slots.get_slot(slot_id)  # 404 for an unknown slot
    form = CapacityForm(prefix=f"slot-{slot_id}")
    if form.validate_on_submit():
        slot = carry_out(
            form,
            lambda: use_cases.change_pickup_capacity(slot_id, form.capacity.data),
            lambda slot: (
                f"Capacity of {slot.region} on {slot.date.isoformat()} is now {slot.capacity} "
                f"({slot.booked} booked)."
            ),
        )
        if slot is not None:
            return redirect(url_for("logistics.calendar", **request.args))
    return _calendar_page(failed=(slot_id, form), status=422)


@blp.post("/calendar/feed-token")
@audience("logistics")
def calendar_token() -> Any:
    """A new calendar token for the signed-in person, shown once inside the feed's link (never stored). It
    opens the feed and nothing else, so a link that leaks (calendar apps share and sync them) gives away no
    more than the pickups; it is revoked on the admin's users page like any token."""
    issued = carry_out(
        None,
        lambda: auth_use_cases.issue_calendar_token(principal().user_id),
        "A token for the calendar feed is created. Copy the link now: it is shown only once.",
    )
    if issued is None:
        return redirect(url_for("logistics.calendar", **request.args))
    body, status = _calendar_page(feed_token=issued[1])
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.post("/calendar/delivery-slots")
@audience("logistics")
def calendar_add_delivery() -> Any:
    form = DeliverySlotForm(prefix="delivery")
    if form.validate_on_submit():
        slot = carry_out(
            form,
            lambda: shipment_use_cases.open_delivery_slot(
                form.region.data, form.date.data, form.capacity.data
            ),
            lambda slot: (
                f"Delivery slot added: {slot.region} on {slot.date.isoformat()}, {slot.capacity} deliveries."
            ),
        )
        if slot is not None:
            return redirect(url_for("logistics.calendar", region=slot.region, month=f"{slot.date:%Y-%m}"))
    return _calendar_page(add_delivery=form, status=422)


@blp.post("/calendar/delivery-slots/<int:slot_id>")
@audience("logistics")
def calendar_delivery_capacity(slot_id: int) -> Any:
    delivery_slots.get_slot(slot_id)  # 404 for an unknown slot
    form = CapacityForm(prefix=f"delivery-{slot_id}")
    if form.validate_on_submit():
        slot = carry_out(
            form,
            lambda: shipment_use_cases.change_delivery_capacity(slot_id, form.capacity.data),
            lambda slot: (
                f"Delivery capacity of {slot.region} on {slot.date.isoformat()} is now {slot.capacity} "
                f"({slot.booked} booked)."
            ),
        )
        if slot is not None:
            return redirect(url_for("logistics.calendar", **request.args))
    return _calendar_page(failed_delivery=(slot_id, form), status=422)
