"""Subscriptions: the list, one subscription with its devices, refresh dates and usage by month, the
one-off charges not billed yet (with a dispute form for those not disputed), the end of its term (each
device's choice and buy-out quote, with a form to return, keep or buy it, in the last 90 days), and its
impact statement (page and PDF)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import redirect, render_template, request, url_for

from daas.billing import invoices as billing
from daas.charges import lifecycle as charge_lifecycle
from daas.charges.services import get_charge, list_charges
from daas.contracts import renewal
from daas.contracts.services import get_contract, list_contracts, list_deployments
from daas.contracts.terms import contract_status
from daas.core import clock
from daas.core.periods import Period
from daas.downloads import PDF_MIMETYPE, download
from daas.impact.documents import statement_document
from daas.impact.packaging import material_label, share_percent
from daas.impact.statement_pdf import render_statement
from daas.impact.statements import contract_statement
from daas.logistics import end_of_term, refresh
from daas.logistics.end_of_term import ChoiceRequest, EndOfTermView
from daas.logistics.models import EndOfTerm
from daas.settings import current_settings
from daas.usecases.charges import dispute_charge
from daas.usecases.end_of_term import choose_end_of_term, end_of_term_choices
from daas.web.pages import audience, carry_out, money, pager, principal
from daas.web.portal import blp, queries
from daas.web.portal.common import customer_scope, number
from daas.web.portal.forms import DisputeForm, EndOfTermForm, dispute_form, end_of_term_form

# Charges a customer may dispute (once): not yet disputed, not billed yet.
DISPUTABLE = (charge_lifecycle.PROPOSED, charge_lifecycle.PENDING)
CHARGES_SHOWN = 200
# The end-of-term section shows from this many days before the end date the choices are for (the first
# renewal notice), so each device's quote is made when the customer has a decision to take.
END_OF_TERM_DAYS = 90


@blp.get("/subscriptions")
@audience("customer")
def subscriptions() -> Any:
    page = pager(25)
    contracts, total = list_contracts(customer_scope=customer_scope(), offset=page.offset, limit=page.size)
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


def _end_of_term(contract: Any, today: Any) -> EndOfTermView | None:
    """The end-of-term view (it stores the devices' quotes: the page's one use case) when the choices are
    open and the end date they are for is at most END_OF_TERM_DAYS away."""
    term, _ = end_of_term.term_end(contract, today)
    if contract.terminated_on is not None or not today <= term <= today + timedelta(days=END_OF_TERM_DAYS):
        return None
    settings = current_settings()
    return end_of_term_choices(
        contract.id, today, settings.end_of_term, settings.issuer.country, customer_scope()
    )


def _choice_labels(view: EndOfTermView, device: Any, renewal_months: int) -> dict[str, str]:
    keep = (
        f"Keep it until {view.extended_until.isoformat()} (the subscription is extended)"
        if view.extended_until
        else f"Keep it: the subscription is extended by {renewal_months} months"
    )
    labels = {
        EndOfTerm.RETURN: f"Return it: collected from {view.end_date.isoformat()}",
        EndOfTerm.EXTEND: keep,
    }
    if device.quote is not None and device.quote.accepted_on is None:
        labels[EndOfTerm.BUY_OUT] = (
            f"Buy it for {money(device.quote.price, device.quote.currency)} excl. VAT "
            f"(quote valid until {device.quote.valid_until.isoformat()})"
        )
    return labels


def _end_of_term_forms(
    view: EndOfTermView | None, renewal_months: int, failed: tuple[str, EndOfTermForm] | None
) -> dict[str, EndOfTermForm]:
    """A form per device whose choice may still change (not bought out): the failed one as it was sent."""
    forms: dict[str, EndOfTermForm] = {}
    if view is None or not view.open:
        return forms
    for device in view.devices:
        if device.choice == EndOfTerm.BUY_OUT:
            continue
        form = (
            failed[1]
            if failed is not None and failed[0] == device.serial
            else end_of_term_form(device.serial)
        )
        labels = _choice_labels(view, device, renewal_months)
        form.choice.choices = [(value, label) for value, label in labels.items()]
        if form.choice.data is None and device.choice is not None:
            form.choice.data = device.choice
        if device.quote is not None:
            form.quote_id.data = str(device.quote.id)
        forms[device.serial] = form
    return forms


def _subscription_page(
    contract_id: int,
    failed: DisputeForm | None = None,
    failed_id: int | None = None,
    failed_choice: tuple[str, EndOfTermForm] | None = None,
) -> Any:
    scope, today = customer_scope(), clock.today()
    contract = get_contract(contract_id, scope)
    ending = _end_of_term(contract, today)
    page = pager(25)
    deployments, total = list_deployments(contract.id, scope, True, page.offset, page.size)
    due = refresh.due_dates_of(deployments, refresh.contract_cycle(contract))
    metrics = queries.metrics_of([contract.id])[contract.id]
    months = queries.last_months(today, 12)
    by_month = queries.usage_by_month(contract.id, metrics, months)
    invoices, invoice_count = billing.list_invoices(
        contract_id=contract.id, customer_scope=scope, offset=0, limit=12
    )
    charges, _ = list_charges(contract.id, charge_lifecycle.UNBILLED, scope, 0, CHARGES_SHOWN)
    disputes = {
        charge.id: failed if charge.id == failed_id and failed is not None else dispute_form(charge.id)
        for charge in charges
        if charge.status in DISPUTABLE and charge.dispute_reason is None
    }
    return render_template(
        "portal/subscription.html",
        charges=charges,
        disputes=disputes,
        ending=ending,
        end_forms=_end_of_term_forms(ending, contract.renewal_months, failed_choice),
        contract=contract,
        will_renew=renewal.will_renew(contract),
        invoices=invoices,
        invoice_count=invoice_count,
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


@blp.get("/subscriptions/<int:contract_id>")
@audience("customer")
def subscriptions_show(contract_id: int) -> Any:
    return _subscription_page(contract_id)


@blp.post("/subscriptions/<int:contract_id>/charges/<int:charge_id>/dispute")
@audience("customer")
def subscriptions_dispute(contract_id: int, charge_id: int) -> Any:
    charge = get_charge(charge_id, customer_scope())  # another customer's charge: 404
    if charge.contract_id != contract_id:
        return redirect(url_for("portal.subscriptions_show", contract_id=charge.contract_id))
    form = dispute_form(charge_id, request.form)
    if form.validate_on_submit():
        done = carry_out(
            form,
            lambda: dispute_charge(charge_id, form.reason.data, principal().actor, customer_scope()),
            f"Charge #{charge_id} is disputed: it is not billed while we look into it, and we let you know.",
        )
        if done is not None:
            return redirect(url_for("portal.subscriptions_show", contract_id=contract_id))
    return _subscription_page(contract_id, form, charge_id), 422


@blp.post("/subscriptions/<int:contract_id>/end-of-term/<path:serial>")
@audience("customer")
def subscriptions_end_of_term(contract_id: int, serial: str) -> Any:
    get_contract(contract_id, customer_scope())  # another customer's subscription: 404
    form = end_of_term_form(serial, request.form)
    form.choice.choices = [
        (choice, choice) for choice in (EndOfTerm.RETURN, EndOfTerm.EXTEND, EndOfTerm.BUY_OUT)
    ]
    if form.validate_on_submit():
        choice = form.choice.data
        quote_id = int(form.quote_id.data) if choice == EndOfTerm.BUY_OUT else None
        settings = current_settings()
        done = carry_out(
            form,
            lambda: choose_end_of_term(
                contract_id,
                [ChoiceRequest(serial, choice, quote_id)],
                None,
                principal().actor,
                clock.today(),
                settings.end_of_term,
                settings.issuer.country,
                settings.booking_window_days,
                customer_scope(),
            ),
            _CHOSEN[choice].format(serial=serial),
        )
        if done is not None:
            return redirect(url_for("portal.subscriptions_show", contract_id=contract_id) + "#end-of-term")
    return _subscription_page(contract_id, failed_choice=(serial, form)), 422


_CHOSEN = {
    EndOfTerm.RETURN: "Device {serial} will be collected at the end of the subscription.",
    EndOfTerm.EXTEND: "Device {serial} stays: the subscription is extended.",
    EndOfTerm.BUY_OUT: "Device {serial} is yours: the buy-out comes on your next invoice.",
}


# -- impact -------------------------------------------------------------------------------------------------


def _statement(contract_id: int) -> dict[str, Any]:
    return contract_statement(contract_id, None, None, clock.today(), customer_scope())


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
        contract=get_contract(contract_id, customer_scope()),
        statement=statement,
        ewaste_chart=_cumulative_chart(statement, "avoided_ewaste_kg", "Avoided e-waste"),
        co2e_chart=_cumulative_chart(statement, "avoided_co2e_kg", "Avoided CO2e"),
        packaging=[
            (material_label(material), kg) for material, kg in statement["packaging"].items() if kg > 0
        ],
        plastic_share=share_percent(statement["packaging_plastic_share"]),
    )


@blp.get("/subscriptions/<int:contract_id>/impact.pdf")
@audience("customer")
def subscriptions_impact_pdf(contract_id: int) -> Any:
    document = statement_document(_statement(contract_id), current_settings().issuer.name)
    return download(
        render_statement(document), PDF_MIMETYPE, f"impact-contract-{contract_id}.pdf", inline=True
    )
