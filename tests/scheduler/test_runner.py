"""The scheduler's runner on SQLite and PostgreSQL, with time driven by the tests: a due time runs once
whoever asks, a failing job is recorded and runs again at its next due time, a missed due time is caught up
once and says so, interrupted runs are resumed or abandoned, and the real jobs do their work."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from daas.billing.models import BillingRun, Invoice
from daas.core import clock
from daas.customers.models import Customer
from daas.extensions import db
from daas.scheduler.models import JobRun
from tests import factories
from tests.billing_helpers import deploy
from tests.scheduler import probe


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def runs(job: str) -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.due_at)))


def customers_named(prefix: str) -> int:
    return db.session.scalar(select(func.count()).where(Customer.name.startswith(prefix)))


def run_at(runner, job: str, moment: str) -> int | None:
    with clock.frozen(at(moment)):
        return runner.run_due(job)


# -- once ---------------------------------------------------------------------------------------------


def test_a_due_time_runs_once_whichever_scheduler_asks_first(make_runner) -> None:
    first, second = make_runner("host-a:1"), make_runner("host-b:2")
    assert run_at(first, "probe", "2026-11-29T10:00:00.2") is not None
    assert run_at(second, "probe", "2026-11-29T10:00:00.3") is None
    assert run_at(first, "probe", "2026-11-29T10:00:31") is None  # a sweep later: already recorded
    assert probe.calls == [("probe", at("2026-11-29T10:00:00"))]
    [run] = runs("probe")
    assert (run.status, run.owner, run.attempts, run.late) == ("succeeded", "host-a:1", 1, False)
    assert (run.started_at, run.finished_at) == (at("2026-11-29T10:00:00.2"), at("2026-11-29T10:00:00.2"))
    assert run.counts == {"customers": 1} and run.detail == "customers: 1"
    assert run.lease_until is None


def test_a_job_running_elsewhere_is_not_started_again(make_runner) -> None:
    db.session.add(
        JobRun(
            job="probe",
            due_at=at("2026-11-29T10:00:00"),
            status="running",
            started_at=at("2026-11-29T10:00:00"),
            attempts=1,
            owner="host-b:2",
            lease_until=at("2026-11-29T11:00:30"),
        )
    )
    db.session.commit()
    # 11:00 is due, but the 10:00 run still holds its lease: one run of a job at a time.
    assert run_at(make_runner(), "probe", "2026-11-29T11:00:05") is None
    assert probe.calls == []


# -- failures -----------------------------------------------------------------------------------------


def test_a_failing_job_is_recorded_as_failed_and_runs_again_at_its_next_due_time(make_runner) -> None:
    runner = make_runner()
    run_at(runner, "flaky", "2026-11-29T10:00:01")
    [failed] = runs("flaky")
    assert failed.status == "failed"
    assert failed.detail == "RuntimeError: card processor unreachable"
    assert failed.finished_at == at("2026-11-29T10:00:01") and failed.counts is None
    assert customers_named("Flaky") == 0  # what the failed run wrote was rolled back

    assert run_at(runner, "flaky", "2026-11-29T10:30:00") is None  # not retried before its next due time
    run_at(make_runner("host-b:2"), "flaky", "2026-11-29T11:00:00")
    assert [(run.due_at, run.status) for run in runs("flaky")] == [
        (at("2026-11-29T10:00:00"), "failed"),
        (at("2026-11-29T11:00:00"), "succeeded"),
    ]
    assert customers_named("Flaky") == 1


# -- catching up ---------------------------------------------------------------------------------------


def test_a_missed_due_time_is_caught_up_once_and_says_so(make_runner) -> None:
    run_at(make_runner(), "probe", "2026-11-29T09:00:00")
    # No scheduler ran from 09:30 to 12:20: 10:00, 11:00 and 12:00 were missed.
    restarted = make_runner("host-a:2")
    assert run_at(restarted, "probe", "2026-11-29T12:20:00") is not None
    assert run_at(make_runner("host-b:3"), "probe", "2026-11-29T12:20:01") is None
    assert run_at(restarted, "probe", "2026-11-29T12:50:00") is None
    run_at(restarted, "probe", "2026-11-29T13:00:00")

    caught_up = runs("probe")[1]
    assert (caught_up.due_at, caught_up.status, caught_up.late) == (
        at("2026-11-29T12:00:00"),
        "succeeded",
        True,
    )
    assert caught_up.detail == (
        "Caught up: started 20 min after its due time. 2 earlier due times missed since the last run "
        "coalesced into this one. customers: 1"
    )
    assert [(run.due_at.hour, run.late) for run in runs("probe")] == [(9, False), (12, True), (13, False)]
    assert [due.hour for _, due in probe.calls] == [9, 12, 13]  # 10:00 and 11:00 coalesced, not replayed


def test_past_its_grace_a_missed_due_time_is_recorded_as_skipped_and_not_run(make_runner) -> None:
    runner = make_runner(DAAS_GRACE_PROBE=15 * 60)
    run_at(runner, "probe", "2026-11-29T09:00:00")
    assert run_at(runner, "probe", "2026-11-29T13:30:00") is None
    skipped = runs("probe")[-1]
    assert (skipped.due_at, skipped.status, skipped.started_at) == (
        at("2026-11-29T13:00:00"),
        "skipped",
        None,
    )
    assert skipped.detail.startswith("Missed: no scheduler ran it within the grace of 15 min")
    assert [due.hour for _, due in probe.calls] == [9]
    run_at(runner, "probe", "2026-11-29T14:00:00")  # the next due time runs as usual
    assert [run.status for run in runs("probe")] == ["succeeded", "skipped", "succeeded"]


# -- interrupted runs ----------------------------------------------------------------------------------


def _interrupted(job: str, due: str, lease_until: str) -> JobRun:
    run = JobRun(
        job=job,
        due_at=at(due),
        status="running",
        started_at=at(due),
        attempts=1,
        owner="host-dead:9",
        lease_until=at(lease_until),
    )
    db.session.add(run)
    db.session.commit()
    return run


def test_a_run_whose_scheduler_died_is_resumed_by_the_next_one(make_runner) -> None:
    interrupted = _interrupted("probe", "2026-11-29T12:00:00", "2026-11-29T12:01:00")
    assert run_at(make_runner(), "probe", "2026-11-29T12:00:50") is None  # its lease still holds
    assert run_at(make_runner(), "probe", "2026-11-29T12:05:00") == interrupted.id
    [run] = runs("probe")
    assert (run.status, run.attempts, run.owner) == ("succeeded", 2, "scheduler-a")
    assert run.detail.startswith(
        "Resumed by scheduler-a 5 min after its due time (attempt 2): scheduler host-dead:9 stopped holding "
        "it at 2026-11-29 12:01:00 UTC."
    )


def test_an_interrupted_run_a_later_due_time_replaces_is_abandoned(make_runner) -> None:
    _interrupted("probe", "2026-11-29T12:00:00", "2026-11-29T12:01:00")
    run_at(make_runner(), "probe", "2026-11-29T13:00:10")
    abandoned, latest = runs("probe")
    assert abandoned.status == "failed"
    assert abandoned.detail.startswith(
        "Abandoned: scheduler host-dead:9 stopped holding it at 2026-11-29 12:01:00"
    )
    assert (latest.due_at, latest.status) == (at("2026-11-29T13:00:00"), "succeeded")


def test_a_stop_request_keeps_committed_work_and_leaves_the_rest_to_the_next_scheduler(make_runner) -> None:
    stopping = make_runner()
    run_at(stopping, "stopping", "2026-11-29T12:00:00")
    [run] = runs("stopping")
    assert (run.status, run.lease_until, run.owner) == ("running", at("2026-11-29T12:00:00"), "scheduler-a")
    assert run.detail.startswith("Interrupted at 2026-11-29 12:00:00 UTC: stopped at shutdown")
    assert customers_named("Stopping") == 1  # committed before the stop request

    run_at(make_runner("host-b:2"), "stopping", "2026-11-29T12:00:20")
    [run] = runs("stopping")
    assert (run.status, run.attempts, run.owner) == (
        "running",
        2,
        "host-b:2",
    )  # stopped again (it always does)
    assert len(probe.calls) == 2


# -- the real jobs ---------------------------------------------------------------------------------------


def _contracts_with_devices(count: int) -> list:
    plan = factories.plan()
    contracts = []
    for _ in range(count):
        contract = factories.contract(plan_code=plan.code, start_date=date(2026, 1, 1))
        deploy(contract, date(2026, 10, 5))
        contracts.append(contract)
    return contracts


def _invoices(period: str) -> list[Invoice]:
    db.session.expire_all()
    return list(db.session.scalars(select(Invoice).where(Invoice.period == period).order_by(Invoice.id)))


def test_the_billing_run_job_drafts_last_month_and_a_stopped_run_is_completed_on_resume(make_runner) -> None:
    _contracts_with_devices(3)
    stopping = make_runner(DAAS_BILLING_CHUNK_SIZE=1)
    billing = stopping.jobs["billing_run"]

    def sigterm_as_it_starts(context):  # it stops at its first safe point: after its first chunk
        context.stop.set()
        return billing.function(context)

    stopping.jobs["billing_run"] = replace(billing, function=sigterm_as_it_starts)
    run_at(stopping, "billing_run", "2026-12-01T02:00:00")
    [job_run] = runs("billing_run")
    assert job_run.status == "running" and job_run.detail.startswith("Interrupted")
    assert len(_invoices("2026-11")) == 1
    [stopped] = db.session.scalars(select(BillingRun)).all()
    assert (stopped.status, stopped.actor, stopped.processed) == ("interrupted", "scheduler:billing_run", 1)

    run_at(make_runner("host-b:2"), "billing_run", "2026-12-01T02:00:30")
    [job_run] = runs("billing_run")
    assert (job_run.status, job_run.attempts) == ("succeeded", 2)
    assert job_run.counts["period"] == "2026-11" and job_run.counts["invoices_created"] == 2
    assert job_run.counts["completes_run"] == stopped.id
    drafts = _invoices("2026-11")
    assert [(invoice.status, str(invoice.subtotal), str(invoice.total)) for invoice in drafts] == [
        ("draft", "39.00", "47.19")
    ] * 3


def test_a_billing_run_left_running_by_a_killed_scheduler_is_closed_when_the_job_resumes(make_runner) -> None:
    _contracts_with_devices(1)
    db.session.add(BillingRun(period="2026-11", status="running", actor="scheduler:billing_run"))
    _interrupted("billing_run", "2026-12-01T02:00:00", "2026-12-01T02:01:00")
    run_at(make_runner(), "billing_run", "2026-12-01T02:03:00")
    killed, resumed = db.session.scalars(select(BillingRun).order_by(BillingRun.id)).all()
    assert killed.status == "interrupted" and killed.error.startswith(
        "Interrupted: the scheduler running it stopped"
    )
    assert (resumed.status, resumed.completes_run_id) == ("completed", killed.id)


def test_finalization_refuses_a_month_without_drafts_then_finalizes_the_reviewed_month(make_runner) -> None:
    _contracts_with_devices(2)
    runner = make_runner(DAAS_BILLING_AUTO_FINALIZE=True)
    run_at(runner, "billing_finalize", "2026-12-03T02:00:00")
    [refused] = runs("billing_finalize")
    assert refused.status == "failed"
    assert refused.detail.startswith("No completed billing run for 2026-11")
    assert _invoices("2026-11") == []

    run_at(runner, "billing_run", "2027-01-01T02:00:00")  # December's drafts, reviewed in January
    run_at(runner, "billing_finalize", "2027-01-03T02:00:00")
    finalized = runs("billing_finalize")[-1]
    assert finalized.status == "succeeded" and finalized.counts["invoices_finalized"] == 2
    assert [(invoice.status, invoice.number) for invoice in _invoices("2026-12")] == [
        ("open", "INV-2027-000001"),
        ("open", "INV-2027-000002"),
    ]


def test_every_declared_job_runs_through_the_scheduler(make_runner) -> None:
    _contracts_with_devices(1)
    runner = make_runner(DAAS_BILLING_AUTO_FINALIZE=True)
    moments = {
        "billing_run": "2026-12-01T02:00:00",
        "billing_finalize": "2026-12-03T02:00:00",
        "impact_close": "2026-12-03T03:00:00",
        "renew_contracts": "2026-12-03T03:30:00",
        "refresh_plan": "2026-12-03T04:00:00",
        "end_of_term_returns": "2026-12-03T04:30:00",
        "allocate_backorders": "2026-12-03T05:00:00",
        "payment_retries": "2026-12-03T05:00:00",
        "notices": "2027-01-10T06:15:00",  # the invoice finalized on 2026-12-03 is 8 days past due
    }
    for job, moment in moments.items():
        run_at(runner, job, moment)
    recorded = {run.job: run for run in db.session.scalars(select(JobRun))}
    assert {job: recorded[job].status for job in moments} == dict.fromkeys(moments, "succeeded")
    assert recorded["impact_close"].counts["closed"][-1] == "2026-11"
    assert recorded["billing_finalize"].counts["invoices_finalized"] == 1
    assert recorded["renew_contracts"].counts == {"renewed": 0, "failed": 0, "errors": []}
    assert recorded["refresh_plan"].counts == {"refresh_orders": 0}
    assert recorded["end_of_term_returns"].counts == {"end_of_term_orders": 0, "skipped": []}
    assert recorded["allocate_backorders"].counts == {
        "allocated": 0,
        "backordered": 0,
        "failed": 0,
        "errors": [],
    }
    assert recorded["payment_retries"].counts["attempted"] == 0
    assert recorded["notices"].counts == {"overdue": 1, "ending": 0}


def test_a_scheduler_that_is_stopping_claims_nothing_new(make_runner) -> None:
    stopping = make_runner()
    stopping.stop.set()
    assert run_at(stopping, "probe", "2026-11-29T12:00:00") is None
    assert runs("probe") == [] and probe.calls == []


def test_a_late_resume_is_not_confused_with_a_new_due_time(make_runner) -> None:
    """Resuming within grace keeps the original due time: the run's record is for 02:00, not for now."""
    _interrupted("probe", "2026-11-29T12:00:00", "2026-11-29T12:00:30")
    run_at(make_runner(), "probe", "2026-11-29T12:59:59")
    assert [(run.due_at, run.status) for run in runs("probe")] == [(at("2026-11-29T12:00:00"), "succeeded")]
    assert probe.calls == [("probe", at("2026-11-29T12:00:00"))]
    assert timedelta(0) < runs("probe")[0].finished_at - at("2026-11-29T12:00:00")
