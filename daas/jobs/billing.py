"""Job functions for the scheduler: the monthly billing run (drafts) and, after the review window, the
finalization of that month. Both bill the month before their due date and are safe to run again: a run
recomputes drafts and never makes a second invoice for a contract and period."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from daas.billing.models import BillingRun
from daas.billing.run import bill_period
from daas.billing.run_states import FINISHED
from daas.core import clock
from daas.core.jobs import JobContext, JobFailed
from daas.core.periods import Period
from daas.extensions import db
from daas.payments import services as payments


def _period(context: JobContext) -> Period:
    return Period.containing(context.due.date()).previous()


def _close_interrupted_runs(period: Period, actor: str) -> int:
    """Runs of this job left `running` by a scheduler that died: only one run of a job holds its lease at
    a time, so any such row is dead, whatever its own lease says. It is closed as interrupted; the new run
    records that it completes it, and carries on from its chunks."""
    result = db.session.execute(
        update(BillingRun)
        .where(BillingRun.period == period.name, BillingRun.actor == actor, BillingRun.status == "running")
        .values(
            status="interrupted",
            error="Interrupted: the scheduler running it stopped; a later run of this period carries on.",
            finished_at=clock.now(),
        )
    )
    db.session.commit()
    return result.rowcount


def _run(context: JobContext, actor: str, finalize: bool) -> BillingRun:
    period = _period(context)
    _close_interrupted_runs(period, actor)
    return bill_period(
        period,
        actor,
        context.settings.billing_run,
        finalize=finalize,
        on_progress=lambda _done: context.checkpoint(),
    )


def _counts(run: BillingRun) -> dict[str, Any]:
    counts = {
        "period": run.period,
        "billing_run": run.id,
        "status": run.status,
        "contracts": run.contracts,
        "invoices_created": run.invoices_created,
        "invoices_updated": run.invoices_updated,
        "invoices_finalized": run.invoices_finalized,
        "contracts_failed": len(run.failed_contracts),
    }
    if run.completes_run_id is not None:
        counts["completes_run"] = run.completes_run_id
    return counts


def billing_run_job(context: JobContext) -> dict[str, Any]:
    """Draft invoices for the month before the due date, for finance to review."""
    return _counts(_run(context, "scheduler:billing_run", finalize=False))


def billing_finalize_job(context: JobContext) -> dict[str, Any]:
    """Recompute the month's drafts (late usage, VAT changes) and finalize them, then schedule card
    collection (the payments job charges them). Refuses a month whose drafts were never run: finalizing
    without the review the drafts are for would bill blind."""
    period = _period(context)
    reviewed = db.session.scalar(
        select(BillingRun.id)
        .where(BillingRun.period == period.name, BillingRun.status.in_(FINISHED))
        .limit(1)
    )
    if reviewed is None:
        raise JobFailed(
            f"No completed billing run for {period.name}, so there are no reviewed drafts to finalize. "
            f"Run `flask --app wsgi daas bill {period.name}`, review, then finalize."
        )
    run = _run(context, "scheduler:billing_finalize", finalize=True)
    payments.schedule_run_collection(run.id, context.settings.stripe)
    db.session.commit()
    return _counts(run)
