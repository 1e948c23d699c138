"""Running a job for a due time once across every scheduler process, and recording how it went.

The row in `job_runs` for (job, due time) is the claim (`daas.scheduler.runs`): the scheduler that creates
it runs the job; every other one sees the row and does nothing. While the job runs its scheduler renews a
lease on the row; a run whose lease ran out (its process was killed) is taken over by the next scheduler
that looks, if it is still the latest due time and within the job's grace, else it is recorded as
abandoned. Jobs are idempotent themselves, so a run that is resumed completes what the interrupted one
began.

Requested runs (`daas.scheduler.requests`) are rows queued by the pages: `run_requested` claims them oldest
first by moving them from queued to running under the same kind of lease, takes over those whose
scheduler died, and records how they went as it does for scheduled runs. The heartbeat also records that
this process runs (`daas.scheduler.presence`), so the pages can say when no scheduler would take a request.

Every write to those records is a use case of `daas.usecases.job_runs`, which commits it: the runner
decides when to claim, runs the job function outside any open transaction and says how it went.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from daas.core import clock
from daas.core.jobs import JobContext, JobFailed, JobStopped
from daas.scheduler.registry import Job
from daas.scheduler.requests import RequestContext
from daas.scheduler.runs import Claim, RequestClaim
from daas.scheduler.texts import moment, span, summary
from daas.usecases import job_runs

log = logging.getLogger("daas.scheduler")
# In `Runner.active()` while this process carries requests out (no scheduled job has this name).
REQUESTS = "(requests)"


def _failure(error: Exception) -> tuple[str, bool]:
    """What a failed run's record says, and whether the failure was expected (a JobFailed: its reason)."""
    expected = isinstance(error, JobFailed)
    return (str(error) if expected else f"{type(error).__name__}: {error}"), expected


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
            return job_runs.renew_leases(self.owner, active, self.lease)

    def record_presence(self) -> None:
        """Say that this process runs (the heartbeat), so the pages know a request will be taken."""
        with self.app.app_context():
            job_runs.record_heartbeat(self.owner, self.started_at)

    def sign_off(self) -> None:
        """Say that this process stopped (at a clean stop)."""
        with self.app.app_context():
            job_runs.sign_off(self.owner)

    def release(self, reason: str) -> int:
        """Give up every run this process holds, so the next scheduler resumes them (leaving at shutdown
        without waiting for them)."""
        with self.app.app_context():
            return job_runs.release_runs(self.owner, reason)

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
                claim = job_runs.claim_due_run(
                    job, self.owner, now or clock.now(), lease=self.lease, late=self.late
                )  # committed: nothing of the claim stays open while the job runs
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
                    claim = job_runs.claim_requested_run(
                        self.requested, self.owner, now or clock.now(), lease=self.lease, late=self.late
                    )  # committed: nothing of the claim stays open while the request runs
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

    def _carry_out(self, claim: RequestClaim) -> None:
        context = RequestContext(
            self.settings,
            claim.due,
            self.stop,
            key=claim.key,
            requested_by=claim.requested_by,
            attempt=claim.attempt,
            report=lambda counts: job_runs.report_request_progress(claim.run_id, self.owner, counts),
        )
        name = f"{claim.job} {claim.key}"
        try:
            counts = self.requested[claim.job](context)
            job_runs.keep_job_work()  # a commit that fails is the request's failure
        except JobStopped as stopped:
            job_runs.record_stop(
                claim, self.owner, f"{stopped}. A scheduler carries it on at its next sweep."
            )
            log.warning("%s: %s", name, stopped)
            return
        except Exception as error:  # a request's failure belongs in its record, for the page to show
            message, expected = _failure(error)
            if expected:
                log.error("%s: failed: %s", name, message)
            else:
                log.exception("%s: failed", name)
            self._finished(name, claim, job_runs.record_failure(claim, self.owner, message))
            return
        self._finished(name, claim, job_runs.record_success(claim, self.owner, counts))
        log.info("%s: succeeded (%s)", name, summary(counts or {}))

    def _execute(self, job: Job, claim: Claim) -> None:
        context = JobContext(self.settings, claim.due, self.stop)
        started = time.monotonic()
        try:
            counts = job.function(context)
            job_runs.keep_job_work()  # a commit that fails is the job's failure
        except JobStopped as stopped:
            job_runs.record_stop(
                claim, self.owner, f"{stopped}. A scheduler resumes it within the grace of {span(job.grace)}."
            )
            log.warning("%s due %s: %s", job.name, moment(claim.due), stopped)
            return
        except Exception as error:  # a job's failure belongs in its run's record
            message, expected = _failure(error)
            if expected:
                log.error("%s due %s: failed: %s", job.name, moment(claim.due), message)
            else:
                log.exception("%s due %s: failed", job.name, moment(claim.due))
            self._finished(job.name, claim, job_runs.record_failure(claim, self.owner, message))
            return
        took = timedelta(seconds=round(time.monotonic() - started))
        self._finished(job.name, claim, job_runs.record_success(claim, self.owner, counts))
        log.info(
            "%s due %s: succeeded in %s (%s)", job.name, moment(claim.due), span(took), summary(counts or {})
        )

    @staticmethod
    def _finished(name: str, claim: Claim, recorded: bool) -> None:
        """Say so when a run's outcome found its row taken over by another scheduler (its lease ran out
        while it ran): that scheduler's record stands."""
        if not recorded:
            log.warning(
                "%s due %s: finished, but another scheduler had taken it over (the lease ran out)",
                name,
                moment(claim.due),
            )
