"""The payments job the scheduler runs (hourly by default): webhook events due for their (re)try,
unclear attempts and refunds, and card collections whose (re)try time has come; and the idempotency keys
whose 24 hours are over go."""

from __future__ import annotations

from typing import Any

from daas.core.jobs import JobContext
from daas.usecases.idempotency import forget_expired_keys
from daas.usecases.payments import run_payment_round


def payment_retries_job(context: JobContext) -> dict[str, Any]:
    """One round of collection work at the due time (what is due is read from the clock, not the due time:
    a late round still collects everything that fell due meanwhile); then the idempotency keys past
    their 24 hours are deleted."""
    counts = run_payment_round(context.settings.collection, context.settings.webhook_retries)
    return {**counts, "idempotency_keys_deleted": forget_expired_keys()}
