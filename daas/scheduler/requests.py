"""Runs people ask for: queued in `job_runs` for a scheduler process to carry out, once.

A page does not run work in its web worker (a worker is recycled, times out, or is one of many): asking
for a billing run queues a request, a job run with status `queued`, the moment it was asked for as its
due time, who asked (`requested_by`) and what for (`request_key`, the period). A scheduler process
(`flask --app wsgi daas scheduler`) claims it at its next sweep under a lease, as it claims scheduled
runs, and runs the requested job (`config.jobs.REQUESTED_JOBS`) with a `RequestContext`. The partial
unique index on open requests makes asking twice for the same job and key, while the first request waits
or runs, give the first one, however close together the two asks come.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from daas.core.errors import Conflict, NotFound
from daas.core.jobs import JobContext
from daas.db import dialect_insert
from daas.extensions import db
from daas.scheduler import models as job_states
from daas.scheduler.models import OPEN_REQUEST, OPEN_REQUEST_STATUSES, JobRun

# Between two asks the open request may have finished: the next ask queues a new one. Bounded, so a
# database that keeps refusing for another reason ends in an error rather than a loop.
_QUEUE_TRIES = 3


def _nothing(_counts: dict[str, Any]) -> None:
    """The report of a context that is not run by a scheduler (tests, a direct call)."""


@dataclass(frozen=True)
class RequestContext(JobContext):
    """One carrying out of a request: `key` says what for (a billing run's period), `requested_by` who
    asked, `attempt` which try it is (a request whose scheduler died is taken over by another). `report`
    records counts on the request's row at once and commits them, so the page that queued it can follow
    the work (the billing run it started) before it ends: call it between the use case's commits."""

    key: str = ""
    requested_by: str = ""
    attempt: int = 1
    report: Callable[[dict[str, Any]], None] = field(default=_nothing)


@dataclass(frozen=True)
class Queued:
    """The open request for a job and key: `queued` is False when it was there already."""

    run_id: int
    queued: bool


def open_request(job: str, key: str) -> JobRun | None:
    """The request for `job` and `key` that is queued or running, if any (there is at most one)."""
    return db.session.scalar(
        select(JobRun).where(
            JobRun.job == job, JobRun.request_key == key, JobRun.status.in_(OPEN_REQUEST_STATUSES)
        )
    )


def queue_request(job: str, key: str, requested_by: str, now: datetime) -> Queued:
    """Queue a run of `job` for `key`, asked for by `requested_by`; or give the open request for them.

    The insert skips a row the open-request index already holds (ON CONFLICT DO NOTHING): of two asks at
    once, the second waits for the first to commit, inserts nothing and reads the first one's row."""
    table = JobRun.__table__
    for _ in range(_QUEUE_TRIES):
        run_id = db.session.scalar(
            dialect_insert(table)
            .values(
                job=job,
                due_at=now,
                status=job_states.QUEUED,
                late=False,
                attempts=0,
                requested_by=requested_by,
                request_key=key,
            )
            .on_conflict_do_nothing(index_elements=["job", "request_key"], index_where=OPEN_REQUEST)
            .returning(table.c.id)
        )
        if run_id is not None:
            return Queued(run_id, queued=True)
        existing = open_request(job, key)
        if existing is not None:
            return Queued(existing.id, queued=False)
    raise Conflict(f"The {job} request for {key} could not be queued; try again.")


def get_request(run_id: int, job: str) -> JobRun:
    """A request of `job` by its id; NotFound for any other id (a scheduled run is not a request)."""
    row = db.session.get(JobRun, run_id)
    if row is None or row.job != job or row.request_key is None:
        raise NotFound(f"No {job} request {run_id}.")
    return row


def open_requests(job: str) -> list[JobRun]:
    """The requests of `job` still to be carried out or being carried out, oldest first."""
    return list(
        db.session.scalars(
            select(JobRun)
            .where(JobRun.job == job, JobRun.status.in_(OPEN_REQUEST_STATUSES))
            .order_by(JobRun.due_at, JobRun.id)
        )
    )
