"""Job functions for the runs people ask for: the scheduler carries out what a page queued
(daas.usecases.job_requests), so no web worker runs long work in a thread of its own."""

from __future__ import annotations

from typing import Any

from daas.billing.models import BillingRun
from daas.core.periods import Period
from daas.scheduler.requests import RequestContext
from daas.usecases.billing import run_billing_period


def _counts(run: BillingRun) -> dict[str, Any]:
    counts = {
        "period": run.period,
        "billing_run": run.id,
        "status": run.status,
        "contracts": run.contracts,
        "invoices_created": run.invoices_created,
        "invoices_updated": run.invoices_updated,
        "contracts_failed": len(run.failed_contracts),
    }
    if run.completes_run_id is not None:
        counts["completes_run"] = run.completes_run_id
    return counts


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
    return _counts(run)
