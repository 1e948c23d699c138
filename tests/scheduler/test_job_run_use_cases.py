"""The scheduler's use cases (daas.usecases.job_runs) on SQLite and PostgreSQL, called as the runner calls
them: what each leaves in `job_runs` (status, owner, attempts, leases, details, counts) and in the
heartbeats, that a claim is committed before the job runs, and what becomes of a job's unsaved work when
its success, failure or stop is recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from daas.core import clock
from daas.customers.models import Customer
from daas.extensions import db
from daas.scheduler import requests, runs
from daas.scheduler.models import JobRun, SchedulerHeartbeat
from daas.scheduler.registry import Job
from daas.scheduler.runs import MAX_REQUEST_ATTEMPTS, Claim, RequestClaim
from daas.scheduler.schedule import parse_schedule
from daas.usecases import job_runs
from tests import factories
from tests.scheduler import probe

LEASE = timedelta(seconds=60)
LATE = timedelta(seconds=60)
HOURLY = Job(
    "probe",
    "Counts its calls.",
    probe.probe_job,
    "0 * * * *",
    parse_schedule("0 * * * *", "DAAS_SCHEDULE_PROBE"),
    timedelta(hours=1),
)
REQUESTED = {"probe_request"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def rows() -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).order_by(JobRun.due_at, JobRun.id)))


def row(run_id: int) -> JobRun:
    db.session.expire_all()
    return db.session.get(JobRun, run_id)


def customers_named(name: str) -> int:
    return db.session.scalar(select(func.count()).where(Customer.name == name))


def claim_at(moment: str, owner: str = "host-a:1", job: Job = HOURLY) -> Claim | None:
    with clock.frozen(at(moment)):
        return job_runs.claim_due_run(job, owner, clock.now(), lease=LEASE, late=LATE)


def claim_request_at(moment: str, owner: str = "host-a:1") -> RequestClaim | None:
    with clock.frozen(at(moment)):
        return job_runs.claim_requested_run(REQUESTED, owner, clock.now(), lease=LEASE, late=LATE)


def held_run(job: str, due: str, owner: str, lease_until: str, attempts: int = 1, **values) -> int:
    """A run some scheduler holds (or held, if its lease ran out), committed as the scheduler left it."""
    run = JobRun(
        job=job,
        due_at=at(due),
        status="running",
        started_at=at(due),
        attempts=attempts,
        owner=owner,
        lease_until=at(lease_until),
        **values,
    )
    db.session.add(run)
    db.session.commit()
    return run.id


def queue(key: str, moment: str, job: str = "probe_request") -> int:
    with clock.frozen(at(moment)):
        run_id = requests.queue_request(job, key, "user:clerk@daas.example", clock.now()).run_id
    db.session.commit()
    return run_id


# -- claiming a due time ---------------------------------------------------------------------------------


def test_a_claimed_due_time_is_a_committed_running_row_under_this_schedulers_lease(database) -> None:
    claim = claim_at("2026-11-29T10:00:00.2")
    assert not db.session().in_transaction()  # nothing of the claim stays open while the job runs
    assert claim == Claim(claim.run_id, at("2026-11-29T10:00:00"), "")
    db.session.rollback()  # committed: a rollback of what follows does not undo it
    [run] = rows()
    assert (run.id, run.job, run.due_at, run.status, run.owner, run.attempts, run.late) == (
        claim.run_id,
        "probe",
        at("2026-11-29T10:00:00"),
        "running",
        "host-a:1",
        1,
        False,
    )
    assert (run.started_at, run.lease_until, run.finished_at, run.detail) == (
        at("2026-11-29T10:00:00.2"),
        at("2026-11-29T10:01:00.2"),
        None,
        None,
    )

    assert claim_at("2026-11-29T10:00:00.3", "host-b:2") is None  # held by host-a:1: left to it
    assert claim_at("2026-11-29T10:00:50", "host-b:2") is None  # a sweep later: still held
    assert [(run.owner, run.status) for run in rows()] == [("host-a:1", "running")]


def test_a_late_claim_says_it_caught_up_the_due_times_it_coalesced(database) -> None:
    db.session.add(
        JobRun(
            job="probe", due_at=at("2026-11-29T09:00:00"), status="succeeded", attempts=1, owner="host-a:1"
        )
    )
    db.session.commit()
    claim = claim_at("2026-11-29T12:20:00")
    note = (
        "Caught up: started 20 min after its due time. 2 earlier due times missed since the last run "
        "coalesced into this one."
    )
    assert claim == Claim(claim.run_id, at("2026-11-29T12:00:00"), note)
    latest = row(claim.run_id)
    assert (latest.status, latest.late, latest.detail) == ("running", True, note)


def test_a_due_time_past_its_grace_is_recorded_as_missed_and_not_claimed(database) -> None:
    assert claim_at("2026-11-29T13:30:00", job=replace(HOURLY, grace=timedelta(minutes=15))) is None
    [missed] = rows()
    assert (missed.due_at, missed.status, missed.late, missed.attempts) == (
        at("2026-11-29T13:00:00"),
        "skipped",
        True,
        0,
    )
    assert (missed.started_at, missed.finished_at, missed.owner, missed.lease_until) == (
        None,
        at("2026-11-29T13:30:00"),
        None,
        None,
    )
    assert missed.detail == (
        "Missed: no scheduler ran it within the grace of 15 min (first seen 30 min after its due time, at "
        "2026-11-29 13:30:00 UTC); not run. Run it by hand if it is still needed."
    )


def test_an_interrupted_run_is_taken_over_and_the_one_it_superseded_abandoned(database) -> None:
    older = held_run("probe", "2026-11-29T11:00:00", "host-dead:8", "2026-11-29T11:01:00")
    latest = held_run("probe", "2026-11-29T12:00:00", "host-dead:9", "2026-11-29T12:01:00")
    claim = claim_at("2026-11-29T12:05:00")
    note = (
        "Resumed by host-a:1 5 min after its due time (attempt 2): scheduler host-dead:9 stopped holding it "
        "at 2026-11-29 12:01:00 UTC."
    )
    assert claim == Claim(latest, at("2026-11-29T12:00:00"), note)
    abandoned, resumed = row(older), row(latest)
    assert (abandoned.status, abandoned.finished_at, abandoned.lease_until) == (
        "failed",
        at("2026-11-29T12:05:00"),
        None,
    )
    assert abandoned.detail == (
        "Abandoned: scheduler host-dead:8 stopped holding it at 2026-11-29 11:01:00 UTC; a later due time "
        "superseded it. The next run of the job completes the work."
    )
    assert (resumed.status, resumed.owner, resumed.attempts, resumed.late, resumed.detail) == (
        "running",
        "host-a:1",
        2,
        True,
        note,
    )
    assert (resumed.started_at, resumed.lease_until) == (at("2026-11-29T12:00:00"), at("2026-11-29T12:06:00"))


def test_an_interrupted_run_past_its_grace_is_abandoned_and_not_resumed(database) -> None:
    interrupted = held_run("probe", "2026-11-29T12:00:00", "host-dead:9", "2026-11-29T12:01:00")
    assert claim_at("2026-11-29T12:30:00", job=replace(HOURLY, grace=timedelta(minutes=15))) is None
    [abandoned] = rows()
    assert (abandoned.id, abandoned.status, abandoned.attempts) == (interrupted, "failed", 1)
    assert abandoned.detail == (
        "Abandoned: scheduler host-dead:9 stopped holding it at 2026-11-29 12:01:00 UTC; not resumed: 30 min "
        "after its due time is past the grace of 15 min. The next run of the job completes the work."
    )


# -- claiming a request ----------------------------------------------------------------------------------


def test_the_oldest_waiting_request_of_the_jobs_named_is_claimed_and_committed(database) -> None:
    other = queue("x", "2026-11-15T08:00:00", job="failing_request")  # a job this scheduler was not given
    first = queue("b", "2026-11-15T09:00:00")
    second = queue("a", "2026-11-15T09:00:30")
    claim = claim_request_at("2026-11-15T09:05:00")
    assert not db.session().in_transaction()
    assert claim == RequestClaim(
        first, at("2026-11-15T09:00:00"), "", "probe_request", "b", "user:clerk@daas.example", 1
    )
    taken = row(first)
    assert (taken.status, taken.owner, taken.attempts, taken.late, taken.detail) == (
        "running",
        "host-a:1",
        1,
        True,  # 5 min after it was asked for: more than LATE
        None,
    )
    assert (taken.started_at, taken.lease_until) == (at("2026-11-15T09:05:00"), at("2026-11-15T09:06:00"))
    assert (row(second).status, row(other).status) == ("queued", "queued")

    assert claim_request_at("2026-11-15T09:05:10", "host-b:2").run_id == second  # the next one
    assert claim_request_at("2026-11-15T09:05:20", "host-c:3") is None  # both held under live leases


def test_a_request_whose_scheduler_died_is_taken_over_and_one_that_died_too_often_given_up(
    database,
) -> None:
    worn = queue("worn", "2026-11-15T09:00:00")
    dead = queue("dead", "2026-11-15T09:00:30")
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == worn)
        .values(
            status="running",
            owner="host-dead:8",
            attempts=MAX_REQUEST_ATTEMPTS,
            lease_until=at("2026-11-15T09:02:00"),
        )
    )
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == dead)
        .values(
            status="running",
            owner="host-dead:9",
            attempts=1,
            started_at=at("2026-11-15T09:01:00"),
            lease_until=at("2026-11-15T09:03:00"),
        )
    )
    db.session.commit()

    claim = claim_request_at("2026-11-15T09:10:00")
    note = (
        "Resumed by host-a:1 (attempt 2): scheduler host-dead:9 stopped holding it at 2026-11-15 09:03:00 "
        "UTC."
    )
    assert claim == RequestClaim(
        dead, at("2026-11-15T09:00:30"), note, "probe_request", "dead", "user:clerk@daas.example", 2
    )
    given_up, resumed = row(worn), row(dead)
    assert (given_up.status, given_up.finished_at, given_up.lease_until) == (
        "failed",
        at("2026-11-15T09:10:00"),
        None,
    )
    assert given_up.detail == (
        f"Given up after {MAX_REQUEST_ATTEMPTS} attempts: the scheduler carrying it out stopped each time "
        "(last host-dead:8, at 2026-11-15 09:02:00 UTC). Ask for it again once the cause is fixed."
    )
    assert (resumed.status, resumed.owner, resumed.attempts, resumed.detail) == (
        "running",
        "host-a:1",
        2,
        note,
    )
    assert (resumed.started_at, resumed.lease_until) == (at("2026-11-15T09:01:00"), at("2026-11-15T09:11:00"))


def test_a_request_given_up_stays_given_up_when_the_claim_that_follows_fails(database, monkeypatch) -> None:
    worn = queue("worn", "2026-11-15T09:00:00")
    waiting = queue("next", "2026-11-15T09:00:30")
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == worn)
        .values(
            status="running",
            owner="host-dead:8",
            attempts=MAX_REQUEST_ATTEMPTS,
            lease_until=at("2026-11-15T09:02:00"),
        )
    )
    db.session.commit()

    def database_gone(*_args, **_kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(runs, "take_request", database_gone)
    with pytest.raises(RuntimeError, match="connection lost"):
        claim_request_at("2026-11-15T09:10:00")
    assert (row(worn).status, row(waiting).status) == ("failed", "queued")


# -- outcomes --------------------------------------------------------------------------------------------


def test_a_success_keeps_the_jobs_work_and_records_what_it_reported(database) -> None:
    db.session.add(
        JobRun(
            job="probe", due_at=at("2026-11-29T08:00:00"), status="succeeded", attempts=1, owner="host-a:1"
        )
    )
    db.session.commit()
    claim = claim_at("2026-11-29T10:05:00")
    factories.customer(name="Left unsaved by the job")
    with clock.frozen(at("2026-11-29T10:07:00")):
        job_runs.keep_job_work()
        assert job_runs.record_success(claim, "host-a:1", {"customers": 1, "on": date(2026, 11, 29)})
    db.session.rollback()
    assert customers_named("Left unsaved by the job") == 1
    run = row(claim.run_id)
    assert (run.status, run.finished_at, run.lease_until, run.owner) == (
        "succeeded",
        at("2026-11-29T10:07:00"),
        None,
        "host-a:1",
    )
    assert run.counts == {"customers": 1, "on": "2026-11-29"}
    assert run.detail == (
        "Caught up: started 5 min after its due time. 1 earlier due time missed since the last run coalesced "
        "into this one. customers: 1, on: 2026-11-29"
    )


def test_a_success_without_counts_says_so_and_keeps_what_was_reported(database) -> None:
    queue("k1", "2026-11-15T09:00:00")
    claim = claim_request_at("2026-11-15T09:00:10")
    job_runs.report_request_progress(claim.run_id, "host-a:1", {"billing_run": 7})
    assert job_runs.record_success(claim, "host-a:1", None)
    run = row(claim.run_id)
    assert (run.status, run.detail, run.counts) == ("succeeded", "nothing to report", {"billing_run": 7})


def test_a_failure_drops_the_jobs_unsaved_work_and_keeps_what_it_reported(database) -> None:
    queue("k1", "2026-11-15T09:00:00")
    claim = claim_request_at("2026-11-15T09:00:10")
    factories.customer(name="Reported with the progress")
    job_runs.report_request_progress(claim.run_id, "host-a:1", {"period": "2026-10", "billing_run": 7})
    db.session.rollback()
    assert row(claim.run_id).counts == {"period": "2026-10", "billing_run": 7}  # committed at once
    factories.customer(name="Written after the report")
    with clock.frozen(at("2026-11-15T09:02:00")):
        assert job_runs.record_failure(claim, "host-a:1", "RuntimeError: printer on fire")
    assert customers_named("Written after the report") == 0
    assert customers_named("Reported with the progress") == 1  # committed with the report
    run = row(claim.run_id)
    assert (run.status, run.finished_at, run.lease_until, run.detail) == (
        "failed",
        at("2026-11-15T09:02:00"),
        None,
        "RuntimeError: printer on fire",
    )
    assert run.counts == {"period": "2026-10", "billing_run": 7}


def test_the_outcome_of_a_run_another_scheduler_took_over_leaves_its_row_to_that_one(database) -> None:
    queue("k1", "2026-11-15T09:00:00")
    claim = claim_request_at("2026-11-15T09:00:10")
    # host-a:1 stalled past its lease; host-b:2 took the request over.
    assert claim_request_at("2026-11-15T09:01:30", "host-b:2").run_id == claim.run_id
    job_runs.report_request_progress(claim.run_id, "host-a:1", {"billing_run": 7})
    assert not job_runs.record_success(claim, "host-a:1", {"key": "k1"})
    assert not job_runs.record_failure(claim, "host-a:1", "too late")
    run = row(claim.run_id)
    assert (run.status, run.owner, run.attempts, run.counts, run.finished_at) == (
        "running",
        "host-b:2",
        2,
        None,
        None,
    )


def test_a_stop_drops_the_jobs_unsaved_work_and_gives_the_lease_up_for_the_next_scheduler(database) -> None:
    claim = claim_at("2026-11-29T12:00:00")
    factories.customer(name="Committed before the stop")
    db.session.commit()
    factories.customer(name="Not yet committed at the stop")
    with clock.frozen(at("2026-11-29T12:00:10")):
        assert (
            job_runs.record_stop(claim, "host-a:1", "stopped at shutdown; the work committed so far is kept")
            == 1
        )
    assert (
        customers_named("Committed before the stop"),
        customers_named("Not yet committed at the stop"),
    ) == (
        1,
        0,
    )
    run = row(claim.run_id)
    assert (run.status, run.owner, run.lease_until, run.finished_at) == (
        "running",
        "host-a:1",
        at("2026-11-29T12:00:10"),
        None,
    )
    assert run.detail == (
        "Interrupted at 2026-11-29 12:00:10 UTC: stopped at shutdown; the work committed so far is kept"
    )
    resumed = claim_at("2026-11-29T12:00:11", "host-b:2")  # at once, not a lease later
    assert resumed.run_id == claim.run_id and row(claim.run_id).attempts == 2


# -- leases ----------------------------------------------------------------------------------------------


def test_renewing_extends_only_this_schedulers_running_runs_of_the_jobs_named(database) -> None:
    probe_run = held_run("probe", "2026-11-29T10:00:00", "host-a:1", "2026-11-29T10:01:00")
    flaky_run = held_run("flaky", "2026-11-29T10:00:00", "host-a:1", "2026-11-29T10:01:00")
    elsewhere = held_run("probe", "2026-11-29T09:00:00", "host-b:2", "2026-11-29T10:01:00")
    with clock.frozen(at("2026-11-29T10:00:20")):
        assert job_runs.renew_leases("host-a:1", {"probe", "stopping"}, LEASE) == 1
    assert [row(run_id).lease_until for run_id in (probe_run, flaky_run, elsewhere)] == [
        at("2026-11-29T10:01:20"),
        at("2026-11-29T10:01:00"),
        at("2026-11-29T10:01:00"),
    ]


def test_releasing_gives_up_every_run_this_scheduler_holds_and_no_other(database) -> None:
    mine = [
        held_run("probe", "2026-11-29T10:00:00", "host-a:1", "2026-11-29T10:01:00"),
        held_run("flaky", "2026-11-29T10:00:00", "host-a:1", "2026-11-29T10:01:00"),
    ]
    elsewhere = held_run("stopping", "2026-11-29T10:00:00", "host-b:2", "2026-11-29T10:01:00")
    db.session.add(
        JobRun(
            job="probe", due_at=at("2026-11-29T09:00:00"), status="succeeded", attempts=1, owner="host-a:1"
        )
    )
    db.session.commit()
    with clock.frozen(at("2026-11-29T10:00:30")):
        assert job_runs.release_runs("host-a:1", "its job did not stop within 30 s of the stop request") == 2
    for run_id in mine:
        released = row(run_id)
        assert (released.status, released.lease_until) == ("running", at("2026-11-29T10:00:30"))
        assert released.detail == (
            "Interrupted at 2026-11-29 10:00:30 UTC: its job did not stop within 30 s of the stop request"
        )
    assert (row(elsewhere).lease_until, row(elsewhere).detail) == (at("2026-11-29T10:01:00"), None)
    assert [run.detail for run in rows() if run.status == "succeeded"] == [None]


# -- the heartbeat ---------------------------------------------------------------------------------------


def test_the_heartbeat_renews_this_schedulers_row_and_signing_off_removes_it(database) -> None:
    db.session.add(
        SchedulerHeartbeat(
            owner="host-b:2", started_at=at("2026-11-15T08:00:00"), seen_at=at("2026-11-15T09:59:40")
        )
    )
    db.session.commit()
    for moment in ("2026-11-15T10:00:00", "2026-11-15T10:00:20"):
        with clock.frozen(at(moment)):
            job_runs.record_heartbeat("host-a:1", at("2026-11-15T09:59:00"))
    db.session.rollback()
    beats = db.session.execute(
        select(SchedulerHeartbeat.owner, SchedulerHeartbeat.started_at, SchedulerHeartbeat.seen_at).order_by(
            SchedulerHeartbeat.owner
        )
    ).all()
    assert [tuple(beat) for beat in beats] == [
        ("host-a:1", at("2026-11-15T09:59:00"), at("2026-11-15T10:00:20")),
        ("host-b:2", at("2026-11-15T08:00:00"), at("2026-11-15T09:59:40")),
    ]
    job_runs.sign_off("host-a:1")
    db.session.rollback()
    assert list(db.session.scalars(select(SchedulerHeartbeat.owner))) == ["host-b:2"]
