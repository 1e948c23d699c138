"""Running a job for a due time once across every scheduler process, and recording how it went.

The row in `job_runs` for (job, due time) is the claim: the scheduler whose INSERT ... ON CONFLICT DO
NOTHING creates it runs the job; every other one sees the row and does nothing. While the job runs its
scheduler renews a lease on the row; a run whose lease ran out (its process was killed) is taken over by
the next scheduler that looks, if it is still the latest due time and within the job's grace, else it is
recorded as abandoned. Jobs are idempotent themselves, so a run that is resumed completes what the
interrupted one began.

Requested runs (`daas.scheduler.requests`) are rows queued by the pages: `run_requested` claims them oldest
first by moving them from queued to running under the same kind of lease, takes over those whose
scheduler died, and records how they went as it does for scheduled runs. The heartbeat also records that
this process runs (`daas.scheduler.presence`), so the pages can say when no scheduler would take a request.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import and_, func, or_, select, update

from daas.core import clock
from daas.core.jobs import JobContext, JobFailed, JobStopped
from daas.db import dialect_insert
from daas.extensions import db
from daas.scheduler import presence
from daas.scheduler.models import SCHEDULED, JobRun
from daas.scheduler.registry import Job
from daas.scheduler.requests import RequestContext
from daas.scheduler.schedule import Decision, decide

log = logging.getLogger("daas.scheduler")
DETAIL_LENGTH = 4000
# In `Runner.active()` while this process carries requests out (no scheduled job has this name).
REQUESTS = "(requests)"
# A request taken over this many times (its scheduler died each time) is given up rather than tried
# again by every scheduler that starts: it may be what kills them.
MAX_REQUEST_ATTEMPTS = 5


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


@dataclass(frozen=True)
class _RequestClaim(_Claim):
    job: str
    key: str
    requested_by: str
    attempt: int


def _insert_scheduled(table: Any) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on the (job, due time) key of scheduled runs: the row that is
    there already is the claim of another scheduler."""
    return dialect_insert(table).on_conflict_do_nothing(
        index_elements=["job", "due_at"], index_where=SCHEDULED
    )


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
        requested: Mapping[str, Callable[[RequestContext], dict[str, Any] | None]] | None = None,
    ) -> None:
        self.app = app
        self.settings = settings
        self.jobs = {job.name: job for job in jobs}
        self.requested = dict(requested or {})
        self.started_at = clock.now()
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

    def record_presence(self) -> None:
        """Say that this process runs (the heartbeat), so the pages know a request will be taken."""
        with self.app.app_context():
            presence.record_heartbeat(self.owner, self.started_at, clock.now())
            db.session.commit()

    def sign_off(self) -> None:
        """Say that this process stopped (at a clean stop)."""
        with self.app.app_context():
            presence.sign_off(self.owner)
            db.session.commit()

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

    # -- requested runs ------------------------------------------------------------------------------

    def run_requested(self, now: datetime | None = None) -> list[int]:
        """Carry out the requests this process knows the job of, oldest first, taking over those whose
        scheduler died, until none is left or a stop is requested; the ids of the requests it ran."""
        if not self.requested:
            return []
        with self._changed:
            if REQUESTS in self._active or self.stop.is_set():
                return []  # carrying requests out already, or shutting down: claim nothing new
            self._active.add(REQUESTS)
        done: list[int] = []
        try:
            while not self.stop.is_set():
                with self.app.app_context():
                    claim = self._claim_request(now or clock.now())
                    if claim is None:
                        break
                    with self._changed:
                        self._active.add(claim.job)  # its lease is renewed by the heartbeat
                    try:
                        self._carry_out(claim)
                    finally:
                        with self._changed:
                            self._active.discard(claim.job)
                done.append(claim.run_id)
        finally:
            with self._changed:
                self._active.discard(REQUESTS)
                self._changed.notify_all()
        return done

    def _claim_request(self, now: datetime) -> _RequestClaim | None:
        try:
            while True:
                row = db.session.execute(
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
                        JobRun.job.in_(self.requested),
                        JobRun.request_key.is_not(None),
                        or_(
                            JobRun.status == "queued",
                            and_(
                                JobRun.status == "running",
                                or_(JobRun.lease_until.is_(None), JobRun.lease_until < now),
                            ),
                        ),
                    )
                    .order_by(JobRun.due_at, JobRun.id)
                    .limit(1)
                ).first()
                if row is None:
                    return None
                if row.status == "running" and row.attempts >= MAX_REQUEST_ATTEMPTS:
                    self._give_up(row, now)
                    db.session.commit()
                    continue
                claim = self._take_request(row, now)
                db.session.commit()
                if claim is not None:
                    return claim
                # another scheduler took it first: look again
        finally:
            db.session.rollback()  # nothing of the claim stays open while the request runs

    def _take_request(self, row: Any, now: datetime) -> _RequestClaim | None:
        attempt = row.attempts + 1
        values: dict[str, Any] = {
            "status": "running",
            "owner": self.owner,
            "attempts": attempt,
            "lease_until": now + self.lease,
        }
        note = ""
        if row.status == "queued":
            values["started_at"] = now
            values["late"] = now - row.due_at > self.late
        else:
            note = (
                f"Resumed by {self.owner} (attempt {attempt}): scheduler {row.owner} stopped holding it at "
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
            note or f"started by {self.owner}",
        )
        return _RequestClaim(row.id, row.due_at, note, row.job, row.request_key, row.requested_by, attempt)

    def _give_up(self, row: Any, now: datetime) -> None:
        detail = (
            f"Given up after {row.attempts} attempts: the scheduler carrying it out stopped each time (last "
            f"{row.owner}, at {moment(row.lease_until or now)}). Ask for it again once the cause is fixed."
        )
        given_up = db.session.execute(
            update(JobRun)
            .where(JobRun.id == row.id, JobRun.status == "running", JobRun.attempts == row.attempts)
            .values(status="failed", finished_at=now, lease_until=None, detail=detail)
        ).rowcount
        if given_up:
            log.error("%s %s: %s", row.job, row.request_key, detail)

    def _report(self, claim: _RequestClaim, counts: dict[str, Any]) -> None:
        db.session.execute(
            update(JobRun)
            .where(JobRun.id == claim.run_id, JobRun.owner == self.owner, JobRun.status == "running")
            .values(counts=_jsonable(counts))
        )
        db.session.commit()

    def _carry_out(self, claim: _RequestClaim) -> None:
        context = RequestContext(
            self.settings,
            claim.due,
            self.stop,
            key=claim.key,
            requested_by=claim.requested_by,
            attempt=claim.attempt,
            report=lambda counts: self._report(claim, counts),
        )
        name = f"{claim.job} {claim.key}"
        try:
            counts = self.requested[claim.job](context)
            db.session.commit()
        except JobStopped as stopped:
            db.session.rollback()
            self.release(f"{stopped}. A scheduler carries it on at its next sweep.", claim.run_id)
            log.warning("%s: %s", name, stopped)
            return
        except Exception as error:  # a request's failure belongs in its record, for the page to show
            db.session.rollback()
            expected = isinstance(error, JobFailed)
            message = str(error) if expected else f"{type(error).__name__}: {error}"
            if expected:
                log.error("%s: failed: %s", name, message)
            else:
                log.exception("%s: failed", name)
            self._finish(name, claim, "failed", " ".join(filter(None, [claim.note, message])), None)
            return
        self._finish(
            name, claim, "succeeded", " ".join(filter(None, [claim.note, summary(counts or {})])), counts
        )
        log.info("%s: succeeded (%s)", name, summary(counts or {}))

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
            _insert_scheduled(JobRun.__table__).values(
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
            _insert_scheduled(table)
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
            self._finish(job.name, claim, "failed", " ".join(filter(None, [claim.note, message])), None)
            return
        took = timedelta(seconds=round(time.monotonic() - started))
        detail = " ".join(filter(None, [claim.note, summary(counts or {})]))
        self._finish(job.name, claim, "succeeded", detail, counts)
        log.info(
            "%s due %s: succeeded in %s (%s)", job.name, moment(claim.due), span(took), summary(counts or {})
        )

    def _finish(
        self, name: str, claim: _Claim, status: str, detail: str, counts: dict[str, Any] | None
    ) -> None:
        """Record the end of a run; a failed run keeps the counts it reported while it ran (a request's
        billing run), so its record still leads to what it did."""
        values: dict[str, Any] = {
            "status": status,
            "finished_at": clock.now(),
            "lease_until": None,
            "detail": detail[:DETAIL_LENGTH] or None,
        }
        if counts is not None:
            values["counts"] = _jsonable(counts)
        finished = db.session.execute(
            update(JobRun)
            .where(JobRun.id == claim.run_id, JobRun.owner == self.owner, JobRun.status == "running")
            .values(**values)
        ).rowcount
        db.session.commit()
        if not finished:
            log.warning(
                "%s due %s: finished, but another scheduler had taken it over (the lease ran out)",
                name,
                moment(claim.due),
            )
