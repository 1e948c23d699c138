"""Job function: the daily round that renews the contracts on their last day; it calls the one use case
`flask daas contracts renew` runs too."""

from __future__ import annotations

from typing import Any

from daas.core.jobs import JobContext
from daas.usecases.contracts import renew_due_contracts

ACTOR = "scheduler"


def renew_contracts_job(context: JobContext) -> dict[str, Any]:
    """Renew what is due on the day the run was due; a contract that fails is counted and named."""
    report = renew_due_contracts(context.due.date(), ACTOR)
    return {
        **report.counts(),
        "errors": [f"contract {contract_id}: {message}" for contract_id, message in report.failed],
    }
