"""Billing runs: the preview of a period, asking for a run (queued for a scheduler process: no web
worker runs it), the request's page until the run starts, the run's progress as JSON for the progress
bar, its page, and finalizing its drafts once the confirmation (how many, the numbers they take, their
totals) is confirmed."""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, url_for

from config.jobs import BILLING_RUN_REQUEST
from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import invoices as billing
from daas.billing import measure, run_states
from daas.billing.run_states import FINISHED, run_status
from daas.core import clock
from daas.core.errors import Conflict, Invalid
from daas.core.periods import Period
from daas.scheduler import requests
from daas.scheduler.presence import presence
from daas.settings import current_settings
from daas.usecases import job_requests
from daas.usecases.billing import finalize_run_and_collect
from daas.web.finance import blp, queries
from daas.web.finance.forms import PERIOD_MESSAGE, ConfirmForm, PeriodForm, RunForm
from daas.web.pages import audience, carry_out, pager, principal


def last_month() -> Period:
    """The period finance bills by default."""
    return Period.containing(clock.today()).previous()


@blp.get("/billing-runs")
@audience("finance")
def billing_runs() -> Any:
    form = PeriodForm()
    period = last_month()
    if form.period.data and form.validate():
        period = Period.parse(form.period.data)
    if not form.period.errors:
        form.period.data = period.name
    drafts = queries.invoice_conditions(period=period.name, status=lifecycle.DRAFT)
    draft_list, draft_count = billing.list_invoices(
        period=period.name, status=lifecycle.DRAFT, offset=0, limit=20
    )
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
        finalized=sum(count for status, count in statuses.items() if status != lifecycle.DRAFT),
        draft_totals=queries.invoice_totals(*drafts),
        drafts=draft_list,
        draft_count=draft_count,
        runs=runs,
        pager=page.with_total(total),
        requests=requests.open_requests(BILLING_RUN_REQUEST),
        scheduler=_scheduler(),
        **_request_helpers(),
    )


def _scheduler() -> Any:
    """Whether a scheduler process runs, to carry out what is asked for here."""
    return presence(current_settings().scheduler.lease, clock.now())


def _request_helpers() -> dict[str, Any]:
    return {"request_run_id": _run_of, "sweep_seconds": current_settings().scheduler.sweep_seconds}


def _run_of(request: Any) -> int | None:
    """The billing run a request started, once it has started one (the scheduler records it at once)."""
    return (request.counts or {}).get("billing_run")


@blp.post("/billing-runs/run")
@audience("finance")
def billing_runs_start() -> Any:
    form = RunForm()
    if not form.validate_on_submit():
        flash(f"Choose the period to bill: {PERIOD_MESSAGE}", "error")
        return redirect(url_for("finance.billing_runs"))
    period, actor = Period.parse(form.period.data), principal().actor
    try:
        queued = job_requests.request_billing_run(period, actor)
    except Invalid as error:
        flash(f"{error.errors['period'][0]} The preview of {period} is an estimate until then.", "error")
        return redirect(url_for("finance.billing_runs", period=period.name))
    if queued.queued:
        flash(f"The billing run of {period} is queued for the scheduler.", "success")
    else:
        request = requests.get_request(queued.run_id, BILLING_RUN_REQUEST)
        flash(
            f"A billing run of {period} asked for by {request.requested_by} is {request.status} already: "
            "this is it (asking again does not run the period twice).",
            "warning",
        )
    return redirect(url_for("finance.billing_runs_request", request_id=queued.run_id))


@blp.get("/billing-runs/requests/<int:request_id>")
@audience("finance")
def billing_runs_request(request_id: int) -> Any:
    """The request until its run starts (it refreshes itself); then the run's own page, with what the run
    did so far."""
    request = requests.get_request(request_id, BILLING_RUN_REQUEST)
    run_id = _run_of(request)
    if run_id is not None:
        flash(*_started_message(billing.get_run(run_id)))
        return redirect(url_for("finance.billing_runs_show", run_id=run_id))
    return render_template(
        "finance/billing_run_request.html",
        request=request,
        period=Period.parse(request.request_key),
        scheduler=_scheduler(),
        **_request_helpers(),
    )


def _started_message(run: Any) -> tuple[str, str]:
    """The flash on the way from a request to its run says what the run is doing or did by now (a small
    period is billed before the request's page looks again): started only while it runs."""
    name = f"Billing run {run.id} of {run.period}"
    status = run_status(run)
    counts = (
        f"{run.contracts} contract{'s' if run.contracts != 1 else ''}, {run.invoices_created} invoice"
        f"{'s' if run.invoices_created != 1 else ''} created, {run.invoices_updated} draft"
        f"{'s' if run.invoices_updated != 1 else ''} recomputed"
    )
    if status == run_states.RUNNING:
        return f"{name} started.", "success"
    if status == run_states.COMPLETED:
        return f"{name} completed: {counts}.", "success"
    if status == run_states.COMPLETED_WITH_ERRORS:
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
    finished = status in FINISHED  # its drafts may be finalized, unless a later run owns them
    return render_template(
        "finance/billing_run.html",
        run=run,
        status=status,
        finished=finished,
        completed_by=queries.run_completing(run.id) if status == run_states.INTERRUPTED else None,
        superseded_by=billing.superseding_run(run) if finished else None,
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


@blp.route("/billing-runs/<int:run_id>/finalize", methods=["GET", "POST"])
@audience("finance")
def billing_runs_finalize(run_id: int) -> Any:
    """The confirmation of finalizing a run's drafts (how many, the numbers they take, their totals and
    how they are collected), and finalizing them once confirmed with the figures shown."""
    run = billing.get_run(run_id)
    try:
        billing.check_run_finalizable(run)
    except Conflict as refused:
        flash(refused.message, "error")
        return redirect(url_for("finance.billing_runs_show", run_id=run.id))
    settings = current_settings()
    figures = queries.finalization(
        queries.invoice_conditions(billing_run_id=run.id), clock.today(), settings.documents.card_customers
    )
    if not figures.count:
        flash(f"Billing run {run.id} has no draft left to finalize.", "warning")
        return redirect(url_for("finance.billing_runs_show", run_id=run.id))
    form = ConfirmForm()
    status = form.review_status(figures.reviewed) if form.validate_on_submit() else 200
    if status is not None:
        return render_template(
            "finance/billing_run_finalize.html", run=run, figures=figures, form=form, changed=status == 409
        ), status
    carry_out(
        None,
        lambda: finalize_run_and_collect(run.id, settings.billing_run, settings.collection),
        lambda done: (
            f"Finalized {done} invoice{'s' if done != 1 else ''} of billing run {run.id} ({run.period})."
        ),
    )
    return redirect(url_for("finance.billing_runs_show", run_id=run.id))
