"""Logistics pages: the day's pickups and queues, return orders and their steps, the pickup capacity
calendar (with its iCalendar feed), devices by serial (scanner-friendly: scan, act, scan the next one),
and refresh orders to fulfil. Every change is one call of the same service the API calls."""

from __future__ import annotations

import calendar as months
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from daas.auth.services import create_token
from daas.contracts.services import current_contract_id, deploy_device
from daas.core import clock
from daas.customers.services import customer_names
from daas.devices import lifecycle, takeback
from daas.devices import services as devices
from daas.devices.certificate_pdf import render_wipe_certificate
from daas.devices.lifecycle import STATES, Condition, allowed_actions, refusal, stronger_wipes
from daas.downloads import PDF_MIMETYPE, download
from daas.logistics import refresh, returns, slots
from daas.logistics.models import REFRESH_STATUSES, RETURN_STATUSES
from daas.logistics.rules import UpgradePolicy
from daas.web import logistics_queries as queries
from daas.web.input import SerialRule
from daas.web.pages import FilterForm, add_navigation, audience, carry_out, options, pager, principal
from daas.web.security import secure_page

blp = Blueprint("logistics", __name__, url_prefix="/logistics")
blp.after_request(secure_page)
add_navigation(
    "logistics",
    ("logistics.home", "Overview"),
    ("logistics.returns", "Return orders"),
    ("logistics.calendar", "Pickup calendar"),
    ("logistics.devices", "Devices by serial"),
    ("logistics.refresh_orders", "Refreshes"),
)

CODE = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"  # as the API's Code field: regions
SCHEDULE_DAYS = 60  # how far ahead the date picker of a return order looks for free slots
WIPE_METHODS = {method: method.capitalize() for method in lifecycle.WIPE_METHODS}  # weakest first
GRADES = [
    ("A", "A: as new"),
    ("B", "B: light wear"),
    ("C", "C: visible wear, works"),
    ("D", "D: parts only"),
]
DISPOSITION_LABELS = {
    "redeploy": "Redeploy: back in stock as it is",
    "refurbish": "Refurbish: repair, then restock",
    "harvest": "Harvest parts (final)",
    "recycle": "Recycle (final; needs a purge or destroy wipe)",
}
# The domain's dispositions, in its order, with their labels (a new one without a label fails at import).
DISPOSITIONS = {name: DISPOSITION_LABELS[name] for name in takeback.DISPOSITIONS}


def _label(value: str) -> str:
    return value.replace("_", " ")


# -- overview ---------------------------------------------------------------------------------------------


@blp.get("")
@audience("logistics")
def home() -> Any:
    today = clock.today()
    monday = today - timedelta(days=today.weekday())
    week = queries.scheduled_pickups_between(monday, monday + timedelta(days=6))
    labels, counts = queries.devices_received_per_week(today)
    waiting = queries.devices_by_status([status for status, _ in queries.WAITING])
    return render_template(
        "logistics/home.html",
        today=today,
        week_start=monday,
        todays=[pickup for pickup in week if pickup.day == today],
        week=week,
        orders=queries.return_orders_by_status(),
        waiting=[(status, waits_for, waiting[status]) for status, waits_for in queries.WAITING],
        chart={
            "type": "bar",
            "labels": labels,
            "datasets": [{"label": "Devices received", "data": counts}],
            "unit": "devices",
            "integer": True,
        },
    )


# -- return orders ----------------------------------------------------------------------------------------


class ReturnFilterForm(FilterForm):
    status = SelectField("State", validate_choice=False)
    region = SelectField("Region", validate_choice=False)


class ScheduleForm(FlaskForm):
    date = SelectField("Pickup date", validators=[DataRequired()])


class PickupForm(FlaskForm):
    picked_up_on = DateField("Picked up on", validators=[InputRequired()])
    carrier = StringField("Carrier", validators=[Optional(), Length(max=100)])
    tracking = StringField("Tracking number", validators=[Optional(), Length(max=100)])


class ReceiveForm(FlaskForm):
    received_on = DateField("Received on", validators=[InputRequired()])


@blp.get("/returns", endpoint="returns")
@audience("logistics")
def returns_list() -> Any:
    form = ReturnFilterForm()
    form.status.choices = options([("", "All states"), *[(s, _label(s)) for s in RETURN_STATUSES]])
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
    form.date.choices = options([(request.form.get("date", ""), "")])  # the service checks the slot's room
    if form.validate_on_submit():
        try:
            day = date.fromisoformat(form.date.data)
        except ValueError:
            form.date.errors = ["Choose a date from the list."]
        else:
            done = carry_out(
                form,
                lambda: returns.schedule_return_order(order_id, day),
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
        lambda: returns.pick_up_return_order(
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
        lambda: returns.receive_return_order(order_id, form.received_on.data, principal().actor),
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
        lambda: returns.cancel_return_order(order_id, principal().actor),
        f"Return order {order_id} is cancelled: its slot is free and its devices stay deployed.",
    )
    return redirect(url_for("logistics.returns_show", order_id=order_id))


# -- pickup capacity calendar -----------------------------------------------------------------------------


class CalendarFilterForm(FilterForm):
    region = SelectField("Region", validate_choice=False)
    month = StringField("Month", validators=[Optional(), Regexp(r"^\d{4}-\d{2}$", message="As 2026-12.")])


class SlotForm(FlaskForm):
    """Prefixed "new-" (the filter above it has a region too); the page's CSRF token is checked for every
    POST."""

    class Meta:
        csrf = False

    region = StringField(
        "Region",
        validators=[DataRequired(), Length(max=32), Regexp(CODE, message="Letters, digits, - . _ /")],
    )
    date = DateField("Day", validators=[InputRequired()])
    capacity = IntegerField("Capacity (pickups)", validators=[InputRequired(), NumberRange(min=0, max=10000)])


class CapacityForm(FlaskForm):
    """One per slot row, prefixed by the slot; the page's CSRF token is checked for every POST."""

    class Meta:
        csrf = False

    capacity = IntegerField("Capacity", validators=[InputRequired(), NumberRange(min=0, max=10000)])


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
    feed_region = region or (regions[0] if regions else "")
    feed = url_for(
        "takeback.PickupCalendar", _external=True, **({"region": feed_region} if feed_region else {})
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
            pager=page.with_total(total),
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
            lambda: slots.create_slot(form.region.data, form.date.data, form.capacity.data),
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
            lambda: slots.change_capacity(slot_id, form.capacity.data),
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
        lambda: create_token(principal().user_id, "pickup calendar feed", scope="calendar"),
        "A token for the calendar feed is created. Copy the link now: it is shown only once.",
    )
    if issued is None:
        return redirect(url_for("logistics.calendar", **request.args))
    body, status = _calendar_page(feed_token=issued[1])
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


# -- devices by serial ------------------------------------------------------------------------------------


class SerialForm(FilterForm):
    serial = StringField("Serial", validators=[DataRequired(), SerialRule()])


def _harvested_parts(text: str | None) -> list[dict[str, Any]]:
    """'battery, 0.25' per line -> [{"part": "battery", "weight_kg": Decimal("0.25")}]."""
    parts = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, _, weight = line.rpartition(",")
        try:
            kg = Decimal(weight.strip())
        except InvalidOperation:
            raise ValidationError(f"Line {number}: write the part, a comma, then its weight in kg.") from None
        if not name.strip() or not kg.is_finite() or not 0 <= kg <= 100:
            raise ValidationError(f"Line {number}: a part name and a weight from 0 to 100 kg.")
        parts.append({"part": name.strip()[:100], "weight_kg": kg})
    return parts


class WipeForm(FlaskForm):
    method = SelectField("Method", choices=options(WIPE_METHODS.items()), default="purge")
    standard = StringField("Standard", validators=[DataRequired(), Length(max=100)], default=takeback.NIST)
    technique = StringField("Technique", validators=[Optional(), Length(max=100)])
    tool = StringField("Tool", validators=[Optional(), Length(max=100)])
    tool_version = StringField("Tool version", validators=[Optional(), Length(max=50)])
    media_type = StringField("Media type", validators=[Optional(), Length(max=50)])
    media_serial = StringField("Media serial", validators=[Optional(), Length(max=100)])
    verification = SelectField("Verification", choices=options([("full", "Full"), ("sampling", "Sampling")]))
    verified_by = StringField("Verified by", validators=[DataRequired(), Length(max=254)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=2000)])
    on = DateField("Wiped on", validators=[Optional()])

    def values(self) -> dict[str, Any]:
        names = ("method", "standard", "technique", "tool", "tool_version", "media_type", "media_serial")
        return {
            **{name: getattr(self, name).data or None for name in names},
            "verification": self.verification.data,
            "verified_by": self.verified_by.data,
            "notes": self.notes.data or None,
            "on": self.on.data,
        }


class GradeForm(FlaskForm):
    grade = SelectField("Grade", choices=options(GRADES))
    on = DateField("Graded on", validators=[Optional()])


class DispositionForm(FlaskForm):
    disposition = SelectField("Disposition", choices=options(DISPOSITIONS.items()))
    harvested_parts = TextAreaField("Harvested parts")
    on = DateField("On", validators=[Optional()])

    def validate_harvested_parts(self, field: TextAreaField) -> None:
        self.parts = _harvested_parts(field.data) if self.disposition.data == "harvest" else []


class RestockForm(FlaskForm):
    on = DateField("Restocked on", validators=[Optional()])


class DeployForm(FlaskForm):
    contract_id = IntegerField(
        "Contract number", validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)]
    )
    start_date = DateField("From", validators=[InputRequired()])


class LostForm(FlaskForm):
    on = DateField("Lost on", validators=[Optional()])
    note = StringField("Note", validators=[Optional(), Length(max=500)])


ACTION_FORMS = {
    "wipe": WipeForm,
    "grade": GradeForm,
    "disposition": DispositionForm,
    "restock": RestockForm,
    "deploy": DeployForm,
    "lost": LostForm,
}


def _forms_for(actions: list[str]) -> dict[str, type[FlaskForm]]:
    """The forms of the actions that may be done now (the lifecycle and its certificate and grade rules
    decide, not this page); a second, stronger wipe of a graded device is the wipe form."""
    allowed = set(actions)
    forms: dict[str, type[FlaskForm]] = {}
    if allowed & {"wipe", "wipe_again"}:
        forms["wipe"] = WipeForm
    if "grade" in allowed:
        forms["grade"] = GradeForm
    if allowed & set(DISPOSITIONS):
        forms["disposition"] = DispositionForm
    if "restock" in allowed:
        forms["restock"] = RestockForm
    if "deploy" in allowed:
        forms["deploy"] = DeployForm
    if "lose" in allowed:
        forms["lost"] = LostForm
    return forms


def _not_now(condition: Condition, actions: list[str]) -> list[tuple[str, str]]:
    """The dispositions the device's state allows but its wipe or grade does not, with the reason."""
    reasons = []
    for name in DISPOSITIONS:
        if name in allowed_actions(condition.status) and name not in actions:
            refused = refusal(condition, name)
            reasons.append((name, refused.message if refused else ""))
    return reasons


def _device_page(serial: str, failed: tuple[str, FlaskForm] | None = None, status: int = 200) -> Any:
    device = devices.get_device(serial)
    today = clock.today()
    condition = takeback.condition_of(device)
    actions = takeback.available_actions(device)
    forms = {}
    for name, form_class in _forms_for(actions).items():
        if failed is not None and failed[0] == name:
            forms[name] = failed[1]
        elif name == "deploy":
            forms[name] = form_class(formdata=None, data={"start_date": today})
        else:
            forms[name] = form_class(formdata=None)
    wipe_again = "wipe_again" in actions
    methods = stronger_wipes(condition.wipe) if wipe_again else ()
    if wipe_again:  # only a stronger method than the wipe on record, the weakest of them first
        forms["wipe"].method.choices = options((m, WIPE_METHODS[m]) for m in methods)
        if failed is None or failed[0] != "wipe":
            forms["wipe"].method.data = methods[0]
    if "disposition" in forms:
        forms["disposition"].disposition.choices = options(
            (name, label) for name, label in DISPOSITIONS.items() if name in actions
        )
    contract_id = current_contract_id(device.id)
    return (
        render_template(
            "logistics/device.html",
            device=device,
            events=devices.device_events(device),
            certificates=queries.wipe_certificates(device.id),
            contract_id=contract_id,
            forms=forms,
            wipe_again=wipe_again,
            stronger_wipes=methods,
            wiped_with=condition.wipe,
            not_now=_not_now(condition, actions),
            search=SerialForm(formdata=None, data={"serial": ""}),
            today=today,
        ),
        status,
    )


@blp.get("/devices", endpoint="devices")
@audience("logistics")
def devices_list() -> Any:
    """The serial box (a scanner types the serial and Enter): the device with exactly this serial, else the
    one whose serial matches when case is ignored, else the list of those that do; and, with `?status=`,
    the devices in that state."""
    form = SerialForm()
    matches: list[Any] = []
    if "serial" in request.args and form.validate():
        serial = form.serial.data.strip()
        matches = queries.devices_by_serial(serial)
        if len(matches) == 1:
            return redirect(url_for("logistics.devices_show", serial=matches[0].serial))
        if not matches:
            form.serial.errors = [f"No device with serial {serial}."]
    state = request.args.get("status", "")
    listed, page = None, pager(50)
    if state in STATES:
        listed, total = devices.list_devices(state, None, None, page.offset, page.size)
        page = page.with_total(total)
    waiting = queries.devices_by_status([status for status, _ in queries.WAITING])
    return render_template(
        "logistics/devices.html",
        form=form,
        matches=matches,
        state=state if listed is not None else None,
        listed=listed,
        pager=page,
        waiting=[(state, waits_for, waiting[state]) for state, waits_for in queries.WAITING],
    )


@blp.get("/devices/<string:serial>")
@audience("logistics")
def devices_show(serial: str) -> Any:
    return _device_page(serial)


def _device_action(serial: str, name: str, call: Any, success: Any) -> Any:
    """An action from the device page: done, back to the device page (whose serial box then has the
    focus, for the next scan); refused, the page with the error beside the field."""
    device = devices.get_device(serial)  # 404 for an unknown serial
    form = ACTION_FORMS[name]()
    if form.validate_on_submit() and carry_out(form, lambda: call(form), success) is not None:
        return redirect(url_for("logistics.devices_show", serial=device.serial))
    return _device_page(serial, (name, form), 422)


@blp.post("/devices/<string:serial>/wipe")
@audience("logistics")
def devices_wipe(serial: str) -> Any:
    return _device_action(
        serial,
        "wipe",
        lambda form: takeback.wipe_device(serial, form.values(), principal().actor),
        lambda certificate: (
            f"Device {serial}: wipe recorded (certificate WIPE-{certificate.id:06d}, "
            f"{certificate.method}); it is now {_label(devices.get_device(serial).status)}."
        ),
    )


@blp.post("/devices/<string:serial>/grade")
@audience("logistics")
def devices_grade(serial: str) -> Any:
    return _device_action(
        serial,
        "grade",
        lambda form: takeback.grade_device(serial, form.grade.data, principal().actor, form.on.data),
        lambda device: f"Device {serial}: graded {device.grade}; it is now {_label(device.status)}.",
    )


@blp.post("/devices/<string:serial>/disposition")
@audience("logistics")
def devices_disposition(serial: str) -> Any:
    return _device_action(
        serial,
        "disposition",
        lambda form: takeback.dispose_device(
            serial, form.disposition.data, principal().actor, form.on.data, getattr(form, "parts", [])
        ),
        lambda device: f"Device {serial}: disposition recorded; it is now {_label(device.status)}.",
    )


@blp.post("/devices/<string:serial>/restock")
@audience("logistics")
def devices_restock(serial: str) -> Any:
    return _device_action(
        serial,
        "restock",
        lambda form: takeback.restock_device(serial, principal().actor, form.on.data),
        lambda device: f"Device {serial}: refurbished and restocked; it is now {_label(device.status)}.",
    )


@blp.post("/devices/<string:serial>/deploy")
@audience("logistics")
def devices_deploy(serial: str) -> Any:
    return _device_action(
        serial,
        "deploy",
        lambda form: deploy_device(form.contract_id.data, serial, form.start_date.data, principal().actor),
        lambda deployment: (
            f"Device {serial}: deployed on contract {deployment.contract_id} from "
            f"{deployment.start_date.isoformat()}; it is now deployed."
        ),
    )


@blp.post("/devices/<string:serial>/lost")
@audience("logistics")
def devices_lost(serial: str) -> Any:
    return _device_action(
        serial,
        "lost",
        lambda form: takeback.lose_device(serial, principal().actor, form.on.data, form.note.data or None),
        lambda device: f"Device {serial}: marked lost; it is now {_label(device.status)}.",
    )


@blp.get("/devices/<string:serial>/wipe-certificates/<int:certificate_id>.pdf")
@audience("logistics")
def devices_certificate(serial: str, certificate_id: int) -> Any:
    document = takeback.certificate_document(serial, certificate_id, current_app.config["DAAS_ISSUER_NAME"])
    return download(render_wipe_certificate(document), PDF_MIMETYPE, f"{document.number}.pdf")


# -- refresh orders ---------------------------------------------------------------------------------------


class RefreshFilterForm(FilterForm):
    status = SelectField("State", validate_choice=False, default="approved")


class CompleteForm(FlaskForm):
    completed_on = DateField("Completed on", validators=[InputRequired()])
    kit = SelectField(
        "Upgrade kit", choices=options([("battery", "Battery"), ("storage", "Storage"), ("memory", "Memory")])
    )
    extension_months = IntegerField("Extends life by (months)", validators=[Optional(), NumberRange(1, 60)])
    replacement_serial = StringField("Replacement serial", validators=[Optional(), SerialRule()])


@blp.get("/refresh-orders", endpoint="refresh_orders")
@audience("logistics")
def refresh_orders_list() -> Any:
    form = RefreshFilterForm()
    form.status.choices = options([("", "All states"), *[(s, _label(s)) for s in REFRESH_STATUSES]])
    status = request.args.get("status", "approved")
    page = pager(25)
    rows, total = refresh.list_refresh_orders(
        status if status in REFRESH_STATUSES else None, None, page.offset, page.size
    )
    return render_template(
        "logistics/refresh_orders.html",
        form=form,
        status=status,
        orders=[(order, refresh.serial_of(order)) for order in rows],
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
            extension_months=UpgradePolicy.from_settings(current_app.config).extension_months,
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
        upgrade = order.action == "upgrade"
        done = carry_out(
            form,
            lambda: refresh.complete_refresh(
                order_id,
                form.completed_on.data,
                principal().actor,
                UpgradePolicy.from_settings(current_app.config),
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
