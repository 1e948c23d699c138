"""Returns: the customer's return orders, booking one in two steps (a subscription and pickup region,
then its devices and a free pickup date), cancelling one, and the wipe certificates of the devices that
came back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from daas.contracts.models import Contract
from daas.contracts.services import get_contract, list_contracts, list_deployments
from daas.core import clock
from daas.customers.services import get_customer
from daas.devices.certificate_pdf import render_wipe_certificate
from daas.devices.lifecycle import DeviceStatus
from daas.downloads import PDF_MIMETYPE, download
from daas.logistics import returns, takeback
from daas.settings import current_settings
from daas.usecases import logistics as use_cases
from daas.web.pages import audience, carry_out, options, pager, principal
from daas.web.portal import blp, queries
from daas.web.portal.common import booking_window_days, customer_scope
from daas.web.portal.forms import ASAP, ChooseSubscriptionForm, ReturnFilterForm, ReturnForm


@blp.get("/returns", endpoint="returns")
@audience("customer")
def returns_list() -> Any:
    form = ReturnFilterForm()
    status = form.status.data if form.validate() and form.status.data else None
    page = pager(25)
    rows, total = returns.list_return_orders(status, None, None, customer_scope(), page.offset, page.size)
    return render_template(
        "portal/returns.html",
        form=form,
        orders=rows,
        serials={order.id: returns.serials_of(order) for order in rows},
        pager=page.with_total(total),
        filtered=status is not None,
    )


# -- booking a return ---------------------------------------------------------------------------------------


def _date_choices(region: str) -> list[tuple[str, str]]:
    today = clock.today()
    free = queries.free_pickup_dates(region, today, today + timedelta(days=booking_window_days()))
    if not free:
        return [(ASAP, "No date is free yet: send the request, logistics will schedule the pickup")]
    return [
        (item.day.isoformat(), f"{item.day.isoformat()} ({item.day:%A}): {item.places_left} place(s) left")
        for item in free
    ]


def _device_choices(contract: Contract) -> list[tuple[str, str]]:
    deployments, _ = list_deployments(contract.id, customer_scope(), True, 0, 1000)
    return [
        (
            d.device.serial,
            f"{d.device.serial}: {d.device.device_model.name}, since {d.start_date.isoformat()}",
        )
        for d in deployments
        if d.device.status == DeviceStatus.DEPLOYED
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
    scope = customer_scope()
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
            lambda: use_cases.request_return(
                contract.id,
                form.serials.data,
                form.reason.data,
                requested,
                region,
                form.address.data.strip(),
                principal().actor,
                booking_window_days(),
                scope,
            ),
            lambda order: _booked_message(order, chosen),
        )
        if order is not None:
            return redirect(url_for("portal.returns"))
    return _return_page(choose, form, contract), 422 if request.method == "POST" else 200


def _return_page(choose: ChooseSubscriptionForm, form: ReturnForm | None, contract: Contract | None) -> str:
    return render_template("portal/return_new.html", choose=choose, form=form, contract=contract)


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
        lambda: use_cases.cancel_return(order_id, principal().actor, customer_scope()),
        f"Return #{order_id} is cancelled; the devices stay with you.",
    )
    return redirect(url_for("portal.returns"))


# -- wipe certificates --------------------------------------------------------------------------------------


@blp.get("/returns/wipe-certificates", endpoint="returns_certificates")
@audience("customer")
def certificates() -> Any:
    """The wipe certificates of the devices that came back from the customer's subscriptions (one device,
    with `?serial=`)."""
    serial = request.args.get("serial") or None
    page = pager(25)
    rows, total = takeback.list_customer_certificates(customer_scope(), page.offset, page.size, serial)
    return render_template(
        "portal/certificates.html", certificates=rows, serial=serial, pager=page.with_total(total)
    )


@blp.get("/returns/devices/<string:serial>/wipe-certificates/<int:certificate_id>.pdf")
@audience("customer")
def certificates_pdf(serial: str, certificate_id: int) -> Any:
    issuer = current_settings().issuer.name
    document = takeback.certificate_document(serial, certificate_id, issuer, customer_scope())
    return download(render_wipe_certificate(document), PDF_MIMETYPE, f"{document.number}.pdf", inline=True)
