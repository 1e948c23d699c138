"""A billing run worked by several real processes on PostgreSQL (`flask daas bill` and `flask daas bill
--join`): the chunks are shared between them and the invoices are those of one process; a joining process
killed while it holds a chunk leaves that chunk to the run's own process; a killed run with a second
process still resumes to the invoices of an uninterrupted run; two runs at once, each with a second
process, still give one invoice per contract; a scheduler process joins a running run by itself."""

from __future__ import annotations

import re
import signal
import subprocess

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import make_url

from daas.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.processes import TIMEOUT, sql, wait_until
from tests.processes.test_billing_processes import (
    CONTRACTS,
    PERIOD,
    Processes,
    billing_runs,
    build_data_set,
    check_amounts,
    contracts_of,
    gate,
    rerun_from_scratch,
    snapshot,
)
from tests.processes.test_scheduler_processes import STARTUP, Schedulers

pytestmark = pytest.mark.postgres

JOINER = "daas-billing-joiner"


def join(processes: Processes, chunk: int, throttle_ms: int = 0) -> subprocess.Popen[bytes]:
    """A `bill --join` process, whose database sessions say they are the joiner's."""
    url = make_url(TEST_DATABASE_URL).update_query_dict({"application_name": JOINER})
    settings = {
        "DAAS_BILLING_CHUNK_SIZE": chunk,
        "DAAS_BILLING_THROTTLE_MS": throttle_ms,
        "DATABASE_URL": url.render_as_string(hide_password=False),
    }
    return processes.launch(["bill", PERIOD, "--join", "--wait", "60"], settings)


def written_by(output: str) -> tuple[int, int]:
    """(contracts, run id) from a joiner's last line."""
    found = re.search(r"Wrote the drafts of (\d+) contracts of billing run (\d+)\.", output)
    assert found, output
    return int(found[1]), int(found[2])


def chunk_workers(app: Flask, run_id: int) -> dict[str, int]:
    rows = sql(
        app,
        "SELECT worker, sum(contracts) FROM billing_run_chunks"
        f" WHERE run_id = {run_id} AND done_at IS NOT NULL GROUP BY worker",
    )
    return {worker: int(contracts) for worker, contracts in rows}


def chunks_planned(app: Flask) -> bool:
    return sql(app, "SELECT count(*) FROM billing_run_chunks")[0][0] > 0


def test_two_processes_share_a_run_and_bill_what_one_process_bills(committed, processes):
    app = committed
    billed = build_data_set(app)

    owner = processes.start(chunk=2, throttle_ms=400)
    wait_until(lambda: processes.check_alive(owner) or chunks_planned(app), "the run to plan its chunks")
    joiner = join(processes, chunk=2, throttle_ms=400)
    processes.wait(owner)
    joined, run_id = written_by(processes.wait(joiner))

    (run,) = billing_runs(app)
    assert (run.id, run.status, run.contracts, run.processed) == (run_id, "completed", CONTRACTS, CONTRACTS)
    assert run.invoices_created == CONTRACTS
    workers = chunk_workers(app, run.id)
    assert len(workers) == 2 and sum(workers.values()) == CONTRACTS  # every chunk written, by both
    assert joined in workers.values() and 0 < joined < CONTRACTS

    shared = snapshot(app)
    assert contracts_of(shared) == billed
    check_amounts(shared, billed)
    assert rerun_from_scratch(app, processes) == shared


def _joiner_waits_for_a_lock(app: Flask) -> bool:
    return bool(
        sql(
            app,
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
            f" AND application_name = '{JOINER}' AND wait_event_type = 'Lock'",
        )
    )


def test_a_killed_joining_process_leaves_its_chunk_to_the_run(committed, processes):
    app = committed
    billed = build_data_set(app)

    # Each chunk of 10 holds a contract whose customer the test locks: writing its invoice waits. The run's
    # own process and the joiner each hold a chunk, waiting; the joiner is killed while it holds its.
    customers = ", ".join(
        str(row[0])
        for row in sql(app, f"SELECT customer_id FROM contracts WHERE id IN {tuple(billed[::10])}")
    )
    with app.app_context(), db.engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text(f"SELECT id FROM customers WHERE id IN ({customers}) FOR UPDATE"))
        owner = processes.start(chunk=10)
        wait_until(lambda: processes.check_alive(owner) or chunks_planned(app), "the run to plan")
        joiner = join(processes, chunk=10)
        wait_until(lambda: _joiner_waits_for_a_lock(app), "the joiner to wait, holding a chunk")
        joiner.send_signal(signal.SIGKILL)
        joiner.wait(timeout=TIMEOUT)
        assert joiner.returncode == -signal.SIGKILL
        transaction.rollback()
    processes.wait(owner)

    (run,) = billing_runs(app)
    assert (run.status, run.processed, run.invoices_created) == ("completed", CONTRACTS, CONTRACTS)
    workers = chunk_workers(app, run.id)
    assert len(workers) == 1 and sum(workers.values()) == CONTRACTS  # the owner wrote the joiner's chunk
    after_kill = snapshot(app)
    assert contracts_of(after_kill) == billed
    check_amounts(after_kill, billed)
    assert rerun_from_scratch(app, processes) == after_kill


def test_a_killed_run_with_a_second_process_resumes_to_the_invoices_of_an_uninterrupted_run(
    committed, processes
):
    app = committed
    billed = build_data_set(app)

    owner = processes.start(chunk=2, throttle_ms=400)
    wait_until(lambda: processes.check_alive(owner) or chunks_planned(app), "the run to plan its chunks")
    joiner = join(processes, chunk=2, throttle_ms=400)

    def both_wrote() -> bool:
        return len(chunk_workers(app, billing_runs(app)[0].id)) == 2

    wait_until(both_wrote, "both processes to write a chunk")
    owner.send_signal(signal.SIGKILL)
    owner.wait(timeout=TIMEOUT)
    processes.wait(joiner)  # it writes the chunks left, and leaves the run for another to finish

    (killed,) = billing_runs(app)
    assert killed.status == "running" and killed.finished_at is None
    processes.run()
    resumed = snapshot(app)
    assert contracts_of(resumed) == billed
    check_amounts(resumed, billed)
    assert rerun_from_scratch(app, processes) == resumed


def test_two_runs_at_once_each_with_a_second_process_give_one_invoice_per_contract(committed, processes):
    app = committed
    billed = build_data_set(app)

    def planned_runs() -> int:
        return sql(app, "SELECT count(DISTINCT run_id) FROM billing_run_chunks")[0][0]

    # Two runs and two joiners (each joins the latest run with chunks left) queue behind a lock on
    # invoices, each holding a chunk, then race chunk by chunk.
    with gate(app, processes, "LOCK TABLE invoices IN SHARE MODE") as queued:
        first = processes.start(chunk=5, throttle_ms=50)
        wait_until(lambda: processes.check_alive(first) or planned_runs() == 1, "the first run to plan")
        first_joiner = join(processes, chunk=5, throttle_ms=50)
        second = processes.start(chunk=5, throttle_ms=50)
        wait_until(lambda: processes.check_alive(second) or planned_runs() == 2, "the second run to plan")
        second_joiner = join(processes, chunk=5, throttle_ms=50)
        queued(first, second, first_joiner, second_joiner)
    processes.wait(first)
    processes.wait(second)
    joined = [written_by(processes.wait(joiner)) for joiner in (first_joiner, second_joiner)]
    assert all(contracts > 0 for contracts, _ in joined)

    runs = billing_runs(app)
    assert [(run.status, run.processed) for run in runs] == [("completed", CONTRACTS)] * 2
    assert sum(run.invoices_created for run in runs) == CONTRACTS  # each invoice created once
    together = snapshot(app)
    assert contracts_of(together) == billed
    check_amounts(together, billed)
    assert rerun_from_scratch(app, processes) == together


def _writers(app: Flask) -> int:
    """How many processes wrote chunks of the latest run."""
    return sql(app, "SELECT count(DISTINCT worker) FROM billing_run_chunks WHERE done_at IS NOT NULL")[0][0]


def test_a_scheduler_joins_a_running_run_and_shortens_it(committed, processes, tmp_path):
    app = committed
    billed = build_data_set(app)
    schedulers = Schedulers(tmp_path / "schedulers")
    (tmp_path / "schedulers").mkdir()
    try:
        helper = schedulers.start(DAAS_BILLING_CHUNK_SIZE=2, DAAS_BILLING_THROTTLE_MS=400)
        owner = processes.start(chunk=2, throttle_ms=400)
        wait_until(
            lambda: processes.check_alive(owner) or _writers(app) == 2,
            "the scheduler to write a chunk of the run",
            timeout=STARTUP,
        )
        processes.wait(owner)
        schedulers.check_alive(helper)
        assert "joined billing run" in schedulers.stop(helper)
    finally:
        schedulers.kill_leftovers()

    (run,) = billing_runs(app)
    assert (run.status, run.processed, run.invoices_created) == ("completed", CONTRACTS, CONTRACTS)
    workers = chunk_workers(app, run.id)
    assert len(workers) == 2 and sum(workers.values()) == CONTRACTS
    shared = snapshot(app)
    assert contracts_of(shared) == billed
    assert rerun_from_scratch(app, processes) == shared
