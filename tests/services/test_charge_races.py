"""A one-off charge is billed once, whatever runs at the same moment (PostgreSQL, real threads and
commits): two billing runs of one period that finalize at once bill it on one invoice line; an October and
a November draft that both hold it, finalized at once, bill it on one invoice, the other left a draft with
the reason; waiving it while its invoice is finalized either waives it (the invoice stays a draft) or is
refused because it was billed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from daas.billing.models import BillingRunError, Invoice, InvoiceLine
from daas.charges.models import ChargeEvent, OneOffCharge
from daas.charges.services import waive_charge
from daas.core import clock
from daas.core.errors import Conflict
from daas.extensions import db
from daas.settings import current_settings
from daas.usecases.billing import finalize_run_and_collect
from daas.usecases.transaction import use_case
from tests.billing_helpers import NOVEMBER, OCTOBER, bill, run_settings
from tests.charge_helpers import add, contract_with_a_device

pytestmark = pytest.mark.postgres

TIMEOUT = 60.0
DECEMBER_2 = date(2026, 12, 2)


def _together(app: Flask, work: list[Callable[[], Any]]) -> list[Any]:
    """Each piece of work in its own thread (own app context, session and connection), let go at once;
    what each returned, or the error it raised."""
    barrier = threading.Barrier(len(work))
    outcomes: list[Any] = [None] * len(work)

    def run(index: int, piece: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=TIMEOUT)
                outcomes[index] = piece()
            except Exception as error:  # reported by the assertions on the outcomes
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, p), daemon=True) for i, p in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a piece of work did not finish"
    return outcomes


def _charged_contract(app: Flask) -> tuple[int, int]:
    """A committed contract with a laptop and a pending charge of 100.00 on 2026-10-20."""
    with app.app_context():
        contract, _ = contract_with_a_device()
        charge = add(contract, "100.00", date(2026, 10, 20))
        db.session.commit()
        return contract.id, charge.id


def _billed(app: Flask, charge_id: int) -> tuple[OneOffCharge, list[int], int]:
    """The charge, the invoices whose lines bill it, and how many times it was marked billed."""
    with app.app_context():
        charge = db.session.get(OneOffCharge, charge_id)
        invoices = db.session.scalars(
            select(InvoiceLine.invoice_id).where(InvoiceLine.charge_id == charge_id).order_by(InvoiceLine.id)
        ).all()
        marked = db.session.scalar(
            select(func.count()).where(ChargeEvent.charge_id == charge_id, ChargeEvent.to_status == "billed")
        )
        db.session.expunge(charge)
        return charge, list(invoices), marked


def _statuses(app: Flask, contract_id: int) -> dict[str, str]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(Invoice.period, Invoice.status).where(Invoice.contract_id == contract_id)
            ).all()
        )


def test_two_billing_runs_of_a_period_at_once_bill_the_charge_on_one_line(committed):
    app = committed
    contract_id, charge_id = _charged_contract(app)
    with clock.frozen(date(2026, 11, 15)):
        outcomes = _together(app, [lambda: bill(OCTOBER, finalize=True).status] * 2)
    assert outcomes == ["completed", "completed"], outcomes
    charge, lines, marked = _billed(app, charge_id)
    assert len(lines) == 1 and marked == 1
    assert (charge.status, charge.invoice_id) == ("billed", lines[0])
    assert _statuses(app, contract_id) == {"2026-10": "open"}


def test_an_october_and_a_november_draft_finalized_at_once_bill_the_charge_once(committed):
    app = committed
    contract_id, charge_id = _charged_contract(app)
    with clock.frozen(DECEMBER_2):
        # November first: no draft holds the charge yet, so both drafts take it.
        with app.app_context():
            runs = [bill(NOVEMBER).id, bill(OCTOBER).id]
        assert len(_billed(app, charge_id)[1]) == 2

        outcomes = _together(
            app,
            [
                lambda run_id=run_id: finalize_run_and_collect(
                    run_id, run_settings(), current_settings().collection
                )
                for run_id in runs
            ],
        )
    assert sorted(outcomes) == [0, 1], outcomes
    charge, lines, marked = _billed(app, charge_id)
    assert marked == 1 and charge.status == "billed" and charge.invoice_id in lines and len(lines) == 2
    statuses = _statuses(app, contract_id)
    assert sorted(statuses.values()) == ["draft", "open"]
    with app.app_context():
        winner = db.session.get(Invoice, charge.invoice_id)
        loser_period = next(period for period, status in statuses.items() if status == "draft")
        loser_run = runs[0] if loser_period == NOVEMBER.name else runs[1]
        errors = db.session.scalars(
            select(BillingRunError.error).where(BillingRunError.run_id == loser_run)
        ).all()
        assert errors == [
            f"Charge {charge_id} was billed on invoice {winner.number} after this draft was computed; run "
            f"the billing of {loser_period} again."
        ]


def test_waiving_a_charge_while_its_invoice_is_finalized_never_waives_a_billed_charge(committed):
    app = committed
    contract_id, charge_id = _charged_contract(app)
    with clock.frozen(date(2026, 11, 15)):
        with app.app_context():
            run_id = bill(OCTOBER).id
        waive = use_case(waive_charge)
        outcomes = _together(
            app,
            [
                lambda: finalize_run_and_collect(run_id, run_settings(), current_settings().collection),
                lambda: waive(charge_id, "finance@daas.example", "Goodwill").status,
            ],
        )
    finalized, waived = outcomes
    charge, lines, marked = _billed(app, charge_id)
    assert len(lines) == 1  # the draft's line, billed or not
    if charge.status == "billed":  # the finalization came first: the waiver is refused
        assert (finalized, marked, _statuses(app, contract_id)) == (1, 1, {"2026-10": "open"})
        assert charge.invoice_id == lines[0]
        assert isinstance(waived, Conflict) and "is billed" in waived.message
    else:  # the waiver came first: the draft stays a draft, with the reason on its run
        assert (charge.status, waived, finalized, marked) == ("waived", "waived", 0, 0)
        assert _statuses(app, contract_id) == {"2026-10": "draft"}
        with app.app_context():
            (error,) = db.session.scalars(
                select(BillingRunError.error).where(BillingRunError.run_id == run_id)
            )
        assert error.startswith(f"Charge {charge_id} was waived after this draft was computed")
