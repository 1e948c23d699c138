"""Reading the scheduler's record: the runs of scheduled jobs, for the API and the pages."""

from __future__ import annotations

from sqlalchemy import select

from daas.db import fetch_page
from daas.scheduler.models import JobRun


def list_job_runs(
    job: str | None = None, status: str | None = None, offset: int = 0, limit: int = 50
) -> tuple[list[JobRun], int]:
    """Runs newest due time first, optionally of one job or in one state; and how many there are."""
    query = select(JobRun)
    if job:
        query = query.where(JobRun.job == job)
    if status:
        query = query.where(JobRun.status == status)
    return fetch_page(query.order_by(JobRun.due_at.desc(), JobRun.id.desc()), offset, limit)
