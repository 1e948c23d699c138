"""Real `flask daas scheduler` processes on PostgreSQL: two schedulers run each due time of a job once; a
scheduler stopped by SIGTERM mid-billing-run leaves it to be resumed, and the resumed run completes the
month; a scheduler killed mid-run is taken over once its lease runs out; a job that will not stop in time
is abandoned cleanly."""

from __future__ import annotations

import itertools
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from config.jobs import JOBS
from daas.billing.models import BillingRun, Invoice
from daas.core.periods import Period
from daas.extensions import db
from daas.scheduler.models import JobRun
from daas.scheduler.registry import schedule_setting
from tests.processes import TIMEOUT, Commands, wait_until
from tests.processes.test_billing_processes import build_data_set

pytestmark = pytest.mark.postgres

# Starting a scheduler imports the whole app: seconds on a loaded machine. Waits including a start get this.
STARTUP = 120.0
SUCCEEDED = re.compile(r"(\w+) due (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC): succeeded")


class Schedulers(Commands):
    """The `flask daas scheduler` processes of one test: every job off but those a test turns on."""

    def __init__(self, logs: Path) -> None:
        super().__init__(logs, "scheduler")

    def start(self, **settings: str | int) -> subprocess.Popen[bytes]:
        jobs_off = {schedule_setting(job.name): "off" for job in JOBS}
        return self.launch(["scheduler"], {"DAAS_SCHEDULER_SWEEP_SECONDS": 1, **jobs_off, **settings})


@pytest.fixture
def schedulers(committed: Flask, tmp_path: Path) -> Iterator[Schedulers]:
    started = Schedulers(tmp_path)
    try:
        yield started
    finally:
        started.kill_leftovers()


def job_runs(app: Flask, job: str) -> list[JobRun]:
    with app.app_context():
        runs = list(db.session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.due_at)))
        db.session.expunge_all()
        return runs


def billing_runs(app: Flask) -> list[BillingRun]:
    with app.app_context():
        runs = list(db.session.scalars(select(BillingRun).order_by(BillingRun.id)))
        db.session.expunge_all()
        return runs


def invoices(app: Flask, period: Period) -> list[tuple]:
    """Per contract: status and totals and lines, to compare a resumed month with a clean one."""
    with app.app_context():
        rows = db.session.scalars(
            select(Invoice)
            .where(Invoice.period == period.name)
            .options(selectinload(Invoice.lines))
            .order_by(Invoice.contract_id)
        ).all()
        return [
            (
                invoice.contract_id,
                invoice.status,
                invoice.subtotal,
                invoice.total,
                [(line.kind, line.quantity, line.amount) for line in invoice.lines],
            )
            for invoice in rows
        ]


def bill_by_hand(commands: Commands, period: Period) -> None:
    commands.wait(commands.launch(["bill", period.name], {}))


# -- once across processes -------------------------------------------------------------------------------


def test_two_schedulers_run_each_due_time_once(schedulers: Schedulers, committed: Flask) -> None:
    every_two_seconds = {
        "DAAS_SCHEDULE_PAYMENT_RETRIES": "*/2 * * * * *",
        "DAAS_GRACE_PAYMENT_RETRIES": 60,
    }
    first, second = schedulers.start(**every_two_seconds), schedulers.start(**every_two_seconds)

    def enough() -> bool:
        schedulers.check_alive(first)
        schedulers.check_alive(second)
        return len(job_runs(committed, "payment_retries")) >= 6

    wait_until(enough, "six due times of payment_retries", timeout=STARTUP)
    logs = schedulers.stop(first) + schedulers.stop(second)

    runs = job_runs(committed, "payment_retries")
    assert {run.status for run in runs} == {"succeeded"}
    dues = [run.due_at for run in runs]
    assert all(due.second % 2 == 0 and due.microsecond == 0 for due in dues)  # the schedule's due times
    # Normally every due time runs; a machine stalled for longer than the interval coalesces some, which
    # the log then says. Never one twice.
    gaps = [later for earlier, later in itertools.pairwise(dues) if later - earlier != timedelta(seconds=2)]
    assert len(gaps) <= logs.count("coalesced into this one"), gaps
    executions = Counter(due for job, due in SUCCEEDED.findall(logs) if job == "payment_retries")
    assert set(executions.values()) == {1}, executions  # no due time ran twice, in either process
    assert sorted(executions) == [due.strftime("%Y-%m-%d %H:%M:%S UTC") for due in dues]
    assert logs.count("stopped") >= 2


# -- stopping and resuming ----------------------------------------------------------------------------


DAILY_BILLING = {"DAAS_SCHEDULE_BILLING_RUN": "0 0 * * *", "DAAS_GRACE_BILLING_RUN": 86400}


def _today_period() -> Period:
    """The month the billing job bills: the one before its due day, today's midnight (UTC)."""
    return Period.containing(datetime.now(UTC).date()).previous()


def _billing_underway(app: Flask, schedulers: Schedulers, process: subprocess.Popen[bytes]) -> None:
    def underway() -> bool:
        schedulers.check_alive(process)
        return any(run.processed >= 10 for run in billing_runs(app))

    wait_until(underway, "the scheduled billing run to be under way", timeout=STARTUP)


def test_sigterm_stops_a_billing_run_cleanly_and_the_next_scheduler_completes_it(
    schedulers: Schedulers, committed: Flask
) -> None:
    build_data_set(committed)
    period = _today_period()
    slow = schedulers.start(**DAILY_BILLING, DAAS_BILLING_CHUNK_SIZE=5, DAAS_BILLING_THROTTLE_MS=300)
    _billing_underway(committed, schedulers, slow)
    output = schedulers.stop(slow)
    assert "stopped at shutdown" in output

    [interrupted] = job_runs(committed, "billing_run")
    assert interrupted.status == "running" and interrupted.detail.startswith("Interrupted at")
    assert interrupted.lease_until <= datetime.now(UTC)  # given up: nobody holds it
    [stopped] = billing_runs(committed)
    assert stopped.status == "interrupted" and stopped.processed < stopped.contracts
    assert 0 < len(invoices(committed, period)) < stopped.contracts

    fresh = schedulers.start(**DAILY_BILLING)
    wait_until(
        lambda: job_runs(committed, "billing_run")[0].status == "succeeded",
        "the resumed billing run",
        STARTUP,
    )
    schedulers.stop(fresh)
    [resumed] = job_runs(committed, "billing_run")
    assert resumed.attempts == 2 and resumed.detail.startswith("Resumed by")
    assert resumed.counts["period"] == period.name
    assert (billing_runs(committed)[-1].status, billing_runs(committed)[-1].completes_run_id) == (
        "completed",
        stopped.id,
    )

    completed = invoices(committed, period)
    assert len(completed) == stopped.contracts
    bill_by_hand(schedulers, period)  # a clean recomputation of the month changes nothing
    assert invoices(committed, period) == completed


def test_a_killed_scheduler_s_run_is_taken_over_when_its_lease_runs_out(
    schedulers: Schedulers, committed: Flask
) -> None:
    build_data_set(committed)
    short_lease = {**DAILY_BILLING, "DAAS_SCHEDULER_LEASE_SECONDS": 2}
    doomed = schedulers.start(**short_lease, DAAS_BILLING_CHUNK_SIZE=5, DAAS_BILLING_THROTTLE_MS=300)
    _billing_underway(committed, schedulers, doomed)
    doomed.kill()
    doomed.wait(timeout=TIMEOUT)

    successor = schedulers.start(**short_lease)
    wait_until(
        lambda: job_runs(committed, "billing_run")[0].status == "succeeded", "the taken-over run", STARTUP
    )
    schedulers.stop(successor)
    [run] = job_runs(committed, "billing_run")
    assert run.attempts == 2 and "stopped holding it" in run.detail
    killed, resumed = billing_runs(committed)
    assert killed.status == "interrupted" and killed.error.startswith("Interrupted")
    assert (resumed.status, resumed.completes_run_id) == ("completed", killed.id)
    assert len(invoices(committed, _today_period())) == resumed.contracts


def test_a_job_that_does_not_stop_in_time_is_left_to_the_next_scheduler(
    schedulers: Schedulers, committed: Flask
) -> None:
    build_data_set(committed)
    stubborn = schedulers.start(
        **DAILY_BILLING,
        DAAS_BILLING_CHUNK_SIZE=5,
        DAAS_BILLING_THROTTLE_MS=4000,  # between chunks it sleeps longer than the stop window
        DAAS_SCHEDULER_STOP_SECONDS=1,
    )

    def first_chunk_done() -> bool:
        schedulers.check_alive(stubborn)
        return any(run.processed >= 5 for run in billing_runs(committed))

    wait_until(first_chunk_done, "the first chunk", timeout=STARTUP)
    output = schedulers.stop(stubborn)
    assert "did not stop within 1 s" in output
    [run] = job_runs(committed, "billing_run")
    assert run.status == "running" and "did not stop within 1 s" in run.detail
    assert run.lease_until <= datetime.now(UTC)
