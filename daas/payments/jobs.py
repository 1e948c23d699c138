"""The payments job the scheduler runs (hourly by default): webhooks not processed yet, unclear
attempts and refunds, and card collections whose (re)try time has come."""

from __future__ import annotations

from typing import Any

from daas.core.jobs import JobContext
from daas.payments.refunds import execute_refund, pending_refunds
from daas.payments.services import CollectionPolicy, collect_due, collection_policy
from daas.payments.webhooks import process_event, unprocessed_events


def retry_payments(policy: CollectionPolicy) -> dict[str, Any]:
    """Run one round of collection work (commits as it goes); returns counts for the job's record."""
    events = [process_event(event_id, policy) for event_id in unprocessed_events()]
    refunds = (
        [execute_refund(refund_id, policy) for refund_id in pending_refunds()]
        if policy.stripe.enabled
        else []
    )
    report = collect_due(policy)
    return {
        "events": len(events),
        "refunds": len(refunds),
        "attempted": report.attempted,
        "succeeded": report.succeeded,
        "failed": report.failed,
        "uncollectible": report.uncollectible,
        "unclear": report.unclear,
    }


def payment_retries_job(context: JobContext) -> dict[str, Any]:
    """One round of collection work at the due time (what is due is read from the clock, not the due time:
    a late round still collects everything that fell due meanwhile)."""
    return retry_payments(collection_policy(context.config))
