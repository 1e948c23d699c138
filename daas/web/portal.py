"""The customer portal: subscriptions with their devices and usage, invoices and their credit notes,
refresh decisions, returns and the wipe certificates of the devices that came back, impact statements, and
how the customer pays (a card added through Stripe.js).

Every read and write passes the signed-in customer's id as `customer_scope`, so another customer's
object is not found (the 404 page)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from daas.billing import invoices as billing
from daas.billing.files import credit_note_file, invoice_file
from daas.billing.periods import Period
from daas.catalog.services import list_device_models
from daas.contracts.models import Contract
from daas.contracts.services import get_contract, list_contracts, list_deployments
from daas.contracts.terms import contract_status
from daas.core import clock
from daas.customers.services import get_customer
from daas.devices import takeback
from daas.devices.certificate_pdf import render_wipe_certificate
from daas.devices.models import Device
from daas.downloads import PDF_MIMETYPE, download
from daas.errors import DomainError
from daas.extensions import db
from daas.impact.documents import statement_document
from daas.impact.statement_pdf import render_statement
from daas.impact.statements import contract_statement
from daas.logistics import refresh, returns
from daas.logistics.models import RETURN_STATUSES
from daas.payments import services as payments
from daas.payments.gateway import StripeSettings
from daas.web import portal_queries as queries
from daas.web.pages import FilterForm, add_navigation, audience, carry_out, pager, principal
from daas.web.security import secure_page

blp = Blueprint("portal", __name__, url_prefix="/portal")
blp.after_request(secure_page)
add_navigation(
    "customer",
    ("portal.home", "Overview"),
    ("portal.subscriptions", "Subscriptions"),
    ("portal.invoices", "Invoices"),
    ("portal.refresh_orders", "Refreshes"),
    ("portal.returns", "Returns"),
    ("portal.payment_method", "How you pay"),
)

CODE = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"
RETURN_REASONS = [
    ("early_return", "Early return: no longer needed"),
    ("defect", "Defective device"),
    ("end_of_term", "End of the subscription's term"),
]
ASAP = "asap"


def options(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    """Choices of a select, radio or checkbox list from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _scope() -> int:
    return principal().customer_id


def _window_days() -> int:
    return current_app.config["DAAS_BOOKING_WINDOW_DAYS"]


def number(value: Decimal | int | None) -> str:
    """A quantity without trailing zeros or exponent: Decimal("3.000000") -> "3"."""
    if value is None:
        return ""
    normalized = Decimal(value).normalize()
    return f"{normalized:f}"


@blp.app_template_filter("portal_quantity")  # app-wide in Jinja: named for the portal
def _quantity_filter(value: Decimal | int | None) -> str:
    return number(value)


# -- overview -----------------------------------------------------------------------------------------------


@blp.get("")
@audience("customer")
def home() -> Any:
    scope, today = _scope(), clock.today()
    period = Period.containing(today)
    contracts, active = list_contracts(status="active", customer_scope=scope, offset=0, limit=10)
    figures = queries.subscription_figures(contract.id for contract in contracts)
    metrics = queries.metrics_of(contract.id for contract in contracts)
    usage = queries.usage_in_period(metrics, period)
    open_invoices, open_count = billing.list_invoices(status="open", customer_scope=scope, offset=0, limit=5)
    orders, waiting = refresh.list_refresh_orders("open", scope, 0, 5)
    pickups, pickup_count = returns.list_return_orders("scheduled", None, None, scope, 0, 5)
    return render_template(
        "portal/home.html",
        today=today,
        period=period,
        contracts=contracts,
        active=active,
        figures=figures,
        metrics=metrics,
        usage=usage,
        devices=queries.devices_in_service(scope),
        amount_due=queries.amount_due(scope),
        open_invoices=open_invoices,
        open_count=open_count,
        orders=orders,
        waiting=waiting,
        serials={order.id: refresh.serial_of(order) for order in orders},
        pickups=pickups,
        pickup_count=pickup_count,
    )


# -- subscriptions ------------------------------------------------------------------------------------------


@blp.get("/subscriptions")
@audience("customer")
def subscriptions() -> Any:
    page = pager(25)
    contracts, total = list_contracts(customer_scope=_scope(), offset=page.offset, limit=page.size)
    today = clock.today()
    return render_template(
        "portal/subscriptions.html",
        contracts=contracts,
        figures=queries.subscription_figures(contract.id for contract in contracts),
        status={c.id: contract_status(c.end_date, c.terminated_on, today) for c in contracts},
        pager=page.with_total(total),
    )


def _usage_chart(metric: Any, months: list[Period], quantities: list[Decimal]) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [month.name for month in months],
        "datasets": [{"label": metric.name, "data": [number(q) for q in quantities]}],
        "unit": None,
        "stacked": False,
        "integer": metric.aggregation in ("count", "unique_count"),  # counts: whole-number ticks
    }


@blp.get("/subscriptions/<int:contract_id>")
@audience("customer")
def subscriptions_show(contract_id: int) -> Any:
    scope, today = _scope(), clock.today()
    contract = get_contract(contract_id, scope)
    page = pager(25)
    deployments, total = list_deployments(contract.id, scope, True, page.offset, page.size)
    cycle = contract.plan.refresh_cycle_months
    due = refresh.due_dates_of(deployments, cycle)
    metrics = queries.metrics_of([contract.id])[contract.id]
    months = queries.last_months(today, 12)
    by_month = queries.usage_by_month(contract.id, metrics, months)
    return render_template(
        "portal/subscription.html",
        contract=contract,
        status=contract_status(contract.end_date, contract.terminated_on, today),
        figures=queries.subscription_figures([contract.id])[contract.id],
        deployments=deployments,
        due=due,
        open_refresh=queries.open_refresh_by_device(contract.id),
        pager=page.with_total(total),
        metrics=metrics,
        this_month={metric.id: by_month[metric.id][-1] for metric in metrics},
        period=months[-1],
        charts=[(metric, _usage_chart(metric, months, by_month[metric.id])) for metric in metrics],
    )


def _statement(contract_id: int) -> dict[str, Any]:
    return contract_statement(contract_id, None, None, clock.today(), _scope())


def _cumulative_chart(statement: dict[str, Any], name: str, label: str) -> dict[str, Any]:
    running, monthly, cumulative = Decimal(0), [], []
    for row in statement["by_period"]:
        running += row[name]
        monthly.append(str(row[name]))
        cumulative.append(str(running))
    return {
        "type": "line",
        "labels": [row["period"] for row in statement["by_period"]],
        "datasets": [
            {"label": f"{label}, cumulative", "data": cumulative},
            {"label": f"{label}, in the month", "data": monthly},
        ],
        "unit": "kg",
        "stacked": False,
    }


@blp.get("/subscriptions/<int:contract_id>/impact")
@audience("customer")
def subscriptions_impact(contract_id: int) -> Any:
    statement = _statement(contract_id)
    return render_template(
        "portal/impact.html",
        contract=get_contract(contract_id, _scope()),
        statement=statement,
        ewaste_chart=_cumulative_chart(statement, "avoided_ewaste_kg", "Avoided e-waste"),
        co2e_chart=_cumulative_chart(statement, "avoided_co2e_kg", "Avoided CO2e"),
    )


@blp.get("/subscriptions/<int:contract_id>/impact.pdf")
@audience("customer")
def subscriptions_impact_pdf(contract_id: int) -> Any:
    document = statement_document(_statement(contract_id), current_app.config["DAAS_ISSUER_NAME"])
    return download(
        render_statement(document), PDF_MIMETYPE, f"impact-contract-{contract_id}.pdf", inline=True
    )


# -- invoices -----------------------------------------------------------------------------------------------

INVOICE_FILTERS = [
    ("", "All"),
    ("open", "Open"),
    ("paid", "Paid"),
    ("uncollectible", "Not collected"),
    ("void", "Void"),
]


class InvoiceFilterForm(FilterForm):
    status = SelectField("Status", choices=options(INVOICE_FILTERS), validators=[Optional()])


@blp.get("/invoices")
@audience("customer")
def invoices() -> Any:
    form = InvoiceFilterForm()
    status = form.status.data if form.validate() and form.status.data else None
    page = pager(25)
    rows, total = billing.list_invoices(
        status=status, customer_scope=_scope(), offset=page.offset, limit=page.size
    )
    today = clock.today()
    return render_template(
        "portal/invoices.html",
        form=form,
        invoices=rows,
        state={invoice.id: queries.payment_state(invoice, today) for invoice in rows},
        amount_due=queries.amount_due(_scope()),
        pager=page.with_total(total),
        filtered=status is not None,
    )


@blp.get("/invoices/<int:invoice_id>.pdf")
@audience("customer")
def invoices_pdf(invoice_id: int) -> Any:
    body, name = invoice_file(invoice_id, current_app.config, _scope())
    return download(body, PDF_MIMETYPE, name, inline=True)


@blp.get("/invoices/<int:invoice_id>/credit-notes/<int:note_id>.pdf")
@audience("customer")
def invoices_credit_note_pdf(invoice_id: int, note_id: int) -> Any:
    body, name = credit_note_file(invoice_id, note_id, current_app.config, _scope())
    return download(body, PDF_MIMETYPE, name, inline=True)


@blp.get("/invoices/credit-notes", endpoint="invoices_credit_notes")
@audience("customer")
def credit_notes() -> Any:
    page = pager(25)
    notes, total = queries.credit_notes(_scope(), page.offset, page.size)
    return render_template(
        "portal/credit_notes.html",
        notes=notes,
        numbers=queries.invoice_numbers(note.invoice_id for note in notes),
        pager=page.with_total(total),
    )


# -- refresh orders -----------------------------------------------------------------------------------------

REFRESH_FILTERS = [
    ("open", "Waiting for you"),
    ("approved", "Approved"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
    ("", "All"),
]


class RefreshFilterForm(FilterForm):
    status = SelectField("Show", choices=options(REFRESH_FILTERS), default="open", validators=[Optional()])


class ApproveForm(FlaskForm):
    action = RadioField(
        "Your decision",
        choices=options(
            [
                ("upgrade", "Upgrade: keep the device and extend its life (battery, storage or memory)"),
                ("replace", "Replace: a new device, and the old one is picked up"),
            ]
        ),
        validators=[DataRequired(message="Choose upgrade or replace.")],
    )
    replacement_sku = SelectField(
        "Replacement model (for a replacement)", choices=[], validate_choice=True, validators=[Optional()]
    )


class RescheduleForm(FlaskForm):
    due_date = DateField("New date", validators=[DataRequired(message="Give a date (YYYY-MM-DD).")])


@blp.get("/refresh-orders")
@audience("customer")
def refresh_orders() -> Any:
    form = RefreshFilterForm()
    status = form.status.data if form.validate() else "open"
    page = pager(25)
    rows, total = refresh.list_refresh_orders(status or None, _scope(), page.offset, page.size)
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
    order = refresh.get_refresh_order(order_id, _scope())
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
    order = refresh.get_refresh_order(order_id, _scope())
    form = ApproveForm()
    _replacement_choices(form, db.session.get(Device, order.device_id))
    if form.validate_on_submit():
        action = form.action.data
        sku = (form.replacement_sku.data or None) if action == "replace" else None
        done = carry_out(
            form,
            lambda: refresh.approve_refresh(
                order.id, action, principal().actor, _window_days(), sku, _scope()
            ),
            _approved_message,
        )
        if done is not None:
            return redirect(url_for("portal.refresh_orders_show", order_id=order_id))
    return _refresh_page(order_id, approve=form), 422


def _approved_message(order: Any) -> str:
    serial = refresh.serial_of(order)
    if order.action == "upgrade":
        return f"Approved: device {serial} will be upgraded around {order.due_date.isoformat()}."
    return_id = refresh.return_order_of(order)
    return (
        f"Approved: device {serial} will be replaced by a {order.replacement_sku}; "
        f"return order #{return_id} collects the old one."
    )


@blp.post("/refresh-orders/<int:order_id>/reschedule")
@audience("customer")
def refresh_orders_reschedule(order_id: int) -> Any:
    refresh.get_refresh_order(order_id, _scope())
    form = RescheduleForm()
    if form.validate_on_submit():
        done = carry_out(
            form,
            lambda: refresh.reschedule_refresh(order_id, form.due_date.data, _scope()),
            lambda order: (
                f"The refresh of device {refresh.serial_of(order)} is moved to {order.due_date.isoformat()}."
            ),
        )
        if done is not None:
            return redirect(url_for("portal.refresh_orders_show", order_id=order_id))
    return _refresh_page(order_id, reschedule=form), 422


# -- returns ------------------------------------------------------------------------------------------------


class ReturnFilterForm(FilterForm):
    status = SelectField(
        "Status",
        choices=options([("", "All")] + [(s, s.replace("_", " ").capitalize()) for s in RETURN_STATUSES]),
        validators=[Optional()],
    )


class ChooseSubscriptionForm(FlaskForm):
    """Step 1 of booking a return (a GET form): which subscription, and where the devices are picked up."""

    class Meta:
        csrf = False

    contract = SelectField("Subscription", coerce=int, validate_choice=True)
    region = StringField(
        "Pickup region",
        validators=[DataRequired(), Length(max=32), Regexp(CODE, message="Letters, digits, - . _ / only.")],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReturnForm(FlaskForm):
    contract_id = HiddenField(validators=[DataRequired()])
    region = HiddenField(validators=[DataRequired(), Length(max=32), Regexp(CODE)])
    serials = MultiCheckboxField(
        "Devices to return", validators=[DataRequired("Choose at least one device.")]
    )
    reason = SelectField("Reason", choices=options(RETURN_REASONS))
    address = TextAreaField("Pickup address", validators=[DataRequired(), Length(max=500)])
    requested_date = RadioField("Pickup date", validators=[DataRequired("Choose a pickup date.")])


@blp.get("/returns", endpoint="returns")
@audience("customer")
def returns_list() -> Any:
    form = ReturnFilterForm()
    status = form.status.data if form.validate() and form.status.data else None
    page = pager(25)
    rows, total = returns.list_return_orders(status, None, None, _scope(), page.offset, page.size)
    return render_template(
        "portal/returns.html",
        form=form,
        orders=rows,
        serials={order.id: returns.serials_of(order) for order in rows},
        pager=page.with_total(total),
        filtered=status is not None,
    )


def _date_choices(region: str) -> list[tuple[str, str]]:
    today = clock.today()
    free = queries.free_pickup_dates(region, today, today + timedelta(days=_window_days()))
    if not free:
        return [(ASAP, "No date is free yet: send the request, logistics will schedule the pickup")]
    return [
        (item.day.isoformat(), f"{item.day.isoformat()} ({item.day:%A}): {item.places_left} place(s) left")
        for item in free
    ]


def _device_choices(contract: Contract) -> list[tuple[str, str]]:
    deployments, _ = list_deployments(contract.id, _scope(), True, 0, 1000)
    return [
        (
            d.device.serial,
            f"{d.device.serial}: {d.device.device_model.name}, since {d.start_date.isoformat()}",
        )
        for d in deployments
        if d.device.status == "deployed"
    ]


def _choose_form(contracts: list[Contract], data: dict[str, str]) -> ChooseSubscriptionForm:
    form = ChooseSubscriptionForm(MultiDict(data))
    form.contract.choices = options(
        [(c.id, f"#{c.id} {c.plan.name} (from {c.start_date.isoformat()})") for c in contracts]
    )
    return form


@blp.route("/returns/new", methods=["GET", "POST"])
@audience("customer")
def returns_new() -> Any:
    scope = _scope()
    customer = get_customer(scope, scope)
    contracts, _ = list_contracts(status="active", customer_scope=scope, offset=0, limit=200)
    if not contracts:
        flash("You have no active subscription, so there is nothing to return.", "warning")
        return redirect(url_for("portal.returns"))
    if request.method == "POST":
        form = ReturnForm()
        raw = form.contract_id.data or ""
        if not raw.isdigit():
            abort(400)
        contract, region = get_contract(int(raw), scope), form.region.data or ""
        choose = _choose_form(contracts, {"contract": str(contract.id), "region": region})
    else:
        if request.args.get("contract", "").isdigit():
            get_contract(int(request.args["contract"]), scope)  # another customer's subscription: 404
        defaults = {"contract": str(contracts[0].id), "region": customer.pickup_region or ""}
        choose = _choose_form(contracts, {**defaults, **request.args.to_dict()})
        if not choose.validate():
            return _return_page(choose, None, None), 422
        contract, region = get_contract(choose.contract.data, scope), choose.region.data
        form = ReturnForm(
            formdata=None, contract_id=str(contract.id), region=region, address=customer.pickup_address or ""
        )
    form.serials.choices = options(_device_choices(contract))
    form.requested_date.choices = options(_date_choices(region))
    if request.method == "POST" and form.validate_on_submit():
        chosen = form.requested_date.data
        requested = clock.today() if chosen == ASAP else date.fromisoformat(chosen)
        order = carry_out(
            form,
            lambda: returns.create_return_order(
                contract.id,
                form.serials.data,
                form.reason.data,
                requested,
                region,
                form.address.data.strip(),
                principal().actor,
                _window_days(),
                scope,
            ),
            lambda order: _booked_message(order, chosen),
        )
        if order is not None:
            return redirect(url_for("portal.returns"))
    return _return_page(choose, form, contract), 422 if request.method == "POST" else 200


def _return_page(choose: ChooseSubscriptionForm, form: ReturnForm | None, contract: Contract | None) -> str:
    return render_template("portal/return_new.html", choose=choose, form=form, contract=contract)


@blp.get("/returns/wipe-certificates", endpoint="returns_certificates")
@audience("customer")
def certificates() -> Any:
    """The wipe certificates of the devices that came back from the customer's subscriptions (one device,
    with `?serial=`)."""
    serial = request.args.get("serial") or None
    page = pager(25)
    rows, total = takeback.list_customer_certificates(_scope(), page.offset, page.size, serial)
    return render_template(
        "portal/certificates.html", certificates=rows, serial=serial, pager=page.with_total(total)
    )


@blp.get("/returns/devices/<string:serial>/wipe-certificates/<int:certificate_id>.pdf")
@audience("customer")
def certificates_pdf(serial: str, certificate_id: int) -> Any:
    issuer = current_app.config["DAAS_ISSUER_NAME"]
    document = takeback.certificate_document(serial, certificate_id, issuer, _scope())
    return download(render_wipe_certificate(document), PDF_MIMETYPE, f"{document.number}.pdf", inline=True)


def _booked_message(order: Any, chosen: str) -> str:
    count = len(returns.serials_of(order))
    if order.slot is None:
        return (
            f"Return #{order.id} of {count} device(s) is requested. No pickup date was free; logistics will "
            "schedule it and you will see the date here."
        )
    day = order.slot.date.isoformat()
    moved = "" if chosen == day else f" ({chosen} was taken meanwhile; this is the next free date)"
    return f"Return #{order.id} of {count} device(s) is booked: pickup on {day}{moved}."


@blp.post("/returns/<int:order_id>/cancel")
@audience("customer")
def returns_cancel(order_id: int) -> Any:
    carry_out(
        None,
        lambda: returns.cancel_return_order(order_id, principal().actor, _scope()),
        f"Return #{order_id} is cancelled; the devices stay with you.",
    )
    return redirect(url_for("portal.returns"))


# -- how the customer pays ----------------------------------------------------------------------------------


class CardForm(FlaskForm):
    payment_method = HiddenField(validators=[DataRequired(), Length(max=64), Regexp(r"^pm_[A-Za-z0-9_]+$")])


def _customer_id() -> int:
    principal = current_user.principal
    if principal.role != "customer":
        abort(403)
    return principal.customer_id


@blp.route("/payment-method", methods=["GET", "POST"])
@login_required
def payment_method() -> Any:
    customer_id = _customer_id()
    settings = StripeSettings.from_config(current_app.config)
    form = CardForm()
    if form.validate_on_submit():
        try:
            profile = payments.save_payment_method(
                customer_id, form.payment_method.data, settings, customer_id
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            report = payments.collect_due(
                payments.collection_policy(current_app.config),
                invoice_ids=payments.open_invoice_ids(customer_id),
            )
            paid = f" {report.succeeded} open invoice(s) paid with it." if report.succeeded else ""
            flash(f"Your {profile.card_brand} card ending in {profile.card_last4} is saved.{paid}", "success")
        return redirect(url_for("portal.payment_method"))
    profile = payments.payment_profile(customer_id, settings, customer_id)
    client_secret = None
    if settings.enabled:
        try:
            client_secret = payments.start_card_setup(customer_id, settings, customer_id)
            db.session.commit()
        except DomainError as error:
            flash(error.message, "error")
    return render_template(
        "portal/payment_method.html",
        form=form,
        profile=profile,
        client_secret=client_secret,
        publishable_key=current_app.config["STRIPE_PUBLISHABLE_KEY"],
        stripe_js_url=current_app.config["STRIPE_JS_URL"],
    )
