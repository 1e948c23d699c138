"""How a billing run reads: its stored status, except that a `running` run whose lease ran out lost its
process. Shared by the run itself, finalization and every place that shows a run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from daas.core import clock

RUNNING = "running"
COMPLETED = "completed"
# Some contracts could not be billed (see billing_run_errors); the others were.
COMPLETED_WITH_ERRORS = "completed_with_errors"
FAILED = "failed"
# Its process stopped part-way; a later run of the period completes it.
INTERRUPTED = "interrupted"
STATUSES = (RUNNING, COMPLETED, COMPLETED_WITH_ERRORS, FAILED, INTERRUPTED)

# A run in one of these states computed every contract it could: its drafts may be finalized.
FINISHED = (COMPLETED, COMPLETED_WITH_ERRORS)


def run_status(run: Any, now: datetime | None = None) -> str:
    """The run's status as finance should read it: a `running` run whose lease ran out lost its process
    (nothing renews the lease any more), so it is interrupted, whether or not a later run marked it."""
    if run.status == RUNNING and run.lease_until is not None and run.lease_until < (now or clock.now()):
        return INTERRUPTED
    return run.status


def ended_status(failed_contracts: int) -> str:
    """How a run that went through every contract ended: completed, or with errors when it skipped some."""
    return COMPLETED_WITH_ERRORS if failed_contracts else COMPLETED
