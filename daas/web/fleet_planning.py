"""What the "Plan your fleet" pages share, for a customer in the portal and for finance and admin on any
customer's behalf: the form of scenarios to compare, the comparison drawn as charts with their numbers,
saving a scenario and applying a saved one.

Comparing changes nothing (a GET form); saving and applying are POSTs carried out by `carry_out`. The
figures come from the use cases the API calls (`daas.usecases.workshop`) in the API's shape
(`comparison_json`), so a page shows what the API answers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from daas.contracts.models import Contract
from daas.contracts.services import list_contracts
from daas.core.errors import DomainError
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases import workshop as use_cases
from daas.web.pages import FilterForm, carry_out, options, principal, show_error
from daas.workshop.comparison_json import comparison_json
from daas.workshop.plan_types import ScenarioKind
from daas.workshop.scenarios import list_saved_scenarios

DEFAULT_HORIZON_YEARS = 4
WHOLE_FLEET = ""
# Only these set something on a contract (its own refresh cycle); the others are the refresh desk's policy.
APPLICABLE = (ScenarioKind.EXTEND, ScenarioKind.AS_IS)
KIND_LABELS = {
    ScenarioKind.AS_IS: "As is",
    ScenarioKind.EXTEND: "Extend",
    ScenarioKind.UPGRADE_FIRST: "Upgrade first",
    ScenarioKind.REFURBISHED_FIRST: "Refurbished first",
}


class PlanForm(FilterForm):
    """The scenarios to compare with `as_is` (always compared), the horizon and, optionally, one contract."""

    horizon_years = IntegerField(
        "Horizon (years)", default=DEFAULT_HORIZON_YEARS, validators=[Optional(), NumberRange(1, 10)]
    )
    contract_id = SelectField("Contract", default=WHOLE_FLEET, validators=[Optional()])
    extend = BooleanField("Extend the refresh cycles")
    extend_months = IntegerField(
        "Longer by (months)", default=12, validators=[Optional(), NumberRange(1, 60)]
    )
    upgrade_first = BooleanField("Upgrade first, wherever the upgrade rules allow")
    refurbished_first = BooleanField("Serve new orders and replacements with refurbished devices first")
    refurbished_share = IntegerField(
        "Up to a share of (%)", default=50, validators=[Optional(), NumberRange(0, 100)]
    )


class SaveScenarioForm(FlaskForm):
    """One compared scenario to keep under a name (its kind is in the address): its choices as the
    comparison had them."""

    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    extend_months = HiddenField()
    refurbished_share = HiddenField()
    horizon_years = HiddenField()
    contract_id = HiddenField()


def scenario_choices(kind: str, extend_months: int | None, refurbished_percent: int | None) -> dict[str, Any]:
    """The choices of one scenario as the use cases take them (and a saved scenario keeps them)."""
    if kind == ScenarioKind.EXTEND:
        return {"months": extend_months}
    if kind == ScenarioKind.REFURBISHED_FIRST:
        return {"share": str(Decimal(refurbished_percent or 0) / 100)}
    return {}


def scenario_name(kind: str, extend_months: int | None, refurbished_percent: int | None) -> str:
    if kind == ScenarioKind.EXTEND:
        return f"Extend by {extend_months} months"
    if kind == ScenarioKind.REFURBISHED_FIRST:
        return f"Refurbished first, up to {refurbished_percent}%"
    return KIND_LABELS[kind]


def asked_scenarios(form: PlanForm) -> list[dict[str, Any]]:
    """The scenarios the form asks for, `as_is` first."""
    months, share = form.extend_months.data, form.refurbished_share.data
    kinds = [ScenarioKind.AS_IS]
    kinds += [ScenarioKind.EXTEND] if form.extend.data else []
    kinds += [ScenarioKind.UPGRADE_FIRST] if form.upgrade_first.data else []
    kinds += [ScenarioKind.REFURBISHED_FIRST] if form.refurbished_first.data else []
    return [
        {"kind": kind, "name": scenario_name(kind, months, share), **scenario_choices(kind, months, share)}
        for kind in kinds
    ]


def _contract_choices(customer_id: int) -> list[Any]:
    contracts, _ = list_contracts(customer_id=customer_id, customer_scope=customer_id, limit=200)
    return options(
        [(WHOLE_FLEET, "The whole fleet"), *((str(c.id), f"#{c.id} {c.plan.name}") for c in contracts)]
    )


def _compare(form: PlanForm, customer_id: int) -> dict[str, Any] | None:
    """The comparison the form asks for (as_is alone on the first load); None, with the reason beside the
    fields or at the top, when the form or the use case refuses."""
    if not form.validate():
        return None
    contract = form.contract_id.data or WHOLE_FLEET
    settings = current_settings()
    try:
        comparison = use_cases.compare_customer_scenarios(
            customer_id,
            form.horizon_years.data or DEFAULT_HORIZON_YEARS,
            asked_scenarios(form),
            contract_id=int(contract) if contract else None,
            customer_scope=principal().customer_scope,
            policy=settings.upgrade,
            upgrade_fees=settings.workshop_upgrade_fees,
        )
    except DomainError as error:  # e.g. a fleet in two currencies: beside the contract picker
        show_error(form, error)
        return None
    return comparison_json(comparison)


def plan_page(template: str, customer_id: int, **context: Any) -> str:
    """The planner of one customer: the form, the comparison as charts and tables, the saved scenarios."""
    form = PlanForm()
    form.contract_id.choices = _contract_choices(customer_id)
    comparison = _compare(form, customer_id)
    return render_template(
        template,
        form=form,
        comparison=comparison,
        charts=comparison_charts(comparison) if comparison else [],
        save_forms=save_forms(comparison, form) if comparison else {},
        saved=list_saved_scenarios(customer_id),
        applicable=APPLICABLE,
        kind_labels=KIND_LABELS,
        **context,
    )


def save_forms(comparison: dict[str, Any], form: PlanForm) -> dict[str, SaveScenarioForm]:
    """A "Save this scenario" form for each compared scenario but as_is, with what the comparison used."""
    forms = {}
    for scenario in comparison["scenarios"]:
        if scenario["kind"] == ScenarioKind.AS_IS:
            continue
        save = SaveScenarioForm(formdata=None, prefix=f"save-{scenario['kind']}")
        save.name.data = scenario["name"]
        save.extend_months.data = form.extend_months.data
        save.refurbished_share.data = form.refurbished_share.data
        save.horizon_years.data = comparison["horizon_years"]
        save.contract_id.data = form.contract_id.data or WHOLE_FLEET
        forms[scenario["kind"]] = save
    return forms


def _whole(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def save(customer_id: int, kind: str, back: Callable[[], Any]) -> Any:
    """Save the posted scenario (the form of its kind), then go back to the planner."""
    form = SaveScenarioForm(prefix=f"save-{kind}")
    if form.validate_on_submit():
        months, share = _whole(form.extend_months.data), _whole(form.refurbished_share.data)
        carry_out(
            form,
            lambda: use_cases.save_scenario(
                customer_id,
                form.name.data,
                kind,
                scenario_choices(kind, months, share),
                _whole(form.horizon_years.data) or DEFAULT_HORIZON_YEARS,
                principal().actor,
                contract_id=_whole(form.contract_id.data),
                customer_scope=principal().customer_scope,
            ),
            lambda saved: f"Saved the scenario “{saved.name}”.",
        )
    else:
        for messages in form.errors.values():
            flash(f"The scenario was not saved: {' '.join(messages)}", "error")
    return back()


def apply(customer_id: int, scenario_id: int, back: Callable[[], Any]) -> Any:
    """Apply a saved scenario and say which contracts changed and their refresh cycle now."""
    carry_out(
        None,
        lambda: use_cases.apply_scenario(
            customer_id, scenario_id, principal().actor, customer_scope=principal().customer_scope
        ),
        applied_message,
    )
    return back()


def applied_message(contract_ids: list[int]) -> str:
    if not contract_ids:
        return "Applied. No contract's refresh cycle changed."
    contracts = db.session.scalars(
        select(Contract).where(Contract.id.in_(contract_ids)).order_by(Contract.id)
    )
    changed = "; ".join(
        f"contract #{contract.id} now refreshes every {contract.refresh_cycle_months} months"
        if contract.refresh_cycle_months is not None
        else f"contract #{contract.id} is back on its plan's refresh cycle"
        for contract in contracts
    )
    return f"Applied: {changed}. The next refreshes are due from the new cycle."


def back_to(endpoint: str, **values: Any) -> Callable[[], Any]:
    return lambda: redirect(url_for(endpoint, **values))


# -- charts -------------------------------------------------------------------------------------------------

# (figure, title, unit, whole numbers) of each chart; each has a table of the numbers under it.
CHARTS = (
    ("new_devices", "Devices manufactured for the fleet", "devices", True),
    ("devices_leaving", "Devices leaving the fleet", "devices", False),
    ("leaving_recycled", "Of them expected to be recycled (e-waste)", "devices", False),
    ("embodied_co2e_kg", "Embodied CO2e of what is manufactured (consequential view)", "kg", False),
    ("attributed_co2e_kg", "CO2e attributed to the fleet (daas-impact-1, inventory view)", "kg", False),
    ("cost", "Subscription cost", None, False),
)


def comparison_charts(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """One chart per figure: a bar per scenario and year; with the table rows (each scenario's years,
    total and difference from as_is)."""
    first = comparison["scenarios"][0]
    labels = [f"Year {year['year']} ({year['starts_on']})" for year in first["years"]]
    drawn = []
    for figure, title, counted_in, whole in CHARTS:
        unit = counted_in or comparison["currency"]
        drawn.append(
            {
                "id": figure.replace("_", "-"),
                "title": title,
                "figure": figure,
                "spec": {
                    "type": "bar",
                    "labels": labels,
                    "datasets": [
                        {"label": s["name"], "data": [_number(year[figure]) for year in s["years"]]}
                        for s in comparison["scenarios"]
                    ],
                    "unit": unit,
                    "stacked": False,
                    "integer": whole,
                },
                "rows": [
                    {
                        "name": s["name"],
                        "kind": s["kind"],
                        "years": [_number(year[figure]) for year in s["years"]],
                        "total": _number(s["total"][figure]),
                        "difference": _signed(s["difference"][figure]),
                    }
                    for s in comparison["scenarios"]
                ],
            }
        )
    return drawn


def _number(value: Any) -> str:
    """A figure as the table shows it: Decimal("12.500") -> "12.5"; counts stay whole."""
    normalized = Decimal(str(value)).quantize(Decimal("0.01")).normalize()
    return f"{normalized:f}"


def _signed(value: Any) -> str:
    shown = _number(value)
    return shown if shown.startswith("-") or shown == "0" else f"+{shown}"
