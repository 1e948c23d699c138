"""A billing run's chunks, on both databases: the run splits the contracts it bills (active ones, and an
ended one that still owes a one-off charge) into id ranges of `chunk_size`, writes each once, and a
process joining the run writes the chunks left, leaving the run's own process to finish it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from daas.billing import run as billing_run
from daas.billing.models import BillingRunChunk, Invoice
from daas.billing.run import PeriodBilling
from daas.billing.run_chunks import this_worker, workers
from daas.extensions import db
from daas.usecases.billing import join_billing_run
from daas.usecases.transaction import commit
from tests import factories
from tests.billing_helpers import OCTOBER, bill, deploy, run_settings
from tests.charge_helpers import add


def _contracts(count: int) -> list[int]:
    """`count` contracts active in October with a laptop each (39.00), then one that ended in September
    but owes a 25.00 charge of September 20th; their ids in order."""
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    ids = []
    for _ in range(count):
        contract = factories.contract(plan_code=plan.code)
        deploy(contract, date(2026, 2, 1))
        ids.append(contract.id)
    ended = factories.contract(plan_code=plan.code, end_date=date(2026, 9, 30))
    add(ended, "25.00", on=date(2026, 9, 20))
    return [*ids, ended.id]


def _chunks(run_id: int) -> list[tuple[int, int, int, bool, str | None]]:
    rows = db.session.scalars(
        select(BillingRunChunk).where(BillingRunChunk.run_id == run_id).order_by(BillingRunChunk.seq)
    )
    return [
        (c.first_contract_id, c.last_contract_id, c.contracts, c.done_at is not None, c.worker) for c in rows
    ]


def _totals() -> dict[int, Decimal]:
    rows = db.session.execute(
        select(Invoice.contract_id, Invoice.subtotal).where(Invoice.period == "2026-10")
    )
    return dict(rows.all())


def test_a_run_writes_its_contracts_in_chunks_of_ids_each_once(database):
    ids = _contracts(7)

    run = bill(chunk_size=3)

    assert (run.status, run.contracts, run.processed, run.invoices_created) == ("completed", 8, 8, 8)
    me = this_worker()
    assert _chunks(run.id) == [
        (ids[0], ids[2], 3, True, me),
        (ids[3], ids[5], 3, True, me),
        (ids[6], ids[7], 2, True, me),
    ]
    assert workers(run.id) == {me: 8}
    totals = _totals()
    assert totals == {**{contract_id: Decimal("39.00") for contract_id in ids[:7]}, ids[7]: Decimal("25.00")}


def test_a_joining_process_writes_the_chunks_left_and_the_run_owner_finishes(database):
    ids = _contracts(5)
    settings = run_settings(chunk_size=2)
    run = billing_run.open_run(OCTOBER, "tests", settings.stale_after)
    owner = PeriodBilling(run, OCTOBER, settings)
    assert owner.plan() == 6
    commit()

    joined = join_billing_run(OCTOBER, settings, wait_seconds=0)

    assert (joined.run_id, joined.contracts_written) == (run.id, 6)
    assert [done for *_, done, _ in _chunks(run.id)] == [True, True, True]
    assert list(owner.chunks()) == []  # nothing left: the owner only finishes
    owner.finish()
    commit()
    assert (run.status, run.processed, run.invoices_created) == ("completed", 6, 6)
    assert sorted(_totals()) == ids
    assert join_billing_run(OCTOBER, settings, wait_seconds=0) is None  # no run with chunks left
