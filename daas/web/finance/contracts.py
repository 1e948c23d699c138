"""Contracts, for finance and admin: the list, signing a contract, and a contract's page (its terms, its
renewal settings, its devices with the forms that register and deploy them, and its invoices)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from daas.billing import invoices as billing
from daas.catalog.models import DeviceModel
from daas.charges.services import list_charges
from daas.contracts import renewal, services
from daas.contracts.terms import contract_status, effective_minimum
from daas.core import clock
from daas.core.errors import DomainError
from daas.core.money import format_money
from daas.customers.services import customer_names
from daas.extensions import db
from daas.logistics import termination
from daas.pricing.models import Plan
from daas.settings import current_settings
from daas.usecases import contracts as use_cases
from daas.usecases import devices as device_use_cases
from daas.usecases import logistics as logistics_use_cases
from daas.web.finance import blp
from daas.web.finance.contract_forms import (
    ContractFilterForm,
    ContractForm,
    DeployForm,
    ExtendForm,
    PlanChangeForm,
    RegisterDeviceForm,
    RenewalForm,
    TerminationForm,
)
from daas.web.pages import audience, carry_out, options, pager, principal


def _customer_options() -> list[tuple[int, str]]:
    return [(customer_id, f"{name} (number {customer_id})") for customer_id, name in customer_names().items()]


def _plan_options(currency: str | None = None) -> list[tuple[str, str]]:
    query = select(Plan.code, Plan.name, Plan.currency).order_by(Plan.code)
    if currency is not None:
        query = query.where(Plan.currency == currency)
    return [(code, f"{code}: {name} ({currency})") for code, name, currency in db.session.execute(query)]


def _model_options() -> list[tuple[str, str]]:
    rows = db.session.execute(select(DeviceModel.sku, DeviceModel.name).order_by(DeviceModel.sku))
    return [(sku, f"{sku}: {name}") for sku, name in rows]


@blp.get("/contracts")
@audience("finance")
def contracts() -> Any:
    form = ContractFilterForm()
    form.customer.choices = options([("", "Every customer"), *[(str(i), n) for i, n in _customer_options()]])
    form.validate()
    customer = int(form.customer.data) if form.customer.data and not form.customer.errors else None
    status = form.status.data or None if not form.status.errors else None
    page = pager(25)
    rows, total = services.list_contracts(customer, status, None, page.offset, page.size)
    today = clock.today()
    return render_template(
        "finance/contracts.html",
        form=form,
        contracts=rows,
        names=customer_names({c.customer_id for c in rows}),
        statuses={c.id: contract_status(c.end_date, c.terminated_on, today) for c in rows},
        pager=page.with_total(total),
    )


@blp.route("/contracts/new", methods=["GET", "POST"])
@audience("finance")
def contracts_new() -> Any:
    form = ContractForm()
    form.customer_id.choices = _customer_options()
    form.plan_code.choices = _plan_options()
    if form.validate_on_submit():
        contract = carry_out(
            form,
            lambda: use_cases.sign_contract(
                form.customer_id.data,
                form.plan_code.data,
                form.start_date.data,
                form.end_date.data,
                form.minimum_monthly_amount.data,
                reference=(form.reference.data or "").strip() or None,
                purchase_order=form.purchase_order.data,
                renews=form.renews.data,
                renewal_months=form.renewal_months.data,
                renewal_notice_days=form.renewal_notice_days.data,
            ),
            lambda c: f"Contract {c.reference} signed: {c.start_date} to {c.end_date}.",
        )
        if contract is not None:
            return redirect(url_for("finance.contracts_show", contract_id=contract.id))
    status = 422 if request.method == "POST" else 200
    return render_template("finance/contract_new.html", form=form), status


def _contract_page(contract_id: int, status: int = 200, **forms: Any) -> Any:
    contract = services.get_contract(contract_id)
    deployments, deployed = services.list_deployments(contract_id, current=True, offset=0, limit=200)
    invoices, invoice_count = billing.list_invoices(contract_id=contract_id, offset=0, limit=12)
    renewal_form = forms.get("renewal_form") or RenewalForm(
        renews=contract.renews,
        renewal_months=contract.renewal_months,
        renewal_notice_days=contract.renewal_notice_days,
    )
    register_form = forms.get("register_form") or RegisterDeviceForm(formdata=None)
    register_form.sku.choices = _model_options()
    plans = _plan_options(contract.currency)
    plan_form = forms.get("plan_form") or PlanChangeForm(formdata=None)
    plan_form.plan_code.choices = plans
    extend_form = forms.get("extend_form") or ExtendForm(formdata=None, months=contract.renewal_months)
    extend_form.plan_code.choices = [("", "The plan it is on"), *plans]
    today = clock.today()
    charges, charge_count = list_charges(contract_id, (), None, 0, 50)
    terminate_form = forms.get("terminate_form") or TerminationForm(formdata=None)
    quote, quote_error = forms.get("quote"), None
    if quote is None and "terminate_on" in request.args and contract.terminated_on is None:
        preview = TerminationForm(formdata=None)
        preview.end_date.data = _day(request.args["terminate_on"])
        if preview.end_date.data is None:
            quote_error = "A day as YYYY-MM-DD."
        else:
            terminate_form = preview
            try:
                quote = termination.quote_termination(
                    contract_id, preview.end_date.data, current_settings().end_of_term
                )
            except DomainError as error:
                quote_error = error.message
    return render_template(
        "finance/contract.html",
        charges=charges,
        charge_count=charge_count,
        terminate_form=terminate_form,
        quote=quote,
        quote_amount=format_money(quote.amount, quote.currency) if quote else None,
        quote_error=quote_error,
        contract=contract,
        customer_name=customer_names([contract.customer_id]).get(contract.customer_id, ""),
        status=contract_status(contract.end_date, contract.terminated_on, today),
        minimum=effective_minimum(contract.minimum_monthly_amount, contract.plan.minimum_monthly_amount),
        will_renew=renewal.will_renew(contract),
        renewals=renewal.renewals_of(contract.id),
        deployments=deployments,
        deployed=deployed,
        invoices=invoices,
        invoice_count=invoice_count,
        renewal_form=renewal_form,
        deploy_form=forms.get("deploy_form") or DeployForm(formdata=None, start_date=today),
        register_form=register_form,
        plan_form=plan_form,
        extend_form=extend_form,
        in_force=contract.plan_on(today),
    ), status


@blp.get("/contracts/<int:contract_id>")
@audience("finance")
def contracts_show(contract_id: int) -> Any:
    return _contract_page(contract_id)


@blp.post("/contracts/<int:contract_id>/renewal")
@audience("finance")
def contracts_renewal(contract_id: int) -> Any:
    form = RenewalForm()
    if form.validate_on_submit():
        changes = {
            "renews": form.renews.data,
            "renewal_months": form.renewal_months.data,
            "renewal_notice_days": form.renewal_notice_days.data,
        }
        done = carry_out(
            form,
            lambda: use_cases.change_contract(contract_id, changes),
            lambda c: "It renews automatically." if renewal.will_renew(c) else "It ends on its end date.",
        )
        if done is not None:
            return redirect(url_for("finance.contracts_show", contract_id=contract_id))
    return _contract_page(contract_id, 422, renewal_form=form)


@blp.post("/contracts/<int:contract_id>/devices")
@audience("finance")
def contracts_deploy(contract_id: int) -> Any:
    form = DeployForm()
    if form.validate_on_submit():
        done = carry_out(
            form,
            lambda: use_cases.deploy_device(
                contract_id, form.serial.data.strip(), form.start_date.data, principal().actor
            ),
            lambda d: f"{d.device.serial} is in service from {d.start_date}.",
        )
        if done is not None:
            return redirect(url_for("finance.contracts_show", contract_id=contract_id))
    return _contract_page(contract_id, 422, deploy_form=form)


@blp.post("/contracts/<int:contract_id>/devices/register")
@audience("finance")
def contracts_register(contract_id: int) -> Any:
    form = RegisterDeviceForm()
    form.sku.choices = _model_options()
    if form.validate_on_submit():
        done = carry_out(
            form,
            lambda: device_use_cases.register_device(
                form.serial.data.strip(),
                form.sku.data,
                principal().actor,
                form.manufactured_on.data,
                on=form.on.data,
            ),
            lambda d: f"{d.serial} is in stock; deploy it below.",
        )
        if done is not None:
            return redirect(url_for("finance.contracts_show", contract_id=contract_id))
    return _contract_page(contract_id, 422, register_form=form)


@blp.post("/contracts/<int:contract_id>/plan-changes")
@audience("finance")
def contracts_plan_change(contract_id: int) -> Any:
    form = PlanChangeForm()
    form.plan_code.choices = _plan_options(services.get_contract(contract_id).currency)
    if form.validate_on_submit():
        done = carry_out(
            form,
            lambda: use_cases.change_plan(
                contract_id,
                form.plan_code.data,
                form.from_date.data,
                form.minimum_monthly_amount.data,
                principal().actor,
            ),
            lambda c: f"From {c.plans[-1].starts_on} the contract is on {c.plans[-1].plan.code}.",
        )
        if done is not None:
            return redirect(url_for("finance.contracts_show", contract_id=contract_id))
    return _contract_page(contract_id, 422, plan_form=form)


@blp.post("/contracts/<int:contract_id>/extend")
@audience("finance")
def contracts_extend(contract_id: int) -> Any:
    form = ExtendForm()
    form.plan_code.choices = [
        ("", "The plan it is on"),
        *_plan_options(services.get_contract(contract_id).currency),
    ]
    if form.validate_on_submit():
        done = carry_out(
            form,
            lambda: use_cases.extend_contract(
                contract_id, form.months.data, form.plan_code.data or None, principal().actor
            ),
            lambda c: f"The contract now ends on {c.end_date}.",
        )
        if done is not None:
            return redirect(url_for("finance.contracts_show", contract_id=contract_id))
    return _contract_page(contract_id, 422, extend_form=form)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@blp.post("/contracts/<int:contract_id>/terminate")
@audience("finance")
def contracts_terminate(contract_id: int) -> Any:
    """Confirm the termination the page previewed: refused when its charge is no longer the one shown."""
    form = TerminationForm()
    if form.validate_on_submit():
        policy = current_settings().end_of_term
        try:
            quote = termination.quote_termination(contract_id, form.end_date.data, policy)
        except DomainError as error:
            form.end_date.errors = [error.message]
            return _contract_page(contract_id, 422, terminate_form=form)
        if format_money(quote.amount, quote.currency) != form.amount.data:
            form.amount.errors = [
                f"The charge is now {format_money(quote.amount, quote.currency)} {quote.currency}, not "
                f"{form.amount.data}: review it and confirm again."
            ]
            return _contract_page(contract_id, 422, terminate_form=form, quote=quote)
        done = carry_out(
            form,
            lambda: logistics_use_cases.terminate_contract(
                contract_id,
                form.end_date.data,
                policy,
                current_settings().booking_window_days,
                principal().actor,
            ),
            lambda t: (
                f"The contract ends on {t.contract.end_date}"
                + (
                    f"; an early-termination charge of {format_money(t.quote.amount, t.quote.currency)} "
                    f"{t.quote.currency} is added."
                    if t.charge is not None
                    else "; it owes no early-termination charge."
                )
            ),
        )
        if done is not None:
            return redirect(url_for("finance.contracts_show", contract_id=contract_id))
    return _contract_page(contract_id, 422, terminate_form=form)
