"""A `flask daas bill` process killed mid-run on PostgreSQL: its run stops renewing its heartbeat, shows
as `interrupted` once DAAS_BILLING_RUN_STALE_SECONDS have passed (API and page), and the next run of the
period marks it interrupted, says it completes it, and ends with the invoices of an uninterrupted run."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from daas.extensions import db
from tests import factories
from tests.helpers import bearer
from tests.processes import TIMEOUT, sql, wait_until
from tests.processes.test_billing_processes import (
    CONTRACTS,
    PERIOD,
    Processes,
    build_data_set,
    check_amounts,
    contracts_of,
    snapshot,
)

pytestmark = pytest.mark.postgres

STALE_SECONDS = 2


class StaleProcesses(Processes):
    """`flask daas bill` processes whose runs count as interrupted after STALE_SECONDS without a beat."""

    def start(self, *options: str, chunk: int = 1000, throttle_ms: int = 0) -> subprocess.Popen[bytes]:
        settings = {
            "DAAS_BILLING_CHUNK_SIZE": chunk,
            "DAAS_BILLING_THROTTLE_MS": throttle_ms,
            "DAAS_BILLING_RUN_STALE_SECONDS": STALE_SECONDS,
        }
        return self.launch(["bill", PERIOD, *options], settings)


@pytest.fixture
def bill_processes(committed: Flask, tmp_path: Path) -> Iterator[Processes]:
    started = StaleProcesses(tmp_path)
    try:
        yield started
    finally:
        started.kill_leftovers()


def _status(app: Flask, token: str, run_id: int) -> dict:
    with app.test_client() as client:
        response = client.get(f"/api/v1/billing-runs/{run_id}", headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        return response.get_json()


def test_a_killed_run_shows_as_interrupted_and_the_next_run_completes_it(committed, bill_processes):
    app = committed
    billed = build_data_set(app)
    with app.app_context():
        token = factories.token("finance")
        db.session.commit()

    # Beats every chunk (about every 0.4 s), so 2 s without a beat means the process is gone.
    slow = bill_processes.start(chunk=5, throttle_ms=400)

    def part_way() -> bool:
        bill_processes.check_alive(slow)
        progress = sql(app, "SELECT processed, contracts FROM billing_runs ORDER BY id DESC LIMIT 1")
        return bool(progress) and 5 <= progress[0].processed < progress[0].contracts

    wait_until(part_way, "the run to commit its first chunk")
    [(killed_id,)] = sql(app, "SELECT id FROM billing_runs")
    assert _status(app, token, killed_id)["status"] == "running"  # alive: its lease holds
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=TIMEOUT)

    time.sleep(STALE_SECONDS + 0.5)
    shown = _status(app, token, killed_id)
    assert shown["status"] == "interrupted" and 5 <= shown["processed"] < CONTRACTS
    assert sql(app, f"SELECT status FROM billing_runs WHERE id = {killed_id}")[0][0] == "running"  # as left

    output = bill_processes.wait(bill_processes.start())

    [(resumed_id, completes, status)] = sql(
        app, f"SELECT id, completes_run_id, status FROM billing_runs WHERE id <> {killed_id}"
    )
    assert (completes, status) == (killed_id, "completed")
    assert f"It completes billing run {killed_id}, which was interrupted." in output
    [(killed_status, error)] = sql(app, f"SELECT status, error FROM billing_runs WHERE id = {killed_id}")
    assert killed_status == "interrupted"
    assert error == (
        f"Interrupted: its process stopped (no heartbeat in time); billing run {resumed_id} of {PERIOD} "
        "completes it."
    )
    resumed = snapshot(app)
    assert contracts_of(resumed) == billed
    check_amounts(resumed, billed)
    assert _status(app, token, resumed_id)["completes_run_id"] == killed_id
