"""Invoices: the list (filters and totals), the CSV export, one invoice with its documents (PDF, UBL and
CII as issued, with their SHA-256), lines, payments and credit notes, what finance does to it (finalize a
draft, void, credit, record a bank transfer), and the overdue list.

Finalizing, voiding and crediting are legal acts that cannot be undone, so each is confirmed: its page
shows what will happen (the number to be taken, the credit note's net, VAT and total, the card refund
that follows), computed by `queries` without writing anything, and only the confirmation's POST, which
carries the figures shown (`reviewed`), does it; when the figures changed in between, the confirmation
is shown again with the new ones (409)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import invoices as billing
from daas.billing.credit_notes import creditable
from daas.billing.document_builder import document_line
from daas.billing.export import export_csv
from daas.billing.labels import unit
from daas.billing.models import Invoice
from daas.billing.tax import percent
from daas.core import clock
from daas.core.money import format_unit_amount
from daas.core.periods import Period
from daas.customers.services import customer_names
from daas.downloads import CSV_MIMETYPE, download
from daas.payments import services as payments
from daas.payments.models import REFUND_SUCCEEDED
from daas.settings import current_settings
from daas.usecases.invoices import (
    credit_note_file,
    finalize_invoice_and_collect,
    invoice_file,
    void_invoice,
)
from daas.usecases.payments import issue_credit_note, record_bank_transfer
from daas.web.finance import blp, queries
from daas.web.finance.forms import (
    PERIOD_MESSAGE,
    BankTransferForm,
    ConfirmForm,
    CreditNoteForm,
    InvoiceFilterForm,
    VoidForm,
    credit_note_form,
)
from daas.web.pages import audience, carry_out, pager, principal


@blp.get("/invoices")
@audience("finance")
def invoices() -> Any:
    today = clock.today()
    form = InvoiceFilterForm()
    form.customer.choices = [
        SelectChoice("", "Every customer"),
        *[SelectChoice(str(i), name) for i, name in customer_names().items()],
    ]
    filters: dict[str, Any] = {}
    if request.args and form.validate():
        filters = {
            "period": form.period.data or None,
            "status": form.status.data or None,
            "customer_id": int(form.customer.data) if form.customer.data else None,
        }
    overdue_on = today if filters and form.overdue.data else None
    page = pager(25)
    rows, total = billing.list_invoices(
        **filters,
        offset=page.offset,
        limit=page.size,
        overdue=payments.overdue_condition(today) if overdue_on else None,
    )
    return render_template(
        "finance/invoices.html",
        form=form,
        invoices=rows,
        pager=page.with_total(total),
        totals=queries.invoice_totals(*queries.invoice_conditions(**filters, overdue_on=overdue_on)),
        filters=filters,
        today=today,
    )


@blp.get("/invoices/export.csv")
@audience("finance")
def invoices_export() -> Any:
    period, status = request.args.get("period", ""), request.args.get("status") or None
    try:
        Period.parse(period)
    except ValueError:
        flash(f"Choose a period to export: {PERIOD_MESSAGE}", "error")
        return redirect(url_for("finance.invoices"))
    if status is not None and status not in lifecycle.STATUSES:
        flash(f"Unknown invoice status {status!r}.", "error")
        return redirect(url_for("finance.invoices", period=period))
    body = export_csv(billing.invoices_for_export(period, status))
    return download(body, CSV_MIMETYPE, f"invoices-{period}{'-' + status if status else ''}.csv")


def _invoice_page(
    invoice: Invoice, credit_form: CreditNoteForm, transfer_form: BankTransferForm, status: int = 200
) -> Any:
    received, attempts = payments.invoice_payments(invoice.id)
    today = clock.today()
    overdue = invoice.status == lifecycle.UNCOLLECTIBLE or (
        invoice.status == lifecycle.OPEN and invoice.due_date is not None and invoice.due_date < today
    )
    left = creditable(invoice) if lifecycle.may(invoice.status, lifecycle.CREDIT) else None
    return (
        render_template(
            "finance/invoice.html",
            invoice=invoice,
            lines=[(line, document_line(n, line)) for n, line in enumerate(invoice.lines, start=1)],
            left=left,
            digests=queries.kept_digests(invoice_id=invoice.id),
            payments=received,
            attempts=attempts,
            credit_form=credit_form,
            line_fields=credit_form.line_fields(),
            transfer_form=transfer_form,
            overdue=overdue,
            voidable=_void_refusal(invoice) is None,
            today=today,
            **_formats(invoice.currency),
        ),
        status,
    )


def _formats(currency: str) -> dict[str, Any]:
    """How the invoice pages write prices, quantities with their unit, and VAT rates."""
    return {
        "unit_amount": lambda amount: format_unit_amount(amount, currency) if amount is not None else "",
        "quantity": lambda value, code="C62": unit(value, code, "en") if value is not None else "",
        "percent": percent,
    }


def _void_refusal(invoice: Invoice) -> str | None:
    """Why the invoice cannot be voided (None: it can), as `credit_notes.void_invoice` will decide it:
    only an open invoice nothing was paid against."""
    if not lifecycle.may(invoice.status, lifecycle.VOID_INVOICE):
        return lifecycle.IllegalMove(
            invoice.status, lifecycle.VOID_INVOICE, invoice.number or invoice.id
        ).message
    if invoice.amount_paid:
        return (
            f"Invoice {invoice.number} has payments; an invoice that was paid cannot be voided: issue a "
            "credit note instead (a card payment is refunded)."
        )
    return None


def _forms(invoice: Invoice) -> tuple[CreditNoteForm, BankTransferForm]:
    return credit_note_form(invoice.lines), BankTransferForm(prefix="transfer")


@blp.get("/invoices/<int:invoice_id>")
@audience("finance")
def invoices_show(invoice_id: int) -> Any:
    invoice = billing.get_invoice(invoice_id)
    credit_form, transfer_form = _forms(invoice)
    transfer_form.paid_on.data = transfer_form.paid_on.data or clock.today()
    return _invoice_page(invoice, credit_form, transfer_form)


# -- the documents, as issued -------------------------------------------------------------------------------


def _send(file: Any) -> Any:
    return download(file.content, file.mimetype, file.name)


@blp.get("/invoices/<int:invoice_id>.pdf")
@audience("finance")
def invoices_pdf(invoice_id: int) -> Any:
    return _send(invoice_file(invoice_id, "pdf", current_settings().issuer))


@blp.get("/invoices/<int:invoice_id>.xml")
@audience("finance")
def invoices_xml(invoice_id: int) -> Any:
    """The e-invoice as issued: UBL (Peppol BIS Billing 3.0), or CII with `?syntax=cii`."""
    syntax = request.args.get("syntax")
    return _send(invoice_file(invoice_id, "xml", current_settings().issuer, syntax=syntax))


@blp.get("/invoices/<int:invoice_id>/credit-notes/<int:note_id>.pdf")
@audience("finance")
def invoices_credit_note_pdf(invoice_id: int, note_id: int) -> Any:
    return _send(credit_note_file(invoice_id, note_id, "pdf", current_settings().issuer))


@blp.get("/invoices/<int:invoice_id>/credit-notes/<int:note_id>.xml")
@audience("finance")
def invoices_credit_note_xml(invoice_id: int, note_id: int) -> Any:
    syntax = request.args.get("syntax")
    return _send(credit_note_file(invoice_id, note_id, "xml", current_settings().issuer, syntax=syntax))


# -- finalize a draft ---------------------------------------------------------------------------------------


def _back(invoice_id: int) -> Any:
    return redirect(url_for("finance.invoices_show", invoice_id=invoice_id))


@blp.route("/invoices/<int:invoice_id>/finalize", methods=["GET", "POST"])
@audience("finance")
def invoices_finalize(invoice_id: int) -> Any:
    """The confirmation of finalizing one draft (its number, dates, totals, how it is collected), and
    finalizing it once confirmed."""
    invoice = billing.get_invoice(invoice_id)
    if invoice.status != lifecycle.DRAFT:
        flash(f"Invoice {invoice.number} is {invoice.status}; only a draft can be finalized.", "error")
        return _back(invoice_id)
    settings = current_settings()
    figures = queries.invoice_finalization(invoice, clock.today(), settings.documents.card_customers)
    form = ConfirmForm()
    status = form.review_status(figures.reviewed) if form.validate_on_submit() else 200
    if status is not None:
        return render_template(
            "finance/invoice_finalize.html",
            invoice=invoice,
            figures=figures,
            form=form,
            changed=status == 409,
        ), status
    carry_out(
        None,
        lambda: finalize_invoice_and_collect(invoice_id, settings.documents, settings.collection),
        lambda done: f"Invoice {done.number} is issued, due {done.due_date.isoformat()}.",
    )
    return _back(invoice_id)


# -- void ---------------------------------------------------------------------------------------------------


@blp.route("/invoices/<int:invoice_id>/void", methods=["GET", "POST"])
@audience("finance")
def invoices_void(invoice_id: int) -> Any:
    """The confirmation of voiding an invoice (the full credit note it issues; the reason asked for),
    and voiding it once confirmed with a reason."""
    invoice = billing.get_invoice(invoice_id)
    refusal = _void_refusal(invoice)
    if refusal is not None:
        flash(refusal, "error")
        return _back(invoice_id)
    form = VoidForm()
    left = creditable(invoice)
    figures = queries.credit_figures(
        invoice, left, queries.void_parts(invoice, left, form.reason.data or ""), clock.today(), False
    )
    status = 200
    if request.method == "POST":
        status = form.review_status(figures.reviewed) if form.validate_on_submit() else 422
    if status is not None:
        return render_template(
            "finance/invoice_void.html",
            invoice=invoice,
            figures=figures,
            form=form,
            changed=status == 409,
            percent=percent,
        ), status
    carry_out(
        form,
        lambda: void_invoice(invoice_id, form.reason.data, principal().actor, current_settings().issuer),
        lambda note: (
            f"Invoice {invoice.number} is void"
            + (f" (credit note {note.number})" if note is not None else "")
            + "; it keeps its number."
        ),
    )
    return _back(invoice_id)


# -- credit -------------------------------------------------------------------------------------------------


@blp.post("/invoices/<int:invoice_id>/credit-notes")
@audience("finance")
def invoices_credit(invoice_id: int) -> Any:
    """The invoice page's credit note form: checked, then its confirmation (the credit note's net, VAT,
    total and refund); once confirmed, the credit note is issued. "Change" goes back to the form, filled."""
    invoice = billing.get_invoice(invoice_id)
    credit_form, transfer_form = _forms(invoice)
    transfer_form.paid_on.data = clock.today()
    if "change" in request.form:
        return _invoice_page(invoice, credit_form, transfer_form)
    left = creditable(invoice)
    if not (credit_form.validate_on_submit() and credit_form.check_creditable(left, invoice.currency)):
        return _invoice_page(invoice, credit_form, transfer_form, 422)
    reason = credit_form.reason.data.strip()
    settings = current_settings()
    parts = queries.credited_parts(invoice, credit_form.amount.data, credit_form.line_credits(), reason)
    figures = queries.credit_figures(invoice, left, parts, clock.today(), settings.collection.stripe.enabled)
    status = credit_form.review_status(figures.reviewed)
    if status is not None:
        return render_template(
            "finance/credit_note_confirm.html",
            invoice=invoice,
            figures=figures,
            form=credit_form,
            changed=status == 409,
            percent=percent,
        ), status
    issued = carry_out(
        credit_form,
        lambda: issue_credit_note(
            invoice_id,
            reason,
            principal().actor,
            settings.issuer,
            settings.collection,
            amount=credit_form.amount.data,
            lines=credit_form.line_credits(),
        ),
        lambda issued: f"Credit note {issued[0].number} issued.",
    )
    if issued is None:
        return _invoice_page(invoice, credit_form, transfer_form, 422)
    _note, outcome = issued
    if outcome is not None:
        flash(
            f"Refund of the card payment: {outcome}.",
            "success" if outcome == REFUND_SUCCEEDED else "warning",
        )
    return _back(invoice_id)


# -- bank transfers -----------------------------------------------------------------------------------------


@blp.post("/invoices/<int:invoice_id>/payments")
@audience("finance")
def invoices_payment(invoice_id: int) -> Any:
    invoice = billing.get_invoice(invoice_id)
    credit_form, transfer_form = _forms(invoice)
    if transfer_form.validate_on_submit():
        recorded = carry_out(
            transfer_form,
            lambda: record_bank_transfer(
                invoice_id,
                transfer_form.amount.data,
                transfer_form.reference.data.strip(),
                transfer_form.paid_on.data,
                principal().actor,
            ),
            lambda result: (
                f"Bank transfer {result[0].reference} recorded."
                if result[1]
                else f"Bank transfer {result[0].reference} was already recorded; nothing changed."
            ),
        )
        if recorded is not None:
            return _back(invoice_id)
    return _invoice_page(invoice, credit_form, transfer_form, 422)


@blp.get("/overdue")
@audience("finance")
def overdue() -> Any:
    today = clock.today()
    page = pager(25)
    rows, total = queries.overdue_invoices(today, page.offset, page.size)
    return render_template(
        "finance/overdue.html",
        invoices=rows,
        pager=page.with_total(total),
        totals=queries.invoice_totals(*queries.invoice_conditions(overdue_on=today)),
        today=today,
    )
