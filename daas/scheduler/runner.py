"""Running a job for a due time once across every scheduler process, and recording how it went.

The row in `job_runs` for (job, due time) is the claim: the scheduler whose INSERT ... ON CONFLICT DO
NOTHING creates it runs the job; every other one sees the row and does nothing. While the job runs its
scheduler renews a lease on the row; a run whose lease ran out (its process was killed) is taken over by
the next scheduler that looks, if it is still the latest due time and within the job's grace, else it is
recorded as abandoned. Jobs are idempotent themselves, so a run that is resumed completes what the
interrupted one began.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select, update

from daas.core import clock
from daas.core.jobs import JobContext, JobFailed, JobStopped
from daas.db import insert_ignoring_conflicts
from daas.extensions import db
from daas.scheduler.models import JobRun
from daas.scheduler.registry import Job
from daas.scheduler.schedule import Decision, decide

log = logging.getLogger("daas.scheduler")
DETAIL_LENGTH = 4000


def moment(value: datetime) -> str:
    """A due time as people read it in logs and records: 2026-11-01 02:00:00 UTC."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def span(value: timedelta) -> str:
    """A duration in its two largest units: 3 d 4 h, 2 h 13 min, 45 s."""
    seconds = int(value.total_seconds())
    units = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
    parts = []
    for name, size in units:
        if seconds >= size or (name == "s" and not parts):
            parts.append(f"{seconds // size} {name}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def summary(counts: dict[str, Any]) -> str:
    return ", ".join(f"{name}: {value}" for name, value in counts.items()) or "nothing to report"


def _jsonable(counts: dict[str, Any] | None) -> dict[str, Any]:
    return json.loads(json.dumps(counts or {}, default=str))


@dataclass(frozen=True)
class _Claim:
    run_id: int
    due: datetime
    note: str


class Runner:
    """Runs the jobs of one scheduler process (`owner`), one run per job at a time."""

    def __init__(
        self,
        app: Flask,
        jobs: Iterable[Job],
        owner: str,
        *,
        lease: timedelta,
        late: timedelta,
        settings: Any,
        stop: threading.Event | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.jobs = {job.name: job for job in jobs}
        self.owner = owner
        self.lease = lease
        self.late = late
        self.stop = stop or threading.Event()
        self._active: set[str] = set()
        self._changed = threading.Condition()

    # -- this process's running jobs -------------------------------------------------------------------

    def active(self) -> set[str]:
        with self._changed:
            return set(self._active)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs in this process; False if one still runs after `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._active, timeout)

    def renew_leases(self) -> int:
        """Extend the lease of every run this process is running (the heartbeat)."""
        active = self.active()
        if not active:
            return 0
        with self.app.app_context():  # a session of its own: the jobs' sessions hold their transactions
            renewed = db.session.execute(
                update(JobRun)
                .where(JobRun.owner == self.owner, JobRun.status == "running", JobRun.job.in_(active))
                .values(lease_until=clock.now() + self.lease)
            ).rowcount
            db.session.commit()
            return renewed

    def release(self, reason: str, run_id: int | None = None) -> int:
        """Give up one run (or all) this process holds, so the next scheduler resumes them (at shutdown)."""
        now = clock.now()
        held = (JobRun.owner == self.owner, JobRun.status == "running")
        if run_id is not None:
            held = (*held, JobRun.id == run_id)
        with self.app.app_context():
            released = db.session.execute(
                update(JobRun)
                .where(*held)
                .values(lease_until=now, detail=f"Interrupted at {moment(now)}: {reason}"[:DETAIL_LENGTH])
            ).rowcount
            db.session.commit()
            return released

    # -- one job at one moment -------------------------------------------------------------------------

    def run_due(self, name: str, now: datetime | None = None) -> int | None:
        """Run `name` for its latest due time if nobody has; the id of the run this call made, or None."""
        job = self.jobs[name]
        with self._changed:
            if name in self._active or self.stop.is_set():
                return None  # running here already, or shutting down: claim nothing new
            self._active.add(name)
        try:
            with self.app.app_context():
                claim = self._claim(job, now or clock.now())
                if claim is None:
                    return None
                self._execute(job, claim)
                return claim.run_id
        finally:
            with self._changed:
                self._active.discard(name)
                self._changed.notify_all()

    def _claim(self, job: Job, now: datetime) -> _Claim | None:
        try:
            return self._decide_and_claim(job, now)
        finally:
            db.session.rollback()  # nothing of the decision stays open while the job runs

    def _decide_and_claim(self, job: Job, now: datetime) -> _Claim | None:
        running = db.session.execute(
            select(JobRun.id, JobRun.due_at, JobRun.owner, JobRun.lease_until, JobRun.attempts)
            .where(JobRun.job == job.name, JobRun.status == "running")
            .order_by(JobRun.due_at.desc())
        ).all()
        if any(row.lease_until is not None and row.lease_until >= now for row in running):
            return None  # a live scheduler is running this job; one run of a job at a time
        interrupted = running[0] if running else None
        for row in running[1:]:
            self._abandon(job, row, now, "a later due time superseded it")
        last = db.session.scalar(select(func.max(JobRun.due_at)).where(JobRun.job == job.name))
        decision = decide(job.trigger, now, job.grace, last, interrupted.due_at if interrupted else None)
        if decision.superseded is not None:
            reason = (
                f"not resumed: {span(now - interrupted.due_at)} after its due time is past the grace of "
                f"{span(job.grace)}"
                if decision.action == "wait"
                else "a later due time superseded it"
            )
            self._abandon(job, interrupted, now, reason)
        claim = None
        if decision.action == "miss":
            self._record_missed(job, decision, now)
        elif decision.action == "run":
            claim = self._insert_running(job, decision, now)
        elif decision.action == "resume":
            claim = self._take_over(job, interrupted, decision, now)
        db.session.commit()
        return claim

    def _abandon(self, job: Job, row: Any, now: datetime, reason: str) -> None:
        abandoned = db.session.execute(
            update(JobRun)
            .where(JobRun.id == row.id, JobRun.status == "running", JobRun.attempts == row.attempts)
            .values(
                status="failed",
                finished_at=now,
                lease_until=None,
                detail=(
                    f"Abandoned: scheduler {row.owner} stopped holding it at "
                    f"{moment(row.lease_until or now)}; {reason}. The next run of the job completes the work."
                )[:DETAIL_LENGTH],
            )
        ).rowcount
        if abandoned:
            log.warning(
                "%s due %s: abandoned (%s)",
                job.name,
                moment(row.due_at),
                reason,
            )

    def _record_missed(self, job: Job, decision: Decision, now: datetime) -> None:
        due = decision.due
        detail = (
            f"Missed: no scheduler ran it within the grace of {span(job.grace)} (first seen "
            f"{span(decision.late)} after its due time, at {moment(now)}); not run. Run it by hand if it is "
            "still needed."
        )
        recorded = db.session.execute(
            insert_ignoring_conflicts(JobRun.__table__, "job", "due_at").values(
                job=job.name,
                due_at=due,
                status="skipped",
                finished_at=now,
                late=True,
                attempts=0,
                detail=detail,
            )
        ).rowcount
        if recorded:
            log.warning("%s due %s: %s", job.name, moment(due), detail)

    def _insert_running(self, job: Job, decision: Decision, now: datetime) -> _Claim | None:
        due = decision.due
        notes = []
        late = decision.late > self.late
        if late:
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
            insert_ignoring_conflicts(table, "job", "due_at")
            .values(
                job=job.name,
                due_at=due,
                status="running",
                started_at=now,
                late=late,
                attempts=1,
                owner=self.owner,
                lease_until=now + self.lease,
                detail=note or None,
            )
            .returning(table.c.id)
        )
        if run_id is None:
            return None
        log.info(
            "%s due %s: started by %s%s", job.name, moment(due), self.owner, f" ({note})" if note else ""
        )
        return _Claim(run_id, due, note)

    def _take_over(self, job: Job, row: Any, decision: Decision, now: datetime) -> _Claim | None:
        note = (
            f"Resumed by {self.owner} {span(decision.late)} after its due time (attempt {row.attempts + 1}): "
            f"scheduler {row.owner} stopped holding it at {moment(row.lease_until or now)}."
        )
        taken = db.session.execute(
            update(JobRun)
            .where(JobRun.id == row.id, JobRun.status == "running", JobRun.attempts == row.attempts)
            .values(
                owner=self.owner,
                attempts=row.attempts + 1,
                lease_until=now + self.lease,
                late=True,
                detail=note,
            )
        ).rowcount
        if not taken:
            return None
        log.info("%s due %s: %s", job.name, moment(row.due_at), note)
        return _Claim(row.id, row.due_at, note)

    def _execute(self, job: Job, claim: _Claim) -> None:
        context = JobContext(self.settings, claim.due, self.stop)
        started = time.monotonic()
        try:
            counts = job.function(context)
            db.session.commit()
        except JobStopped as stopped:
            db.session.rollback()
            self.release(
                f"{stopped}. A scheduler resumes it within the grace of {span(job.grace)}.", claim.run_id
            )
            log.warning("%s due %s: %s", job.name, moment(claim.due), stopped)
            return
        except Exception as error:  # a job's failure belongs in its run's record
            db.session.rollback()
            expected = isinstance(error, JobFailed)
            message = str(error) if expected else f"{type(error).__name__}: {error}"
            if expected:
                log.error("%s due %s: failed: %s", job.name, moment(claim.due), message)
            else:
                log.exception("%s due %s: failed", job.name, moment(claim.due))
            self._finish(job, claim, "failed", " ".join(filter(None, [claim.note, message])), None)
            return
        took = timedelta(seconds=round(time.monotonic() - started))
        detail = " ".join(filter(None, [claim.note, summary(counts or {})]))
        self._finish(job, claim, "succeeded", detail, counts)
        log.info(
            "%s due %s: succeeded in %s (%s)", job.name, moment(claim.due), span(took), summary(counts or {})
        )

    def _finish(
        self, job: Job, claim: _Claim, status: str, detail: str, counts: dict[str, Any] | None
    ) -> None:
        finished = db.session.execute(
            update(JobRun)
            .where(JobRun.id == claim.run_id, JobRun.owner == self.owner, JobRun.status == "running")
            .values(
                status=status,
                finished_at=clock.now(),
                lease_until=None,
                detail=detail[:DETAIL_LENGTH] or None,
                counts=_jsonable(counts) if counts is not None else None,
            )
        ).rowcount
        db.session.commit()
        if not finished:
            log.warning(
                "%s due %s: finished, but another scheduler had taken it over (the lease ran out)",
                job.name,
                moment(claim.due),
            )
