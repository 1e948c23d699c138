"""The payments job the scheduler runs (hourly by default): webhook events due for their (re)try,
unclear attempts and refunds, and card collections whose (re)try time has come."""

from __future__ import annotations

from typing import Any

from daas.core.jobs import JobContext
from daas.payments.refunds import execute_refund, pending_refunds
from daas.payments.services import CollectionPolicy, collect_due
from daas.payments.webhooks import GIVEN_UP, RETRY_LATER, EventRetries, due_events, process_event


def retry_payments(policy: CollectionPolicy, retries: EventRetries) -> dict[str, Any]:
    """Run one round of collection work (commits as it goes); returns counts for the job's record. Each
    event is tried in its own transactions and a failure is recorded on it, so one bad event never
    keeps the refunds and collections after it from running."""
    events = [process_event(event_id, policy, retries) for event_id in due_events()]
    refunds = (
        [execute_refund(refund_id, policy) for refund_id in pending_refunds()]
        if policy.stripe.enabled
        else []
    )
    report = collect_due(policy)
    return {
        "events": len(events),
        "events_failed": sum(outcome in (RETRY_LATER, GIVEN_UP) for outcome in events),
        "events_given_up": events.count(GIVEN_UP),
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
    return retry_payments(context.settings.collection, context.settings.webhook_retries)
