"""The sustainability workshop for finance and admin: the portfolio of the year's reports (every
customer's headline figures, in a table and a chart), and for any customer the planner and the yearly
report its users see in the portal (`daas.web.fleet_planning`, `daas.web.report_pages`)."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, url_for
from sqlalchemy import select
from wtforms import SelectField
from wtforms.validators import Optional

from daas.customers.models import Customer
from daas.customers.services import get_customer
from daas.downloads import CSV_MIMETYPE, download
from daas.extensions import db
from daas.web import fleet_planning, report_pages
from daas.web.finance import blp
from daas.web.pages import FilterForm, audience, options
from daas.workshop.portfolio import portfolio_report
from daas.workshop.report_files import portfolio_csv

CUSTOMERS_PICKED = 500


class CustomerPickForm(FilterForm):
    customer_id = SelectField("Customer", validators=[Optional()])


def _customers() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Customer.id, Customer.name).order_by(Customer.name).limit(CUSTOMERS_PICKED)
    )
    return [(row.id, row.name) for row in rows]


@blp.get("/sustainability")
@audience("finance")
def sustainability() -> Any:
    """The portfolio of a year, and a picker to open one customer's planner and report."""
    form = report_pages.YearForm()
    year = report_pages.asked_year(form)
    pick = CustomerPickForm()
    pick.customer_id.choices = options((str(id_), name) for id_, name in _customers())
    if pick.validate() and pick.customer_id.data:
        return redirect(url_for("finance.sustainability_report", customer_id=int(pick.customer_id.data)))
    rows = portfolio_report(year)
    return render_template(
        "finance/sustainability.html",
        form=form,
        pick=pick,
        year=year,
        rows=rows,
        chart=portfolio_chart(rows),
    )


@blp.get("/sustainability.csv")
@audience("finance")
def sustainability_csv() -> Any:
    year = report_pages.asked_year(report_pages.YearForm())
    return download(
        portfolio_csv(portfolio_report(year)), CSV_MIMETYPE, f"sustainability-portfolio-{year}.csv"
    )


def portfolio_chart(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The headline CO2e figures (kg) of each customer, side by side."""
    if not rows:
        return None
    figures = [name for name in rows[0] if name.endswith("co2e_kg")]
    return {
        "type": "bar",
        "labels": [str(row["name"]) for row in rows],
        "datasets": [
            {
                "label": name.replace("_", " ").replace("co2e kg", "CO2e"),
                "data": [str(row[name]) for row in rows],
            }
            for name in figures
        ],
        "unit": "kg",
        "stacked": False,
    }


def _context(customer_id: int) -> dict[str, Any]:
    return {"customer": get_customer(customer_id), "endpoint_values": {"customer_id": customer_id}}


@blp.get("/sustainability/customers/<int:customer_id>/report")
@audience("finance")
def sustainability_report(customer_id: int) -> Any:
    return report_pages.report_page(
        "finance/sustainability_report.html",
        customer_id,
        page_endpoint="finance.sustainability_report",
        file_endpoint="finance.sustainability_report_file",
        **_context(customer_id),
    )


@blp.get("/sustainability/customers/<int:customer_id>/report.<fmt>")
@audience("finance")
def sustainability_report_file(customer_id: int, fmt: str) -> Any:
    if fmt not in report_pages.FORMATS:
        abort(404)
    get_customer(customer_id)
    return report_pages.report_file(customer_id, report_pages.asked_year(report_pages.YearForm()), fmt)


@blp.get("/sustainability/customers/<int:customer_id>/plan-fleet")
@audience("finance")
def sustainability_plan(customer_id: int) -> Any:
    return fleet_planning.plan_page(
        "finance/plan_fleet.html",
        customer_id,
        page_endpoint="finance.sustainability_plan",
        save_endpoint="finance.sustainability_plan_save",
        apply_endpoint="finance.sustainability_plan_apply",
        **_context(customer_id),
    )


@blp.post("/sustainability/customers/<int:customer_id>/plan-fleet/save/<kind>")
@audience("finance")
def sustainability_plan_save(customer_id: int, kind: str) -> Any:
    get_customer(customer_id)
    back = fleet_planning.back_to("finance.sustainability_plan", customer_id=customer_id)
    return fleet_planning.save(customer_id, kind, back)


@blp.post("/sustainability/customers/<int:customer_id>/plan-fleet/scenarios/<int:scenario_id>/apply")
@audience("finance")
def sustainability_plan_apply(customer_id: int, scenario_id: int) -> Any:
    get_customer(customer_id)
    back = fleet_planning.back_to("finance.sustainability_plan", customer_id=customer_id)
    return fleet_planning.apply(customer_id, scenario_id, back)
