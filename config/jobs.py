"""The scheduled jobs: what `flask daas scheduler` runs.

Each job's schedule is the setting `DAAS_SCHEDULE_<NAME>` (a cron expression in UTC, five fields or six
with seconds first, or "off") and its grace `DAAS_GRACE_<NAME>` (seconds after a due time within which a
missed run is still caught up); the defaults are in `config/settings.py`. A job with `enabled_by` runs
only when that setting is true as well.

Requested jobs run when someone asks for them (a page queues a request, see daas.scheduler.requests), not
at due times: every scheduler looks for queued requests at each sweep (DAAS_SCHEDULER_SWEEP_SECONDS).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    target: str  # "module:function", a function taking one daas.core.jobs.JobContext
    description: str
    enabled_by: str | None = None


@dataclass(frozen=True)
class RequestedJob:
    name: str  # never the name of a scheduled job: the two are told apart by it
    target: str  # "module:function", a function taking one daas.scheduler.requests.RequestContext
    description: str


JOBS: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        "billing_run",
        "daas.jobs.billing:billing_run_job",
        "Draft invoices for the month before the due date (recomputes drafts; safe to run again).",
    ),
    ScheduledJob(
        "billing_finalize",
        "daas.jobs.billing:billing_finalize_job",
        "After the review window: recompute and finalize that month's drafts, schedule card collection.",
        enabled_by="DAAS_BILLING_AUTO_FINALIZE",
    ),
    ScheduledJob(
        "renew_contracts",
        "daas.jobs.contracts:renew_contracts_job",
        "Renew the contracts with auto-renewal that are on their last day (once per end date).",
    ),
    ScheduledJob(
        "refresh_plan",
        "daas.jobs.logistics:refresh_plan_job",
        "Open refresh orders for devices due within the lead time.",
    ),
    ScheduledJob(
        "end_of_term_returns",
        "daas.jobs.logistics:end_of_term_returns_job",
        "Open end-of-term return orders for contracts ending within the lead time.",
    ),
    ScheduledJob(
        "allocate_backorders",
        "daas.jobs.orders:allocate_backorders_job",
        "Allocate devices in stock to approved and backordered orders, first come first served.",
    ),
    ScheduledJob(
        "payment_retries",
        "daas.jobs.payments:payment_retries_job",
        "Process waiting webhooks, finish unclear attempts and refunds, collect and retry card payments; "
        "delete expired idempotency keys.",
    ),
    ScheduledJob(
        "impact_close",
        "daas.jobs.impact:impact_close_job",
        "Close the impact ledger through the month before the due date.",
    ),
    ScheduledJob(
        "notices",
        "daas.jobs.notices:notices_job",
        "Record the reminders of invoices past their due date and the notices of contracts nearing their "
        "end (each once; a late run gives the latest one due only).",
    ),
)

# The job a billing run asked for from the finance pages is queued as; its request key is the period.
BILLING_RUN_REQUEST = "requested_billing_run"

REQUESTED_JOBS: tuple[RequestedJob, ...] = (
    RequestedJob(
        BILLING_RUN_REQUEST,
        "daas.jobs.billing:requested_billing_run_job",
        "A billing run asked for from the finance pages: drafts for the requested period.",
    ),
)
