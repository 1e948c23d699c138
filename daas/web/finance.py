"""Finance pages: the overview, billing runs (preview, run with progress, finalize), invoices (filters,
totals, CSV export, PDF, void, credit notes, bank transfers), the overdue list, the scheduler's runs and
the Stripe events received (failed ones with their error, retried by hand).

Views are thin: they parse a form, call the billing and payments services as their API does, commit and
say what happened. Reads the services lack are in `daas.web.finance_queries`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from daas.billing import invoices as billing
from daas.billing import measure
from daas.billing.export import export_csv
from daas.billing.files import credit_note_file, invoice_file
from daas.billing.models import INVOICE_STATUSES
from daas.billing.periods import Period
from daas.billing.run import FINISHED, bill_period, check_period_ended, run_status
from daas.billing.tax import percent
from daas.core import clock
from daas.core.money import format_unit_amount
from daas.customers.services import customer_names
from daas.downloads import CSV_MIMETYPE, PDF_MIMETYPE, download
from daas.errors import Conflict, Invalid
from daas.extensions import db
from daas.payments import services as payments
from daas.payments import webhooks
from daas.payments.gateway import StripeSettings
from daas.payments.models import EVENT_STATUSES
from daas.payments.refunds import issue_credit_note
from daas.scheduler.models import JOB_RUN_STATUSES
from daas.scheduler.registry import JOB_NAMES
from daas.scheduler.services import list_job_runs
from daas.web import finance_queries as queries
from daas.web.pages import add_navigation, audience, carry_out, pager, principal
from daas.web.security import secure_page

blp = Blueprint("finance", __name__, url_prefix="/finance")
blp.after_request(secure_page)
add_navigation(
    "finance",
    ("finance.home", "Overview"),
    ("finance.billing_runs", "Billing runs"),
    ("finance.invoices", "Invoices"),
    ("finance.overdue", "Overdue"),
    ("finance.job_runs", "Job runs"),
    ("finance.webhook_events", "Stripe events"),
)

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
PERIOD_MESSAGE = "A month as YYYY-MM, e.g. 2026-10."
# How long the run request waits for the background run to record itself before redirecting.
RUN_START_WAIT_SECONDS = 10.0


# -- forms ------------------------------------------------------------------------------------------------


def _choices(everything: str, values: Iterable[str]) -> list[SelectChoice]:
    """A filter's options: "" for no filter, then each value (underscores read as spaces)."""
    return [SelectChoice("", everything), *[SelectChoice(v, v.replace("_", " ")) for v in values]]


class QueryForm(FlaskForm):
    """A filter form sent with GET: read from the query string, no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(formdata=request.args if request.args else None, **kwargs)


class PeriodForm(QueryForm):
    period = StringField("Period", validators=[Optional(), Regexp(PERIOD_PATTERN, message=PERIOD_MESSAGE)])


class RunForm(FlaskForm):
    period = HiddenField(validators=[DataRequired(), Regexp(PERIOD_PATTERN, message=PERIOD_MESSAGE)])


class InvoiceFilterForm(QueryForm):
    period = StringField("Period", validators=[Optional(), Regexp(PERIOD_PATTERN, message=PERIOD_MESSAGE)])
    status = SelectField("Status", choices=_choices("Any status", INVOICE_STATUSES), default="")
    customer = SelectField("Customer", choices=[], default="")
    overdue = BooleanField("Overdue only")


class CreditNoteForm(FlaskForm):
    amount = DecimalField("Credit amount", places=None, validators=[InputRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


class BankTransferForm(FlaskForm):
    amount = DecimalField("Amount received", places=None, validators=[InputRequired()])
    reference = StringField("Bank reference", validators=[DataRequired(), Length(max=100)])
    paid_on = DateField("Received on", validators=[InputRequired()])


class JobRunFilterForm(QueryForm):
    job = SelectField("Job", choices=_choices("Every job", JOB_NAMES), default="")
    status = SelectField("Status", choices=_choices("Any status", JOB_RUN_STATUSES), default="")


def _last_month() -> Period:
    return Period.containing(clock.today()).previous()


def _stripe() -> StripeSettings:
    return StripeSettings.from_config(current_app.config)


# -- overview ---------------------------------------------------------------------------------------------


@blp.get("")
@audience("finance")
def home() -> Any:
    today = clock.today()
    runs, _ = billing.list_runs(0, 1)
    _, failed_jobs = list_job_runs(status="failed", offset=0, limit=1)
    monthly = queries.invoiced_by_month(12)
    chart = {
        "type": "bar",
        "labels": monthly.periods,
        "datasets": [
            {"label": currency, "data": [str(total) for total in totals]}
            for currency, totals in monthly.totals.items()
        ],
        "unit": ", ".join(monthly.totals),
        "stacked": False,
    }
    return render_template(
        "finance/home.html",
        receivables=queries.receivables(),
        overdue=queries.invoice_totals(*queries.invoice_conditions(overdue_on=today)),
        last_run=runs[0] if runs else None,
        last_run_status=run_status(runs[0]) if runs else None,
        failed_jobs=failed_jobs,
        chart=chart,
        last_month=_last_month(),
    )


# -- billing runs -----------------------------------------------------------------------------------------


@blp.get("/billing-runs")
@audience("finance")
def billing_runs() -> Any:
    form = PeriodForm()
    period = _last_month()
    if form.period.data and form.validate():
        period = Period.parse(form.period.data)
    if not form.period.errors:
        form.period.data = period.name
    drafts = queries.invoice_conditions(period=period.name, status="draft")
    draft_list, draft_count = billing.list_invoices(period=period.name, status="draft", offset=0, limit=20)
    statuses = queries.status_counts(*queries.invoice_conditions(period=period.name))
    page = pager(20)
    runs, total = billing.list_runs(page.offset, page.size)
    return render_template(
        "finance/billing_runs.html",
        form=form,
        run_form=RunForm(period=period.name),
        period=period,
        ended=period.end <= clock.today(),
        run_status=run_status,
        contracts=measure.count_contracts_billed_in(period),
        statuses=statuses,
        finalized=sum(count for status, count in statuses.items() if status != "draft"),
        draft_totals=queries.invoice_totals(*drafts),
        drafts=draft_list,
        draft_count=draft_count,
        runs=runs,
        pager=page.with_total(total),
    )


@dataclass
class _Started:
    """What the background run reports to the request that started it."""

    event: threading.Event = field(default_factory=threading.Event)
    run_id: int | None = None


def _in_background(work: Callable[[], None]) -> None:
    threading.Thread(target=work, name="billing-run", daemon=True).start()


def start_billing_run(
    app: Flask, period: Period, actor: str, wait_seconds: float = RUN_START_WAIT_SECONDS
) -> int | None:
    """Start `run_billing` in a background thread with its own app context (and database session), and
    return the new run's id as soon as its row is committed; None when it did not start in time."""
    started = _Started()

    def report(run_id: int) -> None:
        started.run_id = run_id
        started.event.set()

    def work() -> None:
        with app.app_context():
            try:
                bill_period(period, actor, app.config, on_created=report)
            except Exception:  # the run is recorded as failed, with its error, by run_billing
                app.logger.exception("The billing run of %s failed", period)
            finally:
                started.event.set()
                db.session.remove()

    _in_background(work)
    started.event.wait(wait_seconds)
    return started.run_id


@blp.post("/billing-runs/run")
@audience("finance")
def billing_runs_start() -> Any:
    form = RunForm()
    if not form.validate_on_submit():
        flash(f"Choose the period to bill: {PERIOD_MESSAGE}", "error")
        return redirect(url_for("finance.billing_runs"))
    period, actor = Period.parse(form.period.data), principal().actor
    try:
        check_period_ended(period, clock.today())
    except Invalid as error:
        flash(f"{error.errors['period'][0]} The preview of {period} is an estimate until then.", "error")
        return redirect(url_for("finance.billing_runs", period=period.name))
    # End this request's transaction before waiting: on SQLite it holds the write lock the run needs.
    db.session.rollback()
    run_id = start_billing_run(current_app._get_current_object(), period, actor)
    if run_id is None:
        flash(f"The billing run of {period} did not start; see the list of runs below.", "error")
        return redirect(url_for("finance.billing_runs", period=period.name))
    flash(*_started_message(billing.get_run(run_id)))
    return redirect(url_for("finance.billing_runs_show", run_id=run_id))


def _started_message(run: Any) -> tuple[str, str]:
    """The flash after starting a run says what the run is doing or did by now (a small period is
    billed before the redirect): started only while it runs."""
    name = f"Billing run {run.id} of {run.period}"
    status = run_status(run)
    counts = (
        f"{run.contracts} contract{'s' if run.contracts != 1 else ''}, {run.invoices_created} invoice"
        f"{'s' if run.invoices_created != 1 else ''} created, {run.invoices_updated} draft"
        f"{'s' if run.invoices_updated != 1 else ''} recomputed"
    )
    if status == "running":
        return f"{name} started.", "success"
    if status == "completed":
        return f"{name} completed: {counts}.", "success"
    if status == "completed_with_errors":
        failed = len(run.failed_contracts)
        skipped = f"{failed} contract{'s' if failed != 1 else ''} could not be billed (listed below)"
        return f"{name} completed with errors: {counts}; {skipped}.", "warning"
    return f"{name} {status.replace('_', ' ')}: {run.error}", "error"


def _progress(run: Any) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run_status(run),
        "processed": run.processed,
        "contracts": run.contracts,
        "created": run.invoices_created,
        "updated": run.invoices_updated,
        "finalized": run.invoices_finalized,
        "failed": len(run.failed_contracts),
    }


@blp.get("/billing-runs/<int:run_id>")
@audience("finance")
def billing_runs_show(run_id: int) -> Any:
    run = billing.get_run(run_id)
    page = pager(50)
    invoices, total = queries.run_invoices_page(run.id, page.offset, page.size)
    conditions = queries.invoice_conditions(billing_run_id=run.id)
    status = run_status(run)
    return render_template(
        "finance/billing_run.html",
        run=run,
        status=status,
        completed_by=queries.run_completing(run.id) if status == "interrupted" else None,
        superseded_by=billing.superseding_run(run) if status in FINISHED else None,
        invoices=invoices,
        pager=page.with_total(total),
        totals=queries.invoice_totals(*conditions),
        statuses=queries.status_counts(*conditions),
    )


@blp.get("/billing-runs/<int:run_id>/progress.json")
@audience("finance")
def billing_runs_progress(run_id: int) -> Any:
    response = jsonify(_progress(billing.get_run(run_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.post("/billing-runs/<int:run_id>/finalize")
@audience("finance")
def billing_runs_finalize(run_id: int) -> Any:
    run = billing.get_run(run_id)
    carry_out(
        None,
        lambda: payments.finalize_run_for_collection(
            run.id, current_app.config["DAAS_BILLING_CHUNK_SIZE"], _stripe()
        ),
        lambda done: (
            f"Finalized {done} invoice{'s' if done != 1 else ''} of billing run {run.id} ({run.period})."
        ),
    )
    return redirect(url_for("finance.billing_runs_show", run_id=run.id))


# -- invoices ---------------------------------------------------------------------------------------------


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
    if status is not None and status not in INVOICE_STATUSES:
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
    overdue = invoice.status == "uncollectible" or (
        invoice.status == "open" and invoice.due_date is not None and invoice.due_date < today
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
    body, name = invoice_file(invoice_id, current_app.config)
    return download(body, PDF_MIMETYPE, name)


@blp.get("/invoices/<int:invoice_id>/credit-notes/<int:note_id>.pdf")
@audience("finance")
def invoices_credit_note_pdf(invoice_id: int, note_id: int) -> Any:
    body, name = credit_note_file(invoice_id, note_id, current_app.config)
    return download(body, PDF_MIMETYPE, name)


@blp.post("/invoices/<int:invoice_id>/void")
@audience("finance")
def invoices_void(invoice_id: int) -> Any:
    billing.get_invoice(invoice_id)  # 404 for an unknown invoice
    carry_out(
        None,
        lambda: billing.void_invoice(invoice_id),
        lambda invoice: f"Invoice {invoice.number} is void; it keeps its number.",
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
                credit_form.amount.data,
                credit_form.reason.data.strip(),
                principal().actor,
                payments.collection_policy(current_app.config),
            ),
            lambda issued: f"Credit note {issued[0].number} issued.",
        )
        if issued is not None:
            _note, outcome = issued
            if outcome is not None:
                flash(
                    f"Refund of the card payment: {outcome}.",
                    "success" if outcome == "succeeded" else "warning",
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
            lambda: payments.record_bank_transfer(
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


# -- overdue and job runs ---------------------------------------------------------------------------------


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


@blp.get("/job-runs")
@audience("finance")
def job_runs() -> Any:
    form = JobRunFilterForm()
    job = status = None
    if request.args and form.validate():
        job, status = form.job.data or None, form.status.data or None
    page = pager(25)
    rows, total = list_job_runs(job, status, page.offset, page.size)
    return render_template("finance/job_runs.html", form=form, runs=rows, pager=page.with_total(total))


# -- Stripe events ----------------------------------------------------------------------------------------


class WebhookEventFilterForm(QueryForm):
    status = SelectField("Status", choices=_choices("Any status", EVENT_STATUSES), default="")
    given_up = BooleanField("Given up only")


@blp.get("/webhook-events")
@audience("finance")
def webhook_events() -> Any:
    form = WebhookEventFilterForm()
    filters: dict[str, Any] = {}
    if request.args and form.validate():
        filters = {"status": form.status.data or None, "given_up": True if form.given_up.data else None}
    page = pager(25)
    rows, total = webhooks.list_events(**filters, offset=page.offset, limit=page.size)
    return render_template(
        "finance/webhook_events.html",
        form=form,
        events=rows,
        pager=page.with_total(total),
        failed=queries.failed_webhook_events(),
        retry_minutes=[
            int(delay.total_seconds()) // 60
            for delay in webhooks.EventRetries.from_config(current_app.config).delays
        ],
    )


@blp.post("/webhook-events/<string(maxlength=100):event_id>/retry")
@audience("finance")
def webhook_events_retry(event_id: str) -> Any:
    """One more attempt now; back to the list the button was on."""
    config = current_app.config
    webhooks.get_event(event_id)  # 404 for an unknown event
    try:
        event, outcome = webhooks.retry_event(
            event_id, payments.collection_policy(config), webhooks.EventRetries.from_config(config)
        )
    except Conflict as error:  # processed meanwhile
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(_retried(event, outcome), "success" if event.status == "processed" else "warning")
    status = request.form.get("status")
    return redirect(url_for("finance.webhook_events", status=status if status in EVENT_STATUSES else None))


def _retried(event: Any, outcome: str) -> str:
    if event.status == "processed":
        return f"Stripe event {event.id} is processed ({outcome})."
    then = (
        "daas gave up on it; retry it again once its cause is fixed"
        if event.given_up
        else f"daas tries it again at {event.next_attempt_at:%Y-%m-%d %H:%M} UTC"
    )
    return f"Stripe event {event.id} failed again: {event.error} ({then})."
