"""REST: a subscription's impact statement (JSON, CSV, PDF), the portfolio report, parameter sets and grid
factor sets."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import EVERYONE, access, current_principal
from daas.api.base import Blueprint
from daas.api.idempotency import idempotent
from daas.core import clock
from daas.downloads import CSV_MIMETYPE, PDF_MIMETYPE, download, file_response
from daas.impact import grid_factor_sets, parameter_sets
from daas.impact.documents import statement_document
from daas.impact.export import ledger_csv, report_csv, statement_csv
from daas.impact.statement_pdf import render_statement
from daas.impact.statements import contract_ledger, contract_statement, portfolio_report
from daas.schemas.grid_factors import (
    GridFactorSetCreateSchema,
    GridFactorSetSchema,
    GridFactorSetSummarySchema,
)
from daas.schemas.impact import (
    ParameterSetCreateSchema,
    ParameterSetSchema,
    ReportSchema,
    StatementSchema,
    WindowQuerySchema,
)
from daas.settings import current_settings
from daas.usecases.impact import create_grid_factor_set, create_parameter_set

blp = Blueprint("impact", __name__, url_prefix="/api/v1", description="Avoided IT waste per subscription")


def _statement(contract_id: int, args: dict[str, Any]) -> dict[str, Any]:
    return contract_statement(
        contract_id, args.get("from_"), args.get("to"), clock.today(), current_principal().customer_scope
    )


@blp.route("/contracts/<id:contract_id>/impact")
class ContractImpact(MethodView):
    @access(blp, "customer", "finance")
    @blp.arguments(WindowQuerySchema, location="query")
    @blp.response(200, StatementSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], contract_id: int) -> Any:
        """The subscription's impact over whole months (the whole contract by default); months not yet
        closed are computed and listed in `provisional_periods`."""
        return _statement(contract_id, args)


@blp.route("/contracts/<id:contract_id>/impact.csv")
class ContractImpactCsv(MethodView):
    @access(blp, "customer", "finance")
    @blp.arguments(WindowQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], contract_id: int) -> Any:
        """The statement as CSV: a row per device and a total row."""
        return download(
            statement_csv(_statement(contract_id, args)), CSV_MIMETYPE, f"impact-contract-{contract_id}.csv"
        )


@blp.route("/contracts/<id:contract_id>/impact.pdf")
class ContractImpactPdf(MethodView):
    @access(blp, "customer", "finance")
    @blp.arguments(WindowQuerySchema, location="query")
    @file_response(blp, PDF_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], contract_id: int) -> Any:
        """The statement as a PDF to hand to an auditor, with the method and its parameters explained."""
        document = statement_document(_statement(contract_id, args), current_settings().issuer.name)
        return download(
            render_statement(document), PDF_MIMETYPE, f"impact-contract-{contract_id}.pdf", inline=True
        )


@blp.route("/contracts/<id:contract_id>/impact/ledger.csv")
class ContractImpactLedgerCsv(MethodView):
    @access(blp, "customer", "finance")
    @blp.arguments(WindowQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], contract_id: int) -> Any:
        """The ledger rows behind the statement, a row per month and device, with the balances after each
        month and the parameter set version: what an auditor recomputes the statement from."""
        rows = contract_ledger(
            contract_id, args.get("from_"), args.get("to"), clock.today(), current_principal().customer_scope
        )
        return download(ledger_csv(rows), CSV_MIMETYPE, f"impact-ledger-contract-{contract_id}.csv")


@blp.route("/impact/report")
class ImpactReport(MethodView):
    @access(blp, "finance")
    @blp.arguments(WindowQuerySchema, location="query")
    @blp.response(200, ReportSchema)
    def get(self, args: dict[str, Any]) -> Any:
        """Every subscription's figures by customer, their total, and the provider's residual."""
        return portfolio_report(args.get("from_"), args.get("to"), clock.today())


@blp.route("/impact/report.csv")
class ImpactReportCsv(MethodView):
    @access(blp, "finance")
    @blp.arguments(WindowQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """The report as CSV: a row per customer, the total, and the provider's residual."""
        report = portfolio_report(args.get("from_"), args.get("to"), clock.today())
        return download(report_csv(report), CSV_MIMETYPE, "impact-report.csv")


@blp.route("/impact/parameter-sets")
class ParameterSets(MethodView):
    @access(blp, *EVERYONE)
    @blp.response(200, ParameterSetSchema(many=True))
    def get(self) -> Any:
        """Every version of the method's parameters, with the source of each value."""
        return parameter_sets.list_parameter_sets()

    @access(blp)
    @blp.arguments(ParameterSetCreateSchema)
    @blp.response(201, ParameterSetSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """A new version, applying from the 1st of a month after the last closed one (admin)."""
        return create_parameter_set(data["values"], data["sources"], data["valid_from"])


@blp.route("/impact/grid-factor-sets")
class GridFactorSets(MethodView):
    @access(blp, *EVERYONE)
    @blp.response(200, GridFactorSetSummarySchema(many=True))
    def get(self) -> Any:
        """Every version of the location-based grid factors (kg CO2e per kWh by country and year); the
        highest is what reports use."""
        return grid_factor_sets.list_grid_factor_sets()

    @access(blp)
    @idempotent(blp)
    @blp.arguments(GridFactorSetCreateSchema)
    @blp.response(201, GridFactorSetSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any]) -> Any:
        """A new version replacing the whole table, each factor with its source and version (admin)."""
        return create_grid_factor_set(data["factors"], data["note"], current_principal().actor)


@blp.route("/impact/grid-factor-sets/<id:version>")
class GridFactorSetByVersion(MethodView):
    @access(blp, *EVERYONE)
    @blp.response(200, GridFactorSetSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, version: int) -> Any:
        """One version with its factors."""
        return grid_factor_sets.grid_factor_set(version)
