"""What the sustainability report pages share, for the customer in the portal and for finance and admin on
any customer's behalf: the year asked for, the report's sections (the API's JSON, `report_json`), a chart
of its headline figures, and the report as a CSV, XLSX or PDF file.

The reporting choices (consolidation approach, the Scope 3 category of embodied emissions, the fiscal
year) are shown, not edited here: finance and admin set them on the customer.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import render_template
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from daas.core import clock
from daas.downloads import CSV_MIMETYPE, PDF_MIMETYPE, XLSX_MIMETYPE, download
from daas.web.pages import FilterForm
from daas.workshop.report import build_report, report_json
from daas.workshop.report_files import report_csv, report_pdf, report_xlsx

FORMATS = {
    "csv": (CSV_MIMETYPE, report_csv, False),
    "xlsx": (XLSX_MIMETYPE, report_xlsx, False),
    "pdf": (PDF_MIMETYPE, report_pdf, True),
}


class YearForm(FilterForm):
    """The year of the report; left out, the current one (to date)."""

    year = IntegerField("Year", validators=[Optional(), NumberRange(2000, 2100)])


def asked_year(form: YearForm) -> int:
    return form.year.data if form.validate() and form.year.data else clock.today().year


def report_page(template: str, customer_id: int, **context: Any) -> str:
    form = YearForm()
    year = asked_year(form)
    report = report_json(build_report(customer_id, year))
    about, sections = report_sections(report)
    return render_template(
        template,
        form=form,
        year=year,
        report=report,
        about=about,
        sections=sections,
        charts=report_charts(report),
        **context,
    )


def report_file(customer_id: int, year: int, fmt: str) -> Any:
    mimetype, render, inline = FORMATS[fmt]
    body = render(build_report(customer_id, year))
    return download(body, mimetype, f"sustainability-report-{customer_id}-{year}.{fmt}", inline=inline)


def report_sections(report: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """What the report is about (its plain values: customer, days, method, months closed and missing), and
    its sections (each a record), the reporting choices first."""
    about = [(name, value) for name, value in report.items() if not isinstance(value, dict)]
    sections = sorted(
        ((name, value) for name, value in report.items() if isinstance(value, dict)),
        key=lambda item: item[0] != "reporting_choices",
    )
    return about, sections


def report_charts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """CO2e by where it is reported (the inventory: use phase and embodied; avoided CO2e is never in it),
    and packaging by material, when there is any."""
    use, embodied = report["use_phase"], report["embodied"]
    by_scope: dict[str, Decimal] = {}
    for scope, kg in (
        (use["scope"], use["co2e_kg"]),
        (embodied["scope"], embodied["allocated_co2e_kg"]),
        (embodied["transferred_scope"], embodied["transferred_co2e_kg"]),
    ):
        by_scope[scope] = by_scope.get(scope, Decimal(0)) + Decimal(kg)  # the scope as the report names it
    charts = [
        {
            "title": "CO2e by scope",
            "spec": {
                "type": "bar",
                "labels": list(by_scope),
                "datasets": [{"label": "CO2e", "data": [str(kg) for kg in by_scope.values()]}],
                "unit": "kg",
                "stacked": False,
            },
        }
    ]
    materials = {name: kg for name, kg in report["packaging"]["kg_by_material"].items() if Decimal(kg) > 0}
    if materials:
        charts.append(
            {
                "title": "Packaging by material",
                "spec": {
                    "type": "bar",
                    "labels": [name.replace("_", " ") for name in materials],
                    "datasets": [{"label": "Packaging", "data": [str(kg) for kg in materials.values()]}],
                    "unit": "kg",
                    "stacked": False,
                },
            }
        )
    return charts
