"""`flask daas scheduler`: the job list it prints, the settings it refuses, and one real scheduler process
on an SQLite file (the single-server set-up of `make run`) that runs its due times and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.jobs import JOBS
from daas.scheduler.registry import schedule_setting
from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parents[2]


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["daas", "scheduler", *args])


def test_the_job_list_shows_schedules_next_due_times_and_why_a_job_is_off(app, database, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "DAAS_SCHEDULE_REFRESH_PLAN", "off")
    monkeypatch.setitem(app.config, "DAAS_SCHEDULE_PAYMENT_RETRIES", "*/15 * * * 1-5")
    result = _invoke(app, "--list")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert list(lines) == [job.name for job in JOBS]
    assert (
        "0 2 1 * *" in lines["billing_run"] and "grace 7 d (DAAS_GRACE_BILLING_RUN)" in lines["billing_run"]
    )
    assert lines["billing_finalize"].endswith("off (DAAS_BILLING_AUTO_FINALIZE is not set)")
    assert lines["refresh_plan"].endswith("off (DAAS_SCHEDULE_REFRESH_PLAN is off)")
    assert "*/15 * * * 1-5" in lines["payment_retries"] and "grace 1 h" in lines["payment_retries"]


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("DAAS_SCHEDULE_BILLING_RUN", "0 2 1 *", "DAAS_SCHEDULE_BILLING_RUN must be a cron expression"),
        ("DAAS_SCHEDULE_IMPACT_CLOSE", "0 3 3 13 *", "DAAS_SCHEDULE_IMPACT_CLOSE"),
        ("DAAS_GRACE_REFRESH_PLAN", -5, "DAAS_GRACE_REFRESH_PLAN must not be negative"),
    ],
)
def test_a_scheduler_with_an_unreadable_setting_does_not_start(
    app, database, monkeypatch, setting, value, message
) -> None:
    monkeypatch.setitem(app.config, setting, value)
    result = _invoke(app)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite set-up; tests/processes runs schedulers on PostgreSQL")
def test_a_scheduler_process_on_sqlite_runs_its_due_times_and_stops_on_sigterm(tmp_path: Path) -> None:
    database = tmp_path / "daas.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DAAS_ENV": "testing",
        **{schedule_setting(job.name): "off" for job in JOBS},
        "DAAS_SCHEDULE_PAYMENT_RETRIES": "* * * * * *",
        "DAAS_SCHEDULER_SWEEP_SECONDS": "1",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    log = tmp_path / "scheduler.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*flask, "daas", "scheduler"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )

    def succeeded() -> list[tuple[str, str]]:
        with sqlite3.connect(database, timeout=30) as connection:
            return connection.execute(
                "SELECT due_at, status FROM job_runs WHERE job = 'payment_retries' ORDER BY due_at"
            ).fetchall()

    try:
        deadline = time.monotonic() + 30
        while len(succeeded()) < 3:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    runs = succeeded()
    assert {status for _, status in runs} <= {"succeeded", "running"}
    output = log.read_text()
    assert "started with 1 job(s)" in output and output.rstrip().endswith("stopped")
    assert output.count(": succeeded in") >= 3
