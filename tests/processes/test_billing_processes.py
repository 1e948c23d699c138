"""Billing runs as real processes (`flask daas bill`) against PostgreSQL: a run killed part-way resumes to
the invoices of an uninterrupted run, two runs of one period at once give one invoice per contract and
the lines of a single run, and two finalizing runs at once give gapless, unique invoice numbers."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from daas.billing.invoiced_months import invoiced_months
from daas.billing.models import BillingRun, DocumentSequence, Invoice
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.extensions import db
from daas.usage.services import store_usage_events
from tests import factories
from tests.processes import TIMEOUT, Commands, sessions_waiting_for_a_lock, sql, wait_until

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2026-10"
CONTRACTS = 40


# -- processes --------------------------------------------------------------------------------------


class Processes(Commands):
    """The `flask daas bill` processes of one test."""

    def __init__(self, logs: Path) -> None:
        super().__init__(logs, "bill")

    def start(self, *options: str, chunk: int = 1000, throttle_ms: int = 0) -> subprocess.Popen[bytes]:
        settings = {"DAAS_BILLING_CHUNK_SIZE": chunk, "DAAS_BILLING_THROTTLE_MS": throttle_ms}
        return self.launch(["bill", PERIOD, *options], settings)

    def run(self, *options: str, **settings: int) -> str:
        return self.wait(self.start(*options, **settings))


@contextmanager
def gate(app: Flask, processes: Processes, lock_statement: str) -> Iterator[Callable[..., None]]:
    """Hold a table lock in an open transaction: processes started meanwhile queue behind it, and are let
    go together when the block ends. Yields `queued(*processes)`, which waits until they all wait."""
    with app.app_context(), db.engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text(lock_statement))

        def queued(*waiting: subprocess.Popen[bytes]) -> None:
            def all_queued() -> bool:
                processes.check_alive(*waiting)
                return sessions_waiting_for_a_lock(app) >= len(waiting)

            wait_until(all_queued, f"{len(waiting)} processes to wait for the lock")

        try:
            yield queued
        finally:
            transaction.rollback()


# -- data -------------------------------------------------------------------------------------------


def build_data_set(app: Flask) -> list[int]:
    """40 contracts billed in 2026-10 and one that ended before it; returns the billed contracts' ids.

    Variety so that a mixed-up line or total shows: 0, 1 or 2 devices (39.00 a month each); 0-3 usage
    events (12.50 per unit); a minimum of 100.00 on some (true-up lines); some ending on 2026-10-16
    (prorated); some customers in Germany (another tax rate); two that owe nothing (total 0, paid when
    finalized)."""
    with app.app_context(), clock.frozen(date(2026, 11, 15)):
        model = factories.device_model()
        metric = factories.metric(name="Express swaps", aggregation="sum")
        plan = factories.plan(
            charges=[
                {"kind": "device_monthly", "unit_amount": Decimal("39.00")},
                {
                    "kind": "metered",
                    "metric": metric.code,
                    "model": "per_unit",
                    "unit_amount": Decimal("12.50"),
                },
            ]
        )
        billed, usage = [], []
        for i in range(CONTRACTS):
            customer = factories.customer(country="DE" if i % 5 == 4 else "NL")
            contract = factories.contract(
                customer.id,
                plan.code,
                end_date=date(2026, 10, 16) if i % 10 == 9 else None,
                minimum_monthly_amount=Decimal("100.00") if i % 10 == 7 else None,
            )
            for _ in range(0 if i % 10 == 3 else 1 + i % 2):
                serial = factories.device(model.sku).serial
                deploy_device(contract.id, serial, date(2026, 2, 1), factories.ACTOR)
            for n in range(0 if i % 20 == 3 else i % 4):
                usage.append(
                    {
                        "customer_id": customer.id,
                        "transaction_id": f"swap-{i}-{n}",
                        "contract_id": contract.id,
                        "metric_id": metric.id,
                        "timestamp": datetime(2026, 10, 1 + 4 * n + i % 3, 9, 30, tzinfo=UTC),
                        "quantity": Decimal(n + 1),
                        "properties": None,
                    }
                )
            billed.append(contract.id)
        factories.contract(plan_code=plan.code, end_date=date(2026, 9, 1))  # not active in 2026-10
        assert store_usage_events(usage, invoiced_months) == len(usage)
        db.session.commit()
        return billed


Lines = list[tuple[str, str, Decimal | None, Decimal]]
Outcome = tuple[list[tuple[int, str, Decimal, Decimal, Decimal, Lines]], list[str]]


def snapshot(app: Flask) -> Outcome:
    """The billing outcome of the period: per contract (contract, status, subtotal, tax, total, lines in
    position order), and the sorted invoice numbers."""
    with app.app_context():
        invoices = db.session.scalars(
            select(Invoice)
            .where(Invoice.period == PERIOD)
            .options(selectinload(Invoice.lines))
            .order_by(Invoice.contract_id, Invoice.id)
        ).all()
        per_contract = [
            (
                invoice.contract_id,
                invoice.status,
                invoice.subtotal,
                invoice.tax_amount,
                invoice.total,
                [(line.kind, line.description, line.quantity, line.amount) for line in invoice.lines],
            )
            for invoice in invoices
        ]
        return per_contract, sorted(invoice.number for invoice in invoices if invoice.number)


def contracts_of(outcome: Outcome) -> list[int]:
    return [contract_id for contract_id, *_ in outcome[0]]


def billing_runs(app: Flask) -> list[BillingRun]:
    with app.app_context():
        runs = db.session.scalars(select(BillingRun).order_by(BillingRun.id)).all()
        db.session.expunge_all()
        return list(runs)


def rerun_from_scratch(app: Flask, processes: Processes) -> Outcome:
    """What an uninterrupted run gives: drafts deleted (their lines cascade), then one run."""
    sql(app, "DELETE FROM invoices WHERE status = 'draft'")
    assert sql(app, "SELECT count(*) FROM invoice_lines")[0][0] == 0
    processes.run()
    return snapshot(app)


def check_amounts(outcome: Outcome, billed: Sequence[int]) -> None:
    """A few amounts worked out by hand, and every kind of line present: the data set bills what it should."""
    by_contract = {contract_id: rest for contract_id, *rest in outcome[0]}
    # Contract 0: one device all month, no usage, NL: 39.00 + 21% VAT 8.19.
    assert by_contract[billed[0]][1:4] == [Decimal("39.00"), Decimal("8.19"), Decimal("47.19")]
    # Contract 3: no device, no usage: nothing owed.
    assert by_contract[billed[3]][3] == Decimal("0.00")
    # Contract 13: no device, one swap: 12.50 + 2.63.
    assert by_contract[billed[13]][1:4] == [Decimal("12.50"), Decimal("2.63"), Decimal("15.13")]
    kinds = {line[0] for rest in by_contract.values() for line in rest[4]}
    assert {"device_monthly", "metered", "minimum_true_up"} <= kinds


# -- tests ------------------------------------------------------------------------------------------


def test_a_killed_run_resumes_to_the_invoices_of_an_uninterrupted_run(committed, processes):
    app = committed
    billed = build_data_set(app)

    slow = processes.start(chunk=5, throttle_ms=400)

    def part_way() -> bool:
        processes.check_alive(slow)
        progress = sql(app, "SELECT processed, contracts FROM billing_runs ORDER BY id DESC LIMIT 1")
        return bool(progress) and 5 <= progress[0].processed < progress[0].contracts

    wait_until(part_way, "the run to commit its first chunk")
    slow.send_signal(signal.SIGKILL)
    slow.wait(timeout=TIMEOUT)
    assert slow.returncode == -signal.SIGKILL

    (killed,) = billing_runs(app)
    assert (killed.status, killed.contracts) == ("running", CONTRACTS)  # it never got to finish
    partial = sql(app, "SELECT count(*) FROM invoices")[0][0]
    assert 5 <= partial < CONTRACTS
    assert partial == killed.processed  # each chunk's invoices and progress were committed together

    processes.run()
    resumed = snapshot(app)
    assert contracts_of(resumed) == billed  # exactly one invoice per billed contract, none for the ended one
    check_amounts(resumed, billed)

    uninterrupted = rerun_from_scratch(app, processes)
    assert uninterrupted == resumed
    assert [run.status for run in billing_runs(app)] == ["running", "completed", "completed"]


def test_two_runs_at_once_give_one_invoice_per_contract_and_the_lines_of_one_run(committed, processes):
    app = committed
    billed = build_data_set(app)

    # Both runs queue behind a lock on invoices before writing their first chunk, then race chunk by chunk.
    with gate(app, processes, "LOCK TABLE invoices IN SHARE MODE") as queued:
        first = processes.start(chunk=5, throttle_ms=50)
        second = processes.start(chunk=5, throttle_ms=50)
        queued(first, second)
    processes.wait(first)
    processes.wait(second)

    runs = billing_runs(app)
    assert [(run.status, run.processed) for run in runs] == [("completed", CONTRACTS)] * 2
    assert runs[0].started_at < runs[1].finished_at and runs[1].started_at < runs[0].finished_at
    assert sum(run.invoices_created for run in runs) == CONTRACTS  # each invoice created once

    together = snapshot(app)
    assert contracts_of(together) == billed
    assert {status for _, status, *_ in together[0]} == {"draft"}
    check_amounts(together, billed)
    assert rerun_from_scratch(app, processes) == together


def test_two_finalizing_runs_at_once_number_every_invoice_once_without_gaps(committed, processes):
    app = committed
    billed = build_data_set(app)
    processes.run()
    drafts = snapshot(app)
    assert contracts_of(drafts) == billed

    # Both queue behind a lock on the number series (one holding the first drafts, the other waiting for
    # them), then finalize chunk by chunk at once. Small chunks: more turns where either run may win
    # (with 5, one run usually finalizes everything while the other finds each chunk already done).
    with gate(app, processes, "LOCK TABLE document_sequences IN EXCLUSIVE MODE") as queued:
        first = processes.start("--finalize", chunk=2)
        second = processes.start("--finalize", chunk=2)
        queued(first, second)
    processes.wait(first)
    processes.wait(second)

    with app.app_context():
        finalized = db.session.scalars(select(Invoice).where(Invoice.period == PERIOD)).all()
        db.session.expunge_all()
        sequences = db.session.execute(
            select(DocumentSequence.series, DocumentSequence.year, DocumentSequence.last_number)
        ).all()
    assert sorted(invoice.contract_id for invoice in finalized) == billed
    for invoice in finalized:
        assert invoice.number is not None and invoice.issued_on is not None, invoice.contract_id
        assert invoice.status == ("paid" if invoice.total == 0 else "open"), invoice.contract_id
        assert invoice.amount_due == (0 if invoice.total == 0 else invoice.total)
        assert invoice.due_date == invoice.issued_on + timedelta(days=30)
    assert sum(invoice.status == "paid" for invoice in finalized) == 2  # contracts 3 and 23 owe nothing

    # One series per year of finalization (a single year, unless the runs straddle New Year's midnight).
    numbers_by_year: dict[int, list[str]] = {}
    for invoice in finalized:
        numbers_by_year.setdefault(invoice.issued_on.year, []).append(invoice.number)
    for year, numbers in numbers_by_year.items():
        assert sorted(numbers) == [f"INV-{year}-{n:06d}" for n in range(1, len(numbers) + 1)]
    assert sorted(sequences) == sorted(
        ("INV", year, len(numbers)) for year, numbers in numbers_by_year.items()
    )

    runs = billing_runs(app)
    assert [run.status for run in runs] == ["completed"] * 3
    assert sum(run.invoices_finalized for run in runs) == CONTRACTS  # each invoice finalized by one run

    # Finalizing (and the drafts the finalizing runs recomputed meanwhile) changed no amount or line.
    after = snapshot(app)
    assert [(c, *rest) for c, _status, *rest in after[0]] == [(c, *rest) for c, _status, *rest in drafts[0]]
    assert len(after[1]) == CONTRACTS
