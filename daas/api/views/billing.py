"""REST: /api/v1/billing-runs and /api/v1/invoices (with credit notes, PDF and the CSV export)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from daas.api.access import access, current_principal
from daas.api.base import Blueprint, page_window
from daas.api.idempotency import idempotent
from daas.billing import invoices as service
from daas.billing.credit_notes import LineCredit, get_credit_note
from daas.billing.export import export_csv
from daas.billing.files import DocumentFile
from daas.core import clock
from daas.core.periods import Period
from daas.downloads import CSV_MIMETYPE, PDF_MIMETYPE, XML_MIMETYPE, download, file_response
from daas.payments import services as payments
from daas.schemas.billing import (
    BillingRunCreateSchema,
    BillingRunSchema,
    CreditNoteCreateSchema,
    CreditNoteSchema,
    DocumentQuerySchema,
    ExportQuerySchema,
    InvoiceQuerySchema,
    InvoiceSchema,
    VoidSchema,
)
from daas.settings import current_settings
from daas.usecases.billing import finalize_run_and_collect, run_billing_period
from daas.usecases.invoices import credit_note_file, finalize_invoice_and_collect, invoice_file, void_invoice
from daas.usecases.payments import issue_credit_note

runs_blp = Blueprint(
    "billing-runs", __name__, url_prefix="/api/v1/billing-runs", description="Monthly billing runs"
)
invoices_blp = Blueprint(
    "invoices", __name__, url_prefix="/api/v1/invoices", description="Invoices and credit notes"
)


@runs_blp.route("")
class BillingRuns(MethodView):
    @access(runs_blp, "finance")
    @runs_blp.response(200, BillingRunSchema(many=True))
    @runs_blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """List billing runs, newest first."""
        rows, pagination_parameters.item_count = service.list_runs(*page_window(pagination_parameters))
        return rows

    @access(runs_blp, "finance")
    @idempotent(runs_blp)
    @runs_blp.arguments(BillingRunCreateSchema)
    @runs_blp.response(201, BillingRunSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Run billing for a period that has ended (else 422 on `period`): create or recompute a draft
        invoice per active contract (idempotent). Contracts that cannot be billed are listed in
        `failed_contracts` and the run is `completed_with_errors`; the others are billed."""
        return run_billing_period(
            Period.parse(data["period"]), current_principal().actor, current_settings().billing_run
        )


@runs_blp.route("/<id:run_id>")
class BillingRunById(MethodView):
    @access(runs_blp, "finance")
    @runs_blp.response(200, BillingRunSchema)
    @runs_blp.alt_response(404, response="NOT_FOUND")
    def get(self, run_id: int) -> Any:
        """Show a billing run and its progress (`interrupted` once its process stopped renewing its
        heartbeat)."""
        return service.get_run(run_id)


@runs_blp.route("/<id:run_id>/finalize")
class BillingRunFinalization(MethodView):
    @access(runs_blp, "finance")
    @idempotent(runs_blp)
    @runs_blp.response(200, BillingRunSchema)
    @runs_blp.alt_response(404, response="NOT_FOUND")
    @runs_blp.alt_response(409, response="CONFLICT")
    def post(self, run_id: int) -> Any:
        """Finalize the drafts this run computed (gapless numbers, due dates from payment terms), then
        collect them by card where the customer has one; the run must have completed (with or without
        errors). 409 when a later run of the period recomputed the drafts: the message names the run that
        owns them."""
        settings = current_settings()
        finalize_run_and_collect(run_id, settings.billing_run, settings.collection)
        return service.get_run(run_id)


@invoices_blp.route("")
class Invoices(MethodView):
    @access(invoices_blp, "finance", "customer")
    @invoices_blp.arguments(InvoiceQuerySchema, location="query")
    @invoices_blp.response(200, InvoiceSchema(many=True))
    @invoices_blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List invoices (a customer user sees its own issued invoices)."""
        offset, limit = page_window(pagination_parameters)
        overdue = payments.overdue_condition(clock.today()) if args.pop("overdue", False) else None
        rows, pagination_parameters.item_count = service.list_invoices(
            **args,
            customer_scope=current_principal().customer_scope,
            offset=offset,
            limit=limit,
            overdue=overdue,
        )
        return rows


@invoices_blp.route("/export.csv")
class InvoiceExport(MethodView):
    @access(invoices_blp, "finance")
    @invoices_blp.arguments(ExportQuerySchema, location="query")
    @file_response(invoices_blp, CSV_MIMETYPE)
    def get(self, args: dict[str, Any]) -> Any:
        """One row per invoice line and one per invoice's VAT: each invoice's rows add up to its total."""
        body = export_csv(service.invoices_for_export(args["period"], args.get("status")))
        return download(body, CSV_MIMETYPE, f"invoices-{args['period']}.csv")


@invoices_blp.route("/<id:invoice_id>")
class InvoiceById(MethodView):
    @access(invoices_blp, "finance", "customer")
    @invoices_blp.response(200, InvoiceSchema)
    @invoices_blp.alt_response(404, response="NOT_FOUND")
    def get(self, invoice_id: int) -> Any:
        """Show an invoice with its lines, taxes, credit notes and what is due."""
        return service.get_invoice(invoice_id, current_principal().customer_scope)


def _send(file: DocumentFile) -> Any:
    return download(file.content, file.mimetype, file.name, inline=file.mimetype == PDF_MIMETYPE)


@invoices_blp.route("/<id:invoice_id>.pdf")
class InvoicePdf(MethodView):
    @access(invoices_blp, "finance", "customer")
    @file_response(invoices_blp, PDF_MIMETYPE)
    @invoices_blp.alt_response(404, response="NOT_FOUND")
    def get(self, invoice_id: int) -> Any:
        """The invoice as issued: a Factur-X PDF (PDF/A-3 with its CII e-invoice attached as
        factur-x.xml), the same bytes on every download. A draft's PDF is marked DRAFT."""
        principal = current_principal()
        return _send(invoice_file(invoice_id, "pdf", current_settings().issuer, principal.customer_scope))


@invoices_blp.route("/<id:invoice_id>.xml")
class InvoiceXml(MethodView):
    @access(invoices_blp, "finance", "customer")
    @invoices_blp.arguments(DocumentQuerySchema, location="query")
    @file_response(invoices_blp, XML_MIMETYPE)
    @invoices_blp.alt_response(404, response="NOT_FOUND")
    @invoices_blp.alt_response(409, response="CONFLICT")
    def get(self, args: dict[str, Any], invoice_id: int) -> Any:
        """The invoice's EN 16931 e-invoice as issued: UBL 2.1 following Peppol BIS Billing 3.0, or CII
        with `?syntax=cii` (the XML attached to the PDF). A draft has none (409)."""
        scope = current_principal().customer_scope
        return _send(invoice_file(invoice_id, "xml", current_settings().issuer, scope, args["syntax"]))


@invoices_blp.route("/<id:invoice_id>/finalize")
class InvoiceFinalization(MethodView):
    @access(invoices_blp, "finance")
    @idempotent(invoices_blp)
    @invoices_blp.response(200, InvoiceSchema)
    @invoices_blp.alt_response(404, response="NOT_FOUND")
    @invoices_blp.alt_response(409, response="CONFLICT")
    def post(self, invoice_id: int) -> Any:
        """Finalize a draft: it gets the next number of its year, an issue date and a due date (and is
        collected by card at once when the customer has one)."""
        settings = current_settings()
        return finalize_invoice_and_collect(invoice_id, settings.documents, settings.collection)


@invoices_blp.route("/<id:invoice_id>/void")
class InvoiceVoid(MethodView):
    @access(invoices_blp, "finance")
    @idempotent(invoices_blp)
    @invoices_blp.arguments(VoidSchema)
    @invoices_blp.response(200, InvoiceSchema)
    @invoices_blp.alt_response(404, response="NOT_FOUND")
    @invoices_blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], invoice_id: int) -> Any:
        """Void an open, unpaid invoice: its full credit note is issued with the reason (the invoice keeps
        its number and is void). A paid invoice is credited instead (which refunds)."""
        void_invoice(invoice_id, data["reason"], current_principal().actor, current_settings().issuer)
        return service.get_invoice(invoice_id)


@invoices_blp.route("/<id:invoice_id>/credit-notes")
class InvoiceCreditNotes(MethodView):
    @access(invoices_blp, "finance")
    @idempotent(invoices_blp)
    @invoices_blp.arguments(CreditNoteCreateSchema)
    @invoices_blp.response(201, CreditNoteSchema)
    @invoices_blp.alt_response(404, response="NOT_FOUND")
    @invoices_blp.alt_response(409, response="CONFLICT")
    def post(self, data: dict[str, Any], invoice_id: int) -> Any:
        """Issue a credit note against an open or paid invoice: an `amount` or `lines` of it, net (without
        VAT, as invoice lines are), up to what is left to credit; the invoice's VAT rate is added. On an
        invoice paid by card it is refunded through Stripe."""
        settings = current_settings()
        note, _refund = issue_credit_note(
            invoice_id,
            data["reason"],
            current_principal().actor,
            settings.issuer,
            settings.collection,
            amount=data.get("amount"),
            lines=[LineCredit(line["invoice_line_id"], line["amount"]) for line in data.get("lines", ())],
        )
        return get_credit_note(note.id)


@invoices_blp.route("/<id:invoice_id>/credit-notes/<id:note_id>.pdf")
class CreditNotePdf(MethodView):
    @access(invoices_blp, "finance", "customer")
    @file_response(invoices_blp, PDF_MIMETYPE)
    @invoices_blp.alt_response(404, response="NOT_FOUND")
    def get(self, invoice_id: int, note_id: int) -> Any:
        """A credit note as issued: a Factur-X PDF, the same bytes on every download."""
        scope = current_principal().customer_scope
        return _send(credit_note_file(invoice_id, note_id, "pdf", current_settings().issuer, scope))


@invoices_blp.route("/<id:invoice_id>/credit-notes/<id:note_id>.xml")
class CreditNoteXml(MethodView):
    @access(invoices_blp, "finance", "customer")
    @invoices_blp.arguments(DocumentQuerySchema, location="query")
    @file_response(invoices_blp, XML_MIMETYPE)
    @invoices_blp.alt_response(404, response="NOT_FOUND")
    def get(self, args: dict[str, Any], invoice_id: int, note_id: int) -> Any:
        """A credit note's e-invoice: UBL (Peppol BIS Billing 3.0), or CII with `?syntax=cii`."""
        scope = current_principal().customer_scope
        return _send(
            credit_note_file(invoice_id, note_id, "xml", current_settings().issuer, scope, args["syntax"])
        )
