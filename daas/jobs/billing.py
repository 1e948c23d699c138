"""Job functions for the scheduler: the monthly billing run (drafts) and, after the review window, the
finalization of that month and its card collection. Both bill the month before their due date and are
safe to run again: a run recomputes drafts and never makes a second invoice for a contract and period."""

from __future__ import annotations

from typing import Any

from daas.billing.models import BillingRun
from daas.core.errors import DomainError
from daas.core.jobs import JobContext, JobFailed
from daas.core.periods import Period
from daas.payments.services import CollectionReport
from daas.usecases.billing import finalize_period_and_collect, run_billing_period


def _period(context: JobContext) -> Period:
    return Period.containing(context.due.date()).previous()


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
