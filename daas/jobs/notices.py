"""Job function: the daily notices round (overdue invoices, contracts nearing their end); it calls the one
use case `flask daas notifications notices` runs too."""

from __future__ import annotations

from typing import Any

from daas.core.jobs import JobContext
from daas.usecases.notices import record_notices


def notices_job(context: JobContext) -> dict[str, Any]:
    """Record the reminders and notices due on the day the run was due."""
    return record_notices(context.due.date(), context.settings.notifications).counts()
