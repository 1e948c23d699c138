"""The customer's sustainability report for a year: its sections, a chart of its headline figures and the
report as files (see `daas.web.report_pages`)."""

from __future__ import annotations

from typing import Any

from flask import abort

from daas.web import report_pages
from daas.web.pages import audience
from daas.web.portal import blp
from daas.web.portal.common import customer_scope


@blp.get("/sustainability-report")
@audience("customer")
def sustainability_report() -> Any:
    return report_pages.report_page(
        "portal/sustainability_report.html",
        customer_scope(),
        page_endpoint="portal.sustainability_report",
        file_endpoint="portal.sustainability_report_file",
        endpoint_values={},
    )


@blp.get("/sustainability-report.<fmt>")
@audience("customer")
def sustainability_report_file(fmt: str) -> Any:
    if fmt not in report_pages.FORMATS:
        abort(404)
    return report_pages.report_file(customer_scope(), report_pages.asked_year(report_pages.YearForm()), fmt)
