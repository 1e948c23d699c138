"""The billing use cases as an entry point calls them, on SQLite and PostgreSQL: what a run leaves (its
status and counts, the drafts and their amounts), how a stopped or failed run ends, and what finalizing
a run, a period or one invoice, and voiding, leave (numbers, statuses, amounts due, due dates)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.billing.models import BillingRun, Invoice
from daas.billing.run import RunSettings
from daas.core import clock
from daas.core.errors import Conflict, Invalid, NotFound
from daas.core.jobs import JobStopped
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.billing import finalize_period_and_collect, finalize_run_and_collect, run_billing_period
from daas.usecases.invoices import finalize_invoice_and_collect, void_invoice
from tests import factories
from tests.billing_helpers import NOVEMBER, OCTOBER, bill, deploy, documents, issuer, run_settings


def _settings() -> RunSettings:
    return run_settings(chunk_size=1)


def _contracts(count: int, payment_terms_days: int = 30) -> list:
    """`count` contracts of one laptop each all October: 39.00 + 21 % Dutch VAT = 47.19."""
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    contracts = []
    for _ in range(count):
        customer = factories.customer(payment_terms_days=payment_terms_days)
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        contracts.append(contract)
    db.session.commit()
    return contracts


def _invoices() -> list[tuple[str, str | None, Decimal, Decimal]]:
    db.session.expire_all()
    return [
        (invoice.status, invoice.number, invoice.total, invoice.amount_due)
        for invoice in db.session.scalars(select(Invoice).order_by(Invoice.id))
    ]


def _runs() -> int:
    return db.session.scalar(select(func.count(BillingRun.id)))


def _policy():
    return current_settings().collection


# -- run_billing_period ------------------------------------------------------------------------------------


def test_a_run_drafts_every_contract_and_completes_and_a_second_run_recomputes_them(database, today):
    _contracts(2)
    run = run_billing_period(OCTOBER, "finance@example.com", _settings())
    db.session.rollback()  # nothing is left open: the run committed
    assert (run.status, run.contracts, run.processed, run.invoices_created) == ("completed", 2, 2, 2)
    assert run.finished_at is not None and run.actor == "finance@example.com"
    assert _invoices() == [("draft", None, Decimal("47.19"), Decimal("47.19"))] * 2

    again = run_billing_period(OCTOBER, "finance@example.com", _settings())
    assert (again.status, again.invoices_created, again.invoices_updated) == ("completed", 0, 2)
    assert db.session.scalars(select(Invoice.billing_run_id)).all() == [again.id] * 2
    assert _invoices() == [("draft", None, Decimal("47.19"), Decimal("47.19"))] * 2


def test_a_month_that_has_not_ended_is_refused_and_leaves_no_run(database, today):
    _contracts(1)
    with pytest.raises(Invalid) as refused:
        run_billing_period(NOVEMBER, "tests", _settings())
    assert "period" in refused.value.errors
    assert _runs() == 0 and _invoices() == []


def test_a_stopped_run_keeps_its_finished_chunk_and_the_next_run_completes_it(database, today):
    _contracts(3)

    def stop(_done: int) -> None:
        raise JobStopped("stopped at shutdown")

    with pytest.raises(JobStopped):
        run_billing_period(OCTOBER, "tests", _settings(), on_progress=stop)
    db.session.rollback()
    stopped = db.session.scalar(select(BillingRun))
    assert (stopped.status, stopped.processed, stopped.invoices_created) == ("interrupted", 1, 1)
    assert stopped.error == "Stopped part-way (stopped at shutdown); the next run of 2026-10 completes it."
    assert len(_invoices()) == 1  # the first chunk stands

    run = run_billing_period(OCTOBER, "tests", _settings())
    assert (run.status, run.completes_run_id) == ("completed", stopped.id)
    assert (run.invoices_created, run.invoices_updated) == (2, 1)
    assert _invoices() == [("draft", None, Decimal("47.19"), Decimal("47.19"))] * 3


def test_a_run_that_fails_is_recorded_as_failed_with_its_error(database, today):
    _contracts(2)

    def fail(_contracts: int) -> None:
        raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        run_billing_period(OCTOBER, "tests", _settings(), on_start=fail)
    db.session.rollback()
    run = db.session.scalar(select(BillingRun))
    assert (run.status, run.error, run.processed, run.contracts) == ("failed", "the disk is full", 0, 2)
    assert run.finished_at is not None
    assert _invoices() == []


def test_a_sole_runner_closes_its_own_dead_run_and_completes_it(database, today):
    _contracts(1)
    dead = BillingRun(
        period=OCTOBER.name, status="running", actor="scheduler:billing_run", lease_until=clock.now()
    )
    db.session.add(dead)
    db.session.commit()
    other = BillingRun(
        period=OCTOBER.name,
        status="running",
        actor="finance@example.com",
        lease_until=clock.now() + timedelta(hours=1),
    )
    db.session.add(other)
    db.session.commit()

    run = run_billing_period(OCTOBER, "scheduler:billing_run", _settings(), sole_runner=True)
    db.session.expire_all()
    assert dead.status == "interrupted"
    assert dead.error.startswith("Interrupted: the scheduler running it stopped")
    assert other.status == "running"  # another actor's run, with its lease: alive
    assert (run.status, run.completes_run_id) == ("completed", dead.id)


# -- finalize_run_and_collect --------------------------------------------------------------------------------


def test_finalizing_a_run_numbers_its_invoices_and_counts_them(database, today):
    first, _ = _contracts(2, payment_terms_days=14)
    run = bill(OCTOBER)
    assert finalize_run_and_collect(run.id, _settings(), _policy()) == 2
    db.session.rollback()
    assert _invoices() == [
        ("open", "INV-2026-000001", Decimal("47.19"), Decimal("47.19")),
        ("open", "INV-2026-000002", Decimal("47.19"), Decimal("47.19")),
    ]
    invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == first.id))
    assert (invoice.issued_on, invoice.due_date) == (today, today + timedelta(days=14))
    assert invoice.collection_method == "bank_transfer"  # no card: it waits for a transfer
    assert db.session.get(BillingRun, run.id).invoices_finalized == 2

    assert finalize_run_and_collect(run.id, _settings(), _policy()) == 0  # nothing left to finalize
    assert [number for _, number, _, _ in _invoices()] == ["INV-2026-000001", "INV-2026-000002"]


def test_finalizing_a_superseded_or_unfinished_run_is_refused(database, today):
    _contracts(1)
    first = bill(OCTOBER)
    second = bill(OCTOBER)
    with pytest.raises(Conflict, match=f"superseded: billing run {second.id} recomputed"):
        finalize_run_and_collect(first.id, _settings(), _policy())
    assert _invoices() == [("draft", None, Decimal("47.19"), Decimal("47.19"))]

    running = BillingRun(
        period=NOVEMBER.name, status="running", actor="tests", lease_until=clock.now() + timedelta(hours=1)
    )
    db.session.add(running)
    db.session.commit()
    with pytest.raises(Conflict, match="is running: only a completed run's drafts can be finalized"):
        finalize_run_and_collect(running.id, _settings(), _policy())
    with pytest.raises(NotFound):
        finalize_run_and_collect(running.id + 1000, _settings(), _policy())
    assert finalize_run_and_collect(second.id, _settings(), _policy()) == 1


# -- finalize_period_and_collect --------------------------------------------------------------------------


def test_the_scheduled_finalization_refuses_a_month_nobody_reviewed(database, today):
    _contracts(1)
    with pytest.raises(Conflict, match="No completed billing run for 2026-10"):
        finalize_period_and_collect(
            OCTOBER, "scheduler:billing_finalize", _settings(), _policy(), reviewed_first=True
        )
    assert _runs() == 0 and _invoices() == []


def test_finalizing_a_period_recomputes_finalizes_and_reports_the_collection(database, today):
    _contracts(2)
    reviewed = bill(OCTOBER)
    billed = finalize_period_and_collect(OCTOBER, "cli", _settings(), _policy(), reviewed_first=True)
    db.session.rollback()
    run = billed.run
    assert run.id != reviewed.id
    assert (run.status, run.invoices_updated, run.invoices_finalized) == ("completed", 2, 2)
    assert _invoices() == [
        ("open", "INV-2026-000001", Decimal("47.19"), Decimal("47.19")),
        ("open", "INV-2026-000002", Decimal("47.19"), Decimal("47.19")),
    ]
    assert (billed.collection.attempted, billed.collection.succeeded) == (0, 0)  # no card: no charge


# -- one invoice ---------------------------------------------------------------------------------------------


def test_finalizing_one_draft_takes_the_next_number_and_refuses_a_second_time(database, today):
    first, second = _contracts(2, payment_terms_days=10)
    bill(OCTOBER)
    draft = db.session.scalar(select(Invoice).where(Invoice.contract_id == second.id))
    invoice = finalize_invoice_and_collect(draft.id, documents(), _policy())
    assert (invoice.status, invoice.number, invoice.amount_due) == (
        "open",
        "INV-2026-000001",
        Decimal("47.19"),
    )
    assert invoice.due_date == today + timedelta(days=10)

    with pytest.raises(Conflict, match=f"Invoice {draft.id} is open; only a draft can be finalized."):
        finalize_invoice_and_collect(draft.id, documents(), _policy())
    other = db.session.scalar(select(Invoice.id).where(Invoice.contract_id == first.id))
    assert finalize_invoice_and_collect(other, documents(), _policy()).number == "INV-2026-000002"  # no gap


def test_voiding_keeps_the_number_and_only_an_open_invoice_can_be_voided(database, today):
    _contracts(1)
    run = bill(OCTOBER)
    invoice_id = db.session.scalar(select(Invoice.id))
    with pytest.raises(Conflict, match="is draft; only an open, unpaid invoice can be voided"):
        void_invoice(invoice_id, "Billed twice", "tests", issuer())
    finalize_run_and_collect(run.id, _settings(), _policy())

    note = void_invoice(invoice_id, "Billed twice", "tests", issuer())
    db.session.rollback()
    voided = db.session.get(Invoice, invoice_id)
    assert (voided.status, voided.number, voided.amount_due) == ("void", "INV-2026-000001", Decimal(0))
    assert voided.voided_at is not None and voided.total == Decimal("47.19")
    assert (note.number, note.amount, note.reason) == ("CN-2026-000001", Decimal("47.19"), "Billed twice")
    with pytest.raises(Conflict, match="is void; only an open, unpaid invoice can be voided"):
        void_invoice(invoice_id, "again", "tests", issuer())
    assert _invoices() == [("void", "INV-2026-000001", Decimal("47.19"), Decimal(0))]
