"""REST: the accounting journal (/api/v1/accounting/journal.csv) and a customer's account statement
(/api/v1/customers/<id>/statement, JSON and PDF)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.accounting.entries import journal_file
from daas.accounting.facts import year_range
from daas.accounting.statement import customer_statement
from daas.accounting.statement_pdf import render_statement
from daas.api.access import access, current_principal
from daas.api.base import Blueprint
from daas.auth.roles import CUSTOMER, FINANCE
from daas.core import clock
from daas.downloads import CSV_MIMETYPE, PDF_MIMETYPE, download, file_response
from daas.schemas.accounting import AccountingRangeQuerySchema, AccountStatementSchema
from daas.settings import current_settings

blp = Blueprint(
    "accounting", __name__, url_prefix="/api/v1", description="Accounting journal and account statements"
)


def _range(args: dict[str, Any]) -> tuple[Any, Any]:
    return year_range(args.get("from_"), args.get("to"), clock.today())


def _statement(customer_id: int, args: dict[str, Any]) -> Any:
    return customer_statement(customer_id, *_range(args), current_principal().customer_scope)


@blp.route("/accounting/journal.csv")
class Journal(MethodView):
    @access(blp, FINANCE)
    @blp.arguments(AccountingRangeQuerySchema, location="query")
    @file_response(blp, CSV_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """The journal of the range for a bookkeeper to import: one balanced entry per issued invoice,
        credit note, payment received and card refund, one row per account posted (debit or credit, in
        the document's currency). Accounts come from the `DAAS_ACCOUNT_*` settings."""
        start, end = _range(args)
        body = journal_file(start, end, current_settings().accounts)
        return download(body, CSV_MIMETYPE, f"journal-{start.isoformat()}-{end.isoformat()}.csv")


@blp.route("/customers/<id:customer_id>/statement")
class CustomerStatement(MethodView):
    @access(blp, FINANCE, CUSTOMER)
    @blp.arguments(AccountingRangeQuerySchema, location="query")
    @blp.response(200, AccountStatementSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], customer_id: int) -> Any:
        """The customer's account: the balance owed before `from`, each invoice, credit note, payment and
        refund to `to` with the balance after it, and the closing balance (a customer user sees its own)."""
        return _statement(customer_id, args)


@blp.route("/customers/<id:customer_id>/statement.pdf")
class CustomerStatementPdf(MethodView):
    @access(blp, FINANCE, CUSTOMER)
    @blp.arguments(AccountingRangeQuerySchema, location="query")
    @file_response(blp, PDF_MIMETYPE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], customer_id: int) -> Any:
        """The account statement as a PDF."""
        statement = _statement(customer_id, args)
        body = render_statement(statement, current_settings().issuer.name)
        name = f"statement-{customer_id}-{statement.start.isoformat()}-{statement.end.isoformat()}.pdf"
        return download(body, PDF_MIMETYPE, name, inline=True)
