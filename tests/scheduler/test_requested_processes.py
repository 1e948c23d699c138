"""Real `flask daas scheduler` processes carrying out a billing run asked for from the finance page: on
PostgreSQL two schedulers run the request once; on SQLite (the single-server set-up) one does. Each
records its heartbeat while it runs and removes it when stopped, which is what the page reads."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from config.jobs import BILLING_RUN_REQUEST, JOBS
from daas import create_app
from daas.core.periods import Period
from daas.extensions import db
from daas.scheduler.registry import schedule_setting
from daas.usecases.job_requests import request_billing_run
from tests.billing_run_helpers import billed_contracts
from tests.conftest import ON_POSTGRES
from tests.processes import Commands, sql, wait_until

STARTUP = 120.0  # starting a scheduler imports the whole app: seconds on a loaded machine
CLERK = "user:clerk@daas.example"
JOBS_OFF = {schedule_setting(job.name): "off" for job in JOBS}
ROOT = Path(__file__).resolve().parents[2]


def _month() -> Period:
    """Last month by the machine's clock: the scheduler processes run on it."""
    return Period.containing(datetime.now(UTC).date()).previous()


def _contracts_and_a_request(app: Flask, count: int) -> int:
    """`count` contracts of one laptop each (from 2026-02 on); then finance's request to bill last month."""
    month = _month()
    with app.app_context():
        billed_contracts(count)
        db.session.commit()
        queued = request_billing_run(month, CLERK)
        db.session.remove()
    return queued.run_id


@pytest.mark.postgres
def test_two_schedulers_carry_a_requested_run_out_once_and_sign_off(committed: Flask, tmp_path: Path) -> None:
    app = committed
    schedulers = Commands(tmp_path, "scheduler")
    settings = {"DAAS_SCHEDULER_SWEEP_SECONDS": 1, **JOBS_OFF}
    try:
        first, second = schedulers.launch(["scheduler"], settings), schedulers.launch(["scheduler"], settings)

        def both_beat() -> bool:
            schedulers.check_alive(first, second)
            return sql(app, "SELECT count(*) FROM scheduler_heartbeats")[0][0] == 2

        wait_until(both_beat, "both schedulers' heartbeats", timeout=STARTUP)
        request_id = _contracts_and_a_request(app, 3)

        def carried_out() -> bool:
            schedulers.check_alive(first, second)
            [(status,)] = sql(app, f"SELECT status FROM job_runs WHERE id = {request_id}")
            return status not in ("queued", "running")

        wait_until(carried_out, "the request to be carried out")
        logs = schedulers.stop(first) + schedulers.stop(second)
    finally:
        schedulers.kill_leftovers()

    [(status, attempts, run_id)] = sql(
        app, f"SELECT status, attempts, counts ->> 'billing_run' FROM job_runs WHERE id = {request_id}"
    )
    assert (status, attempts) == ("succeeded", 1), logs
    assert sql(app, "SELECT id, status, actor, contracts FROM billing_runs") == [
        (int(run_id), "completed", CLERK, 3)
    ]
    assert sql(app, "SELECT count(*) FROM invoices WHERE status = 'draft'") == [(3,)]
    assert logs.count(f"{BILLING_RUN_REQUEST} {_month().name}: succeeded") == 1  # in one process only
    assert sql(app, "SELECT count(*) FROM scheduler_heartbeats") == [(0,)]  # both signed off


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite set-up; the test above runs schedulers on PostgreSQL")
def test_a_scheduler_on_sqlite_carries_a_requested_run_out(tmp_path: Path) -> None:
    database = tmp_path / "daas.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}, env="testing")
    with app.app_context():
        upgrade()
    request_id = _contracts_and_a_request(app, 2)
    with app.app_context():
        db.engine.dispose()

    def query(statement: str) -> list[tuple]:
        with sqlite3.connect(database, timeout=30) as connection:
            return connection.execute(statement).fetchall()

    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DAAS_ENV": "testing",
        "DAAS_SCHEDULER_SWEEP_SECONDS": "1",
        **JOBS_OFF,
    }
    log = tmp_path / "scheduler.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "daas", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP
        while query(f"SELECT status FROM job_runs WHERE id = {request_id}") in (
            [("queued",)],
            [("running",)],
        ):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert query("SELECT count(*) FROM scheduler_heartbeats") == [(1,)]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert query(f"SELECT status FROM job_runs WHERE id = {request_id}") == [("succeeded",)], log.read_text()
    assert query("SELECT status, actor, contracts FROM billing_runs") == [("completed", CLERK, 2)]
    assert query("SELECT count(*) FROM invoices WHERE status = 'draft'") == [(2,)]
    assert query("SELECT count(*) FROM scheduler_heartbeats") == [(0,)]
    output = log.read_text()
    assert f"{BILLING_RUN_REQUEST} {_month().name}: succeeded" in output
    assert output.rstrip().endswith("stopped")
