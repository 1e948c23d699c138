"""Requested runs on SQLite and PostgreSQL: asking for a billing run queues one request per period while it
waits or runs (enforced by the database, also when two ask at once), a scheduler carries it out (the run
completes and its drafts exist), a request another scheduler holds is left to it until its lease runs out,
a stopped request is carried on by the next scheduler, a failure is recorded, and the heartbeat says
whether a scheduler runs."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from config.jobs import BILLING_RUN_REQUEST
from daas.billing.models import BillingRun, Invoice
from daas.core import clock
from daas.core.errors import Invalid
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.extensions import db
from daas.scheduler import requests
from daas.scheduler.models import JobRun, SchedulerHeartbeat
from daas.scheduler.presence import Presence, presence
from daas.scheduler.runs import MAX_REQUEST_ATTEMPTS
from daas.usecases.job_requests import request_billing_run
from tests.billing_run_helpers import billed_contracts
from tests.helpers import configure
from tests.processes import sessions_waiting_for_a_lock, wait_until
from tests.scheduler import probe
from tests.scheduler.schedulers import carry_out_requests, scheduler_runner

OCTOBER = Period.parse("2026-10")
CLERK = "user:clerk@daas.example"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def request_rows() -> list[JobRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(JobRun).where(JobRun.request_key.is_not(None)).order_by(JobRun.id)))


def billing_runs() -> list[BillingRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(BillingRun).order_by(BillingRun.id)))


def drafts(period: str = "2026-10") -> list[tuple[str, Decimal]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Invoice.status, Invoice.total).where(Invoice.period == period).order_by(Invoice.id)
    )
    return [tuple(row) for row in rows]


# -- queueing --------------------------------------------------------------------------------------------


def test_asking_for_a_billing_run_queues_one_request_per_period_while_it_waits(database, today) -> None:
    first = request_billing_run(OCTOBER, CLERK)
    again = request_billing_run(OCTOBER, "user:other@daas.example")
    september = request_billing_run(Period.parse("2026-09"), CLERK)  # at the same moment: another request
    assert first.queued and not again.queued and again.run_id == first.run_id
    assert september.queued and september.run_id != first.run_id
    assert [
        (row.id, row.job, row.request_key, row.status, row.requested_by, row.due_at, row.attempts, row.owner)
        for row in request_rows()
    ] == [
        (first.run_id, BILLING_RUN_REQUEST, "2026-10", "queued", CLERK, clock.now(), 0, None),
        (september.run_id, BILLING_RUN_REQUEST, "2026-09", "queued", CLERK, clock.now(), 0, None),
    ]
    assert [row.request_key for row in requests.open_requests(BILLING_RUN_REQUEST)] == ["2026-10", "2026-09"]


def test_a_month_that_has_not_ended_is_refused_and_nothing_is_queued(database, today) -> None:
    with pytest.raises(Invalid) as refused:
        request_billing_run(Period.parse("2026-11"), CLERK)
    assert refused.value.errors == {
        "period": ["2026-11 has not ended yet: it can be billed from 2026-12-01."]
    }
    assert request_rows() == []


def test_once_its_request_is_carried_out_a_period_can_be_asked_for_again(app, database, today) -> None:
    billed_contracts(1)
    db.session.commit()
    first = request_billing_run(OCTOBER, CLERK)
    assert carry_out_requests(app) == [first.run_id]
    again = request_billing_run(OCTOBER, CLERK)
    assert again.queued and again.run_id != first.run_id
    assert [row.status for row in request_rows()] == ["succeeded", "queued"]


def test_the_database_refuses_a_second_open_request_for_the_same_job_and_key(database) -> None:
    def add(**values) -> None:
        with db.session.begin_nested():
            db.session.add(JobRun(job=BILLING_RUN_REQUEST, due_at=clock.now(), attempts=0, **values))

    add(status="succeeded", request_key="2026-10")
    add(status="queued", request_key="2026-10")
    for status in ("queued", "running"):
        with pytest.raises(IntegrityError):
            add(status=status, request_key="2026-10")
    add(status="failed", request_key="2026-10")  # finished requests do not count
    add(status="queued", request_key="2026-09")
    with pytest.raises(IntegrityError):
        add(status="queued", request_key=None)  # only a request waits in the queue
    # Scheduled runs keep their one row per job and due time.
    due = at("2026-12-01T02:00:00")
    with db.session.begin_nested():
        db.session.add(JobRun(job="billing_run", due_at=due, status="succeeded", attempts=1))
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(JobRun(job="billing_run", due_at=due, status="running", attempts=1))


@pytest.mark.postgres
def test_many_asking_at_once_queue_one_request(committed) -> None:
    app, askers = committed, 8
    results: dict[str, list] = {}
    with clock.frozen(at("2026-11-15T09:00:00")):
        for month in ("2026-06", "2026-07", "2026-08"):
            start = threading.Barrier(askers)
            asked: list = []

            def ask(
                n: int, month: str = month, start: threading.Barrier = start, asked: list = asked
            ) -> None:
                with app.app_context():
                    try:
                        start.wait()
                        asked.append(request_billing_run(Period.parse(month), f"user:{n}@daas.example"))
                    finally:
                        db.session.remove()

            threads = [threading.Thread(target=ask, args=(n,)) for n in range(askers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            results[month] = asked
    with app.app_context():
        rows = db.session.execute(select(JobRun.id, JobRun.request_key).order_by(JobRun.id)).all()
    assert [key for _, key in rows] == ["2026-06", "2026-07", "2026-08"]
    for run_id, month in rows:
        assert len(results[month]) == askers
        assert {queued.run_id for queued in results[month]} == {run_id}
        assert sum(queued.queued for queued in results[month]) == 1


@pytest.mark.postgres
def test_an_ask_while_another_is_committing_waits_for_it_and_gives_its_request(committed) -> None:
    app = committed
    first_inserted, let_go = threading.Event(), threading.Event()
    found: list = []

    def first() -> None:
        with app.app_context():
            try:
                requests.queue_request(BILLING_RUN_REQUEST, "2026-10", CLERK, clock.now())
                first_inserted.set()
                let_go.wait(30)
                db.session.commit()
            finally:
                db.session.remove()

    def second() -> None:
        with app.app_context():
            try:
                found.append(request_billing_run(OCTOBER, "user:other@daas.example"))
            finally:
                db.session.remove()

    with clock.frozen(at("2026-11-15T09:00:00")):
        holder = threading.Thread(target=first)
        holder.start()
        assert first_inserted.wait(30)
        asker = threading.Thread(target=second)
        asker.start()
        wait_until(lambda: sessions_waiting_for_a_lock(app) == 1, "the second ask to wait for the first")
        let_go.set()
        holder.join(30)
        asker.join(30)
    with app.app_context():
        [(run_id, requested_by)] = db.session.execute(select(JobRun.id, JobRun.requested_by)).all()
    assert requested_by == CLERK
    assert [(queued.run_id, queued.queued) for queued in found] == [(run_id, False)]


# -- carrying requests out -------------------------------------------------------------------------------


def test_a_scheduler_carries_a_requested_billing_run_out(app, database, today) -> None:
    billed_contracts(2)
    db.session.commit()
    queued = request_billing_run(OCTOBER, CLERK)
    assert carry_out_requests(app) == [queued.run_id]

    [run] = billing_runs()
    assert (run.period, run.status, run.actor, run.contracts, run.processed, run.invoices_created) == (
        "2026-10",
        "completed",
        CLERK,
        2,
        2,
        2,
    )
    assert drafts() == [("draft", Decimal("47.19"))] * 2
    [request] = request_rows()
    assert (request.status, request.owner, request.attempts, request.lease_until) == (
        "succeeded",
        "scheduler-test:1",
        1,
        None,
    )
    assert request.started_at == request.finished_at == clock.now() and not request.late
    assert request.counts == {
        "period": "2026-10",
        "billing_run": run.id,
        "status": "completed",
        "contracts": 2,
        "invoices_created": 2,
        "invoices_updated": 0,
        "contracts_failed": 0,
    }
    assert request.detail.startswith("period: 2026-10, billing_run: ")
    assert carry_out_requests(app) == []  # nothing left to do


def test_requests_are_carried_out_oldest_first_in_one_sweep(make_runner, today) -> None:
    for key in ("b", "a", "c"):
        requests.queue_request("probe_request", key, "tests", clock.now())
        db.session.commit()
    runner = make_runner()
    assert len(runner.run_requested()) == 3
    assert probe.calls == [("probe_request", "b"), ("probe_request", "a"), ("probe_request", "c")]
    assert [(row.status, row.counts) for row in request_rows()] == [
        ("succeeded", {"key": key, "attempt": 1}) for key in ("b", "a", "c")
    ]


def test_a_request_another_scheduler_holds_is_left_to_it_then_taken_over_once_its_lease_ran_out(
    app, database, today
) -> None:
    billed_contracts(1)
    db.session.commit()
    queued = request_billing_run(OCTOBER, CLERK)
    # Scheduler host-dead:9 took the request at 09:00, started its billing run and was killed.
    dead = BillingRun(
        period="2026-10",
        status="running",
        actor=CLERK,
        heartbeat_at=at("2026-11-15T09:00:00"),
        lease_until=at("2026-11-15T09:10:00"),
    )
    db.session.add(dead)
    db.session.flush()
    db.session.execute(
        update(JobRun)
        .where(JobRun.id == queued.run_id)
        .values(
            status="running",
            owner="host-dead:9",
            attempts=1,
            started_at=at("2026-11-15T09:00:00"),
            lease_until=at("2026-11-15T09:01:00"),
            counts={"period": "2026-10", "billing_run": dead.id},
        )
    )
    db.session.commit()

    with clock.frozen(at("2026-11-15T09:00:40")):
        assert carry_out_requests(app, "host-b:2") == []  # its lease still holds
    with clock.frozen(at("2026-11-15T09:05:00")):
        assert carry_out_requests(app, "host-b:2") == [queued.run_id]

    killed, resumed = billing_runs()
    assert killed.id == dead.id and killed.status == "interrupted"
    assert (resumed.status, resumed.completes_run_id, resumed.actor) == ("completed", dead.id, CLERK)
    [request] = request_rows()
    assert (request.status, request.owner, request.attempts) == ("succeeded", "host-b:2", 2)
    assert request.started_at == at("2026-11-15T09:00:00")
    assert request.detail.startswith(
        "Resumed by host-b:2 (attempt 2): scheduler host-dead:9 stopped holding it at "
        "2026-11-15 09:01:00 UTC."
    )
    assert request.counts["billing_run"] == resumed.id and request.counts["completes_run"] == dead.id
    assert drafts() == [("draft", Decimal("47.19"))]


def test_a_stopped_request_is_carried_on_by_the_next_scheduler(app, database, today, monkeypatch) -> None:
    billed_contracts(3)
    configure(app, monkeypatch, DAAS_BILLING_CHUNK_SIZE=1)
    db.session.commit()
    queued = request_billing_run(OCTOBER, CLERK)
    stopping = scheduler_runner(app, "host-a:1")
    billing = stopping.requested[BILLING_RUN_REQUEST]

    def sigterm_as_it_starts(context):  # it stops at its first safe point: after its first chunk
        context.stop.set()
        return billing(context)

    stopping.requested[BILLING_RUN_REQUEST] = sigterm_as_it_starts
    with clock.frozen(at("2026-11-15T09:00:00")):
        stopping.run_requested()
    [request] = request_rows()
    assert (request.status, request.owner, request.lease_until) == (
        "running",
        "host-a:1",
        at("2026-11-15T09:00:00"),
    )
    assert request.detail.startswith("Interrupted at 2026-11-15 09:00:00 UTC: stopped at shutdown")
    [stopped] = billing_runs()
    assert (stopped.status, stopped.processed) == ("interrupted", 1)
    assert request.counts == {"period": "2026-10", "billing_run": stopped.id}  # the page follows it

    with clock.frozen(at("2026-11-15T09:00:20")):
        assert carry_out_requests(app, "host-b:2") == [queued.run_id]
    [request] = request_rows()
    assert (request.status, request.attempts, request.owner) == ("succeeded", 2, "host-b:2")
    _, completing = billing_runs()
    assert (completing.status, completing.completes_run_id) == ("completed", stopped.id)
    assert request.counts["billing_run"] == completing.id
    assert drafts() == [("draft", Decimal("47.19"))] * 3


def test_a_failing_request_is_recorded_with_its_error_and_what_it_reported(make_runner, today) -> None:
    requests.queue_request("failing_request", "k1", "tests", clock.now())
    db.session.commit()
    make_runner().run_requested()
    [request] = request_rows()
    assert (request.status, request.detail, request.lease_until) == (
        "failed",
        "RuntimeError: printer on fire",
        None,
    )
    assert request.counts == {"started": "k1"}
    assert db.session.scalar(select(func.count()).where(Customer.name == "Failing k1")) == 0  # rolled back
    assert make_runner().run_requested() == []  # a failed request is not tried again: ask again


def test_a_request_whose_scheduler_died_again_and_again_is_given_up(make_runner, today) -> None:
    requests.queue_request("probe_request", "k1", "tests", clock.now())
    db.session.execute(
        update(JobRun).values(
            status="running",
            owner="host-dead:9",
            attempts=MAX_REQUEST_ATTEMPTS,
            lease_until=clock.now() - timedelta(minutes=1),
        )
    )
    db.session.commit()
    assert make_runner().run_requested() == []
    [request] = request_rows()
    assert request.status == "failed" and probe.calls == []
    assert request.detail.startswith(
        f"Given up after {MAX_REQUEST_ATTEMPTS} attempts: the scheduler carrying it out stopped each time"
    )


def test_a_scheduler_that_is_stopping_takes_no_request(make_runner, today) -> None:
    requests.queue_request("probe_request", "k1", "tests", clock.now())
    db.session.commit()
    runner = make_runner()
    runner.stop.set()
    assert runner.run_requested() == [] and probe.calls == []
    assert [row.status for row in request_rows()] == ["queued"]


def test_a_requested_run_does_not_disturb_the_scheduled_runs_of_the_same_job(make_runner) -> None:
    """The billing run job keeps its due times: a request is no due time of it."""
    with clock.frozen(at("2026-12-01T01:00:00")):
        requests.queue_request("probe_request", "k1", "tests", clock.now())
        db.session.commit()
    runner = make_runner()
    with clock.frozen(at("2026-12-01T02:00:00")):
        runner.run_requested()
        assert runner.run_due("probe") is not None
    assert [(run.job, run.status) for run in db.session.scalars(select(JobRun).order_by(JobRun.id))] == [
        ("probe_request", "succeeded"),
        ("probe", "succeeded"),
    ]


# -- the heartbeat ---------------------------------------------------------------------------------------


def test_the_heartbeat_says_a_scheduler_runs_until_it_signs_off_or_falls_silent(app, database) -> None:
    lease = timedelta(seconds=60)
    assert presence(lease, at("2026-11-15T10:00:00")) == Presence(False, None)
    with clock.frozen(at("2026-11-15T09:59:00")):
        runner = scheduler_runner(app, "host-a:1")
    with clock.frozen(at("2026-11-15T10:00:00")):
        runner.record_presence()
    assert presence(lease, at("2026-11-15T10:02:59")) == Presence(True, at("2026-11-15T10:00:00"))
    assert presence(lease, at("2026-11-15T10:03:01")) == Presence(False, at("2026-11-15T10:00:00"))
    with clock.frozen(at("2026-11-15T10:03:20")):
        runner.record_presence()
    assert presence(lease, at("2026-11-15T10:03:30")).running
    [beat] = db.session.scalars(select(SchedulerHeartbeat)).all()
    assert (beat.owner, beat.started_at, beat.seen_at) == (
        "host-a:1",
        at("2026-11-15T09:59:00"),
        at("2026-11-15T10:03:20"),
    )
    runner.sign_off()
    assert presence(lease, at("2026-11-15T10:03:30")) == Presence(False, None)


def test_schedulers_killed_long_ago_are_forgotten(app, database) -> None:
    db.session.add(
        SchedulerHeartbeat(
            owner="host-dead:1", started_at=at("2026-11-01T10:00:00"), seen_at=at("2026-11-07T10:00:00")
        )
    )
    db.session.add(
        SchedulerHeartbeat(
            owner="host-dead:2", started_at=at("2026-11-01T10:00:00"), seen_at=at("2026-11-14T10:00:00")
        )
    )
    db.session.commit()
    with clock.frozen(at("2026-11-15T10:00:00")):
        scheduler_runner(app, "host-a:1").record_presence()
    db.session.expire_all()
    assert sorted(db.session.scalars(select(SchedulerHeartbeat.owner))) == ["host-a:1", "host-dead:2"]
