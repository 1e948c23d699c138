"""The scheduler's bookkeeping: claiming a due time or a request, recording how the run went, keeping and
giving up its lease, and saying that a scheduler runs. The scheduler process (daas.jobs.runner) calls one
of these per step and never commits itself.

A claim is committed before the job runs, so nothing of it stays open while the job works in its own
transactions (the use cases it calls) and every other scheduler sees at once that the run is taken. The
outcome is recorded in the session the job ran in: a job that returned has whatever it left unsaved kept
(`keep_job_work`) before its success is recorded; a failure or a stop drops it, then records itself. A
run recorded as failed (its job raised, it was abandoned, or a request was given up) is a `job.failed`
event in the outbox, in the transaction that records it: the scheduler domain sits beside the outbox and
does not write to it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from daas.core import clock
from daas.outbox.services import record_event
from daas.scheduler import models as job_states
from daas.scheduler import presence, runs
from daas.scheduler.registry import Job
from daas.scheduler.runs import Claim, FailedRun, RequestClaim
from daas.scheduler.texts import summary
from daas.usecases.transaction import commit, roll_back, use_case

# -- claims ------------------------------------------------------------------------------------------------


def _record_job_failed(failed: FailedRun) -> None:
    """Staff hear of a run recorded as failed (`job.failed`), once per run, with the failure's commit."""
    record_event(
        "job.failed",
        key=f"job_run:{failed.run_id}",
        customer_id=None,
        data={"job": failed.job, "run_id": failed.run_id, "due_at": failed.due_at, "error": failed.error},
    )


@use_case
def claim_due_run(job: Job, owner: str, now: datetime, *, lease: timedelta, late: timedelta) -> Claim | None:
    """Claim `job`'s latest due time for the scheduler `owner` (`runs.claim_due`: or take over its
    interrupted run, record a missed due time, abandon the runs a later due time replaced); None when
    there is nothing to run or another scheduler has it. An abandoned run is a failed run: staff hear of
    it."""
    abandoned: list[FailedRun] = []
    claim = runs.claim_due(job, owner, now, lease=lease, late=late, abandoned=abandoned)
    for failed in abandoned:
        _record_job_failed(failed)
    return claim


@use_case
def claim_requested_run(
    jobs: Collection[str], owner: str, now: datetime, *, lease: timedelta, late: timedelta
) -> RequestClaim | None:
    """Claim the oldest request of one of `jobs` for the scheduler `owner` under a lease of `lease`
    (taking it over if its scheduler died); None when none waits. A request whose schedulers died too
    often is given up on the way, and that is committed at once, whatever comes next; a request another
    scheduler took first is passed over for the next one."""
    while True:
        row = runs.next_open_request(jobs, now)
        if row is None:
            return None
        if runs.worn_out(row):
            failed = runs.give_up(row, now)
            if failed is not None:
                _record_job_failed(failed)
            commit()
            continue
        claim = runs.take_request(row, owner, now, lease=lease, late=late)
        if claim is not None:
            return claim
        commit()  # another scheduler took it first: look again, in a new transaction


# -- while a run runs --------------------------------------------------------------------------------------


@use_case
def report_request_progress(run_id: int, owner: str, counts: dict[str, Any]) -> None:
    """Put what a request's job reported so far on the request's row (the billing run it started) and
    commit it, with the job's work up to there, so the page that queued it can follow the run before
    it ends."""
    runs.report_counts(run_id, owner, counts)


@use_case
def renew_leases(owner: str, jobs: Collection[str], lease: timedelta) -> int:
    """Extend by `lease` from now the lease of every run of `jobs` the scheduler `owner` is running (its
    heartbeat), so no other scheduler takes them over; how many there were."""
    return runs.renew_leases(owner, jobs, clock.now() + lease)


# -- outcomes ----------------------------------------------------------------------------------------------


@use_case
def keep_job_work() -> None:
    """A job function returned: what it left unsaved is its work, and is committed (the use cases a job
    calls commit their own; this keeps the rest). A commit that fails here is the run's failure, so the
    runner calls it before it records a success."""


@use_case
def record_success(claim: Claim, owner: str, counts: dict[str, Any] | None) -> bool:
    """The job of `claim` returned `counts` (and its work was kept): the run is recorded as succeeded, its
    detail its note and what it reported. False if another scheduler had taken the run over (its lease
    ran out while it ran)."""
    detail = " ".join(filter(None, [claim.note, summary(counts or {})]))
    return runs.finish(claim.run_id, owner, job_states.SUCCEEDED, detail, counts, clock.now())


@use_case
def record_failure(claim: Claim, owner: str, message: str) -> bool:
    """The job of `claim` failed with `message`: what it left unsaved is dropped, then the run is recorded
    as failed, keeping the counts it reported while it ran, and staff hear of it (`job.failed`). False if
    another scheduler had taken the run over (its record is that scheduler's to write)."""
    roll_back()
    detail = " ".join(filter(None, [claim.note, message]))
    finished = runs.finish(claim.run_id, owner, job_states.FAILED, detail, None, clock.now())
    if finished:
        _record_job_failed(runs.failed_run(claim.run_id, message))
    return finished


@use_case
def record_stop(claim: Claim, owner: str, reason: str) -> int:
    """The job of `claim` met a stop request: what it left unsaved is dropped (what it committed stays)
    and its lease is given up now, saying `reason`, so the next scheduler carries it on at once."""
    roll_back()
    return runs.release(owner, clock.now(), reason, claim.run_id)


@use_case
def release_runs(owner: str, reason: str) -> int:
    """Give up the lease of every run the scheduler `owner` holds, saying `reason` (it leaves without
    waiting for them), so the next scheduler resumes them; how many there were."""
    return runs.release(owner, clock.now(), reason)


# -- the heartbeat -----------------------------------------------------------------------------------------


@use_case
def record_heartbeat(owner: str, started_at: datetime) -> None:
    """The scheduler `owner`, started at `started_at`, runs now: the pages say a request will be taken."""
    presence.record_heartbeat(owner, started_at, clock.now())


@use_case
def sign_off(owner: str) -> None:
    """The scheduler `owner` stops (cleanly): the pages say at once that it no longer runs."""
    presence.sign_off(owner)
