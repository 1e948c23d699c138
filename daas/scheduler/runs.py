"""The claims on `job_runs` and the records of how runs went: the reads and writes that the scheduler's
use cases (daas.usecases.job_runs) put together.

The row in `job_runs` for (job, due time) is the claim: the scheduler whose INSERT ... ON CONFLICT DO
NOTHING creates it runs the job; every other one sees the row and does nothing. While the job runs its
scheduler renews a lease on the row; a run whose lease ran out (its process was killed) is taken over by
the next scheduler that looks, if it is still the latest due time and within the job's grace, else it is
recorded as abandoned. A request (`daas.scheduler.requests`) is claimed by moving it from queued to
running under the same kind of lease. Every write here is guarded by what the row was when it was read
(status, attempts, owner), so of two schedulers only one moves a row.

These functions run their statements at once and never commit: whether a claim or a record stands, and
when, is decided by the use case that called them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from daas.db import dialect_insert
from daas.extensions import db
from daas.scheduler import models as job_states
from daas.scheduler.models import SCHEDULED, JobRun
from daas.scheduler.registry import Job
from daas.scheduler.schedule import Decision, decide
from daas.scheduler.texts import moment, span

log = logging.getLogger("daas.scheduler")
DETAIL_LENGTH = 4000
# A request taken over this many times (its scheduler died each time) is given up rather than tried
# again by every scheduler that starts: it may be what kills them.
MAX_REQUEST_ATTEMPTS = 5


@dataclass(frozen=True)
class Claim:
    """A run this scheduler now holds: its row, the due time it runs for, and what its record says
    before the outcome (caught up, resumed), which the outcome's detail begins with."""

    run_id: int
    due: datetime
    note: str


@dataclass(frozen=True)
class FailedRun:
    """A run recorded as failed: which job, its due time, and what its record says."""

    run_id: int
    job: str
    due_at: datetime
    error: str


@dataclass(frozen=True)
class RequestClaim(Claim):
    """A request this scheduler now holds: what for (`key`), who asked, and which try it is."""

    job: str
    key: str
    requested_by: str
    attempt: int


def jsonable(counts: dict[str, Any] | None) -> dict[str, Any]:
    """A job's counts as the JSON column keeps them (dates and Decimals as text)."""
    return json.loads(json.dumps(counts or {}, default=str))


def _insert_scheduled(table: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on the (job, due time) key of scheduled runs: the row that is
    there already is the claim of another scheduler."""
    return dialect_insert(table).on_conflict_do_nothing(
        index_elements=["job", "due_at"], index_where=SCHEDULED
    )


# -- scheduled runs ----------------------------------------------------------------------------------------


def claim_due(
    job: Job,
    owner: str,
    now: datetime,
    *,
    lease: timedelta,
    late: timedelta,
    abandoned: list[FailedRun] | None = None,
) -> Claim | None:
    """Decide what `owner` does about `job` at `now` and write it: claim its latest due time (or take over
    its interrupted run), record a due time past its grace as missed, abandon the interrupted runs a later
    due time replaced (each added to `abandoned`, when given: they are recorded as failed). The claim, or
    None when there is nothing to run or another scheduler has it; a run whose start is later than `late`
    after its due time is recorded as late."""
    running = db.session.execute(
        select(JobRun.id, JobRun.due_at, JobRun.owner, JobRun.lease_until, JobRun.attempts)
        .where(JobRun.job == job.name, JobRun.status == job_states.RUNNING)
        .order_by(JobRun.due_at.desc())
    ).all()
    if any(row.lease_until is not None and row.lease_until >= now for row in running):
        return None  # a live scheduler is running this job; one run of a job at a time
    interrupted = running[0] if running else None
    failed = abandoned if abandoned is not None else []
    for row in running[1:]:
        _abandon(job, row, now, "a later due time superseded it", failed)
    last = db.session.scalar(select(func.max(JobRun.due_at)).where(JobRun.job == job.name))
    decision = decide(job.trigger, now, job.grace, last, interrupted.due_at if interrupted else None)
    if decision.superseded is not None:
        reason = (
            f"not resumed: {span(now - interrupted.due_at)} after its due time is past the grace of "
            f"{span(job.grace)}"
            if decision.action == "wait"
            else "a later due time superseded it"
        )
        _abandon(job, interrupted, now, reason, failed)
    if decision.action == "miss":
        _record_missed(job, decision, now)
    elif decision.action == "run":
        return _insert_running(job, decision, now, owner, lease=lease, late=late)
    elif decision.action == "resume":
        return _take_over(job, interrupted, decision, now, owner, lease=lease)
    return None


def _abandon(job: Job, row: Any, now: datetime, reason: str, failed: list[FailedRun]) -> None:
    detail = (
        f"Abandoned: scheduler {row.owner} stopped holding it at "
        f"{moment(row.lease_until or now)}; {reason}. The next run of the job completes the work."
    )[:DETAIL_LENGTH]
    abandoned = db.session.execute(
        update(JobRun)
        .where(JobRun.id == row.id, JobRun.status == job_states.RUNNING, JobRun.attempts == row.attempts)
        .values(status=job_states.FAILED, finished_at=now, lease_until=None, detail=detail)
    ).rowcount
    if abandoned:
        failed.append(FailedRun(row.id, job.name, row.due_at, detail))
        log.warning(
            "%s due %s: abandoned (%s)",
            job.name,
            moment(row.due_at),
            reason,
        )


def _record_missed(job: Job, decision: Decision, now: datetime) -> None:
    due = decision.due
    detail = (
        f"Missed: no scheduler ran it within the grace of {span(job.grace)} (first seen "
        f"{span(decision.late)} after its due time, at {moment(now)}); not run. Run it by hand if it is "
        "still needed."
    )
    recorded = db.session.execute(
        _insert_scheduled(JobRun.__table__).values(
            job=job.name,
            due_at=due,
            status=job_states.SKIPPED,
            finished_at=now,
            late=True,
            attempts=0,
            detail=detail,
        )
    ).rowcount
    if recorded:
        log.warning("%s due %s: %s", job.name, moment(due), detail)


def _insert_running(
    job: Job, decision: Decision, now: datetime, owner: str, *, lease: timedelta, late: timedelta
) -> Claim | None:
    due = decision.due
    notes = []
    is_late = decision.late > late
    if is_late:
        notes.append(f"Caught up: started {span(decision.late)} after its due time.")
    if decision.coalesced:
        plural = "s" if decision.coalesced != 1 else ""
        notes.append(
            f"{decision.coalesced} earlier due time{plural} missed since the last run coalesced into "
            "this one."
        )
    note = " ".join(notes)
    table = JobRun.__table__
    run_id = db.session.scalar(
        _insert_scheduled(table)
        .values(
            job=job.name,
            due_at=due,
            status=job_states.RUNNING,
            started_at=now,
            late=is_late,
            attempts=1,
            owner=owner,
            lease_until=now + lease,
            detail=note or None,
        )
        .returning(table.c.id)
    )
    if run_id is None:
        return None
    log.info("%s due %s: started by %s%s", job.name, moment(due), owner, f" ({note})" if note else "")
    return Claim(run_id, due, note)


def _take_over(
    job: Job, row: Any, decision: Decision, now: datetime, owner: str, *, lease: timedelta
) -> Claim | None:
    note = (
        f"Resumed by {owner} {span(decision.late)} after its due time (attempt {row.attempts + 1}): "
        f"scheduler {row.owner} stopped holding it at {moment(row.lease_until or now)}."
    )
    taken = db.session.execute(
        update(JobRun)
        .where(JobRun.id == row.id, JobRun.status == job_states.RUNNING, JobRun.attempts == row.attempts)
        .values(
            owner=owner,
            attempts=row.attempts + 1,
            lease_until=now + lease,
            late=True,
            detail=note,
        )
    ).rowcount
    if not taken:
        return None
    log.info("%s due %s: %s", job.name, moment(row.due_at), note)
    return Claim(row.id, row.due_at, note)


# -- requested runs ----------------------------------------------------------------------------------------


def next_open_request(jobs: Collection[str], now: datetime) -> Any | None:
    """The oldest request of one of `jobs` that waits for a scheduler: queued, or running under a lease
    that ran out at `now` (its scheduler died). A row (id, job, due_at, status, attempts, owner,
    lease_until, request_key, requested_by), or None."""
    return db.session.execute(
        select(
            JobRun.id,
            JobRun.job,
            JobRun.due_at,
            JobRun.status,
            JobRun.attempts,
            JobRun.owner,
            JobRun.lease_until,
            JobRun.request_key,
            JobRun.requested_by,
        )
        .where(
            JobRun.job.in_(jobs),
            JobRun.request_key.is_not(None),
            or_(
                JobRun.status == job_states.QUEUED,
                and_(
                    JobRun.status == job_states.RUNNING,
                    or_(JobRun.lease_until.is_(None), JobRun.lease_until < now),
                ),
            ),
        )
        .order_by(JobRun.due_at, JobRun.id)
        .limit(1)
    ).first()


def worn_out(row: Any) -> bool:
    """Whether the request `row` (of `next_open_request`) was taken over too often to be tried again."""
    return row.status == job_states.RUNNING and row.attempts >= MAX_REQUEST_ATTEMPTS


def give_up(row: Any, now: datetime) -> FailedRun | None:
    """Record the worn-out request `row` as failed, saying why; None if another scheduler moved it."""
    detail = (
        f"Given up after {row.attempts} attempts: the scheduler carrying it out stopped each time (last "
        f"{row.owner}, at {moment(row.lease_until or now)}). Ask for it again once the cause is fixed."
    )
    given_up = db.session.execute(
        update(JobRun)
        .where(JobRun.id == row.id, JobRun.status == job_states.RUNNING, JobRun.attempts == row.attempts)
        .values(status=job_states.FAILED, finished_at=now, lease_until=None, detail=detail)
    ).rowcount
    if not given_up:
        return None
    log.error("%s %s: %s", row.job, row.request_key, detail)
    return FailedRun(row.id, row.job, row.due_at, detail)


def take_request(
    row: Any, owner: str, now: datetime, *, lease: timedelta, late: timedelta
) -> RequestClaim | None:
    """Move the request `row` (of `next_open_request`) to running for `owner` under a lease: started now
    if it was queued, taken over (and saying so) if its scheduler died. None if another scheduler moved
    it first."""
    attempt = row.attempts + 1
    values: dict[str, Any] = {
        "status": job_states.RUNNING,
        "owner": owner,
        "attempts": attempt,
        "lease_until": now + lease,
    }
    note = ""
    if row.status == job_states.QUEUED:
        values["started_at"] = now
        values["late"] = now - row.due_at > late
    else:
        note = (
            f"Resumed by {owner} (attempt {attempt}): scheduler {row.owner} stopped holding it at "
            f"{moment(row.lease_until or now)}."
        )
        values["detail"] = note
    taken = db.session.execute(
        update(JobRun)
        .where(JobRun.id == row.id, JobRun.status == row.status, JobRun.attempts == row.attempts)
        .values(**values)
    ).rowcount
    if not taken:
        return None
    log.info(
        "%s %s asked for by %s at %s: %s",
        row.job,
        row.request_key,
        row.requested_by,
        moment(row.due_at),
        note or f"started by {owner}",
    )
    return RequestClaim(row.id, row.due_at, note, row.job, row.request_key, row.requested_by, attempt)


# -- while a run runs, and after ---------------------------------------------------------------------------


def _held(run_id: int, owner: str) -> tuple[Any, ...]:
    return (JobRun.id == run_id, JobRun.owner == owner, JobRun.status == job_states.RUNNING)


def report_counts(run_id: int, owner: str, counts: dict[str, Any]) -> bool:
    """Put what the run reported so far on its row, while `owner` still holds it."""
    return bool(
        db.session.execute(
            update(JobRun).where(*_held(run_id, owner)).values(counts=jsonable(counts))
        ).rowcount
    )


def finish(
    run_id: int, owner: str, status: str, detail: str, counts: dict[str, Any] | None, now: datetime
) -> bool:
    """Record the end of a run `owner` holds; False if another scheduler had taken it over. A run that
    ends without counts (a failure) keeps those it reported while it ran (a request's billing run), so
    its record still leads to what it did."""
    values: dict[str, Any] = {
        "status": status,
        "finished_at": now,
        "lease_until": None,
        "detail": detail[:DETAIL_LENGTH] or None,
    }
    if counts is not None:
        values["counts"] = jsonable(counts)
    return bool(db.session.execute(update(JobRun).where(*_held(run_id, owner)).values(**values)).rowcount)


def failed_run(run_id: int, error: str) -> FailedRun:
    """Run `run_id`, just recorded as failed with `error`."""
    row = db.session.execute(select(JobRun.job, JobRun.due_at).where(JobRun.id == run_id)).one()
    return FailedRun(run_id, row.job, row.due_at, error)


def renew_leases(owner: str, jobs: Collection[str], until: datetime) -> int:
    """Extend to `until` the lease of every run of `jobs` that `owner` is running; how many there were."""
    return db.session.execute(
        update(JobRun)
        .where(JobRun.owner == owner, JobRun.status == job_states.RUNNING, JobRun.job.in_(jobs))
        .values(lease_until=until)
    ).rowcount


def release(owner: str, now: datetime, reason: str, run_id: int | None = None) -> int:
    """Give up the lease of one run (or of every run) `owner` holds, saying why, so the next scheduler
    resumes it at once; how many were released. The run stays `running`: its work is not done."""
    held = (JobRun.owner == owner, JobRun.status == job_states.RUNNING)
    if run_id is not None:
        held = (*held, JobRun.id == run_id)
    return db.session.execute(
        update(JobRun)
        .where(*held)
        .values(lease_until=now, detail=f"Interrupted at {moment(now)}: {reason}"[:DETAIL_LENGTH])
    ).rowcount
