"""REST: a customer's yearly sustainability report (JSON, CSV, XLSX, PDF) and the portfolio of every
customer's headline figures. A customer user sees its own customer's report only (another's is 404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint
from daas.auth.roles import CUSTOMER, FINANCE
from daas.customers.services import get_customer
from daas.downloads import CSV_MIMETYPE, PDF_MIMETYPE, XLSX_MIMETYPE, download, file_response
from daas.schemas.sustainability_report import PortfolioRowSchema, SustainabilityReportSchema, YearQuerySchema
from daas.workshop.portfolio import portfolio_report
from daas.workshop.report import build_report, report_json
from daas.workshop.report_figures import SustainabilityReport
from daas.workshop.report_files import portfolio_csv, report_csv, report_pdf, report_xlsx

blp = Blueprint(
    "workshop", __name__, url_prefix="/api/v1", description="Yearly sustainability reports per customer"
)


def _report(customer_id: int, year: int) -> SustainabilityReport:
    get_customer(customer_id, current_principal().customer_scope)  # another customer's: 404
    return build_report(customer_id, year)


def _file(customer_id: int, year: int, write: Callable[[SustainabilityReport], bytes], mimetype: str) -> Any:
    """The report written by `write`, as a download named after the customer, the year and the format."""
    extension = {CSV_MIMETYPE: "csv", XLSX_MIMETYPE: "xlsx", PDF_MIMETYPE: "pdf"}[mimetype]
    name = f"sustainability-report-{customer_id}-{year}.{extension}"
    return download(write(_report(customer_id, year)), mimetype, name, inline=mimetype == PDF_MIMETYPE)


@blp.route("/customers/<id:customer_id>/sustainability-report")
class SustainabilityReportJson(MethodView):
    @access(blp, FINANCE, CUSTOMER)
    @blp.arguments(YearQuerySchema, location="query")
    @blp.response(200, SustainabilityReportSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], customer_id: int) -> Any:
        """The customer's report for a year, from the closed impact ledger months of it (months not closed
        yet are listed in `missing_months`)."""
        return report_json(_report(customer_id, args["year"]))


@blp.route("/customers/<id:customer_id>/sustainability-report.csv")
class SustainabilityReportCsv(MethodView):
    @access(blp, FINANCE, CUSTOMER)
    @blp.arguments(YearQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], customer_id: int) -> Any:
        """The report as CSV: every section in turn, each with its header row."""
        return _file(customer_id, args["year"], report_csv, CSV_MIMETYPE)


@blp.route("/customers/<id:customer_id>/sustainability-report.xlsx")
class SustainabilityReportXlsx(MethodView):
    @access(blp, FINANCE, CUSTOMER)
    @blp.arguments(YearQuerySchema, location="query")
    @file_response(blp, XLSX_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], customer_id: int) -> Any:
        """The report as an XLSX workbook, one sheet per section."""
        return _file(customer_id, args["year"], report_xlsx, XLSX_MIMETYPE)


@blp.route("/customers/<id:customer_id>/sustainability-report.pdf")
class SustainabilityReportPdf(MethodView):
    @access(blp, FINANCE, CUSTOMER)
    @blp.arguments(YearQuerySchema, location="query")
    @file_response(blp, PDF_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], customer_id: int) -> Any:
        """The report as a PDF for the board, with its charts."""
        return _file(customer_id, args["year"], report_pdf, PDF_MIMETYPE)


@blp.route("/sustainability-report/portfolio")
class SustainabilityPortfolio(MethodView):
    @access(blp, FINANCE)
    @blp.arguments(YearQuerySchema, location="query")
    @blp.response(200, PortfolioRowSchema(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Every customer's headline figures for the year (each over its own reporting year)."""
        return portfolio_report(args["year"])


@blp.route("/sustainability-report/portfolio.csv")
class SustainabilityPortfolioCsv(MethodView):
    @access(blp, FINANCE)
    @blp.arguments(YearQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """The portfolio as CSV, a row per customer."""
        rows = portfolio_report(args["year"])
        return download(portfolio_csv(rows), CSV_MIMETYPE, f"sustainability-portfolio-{args['year']}.csv")
