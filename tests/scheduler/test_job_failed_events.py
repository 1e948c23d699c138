"""A run recorded as failed is a `job.failed` event for staff, once per run, in the transaction that
records it: a scheduled job that raised (run by the runner), a requested job that raised, a run abandoned
because a later due time or its grace replaced it, a request given up; never a run that succeeded, nor a
failure another scheduler's record overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from daas.core import clock
from daas.extensions import db
from daas.scheduler import requests
from daas.scheduler.models import JobRun
from daas.scheduler.registry import Job
from daas.scheduler.runs import MAX_REQUEST_ATTEMPTS
from daas.scheduler.schedule import parse_schedule
from daas.usecases import job_runs
from tests.outbox_helpers import assert_event, events, the_event
from tests.scheduler import probe

LEASE = timedelta(seconds=60)
HOURLY = Job(
    "probe",
    "Counts its calls.",
    probe.probe_job,
    "0 * * * *",
    parse_schedule("0 * * * *", "DAAS_SCHEDULE_PROBE"),
    timedelta(minutes=15),
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _runs(job: str) -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.id)))


def test_a_job_that_raises_is_told_to_staff_once_and_its_success_later_is_not(make_runner) -> None:
    runner = make_runner()
    with clock.frozen(at("2026-11-29T10:00:01")):
        runner.run_due("flaky")
    [failed] = _runs("flaky")
    assert_event(
        the_event("job.failed", f"job_run:{failed.id}"),
        None,
        {
            "job": "flaky",
            "run_id": failed.id,
            "due_at": "2026-11-29T10:00:00Z",
            "error": "RuntimeError: card processor unreachable",
        },
    )
    with clock.frozen(at("2026-11-29T11:00:00")):
        runner.run_due("flaky")  # succeeds
    assert [run.status for run in _runs("flaky")] == ["failed", "succeeded"]
    assert len(events("job.failed")) == 1


def test_a_requested_job_that_raises_is_told_with_its_error(make_runner) -> None:
    with clock.frozen(at("2026-11-15T09:00:00")):
        run_id = requests.queue_request(
            "failing_request", "2026-10", "user:clerk@daas.example", clock.now()
        ).run_id
    db.session.commit()
    with clock.frozen(at("2026-11-15T09:00:05")):
        assert make_runner().run_requested() == [run_id]
    assert_event(
        the_event("job.failed", f"job_run:{run_id}"),
        None,
        {
            "job": "failing_request",
            "run_id": run_id,
            "due_at": "2026-11-15T09:00:00Z",
            "error": "RuntimeError: printer on fire",
        },
    )


def test_a_run_abandoned_past_its_grace_is_told_with_why(database) -> None:
    interrupted = JobRun(
        job="probe",
        due_at=at("2026-11-29T12:00:00"),
        status="running",
        started_at=at("2026-11-29T12:00:00"),
        attempts=1,
        owner="host-dead:9",
        lease_until=at("2026-11-29T12:01:00"),
    )
    db.session.add(interrupted)
    db.session.commit()
    with clock.frozen(at("2026-11-29T12:30:00")):
        assert job_runs.claim_due_run(HOURLY, "host-a:1", clock.now(), lease=LEASE, late=LEASE) is None
        assert job_runs.claim_due_run(HOURLY, "host-a:1", clock.now(), lease=LEASE, late=LEASE) is None
    db.session.rollback()  # committed with the claim
    failed = the_event("job.failed", f"job_run:{interrupted.id}")
    assert (failed.data["job"], failed.data["due_at"]) == ("probe", "2026-11-29T12:00:00Z")
    assert failed.data["error"] == (
        "Abandoned: scheduler host-dead:9 stopped holding it at 2026-11-29 12:01:00 UTC; not resumed: 30 min "
        "after its due time is past the grace of 15 min. The next run of the job completes the work."
    )
    assert len(events("job.failed")) == 1


def test_a_request_given_up_is_told_and_one_another_scheduler_took_over_is_not(database) -> None:
    with clock.frozen(at("2026-11-15T09:00:00")):
        worn = requests.queue_request("probe_request", "worn", "user:clerk@daas.example", clock.now()).run_id
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
    with clock.frozen(at("2026-11-15T09:10:00")):
        assert (
            job_runs.claim_requested_run({"probe_request"}, "host-a:1", clock.now(), lease=LEASE, late=LEASE)
            is None
        )
    given_up = the_event("job.failed", f"job_run:{worn}")
    assert given_up.data["error"].startswith(f"Given up after {MAX_REQUEST_ATTEMPTS} attempts")

    with clock.frozen(at("2026-11-15T10:00:00")):
        requests.queue_request("probe_request", "k1", "user:clerk@daas.example", clock.now())
        db.session.commit()
        claim = job_runs.claim_requested_run(
            {"probe_request"}, "host-a:1", clock.now(), lease=LEASE, late=LEASE
        )
    with clock.frozen(at("2026-11-15T10:01:30")):  # host-a:1 stalled past its lease; host-b:2 took it over
        job_runs.claim_requested_run({"probe_request"}, "host-b:2", clock.now(), lease=LEASE, late=LEASE)
        assert not job_runs.record_failure(claim, "host-a:1", "too late")
    assert [event.key for event in events("job.failed")] == [f"job_run:{worn}"]
