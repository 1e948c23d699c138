"""Price plans and metrics: the list of plans, a new plan from the form's device charge and metered
charge rows (the service's errors put back beside the rows they came from), and the metrics page."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for

from daas.auth.roles import ADMIN
from daas.core.errors import Invalid
from daas.pricing import services as pricing
from daas.pricing.kinds import DEVICE_MONTHLY, METERED
from daas.pricing.models import Plan
from daas.usecases import pricing as use_cases
from daas.web.admin import blp, form_page, queries
from daas.web.admin.forms import MetricForm, PlanForm, none_if_blank
from daas.web.pages import audience, carry_out, pager


@blp.get("/plans")
@audience(ADMIN)
def plans() -> Any:
    page = pager(10)
    rows, total = pricing.list_plans(None, page.offset, page.size)
    return render_template("admin/plans.html", plans=rows, pager=page.with_total(total))


@blp.route("/plans/new", methods=["GET", "POST"])
@audience(ADMIN)
def plans_new() -> Any:
    form = PlanForm()
    form.prepare(queries.metric_codes())
    if form.validate_on_submit():
        values, rows = _plan_values(form)
        if values is not None:
            plan = carry_out(
                form,
                lambda: _create_plan(form, values, rows),
                lambda p: f"Plan {p.code} created with {len(p.charges)} charge(s).",
            )
            if plan is not None:
                return redirect(url_for("admin.plans"))
    return form_page("admin/plan_form.html", form=form)


@blp.route("/plans/metrics", methods=["GET", "POST"])
@audience(ADMIN)
def plans_metrics() -> Any:
    form = MetricForm()
    if form.validate_on_submit():
        values = {
            "code": form.code.data,
            "name": form.name.data,
            "aggregation": form.aggregation.data,
            "field": none_if_blank(form.field.data),
        }
        metric = carry_out(
            form, lambda: use_cases.create_metric(values), lambda m: f"Metric {m.code} created."
        )
        if metric is not None:
            return redirect(url_for("admin.plans_metrics"))
    page = pager(50)
    rows, total = pricing.list_metrics(page.offset, page.size)
    return form_page("admin/metrics.html", form=form, metrics=rows, pager=page.with_total(total))


# Which form row each of a plan's charges (and tiers) came from: None is the device charge.
Rows = list[tuple[int | None, list[int]]]


def _plan_values(form: PlanForm) -> tuple[dict[str, Any] | None, Rows]:
    """The plan as `create_plan` takes it, from the filled rows of the form; None when the form lacks
    something the service cannot name a field for (a tier without its unit amount, no charge at all)."""
    charges: list[dict[str, Any]] = []
    rows: Rows = []
    complete = True
    if form.device_unit_amount.data is not None or form.device_model_sku.data:
        charges.append(
            {
                "kind": DEVICE_MONTHLY,
                "unit_amount": form.device_unit_amount.data,
                "device_model_sku": none_if_blank(form.device_model_sku.data),
            }
        )
        rows.append((None, []))
    for index, entry in enumerate(form.charges):
        charge = entry.form
        if not charge.filled():
            continue
        tiers, tier_rows = [], []
        for tier_index, tier in enumerate(charge.tiers):
            if not tier.form.filled():
                continue
            if tier.form.unit_amount.data is None:
                tier.form.unit_amount.errors = [
                    *tier.form.unit_amount.errors,
                    "A tier needs its unit amount.",
                ]
                complete = False
            tiers.append(
                {
                    "up_to": tier.form.up_to.data,
                    "unit_amount": tier.form.unit_amount.data,
                    "flat_amount": tier.form.flat_amount.data,
                }
            )
            tier_rows.append(tier_index)
        charges.append(
            {
                "kind": METERED,
                "metric": charge.metric.data or None,
                "model": charge.model.data or None,
                "unit_amount": charge.unit_amount.data,
                "package_size": charge.package_size.data,
                "tiers": tiers or None,
            }
        )
        rows.append((index, tier_rows))
    if not charges:
        form.device_unit_amount.errors = [
            *form.device_unit_amount.errors,
            "A plan needs a charge: an amount per device, or a metered charge below.",
        ]
        complete = False
    if not complete:
        return None, rows
    values = {
        "code": form.code.data,
        "name": form.name.data,
        "currency": form.currency.data,
        "term_months": form.term_months.data,
        "refresh_cycle_months": form.refresh_cycle_months.data,
        "minimum_monthly_amount": form.minimum_monthly_amount.data,
        "charges": charges,
    }
    return values, rows


def _create_plan(form: PlanForm, values: dict[str, Any], rows: Rows) -> Plan:
    """The create-plan use case, with the errors it finds in charges and tiers put beside the rows they came
    from."""
    try:
        return use_cases.create_plan(values)
    except Invalid as error:
        rest = {key: messages for key, messages in error.errors.items() if key != "charges"}
        for index, problems in (error.errors.get("charges") or {}).items():
            _place_charge_errors(form, rows[int(index)], problems)
        raise Invalid("The plan is not valid: see the messages beside the fields.", errors=rest) from error


def _place_charge_errors(form: PlanForm, row: tuple[int | None, list[int]], problems: dict[str, Any]) -> None:
    row_index, tier_rows = row
    for name, messages in problems.items():
        if row_index is None:
            target = form.device_model_sku if name == "device_model_sku" else form.device_unit_amount
            _add_errors(target, messages)
            continue
        charge = form.charges[row_index].form
        if name == "tiers" and isinstance(messages, dict):
            for tier_index, tier_problems in messages.items():
                tier = charge.tiers[tier_rows[int(tier_index)]].form
                for field_name, field_messages in tier_problems.items():
                    _add_errors(getattr(tier, field_name, tier.up_to), field_messages)
        elif name == "tiers":
            _add_errors(charge.tiers[0].form.unit_amount, [f"Tiers: {m}" for m in messages])
        else:
            _add_errors(getattr(charge, name, charge.model), messages)


def _add_errors(field: Any, messages: Any) -> None:
    field.errors = [*field.errors, *(messages if isinstance(messages, list | tuple) else [messages])]
