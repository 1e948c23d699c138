"""Billing runs: the preview of a period, starting a run in the background (the request waits until the
run has recorded itself, then shows it), its progress as JSON for the progress bar, its page, and
finalizing its drafts."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, flash, jsonify, redirect, render_template, url_for

from daas.billing import invoices as billing
from daas.billing import measure
from daas.billing.run import bill_period, check_period_ended
from daas.billing.run_states import FINISHED, run_status
from daas.core import clock
from daas.core.errors import Invalid
from daas.core.periods import Period
from daas.extensions import db
from daas.payments import services as payments
from daas.settings import EXTENSION_KEY as SETTINGS
from daas.settings import current_settings
from daas.web.finance import blp, queries
from daas.web.finance.forms import PERIOD_MESSAGE, PeriodForm, RunForm
from daas.web.pages import audience, carry_out, pager, principal

# How long the run request waits for the background run to record itself before redirecting.
RUN_START_WAIT_SECONDS = 10.0


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
    app: Flask, period: Period, actor: str, wait_seconds: float | None = None
) -> int | None:
    """Start `run_billing` in a background thread with its own app context (and database session), and
    return the new run's id as soon as its row is committed; None when it did not start in time
    (`wait_seconds`, by default RUN_START_WAIT_SECONDS as it is when called)."""
    started = _Started()
    settings = app.extensions[SETTINGS].billing_run

    def report(run_id: int) -> None:
        started.run_id = run_id
        started.event.set()

    def work() -> None:
        with app.app_context():
            try:
                bill_period(period, actor, settings, on_created=report)
            except Exception:  # the run is recorded as failed, with its error, by run_billing
                app.logger.exception("The billing run of %s failed", period)
            finally:
                started.event.set()
                db.session.remove()

    _in_background(work)
    started.event.wait(RUN_START_WAIT_SECONDS if wait_seconds is None else wait_seconds)
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
    finished = status in FINISHED  # its drafts may be finalized, unless a later run owns them
    return render_template(
        "finance/billing_run.html",
        run=run,
        status=status,
        finished=finished,
        completed_by=queries.run_completing(run.id) if status == "interrupted" else None,
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


@blp.post("/billing-runs/<int:run_id>/finalize")
@audience("finance")
def billing_runs_finalize(run_id: int) -> Any:
    run = billing.get_run(run_id)
    carry_out(
        None,
        lambda: payments.finalize_run_for_collection(
            run.id,
            current_settings().billing_run.chunk_size,
            current_settings().stripe,
        ),
        lambda done: (
            f"Finalized {done} invoice{'s' if done != 1 else ''} of billing run {run.id} ({run.period})."
        ),
    )
    return redirect(url_for("finance.billing_runs_show", run_id=run.id))
