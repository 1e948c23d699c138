"""How a billing run reads: its stored status, except that a `running` run whose lease ran out lost its
process. Shared by the run itself, finalization and every place that shows a run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from daas.core import clock

# A run in one of these states computed every contract it could: its drafts may be finalized.
FINISHED = ("completed", "completed_with_errors")


def run_status(run: Any, now: datetime | None = None) -> str:
    """The run's status as finance should read it: a `running` run whose lease ran out lost its process
    (nothing renews the lease any more), so it is interrupted, whether or not a later run marked it."""
    if run.status == "running" and run.lease_until is not None and run.lease_until < (now or clock.now()):
        return "interrupted"
    return run.status
