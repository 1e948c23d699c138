"""Invoices: the list (filters and totals), the CSV export, one invoice with its PDF, credit notes and
payments, what finance does to it (void, credit, record a bank transfer), and the overdue list."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import invoices as billing
from daas.billing.export import export_csv
from daas.billing.tax import percent
from daas.core import clock
from daas.core.money import format_unit_amount
from daas.core.periods import Period
from daas.customers.services import customer_names
from daas.downloads import CSV_MIMETYPE, download
from daas.payments import services as payments
from daas.payments.models import REFUND_SUCCEEDED
from daas.settings import current_settings
from daas.usecases.invoices import credit_note_file, invoice_file, void_invoice
from daas.usecases.payments import issue_credit_note, record_bank_transfer
from daas.web.finance import blp, queries
from daas.web.finance.forms import PERIOD_MESSAGE, BankTransferForm, CreditNoteForm, InvoiceFilterForm
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
    invoice_id: int, credit_form: CreditNoteForm, transfer_form: BankTransferForm, status: int = 200
) -> Any:
    invoice = billing.get_invoice(invoice_id)
    received, attempts = payments.invoice_payments(invoice.id)
    today = clock.today()
    overdue = invoice.status == lifecycle.UNCOLLECTIBLE or (
        invoice.status == lifecycle.OPEN and invoice.due_date is not None and invoice.due_date < today
    )
    return (
        render_template(
            "finance/invoice.html",
            invoice=invoice,
            payments=received,
            attempts=attempts,
            credit_form=credit_form,
            transfer_form=transfer_form,
            overdue=overdue,
            today=today,
            unit_amount=lambda amount: (
                format_unit_amount(amount, invoice.currency) if amount is not None else ""
            ),
            percent=percent,
            quantity=lambda value: f"{value.normalize():f}" if value is not None else "",
        ),
        status,
    )


def _forms() -> tuple[CreditNoteForm, BankTransferForm]:
    return CreditNoteForm(prefix="credit"), BankTransferForm(prefix="transfer")


@blp.get("/invoices/<int:invoice_id>")
@audience("finance")
def invoices_show(invoice_id: int) -> Any:
    credit_form, transfer_form = _forms()
    transfer_form.paid_on.data = transfer_form.paid_on.data or clock.today()
    return _invoice_page(invoice_id, credit_form, transfer_form)


@blp.get("/invoices/<int:invoice_id>.pdf")
@audience("finance")
def invoices_pdf(invoice_id: int) -> Any:
    file = invoice_file(invoice_id, "pdf", current_settings().issuer)
    return download(file.content, file.mimetype, file.name)


@blp.get("/invoices/<int:invoice_id>/credit-notes/<int:note_id>.pdf")
@audience("finance")
def invoices_credit_note_pdf(invoice_id: int, note_id: int) -> Any:
    file = credit_note_file(invoice_id, note_id, "pdf", current_settings().issuer)
    return download(file.content, file.mimetype, file.name)


@blp.post("/invoices/<int:invoice_id>/void")
@audience("finance")
def invoices_void(invoice_id: int) -> Any:
    billing.get_invoice(invoice_id)  # 404 for an unknown invoice
    carry_out(
        None,
        lambda: void_invoice(
            invoice_id, request.form.get("reason", ""), principal().actor, current_settings().issuer
        ),
        lambda note: (
            f"Invoice {note.invoice.number} is void (credit note {note.number}); it keeps its number."
        ),
    )
    return redirect(url_for("finance.invoices_show", invoice_id=invoice_id))


@blp.post("/invoices/<int:invoice_id>/credit-notes")
@audience("finance")
def invoices_credit(invoice_id: int) -> Any:
    billing.get_invoice(invoice_id)
    credit_form, transfer_form = _forms()
    transfer_form.paid_on.data = clock.today()
    if credit_form.validate_on_submit():
        issued = carry_out(
            credit_form,
            lambda: issue_credit_note(
                invoice_id,
                credit_form.reason.data.strip(),
                principal().actor,
                current_settings().issuer,
                current_settings().collection,
                amount=credit_form.amount.data,
            ),
            lambda issued: f"Credit note {issued[0].number} issued.",
        )
        if issued is not None:
            _note, outcome = issued
            if outcome is not None:
                flash(
                    f"Refund of the card payment: {outcome}.",
                    "success" if outcome == REFUND_SUCCEEDED else "warning",
                )
            return redirect(url_for("finance.invoices_show", invoice_id=invoice_id))
    return _invoice_page(invoice_id, credit_form, transfer_form, 422)


@blp.post("/invoices/<int:invoice_id>/payments")
@audience("finance")
def invoices_payment(invoice_id: int) -> Any:
    billing.get_invoice(invoice_id)
    credit_form, transfer_form = _forms()
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
            return redirect(url_for("finance.invoices_show", invoice_id=invoice_id))
    return _invoice_page(invoice_id, credit_form, transfer_form, 422)


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
