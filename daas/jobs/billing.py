"""Job functions for the scheduler: the monthly billing run (drafts) and, after the review window, the
finalization of that month and its card collection, both for the month before their due date; and the
run of a month someone asked for on the finance pages (queued by daas.usecases.job_requests, so no web
worker runs long work in a thread of its own). All are safe to run again: a run recomputes drafts and never
makes a second invoice for a contract and period."""

from __future__ import annotations

from typing import Any

from daas.billing.models import BillingRun
from daas.core.errors import DomainError
from daas.core.jobs import JobContext, JobFailed
from daas.core.periods import Period
from daas.payments.collection import CollectionReport
from daas.scheduler.requests import RequestContext
from daas.usecases.billing import finalize_period_and_collect, run_billing_period


def _period(context: JobContext) -> Period:
    return Period.containing(context.due.date()).previous()


def _counts(run: BillingRun, finalized: bool = True) -> dict[str, Any]:
    """What a billing job records of its run (a requested run, which never finalizes, leaves that out)."""
    counts = {
        "period": run.period,
        "billing_run": run.id,
        "status": run.status,
        "contracts": run.contracts,
        "invoices_created": run.invoices_created,
        "invoices_updated": run.invoices_updated,
        **({"invoices_finalized": run.invoices_finalized} if finalized else {}),
        "contracts_failed": len(run.failed_contracts),
    }
    if run.completes_run_id is not None:
        counts["completes_run"] = run.completes_run_id
    return counts


def _collection_counts(report: CollectionReport) -> dict[str, int]:
    return {
        "card_attempted": report.attempted,
        "card_succeeded": report.succeeded,
        "card_failed": report.failed,
        "card_unclear": report.unclear,
    }


def billing_run_job(context: JobContext) -> dict[str, Any]:
    """Draft invoices for the month before the due date, for finance to review. Only one scheduler runs
    the job at a time, so a run of it left `running` died with its scheduler: the new run completes it."""
    run = run_billing_period(
        _period(context),
        "scheduler:billing_run",
        context.settings.billing_run,
        sole_runner=True,
        on_progress=lambda _done: context.checkpoint(),
    )
    return _counts(run)


def billing_finalize_job(context: JobContext) -> dict[str, Any]:
    """Recompute the month's drafts (late usage, VAT changes), finalize them and collect them by card, as
    `flask daas bill --finalize` does. Refuses a month whose drafts were never run: finalizing without the
    review the drafts are for would bill blind (a refusal is the job run's failure, with its reason)."""
    try:
        billed = finalize_period_and_collect(
            _period(context),
            "scheduler:billing_finalize",
            context.settings.billing_run,
            context.settings.collection,
            reviewed_first=True,
            sole_runner=True,
            on_progress=lambda _done: context.checkpoint(),
        )
    except DomainError as refused:
        raise JobFailed(refused.message) from refused
    return {**_counts(billed.run), **_collection_counts(billed.collection)}


def requested_billing_run_job(context: RequestContext) -> dict[str, Any]:
    """Draft the invoices of the requested period (the request's key) for the person who asked, as the
    finance page's "Run billing" button asks. The request records the billing run as soon as its row
    exists, so the page that queued it follows the run's progress; a stop request ends it at its next
    chunk, and the scheduler that takes the request over starts a run that completes this one. Once
    taken over (attempt 2 on), the runs of the period by the one who asked still `running` are the dead
    attempts' (one request of a period is open at a time), so they are closed first."""
    period = Period.parse(context.key)
    run = run_billing_period(
        period,
        context.requested_by,
        context.settings.billing_run,
        sole_runner=context.attempt > 1,
        on_created=lambda run_id: context.report({"period": period.name, "billing_run": run_id}),
        on_progress=lambda _done: context.checkpoint(),
    )
    return _counts(run, finalized=False)
